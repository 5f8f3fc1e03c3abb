#include "schema/git.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "schema/diagnostic.hpp"

extern char** environ;

namespace schema::git {

namespace {

// Reads both pipes until the child closes them (poll, so that neither fills up
// while the other is read).
void drain(int out_fd, int err_fd, std::string& out, std::string& err) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    char buf[65536];
    int open = 2;
    while (open > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) (i == 0 ? out : err).append(buf, std::size_t(n));
            else if (n == 0 || errno != EINTR) {
                fds[i].fd = -1;
                --open;
            }
        }
    }
}

// The folder to run git in for `file`, and the file's path from there.
std::pair<fs::path, std::string> where(const fs::path& file) {
    fs::path dir = file.parent_path();
    if (dir.empty()) dir = ".";
    return {dir, "./" + file.filename().string()};
}

}  // namespace

Output run(const fs::path& dir, const std::vector<std::string>& args) {
    Output r;
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) return r;
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        return r;
    }
    std::vector<std::string> argv_s{"git", "-c", "core.quotepath=off", "--no-pager"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addchdir_np(&fa, dir.c_str());
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, "git", &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        r.code = 127;
        r.err = "cannot run git";
        return r;
    }
    drain(out_pipe[0], err_pipe[0], r.out, r.err);
    close(out_pipe[0]);
    close(err_pipe[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

bool in_work_tree(const fs::path& dir) {
    auto r = run(dir.empty() ? fs::path(".") : dir, {"rev-parse", "--is-inside-work-tree"});
    return r.code == 0 && r.out.rfind("true", 0) == 0;
}

std::vector<std::string> commits_touching(const fs::path& file, int limit) {
    auto [dir, path] = where(file);
    if (!fs::is_directory(dir)) return {};
    auto r = run(dir, {"log", "--format=%H", "-n", std::to_string(limit), "--", path});
    std::vector<std::string> out;
    if (r.code != 0) return out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

std::optional<std::string> show(const fs::path& file, const std::string& commit) {
    auto [dir, path] = where(file);
    auto r = run(dir, {"show", commit + ":" + path});
    if (r.code != 0) return std::nullopt;
    return r.out;
}

std::string diff_since(const fs::path& file, const std::string& commit) {
    auto [dir, path] = where(file);
    return run(dir, {"diff", "--no-color", "--no-ext-diff", commit, "--", path}).out;
}

std::vector<std::string> files_at(const fs::path& dir, const std::string& revision) {
    // Run in the folder, ls-tree lists what is under it, with paths from it.
    // -z: names as they are (no C quoting of unusual characters).
    auto r = run(dir, {"ls-tree", "-r", "-z", "--name-only", "--end-of-options", revision});
    if (r.code != 0) throw InputError(fmt::format("git cannot list {} at {}: {}", dir.string(), revision, r.err));
    std::vector<std::string> out;
    std::istringstream in(r.out);
    for (std::string name; std::getline(in, name, '\0');)
        if (!name.empty()) out.push_back(name);
    std::sort(out.begin(), out.end());
    return out;
}

std::string text_at(const fs::path& dir, const std::string& revision, const std::string& relative) {
    auto r = run(dir, {"show", revision + ":./" + relative});
    if (r.code != 0)
        throw InputError(fmt::format("git cannot read {} at {}: {}", (dir / relative).string(), revision, r.err));
    return r.out;
}

}  // namespace schema::git

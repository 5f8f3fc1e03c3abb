#include "schema/git.hpp"


#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "schema/diagnostic.hpp"
#include "schema/process.hpp"

namespace schema::git {

namespace {

// The folder to run git in for `file`, and the file's path from there.
std::pair<fs::path, std::string> where(const fs::path& file) {
    fs::path dir = file.parent_path();
    if (dir.empty()) dir = ".";
    return {dir, "./" + file.filename().string()};
}

}  // namespace

Output run(const fs::path& dir, const std::vector<std::string>& args) {
    std::vector<std::string> all{"-c", "core.quotepath=off", "--no-pager"};
    all.insert(all.end(), args.begin(), args.end());
    auto r = process::run("git", all, dir);
    if (r.code == 127 && r.err.empty()) r.err = "cannot run git";
    return {r.code, std::move(r.out), std::move(r.err)};
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

std::string resolve_commit(const fs::path& dir, const std::string& revision) {
    auto resolved = run(dir, {"rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"});
    if (resolved.code != 0) throw InputError(fmt::format("git knows no revision {}", revision));
    return resolved.out.substr(0, resolved.out.find('\n'));
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

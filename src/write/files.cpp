#include "schema/files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <set>
#include <stdexcept>

#include "schema/diagnostic.hpp"

namespace schema {

namespace {

// Closes a descriptor when it goes out of scope.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    // Closes now, reporting the error close(2) may be the first to see (NFS, disk quotas).
    int close() {
        int rc = ::close(fd_);
        fd_ = -1;
        return rc;
    }

private:
    int fd_;
};

std::string error_text(int err) { return std::strerror(err); }

// Why `path` could not be opened, in words a user can act on.
std::string open_failure(const fs::path& path, int err) {
    std::error_code ec;
    if (err == ENOENT && fs::is_symlink(fs::symlink_status(path, ec)))
        return fmt::format("it is a symbolic link to {}, which does not exist", fs::read_symlink(path, ec).string());
    return error_text(err);
}

[[noreturn]] void unreadable(const fs::path& path, const std::string& why) {
    throw InputError(fmt::format("cannot read {}: {}", path.string(), why));
}

}  // namespace

std::string read_file(const fs::path& path) {
    // O_NONBLOCK: opening a FIFO named *.sql must not hang; it is refused below.
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) unreadable(path, open_failure(path, errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) unreadable(path, error_text(errno));
    if (S_ISDIR(st.st_mode)) unreadable(path, "it is a directory, not a file");
    if (!S_ISREG(st.st_mode)) unreadable(path, "it is not a regular file");
    std::string out;
    out.reserve(std::size_t(st.st_size));
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) unreadable(path, error_text(errno));
        if (n == 0) break;
        out.append(buf, std::size_t(n));
    }
    return out;
}

bool is_present(const fs::path& path) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(path, ec));
}

// ---- FileSet ----------------------------------------------------------------

namespace {

[[noreturn]] void cannot_write(const fs::path& path, int err) {
    throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), error_text(err)));
}

// ".0003_x.sql.k3J9qZ.tmp" beside the target: hidden, and unguessable, so nobody
// can plant a link there in advance.
fs::path scratch_name(const fs::path& target, const char* suffix) {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::string tag;
    for (int i = 0; i < 10; ++i) tag += alphabet[random() % (sizeof alphabet - 1)];
    return target.parent_path() / fmt::format(".{}.{}.{}", target.filename().string(), tag, suffix);
}

void write_all(int fd, std::string_view text, const fs::path& path) {
    while (!text.empty()) {
        ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) cannot_write(path, errno);
        text.remove_prefix(std::size_t(n));
    }
}

// Creates a new temporary file beside `target` holding `text`, synced to disk.
// `tmp` is set as soon as the file exists, so the caller can remove it on failure.
void write_temporary(const fs::path& target, std::string_view text, fs::path& tmp) {
    int fd = -1;
    for (int attempt = 0; fd < 0; ++attempt) {
        fs::path candidate = scratch_name(target, "tmp");
        fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0) tmp = candidate;
        else if (errno != EEXIST || attempt == 100) cannot_write(target, errno);
    }
    Fd file(fd);
    write_all(file.get(), text, target);
    if (::fsync(file.get()) != 0) cannot_write(target, errno);
    if (file.close() != 0) cannot_write(target, errno);
}

// Creates the missing folders above `dir`, remembering them (outermost first)
// so that a failed commit can take them away again.
void create_folders(const fs::path& dir, std::vector<fs::path>& created) {
    if (dir.empty()) return;
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return;
    create_folders(dir.parent_path(), created);
    if (!fs::create_directory(dir, ec) && ec)
        throw std::runtime_error(fmt::format("cannot create the folder {}: {}", dir.string(), ec.message()));
    created.push_back(dir);
}

void sync_folder(const fs::path& dir) {
    Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() >= 0) ::fsync(fd.get());  // durability only: the files are already in place
}

bool has_no_hard_links(int err) { return err == EPERM || err == EOPNOTSUPP || err == EXDEV || err == EMLINK; }

}  // namespace

void FileSet::create(fs::path path, std::string text) { files_.push_back({std::move(path), std::move(text), false}); }

void FileSet::replace(fs::path path, std::string text) { files_.push_back({std::move(path), std::move(text), true}); }

std::vector<fs::path> FileSet::paths() const {
    std::vector<fs::path> out;
    for (const auto& f : files_) out.push_back(f.path);
    return out;
}

namespace {

// One file of a commit on its way into place.
struct Staged {
    fs::path target, tmp;
    fs::path previous;  // a hard link to the file it replaces, to put it back on failure
    bool placed = false;
};

// Moves the temporary file to its target. A file that must not exist is linked
// (link(2) fails if the target exists: no window in which another writer's file
// could be overwritten); a replaced file is first kept under a second name.
void place(Staged& s, bool may_replace) {
    if (!may_replace) {
        if (::link(s.tmp.c_str(), s.target.c_str()) == 0) {
            ::unlink(s.tmp.c_str());
            s.tmp.clear();
            s.placed = true;
            return;
        }
        if (errno == EEXIST) throw std::runtime_error(s.target.string() + " exists already");
        if (!has_no_hard_links(errno)) cannot_write(s.target, errno);
        struct stat st {};
        if (::lstat(s.target.c_str(), &st) == 0) throw std::runtime_error(s.target.string() + " exists already");
    } else {
        struct stat st {};
        if (::lstat(s.target.c_str(), &st) == 0) {
            fs::path keep = scratch_name(s.target, "old");
            if (::link(s.target.c_str(), keep.c_str()) == 0) s.previous = keep;
            else if (!has_no_hard_links(errno)) cannot_write(s.target, errno);
        }
    }
    if (::rename(s.tmp.c_str(), s.target.c_str()) != 0) cannot_write(s.target, errno);
    s.tmp.clear();
    s.placed = true;
}

// Takes back what a failed commit did, newest first.
void undo(std::vector<Staged>& staged, const std::vector<fs::path>& folders) {
    for (auto it = staged.rbegin(); it != staged.rend(); ++it) {
        if (!it->tmp.empty()) ::unlink(it->tmp.c_str());
        if (it->placed) {
            if (!it->previous.empty()) ::rename(it->previous.c_str(), it->target.c_str());
            else ::unlink(it->target.c_str());
        } else if (!it->previous.empty()) {
            ::unlink(it->previous.c_str());
        }
    }
    for (auto it = folders.rbegin(); it != folders.rend(); ++it) ::rmdir(it->c_str());
}

}  // namespace

void FileSet::commit() {
    std::vector<fs::path> folders;
    std::vector<Staged> staged;
    staged.reserve(files_.size());
    try {
        for (const auto& f : files_) {
            create_folders(f.path.parent_path(), folders);
            staged.push_back({f.path, {}, {}, false});
            write_temporary(f.path, f.text, staged.back().tmp);
        }
        for (std::size_t i = 0; i < files_.size(); ++i) place(staged[i], files_[i].may_replace);
    } catch (...) {
        undo(staged, folders);
        throw;
    }
    std::set<fs::path> dirs;
    for (const auto& s : staged) {
        if (!s.previous.empty()) ::unlink(s.previous.c_str());
        dirs.insert(s.target.parent_path());
    }
    for (const auto& d : dirs) sync_folder(d);
}

}  // namespace schema

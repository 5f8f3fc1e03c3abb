// Backups before a run: SQLite's online backup API copies a consistent
// snapshot page by page while holding a read lock, so the copy is never torn.
//
// Naming. Several databases may share one backup folder (`--backup-dir`, a
// fleet), including databases with the same file name in different folders, or
// names that extend one another (app.db, app.db.eu). A copy is named
//     <file name>.<id>.<UTC time>.<label>.db
// where <id> is derived from the database's absolute path, and pruning keeps
// only names that parse exactly that way for this database: never a prefix
// match, so no database prunes another's copies.
//
// Permissions. A copy holds every row of its database, so it is created no more
// readable than the database file (and a folder made for it no more open).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "schema/migrate.hpp"

namespace schema::migrate {

namespace {

std::string file_safe(const std::string& label) {
    std::string out;
    for (char c : label) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '-';
    return out.empty() ? "copy" : out;
}

// "<file name>.<8 hex digits of the absolute path's SHA-256>."
std::string copy_prefix(const fs::path& db_path) {
    std::error_code ec;
    fs::path absolute = fs::weakly_canonical(fs::absolute(db_path), ec);
    if (ec) absolute = fs::absolute(db_path).lexically_normal();
    return db_path.filename().string() + "." + sha256_hex(absolute.string()).substr(0, 8) + ".";
}

// 20261122T013015.177Z, as utc_now_compact() writes it.
bool is_compact_time(std::string_view s) {
    if (s.size() != 20 || s[8] != 'T' || s[15] != '.' || s[19] != 'Z') return false;
    for (std::size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 16, 17, 18})
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
}

// Whether `name` is one of this database's copies: prefix, time, '.', a label of
// [A-Za-z0-9_-], then `suffix` (".db", or ".db.partial" for an unfinished one).
bool is_copy_of(const std::string& name, const std::string& prefix, std::string_view suffix) {
    if (name.size() < prefix.size() + 20 + 1 + 1 + suffix.size()) return false;
    if (name.compare(0, prefix.size(), prefix) != 0) return false;
    if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
    std::string_view rest(name);
    rest = rest.substr(prefix.size(), rest.size() - prefix.size() - suffix.size());
    if (!is_compact_time(rest.substr(0, 20)) || rest[20] != '.') return false;
    std::string_view label = rest.substr(21);
    return !label.empty() && std::all_of(label.begin(), label.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
}

// The database file's permission bits (0600 when it cannot be read: the safe side).
mode_t database_mode(const fs::path& db_path) {
    struct stat st {};
    if (::stat(db_path.c_str(), &st) != 0) return 0600;
    return st.st_mode & 0777;
}

// A folder for copies of a database with `mode`: search permission wherever it
// may be read (0600 → 0700, 0640 → 0750, 0644 → 0755). An existing folder is
// left as its owner set it.
void make_folder(const fs::path& dir, mode_t file_mode) {
    if (fs::exists(dir)) return;
    if (dir.has_parent_path() && !dir.parent_path().empty()) fs::create_directories(dir.parent_path());
    mode_t dir_mode = file_mode | 0700;
    if (file_mode & 0040) dir_mode |= 0010;
    if (file_mode & 0004) dir_mode |= 0001;
    if (::mkdir(dir.c_str(), dir_mode) != 0 && errno != EEXIST)
        throw sqlite::Error(SQLITE_CANTOPEN,
                            fmt::format("cannot create the backup folder {}: {}", dir.string(), std::strerror(errno)));
}

// Creates `path` exclusively with `mode` (never through a link), for SQLite to
// fill: the copy is never, even for a moment, more readable than the database.
void create_exclusively(const fs::path& path, mode_t mode) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        throw sqlite::Error(SQLITE_CANTOPEN,
                            fmt::format("cannot create the backup {}: {}", path.string(), std::strerror(errno)));
    ::fchmod(fd, mode);  // open() applied the umask, which may only narrow it; make it exact
    ::close(fd);
}

void copy_database(sqlite::Database& db, const fs::path& db_path, const fs::path& partial,
                   const std::function<void(double)>& progress) {
    sqlite3* dest = nullptr;
    if (sqlite3_open_v2(partial.c_str(), &dest, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        std::string msg = dest ? sqlite3_errmsg(dest) : "out of memory";
        sqlite3_close(dest);
        throw sqlite::Error(SQLITE_CANTOPEN, "cannot write the backup " + partial.string() + ": " + msg);
    }
    sqlite3_backup* copy = sqlite3_backup_init(dest, "main", db.get(), "main");
    int rc = copy ? SQLITE_OK : sqlite3_errcode(dest);
    // In steps of 1,024 pages (4 MB at the default page size), so that a large
    // database shows how far its copy is; the source is read under one lock
    // all the same (the runner holds the write lock meanwhile).
    while (copy && (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)) {
        rc = sqlite3_backup_step(copy, progress ? 1024 : -1);
        const int total = sqlite3_backup_pagecount(copy);
        if (progress && total > 0) progress(double(total - sqlite3_backup_remaining(copy)) / total);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(10);
    }
    if (copy) sqlite3_backup_finish(copy);
    std::string msg = sqlite3_errmsg(dest);
    sqlite3_close(dest);
    if (rc != SQLITE_DONE)
        throw sqlite::Error(rc, "backup of " + db_path.string() + " to " + partial.string() + " failed: " + msg);
}

// Keeps the newest `keep` copies of this database in `dir` (names sort by time)
// and removes its unfinished copies left by a run that was killed: the runner
// takes a backup while it holds the database's write lock, so no other run can be
// writing one of this database's copies now.
void prune(const fs::path& dir, const std::string& prefix, int keep) {
    std::vector<fs::path> copies;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (is_copy_of(name, prefix, ".db.partial")) fs::remove(e.path(), ec);
        else if (is_copy_of(name, prefix, ".db")) copies.push_back(e.path());
    }
    std::sort(copies.begin(), copies.end());
    for (std::size_t i = 0; i + std::size_t(std::max(keep, 1)) < copies.size(); ++i) fs::remove(copies[i], ec);
}

}  // namespace

fs::path backup_database(sqlite::Database& db, const fs::path& db_path, const BackupOptions& options,
                         const std::string& label, const std::function<void(double)>& progress) {
    const fs::path dir = options.dir.empty() ? db_path.parent_path() / "backups" : options.dir;
    const mode_t mode = database_mode(db_path);
    make_folder(dir, mode);
    const std::string prefix = copy_prefix(db_path);
    const fs::path target = dir / (prefix + utc_now_compact() + "." + file_safe(label) + ".db");
    fs::path partial = target;
    partial += ".partial";

    create_exclusively(partial, mode);
    try {
        copy_database(db, db_path, partial, progress);
        fs::rename(partial, target);
    } catch (...) {
        std::error_code ec;
        fs::remove(partial, ec);
        throw;
    }
    prune(dir, prefix, options.keep);
    return target;
}

}  // namespace schema::migrate

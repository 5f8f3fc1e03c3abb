// Backups before a run: SQLite's online backup API copies a consistent
// snapshot page by page while holding a read lock, so the copy is never torn.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "schema/migrate.hpp"

namespace schema::migrate {

namespace {

std::string file_safe(const std::string& label) {
    std::string out;
    for (char c : label) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '-';
    return out;
}

}  // namespace

fs::path backup_database(sqlite::Database& db, const fs::path& db_path, const BackupOptions& options,
                         const std::string& label) {
    fs::path dir = options.dir.empty() ? db_path.parent_path() / "backups" : options.dir;
    fs::create_directories(dir);
    const std::string prefix = db_path.filename().string() + ".";
    fs::path target = dir / (prefix + utc_now_compact() + "." + file_safe(label) + ".db");
    fs::path partial = target;
    partial += ".partial";

    sqlite3* dest = nullptr;
    if (sqlite3_open(partial.c_str(), &dest) != SQLITE_OK) {
        std::string msg = sqlite3_errmsg(dest);
        sqlite3_close(dest);
        throw sqlite::Error(SQLITE_CANTOPEN, "cannot write the backup " + partial.string() + ": " + msg);
    }
    sqlite3_backup* copy = sqlite3_backup_init(dest, "main", db.get(), "main");
    int rc = copy ? sqlite3_backup_step(copy, -1) : sqlite3_errcode(dest);
    if (copy) sqlite3_backup_finish(copy);
    if (rc != SQLITE_DONE) {
        std::string msg = sqlite3_errmsg(dest);
        sqlite3_close(dest);
        fs::remove(partial);
        throw sqlite::Error(rc, "backup of " + db_path.string() + " failed: " + msg);
    }
    sqlite3_close(dest);
    fs::rename(partial, target);

    // Keep the newest copies of this database (names sort by time).
    std::vector<fs::path> copies;
    for (auto& e : fs::directory_iterator(dir)) {
        std::string f = e.path().filename().string();
        if (f.rfind(prefix, 0) == 0 && e.path().extension() == ".db") copies.push_back(e.path());
    }
    std::sort(copies.begin(), copies.end());
    for (std::size_t i = 0; i + std::size_t(std::max(options.keep, 1)) < copies.size(); ++i) fs::remove(copies[i]);
    return target;
}

}  // namespace schema::migrate

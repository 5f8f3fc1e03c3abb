// The tracking table: one row per applied migration, written in the same
// transaction as the migration itself.
#include <fmt/format.h>

#include <chrono>
#include <ctime>

#include "schema/migrate.hpp"

namespace schema::migrate {

namespace {
std::string utc_now(const char* format) {
    auto now = std::chrono::system_clock::now();
    auto secs = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, format, &tm);
    return fmt::format("{}.{:03}Z", buf, ms);
}
}  // namespace

std::string utc_now_iso8601() { return utc_now("%Y-%m-%dT%H:%M:%S"); }
std::string utc_now_compact() { return utc_now("%Y%m%dT%H%M%S"); }

bool Tracker::exists() const {
    auto st = db_.prepare("SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE");
    st.bind(1, table_);
    return st.step();
}

void Tracker::create() {
    db_.exec(fmt::format(
        "CREATE TABLE IF NOT EXISTS {} (\n"
        "  version INTEGER PRIMARY KEY,\n"
        "  name TEXT NOT NULL,\n"
        "  checksum TEXT NOT NULL,\n"
        "  rollback_checksum TEXT,\n"
        "  applied_at TEXT NOT NULL,\n"
        "  execution_time_ms INTEGER NOT NULL,\n"
        "  applied_by TEXT NOT NULL,\n"
        "  hostname TEXT\n"
        ")",
        sqlite::quote(table_)));
}

std::vector<Applied> Tracker::applied() const {
    std::vector<Applied> out;
    if (!exists()) return out;
    // Another tool's history table of the same name: say so, do not misread it.
    for (const char* column : {"version", "name", "checksum", "applied_at", "execution_time_ms"}) {
        auto st = db_.prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2");
        st.bind(1, table_).bind(2, std::string_view(column));
        if (!st.step())
            throw HistoryError(fmt::format(
                "table {} exists but is not schema's tracking table (it has no column {}); it looks like another "
                "tool's history. Keep ours under another name (--table NAME), then record what is already applied "
                "with `schema baseline N`",
                table_, column));
    }
    auto st = db_.prepare(fmt::format(
        "SELECT version, name, checksum, rollback_checksum, applied_at, execution_time_ms, applied_by, hostname "
        "FROM {} ORDER BY version",
        sqlite::quote(table_)));
    while (st.step())
        out.push_back({st.integer(0), st.text(1), st.text(2), st.text(3), st.text(4), st.integer(5), st.text(6),
                       st.text(7)});
    return out;
}

bool Tracker::is_applied(std::int64_t version) const {
    if (!exists()) return false;
    auto st = db_.prepare(fmt::format("SELECT 1 FROM {} WHERE version = ?1", sqlite::quote(table_)));
    st.bind(1, version);
    return st.step();
}

void Tracker::insert(const Applied& a) {
    auto st = db_.prepare(fmt::format(
        "INSERT INTO {} (version, name, checksum, rollback_checksum, applied_at, execution_time_ms, applied_by, "
        "hostname) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        sqlite::quote(table_)));
    st.bind(1, a.version).bind(2, a.name).bind(3, a.checksum);
    if (a.rollback_checksum.empty()) st.bind_null(4);
    else st.bind(4, a.rollback_checksum);
    st.bind(5, a.applied_at).bind(6, a.execution_time_ms).bind(7, a.applied_by).bind(8, a.hostname);
    st.step();
}

void Tracker::erase(std::int64_t version) {
    auto st = db_.prepare(fmt::format("DELETE FROM {} WHERE version = ?1", sqlite::quote(table_)));
    st.bind(1, version);
    st.step();
}

}  // namespace schema::migrate

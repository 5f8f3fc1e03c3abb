// The tracking table: one row per applied migration, written in the same
// transaction as the migration itself.
#include <fmt/format.h>

#include <chrono>
#include <map>
#include <set>
#include <ctime>

#include "schema/migrate.hpp"

namespace schema::migrate {

namespace {
// wrangler records CURRENT_TIMESTAMP ("2026-12-03 05:45:16", UTC); the runner
// ISO 8601 with milliseconds. wrangler's times are read in the runner's format,
// so that one history shows one format (as written when it is not a time).
constexpr const char* kWranglerTime = "coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', applied_at), applied_at)";
}  // namespace

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

bool Tracker::table_exists(const std::string& name) const {
    auto st = db_.prepare("SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE");
    st.bind(1, name);
    return st.step();
}

bool Tracker::shared() const { return tables_.d1 || table_exists(tables_.wrangler); }

Tracker::Presence Tracker::presence() const {
    Presence p;
    auto st = db_.prepare(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name COLLATE NOCASE IN (?1, ?2)");
    st.bind(1, tables_.table).bind(2, tables_.wrangler);
    while (st.step()) {
        const std::string name = st.text(0);
        if (iequals(name, tables_.table)) p.own = true;
        if (iequals(name, tables_.wrangler)) p.wrangler = true;
    }
    return p;
}

void Tracker::create() { create(presence()); }

void Tracker::create(const Presence& present) {
    if (present.own && (present.wrangler || !tables_.d1)) return;  // nothing to create: no statement to compile
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
        sqlite::quote(tables_.table)));
    // The table as wrangler creates it, so that either tool may come first.
    if (tables_.d1)
        db_.exec(fmt::format("CREATE TABLE IF NOT EXISTS {} (\n"
                             "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
                             "  name TEXT UNIQUE,\n"
                             "  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n"
                             ")",
                             sqlite::quote(tables_.wrangler)));
}

std::vector<Applied> Tracker::own_rows() const {
    std::vector<Applied> out;
    // Another tool's history table of the same name: say so, do not misread it.
    std::set<std::string> columns;
    auto info = db_.prepare("SELECT name FROM pragma_table_info(?1)");
    info.bind(1, tables_.table);
    while (info.step()) columns.insert(info.text(0));
    for (const char* column : {"version", "name", "checksum", "applied_at", "execution_time_ms"}) {
        if (!columns.count(column))
            throw HistoryError(fmt::format(
                "table {} exists but is not schema's tracking table (it has no column {}); it looks like another "
                "tool's history. Keep ours under another name (--table NAME), then record what is already applied "
                "with `schema baseline N`",
                tables_.table, column));
    }
    auto st = db_.prepare(fmt::format(
        "SELECT version, name, checksum, rollback_checksum, applied_at, execution_time_ms, applied_by, hostname "
        "FROM {} ORDER BY version",
        sqlite::quote(tables_.table)));
    while (st.step())
        out.push_back({st.integer(0), st.text(1), st.text(2), st.text(3), st.text(4), st.integer(5), st.text(6),
                       st.text(7), {}});
    return out;
}

namespace {

std::string stem_after_number(const std::string& file) {
    std::string stem = fs::path(file).stem().string();
    auto us = stem.find('_');
    return us == std::string::npos ? stem : stem.substr(us + 1);
}

}  // namespace

std::vector<Applied> Tracker::applied(const Directory& dir) const {
    const Presence present = presence();
    std::vector<Applied> own = present.own ? own_rows() : std::vector<Applied>();
    if (!present.wrangler) return own;
    std::map<std::string, const Migration*> by_file;
    for (const auto& m : dir.migrations) by_file.emplace(m.up_path.filename().string(), &m);
    std::map<std::int64_t, Applied> by_version;
    for (auto& a : own) by_version.emplace(a.version, std::move(a));

    auto st = db_.prepare(fmt::format("SELECT name, {} FROM {} ORDER BY id", kWranglerTime, sqlite::quote(tables_.wrangler)));
    while (st.step()) {
        const std::string file = st.text(0);
        auto it = by_file.find(file);
        // A row for a file without a number is not a version (unnumbered_files()).
        auto version = it != by_file.end() ? std::optional(it->second->version) : version_of_file(file);
        if (!version) continue;
        Applied a;
        a.version = *version;
        a.name = it != by_file.end() ? it->second->name : stem_after_number(file);
        a.applied_at = st.text(1);
        a.applied_by = kAppliedByWrangler;
        // Our row of the same migration, when schema applied (or adopted) it: its checksums.
        if (auto o = by_version.find(a.version); o != by_version.end()) {
            o->second.file = file;
            continue;
        }
        a.file = file;
        by_version.emplace(a.version, std::move(a));
    }
    std::vector<Applied> out;
    for (auto& [v, a] : by_version) out.push_back(std::move(a));
    return out;
}

std::vector<std::pair<std::string, std::string>> Tracker::wrangler_unnumbered() const {
    std::vector<std::pair<std::string, std::string>> out;
    if (!table_exists(tables_.wrangler)) return out;
    auto st = db_.prepare(fmt::format("SELECT name, {} FROM {} ORDER BY id", kWranglerTime, sqlite::quote(tables_.wrangler)));
    while (st.step())
        if (!version_of_file(st.text(0))) out.emplace_back(st.text(0), st.text(1));
    return out;
}

bool Tracker::is_applied(const Migration& m) const { return is_applied(m, presence()); }

bool Tracker::is_applied(const Migration& m, const Presence& present) const {
    if (present.own) {
        auto st = db_.prepare(fmt::format("SELECT 1 FROM {} WHERE version = ?1", sqlite::quote(tables_.table)));
        st.bind(1, m.version);
        if (st.step()) return true;
    }
    if (!present.wrangler) return false;
    auto st = db_.prepare(fmt::format("SELECT 1 FROM {} WHERE name = ?1", sqlite::quote(tables_.wrangler)));
    st.bind(1, m.up_path.filename().string());
    return st.step();
}

void Tracker::insert_own(const Applied& a) {
    auto st = db_.prepare(fmt::format(
        "INSERT INTO {} (version, name, checksum, rollback_checksum, applied_at, execution_time_ms, applied_by, "
        "hostname) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        sqlite::quote(tables_.table)));
    st.bind(1, a.version).bind(2, a.name).bind(3, a.checksum);
    if (a.rollback_checksum.empty()) st.bind_null(4);
    else st.bind(4, a.rollback_checksum);
    st.bind(5, a.applied_at).bind(6, a.execution_time_ms).bind(7, a.applied_by).bind(8, a.hostname);
    st.step();
}

void Tracker::insert_wrangler(const Migration& m) {
    auto w = db_.prepare(fmt::format("INSERT INTO {} (name) VALUES (?1)", sqlite::quote(tables_.wrangler)));
    w.bind(1, m.up_path.filename().string());
    w.step();
}

void Tracker::insert(const Migration& m, const Applied& a) {
    insert_own(a);
    if (shared()) insert_wrangler(m);
}

void Tracker::erase(const Migration& m) {
    auto st = db_.prepare(fmt::format("DELETE FROM {} WHERE version = ?1", sqlite::quote(tables_.table)));
    st.bind(1, m.version);
    st.step();
    if (shared()) {
        auto w = db_.prepare(fmt::format("DELETE FROM {} WHERE name = ?1", sqlite::quote(tables_.wrangler)));
        w.bind(1, m.up_path.filename().string());
        w.step();
    }
}

void Tracker::record_checksums(const Migration& m) {
    auto st = db_.prepare(fmt::format("UPDATE {} SET checksum = ?2, rollback_checksum = ?3 WHERE version = ?1",
                                      sqlite::quote(tables_.table)));
    st.bind(1, m.version).bind(2, m.checksum);
    if (m.down_checksum.empty()) st.bind_null(3);
    else st.bind(3, m.down_checksum);
    st.step();
}

}  // namespace schema::migrate

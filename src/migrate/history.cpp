// The applied history against the files: status and validation.
#include <fmt/format.h>

#include <map>
#include <optional>

#include "schema/migrate.hpp"

namespace schema::migrate {

const char* state_name(MigrationState::Kind k) {
    switch (k) {
        case MigrationState::applied: return "applied";
        case MigrationState::pending: return "pending";
        case MigrationState::modified: return "modified";
        case MigrationState::missing: return "missing";
    }
    return "";
}

std::vector<MigrationState> states(const Directory& dir, const std::vector<Applied>& applied) {
    std::map<std::int64_t, MigrationState> by_version;
    for (const auto& m : dir.migrations)
        by_version[m.version] = {MigrationState::pending, m.version, m.name, m.up_path.string(), nullptr};
    for (const auto& a : applied) {
        auto it = by_version.find(a.version);
        if (it == by_version.end()) {
            by_version[a.version] = {MigrationState::missing, a.version, a.name, {}, &a};
            continue;
        }
        it->second.record = &a;
        const Migration& m = *dir.find(a.version);
        // Applied by wrangler, which keeps no checksum: nothing to compare. Renamed
        // since wrangler recorded it: wrangler would apply it again.
        bool renamed = !a.file.empty() && a.file != m.up_path.filename().string();
        bool edited = !a.checksum.empty() && m.checksum != a.checksum;
        it->second.kind = renamed || edited ? MigrationState::modified : MigrationState::applied;
    }
    std::vector<MigrationState> out;
    for (auto& [v, s] : by_version) out.push_back(std::move(s));
    return out;
}

std::vector<const Applied*> rollback_targets(const std::vector<Applied>& applied, const RollbackOptions& options) {
    std::vector<const Applied*> out;
    for (auto it = applied.rbegin(); it != applied.rend(); ++it) {
        if (options.to ? it->version <= *options.to : int(out.size()) >= options.steps.value_or(1)) break;
        out.push_back(&*it);
    }
    return out;
}

std::vector<Unnumbered> unnumbered_files(sqlite::Database* db, const HistoryTables& tables, const Directory& dir) {
    std::optional<Tracker> tracker;
    if (db) tracker.emplace(*db, tables);
    if (!(tracker ? tracker->shared() : tables.d1)) return {};
    std::map<std::string, Unnumbered> by_name;
    for (const auto& path : dir.unnumbered) {
        std::string name = path.filename().string();
        by_name[name] = {name, path, {}};
    }
    if (tracker)
        for (auto& [name, applied_at] : tracker->wrangler_unnumbered()) {
            auto& u = by_name[name];
            u.file = name;
            u.applied_at = applied_at;
        }
    std::vector<Unnumbered> out;
    for (auto& [name, u] : by_name) out.push_back(std::move(u));
    return out;
}

std::string unnumbered_message(const Unnumbered& u, const Directory& dir) {
    const std::string where = dir.root.string();
    if (u.path.empty())
        return fmt::format("{}: applied by wrangler at {} (d1_migrations) and gone from {} since; it has no version "
                           "number, so it was never part of schema's history, and wrangler runs only files it has "
                           "no row for: nothing to do",
                           u.file, u.applied_at, where);
    if (!u.applied_at.empty())
        return fmt::format("{}: has no version number, so schema does not run it; wrangler runs every .sql file of "
                           "{} and applied it at {} (d1_migrations), and will not run it again. Nothing to do; to "
                           "keep it out of the history, move it out of {} (wrangler keeps its row)",
                           u.path.string(), where, u.applied_at, where);
    return fmt::format("{}: has no version number, so schema does not run it, but wrangler runs every .sql file of "
                       "{} and `wrangler d1 migrations apply` would: the two histories would part. Number it after "
                       "the last migration ({}, its rollback in rollback/), or move it out of {}",
                       u.path.string(), where,
                       dir.paths_for(dir.next_version(), u.path.stem().string()).first.filename().string(), where);
}

std::vector<std::string> validate(const Directory& dir, const std::vector<Applied>* applied,
                                  const std::vector<Unnumbered>& wrangler_files,
                                  std::vector<std::string>* missing_rollbacks) {
    std::vector<std::string> out = dir.problems;
    // Without wrangler, a file without a number is just not a migration.
    if (wrangler_files.empty())
        for (const auto& path : dir.unnumbered)
            out.push_back(path.string() + ": not in the layout " + layout_name(dir.layout));
    for (const auto& u : wrangler_files)
        if (u.blocks()) out.push_back(unnumbered_message(u, dir));
    for (std::size_t i = 1; i < dir.migrations.size(); ++i) {
        const auto& prev = dir.migrations[i - 1];
        const auto& cur = dir.migrations[i];
        if (cur.version != prev.version + 1)
            out.push_back(fmt::format("gap: no migration numbered {} between {} and {}", prev.version + 1,
                                      prev.label(), cur.label()));
    }
    for (const auto& m : dir.migrations) {
        if (!m.down_path)
            (missing_rollbacks ? *missing_rollbacks : out)
                .push_back(fmt::format("{}: no rollback file", m.up_path.string()));
        // What apply would refuse to run: SQLite would not read the file to its end.
        if (!m.up_script.fully_readable())
            out.push_back(fmt::format("{}:{}: {}", m.up_path.string(), m.up_script.unread_line,
                                      sqlite::unreadable_message()));
        if (m.down_path && !m.down_script.fully_readable())
            out.push_back(fmt::format("{}:{}: {}", m.down_path->string(), m.down_script.unread_line,
                                      sqlite::unreadable_message()));
    }
    if (applied) {
        std::int64_t last_applied = applied->empty() ? 0 : applied->back().version;
        for (const auto& s : states(dir, *applied)) {
            if (s.kind == MigrationState::modified && !s.record->file.empty() &&
                s.record->file != fs::path(s.file).filename().string())
                out.push_back(fmt::format("{}: applied as {} (wrangler's d1_migrations) and renamed since; wrangler "
                                          "would apply it again: restore its name",
                                          s.file, s.record->file));
            else if (s.kind == MigrationState::modified)
                out.push_back(fmt::format("{}: edited after it was applied (checksum differs from the one recorded "
                                          "at {})",
                                          s.file, s.record->applied_at));
            if (s.kind == MigrationState::missing)
                out.push_back(fmt::format("migration {} ({}) was applied at {} but its file is gone", s.version,
                                          s.name, s.record->applied_at));
            if (s.kind == MigrationState::pending && s.version < last_applied)
                out.push_back(fmt::format("{}: pending, but numbered below {}, which is applied", s.file,
                                          last_applied));
        }
    }
    return out;
}

namespace {

// Reads the first page, where a read-only connection finds a hot journal.
void touch(sqlite::Database& db) { db.query_int("SELECT count(*) FROM main.sqlite_master"); }

}  // namespace

sqlite::Database open_to_read(const fs::path& path, int busy_timeout_ms) {
    auto open = [&](sqlite::Database::Mode mode) {
        auto db = sqlite::Database::open(path.string(), mode);
        db.busy_timeout(busy_timeout_ms);
        touch(db);
        return db;
    };
    try {
        return open(sqlite::Database::Mode::read_only);
    } catch (const sqlite::Error& e) {
        if (e.code() != SQLITE_READONLY_ROLLBACK) throw;
    }
    try {
        open(sqlite::Database::Mode::read_write);  // rolls the interrupted write back
    } catch (const sqlite::Error& e) {
        throw sqlite::Error(e.code(), fmt::format("{}: a write to it was interrupted (a crash, a kill, a full disk) and "
                                                  "its journal {}-journal must be rolled back before it can be read, "
                                                  "which needs write access ({}). Run this with write access, or "
                                                  "`schema apply`, which rolls it back first",
                                                  path.string(), path.filename().string(), e.what()));
    }
    return open(sqlite::Database::Mode::read_only);
}

std::vector<Applied> recorded_history(sqlite::Database& db, const HistoryTables& tables, const Directory& dir) {
    return Tracker(db, tables).applied(dir);
}

}  // namespace schema::migrate

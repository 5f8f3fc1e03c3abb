// The applied history against the files: status and validation.
#include <fmt/format.h>

#include <map>

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

std::vector<std::string> validate(const Directory& dir, const std::vector<Applied>* applied) {
    std::vector<std::string> out = dir.problems;
    for (std::size_t i = 1; i < dir.migrations.size(); ++i) {
        const auto& prev = dir.migrations[i - 1];
        const auto& cur = dir.migrations[i];
        if (cur.version != prev.version + 1)
            out.push_back(fmt::format("gap: no migration numbered {} between {} and {}", prev.version + 1,
                                      prev.label(), cur.label()));
    }
    for (const auto& m : dir.migrations) {
        if (!m.down_path) out.push_back(fmt::format("{}: no rollback file", m.up_path.string()));
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

std::vector<Applied> recorded_history(sqlite::Database& db, const HistoryTables& tables, const Directory& dir) {
    return Tracker(db, tables).applied(dir);
}

}  // namespace schema::migrate

// schema repair: re-recording the checksums of applied migrations edited on
// purpose, once the edit is shown not to change the schema they produce.
#include "schema/repair.hpp"

#include <fmt/format.h>

#include <map>

#include "schema/inspect.hpp"

namespace schema {

namespace {

void replay_text(sqlite::Database& db, const std::string& sql, const std::string& file) {
    replay_on_shadow(db, sql, file);
}

Schema inspect_shadow(sqlite::Database& db, const std::string& origin) {
    InspectOptions io;
    io.origin = origin;
    return inspect(db, io);
}

// A fresh shadow with the applied migrations before `m` replayed, as their files read now.
sqlite::Database shadow_before(const migrate::Migration& m, const std::vector<const migrate::Migration*>& applied) {
    auto db = sqlite::Database::memory();
    for (const auto* before : applied)
        if (before->version < m.version) replay_text(db, before->up_sql, before->up_path.string());
    return db;
}

std::vector<std::string> differences(const Schema& from, const Schema& to) {
    std::vector<std::string> out;
    for (const auto& c : diff(from, to, {}).changes) {
        out.push_back(describe(c));
        if (const auto* t = std::get_if<ModifyTable>(&c))
            for (const auto& tc : t->changes) out.push_back("    " + describe(tc, t->to));
    }
    return out;
}

// The sha256 of a text as the runner computes a file's checksum.
bool has_checksum(const std::string& text, const std::string& checksum) {
    return migrate::sha256_hex(text) == checksum;
}

void prove(RepairFinding& f, const Target& target, const std::vector<const migrate::Migration*>& applied) {
    const migrate::Migration& m = *f.migration;
    if (f.forward_edited) {
        if (f.applied_up) {
            auto before = shadow_before(m, applied);
            auto old_db = shadow_before(m, applied);
            replay_text(old_db, f.applied_up->text, m.up_path.string() + " (as applied)");
            auto new_db = std::move(before);
            replay_text(new_db, m.up_sql, m.up_path.string());
            f.schema_changes = differences(inspect_shadow(old_db, "the file as applied"),
                                           inspect_shadow(new_db, m.up_path.string()));
            f.compared = fmt::format("the schema it produces, against the text applied (commit {})",
                                     f.applied_up->commit.substr(0, 12));
        } else {
            // Without the old text: every applied file, as they read now, must
            // still produce what the database has.
            auto db = sqlite::Database::memory();
            for (const auto* a : applied) replay_text(db, a->up_sql, a->up_path.string());
            auto live_db = migrate::open_to_read(target.db, target.busy_timeout_ms);
            f.schema_changes = differences(inspect_live(live_db, target),
                                           inspect_shadow(db, "the applied migrations as they read now"));
            f.compared = "the schema the applied migrations produce now, against the database (the text "
                         "applied is not in git's history)";
        }
    }
    if (f.rollback_edited && f.schema_changes.empty() && m.down_path) {
        auto after = shadow_before(m, applied);
        replay_text(after, m.up_sql, m.up_path.string());
        auto new_db = sqlite::Database::memory();
        Schema after_up = inspect_shadow(after, m.up_path.string());
        Schema expected;
        std::string how;
        if (f.applied_down) {
            auto old_db = build_shadow(after_up);
            replay_text(old_db, f.applied_down->text, m.down_path->string() + " (as applied)");
            expected = inspect_shadow(old_db, "the rollback as applied");
            how = fmt::format("against the rollback recorded (commit {})", f.applied_down->commit.substr(0, 12));
        } else {
            auto before = shadow_before(m, applied);
            expected = inspect_shadow(before, "the migrations before it");
            how = "against the schema before the migration (the rollback recorded is not in git's history)";
        }
        new_db = build_shadow(after_up);
        replay_text(new_db, m.down_sql, m.down_path->string());
        for (auto& d : differences(expected, inspect_shadow(new_db, m.down_path->string())))
            f.schema_changes.push_back("rollback: " + d);
        f.compared += (f.compared.empty() ? "the rollback's result, " : "; the rollback's result, ") + how;
    }
}

}  // namespace

std::vector<RepairFinding> find_repairs(const Target& target, const migrate::Directory& dir,
                                        const std::vector<std::int64_t>& versions) {
    dir.require_unique_versions();
    if (target.db.empty() || !std::filesystem::exists(target.db))
        throw migrate::HistoryError("the database " + target.db.string() + " does not exist: nothing is applied");
    std::vector<migrate::Applied> records;
    {
        auto db = migrate::open_to_read(target.db, target.busy_timeout_ms);
        records = migrate::recorded_history(db, target.history, dir);
    }
    std::map<std::int64_t, const migrate::Applied*> by_version;
    std::vector<const migrate::Migration*> applied;
    for (const auto& a : records) {
        by_version[a.version] = &a;
        if (const auto* m = dir.find(a.version)) applied.push_back(m);
    }
    for (auto v : versions) {
        if (!by_version.count(v))
            throw migrate::HistoryError(fmt::format("{} is not applied to {}: no checksum is recorded for it to "
                                                    "repair (a pending file runs as it reads)",
                                                    v, target.db.string()));
        if (!dir.find(v))
            throw migrate::HistoryError(fmt::format("{} is applied but its file is gone from {}: restore it first",
                                                    v, dir.root.string()));
    }
    std::vector<RepairFinding> out;
    for (const auto& a : records) {
        if (!versions.empty() && std::find(versions.begin(), versions.end(), a.version) == versions.end()) continue;
        const migrate::Migration* m = dir.find(a.version);
        if (!m || a.checksum.empty()) continue;  // gone (validate says so), or applied by wrangler (no checksum)
        RepairFinding f;
        f.migration = m;
        f.record = a;
        f.forward_edited = m->checksum != a.checksum;
        f.rollback_edited = !a.rollback_checksum.empty() && m->down_path && m->down_checksum != a.rollback_checksum;
        if (!f.forward_edited && !f.rollback_edited) continue;
        if (f.forward_edited) {
            f.applied_up = git::find_version(m->up_path, [&](const std::string& t) { return has_checksum(t, a.checksum); });
            if (f.applied_up) f.up_edit = git::diff_since(m->up_path, f.applied_up->commit);
        }
        if (f.rollback_edited) {
            f.applied_down = git::find_version(
                *m->down_path, [&](const std::string& t) { return has_checksum(t, a.rollback_checksum); });
            if (f.applied_down) f.down_edit = git::diff_since(*m->down_path, f.applied_down->commit);
        }
        prove(f, target, applied);
        out.push_back(std::move(f));
    }
    return out;
}

void record_repairs(const Target& target, const std::vector<RepairFinding>& findings) {
    auto db = sqlite::Database::open(target.db.string(), sqlite::Database::Mode::read_write);
    db.busy_timeout(target.busy_timeout_ms);
    migrate::Tracker tracker(db, target.history);
    db.exec("BEGIN IMMEDIATE");
    try {
        for (const auto& f : findings) tracker.record_checksums(*f.migration);
        db.exec("COMMIT");
    } catch (...) {
        db.exec("ROLLBACK");
        throw;
    }
}

}  // namespace schema

// The schema a new migration starts from: the live database, without its
// tracking tables, with the migrations it has not applied yet replayed on a
// shadow copy.
#include <fmt/format.h>

#include <set>

#include "schema/inspect.hpp"
#include "schema/pipeline.hpp"
#include "schema/timing.hpp"

namespace schema {

void replay_on_shadow(sqlite::Database& db, std::string_view sql, const std::string& file,
                      const sqlite::Script* script) {
    try {
        if (script) sqlite::run_script(db, sql, *script);
        else sqlite::run_script(db, sql);
    } catch (const sqlite::ScriptError& e) {
        throw InputError(std::vector<Diagnostic>{
            {SourcePos{file, e.line(), 1, 0},
             fmt::format("this migration does not apply on top of the ones before it: {}", e.what()),
             {},
             false}});
    }
}

namespace {

void replay(sqlite::Database& db, const migrate::Migration& m) {
    replay_on_shadow(db, m.up_sql, m.up_path.string(), &m.up_script);
}

}  // namespace

Schema inspect_live(sqlite::Database& db, const Target& target) {
    InspectOptions io;
    io.ignore_tables = {target.history.table, "d1_migrations", target.history.wrangler};
    io.origin = target.db.string();
    return inspect(db, io);
}

Baseline baseline(const Target& target, const migrate::Directory& dir) {
    dir.require_unique_versions();  // the replay would pick one of them
    Baseline b;
    Schema live;
    std::vector<migrate::Applied> applied;
    if (!target.db.empty() && std::filesystem::exists(target.db)) {
        b.database_exists = true;
        PhaseTimer t("inspect live database");
        b.live_db = migrate::open_to_read(target.db, target.busy_timeout_ms);
        live = inspect_live(b.live_db, target);
        applied = migrate::recorded_history(b.live_db, target.history, dir);
    }
    std::set<std::int64_t> done;
    for (const auto& a : applied) done.insert(a.version);
    for (const auto& m : dir.migrations)
        if (!done.count(m.version)) b.pending.push_back(&m);
    if (b.pending.empty()) {
        b.schema = std::move(live);
        return b;
    }
    PhaseTimer t("replay pending migrations");
    auto shadow = build_shadow(live);
    for (auto m : b.pending) replay(shadow, *m);
    InspectOptions io;
    io.origin = "the database with pending migrations";
    b.schema = inspect(shadow, io);
    return b;
}

Schema replay_all(const migrate::Directory& dir) {
    auto shadow = sqlite::Database::memory();
    for (const auto& m : dir.migrations) replay(shadow, m);
    InspectOptions io;
    io.origin = "replay of " + dir.root.string();
    return inspect(shadow, io);
}

}  // namespace schema

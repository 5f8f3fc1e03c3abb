#include "project.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <set>

#include "schema/files.hpp"
#include "schema/inspect.hpp"
#include "schema/timing.hpp"
#include "schema/verify.hpp"

namespace schema::cli {

namespace {

// Every entry under `dir` whose name ends in .sql, sorted, linked folders
// included. An unreadable folder is an error rather than a part of the schema
// silently left out.
std::vector<fs::path> schema_file_paths(const fs::path& dir) {
    std::vector<fs::path> paths;
    try {
        for (auto& e : fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink))
            if (e.path().extension() == ".sql") paths.push_back(e.path());
    } catch (const fs::filesystem_error& e) {
        throw InputError(fmt::format("cannot read {}: {}", e.path1().string(), e.code().message()));
    }
    std::sort(paths.begin(), paths.end());
    return paths;
}

}  // namespace

std::vector<SourceFile> read_schema_files(const fs::path& dir) {
    if (!fs::is_directory(dir)) throw InputError("schema directory " + dir.string() + " does not exist");
    std::vector<SourceFile> out;
    // A .sql name that is not a readable file (a dangling link, a folder, no
    // permission) is an error: read as nothing, its objects would be dropped.
    for (const auto& p : schema_file_paths(dir))
        out.push_back({p.lexically_normal().string(), std::string(without_utf8_bom(read_file(p)))});
    return out;
}

Schema parse_declared(const std::vector<SourceFile>& sources, Dialect dialect) {
    Schema s = parse_schema(sources);
    std::vector<Diagnostic> errors;
    auto problems = dangling_references(s);
    for (auto& d : dialect_problems(s, dialect)) problems.push_back(std::move(d));
    for (auto& d : unknown_module_warnings(s)) problems.push_back(std::move(d));
    for (auto& d : problems) {
        for (const auto& f : sources)
            if (f.path == d.pos.file) d.source_line = LineIndex(f.text).line_text(d.pos.line);
        if (d.warning) std::cerr << d.format() << "\n";
        else errors.push_back(std::move(d));
    }
    if (!errors.empty()) throw InputError(std::move(errors));
    return s;
}

namespace {

// Replays migrations on a shadow, statement by statement, naming the file and
// line of a statement SQLite refuses.
void replay(sqlite::Database& db, const migrate::Migration& m) {
    try {
        sqlite::run_script(db, m.up_sql, m.up_script);
    } catch (const sqlite::ScriptError& e) {
        throw InputError(fmt::format("{}:{}: this migration does not apply on top of the ones before it: {}",
                                     m.up_path.string(), e.line(), e.what()));
    }
}

}  // namespace

Schema inspect_live(sqlite::Database& db, const Project& p) {
    InspectOptions io;
    io.ignore_tables = {p.tracking_table, "d1_migrations", p.wrangler_table};
    io.origin = p.db.string();
    return inspect(db, io);
}

Baseline load_baseline(const Project& p, const migrate::Directory& dir) {
    dir.require_unique_versions();  // the replay would pick one of them
    Baseline b;
    Schema live;
    std::vector<migrate::Applied> applied;
    if (!p.db.empty() && fs::exists(p.db)) {
        b.database_exists = true;
        PhaseTimer t("inspect live database");
        b.live_db = migrate::open_to_read(p.db, p.busy_timeout_ms);
        live = inspect_live(b.live_db, p);
        applied = migrate::recorded_history(b.live_db, p.history(), dir);
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

Generated plan_pair(const Schema& from, const Schema& to, const PlanOptions& options, sqlite::Database* live) {
    Generated g;
    {
        PhaseTimer t("diff");
        g.diff = diff(from, to, Renames::declared_in(to));
    }
    if (g.diff.empty()) return g;
    {
        PhaseTimer t("plan forward and rollback");
        g.up = options.skip_violating_rows && live ? plan_skipping_violations(g.diff, from, to, *live)
                                                   : make_plan(g.diff, from, to, options);
        Diff back = diff(to, from, g.diff.inverse());
        g.down = make_plan(back, to, from);
    }
    return g;
}

void write_and_prove(Generated& g, const Schema& from, const Schema& to, const MigrationInfo& up_info,
                     const MigrationInfo& down_info, const std::vector<SourceFile>* sources) {
    g.up_text = migration_text(g.up, up_info);
    g.down_text = migration_text(g.down, down_info);
    PhaseTimer t("prove on shadow");
    prove(from, to, g.diff, g.up, g.down, {g.up_text, up_info.dialect}, {g.down_text, down_info.dialect}, sources);
}

}  // namespace schema::cli

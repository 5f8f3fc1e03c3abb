#include "project.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "schema/inspect.hpp"
#include "schema/timing.hpp"
#include "schema/verify.hpp"

namespace schema::cli {

std::vector<SourceFile> read_schema_files(const fs::path& dir) {
    if (!fs::is_directory(dir)) throw InputError("schema directory " + dir.string() + " does not exist");
    std::vector<fs::path> paths;
    for (auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".sql") paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    std::vector<SourceFile> out;
    for (const auto& p : paths) {
        std::ifstream in(p, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        out.push_back({p.lexically_normal().string(), ss.str()});
    }
    return out;
}

void write_file_atomically(const fs::path& path, const std::string& text) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    fs::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) throw std::runtime_error("cannot write " + tmp.string());
    }
    fs::rename(tmp, path);
}

Schema parse_declared(const std::vector<SourceFile>& sources, Dialect dialect) {
    Schema s = parse_schema(sources);
    std::vector<Diagnostic> errors;
    auto problems = dangling_references(s);
    for (auto& d : dialect_problems(s, dialect)) problems.push_back(std::move(d));
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
    Baseline b;
    Schema live;
    std::vector<migrate::Applied> applied;
    if (!p.db.empty() && fs::exists(p.db)) {
        b.database_exists = true;
        PhaseTimer t("inspect live database");
        b.live_db = sqlite::Database::open(p.db.string(), sqlite::Database::Mode::read_only);
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

Generated plan_pair(const Schema& from, const Schema& to, const PlanOptions& options) {
    Generated g;
    {
        PhaseTimer t("diff");
        g.diff = diff(from, to, Renames::declared_in(to));
    }
    if (g.diff.empty()) return g;
    {
        PhaseTimer t("plan forward and rollback");
        g.up = make_plan(g.diff, from, to, options);
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

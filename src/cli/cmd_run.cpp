// schema apply | rollback | baseline: the tracked runner.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "context.hpp"
#include "fleet.hpp"
#include "schema/d1.hpp"
#include "schema/migrator.hpp"
#include "schema/sum.hpp"

namespace schema::cli {

namespace {

struct RunOptions {
    std::optional<std::int64_t> to;
    std::optional<int> steps;
    std::int64_t baseline_version = 0;
    bool dry_run = false;
    bool no_backup = false;
};

enum class What { apply, rollback, baseline };

// --- D1 through wrangler (--remote, --local) ----------------------------------------

void say(Output& out, const Project& p, const char* event, const migrate::Migration* m, const std::string& text) {
    if (out.json()) {
        std::string name = event;  // "rolled back" -> "rolled_back", as the runner's events are named
        std::replace(name.begin(), name.end(), ' ', '_');
        nlohmann::json j{{"event", name}, {"database", p.db_label()}};
        if (m) j["version"] = m->version, j["name"] = m->name;
        if (!text.empty()) j["message"] = text;
        out.json_line(j);
    } else {
        std::cout << fmt::format("{:<12} {}\n", event, m ? fmt::format("{:04} {}{}", m->version, m->name,
                                                                          text.empty() ? "" : " " + text)
                                                          : text);
    }
}

// Before a change: Time Travel's bookmark (remote) or an export (local).
void backup_through_wrangler(const RunOptions& o, const Project& p, Output& out) {
    if (o.no_backup || !p.backups) return;
    const auto& w = *p.wrangler;
    const std::string b = d1::backup(w, p.backup_dir.empty() ? fs::path("backups") : p.backup_dir);
    say(out, p, "backup", nullptr,
        w.remote ? fmt::format("Time Travel bookmark {} (to restore: {} d1 time-travel restore {} --bookmark={})", b,
                               w.program, w.database, b)
                 : fmt::format("{} (wrangler d1 export)", b));
}

// Nothing to run, or --dry-run (each file's SQL printed): true when done here.
bool nothing_or_dry_run(const RunOptions& o, const Project& p, Output& out,
                        const std::vector<const migrate::Migration*>& migrations, bool forward) {
    if (migrations.empty()) {
        say(out, p, "up to date", nullptr, p.db_label() + (forward ? ": nothing to apply" : ": nothing to roll back"));
        return true;
    }
    if (!o.dry_run) return false;
    for (const auto* m : migrations) {
        say(out, p, forward ? "would apply" : "would roll back", m, "");
        const std::string& sql = forward ? m->up_sql : m->down_sql;
        if (!out.json()) std::cout << sql << (sql.empty() || sql.back() == '\n' ? "" : "\n");
    }
    return true;
}

int apply_through_wrangler(const RunOptions& o, const Project& p, Output& out) {
    const auto& w = *p.wrangler;
    auto dir = d1::load_checked(p.migrations_dir);
    auto pending = d1::pending(d1::read_history(w, p.history(), dir), dir, o.to);
    if (nothing_or_dry_run(o, p, out, pending, true)) return 0;
    backup_through_wrangler(o, p, out);
    d1::apply(w, p.history(), dir, pending, [&](const migrate::Migration& m) {
        say(out, p, "applied", &m, "(wrangler d1 migrations apply, " + w.where() + ")");
    });
    return 0;
}

int rollback_through_wrangler(const RunOptions& o, const Project& p, Output& out) {
    const auto& w = *p.wrangler;
    auto dir = d1::load_checked(p.migrations_dir);
    migrate::RollbackOptions options;
    options.to = o.to;
    options.steps = o.steps;
    // Every batch checked before the backup and before the first one runs.
    auto batches = d1::rollbacks(d1::read_history(w, p.history(), dir), dir, p.history(), options);
    std::vector<const migrate::Migration*> targets;
    for (const auto& b : batches) targets.push_back(b.migration);
    if (nothing_or_dry_run(o, p, out, targets, false)) return 0;
    backup_through_wrangler(o, p, out);
    for (const auto& batch : batches) {
        d1::roll_back(w, batch);
        say(out, p, "rolled back", batch.migration, "(one wrangler d1 execute batch, " + w.where() + ")");
    }
    return 0;
}

int run(const RunOptions& o, const Project& p, Output& out, What what) {
    if (p.wrangler) return what == What::apply ? apply_through_wrangler(o, p, out) : rollback_through_wrangler(o, p, out);
    auto dir = migrate::Directory::load(p.migrations_dir);
    // Before a database is created:
    dir.require_unique_versions();
    if (p.dialect == Dialect::d1) migrate::require_wrangler_layout(dir);
    const bool existed = fs::exists(p.db);
    if (what != What::apply && !existed) throw InputError("database " + p.db.string() + " does not exist");
    // A dry run creates nothing: a database that does not exist reads as an empty one.
    auto db = !existed && o.dry_run ? sqlite::Database::memory()
                                    : sqlite::Database::open(p.db.string(), sqlite::Database::Mode::create);
    migrate::stop_on_signals();  // Ctrl-C rolls the running migration back and says so
    // The embedding API, as an application would call it: the two cannot disagree.
    MigratorOptions options;
    options.table = p.tracking_table;
    options.wrangler_table = p.wrangler_table;
    options.dialect = p.dialect;
    options.busy_timeout_ms = p.busy_timeout_ms;
    options.backup = p.backups && !o.no_backup && existed;  // a new database has nothing to lose
    options.backup_dir = p.backup_dir;
    options.keep_backups = p.keep_backups;
    if (!o.dry_run || existed) options.file = p.db;
    options.on_event = event_printer(out, p);
    Migrator migrator(db.get(), MigrationSource::loaded(std::move(dir)), std::move(options));
    RunResult result;
    switch (what) {
        case What::apply: result = migrator.apply({o.to, o.dry_run}); break;
        case What::rollback: result = migrator.rollback({o.to, o.steps, o.dry_run}); break;
        case What::baseline: result = migrator.baseline(o.baseline_version); break;
    }
    if (result.error) std::rethrow_exception(result.error->exception);  // reported as every failure is
    return 0;
}

void add_backup_flag(CLI::App* cmd, RunOptions& o) {
    cmd->add_flag("--no-backup", o.no_backup, "do not copy the database to backups/ first");
}

}  // namespace

migrate::EventSink event_printer(Output& out, const Project& p) {
    return [&out, db = p.db.string()](const migrate::Event& e) {
        using K = migrate::Event::Kind;
        if (out.json()) {
            nlohmann::json j{{"event", migrate::event_name(e.kind)}, {"database", db}};
            if (e.version) j["version"] = e.version;
            if (!e.name.empty()) j["name"] = e.name;
            if (!e.file.empty()) j[e.kind == K::rows_copied ? "table" : "file"] = e.file;
            if (e.kind == K::applied || e.kind == K::rolled_back || e.kind == K::rows_copied) j["ms"] = e.ms;
            if (e.kind == K::rows_copied) j["rows"] = e.rows;
            if (e.kind == K::failed) j["line"] = e.line;
            if (e.kind == K::progress) {
                j["phase"] = e.phase;
                j["ms"] = e.ms;
                if (e.rows > 0) j["rows"] = e.rows;
                if (e.percent >= 0) j["percent"] = std::round(e.percent * 10) / 10;
                if (e.eta_ms >= 0) j["eta_ms"] = std::round(e.eta_ms);
                if (!e.file.empty()) j.erase("file"), j["table"] = e.file;
            }
            if (e.kind == K::would_apply || e.kind == K::would_roll_back) j["sql"] = e.message;
            else if (!e.message.empty()) j["message"] = e.message;
            out.json_line(j);
            return;
        }
        const std::string label = fmt::format("{:04} {}", e.version, e.name);
        auto clear_progress = [&] {
            if (out.stderr_is_terminal()) std::cerr << "\r\033[K" << std::flush;
        };
        switch (e.kind) {
            case K::started: break;
            case K::progress:
                if (out.stderr_is_terminal()) {
                    std::string what = e.phase == "backup" ? "backup" : label + " … " + e.phase;
                    if (!e.file.empty() && e.phase == "copy") what += " " + e.file;
                    if (e.rows > 0) what += fmt::format(" ({} rows)", thousands(e.rows));
                    if (e.percent >= 0) what += fmt::format(" {:.0f}%", e.percent);
                    if (e.eta_ms >= 0) what += fmt::format(", about {:.0f} s left", std::ceil(e.eta_ms / 1000.0));
                    std::cerr << fmt::format("\r\033[K  {} · {:.1f} s", what, e.ms / 1000.0) << std::flush;
                }
                break;
            case K::rows_copied:
                if (out.stderr_is_terminal() || e.ms >= 1000) {
                    clear_progress();
                    std::cerr << fmt::format("  {}: {} rows copied into {} ({:.1f} s)\n", label, thousands(e.rows),
                                             e.file, e.ms / 1000.0);
                }
                break;
            case K::applied:
                clear_progress();
                std::cout << out.green("applied") << fmt::format("      {} ({:.0f} ms)\n", label, e.ms);
                break;
            case K::rolled_back:
                clear_progress();
                std::cout << out.yellow("rolled back") << fmt::format("  {} ({:.0f} ms)\n", label, e.ms);
                break;
            case K::skipped: std::cout << fmt::format("skipped      {}: {}\n", label, e.message); break;
            case K::failed:
                clear_progress();
                std::cerr << out.red("failed") << fmt::format("       {}\n", label);
                break;
            case K::nothing_to_do: std::cout << e.message << "\n"; break;
            case K::would_apply:
            case K::would_roll_back: {
                std::cout << fmt::format("{}    {}\n", e.kind == K::would_apply ? "would apply    " : "would roll back",
                                         e.file);
                // The SQL itself, for a reviewer: what runs in its transaction.
                std::string sql = e.message;
                if (!sql.empty() && sql.back() != '\n') sql += '\n';
                std::cout << out.dim(sql) << "\n";
                break;
            }
            case K::backup: std::cout << fmt::format("backup       {}\n", e.file); break;
            case K::adopted: std::cout << fmt::format("adopted      {} ({})\n", label, e.message); break;
            case K::baselined: std::cout << fmt::format("baselined    {} ({})\n", label, e.message); break;
            case K::warning: std::cerr << out.yellow("warning") << ": " << e.message << "\n"; break;
        }
    };
}

void register_apply(CLI::App& app, Globals& g, int& exit_code) {
    auto opts = std::make_shared<RunOptions>();
    auto fleet = std::make_shared<FleetArgs>();
    auto* cmd = app.add_subcommand("apply", "Apply pending migrations, each in its own transaction");
    cmd->add_option("--to", opts->to, "stop after this version")->check(CLI::NonNegativeNumber);
    cmd->add_flag("--dry-run", opts->dry_run, "print what would run and change nothing");
    add_backup_flag(cmd, *opts);
    cmd->add_option("--fleet", fleet->pattern, "apply to every database file matching this pattern ('tenants/*.db')")
        ->type_name("GLOB");
    cmd->add_option("-j,--jobs", fleet->jobs, "with --fleet: databases at a time (default: the number of cores)");
    cmd->callback([opts, fleet, &g, &exit_code] {
        Output out(g.no_color, g.wants_json());
        if (!fleet->pattern.empty()) {
            if (!g.db.empty()) throw InputError("--fleet and --db do not go together: the pattern names the databases");
            fleet->to = opts->to;
            fleet->dry_run = opts->dry_run;
            fleet->no_backup = opts->no_backup;
            exit_code = for_each_project(g, out, [&](const Project& p) { return run_fleet_apply(*fleet, p, out); },
                                         /*need_db=*/false, WranglerUse::refuse);
            return;
        }
        if (fleet->jobs) throw InputError("-j goes with --fleet");
        exit_code = for_each_project(
            g, out, [&](const Project& p) { return run(*opts, p, out, What::apply); }, true, WranglerUse::own);
    });
}

void register_rollback(CLI::App& app, Globals& g, int& exit_code) {
    auto opts = std::make_shared<RunOptions>();
    auto* cmd = app.add_subcommand("rollback", "Roll back applied migrations, newest first");
    auto* to = cmd->add_option("--to", opts->to, "roll back every migration after this version")
                   ->check(CLI::NonNegativeNumber);
    cmd->add_option("--steps", opts->steps, "how many migrations to roll back (default 1)")
        ->check(CLI::PositiveNumber)
        ->excludes(to);
    cmd->add_flag("--dry-run", opts->dry_run, "print what would run and change nothing");
    add_backup_flag(cmd, *opts);
    cmd->callback([opts, &g, &exit_code] {
        Output out(g.no_color, g.wants_json());
        exit_code = for_each_project(
            g, out, [&](const Project& p) { return run(*opts, p, out, What::rollback); }, true, WranglerUse::own);
    });
}

void register_baseline(CLI::App& app, Globals& g, int& exit_code) {
    auto opts = std::make_shared<RunOptions>();
    auto* cmd = app.add_subcommand("baseline", "Record migrations 1..N as applied without running them");
    cmd->add_option("N", opts->baseline_version, "the last version the database already has")
        ->required()
        ->check(CLI::NonNegativeNumber);
    cmd->callback([opts, &g, &exit_code] {
        Output out(g.no_color, g.wants_json());
        exit_code = for_each_project(
            g, out, [&](const Project& p) { return run(*opts, p, out, What::baseline); }, true, WranglerUse::refuse);
    });
}

}  // namespace schema::cli

// schema apply | rollback | baseline: the tracked runner.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>

#include "context.hpp"
#include "fleet.hpp"

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

int run(const RunOptions& o, const Project& p, Output& out, What what) {
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
    migrate::Runner runner(db, p.db, p.history(), event_printer(out, p));
    runner.busy_timeout_ms = p.busy_timeout_ms;
    runner.backup.enabled = p.backups && !o.no_backup && existed;  // a new database has nothing to lose
    runner.backup.dir = p.backup_dir;
    runner.backup.keep = p.keep_backups;
    switch (what) {
        case What::apply: runner.apply(dir, {o.to, o.dry_run}); break;
        case What::rollback: runner.rollback(dir, {o.to, o.steps, o.dry_run}); break;
        case What::baseline: runner.baseline(dir, o.baseline_version); break;
    }
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
    cmd->add_option("--fleet", fleet->pattern, "apply to every database file matching this pattern ('tenants/*.db')");
    cmd->add_option("-j,--jobs", fleet->jobs, "with --fleet: databases at a time (default: the number of cores)");
    cmd->callback([opts, fleet, &g, &exit_code] {
        Output out(g.no_color, g.wants_json());
        if (!fleet->pattern.empty()) {
            if (!g.db.empty()) throw InputError("--fleet and --db do not go together: the pattern names the databases");
            fleet->to = opts->to;
            fleet->dry_run = opts->dry_run;
            fleet->no_backup = opts->no_backup;
            exit_code = for_each_project(g, out, [&](const Project& p) { return run_fleet_apply(*fleet, p, out); },
                                         /*need_db=*/false);
            return;
        }
        if (fleet->jobs) throw InputError("-j goes with --fleet");
        exit_code = for_each_project(g, out, [&](const Project& p) { return run(*opts, p, out, What::apply); });
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
        exit_code = for_each_project(g, out, [&](const Project& p) { return run(*opts, p, out, What::rollback); });
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
        exit_code = for_each_project(g, out, [&](const Project& p) { return run(*opts, p, out, What::baseline); });
    });
}

}  // namespace schema::cli

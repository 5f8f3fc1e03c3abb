// schema apply [--to N] [--dry-run]   and   schema rollback [--to N | --steps K] [--dry-run]
#include <fmt/format.h>

#include <iostream>

#include "context.hpp"

namespace schema::cli {

namespace {

migrate::EventSink text_sink(Output& out) {
    return [&out](const migrate::Event& e) {
        using K = migrate::Event::Kind;
        switch (e.kind) {
            case K::started: break;
            case K::applied:
                std::cout << out.green("applied") << fmt::format("     {:04} {} ({:.0f} ms)\n", e.version, e.name, e.ms);
                break;
            case K::rolled_back:
                std::cout << out.yellow("rolled back") << fmt::format(" {:04} {} ({:.0f} ms)\n", e.version, e.name, e.ms);
                break;
            case K::skipped: std::cout << fmt::format("skipped     {:04} {}: {}\n", e.version, e.name, e.message); break;
            case K::failed: std::cerr << out.red("failed") << fmt::format("      {:04} {}\n", e.version, e.name); break;
            case K::nothing_to_do: std::cout << e.message << "\n"; break;
            case K::would_apply: std::cout << fmt::format("would apply       {}\n", e.file); break;
            case K::would_roll_back: std::cout << fmt::format("would roll back   {}\n", e.file); break;
        }
    };
}

struct RunOptions {
    std::optional<std::int64_t> to;
    std::optional<int> steps;
    bool dry_run = false;
};

int run(const RunOptions& o, const Project& p, Output& out, bool forward) {
    auto dir = migrate::Directory::load(p.migrations_dir);
    if (!forward && !fs::exists(p.db)) throw InputError("database " + p.db.string() + " does not exist");
    auto db = sqlite::Database::open(p.db.string(), sqlite::Database::Mode::create);
    migrate::Runner runner(db, p.tracking_table, text_sink(out));
    if (forward) runner.apply(dir, {o.to, o.dry_run});
    else runner.rollback(dir, {o.to, o.steps, o.dry_run});
    return 0;
}

}  // namespace

void register_apply(CLI::App& app, Globals& g, int& exit_code) {
    auto opts = std::make_shared<RunOptions>();
    auto* cmd = app.add_subcommand("apply", "Apply pending migrations, each in its own transaction");
    cmd->add_option("--to", opts->to, "stop after this version");
    cmd->add_flag("--dry-run", opts->dry_run, "print what would run and change nothing");
    cmd->callback([opts, &g, &exit_code] {
        Output out(g.no_color);
        exit_code = run(*opts, resolve_project(g), out, true);
    });
}

void register_rollback(CLI::App& app, Globals& g, int& exit_code) {
    auto opts = std::make_shared<RunOptions>();
    auto* cmd = app.add_subcommand("rollback", "Roll back applied migrations, newest first");
    auto* to = cmd->add_option("--to", opts->to, "roll back every migration after this version");
    cmd->add_option("--steps", opts->steps, "how many migrations to roll back (default 1)")->excludes(to);
    cmd->add_flag("--dry-run", opts->dry_run, "print what would run and change nothing");
    cmd->callback([opts, &g, &exit_code] {
        Output out(g.no_color);
        exit_code = run(*opts, resolve_project(g), out, false);
    });
}

}  // namespace schema::cli

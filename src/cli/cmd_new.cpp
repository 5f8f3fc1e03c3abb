// schema new NAME: an empty numbered pair for a hand-written migration.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

#include "context.hpp"
#include "schema/files.hpp"
#include "schema/sum.hpp"
#include "schema/write.hpp"

namespace schema::cli {

namespace {

int run_new(const std::string& name, const Project& p, Output& out) {
    migrate::VersionClaim claim(p.migrations_dir);  // two at once get two numbers
    auto dir = migrate::Directory::load(p.migrations_dir);
    if (dir.root.empty()) dir.root = p.migrations_dir;
    if (p.dialect == Dialect::d1) migrate::require_wrangler_layout(dir);
    auto [up, down] = dir.paths_for(dir.next_version(), slug(name));
    const char* how_it_runs =
        p.dialect == Dialect::d1
            ? "-- Runs in one transaction (wrangler's or `schema apply`'s) with foreign keys on: D1 cannot\n"
              "-- switch them off, so BEGIN/COMMIT and PRAGMA foreign_keys are refused; PRAGMA\n"
              "-- defer_foreign_keys = ON checks them at the end instead."
            : "-- Runs in one transaction under `schema apply`; a PRAGMA foreign_keys here is honoured\n"
              "-- (the runner sets it around the transaction).";
    const std::string up_name = up.filename().string(), down_name = fs::relative(down, dir.root).string();
    const std::string down_text = sql_comment(down_name) + sql_comment("Undoes " + up_name + ".") + "\n";
    const std::string up_text =
        sql_comment(up_name) +
        "-- A hand-written migration: data changes (INSERT, UPDATE, DELETE) that `schema diff` cannot\n"
        "-- write. Schema changes belong in schema/, where `schema diff` writes them for you.\n" +
        how_it_runs + "\n" + sql_comment("Rollback: " + down_name) + "\n";
    FileSet pair;
    pair.create(down, down_text);
    pair.create(up, up_text);
    // The sum records the empty pair: after writing the SQL in it, `schema hash`.
    pair.replace(dir.root / migrate::kSumFile, migrate::updated_sum_text(dir.root, {{down, down_text}, {up, up_text}}));
    pair.commit();
    if (out.json())
        out.json_line(nlohmann::json{{"event", "created"}, {"file", up.string()}, {"rollback", down.string()}});
    else
        std::cout << "created " << out.bold(up.string()) << " and " << down.string()
                  << "\nwrite the SQL in both, then `schema hash` records them in " << migrate::kSumFile << "\n";
    return 0;
}

}  // namespace

void register_new(CLI::App& app, Globals& g, int& exit_code) {
    auto name = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("new", "Create an empty numbered migration pair for hand-written SQL");
    cmd->add_option("NAME", *name, "what it does, e.g. backfill_display_names")->required();
    cmd->callback([name, &g, &exit_code] {
        Output out(g.no_color, g.wants_json());
        exit_code = for_each_project(g, out, [&](const Project& p) { return run_new(*name, p, out); }, false);
    });
}

}  // namespace schema::cli

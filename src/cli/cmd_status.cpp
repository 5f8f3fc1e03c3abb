// schema status | validate: the history against the files, read-only.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

#include "context.hpp"
#include "fleet.hpp"
#include "schema/sum.hpp"

namespace schema::cli {

namespace {

// What the database has applied (empty when it does not exist yet), and the
// files without a number that wrangler runs or ran.
struct History {
    bool exists = false;
    std::vector<migrate::Applied> applied;
    std::vector<migrate::Unnumbered> unnumbered;
};

History read_history(const Project& p, const migrate::Directory& dir) {
    History h;
    h.exists = !p.db.empty() && fs::exists(p.db);
    if (!h.exists) {
        h.unnumbered = migrate::unnumbered_files(nullptr, p.history(), dir);
        return h;
    }
    auto db = migrate::open_to_read(p.db, p.busy_timeout_ms);
    h.applied = migrate::recorded_history(db, p.history(), dir);
    h.unnumbered = migrate::unnumbered_files(&db, p.history(), dir);
    return h;
}

void print_unnumbered(const std::vector<migrate::Unnumbered>& files, const migrate::Directory& dir, Output& out) {
    for (const auto& u : files) {
        if (out.json()) {
            nlohmann::json j{{"unnumbered", u.file},
                             {"state", u.blocks() ? "not applied" : "applied by wrangler"},
                             {"message", migrate::unnumbered_message(u, dir)}};
            if (!u.applied_at.empty()) j["applied_at"] = u.applied_at;
            out.json_line(j);
        } else {
            std::cout << "  " << (u.blocks() ? out.red("unnumbered") : out.yellow("note")) << " "
                      << migrate::unnumbered_message(u, dir) << "\n";
        }
    }
}

int run_status(const Project& p, Output& out) {
    // Without a database there is no history to show; D1 before wrangler's first
    // local run lists the files as pending.
    if (p.db.empty() && p.dialect != Dialect::d1) throw_no_database(p);
    auto dir = migrate::Directory::load(p.migrations_dir, /*read_rollbacks=*/false);
    dir.require_unique_versions();
    auto history = read_history(p, dir);
    const bool exists = history.exists;
    auto states = migrate::states(dir, history.applied);
    std::map<migrate::MigrationState::Kind, int> count;
    for (const auto& s : states) ++count[s.kind];

    if (out.json()) {
        for (const auto& s : states) {
            nlohmann::json j{{"version", s.version}, {"name", s.name}, {"state", migrate::state_name(s.kind)}};
            if (!s.file.empty()) j["file"] = s.file;
            if (s.record) {
                j["applied_at"] = s.record->applied_at;
                j["execution_time_ms"] = s.record->execution_time_ms;
                j["applied_by"] = s.record->applied_by;
            }
            out.json_line(j);
        }
        out.json_line(nlohmann::json{{"summary",
                                      {{"database", p.db.string()},
                                       {"label", p.db_label()},
                                       {"exists", exists},
                                       {"applied", count[migrate::MigrationState::applied]},
                                       {"pending", count[migrate::MigrationState::pending]},
                                       {"modified", count[migrate::MigrationState::modified]},
                                       {"missing", count[migrate::MigrationState::missing]}}}});
        print_unnumbered(history.unnumbered, dir, out);
        return 0;
    }
    std::string text = fmt::format(
        "{}{}: {} applied, {} pending, {} modified, {} missing  ({}, {})\n",
        p.db.empty() && p.d1_name.empty() ? "(no local D1 database yet)" : p.db_label(),
        exists ? "" : " (does not exist yet)", count[migrate::MigrationState::applied],
        count[migrate::MigrationState::pending], count[migrate::MigrationState::modified],
        count[migrate::MigrationState::missing], dir.root.string(), migrate::layout_name(dir.layout));
    if (!states.empty()) text += fmt::format("\n  {:<8} {:<9} {:<25} {:>9}  {}\n", "version", "state", "applied at",
                                             "duration", "name");
    for (const auto& s : states) {
        std::string state = migrate::state_name(s.kind);
        std::string painted = s.kind == migrate::MigrationState::applied   ? out.green(state)
                              : s.kind == migrate::MigrationState::pending ? out.yellow(state)
                                                                           : out.red(state);
        painted += std::string(9 - state.size(), ' ');
        text += fmt::format("  {:<8} {} {:<25} {:>9}  {}\n", fmt::format("{:04}", s.version), painted,
                            s.record ? s.record->applied_at : "",
                            !s.record                           ? ""
                            : s.record->applied_by == migrate::kAppliedByWrangler ? "wrangler"
                                                                 : fmt::format("{} ms", s.record->execution_time_ms),
                            s.name);
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (!history.unnumbered.empty()) std::cout << "\n";
    print_unnumbered(history.unnumbered, dir, out);
    return 0;
}

int run_validate(const Project& p, Output& out) {
    auto dir = migrate::Directory::load(p.migrations_dir);
    auto history = read_history(p, dir);
    // D1: wrangler writes migrations without rollbacks, so a missing one is a
    // warning there (only `schema rollback` needs it), a problem elsewhere.
    std::vector<std::string> warnings;
    auto problems = migrate::validate(dir, history.exists ? &history.applied : nullptr, history.unnumbered,
                                      p.dialect == Dialect::d1 ? &warnings : nullptr);
    if (auto sum = migrate::check_sum(p.migrations_dir); !sum.message().empty()) problems.push_back(sum.message());
    std::vector<migrate::Unnumbered> notes;  // applied by wrangler: said, not a problem
    for (const auto& u : history.unnumbered)
        if (!u.blocks()) notes.push_back(u);
    const std::string rollback_hint = "wrangler writes none; `schema rollback` needs one to undo it";
    if (out.json()) {
        for (const auto& pr : problems) out.json_line(nlohmann::json{{"problem", pr}});
        for (const auto& w : warnings) out.json_line(nlohmann::json{{"warning", w + " (" + rollback_hint + ")"}});
        out.json_line(nlohmann::json{{"summary",
                                      {{"migrations", dir.migrations.size()},
                                       {"problems", problems.size()},
                                       {"warnings", warnings.size()}}}});
        return problems.empty() ? 0 : 1;
    }
    for (const auto& w : warnings) std::cout << out.yellow("warning") << ": " << w << " (" << rollback_hint << ")\n";
    if (problems.empty()) {
        std::cout << fmt::format("ok: {} migrations in {} ({}), no problems{}\n", dir.migrations.size(),
                                 dir.root.string(), migrate::layout_name(dir.layout),
                                 warnings.empty() ? "" : fmt::format(", {} warning{}", warnings.size(),
                                                                     warnings.size() == 1 ? "" : "s"));
        print_unnumbered(notes, dir, out);
    } else {
        std::cout << out.red(fmt::format("{} problem{} in {}:", problems.size(), problems.size() == 1 ? "" : "s",
                                         dir.root.string()))
                  << "\n";
        for (const auto& pr : problems) std::cout << "  " << pr << "\n";
        print_unnumbered(notes, dir, out);
    }
    return problems.empty() ? 0 : 1;
}

}  // namespace

void register_status(CLI::App& app, Globals& g, int& exit_code) {
    auto* cmd = app.add_subcommand("status", "Show each migration: applied, pending, modified or missing");
    auto fleet = std::make_shared<FleetArgs>();
    cmd->add_option("--fleet", fleet->pattern, "versions across every database file matching this pattern")
        ->type_name("GLOB");
    cmd->add_option("-j,--jobs", fleet->jobs, "with --fleet: databases read at a time (default: the number of cores)");
    cmd->callback([fleet, &g, &exit_code] {
        Output out(g.no_color, g.wants_json());
        if (!fleet->pattern.empty()) {
            if (!g.db.empty()) throw InputError("--fleet and --db do not go together: the pattern names the databases");
            exit_code = for_each_project(g, out, [&](const Project& p) { return run_fleet_status(*fleet, p, out); },
                                         false, WranglerUse::refuse);
            return;
        }
        if (fleet->jobs) throw InputError("-j goes with --fleet");
        // The database is optional: without one, status describes the files alone.
        exit_code = for_each_project(g, out, [&](const Project& p) { return run_status(p, out); }, false);
    });
}

void register_validate(CLI::App& app, Globals& g, int& exit_code) {
    auto* cmd = app.add_subcommand(
        "validate", "Check the migrations directory: layout, gaps, duplicates, rollbacks, edited applied files");
    cmd->callback([&g, &exit_code] {
        Output out(g.no_color, g.wants_json());
        exit_code = for_each_project(g, out, [&](const Project& p) { return run_validate(p, out); }, false);
    });
}

}  // namespace schema::cli

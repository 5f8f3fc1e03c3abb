// schema repair [VERSION...]: accept an intentional edit to an applied
// migration. Shows the edit, proves it leaves the schema as it was, and records
// the files' checksums as they are now.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <sstream>

#include "context.hpp"
#include "schema/files.hpp"
#include "schema/repair.hpp"
#include "schema/sum.hpp"

namespace schema::cli {

namespace {

struct RepairOptions {
    std::vector<std::int64_t> versions;
    bool allow_schema_change = false;
    bool dry_run = false;
};

void print_edit(const std::string& what, const fs::path& file, const std::optional<git::Version>& applied,
                const std::string& edit, Output& out) {
    if (!applied) {
        std::cout << fmt::format("  {} {}: edited; the text applied is not in git's history, so the edit cannot "
                                 "be shown\n",
                                 what, file.string());
        return;
    }
    std::cout << fmt::format("  {} {}: edited since commit {} (the text applied):\n", what, file.string(),
                             applied->commit.substr(0, 12));
    std::istringstream in(edit);
    bool body = false;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("@@", 0) == 0) body = true;
        if (!body) continue;
        const std::string shown = "    " + line;
        std::cout << (line[0] == '+' ? out.green(shown) : line[0] == '-' ? out.red(shown) : out.dim(shown)) << "\n";
    }
}

int run_repair(const RepairOptions& o, const Project& p, Output& out) {
    auto dir = migrate::Directory::load(p.migrations_dir);
    auto findings = find_repairs(target_of(p), dir, o.versions);
    if (findings.empty()) {
        if (out.json()) out.json_line({{"event", "nothing_to_do"}, {"database", p.db.string()}});
        else std::cout << "nothing to repair: every applied migration's files match what was recorded\n";
        return 0;
    }
    bool refused = false;
    for (const auto& f : findings) {
        const auto& m = *f.migration;
        const bool accept = !f.changes_schema() || o.allow_schema_change;
        refused = refused || !accept;
        if (out.json()) {
            nlohmann::json j{{"event", accept ? (o.dry_run ? "would_repair" : "repaired") : "refused"},
                             {"version", m.version},
                             {"name", m.name},
                             {"file", m.up_path.string()},
                             {"forward_edited", f.forward_edited},
                             {"rollback_edited", f.rollback_edited},
                             {"compared", f.compared},
                             {"schema_changes", f.schema_changes}};
            if (f.applied_up) j["applied_commit"] = f.applied_up->commit;
            if (!f.up_edit.empty()) j["edit"] = f.up_edit;
            if (!f.down_edit.empty()) j["rollback_edit"] = f.down_edit;
            out.json_line(j);
            continue;
        }
        std::cout << out.bold(m.label()) << fmt::format(" (applied {})\n", f.record.applied_at);
        if (f.forward_edited) print_edit("migration", m.up_path, f.applied_up, f.up_edit, out);
        if (f.rollback_edited) print_edit("rollback", *m.down_path, f.applied_down, f.down_edit, out);
        if (!f.changes_schema()) {
            std::cout << "  the schema is unchanged: proven on a shadow, " << f.compared << "\n";
        } else {
            std::cout << out.red("  the edit changes the schema:") << " proven on a shadow, " << f.compared << "\n";
            for (const auto& c : f.schema_changes) std::cout << "    " << out.change_line(c) << "\n";
            if (!accept)
                std::cout << "  not recorded: an applied migration stays what it did. Put the change in schema/ and "
                             "run `schema diff` for a new migration; or, when every database already matches the "
                             "edited file, pass --allow-schema-change\n";
        }
    }
    if (refused) return 1;
    if (!o.dry_run) {
        record_repairs(target_of(p), findings);
        // The edit is accepted: schema.sum records the files as they are now.
        // Only the repaired files' lines: another file edited by hand stays reported.
        if (is_present(p.migrations_dir / migrate::kSumFile)) {
            std::vector<std::pair<fs::path, std::string>> files;
            for (const auto& f : findings) {
                files.push_back({f.migration->up_path, read_file(f.migration->up_path)});
                if (f.migration->down_path)
                    files.push_back({*f.migration->down_path, read_file(*f.migration->down_path)});
            }
            FileSet sum;
            sum.replace(p.migrations_dir / migrate::kSumFile, migrate::updated_sum_text(p.migrations_dir, files));
            sum.commit();
        }
    }
    if (!out.json())
        std::cout << fmt::format("{} the checksums of {} migration{} in {}\n",
                                 o.dry_run ? "would record" : "recorded", findings.size(),
                                 findings.size() == 1 ? "" : "s", p.db.string());
    return 0;
}

}  // namespace

void register_repair(CLI::App& app, Globals& g, int& exit_code) {
    auto o = std::make_shared<RepairOptions>();
    auto* cmd = app.add_subcommand("repair", "Accept an intentional edit to an applied migration: show it, prove "
                                             "it leaves the schema as it was, re-record its checksum");
    cmd->add_option("VERSION", o->versions, "the migrations to repair (default: every edited one)");
    cmd->add_flag("--allow-schema-change", o->allow_schema_change,
                  "record even an edit that changes the schema the file produces");
    cmd->add_flag("--dry-run", o->dry_run, "show the edits and the proof; record nothing");
    cmd->callback([o, &g, &exit_code] {
        Output out(g.no_color, g.wants_json());
        exit_code = for_each_project(
            g, out, [&](const Project& p) { return run_repair(*o, p, out); }, true, WranglerUse::refuse);
    });
}

}  // namespace schema::cli

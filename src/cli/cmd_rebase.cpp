// schema rebase BASE [--squash]: after a merge, this branch's migrations
// renumbered after BASE's and regenerated against BASE's history and the
// merged schema/ (schema/rebase.hpp), proven, and written in place.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

#include "context.hpp"
#include "schema/diagnostic.hpp"
#include "schema/rebase.hpp"
#include "schema/sum.hpp"

namespace schema::cli {

namespace {

struct RebaseCommand {
    RebaseOptions options;
    bool dry_run = false;
};

std::string base_name(const RebaseOptions& o) {
    return o.after ? fmt::format("version {}", *o.after) : o.base;
}

int run_rebase(RebaseCommand c, const Project& p, Output& out) {
    migrate::VersionClaim claim(p.migrations_dir);  // no `diff` writes a migration meanwhile
    auto sources = read_schema_files(p.schema_dir);
    Schema declared = parse_declared(sources, p.dialect);
    auto dir = migrate::Directory::load(p.migrations_dir);
    if (p.dialect == Dialect::d1) migrate::require_wrangler_layout(dir);
    c.options.dialect = p.dialect;
    RebasePlan plan = plan_rebase(target_of(p), dir, declared, c.options);
    if (plan.ours.empty()) {
        // Only edits met in the merge (one branch edited a migration, the other
        // added one): nothing to renumber, and schema.sum records the merged files.
        const auto sum = migrate::check_sum(p.migrations_dir);
        const bool rewrite = !c.dry_run && sum.kind != migrate::SumCheck::matches && fs::exists(p.migrations_dir);
        if (rewrite) migrate::write_sum(p.migrations_dir);
        if (out.json())
            out.json_line({{"event", "nothing_to_do"}, {"base", base_name(c.options)}, {"sum_rewritten", rewrite}});
        else
            std::cout << "nothing to rebase: every migration of " << p.migrations_dir.string() << " is "
                      << base_name(c.options) << "'s" << (rewrite ? "; " + std::string(migrate::kSumFile) + " rewritten" : "")
                      << "\n";
        return 0;
    }
    if (!c.dry_run) write_rebase(dir, plan);
    if (out.json()) {
        nlohmann::json result = nlohmann::json::array();
        for (const auto& r : plan.result) {
            nlohmann::json from = nlohmann::json::array();
            for (const auto* m : r.from) from.push_back(m->up_path.string());
            result.push_back({{"file", r.up_path.string()}, {"from", from}, {"regenerated", r.regenerated},
                              {"changes", r.summary}, {"data_loss", r.data_loss}});
        }
        nlohmann::json emptied = nlohmann::json::array();
        for (const auto* m : plan.emptied) emptied.push_back(m->up_path.string());
        out.json_line({{"event", c.dry_run ? "would_rebase" : "rebased"}, {"base", base_name(c.options)},
                       {"migrations", result}, {"emptied", emptied}, {"remaining", plan.remaining}});
        return 0;
    }
    const std::int64_t after = plan.base.empty() ? 0 : plan.base.back()->version;
    std::cout << fmt::format("{} {} migration{} of this branch onto {} (after {:0{}}):\n",
                             c.dry_run ? "would rebase" : "rebased", plan.ours.size(),
                             plan.ours.size() == 1 ? "" : "s", base_name(c.options), after, dir.digits);
    for (const auto& r : plan.result) {
        std::string from;
        for (const auto* m : r.from) from += (from.empty() ? "" : " + ") + m->up_path.filename().string();
        std::cout << "  " << from << " → " << out.bold(r.up_path.filename().string())
                  << (r.regenerated ? " (regenerated against the merged schema)"
                                    : " (hand-written: its SQL kept, renumbered)")
                  << "\n";
        for (const auto& l : r.summary) std::cout << "      " << out.change_line(l) << "\n";
        for (const auto& l : r.data_loss) std::cout << "      " << out.red("! " + l) << "\n";
    }
    for (const auto* m : plan.emptied)
        std::cout << "  " << m->up_path.filename().string()
                  << " → removed: after the merge it has nothing left to do\n";
    if (!plan.remaining.empty()) {
        std::cout << out.yellow("still different from " + p.schema_dir.string() +
                                " after them (`schema diff` writes the rest):")
                  << "\n";
        for (const auto& l : plan.remaining) std::cout << "  " << out.change_line(l) << "\n";
    }
    if (!c.dry_run)
        std::cout << "each proven on a shadow; " << migrate::kSumFile << " rewritten. Review, then commit (and "
                  << "finish the merge)\n";
    return 0;
}

}  // namespace

void register_rebase(CLI::App& app, Globals& g, int& exit_code) {
    auto c = std::make_shared<RebaseCommand>();
    auto* cmd = app.add_subcommand("rebase", "After a merge: renumber this branch's migrations after BASE's and "
                                             "regenerate them against the merged schema/");
    cmd->add_option("BASE", c->options.base, "the branch merged in (a git revision)")->type_name("REV");
    cmd->add_option("--after", c->options.after,
                    "instead of BASE: the migrations after this version are the branch's (no git needed)");
    cmd->add_flag("--squash", c->options.squash, "write the branch's migrations as one");
    cmd->add_option("-m,--name", c->options.name, "the squashed migration's name (default: the first one's)")
        ->type_name("NAME");
    cmd->add_flag("--allow-data-loss", c->options.allow_data_loss,
                  "write a regenerated migration even if it drops tables or columns");
    cmd->add_flag("--dry-run", c->dry_run, "show what would be written; write nothing");
    cmd->add_flag("--regenerate-edited", c->options.regenerate_edited,
                  "regenerate a generated file edited by hand since, dropping the edit");
    cmd->callback([c, &g, &exit_code] {
        if (c->options.base.empty() == !c->options.after)
            throw InputError("name the base: a git revision (`schema rebase main`), or a version (`schema rebase "
                             "--after 3`), one of them");
        Output out(g.no_color, g.wants_json());
        exit_code = for_each_project(g, out, [&](const Project& p) { return run_rebase(*c, p, out); }, false);
    });
}

}  // namespace schema::cli

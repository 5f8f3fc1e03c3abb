// schema rollback-for VERSION: writes the rollback a migration lacks (wrangler
// writes none), planned from what the migration does and proven on a shadow.
#include <fmt/format.h>

#include <iostream>

#include "context.hpp"
#include "schema/files.hpp"
#include "schema/rollback_for.hpp"
#include "schema/sum.hpp"

namespace schema::cli {

namespace {

struct RollbackForCommand {
    std::int64_t version = 0;
    bool print = false;
};

int run_rollback_for(const RollbackForCommand& c, const Project& p, Output& out) {
    auto dir = migrate::Directory::load(p.migrations_dir);
    dir.require_unique_versions();
    auto r = plan_rollback_for(dir, c.version, p.dialect);
    if (c.print) {
        std::cout << r.text;
        return 0;
    }
    FileSet files;
    files.create(r.path, r.text);
    files.replace(dir.root / migrate::kSumFile, migrate::updated_sum_text(dir.root, {{r.path, r.text}}));
    files.commit();
    if (out.json()) {
        out.json_line({{"event", "created"},
                       {"file", r.path.string()},
                       {"changes", r.summary},
                       {"not_undone", r.not_undone}});
        return 0;
    }
    std::cout << "wrote " << out.bold(r.path.string()) << ", proven on a shadow: it takes the schema "
              << r.migration->up_path.filename().string() << " leaves back to the one it starts from\n";
    for (const auto& l : r.summary) std::cout << "  " << out.change_line(l) << "\n";
    for (const auto& l : r.not_undone)
        std::cout << out.yellow("  ! ") << l << ": rows the migration writes are data; the rollback does not undo "
                  << "them (add the statements by hand)\n";
    return 0;
}

}  // namespace

void register_rollback_for(CLI::App& app, Globals& g, int& exit_code) {
    auto c = std::make_shared<RollbackForCommand>();
    auto* cmd = app.add_subcommand("rollback-for", "Write the rollback a migration lacks (wrangler writes none), "
                                                   "proven on a shadow");
    cmd->add_option("VERSION", c->version, "the migration's number")->required()->type_name("N");
    cmd->add_flag("--print", c->print, "print it instead of writing it");
    cmd->callback([&g, &exit_code, c] {
        Output out(g.no_color, g.wants_json());
        exit_code = for_each_project(g, out, [&](const Project& p) { return run_rollback_for(*c, p, out); }, false);
    });
}

}  // namespace schema::cli

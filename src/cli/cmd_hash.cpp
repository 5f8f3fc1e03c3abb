// schema hash: records the migrations as they are now in schema.sum, after a
// hand-written migration got its SQL, or an edit was reviewed.
#include <nlohmann/json.hpp>

#include <iostream>

#include "context.hpp"
#include "schema/sum.hpp"

namespace schema::cli {

namespace {

int run_hash(const Project& p, Output& out) {
    auto dir = migrate::Directory::load(p.migrations_dir);
    // A merge with two migrations of one number is rebased, not hashed over.
    dir.require_unique_versions();
    const auto before = migrate::check_sum(p.migrations_dir);
    fs::create_directories(p.migrations_dir);
    migrate::write_sum(p.migrations_dir);
    const fs::path file = p.migrations_dir / migrate::kSumFile;
    if (out.json()) {
        out.json_line({{"event", "hashed"}, {"file", file.string()}, {"changed", before.changed}});
        return 0;
    }
    if (before.kind == migrate::SumCheck::matches) std::cout << file.string() << " already matches\n";
    else std::cout << "wrote " << file.string() << "\n";
    for (const auto& c : before.changed) std::cout << "  ~ " << c << "\n";
    return 0;
}

}  // namespace

void register_hash(CLI::App& app, Globals& g, int& exit_code) {
    auto* cmd = app.add_subcommand("hash", "Record the migrations as they are now in schema.sum (after writing a "
                                           "hand-written migration's SQL)");
    cmd->callback([&g, &exit_code] {
        Output out(g.no_color, g.wants_json());
        exit_code = for_each_project(g, out, [&](const Project& p) { return run_hash(p, out); }, false);
    });
}

}  // namespace schema::cli

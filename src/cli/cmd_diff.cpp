// schema diff [-m NAME] [--print] [--allow-data-loss]
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <future>
#include <iostream>

#include "context.hpp"
#include "change_view.hpp"
#include "errors.hpp"
#include "plan_json.hpp"
#include "schema/files.hpp"
#include "schema/pipeline.hpp"
#include "schema/sum.hpp"
#include "schema/timing.hpp"
#include "schema/verify.hpp"
#include "schema/write.hpp"

namespace schema::cli {

namespace {

struct DiffOptions {
    std::string name;
    bool print = false;
    bool allow_data_loss = false;
    std::string format = "human";  // the global --format (markdown: --print as a pull-request comment)
};

// --print --format markdown: what a reviewer reads in a pull request.
std::string markdown_of(const Proposal& g, const Schema& declared, const fs::path& up_path) {
    std::string md = "## schema diff: `" + up_path.filename().string() + "`\n\n";
    for (const auto& l : g.up.summary) md += "- " + markdown_escape(l) + "\n";
    md += change_markdown(g.diff, g.up, declared);
    if (!g.up.rebuilt.empty()) {
        md += "\n**Rebuilds** (SQLite's ALTER TABLE cannot make these changes):\n\n";
        for (std::size_t i = 0; i < g.up.rebuilt.size(); ++i)
            md += "- table " + markdown_escape(g.up.rebuilt[i].sql()) + ": " + markdown_escape(g.up.rebuilt_why[i]) +
                  "\n";
    }
    if (!g.up.data_loss.empty()) {
        md += "\n**Data loss:**\n\n";
        for (const auto& l : g.up.data_loss) md += "- ⚠️ " + markdown_escape(l) + "\n";
    }
    std::string sql = g.up_text;
    for (auto at = sql.find("```"); at != std::string::npos; at = sql.find("```", at + 4)) sql.insert(at + 1, "\u200b");
    md += "\n<details><summary>The migration</summary>\n\n```sql\n" + sql + "```\n\n</details>\n";
    return fit_markdown(md);
}

// A name for the migration from its first change: "add_user_preferences".
std::string default_name(const Diff& d) {
    if (d.changes.empty()) return "migration";
    const Change& first = d.changes.front();
    const Verb v = verb_of(first);
    const char* verb = v == Verb::add ? "add" : v == Verb::drop ? "drop" : v == Verb::rename ? "rename" : "change";
    return slug(std::string(verb) + "_" + object_of(first).name() + (d.changes.size() > 1 ? "_and_more" : ""));
}

int run_diff(const DiffOptions& o, const Project& p, Output& out) {
    // A D1 project before its first `wrangler d1 migrations apply --local` has
    // no database yet: it diffs from an empty one, as a new SQLite file does.
    if (p.db.empty() && !p.d1_no_local_yet) throw_no_database(p);
    PhaseTimer total("diff command");
    std::vector<SourceFile> sources;
    // The declared files and the live database are read side by side.
    auto parsed = std::async(std::launch::async, [&] {
        PhaseTimer t("read and parse schema/");
        sources = read_schema_files(p.schema_dir);
        return parse_declared(sources, p.dialect);
    });
    // Until the pair is written: a second `diff` waits, then starts from this one's migration.
    std::optional<migrate::VersionClaim> claim;
    if (!o.print) claim.emplace(p.migrations_dir);
    auto dir = migrate::Directory::load(p.migrations_dir);
    if (p.dialect == Dialect::d1) migrate::require_wrangler_layout(dir);
    Baseline base;
    try {
        base = baseline(target_of(p), dir);
    } catch (...) {
        parsed.wait();
        throw;
    }
    Schema declared = parsed.get();

    // --print plans exactly as a written diff does: the same counts, the same plan.
    Proposal g = propose(base, declared, {o.allow_data_loss, p.dialect});
    switch (g.verdict) {
        case Proposal::Verdict::up_to_date:
            if (out.json())
                out.json_line(nlohmann::json{{"event", "up_to_date"}, {"database", p.db.string()},
                                             {"pending", base.pending.size()}});
            else
                std::cout << "up to date: " << p.db_label()
                          << (base.pending.empty() ? "" : " with its pending migrations") << " matches "
                          << p.schema_dir.string() << "\n";
            return 0;
        default:
            if (refused(g, o.allow_data_loss || o.print, "writing the migration", "--print", p, out)) return 1;
    }

    const std::string name = slug(o.name.empty() ? default_name(g.diff) : o.name);
    auto [up_path, down_path] = dir.paths_for(dir.next_version(), name);
    MigrationInfo up_info{up_path.filename().string(), fs::relative(down_path, dir.root).string(), false, {},
                          p.dialect};
    MigrationInfo down_info{down_path.filename().string(), up_path.filename().string(), true, g.up.data_loss,
                            p.dialect};
    // What is proven is the text written, byte for byte.
    prove_texts(g, base.schema, declared, up_info, down_info, &sources);
    const std::string& up_text = g.up_text;
    const std::string& down_text = g.down_text;

    if (o.print) {
        if (out.json()) {
            out.json_line(nlohmann::json{{"event", "plan"},
                                         {"database", p.db.string()},
                                         {"file", up_path.string()},
                                         {"rollback", down_path.string()},
                                         {"changes", g.up.summary},
                                         {"data_loss", g.up.data_loss},
                                         {"plan", plan_json(g)},
                                         {"sql", up_text},
                                         {"rollback_sql", down_text}});
            return 0;
        }
        if (o.format == "markdown") {
            std::cout << markdown_of(g, declared, up_path);
            return 0;
        }
        // The structure first, for a reader; then the files as they would be written.
        std::cout << out.bold("Changes") << " (" << up_path.string() << ", not written):\n";
        for (const auto& l : g.up.summary) std::cout << "  " << out.change_line(l) << "\n";
        for (const auto& l : g.up.data_loss) std::cout << "  " << out.red("! " + l) << "\n";
        std::cout << "\n" << up_text << "\n" << down_text;
        return 0;
    }
    // Both files or neither; the rollback first, so no reader sees a forward
    // migration without it.
    FileSet pair;
    pair.create(down_path, down_text);
    pair.create(up_path, up_text);
    pair.replace(dir.root / migrate::kSumFile, migrate::updated_sum_text(dir.root, {{down_path, down_text}, {up_path, up_text}}));
    pair.commit();
    if (out.json()) {
        out.json_line(nlohmann::json{{"event", "written"},
                                     {"database", p.db.string()},
                                     {"file", up_path.string()},
                                     {"rollback", down_path.string()},
                                     {"changes", g.up.summary},
                                     {"data_loss", g.up.data_loss},
                                     {"plan", plan_json(g)}});
        return 0;
    }
    std::cout << "wrote " << out.bold(up_path.string()) << " and " << down_path.string() << "\n";
    for (const auto& l : g.up.summary) std::cout << "  " << out.change_line(l) << "\n";
    for (const auto& l : g.up.data_loss) std::cout << "  " << out.red("! " + l) << "\n";
    return 0;
}

}  // namespace

void register_diff(CLI::App& app, Globals& g, int& exit_code) {
    auto opts = std::make_shared<DiffOptions>();
    auto* cmd = app.add_subcommand("diff", "Compare the database with schema/ and write the migration pair");
    cmd->add_option("-m,--name", opts->name, "migration name (default: from its first change)")->type_name("NAME");
    cmd->add_flag("--print", opts->print, "print the migration pair instead of writing it");
    cmd->add_flag("--allow-data-loss", opts->allow_data_loss,
                  "write a migration even if it drops tables or columns or skips violating rows");
    cmd->callback([opts, &g, &exit_code] {
        Output out(g.no_color, g.wants_json());
        opts->format = g.format;
        exit_code = for_each_project(
            g, out, [&](const Project& p) { return run_diff(*opts, p, out); }, /*need_db=*/false);
    });
}

}  // namespace schema::cli

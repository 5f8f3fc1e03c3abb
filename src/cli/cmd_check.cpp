// schema check [--offline] [--format human|json|github|markdown]: the CI gate.
//
// Fails (exit 1) when
//   * the live database differs from schema/ (a change made out of band, or
//     migrations not applied yet),
//   * replaying generated/ on an empty database does not give schema/ (schema/
//     edited without `schema diff`, or a migration edited by hand),
//   * an applied migration's file changed or vanished since it ran.
// --offline runs only the second (CI without the production database).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <optional>

#include "context.hpp"
#include "errors.hpp"
#include "change_view.hpp"
#include "lint_report.hpp"
#include "schema/sum.hpp"
#include "schema/write.hpp"

namespace schema::cli {

namespace {

struct CheckOptions {
    bool offline = false;
    std::string format = "human";
};

// One line of a finding: what differs, and where it is declared (if it is).
struct Item {
    std::string text;  // "~ column users.email: NOT NULL added"
    SourcePos pos;
    std::optional<Verb> verb = {};  // for a schema change: what it does (the text's symbol)
};

struct Finding {
    std::string kind;   // database_differs, replay_differs, applied_file_changed
    std::string title;  // one sentence
    std::string hint;   // what to do about it
    std::vector<Item> items;
    Plan plan;          // for the schema comparisons: what would make them equal
    std::string view = {};  // --format markdown: the diagram and before/after tables
};

SourcePos column_pos(const Table& t, const Ident& column) {
    const Column* c = t.column(column);
    return c ? c->pos : t.pos;
}

std::vector<Item> items_of(const Diff& d, const Schema& declared) {
    std::vector<Item> out;
    for (const auto& change : d.changes) {
        std::visit(
            [&](const auto& c) {
                using T = std::decay_t<decltype(c)>;
                SourcePos pos;
                if constexpr (std::is_same_v<T, AddTable>) pos = c.table.pos;
                else if constexpr (std::is_same_v<T, RenameTable>) pos = declared.table(c.to)->pos;
                else if constexpr (std::is_same_v<T, ModifyTable>) pos = c.to.pos;
                else if constexpr (std::is_same_v<T, AddIndex>) pos = c.index.pos;
                else if constexpr (std::is_same_v<T, ModifyIndex>) pos = c.to.pos;
                else if constexpr (std::is_same_v<T, AddView>) pos = c.view.pos;
                else if constexpr (std::is_same_v<T, ModifyView>) pos = c.to.pos;
                else if constexpr (std::is_same_v<T, AddTrigger>) pos = c.trigger.pos;
                else if constexpr (std::is_same_v<T, ModifyTrigger>) pos = c.to.pos;
                else if constexpr (std::is_same_v<T, AddVirtualTable>) pos = c.table.pos;
                else if constexpr (std::is_same_v<T, ModifyVirtualTable>) pos = c.to.pos;
                else if constexpr (std::is_same_v<T, DropTable> || std::is_same_v<T, DropIndex> ||
                                   std::is_same_v<T, DropView> || std::is_same_v<T, DropTrigger> ||
                                   std::is_same_v<T, DropVirtualTable>) {
                }  // not declared: no position
                else static_assert(unhandled<T>);
                if constexpr (std::is_same_v<T, ModifyTable>) {
                    for (const auto& tc : c.changes) {
                        SourcePos at = c.to.pos;
                        if (auto a = std::get_if<AddColumn>(&tc)) at = column_pos(c.to, a->column.name);
                        if (auto m = std::get_if<ModifyColumn>(&tc)) at = column_pos(c.to, m->to.name);
                        if (auto r = std::get_if<RenameColumn>(&tc)) at = column_pos(c.to, r->to);
                        // A constraint points at its own clause (where it has one: a
                        // dropped one is not declared any more).
                        auto clause = [&](const SourcePos& p) {
                            if (p.known()) at = p;
                        };
                        if (auto a = std::get_if<AddCheck>(&tc)) clause(a->check.pos);
                        if (auto m = std::get_if<ModifyCheck>(&tc)) clause(m->to.pos);
                        if (auto a = std::get_if<AddForeignKey>(&tc)) clause(a->fk.pos);
                        if (auto a = std::get_if<AddUnique>(&tc)) clause(a->unique.pos);
                        if (auto k = std::get_if<ChangePrimaryKey>(&tc); k && k->to) clause(k->to->pos);
                        out.push_back({describe(tc, c.to), at, verb_of(tc)});
                    }
                } else {
                    std::string text = describe(change);
                    if constexpr (std::is_same_v<T, DropTable> || std::is_same_v<T, DropIndex> ||
                                  std::is_same_v<T, DropView> || std::is_same_v<T, DropTrigger> ||
                                  std::is_same_v<T, DropVirtualTable>)
                        text += " (not declared)";
                    out.push_back({text, pos, verb_of(change)});
                }
            },
            change);
    }
    return out;
}

Finding compare(const Schema& from, const Schema& declared, Dialect dialect, std::string kind, std::string title,
                std::string hint, bool markdown = false) {
    Finding f{std::move(kind), std::move(title), std::move(hint), {}, {}, {}};
    Diff d = diff(from, declared, Renames::declared_in(declared));
    if (d.empty()) return f;
    f.items = items_of(d, declared);
    PlanOptions options;
    options.dialect = dialect;
    f.plan = make_plan(d, from, declared, options);
    if (markdown) f.view = change_markdown(d, f.plan, declared);
    return f;
}

// --- output formats ------------------------------------------------------------------

void print_github(const std::vector<Finding>& findings, const Project& p) {
    for (const auto& f : findings) {
        for (const auto& item : f.items) {
            std::string props;
            if (item.pos.known())
                props = fmt::format(" file={},line={},col={},", github_escape(item.pos.file, true), item.pos.line,
                                    item.pos.col);
            else
                props = " ";
            props += "title=" + github_escape("schema check: " + f.title, true);
            std::cout << "::error" << props << "::" << github_escape(item.text + " — " + f.hint, false) << "\n";
        }
    }
    if (findings.empty()) std::cout << "::notice title=schema check::" << github_escape(p.db.string(), false)
                                    << ": no drift\n";
}

void print_markdown(const std::vector<Finding>& findings, const Project& p) {
    const std::string where = p.db.empty() ? std::string("the migrations") : "`" + p.db.string() + "`";
    if (findings.empty()) {
        std::cout << "## schema check: no drift\n\n" << where << ", `" << p.schema_dir.string() << "` and `"
                  << p.migrations_dir.string() << "` agree.\n";
        return;
    }
    // Everything from the user (names, expressions, defaults) is escaped: a
    // `||` must not end a table cell, a '<b>' must not render.
    std::string md = fmt::format("## schema check: {} problem{}\n", findings.size(), findings.size() == 1 ? "" : "s");
    for (const auto& f : findings) {
        md += "\n### " + markdown_escape(f.title) + "\n\n" + markdown_escape(f.hint, true) + "\n\n";
        if (f.kind == "applied_file_changed" || f.kind == "unnumbered_file" || f.kind == "sum_differs" ||
            f.kind == "lint_error" || f.kind == "declaration_rejected") {
            for (const auto& i : f.items) md += "- " + markdown_escape(i.text) + "\n";
            continue;
        }
        md += "| | Change | Declared at |\n|:-:|---|---|\n";
        for (const auto& i : f.items) {
            const char sym = i.verb ? char(*i.verb) : ' ';
            md += fmt::format("| `{}` | {} | {} |\n", sym, markdown_escape(i.verb ? i.text.substr(2) : i.text),
                              i.pos.known() ? "`" + i.pos.file + ":" + std::to_string(i.pos.line) + "`" : "—");
        }
        md += f.view;
        if (!f.plan.rebuilt.empty()) {
            md += "\n**Rebuilds** (SQLite's ALTER TABLE cannot make these changes):\n\n";
            for (std::size_t i = 0; i < f.plan.rebuilt.size(); ++i)
                md += "- table " + markdown_escape(f.plan.rebuilt[i].sql()) + ": " +
                      markdown_escape(f.plan.rebuilt_why[i]) + "\n";
        }
        if (!f.plan.data_loss.empty()) {
            md += "\n**Data loss** if migrated as declared:\n\n";
            for (const auto& l : f.plan.data_loss) md += "- ⚠️ " + markdown_escape(l) + "\n";
        }
        // SQL in a fenced block is shown as written; only a fence inside it could end the block.
        std::string sql = migration_text(f.plan, {"NNNN_fix.sql", "rollback/NNNN_fix.sql", false, {}, p.dialect});
        for (auto at = sql.find("```"); at != std::string::npos; at = sql.find("```", at + 4)) sql.insert(at + 1, "\u200b");
        md += "\n<details><summary>The migration that would fix it</summary>\n\n```sql\n" + sql +
              "```\n\n</details>\n";
    }
    std::cout << fit_markdown(md);
}

void print_json(const std::vector<Finding>& findings, const Project& p, Output& out) {
    for (const auto& f : findings)
        for (const auto& i : f.items) {
            nlohmann::json j{{"problem", f.kind}, {"change", i.text}, {"database", p.db.string()}};
            if (i.pos.known()) {
                j["file"] = i.pos.file;
                j["line"] = i.pos.line;
            }
            out.json_line(j);
        }
    nlohmann::json kinds = nlohmann::json::array();
    for (const auto& f : findings) kinds.push_back(f.kind);
    out.json_line(nlohmann::json{{"summary",
                                  {{"database", p.db.string()}, {"drift", !findings.empty()},
                                   {"problems", kinds}}}});
}

void print_human(const std::vector<Finding>& findings, const Project& p, Output& out) {
    if (findings.empty()) {
        std::cout << out.green("no drift") << ": " << (p.db.empty() ? std::string("(offline)") : p.db.string())
                  << ", " << p.schema_dir.string() << " and " << p.migrations_dir.string() << " agree\n";
        return;
    }
    std::cout << out.red(fmt::format("schema check: {} problem{}", findings.size(), findings.size() == 1 ? "" : "s"))
              << "\n";
    for (const auto& f : findings) {
        std::cout << "\n" << out.bold("✗ " + f.title) << "\n  " << f.hint << "\n\n";
        const auto& lines = f.kind == "applied_file_changed" ? std::vector<std::string>{} : f.plan.summary;
        if (lines.empty())
            for (const auto& i : f.items) std::cout << "    " << out.change_line(i.text) << "\n";
        for (const auto& l : lines) std::cout << "    " << out.change_line(l) << "\n";
        for (const auto& l : f.plan.data_loss) std::cout << "    " << out.red("! " + l) << "\n";
        if (!f.plan.steps.empty()) {
            std::cout << "\n" << out.dim("  the migration that would make them agree:") << "\n";
            constexpr int max_lines = 40;
            int lines_shown = 0, lines_left = 0;
            for (const auto& st : f.plan.steps) {
                std::string sql = st.sql + ";";
                std::size_t start = 0;
                while (start < sql.size()) {
                    auto end = sql.find('\n', start);
                    if (end == std::string::npos) end = sql.size();
                    if (lines_shown < max_lines) {
                        std::cout << out.dim("    " + sql.substr(start, end - start)) << "\n";
                        ++lines_shown;
                    } else {
                        ++lines_left;
                    }
                    start = end + 1;
                }
            }
            if (lines_left)
                std::cout << out.dim(fmt::format("    ... {} more lines (`schema diff --print` shows them all)",
                                                 lines_left))
                          << "\n";
        }
    }
}

int run_check(const CheckOptions& o, const Project& p, Output& out) {
    auto sources = read_schema_files(p.schema_dir);
    Schema declared = parse_declared(sources, p.dialect);
    auto dir = migrate::Directory::load(p.migrations_dir);
    dir.require_unique_versions();
    std::vector<Finding> findings;

    // What SQLite itself refuses of schema/ (a generated column naming a
    // missing column, say): at each declaration, before any comparison.
    {
        Finding rejected{"declaration_rejected", "declarations SQLite rejects",
                         "fix them in " + p.schema_dir.string() + ": no migration can create them", {}, {}, {}};
        for (const auto& d : rejected_declarations(declared))
            rejected.items.push_back({"! " + d.message, d.pos, std::nullopt});
        if (!rejected.items.empty()) findings.push_back(std::move(rejected));
    }

    // schema.sum, when the directory has one, must match its files.
    if (auto sum = migrate::check_sum(p.migrations_dir); !sum.message().empty()) {
        Finding f{"sum_differs",
                  sum.kind == migrate::SumCheck::conflicted ? sum.file.string() + " has a merge conflict"
                                                            : sum.file.string() + " does not match the migrations",
                  sum.message(),
                  {},
                  {}};
        for (const auto& c : sum.changed) f.items.push_back({"~ " + c, {}, std::nullopt});
        if (f.items.empty()) f.items.push_back({"! " + sum.message(), {sum.file.string(), 1, 1, 0}, std::nullopt});
        findings.push_back(std::move(f));
    }

    if (!o.offline) {
        Schema live;
        std::vector<migrate::Applied> applied;
        std::vector<migrate::Unnumbered> unnumbered;
        if (fs::exists(p.db)) {
            auto db = migrate::open_to_read(p.db, p.busy_timeout_ms);
            live = inspect_live(db, target_of(p));
            applied = migrate::recorded_history(db, p.history(), dir);
            unnumbered = migrate::unnumbered_files(&db, p.history(), dir);
        } else {
            unnumbered = migrate::unnumbered_files(nullptr, p.history(), dir);
        }
        Finding wrangler_only{"unnumbered_file", "files wrangler would apply and schema would not",
                              "wrangler runs every .sql file of " + p.migrations_dir.string() + ", numbered or not",
                              {},
                              {}};
        for (const auto& u : unnumbered)
            if (u.blocks())
                wrangler_only.items.push_back(
                    {"! " + migrate::unnumbered_message(u, dir), {u.path.string(), 1, 1, 0}, std::nullopt});
        if (!wrangler_only.items.empty()) findings.push_back(std::move(wrangler_only));
        std::size_t pending = dir.migrations.size();
        for (const auto& a : applied) pending -= dir.find(a.version) ? 1 : 0;
        Finding f = compare(live, declared, p.dialect, "database_differs",
                            fs::exists(p.db) ? p.db.string() + " differs from " + p.schema_dir.string()
                                             : p.db.string() + " does not exist",
                            pending ? fmt::format("{} migration{} of {} {} not applied yet (`schema apply`), or the "
                                                  "database was changed by hand",
                                                  pending, pending == 1 ? "" : "s", p.migrations_dir.string(),
                                                  pending == 1 ? "is" : "are")
                                    : "a change made to the database by hand, or a declaration with no migration: "
                                      "`schema diff` writes one",
                            o.format == "markdown");
        if (!f.items.empty()) findings.push_back(std::move(f));

        Finding edited{"applied_file_changed",
                       "applied migrations changed since they ran",
                       "restore the files as they were applied, or accept an edit agreed in review with `schema repair`; "
                       "a change to the schema goes in a new migration",
                       {},
                       {}};
        for (const auto& d : migrate::drift(dir, applied)) {
            const migrate::Migration* m = dir.find(d.version);
            edited.items.push_back(
                {d.kind == migrate::Drift::missing
                     ? fmt::format("- migration {:04} {} was applied but its file is gone", d.version, d.name)
                     : fmt::format("~ {} was edited after it was applied", m->up_path.string()),
                 m ? SourcePos{m->up_path.string(), 1, 1, 0} : SourcePos{}, std::nullopt});
        }
        if (!edited.items.empty()) findings.push_back(std::move(edited));

        // The pending migrations, as `schema lint` judges them: its errors fail
        // the check (its warnings are for `schema lint` to show).
        Finding lint_errors{"lint_error", "pending migrations that lint refuses",
                            "each names its rule (`schema lint` explains them); a file accepts one with a line "
                            "`-- schema:lint ignore RULE`",
                            {},
                            {}};
        try {
            for (const auto& l : lint_project(p))
                if (!l.ignored && l.severity == LintFinding::Severity::error)
                    lint_errors.items.push_back({"! [" + l.rule + "] " + l.message, l.pos, std::nullopt});
        } catch (const InputError&) {
            // A pending file that does not replay: the replay finding below says so.
        }
        if (!lint_errors.items.empty()) findings.push_back(std::move(lint_errors));
    }

    try {
        Finding replay = compare(replay_all(dir), declared, p.dialect, "replay_differs",
                                 "replaying " + p.migrations_dir.string() + " does not give " + p.schema_dir.string(),
                                 p.schema_dir.string() + " changed without `schema diff`, or a migration was "
                                                         "edited by hand",
                                 o.format == "markdown");
        if (!replay.items.empty()) findings.push_back(std::move(replay));
    } catch (const InputError& e) {
        // A history that does not start from an empty database (say, a database
        // adopted without `schema inspect`) cannot be replayed; that is a finding.
        findings.push_back({"replay_differs",
                            "replaying " + p.migrations_dir.string() + " on an empty database fails",
                            "the history must build the schema from nothing: `schema inspect` writes an initial "
                            "migration for an adopted database",
                            {{std::string("! ") + e.what(), {}}},
                            {}});
    }

    if (o.format == "github") print_github(findings, p);
    else if (o.format == "markdown") print_markdown(findings, p);
    else if (o.format == "json" || out.json()) print_json(findings, p, out);
    else print_human(findings, p, out);
    return findings.empty() ? 0 : 1;
}

}  // namespace

void register_check(CLI::App& app, Globals& g, int& exit_code) {
    auto opts = std::make_shared<CheckOptions>();
    auto* cmd = app.add_subcommand("check", "CI gate: fail when the database, schema/ and generated/ disagree");
    cmd->add_flag("--offline", opts->offline, "only check that generated/ replays to schema/ (no database)");
    cmd->callback([opts, &g, &exit_code] {
        Output out(g.no_color, g.wants_json());
        opts->format = g.format;  // the global --format: errors before the check report in it too
        exit_code = for_each_project(g, out, [&](const Project& p) { return run_check(*opts, p, out); },
                                     /*need_db=*/!opts->offline);
    });
}

}  // namespace schema::cli

// The command line's definition and how a run goes: parse, run the command,
// turn every failure (a mistyped command included) into the exit codes and
// output formats errors.hpp describes.
#include "app.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <iostream>
#include <map>

#include "errors.hpp"
#include "schema/version.hpp"

namespace schema::cli {

void register_completion(CLI::App& app);
void register_man(CLI::App& app);

namespace {

const std::map<std::string, std::vector<std::string>>& all_examples() {
    static const std::map<std::string, std::vector<std::string>> examples = {
        {"", {"schema diff -m add_users          # write the next migration pair from schema/",
              "schema apply                      # run the pending migrations (backup first)",
              "schema check --format github      # in CI: fail on drift, annotate the pull request"}},
        {"diff", {"schema diff -m add_users", "schema diff --print --format markdown    # show it, write nothing"}},
        {"check", {"schema check --format github", "schema check --offline    # without a database: generated/ replays to schema/"}},
        {"apply", {"schema apply", "schema apply --dry-run    # print the SQL it would run",
                   "schema apply --fleet 'tenants/*.db' -j 4"}},
        {"rollback", {"schema rollback               # the newest migration", "schema rollback --to 3 --dry-run"}},
        {"rollback-for", {"schema rollback-for 7    # the rollback wrangler's 0007 lacks, proven"}},
        {"status", {"schema status", "schema status --json", "schema --remote status    # D1, through wrangler"}},
        {"validate", {"schema validate"}},
        {"new", {"schema new backfill_display_names    # an empty pair to write by hand"}},
        {"baseline", {"schema baseline 3    # an existing database already has 1-3"}},
        {"inspect", {"schema --db legacy.db inspect    # schema/ and a first migration from a live database"}},
        {"repair", {"schema repair --dry-run    # an applied file was edited: show the proof"}},
        {"push", {"schema push    # a development database straight to schema/, no file"}},
        {"hash", {"schema hash    # record hand edits in schema.sum"}},
        {"rebase", {"schema rebase main", "schema rebase --after 7 --squash"}},
        {"lint", {"schema lint", "schema lint --git-base origin/main --format github    # a pull request, no database"}},
        {"erd", {"schema erd --type svg -o schema.svg", "schema erd --changed    # Mermaid: what the pending change touches"}},
        {"embed", {"schema embed -o migrations.cpp --header migrations.hpp --function app::migrations"}},
        {"help", {"schema help diff"}},
        {"completion", {"source <(schema completion bash)", "schema completion fish > ~/.config/fish/completions/schema.fish"}},
    };
    return examples;
}

// A command's usage line names the program too: "Usage: schema diff [OPTIONS]".
class Formatter : public CLI::Formatter {
public:
    std::string make_usage(const CLI::App* app, std::string name) const override {
        if (app->get_parent() && !name.empty() && name.find(' ') == std::string::npos)
            name = app->get_parent()->get_name() + " " + name;
        return CLI::Formatter::make_usage(app, name);
    }
};

// "  --db TEXT   SQLite database file", for the options of `app` itself; a
// long name puts its description on the next line.
std::string options_table(const CLI::App& app) {
    std::vector<std::pair<std::string, std::string>> rows;
    std::size_t width = 0;
    for (const CLI::Option* o : app.get_options()) {
        if (o->get_name() == "--help" || o->get_name() == "--version") continue;
        std::string name = o->get_name(false, true);
        if (!o->get_type_name().empty() && o->get_type_size() != 0) name += " " + o->get_type_name();
        width = std::max(width, name.size());
        rows.emplace_back(name, o->get_description());
    }
    width = std::min<std::size_t>(width, 24);
    std::string out;
    for (const auto& [name, description] : rows)
        out += name.size() <= width ? fmt::format("  {:<{}}  {}\n", name, width, description)
                                    : fmt::format("  {}\n  {:<{}}  {}\n", name, "", width, description);
    return out;
}

std::string examples_text(const std::string& command) {
    const auto& list = examples_of(command);
    if (list.empty()) return {};
    std::string out = "\nEXAMPLES:\n";
    for (const auto& e : list) out += "  " + e + "\n";
    return out;
}

// Whether the arguments ask for JSON (parsed or not: a parse error is reported in it too).
bool asks_for_json(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--json" || a == "--format=json" || (a == "--format" && i + 1 < argc && std::string(argv[i + 1]) == "json"))
            return true;
    }
    return false;
}

// CLI11's message, with "did you mean" for a mistyped command or option.
std::string parse_error_message(const CLI::App& app, const CLI::ParseError& e) {
    std::string message = e.what();
    const CLI::App* command = app.get_subcommands().empty() ? nullptr : app.get_subcommands().front();
    std::vector<std::string> remaining = command ? command->remaining() : app.remaining();
    if (remaining.empty()) remaining = app.remaining();
    std::vector<std::string> options;
    for (const CLI::App* a : {&app, command}) {
        if (!a) continue;
        for (const CLI::Option* o : a->get_options())
            for (const auto& n : o->get_lnames()) options.push_back("--" + n);
    }
    std::vector<std::string> commands;
    for (const CLI::App* c : visible_commands(app)) commands.push_back(c->get_name());
    for (const auto& arg : remaining) {
        if (arg.rfind("--", 0) == 0) {
            const std::string typed = arg.substr(0, arg.find('='));
            if (auto m = closest_match(typed, options); !m.empty())
                return fmt::format("unknown option {}: did you mean {}?", typed, m);
            return fmt::format("unknown option {} (schema {}--help lists them)", typed,
                               command ? command->get_name() + " " : "");
        }
        if (!command && arg[0] != '-') {
            if (auto m = closest_match(arg, commands); !m.empty())
                return fmt::format("unknown command {}: did you mean {}?", arg, m);
            return fmt::format("unknown command {} (schema --help lists them)", arg);
        }
    }
    return message + fmt::format(" (schema {}--help shows the usage)", command ? command->get_name() + " " : "");
}

}  // namespace

const std::vector<std::string>& examples_of(const std::string& command) {
    static const std::vector<std::string> none;
    auto it = all_examples().find(command);
    return it == all_examples().end() ? none : it->second;
}

std::vector<const CLI::App*> visible_commands(const CLI::App& app) {
    std::vector<const CLI::App*> out;
    for (const CLI::App* c : app.get_subcommands([](const CLI::App* c) { return !c->get_group().empty(); }))
        out.push_back(c);
    return out;
}

std::string closest_match(const std::string& typed, const std::vector<std::string>& candidates) {
    // Optimal string alignment distance: a transposition counts as one edit.
    auto distance = [](const std::string& a, const std::string& b) {
        std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
        for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
        for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i)
            for (std::size_t j = 1; j <= b.size(); ++j) {
                d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        return d[a.size()][b.size()];
    };
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, typed.size() / 3) + 1;
    for (const auto& c : candidates) {
        // A prefix of one candidate ("sta" for status) is as good as a typo.
        const std::size_t dist = c.size() > typed.size() && c.compare(0, typed.size(), typed) == 0 && typed.size() >= 2
                                     ? 1
                                     : distance(typed, c);
        if (dist < best_distance) best_distance = dist, best = c;
    }
    return best;
}

std::string version_text() {
    return fmt::format("schema {} (commit {})\nSQLite {} in use (built with {})", SCHEMA_VERSION, SCHEMA_COMMIT,
                       sqlite3_libversion(), SQLITE_VERSION);
}

std::unique_ptr<CommandLine> make_command_line() {
    auto cl = std::make_unique<CommandLine>();
    CLI::App& app = cl->app;
    Globals& g = cl->g;
    int& exit_code = cl->exit_code;
    app.formatter(std::make_shared<Formatter>());
    app.set_version_flag("--version", [] { return version_text(); }, "the version, its commit and SQLite's");
    app.fallthrough();  // global options may come after the command too
    app.add_option("--db", g.db, "SQLite database file")->type_name("FILE");
    app.add_option("--schema", g.schema_dir, "directory of declared DDL (default: schema)")->type_name("DIR");
    app.add_option("--dir", g.migrations_dir, "migrations directory (default: generated)")->type_name("DIR");
    app.add_option("--config", g.config, "project file (default: the nearest schema.toml, here or above; "
                                         "SCHEMA_CONFIG)")
        ->type_name("FILE");
    app.add_option("--env", g.env, "environment: schema.toml's [env.NAME] and wrangler's (also: SCHEMA_ENV)")
        ->type_name("NAME");
    app.add_option("-d,--database", g.database, "the database of schema.toml to work on")->type_name("NAME");
    app.add_flag("--all", g.all, "run the command for every database of schema.toml");
    app.add_option("--table", g.tracking_table, "tracking table (default: _migrations)")->type_name("NAME");
    app.add_option("--backup-dir", g.backup_dir, "where apply/rollback copy the database first (default: backups/ "
                                                 "beside it)")
        ->type_name("DIR");
    app.add_option("--keep-backups", g.keep_backups, "how many copies to keep (default: 5)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--busy-timeout", g.busy_timeout_ms, "milliseconds to wait for another writer (default: 60000)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--dialect", g.dialect, "sqlite (default) or d1: write and run migrations for Cloudflare D1")
        ->check(CLI::IsMember({"sqlite", "d1"}));
    auto* remote = app.add_flag("--remote", g.remote,
                                "D1: the database in Cloudflare, through wrangler (status, check, diff, inspect, lint, "
                                "apply, rollback)");
    app.add_flag("--local", g.local, "D1: wrangler's local database, through wrangler as --remote goes")
        ->excludes(remote);
    app.add_flag("--json", g.json, "one JSON object per line instead of text");
    app.add_option("--format", g.format,
                   "human (default), json, github (workflow annotations), markdown: for check's findings and "
                   "for any error, at its file, line and column")
        ->check(CLI::IsMember({"human", "json", "github", "markdown"}));
    app.add_flag("--no-color", g.no_color, "no colors (also: NO_COLOR=1)");

    register_diff(app, g, exit_code);
    register_check(app, g, exit_code);
    register_apply(app, g, exit_code);
    register_rollback(app, g, exit_code);
    register_rollback_for(app, g, exit_code);
    register_status(app, g, exit_code);
    register_validate(app, g, exit_code);
    register_new(app, g, exit_code);
    register_baseline(app, g, exit_code);
    register_inspect(app, g, exit_code);
    register_repair(app, g, exit_code);
    register_push(app, g, exit_code);
    register_hash(app, g, exit_code);
    register_rebase(app, g, exit_code);
    register_lint(app, g, exit_code);
    register_erd(app, g, exit_code);
    register_embed(app, g, exit_code);

    // `schema help [COMMAND]`: the same text as --help.
    auto topic = std::make_shared<std::string>();
    auto* help = app.add_subcommand("help", "Show the help of schema or of one command");
    help->add_option("COMMAND", *topic, "the command");
    help->callback([&app, topic] {
        if (topic->empty()) {  // (app.help() would show the command that ran: this one)
            std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
            return;
        }
        for (const CLI::App* c : visible_commands(app))
            if (c->get_name() == *topic) {
                std::cout << c->help();
                return;
            }
        std::vector<std::string> names;
        for (const CLI::App* c : visible_commands(app)) names.push_back(c->get_name());
        const std::string m = closest_match(*topic, names);
        throw InputError(m.empty() ? fmt::format("no command {} (schema --help lists them)", *topic)
                                   : fmt::format("no command {}: did you mean {}?", *topic, m));
    });
    register_completion(app);
    register_man(app);

    // Every command's --help also lists the options it shares with the others, and examples.
    const std::string globals = "\nGLOBAL OPTIONS (before or after the command):\n" + options_table(app);
    for (CLI::App* c : app.get_subcommands([](const CLI::App*) { return true; }))
        c->footer(globals + examples_text(c->get_name()));
    app.footer(examples_text("") + "\nschema help COMMAND (or schema COMMAND --help) shows a command's options.");
    // Without a command, the help.
    app.require_subcommand(0, 1);
    app.callback([&app] {
        if (app.get_subcommands().empty()) std::cout << app.help();
    });
    return cl;
}

int run_command_line(int argc, char** argv) {
    auto cl = make_command_line();
    const bool json = asks_for_json(argc, argv);
    try {
        cl->app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return cl->app.exit(e);  // --help, --version
        Failure f;
        f.code = 2;
        f.message = "error: " + parse_error_message(cl->app, e);
        report_failure(f, json ? "json" : cl->g.format);
        return 2;
    } catch (...) {
        Failure f = describe_failure(std::current_exception());
        report_failure(f, json || cl->g.wants_json() ? "json" : cl->g.format);
        return f.code;
    }
    return cl->exit_code;
}

}  // namespace schema::cli

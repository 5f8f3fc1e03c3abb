// The command line. Exit codes: 0 ok; 1 differences found, data would be lost,
// or a migration failed; 2 bad input (DDL, options, files); 3 internal error.
#include <iostream>

#include "context.hpp"
#include "errors.hpp"
#include "schema/version.hpp"

using namespace schema;
using namespace schema::cli;

int main(int argc, char** argv) {
    CLI::App app{"schema-as-code for SQLite: declare the schema in DDL files, generate reviewed, reversible "
                 "migrations, apply them with a tracked runner.",
                 "schema"};
    app.set_version_flag("--version", std::string("schema ") + SCHEMA_VERSION);
    app.require_subcommand(1);
    app.fallthrough();  // global options may come after the command too
    Globals g;
    app.add_option("--db", g.db, "SQLite database file");
    app.add_option("--schema", g.schema_dir, "directory of declared DDL (default: schema)");
    app.add_option("--dir", g.migrations_dir, "migrations directory (default: generated)");
    app.add_option("--config", g.config, "project file (default: the nearest schema.toml, here or above; "
                                         "SCHEMA_CONFIG)");
    app.add_option("--env", g.env, "environment: schema.toml's [env.NAME] and wrangler's (also: SCHEMA_ENV)");
    app.add_option("-d,--database", g.database, "the database of schema.toml to work on");
    app.add_flag("--all", g.all, "run the command for every database of schema.toml");
    app.add_option("--table", g.tracking_table, "tracking table (default: _migrations)");
    app.add_option("--backup-dir", g.backup_dir, "where apply/rollback copy the database first (default: backups/ "
                                                 "beside it)");
    app.add_option("--keep-backups", g.keep_backups, "how many copies to keep (default: 5)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--busy-timeout", g.busy_timeout_ms, "milliseconds to wait for another writer (default: 60000)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--dialect", g.dialect, "sqlite (default) or d1: write and run migrations for Cloudflare D1");
    app.add_flag("--json", g.json, "one JSON object per line instead of text");
    app.add_option("--format", g.format,
                   "human (default), json, github (workflow annotations), markdown: for check's findings and "
                   "for any error, at its file, line and column")
        ->check(CLI::IsMember({"human", "json", "github", "markdown"}));
    app.add_flag("--no-color", g.no_color, "no colors (also: NO_COLOR=1)");

    int exit_code = 0;
    register_diff(app, g, exit_code);
    register_check(app, g, exit_code);
    register_apply(app, g, exit_code);
    register_rollback(app, g, exit_code);
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

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    } catch (...) {
        Failure f = describe_failure(std::current_exception());
        report_failure(f, g.wants_json() ? "json" : g.format);
        return f.code;
    }
    return exit_code;
}

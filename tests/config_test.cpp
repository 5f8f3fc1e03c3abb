// Configuration as users expect it: schema.toml found from a subfolder,
// SCHEMA_<KEY> variables, [env.NAME] environments, wrangler's environments for
// D1, and errors that name the file, the line and the key. Through the real CLI.
#include <doctest/doctest.h>

#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A project with schema.toml at its root, one table declared, migrations
// generated and applied to app.db.
void applied_project(Project& p, const std::string& toml = "db = \"app.db\"\n") {
    test::write_file(p.root() / "schema.toml", toml);
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n");
    REQUIRE(test::run_cli({"diff", "-m", "init"}, p.root()).code == 0);
    REQUIRE(test::run_cli({"apply", "--no-backup"}, p.root()).code == 0);
}

}  // namespace

TEST_CASE("config: schema.toml is found from a subfolder, and its paths stay relative to it") {
    Project p;
    applied_project(p);
    fs::create_directories(p.root() / "src/deep");
    auto r = test::run_cli({"--no-color", "status"}, p.root() / "src/deep");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "../../app.db: 1 applied, 0 pending"));
    r = test::run_cli({"check"}, p.root() / "schema");
    CHECK_MESSAGE(r.code == 0, r.out << r.err);
    // diff from the subfolder writes where the file says, not under the subfolder.
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, tag TEXT);\n");
    r = test::run_cli({"diff", "-m", "tag"}, p.root() / "src/deep");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(fs::exists(p.generated() / "0002_tag.sql"));
    CHECK(!fs::exists(p.root() / "src/deep/generated"));
}

TEST_CASE("config: without a schema.toml or --db, commands that need a database say so (exit 2)") {
    Project p;
    // A .git folder ends the walk, as it ends git's: a schema.toml above a
    // repository is not this project's.
    fs::create_directories(p.root() / "repo/.git");
    test::write_file(p.root() / "schema.toml", "db = \"outside.db\"\n");
    fs::create_directories(p.root() / "repo/sub");
    for (const auto& cwd : {p.root() / "repo", p.root() / "repo/sub"}) {
        auto r = test::run_cli({"status"}, cwd);
        CHECK(r.code == 2);
        CHECK(contains(r.err, "no database: pass --db FILE, set SCHEMA_DB, or write a schema.toml"));
        CHECK(!contains(r.out, "(no database)"));
    }
    // In a folder of the project above, the file is found.
    fs::create_directories(p.root() / "other");
    CHECK(contains(test::run_cli({"status"}, p.root() / "other").out, "../outside.db"));
}

TEST_CASE("config: SCHEMA_<KEY> variables override the file, flags override both") {
    Project p;
    applied_project(p);
    test::exec_sql(p.root() / "other.db", "CREATE TABLE x (a);");
    auto r = test::run_cli({"--no-color", "status"}, p.root(), {{"SCHEMA_DB", "other.db"}});
    CHECK(contains(r.out, "other.db: 0 applied, 1 pending"));
    r = test::run_cli({"--no-color", "--db", "app.db", "status"}, p.root(), {{"SCHEMA_DB", "other.db"}});
    CHECK(contains(r.out, "app.db: 1 applied, 0 pending"));
    r = test::run_cli({"--no-color", "status"}, p.root(), {{"SCHEMA_TRACKING_TABLE", "history"}});
    CHECK(contains(r.out, "0 applied, 1 pending"));
    // A variable's bad value is named with the variable.
    r = test::run_cli({"status"}, p.root(), {{"SCHEMA_KEEP_BACKUPS", "many"}});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "environment variable SCHEMA_KEEP_BACKUPS=many: expected a whole number"));
    r = test::run_cli({"status"}, p.root(), {{"SCHEMA_BACKUPS", "perhaps"}});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "SCHEMA_BACKUPS=perhaps: expected true or false"));
    // Set but empty reads as unset.
    r = test::run_cli({"--no-color", "status"}, p.root(), {{"SCHEMA_DB", ""}});
    CHECK(contains(r.out, "app.db: 1 applied"));
    // A variable naming one path cannot serve several databases.
    Project two;
    test::write_file(two.root() / "schema.toml", "[databases.a]\ndb = \"a.db\"\n[databases.b]\ndb = \"b.db\"\n");
    r = test::run_cli({"--all", "status"}, two.root(), {{"SCHEMA_DB", "one.db"}});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "SCHEMA_DB and --all do not go together"));
    r = test::run_cli({"--all", "status"}, two.root(), {{"SCHEMA_MIGRATIONS", "m"}});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "SCHEMA_MIGRATIONS names one path, and 2 databases are selected"));
    // SCHEMA_CONFIG names the file as --config does.
    fs::create_directories(p.root() / "elsewhere");
    r = test::run_cli({"--no-color", "status"}, p.root() / "elsewhere", {{"SCHEMA_CONFIG", "../schema.toml"}});
    CHECK(contains(r.out, "app.db: 1 applied"));
    // With no file at all, SCHEMA_DB is enough.
    Project bare;
    bare.declare("CREATE TABLE t (id INTEGER PRIMARY KEY);\n");
    r = test::run_cli({"diff", "-m", "init"}, bare.root(), {{"SCHEMA_DB", "env.db"}});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(test::run_cli({"apply", "--no-backup"}, bare.root(), {{"SCHEMA_DB", "env.db"}}).code == 0);
    CHECK(test::query_one(bare.root() / "env.db", "SELECT count(*) FROM _migrations") == "1");
}

TEST_CASE("config: [env.NAME] overrides keys, chosen with --env or SCHEMA_ENV") {
    Project p;
    applied_project(p, "db = \"app.db\"\n"
                       "keep_backups = 3\n"
                       "[env.staging]\n"
                       "db = \"staging.db\"\n"
                       "[env.prod]\n"
                       "db = \"prod.db\"\n"
                       "tracking_table = \"schema_history\"\n");
    REQUIRE(test::run_cli({"--env", "prod", "apply", "--no-backup"}, p.root()).code == 0);
    CHECK(test::query_one(p.root() / "prod.db", "SELECT count(*) FROM schema_history") == "1");
    REQUIRE(test::run_cli({"apply", "--no-backup"}, p.root(), {{"SCHEMA_ENV", "staging"}}).code == 0);
    CHECK(test::query_one(p.root() / "staging.db", "SELECT count(*) FROM _migrations") == "1");
    // The flag beats the variable.
    auto r = test::run_cli({"--no-color", "--env", "prod", "status"}, p.root(), {{"SCHEMA_ENV", "staging"}});
    CHECK(contains(r.out, "prod.db: 1 applied"));
    // An environment the file does not have: the error lists those it has.
    r = test::run_cli({"--env", "qa", "status"}, p.root());
    CHECK(r.code == 2);
    CHECK(contains(r.err, "schema.toml:3:"));
    CHECK(contains(r.err, "no environment [env.qa] (it has: prod, staging)"));
    // An environment asked for where the file declares none is refused (only
    // wrangler's config could use it, and this project is not D1).
    Project plain;
    test::write_file(plain.root() / "schema.toml", "db = \"app.db\"\n");
    r = test::run_cli({"--env", "prod", "status"}, plain.root());
    CHECK(r.code == 2);
    CHECK(contains(r.err, "--env prod asked for, and the file declares no [env.NAME]"));
    // A bad key inside an environment is named with its table and line.
    test::write_file(p.root() / "schema.toml", "db = \"app.db\"\n[env.prod]\ndb = \"prod.db\"\nkeep_backup = 1\n");
    r = test::run_cli({"--env", "prod", "status"}, p.root());
    CHECK(r.code == 2);
    CHECK(contains(r.err, "schema.toml:4:1: env.prod.keep_backup: unknown key"));
}

TEST_CASE("config: [env.NAME.databases.X] overrides one database of several") {
    Project p;
    test::write_file(p.root() / "schema.toml", "[databases.api]\ndb = \"api.db\"\n"
                                               "[databases.jobs]\ndb = \"jobs.db\"\n"
                                               "[env.prod.databases.api]\ndb = \"prod-api.db\"\n");
    test::write_file(p.root() / "schema/api/a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    test::write_file(p.root() / "schema/jobs/j.sql", "CREATE TABLE j (id INTEGER PRIMARY KEY);\n");
    REQUIRE(test::run_cli({"--all", "diff", "-m", "init"}, p.root()).code == 0);
    auto r = test::run_cli({"--env", "prod", "--all", "apply", "--no-backup"}, p.root());
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(fs::exists(p.root() / "prod-api.db"));
    CHECK(!fs::exists(p.root() / "api.db"));
    CHECK(fs::exists(p.root() / "jobs.db"));
}

TEST_CASE("config: --env picks wrangler's [env.NAME] d1_databases, with its migrations_dir and migrations_table") {
    for (const std::string format : {"toml", "jsonc"}) {
        CAPTURE(format);
        Project p;
        p.declare("CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
        if (format == "toml")
            test::write_file(p.root() / "wrangler.toml",
                             "name = \"x\"\n"
                             "[[env.staging.d1_databases]]\nbinding = \"DB\"\ndatabase_name = \"app-staging\"\n"
                             "migrations_dir = \"staging-migrations\"\nmigrations_table = \"staging_log\"\n"
                             "[[env.production.d1_databases]]\nbinding = \"DB\"\ndatabase_name = \"app\"\n");
        else
            test::write_file(p.root() / "wrangler.jsonc",
                             "{ \"name\": \"x\", // a comment\n"
                             "  \"env\": { \"staging\": { \"d1_databases\": [ { \"binding\": \"DB\", "
                             "\"database_name\": \"app-staging\", \"migrations_dir\": \"staging-migrations\", "
                             "\"migrations_table\": \"staging_log\" } ] },\n"
                             "           \"production\": { \"d1_databases\": [ { \"binding\": \"DB\", "
                             "\"database_name\": \"app\" } ] } } }\n");
        test::write_file(p.root() / "schema.toml", "dialect = \"d1\"\ndb = \"local.db\"\n");
        // Only environments declare databases: without --env, say so rather than
        // write where wrangler does not read.
        auto r = test::run_cli({"diff", "-m", "init"}, p.root());
        CHECK(r.code == 2);
        CHECK(contains(r.err, "declares D1 databases only in its environments (production, staging): pick one "
                              "with --env NAME"));
        r = test::run_cli({"--env", "staging", "diff", "-m", "init"}, p.root());
        REQUIRE_MESSAGE(r.code == 0, r.err);
        CHECK(fs::exists(p.root() / "staging-migrations/0001_init.sql"));
        REQUIRE(test::run_cli({"--env", "staging", "apply", "--no-backup"}, p.root()).code == 0);
        CHECK(test::query_one(p.root() / "local.db", "SELECT name FROM staging_log") == "0001_init.sql");
        r = test::run_cli({"--env", "qa", "status"}, p.root());
        CHECK(r.code == 2);
        CHECK(contains(r.err, "no environment \"qa\" (it has: production, staging)"));
    }
}

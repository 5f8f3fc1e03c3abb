// The D1 dialect without wrangler: what `schema` writes and how its runner
// behaves on a D1 database file (foreign keys on, history in d1_migrations).
// tests/d1/d1_dialect_test.sh runs the same against wrangler's local D1.
#include <doctest/doctest.h>

#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {

// `schema --dialect d1 --dir generated ...` (no wrangler config in the project).
test::CliResult d1(const Project& p, std::vector<std::string> args) {
    args.insert(args.begin(), {"--dialect", "d1", "--dir", "generated"});
    return p.schema(args);
}

// The project's database created by the D1 dialect's initial migration for `schema`.
void created_by_d1(Project& p, const std::string& schema) {
    p.declare(schema);
    REQUIRE(d1(p, {"diff", "-m", "init"}).code == 0);
    REQUIRE(d1(p, {"apply"}).code == 0);
}

const char* kFamily =
    "CREATE TABLE parents (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT CHECK (kind IN ('a', 'b')));\n"
    "CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parents (id) ON DELETE "
    "CASCADE);\n"
    "CREATE TABLE pets (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES parents (id) ON DELETE SET NULL, "
    "kid_id INTEGER REFERENCES kids (id) ON DELETE CASCADE);\n"
    "CREATE TABLE toys (id INTEGER PRIMARY KEY, pet_id INTEGER NOT NULL REFERENCES pets (id) ON DELETE CASCADE);\n";

}  // namespace

TEST_CASE("d1: declarations D1 refuses are errors at their line") {
    Project p;
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n"
              "CREATE VIRTUAL TABLE places USING rtree(id, x0, x1);\n"
              "CREATE TABLE _cf_cache (k TEXT);\n"
              "CREATE VIRTUAL TABLE notes_fts USING fts5(body);\n");
    auto r = d1(p, {"diff"});
    CHECK(r.code == 2);
    CHECK(r.err.find("schema/schema.sql:2:1: error: virtual table places: D1 does not allow the module rtree") !=
          std::string::npos);
    CHECK(r.err.find("schema/schema.sql:3:1: error: table _cf_cache: D1 reserves names starting with _cf_") !=
          std::string::npos);
    CHECK(r.err.find("notes_fts") == std::string::npos);  // fts5 is allowed
    CHECK(p.files().empty());
    // rtree is fine for plain SQLite; D1's own names are refused there too.
    auto plain = p.schema({"diff", "--print"});
    CHECK(plain.code == 2);
    CHECK(plain.err.find("places") == std::string::npos);
    CHECK(plain.err.find("_cf_cache") != std::string::npos);
}

TEST_CASE("d1: a rebuild runs with foreign keys on and keeps every row of children and grandchildren") {
    Project p;
    created_by_d1(p, kFamily);
    p.exec("PRAGMA foreign_keys = ON;"
           "INSERT INTO parents (kind) VALUES ('a'), ('b'), ('a'); DELETE FROM parents WHERE id = 3;"
           "INSERT INTO kids VALUES (1, 1), (2, 1), (3, 2);"
           "INSERT INTO pets VALUES (1, 1, 1), (2, 2, NULL), (3, NULL, 3);"
           "INSERT INTO toys VALUES (1, 1), (2, 2), (3, 3);");
    const std::string rows = "SELECT (SELECT count(*) FROM kids) || ' ' || (SELECT count(*) FROM pets WHERE "
                             "owner_id IS NOT NULL) || ' ' || (SELECT count(*) FROM toys) || ' ' || (SELECT seq FROM "
                             "sqlite_sequence WHERE name = 'parents')";
    const std::string before = p.one(rows);
    CHECK(before == "3 2 3 3");

    std::string schema = kFamily;
    schema.replace(schema.find("('a', 'b')"), 10, "('a', 'b', 'c')");
    p.declare(schema);
    REQUIRE(d1(p, {"diff", "-m", "kind_c"}).code == 0);
    std::string up = test::read_file(p.generated() / "0002_kind_c.sql");
    CHECK(up.find("schema: foreign_keys=off") == std::string::npos);  // D1 cannot switch them off
    CHECK(up.find("PRAGMA defer_foreign_keys = ON;") != std::string::npos);
    CHECK(up.find("For Cloudflare D1") != std::string::npos);

    auto r = d1(p, {"apply", "--no-backup"});
    REQUIRE(r.code == 0);
    CHECK(p.one(rows) == before);
    CHECK(p.one("SELECT count(*) FROM pragma_foreign_key_check") == "0");
    CHECK(d1(p, {"check"}).code == 0);

    // The raw file, as wrangler runs it: one transaction, foreign keys on.
    REQUIRE(d1(p, {"rollback", "--no-backup"}).code == 0);
    CHECK(p.one(rows) == before);
    p.exec("PRAGMA foreign_keys = ON; BEGIN;\n" + up + "\nCOMMIT;");
    CHECK(p.one(rows) == before);
}

namespace {

// Declares `schema`, writes and applies the migration to it, and checks that
// `rows` reads the same after apply, after rollback, and after the raw file run
// as wrangler runs it (one transaction, foreign keys on).
void rebuild_keeps_rows(Project& p, const std::string& schema, const std::string& name, const std::string& rows) {
    const std::string before = p.one(rows);
    p.declare(schema);
    auto diff = d1(p, {"diff", "-m", name});
    REQUIRE_MESSAGE(diff.code == 0, diff.err);
    const auto files = p.files();
    const std::string up = test::read_file(p.generated() / files[files.size() / 2 - 1]);
    auto apply = d1(p, {"apply", "--no-backup"});
    REQUIRE_MESSAGE(apply.code == 0, apply.err);
    CHECK(p.one(rows) == before);
    CHECK(p.one("SELECT count(*) FROM pragma_foreign_key_check") == "0");
    CHECK(d1(p, {"check"}).code == 0);
    auto rollback = d1(p, {"rollback", "--no-backup"});
    REQUIRE_MESSAGE(rollback.code == 0, rollback.err);
    CHECK(p.one(rows) == before);
    p.exec("PRAGMA foreign_keys = ON; BEGIN;\n" + up + "\nCOMMIT;");
    CHECK(p.one(rows) == before);
    CHECK(p.one("SELECT count(*) FROM pragma_foreign_key_check") == "0");
}

}  // namespace

TEST_CASE("d1: tables that reference each other are rebuilt with foreign keys on, every row kept") {
    // teams.owner_id -> users and users.team_id -> teams, a self-reference, ON
    // DELETE actions that would fire if a parent were dropped while referenced,
    // and an index and a trigger that must come back.
    const std::string schema =
        "CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT,\n"
        "  owner_id INTEGER REFERENCES users (id) ON DELETE CASCADE);\n"
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT,\n"
        "  team_id INTEGER REFERENCES teams (id) ON DELETE SET NULL,\n"
        "  manager_id INTEGER REFERENCES users (id) ON DELETE CASCADE);\n"
        "CREATE INDEX users_team ON users (team_id);\n"
        "CREATE TABLE log (what TEXT);\n"
        "CREATE TRIGGER users_log AFTER DELETE ON users BEGIN INSERT INTO log VALUES ('gone ' || OLD.id); END;\n";
    Project p;
    created_by_d1(p, schema);
    p.exec("PRAGMA foreign_keys = ON; BEGIN; PRAGMA defer_foreign_keys = ON;"
           "INSERT INTO teams VALUES (1, 'red', 1), (2, 'blue', 3), (5, 'empty', NULL);"
           "INSERT INTO users VALUES (1, 'ann', 1, NULL), (3, 'bob', 2, 1), (4, 'cy', 1, 3);"
           "COMMIT;");
    const std::string rows = "SELECT (SELECT group_concat(id || ':' || name || ':' || ifnull(owner_id, '-'), ' ') "
                             "FROM teams) || ' | ' || (SELECT group_concat(id || ':' || ifnull(team_id, '-') || ':' "
                             "|| ifnull(manager_id, '-'), ' ') FROM users) || ' | ' || (SELECT count(*) FROM log)";
    REQUIRE(p.one(rows) == "1:red:1 2:blue:3 5:empty:- | 1:1:- 3:2:1 4:1:3 | 0");

    SUBCASE("the table referenced back changes") {
        std::string changed = schema;
        changed.replace(changed.find("name TEXT,"), 10, "name TEXT NOT NULL DEFAULT '',");
        rebuild_keeps_rows(p, changed, "team_name", rows);
    }
    SUBCASE("the self-referencing table changes") {
        std::string changed = schema;
        changed.replace(changed.rfind("name TEXT,"), 10, "name TEXT COLLATE NOCASE,");
        rebuild_keeps_rows(p, changed, "user_name", rows);
    }
    CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name IN ('users_team', 'users_log')") == "2");
}

TEST_CASE("d1: a cycle of three tables is rebuilt when only one of them changes") {
    const std::string schema = "CREATE TABLE a (id INTEGER PRIMARY KEY, c_id INTEGER REFERENCES c (id), v TEXT);\n"
                               "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER NOT NULL REFERENCES a (id));\n"
                               "CREATE TABLE c (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b (id));\n";
    Project p;
    created_by_d1(p, schema);
    p.exec("PRAGMA foreign_keys = ON; BEGIN; PRAGMA defer_foreign_keys = ON;"
           "INSERT INTO a VALUES (1, 1, 'x'); INSERT INTO b VALUES (1, 1); INSERT INTO c VALUES (1, 1);"
           "COMMIT;");
    const std::string rows = "SELECT (SELECT group_concat(id || c_id || v) FROM a) || (SELECT group_concat(id || "
                             "a_id) FROM b) || (SELECT group_concat(id || b_id) FROM c)";
    std::string changed = schema;
    changed.replace(changed.find("v TEXT"), 6, "v TEXT NOT NULL DEFAULT 'x'");
    rebuild_keeps_rows(p, changed, "a_v", rows);
}

TEST_CASE("d1: the history is wrangler's d1_migrations, with our checksums beside it") {
    Project p;
    p.declare("CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    REQUIRE(d1(p, {"diff", "-m", "one"}).code == 0);
    p.declare("CREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n");
    REQUIRE(d1(p, {"diff", "-m", "two"}).code == 0);

    REQUIRE(d1(p, {"apply", "--to", "1"}).code == 0);
    CHECK(p.one("SELECT group_concat(name) FROM d1_migrations") == "0001_one.sql");
    // wrangler applies the next one: its table gets the row, ours does not.
    p.exec(test::read_file(p.generated() / "0002_two.sql") +
           "INSERT INTO d1_migrations (name) VALUES ('0002_two.sql');");
    auto st = d1(p, {"status"});
    CHECK(st.out.find("0 pending") != std::string::npos);
    CHECK(st.out.find("wrangler") != std::string::npos);
    CHECK(d1(p, {"apply"}).out.find("nothing to apply") != std::string::npos);
    CHECK(d1(p, {"check"}).code == 0);

    // An applied file edited afterwards: our checksum catches it.
    const std::string original = test::read_file(p.generated() / "0001_one.sql");
    test::write_file(p.generated() / "0001_one.sql", original + "-- edited\n");
    CHECK(d1(p, {"status"}).out.find("modified") != std::string::npos);
    CHECK(d1(p, {"validate"}).code == 1);
    test::write_file(p.generated() / "0001_one.sql", original);

    // Rolling back removes wrangler's row too, so wrangler would apply it again.
    REQUIRE(d1(p, {"rollback", "--no-backup"}).code == 0);
    CHECK(p.one("SELECT group_concat(name) FROM d1_migrations") == "0001_one.sql");
    CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name = 'b'") == "0");
}

TEST_CASE("d1: a migration D1 would refuse or ignore is not applied, and the message names its line") {
    Project p;
    p.declare("CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    REQUIRE(d1(p, {"diff", "-m", "one"}).code == 0);
    REQUIRE(d1(p, {"new", "by_hand"}).code == 0);
    CHECK(test::read_file(p.generated() / "0002_by_hand.sql").find("D1 cannot") != std::string::npos);
    test::write_file(p.generated() / "0002_by_hand.sql", "CREATE TABLE t (x);\nBEGIN TRANSACTION;\n");
    auto r = d1(p, {"apply"});
    CHECK(r.code == 1);
    CHECK(r.err.find("0002_by_hand.sql:2: D1 refuses transaction statements") != std::string::npos);
    CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 't', 'd1_migrations')") == "0");

    test::write_file(p.generated() / "0002_by_hand.sql", "CREATE TABLE t (x);\nPRAGMA foreign_keys = OFF;\n");
    r = d1(p, {"apply"});
    CHECK(r.code == 1);
    CHECK(r.err.find("0002_by_hand.sql:2: PRAGMA foreign_keys changes nothing on D1") != std::string::npos);
    // Plain SQLite honours the pragma at the top of the file (the runner sets it
    // outside the transaction); after other statements it could not take effect.
    CHECK(p.schema({"apply", "--no-backup"}).code == 1);
    test::write_file(p.generated() / "0002_by_hand.sql", "PRAGMA foreign_keys = OFF;\nCREATE TABLE t (x);\n");
    CHECK(p.schema({"apply", "--no-backup"}).code == 0);
}

TEST_CASE("d1: migrations go where wrangler's config says, and the local database is found") {
    Project p;
    p.declare("CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    test::write_file(p.root() / "wrangler.jsonc",
                     "// wrangler's JSON config, comments allowed\n"
                     "{ \"name\": \"x\", \"d1_databases\": [\n"
                     "  { \"binding\": \"DB\", \"database_name\": \"app\", \"migrations_dir\": \"db/migrations\" }\n"
                     "] }\n");
    test::write_file(p.root() / "schema.toml", "dialect = \"d1\"\n");
    // No database yet: apply says how wrangler creates it (diff starts from an
    // empty one: "d1 from scratch" below).
    auto none = test::run_cli({"apply"}, p.root());
    CHECK(none.code == 2);
    CHECK(none.err.find("wrangler d1 migrations apply") != std::string::npos);

    const auto local = p.root() / ".wrangler/state/v3/d1/miniflare-D1DatabaseObject";
    fs::create_directories(local);
    test::exec_sql(local / "0123abcd.sqlite", "CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                                              "name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT "
                                              "NULL);");
    test::exec_sql(local / "metadata.sqlite", "CREATE TABLE m (x);");
    REQUIRE(test::run_cli({"diff", "-m", "init"}, p.root()).code == 0);
    CHECK(fs::exists(p.root() / "db/migrations/0001_init.sql"));
    CHECK(fs::exists(p.root() / "db/migrations/rollback/0001_init.sql"));
    REQUIRE(test::run_cli({"apply"}, p.root()).code == 0);
    CHECK(test::query_one(local / "0123abcd.sqlite", "SELECT name FROM d1_migrations") == "0001_init.sql");
    // Backups stay out of wrangler's state directory.
    CHECK(!fs::exists(local / "backups"));

    test::write_file(p.root() / "schema.toml", "dialect = \"d2\"\n");
    auto bad = test::run_cli({"status"}, p.root());
    CHECK(bad.code == 2);
    CHECK(bad.err.find("schema.toml:1:11: dialect: expected \"sqlite\" or \"d1\"") != std::string::npos);
}

TEST_CASE("d1: a database migrated before wrangler's table existed gets its rows there") {
    Project p;
    p.declare("CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    REQUIRE(p.schema({"--dir", "generated", "diff", "-m", "one"}).code == 0);
    REQUIRE(p.schema({"--dir", "generated", "apply", "--no-backup"}).code == 0);  // default dialect
    CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name = 'd1_migrations'") == "0");
    CHECK(d1(p, {"status"}).out.find("1 applied, 0 pending") != std::string::npos);
    auto r = d1(p, {"apply"});
    REQUIRE(r.code == 0);
    CHECK(r.out.find("recorded in d1_migrations, so that wrangler does not apply it again") != std::string::npos);
    CHECK(p.one("SELECT group_concat(name) FROM d1_migrations") == "0001_one.sql");
}

TEST_CASE("d1: a file renamed after wrangler recorded it is refused, not applied twice") {
    Project p;
    p.declare("CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    REQUIRE(d1(p, {"diff", "-m", "one"}).code == 0);
    REQUIRE(d1(p, {"apply", "--no-backup"}).code == 0);
    fs::rename(p.generated() / "0001_one.sql", p.generated() / "0001_first.sql");
    fs::rename(p.generated() / "rollback" / "0001_one.sql", p.generated() / "rollback" / "0001_first.sql");
    CHECK(d1(p, {"status"}).out.find("modified") != std::string::npos);
    auto v = d1(p, {"validate"});
    CHECK(v.code == 1);
    CHECK(v.out.find("applied as 0001_one.sql (wrangler's d1_migrations) and renamed since") != std::string::npos);
    auto r = d1(p, {"rollback", "--no-backup"});
    CHECK(r.code == 1);
    CHECK(r.err.find("renamed after wrangler recorded it") != std::string::npos);
    CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name = 'a'") == "1");
}

TEST_CASE("d1: layouts wrangler cannot apply are refused") {
    Project p;
    fs::create_directories(p.generated() / "V001__init");
    test::write_file(p.generated() / "V001__init" / "up.sql", "CREATE TABLE a (x);\n");
    test::write_file(p.generated() / "V001__init" / "down.sql", "DROP TABLE a;\n");
    auto r = d1(p, {"apply"});
    CHECK(r.code == 1);
    CHECK(r.err.find("layout, which wrangler cannot apply") != std::string::npos);
    CHECK(!fs::exists(p.db()));
}

TEST_CASE("d1: with several D1 databases in wrangler's config, the local file is not guessed") {
    Project p;
    p.declare("CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    test::write_file(p.root() / "wrangler.toml", "name = \"x\"\n"
                                                  "[[d1_databases]]\nbinding = \"APP\"\ndatabase_name = \"app\"\n"
                                                  "[[d1_databases]]\nbinding = \"AUTH\"\ndatabase_name = \"auth\"\n"
                                                  "migrations_dir = \"auth-migrations\"\n");
    test::write_file(p.root() / "schema.toml", "dialect = \"d1\"\nd1_database = \"auth\"\n");
    const auto local = p.root() / ".wrangler/state/v3/d1/miniflare-D1DatabaseObject";
    fs::create_directories(local);
    test::exec_sql(local / "0123abcd.sqlite", "CREATE TABLE other (x);");
    auto r = test::run_cli({"diff"}, p.root());
    CHECK(r.code == 2);
    CHECK(r.err.find("declares 2 D1 databases") != std::string::npos);
    CHECK(r.err.find("pass --db FILE") != std::string::npos);
    // Commands that need no database still work, on the entry's directory.
    auto st = test::run_cli({"status"}, p.root());
    CHECK(st.code == 0);
    CHECK(st.out.find("auth-migrations") != std::string::npos);
    CHECK(test::run_cli({"--db", "auth.db", "diff", "-m", "init"}, p.root()).code == 0);
    CHECK(fs::exists(p.root() / "auth-migrations/0001_init.sql"));
}

TEST_CASE("d1: d1_database picks the first matching entry of wrangler's config, as wrangler does") {
    Project p;
    p.declare("CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    // "app" is the first entry's binding and the second's database_name (and
    // the third repeats it): wrangler reads the first, so must we.
    test::write_file(p.root() / "wrangler.toml", "name = \"x\"\n"
                                                  "[[d1_databases]]\nbinding = \"app\"\ndatabase_name = \"main\"\n"
                                                  "migrations_dir = \"first\"\n"
                                                  "[[d1_databases]]\nbinding = \"OTHER\"\ndatabase_name = \"app\"\n"
                                                  "migrations_dir = \"second\"\nmigrations_table = \"other_log\"\n"
                                                  "[[d1_databases]]\nbinding = \"THIRD\"\ndatabase_name = \"app\"\n"
                                                  "migrations_dir = \"third\"\n");
    test::write_file(p.root() / "schema.toml", "dialect = \"d1\"\nd1_database = \"app\"\ndb = \"app.db\"\n");
    REQUIRE(test::run_cli({"diff", "-m", "init"}, p.root()).code == 0);
    CHECK(fs::exists(p.root() / "first/0001_init.sql"));
    CHECK(!fs::exists(p.root() / "second"));
    CHECK(!fs::exists(p.root() / "third"));
    REQUIRE(test::run_cli({"apply", "--no-backup"}, p.root()).code == 0);
    CHECK(p.one("SELECT name FROM d1_migrations") == "0001_init.sql");  // the first entry's table, not other_log
    CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name = 'other_log'") == "0");
}

TEST_CASE("d1: a .sql file without a number, which wrangler applies anyway, gets one answer everywhere") {
    Project p;
    p.declare("CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    REQUIRE(d1(p, {"diff", "-m", "init"}).code == 0);
    REQUIRE(d1(p, {"apply", "--no-backup"}).code == 0);
    // wrangler applied seed.sql, and recorded it by name.
    test::write_file(p.generated() / "seed.sql", "INSERT INTO a VALUES (1);\n");
    p.exec("INSERT INTO a VALUES (1); INSERT INTO d1_migrations (name) VALUES ('seed.sql');");
    REQUIRE(d1(p, {"hash"}).code == 0);  // a file added by hand is recorded in schema.sum
    for (std::vector<std::string> cmd : {std::vector<std::string>{"apply", "--no-backup"}, {"status"}, {"validate"},
                                         {"check"}}) {
        CAPTURE(cmd[0]);
        auto r = d1(p, cmd);
        CHECK(r.code == 0);
        CHECK(r.err.find("its file is gone") == std::string::npos);
        CHECK(r.out.find("not in the layout") == std::string::npos);
        if (cmd[0] == "status" || cmd[0] == "validate")
            CHECK(r.out.find("generated/seed.sql: has no version number, so schema does not run it; wrangler runs "
                             "every .sql file of generated and applied it at") != std::string::npos);
    }
    // One wrangler has not applied yet: wrangler would run it and schema would
    // not, so every command says so, in the same words.
    test::write_file(p.generated() / "more.sql", "INSERT INTO a VALUES (2);\n");
    const std::string says = "generated/more.sql: has no version number, so schema does not run it, but wrangler runs "
                             "every .sql file of generated and `wrangler d1 migrations apply` would";
    auto apply = d1(p, {"apply", "--no-backup"});
    CHECK(apply.code == 1);
    CHECK(apply.err.find(says) != std::string::npos);
    CHECK(apply.err.find("Number it after the last migration (0002_more.sql") != std::string::npos);
    auto validate = d1(p, {"validate"});
    CHECK(validate.code == 1);
    CHECK(validate.out.find(says) != std::string::npos);
    CHECK(d1(p, {"status"}).out.find(says) != std::string::npos);
    auto check = d1(p, {"check"});
    CHECK(check.code == 1);
    CHECK(check.out.find(says) != std::string::npos);
    CHECK(p.one("SELECT count(*) FROM a") == "1");

    // Gone after wrangler applied it: nothing to do, and said so.
    fs::remove(p.generated() / "more.sql");
    fs::remove(p.generated() / "seed.sql");
    CHECK(d1(p, {"apply", "--no-backup"}).code == 0);
    CHECK(d1(p, {"status"}).out.find("seed.sql: applied by wrangler at") != std::string::npos);
}

TEST_CASE("d1 from scratch: JSONC as wrangler reads it, diff without a database, status names it, validate warns") {
    Project p;
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n");
    // Comments and trailing commas, which wrangler accepts; a comma inside a string stays.
    test::write_file(p.root() / "wrangler.jsonc",
                     "{\n"
                     "  \"name\": \"app, the worker\", // the worker\n"
                     "  \"d1_databases\": [\n"
                     "    {\n"
                     "      \"binding\": \"DB\",\n"
                     "      \"database_name\": \"app-db\",\n"
                     "      \"database_id\": \"00000000-0000-0000-0000-000000000000\", /* from wrangler d1 create */\n"
                     "    },\n"
                     "  ],\n"
                     "}\n");
    test::write_file(p.root() / "schema.toml", "dialect = \"d1\"\n");
    auto status = test::run_cli({"status"}, p.root());
    REQUIRE_MESSAGE(status.code == 0, status.err);
    CHECK(status.out.find("app-db (local, not created yet)") != std::string::npos);
    // wrangler has not created the local database yet: diff starts from an empty schema.
    auto diff = test::run_cli({"diff", "-m", "init"}, p.root());
    REQUIRE_MESSAGE(diff.code == 0, diff.err);
    CHECK(fs::exists(p.root() / "migrations/0001_init.sql"));
    CHECK(fs::exists(p.root() / "migrations/rollback/0001_init.sql"));

    // wrangler's own `d1 migrations create` writes no rollback: a warning in D1, exit 0.
    test::write_file(p.root() / "migrations/0002_seed.sql", "INSERT INTO notes (body) VALUES ('hello');\n");
    REQUIRE(test::run_cli({"hash"}, p.root()).code == 0);  // recorded in schema.sum, as after any hand edit
    auto validate = test::run_cli({"validate"}, p.root());
    CHECK(validate.code == 0);
    CHECK(validate.out.find("warning: migrations/0002_seed.sql: no rollback file") != std::string::npos);
    CHECK(validate.out.find("1 warning") != std::string::npos);
    // ... and still a problem in plain SQLite.
    auto sqlite = test::run_cli({"--dialect", "sqlite", "--dir", "migrations", "--db", "x.db", "validate"}, p.root());
    CHECK(sqlite.code == 1);

    // Once wrangler has a local database: its name and where it lives, one time format.
    const auto local = p.root() / ".wrangler/state/v3/d1/miniflare-D1DatabaseObject";
    fs::create_directories(local);
    test::exec_sql(local / "5f3e.sqlite", "CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                                          "name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);"
                                          "INSERT INTO d1_migrations (name, applied_at) VALUES "
                                          "('0001_init.sql', '2026-12-01 10:20:30');"
                                          "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);");
    REQUIRE(test::run_cli({"apply"}, p.root()).code == 0);  // 0002 by schema
    status = test::run_cli({"status"}, p.root());
    REQUIRE_MESSAGE(status.code == 0, status.err);
    CHECK(status.out.find("app-db (local): 2 applied") != std::string::npos);
    CHECK(status.out.find("2026-12-01T10:20:30.000Z") != std::string::npos);  // wrangler's row
    CHECK(status.out.find("2026-12-01 10:20:30") == std::string::npos);
    CHECK(status.out.find(".wrangler/state") == std::string::npos);

    // A JSONC mistake is reported at its line and column, without the parser's internals.
    test::write_file(p.root() / "wrangler.jsonc", "{\n  \"d1_databases\": [\n    { \"binding\": \"DB\" \"x\" }\n  ]\n}\n");
    auto bad = test::run_cli({"status"}, p.root());
    CHECK(bad.code == 2);
    CHECK(bad.err.find("wrangler.jsonc:3:") != std::string::npos);
    CHECK(bad.err.find("json.exception") == std::string::npos);
}

TEST_CASE("d1: rollback-for writes the rollback a wrangler-written migration lacks, proven, and it rolls back") {
    Project p;
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n");
    test::write_file(p.root() / "wrangler.toml", "[[d1_databases]]\nbinding = \"DB\"\ndatabase_name = \"app-db\"\n");
    test::write_file(p.root() / "schema.toml", "dialect = \"d1\"\ndb = \"app.db\"\n");
    REQUIRE(test::run_cli({"diff", "-m", "init"}, p.root()).code == 0);
    // What `wrangler d1 migrations create` leaves: a forward file only.
    test::write_file(p.root() / "migrations/0002_tags.sql",
                     "-- Migration number: 0002\n"
                     "CREATE TABLE tags (note_id INTEGER REFERENCES notes (id), tag TEXT NOT NULL);\n"
                     "CREATE INDEX tags_by_tag ON tags (tag);\n"
                     "ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;\n"
                     "INSERT INTO notes (body) VALUES ('welcome');\n");
    REQUIRE(test::run_cli({"hash"}, p.root()).code == 0);
    auto r = test::run_cli({"rollback-for", "2"}, p.root());
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.out.find("migrations/0002_tags.sql:5: insert") != std::string::npos);  // data: not undone
    const std::string text = test::read_file(p.root() / "migrations/rollback/0002_tags.sql");
    CHECK(text.find("DROP TABLE tags;") != std::string::npos);
    CHECK(text.find("ALTER TABLE notes DROP COLUMN pinned;") != std::string::npos);
    CHECK(test::run_cli({"validate"}, p.root()).out.find("warning") == std::string::npos);
    CHECK(test::run_cli({"rollback-for", "2"}, p.root()).code == 2);  // there is one now

    REQUIRE(test::run_cli({"apply", "--no-backup"}, p.root()).code == 0);
    REQUIRE(test::run_cli({"rollback", "--no-backup"}, p.root()).code == 0);
    CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name IN ('tags', 'tags_by_tag')") == "0");
    CHECK(p.one("SELECT count(*) FROM pragma_table_info('notes') WHERE name = 'pinned'") == "0");
    CHECK(p.one("SELECT count(*) FROM d1_migrations") == "1");
}

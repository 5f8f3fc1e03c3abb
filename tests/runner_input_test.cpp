// The runner refuses what it cannot run as written, before anything runs, and
// never says what did not happen: transaction statements, NUL bytes, pragmas
// that cannot take effect in a migration's transaction, foreign-key checks
// scoped to what a migration touched, bad numbers and options. Real database
// files through the real CLI; after every refusal the database file is
// byte-identical.
#include <doctest/doctest.h>

#include <chrono>
#include <cstring>

#include "schema/migrate.hpp"
#include "schema/sqlite.hpp"
#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {

fs::path forward_file(const Project& p, int version, const std::string& name = "x") {
    char num[8];
    std::snprintf(num, sizeof num, "%04d", version);
    return p.generated() / (std::string(num) + "_" + name + ".sql");
}

void write_pair(const Project& p, int version, const std::string& up, const std::string& down = "SELECT 1;") {
    fs::path forward = forward_file(p, version);
    test::write_file(forward, up);
    test::write_file(p.generated() / "rollback" / forward.filename(), down);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A database with one applied migration, to compare byte for byte after a refusal.
void start_database(const Project& p) {
    write_pair(p, 1, "CREATE TABLE base (id INTEGER PRIMARY KEY);\nINSERT INTO base VALUES (1);\n",
               "DROP TABLE base;");
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
}

// Applies migration 2 (`up`) and expects a refusal naming `where` (file:line),
// with nothing applied: the database file is unchanged.
void expect_refused(const Project& p, const std::string& up, const std::string& where, const std::string& why) {
    start_database(p);
    write_pair(p, 2, up);
    const std::string before = test::read_file(p.db());
    auto r = p.schema({"apply", "--no-backup"});
    CAPTURE(r.err);
    CHECK(r.code == 1);
    CHECK(contains(r.err, "0002_x.sql:" + where + ":"));
    CHECK(contains(r.err, why));
    CHECK(contains(r.err, "nothing was applied"));
    CHECK_FALSE(contains(r.err, "rolled back"));
    CHECK(test::read_file(p.db()) == before);
}

}  // namespace

TEST_CASE("runner input: transaction statements in a migration are refused before anything runs (sqlite dialect)") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"CREATE TABLE a (x);\nCOMMIT;\nCREATE TABLE b (x);\nINSERT INTO nope VALUES (1);\n", "2"},
        {"CREATE TABLE a (x);\nCOMMIT;\nCREATE TABLE b (x);\n", "2"},
        {"CREATE TABLE a (x);\n/* done */ -- really\n  eNd TRANSACTION;\n", "3"},
        {"CREATE TABLE a (x);\nRollback;\n", "2"},
        {"begin immediate;\nCREATE TABLE a (x);\n", "1"},
        {"CREATE TABLE a (x);\nSAVEPOINT s1;\nINSERT INTO a VALUES (1);\nRELEASE s1;\n", "2"},
        {"CREATE TABLE a (x);\nrelease savepoint s1;\n", "2"},
        {"CREATE TABLE a (x);\ncommit transaction", "2"},
    };
    for (const auto& [up, line] : cases) {
        CAPTURE(up);
        Project p;
        expect_refused(p, up, line, "transaction statements (BEGIN, COMMIT, END, ROLLBACK, SAVEPOINT, RELEASE)");
        CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')") == "0");
    }
}

TEST_CASE("runner input: BEGIN/END inside a trigger body and 'commit' in strings are not transaction statements") {
    Project p;
    start_database(p);
    write_pair(p, 2,
               "CREATE TABLE log (what TEXT);\n"
               "CREATE TRIGGER base_log AFTER INSERT ON base BEGIN\n"
               "  INSERT INTO log VALUES ('commit; end; rollback;');\n"
               "END;\n"
               "INSERT INTO base VALUES (2);\n");
    auto r = p.schema({"apply", "--no-backup"});
    CAPTURE(r.err);
    CHECK(r.code == 0);
    CHECK(p.one("SELECT what FROM log") == "commit; end; rollback;");
}

TEST_CASE("runner input: a rollback file with a transaction statement is refused too") {
    Project p;
    start_database(p);
    write_pair(p, 2, "CREATE TABLE a (x);\n", "DROP TABLE a;\nCOMMIT;\n");
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    const std::string before = test::read_file(p.db());
    auto r = p.schema({"rollback", "--no-backup"});
    CHECK(r.code == 1);
    CHECK(contains(r.err, "rollback/0002_x.sql:2:"));
    CHECK(test::read_file(p.db()) == before);
}

TEST_CASE("runner input: a NUL byte in a migration is refused with its line, nothing runs") {
    Project p;
    std::string up = "CREATE TABLE a (x);\n";
    up += std::string("\0\0\0\0", 4);
    up += " CREATE TABLE b (x);\nCREATE TABLE c (x);\n";
    expect_refused(p, up, "2", "NUL byte");
    CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b', 'c')") == "0");

    SUBCASE("inside a string literal too: SQLite stops reading there") {
        Project q;
        std::string in_string = "CREATE TABLE a (x);\nINSERT INTO a VALUES ('x";
        in_string += '\0';
        in_string += "y');\n";
        expect_refused(q, in_string, "2", "NUL byte");
    }
}

TEST_CASE("runner input: PRAGMA foreign_keys = ON at the top of a migration is honoured (cascades fire)") {
    Project p;
    start_database(p);
    write_pair(p, 2,
               "PRAGMA foreign_keys = ON;\n"
               "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
               "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE);\n"
               "INSERT INTO parent VALUES (1);\nINSERT INTO child VALUES (1);\n"
               "DELETE FROM parent;\n");
    auto r = p.schema({"apply", "--no-backup"});
    CAPTURE(r.err);
    CHECK(r.code == 0);
    CHECK(p.one("SELECT count(*) FROM child") == "0");
}

TEST_CASE("runner input: SQLite's documented recipe (foreign_keys OFF at the top, ON at the end) runs with keys off") {
    Project p;
    p.exec("PRAGMA foreign_keys = OFF; CREATE TABLE parent (id INTEGER PRIMARY KEY);"
           "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE);"
           "INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1);");
    write_pair(p, 1,
               "PRAGMA foreign_keys = off;\n"
               "CREATE TABLE parent_new (id INTEGER PRIMARY KEY, name TEXT);\n"
               "INSERT INTO parent_new (id) SELECT id FROM parent;\n"
               "DROP TABLE parent;\n"
               "ALTER TABLE parent_new RENAME TO parent;\n"
               "PRAGMA foreign_keys = 'on';\n");
    auto r = p.schema({"apply", "--no-backup"});
    CAPTURE(r.err);
    CHECK(r.code == 0);
    CHECK(p.one("SELECT count(*) FROM child") == "1");  // no cascade: keys were off
}

TEST_CASE("runner input: pragmas that cannot take effect inside the migration's transaction are refused") {
    for (const std::string pragma : {"PRAGMA journal_mode = WAL;", "pragma main.journal_mode=wal;",
                                     "PRAGMA page_size = 8192;", "PRAGMA auto_vacuum = FULL;",
                                     "PRAGMA synchronous = OFF;", "PRAGMA encoding = 'UTF-16le';",
                                     "PRAGMA locking_mode = EXCLUSIVE;", "PRAGMA wal_checkpoint(TRUNCATE);"}) {
        CAPTURE(pragma);
        Project p;
        expect_refused(p, "CREATE TABLE a (x);\n" + pragma + "\n", "2", "cannot take effect inside the migration");
    }
    SUBCASE("a PRAGMA foreign_keys between other statements could not take effect: refused") {
        Project p;
        expect_refused(p, "CREATE TABLE a (x);\nPRAGMA foreign_keys = OFF;\nDROP TABLE base;\n", "2",
                       "PRAGMA foreign_keys cannot take effect here");
    }
    SUBCASE("reading a setting is harmless") {
        Project p;
        start_database(p);
        write_pair(p, 2, "PRAGMA journal_mode;\nCREATE TABLE a (x);\n");
        CHECK(p.schema({"apply", "--no-backup"}).code == 0);
    }
}

TEST_CASE("runner input: the foreign-key check covers what the migration touched - old orphans elsewhere warn") {
    Project p;
    p.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY);"
           "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id));"
           "INSERT INTO child VALUES (42);");  // an orphan from long ago
    SUBCASE("a valid migration with keys off applies, and the orphan is named in a warning") {
        write_pair(p, 1, "PRAGMA foreign_keys = OFF;\nCREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT);\n");
        auto r = p.schema({"apply", "--no-backup"});
        CAPTURE(r.err);
        CHECK(r.code == 0);
        CHECK(contains(r.err, "warning"));
        CHECK(contains(r.err, "child (1 row)"));
        CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name = 'tag'") == "1");
    }
    SUBCASE("a migration that orphans rows of a table referencing what it changed fails, rolled back") {
        p.exec("INSERT INTO parent VALUES (1);");
        write_pair(p, 1, "PRAGMA foreign_keys = OFF;\nDELETE FROM parent;\n");
        const std::string before = test::read_file(p.db());
        auto r = p.schema({"apply", "--no-backup"});
        CAPTURE(r.err);
        CHECK(r.code == 1);
        CHECK(contains(r.err, "FOREIGN KEY check failed: a row of child"));
        CHECK(contains(r.err, "rolled back"));
        CHECK(test::read_file(p.db()) == before);
    }
}

TEST_CASE("runner input: statements are split once, in linear time (24,000 semicolons inside strings)") {
    std::string sql = "CREATE TABLE seed (id INTEGER PRIMARY KEY, note TEXT);\nINSERT INTO seed VALUES\n";
    for (int i = 0; i < 24000; ++i) sql += (i ? ",\n" : "") + std::string("  (") + std::to_string(i) + ", 'a; b')";
    sql += ";\n";
    auto start = std::chrono::steady_clock::now();
    auto script = schema::sqlite::split_script(sql);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    CHECK(script.statements.size() == 2);
    CHECK(ms < 500);  // the quadratic split took seconds
    Project p;
    write_pair(p, 1, sql);
    start = std::chrono::steady_clock::now();
    CHECK(p.schema({"apply", "--no-backup"}).code == 0);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    CHECK(p.one("SELECT count(*) FROM seed") == "24000");
}

TEST_CASE("runner input: the split agrees with sqlite3_complete on each statement") {
    const std::string sql =
        "-- lead\nCREATE TABLE \"a;b\" ([c;d] TEXT, `e;f` TEXT DEFAULT 'g;''h');\n"
        "/* ; */ CREATE TEMP TRIGGER t AFTER INSERT ON \"a;b\" BEGIN SELECT 1; SELECT CASE WHEN 1 THEN 2 END; END;\n"
        "EXPLAIN CREATE TRIGGER u AFTER DELETE ON \"a;b\" BEGIN SELECT ';'; END;;;\n"
        "SELECT x'00ff'; SELECT 1 -- no semicolon at the end";
    auto script = schema::sqlite::split_script(sql);
    REQUIRE(script.statements.size() == 5);
    const std::vector<int> lines = {2, 3, 4, 5, 5};
    for (std::size_t i = 0; i < script.statements.size(); ++i) {
        std::string text(script.statements[i].text(sql));
        CAPTURE(text);
        CHECK(script.statements[i].line == lines[i]);
        if (i + 1 < script.statements.size()) CHECK(sqlite3_complete(text.c_str()) == 1);
        // No shorter prefix ending at a ';' is complete.
        for (auto semi = text.find(';'); semi != std::string::npos && semi + 1 < text.size();
             semi = text.find(';', semi + 1))
            CHECK(sqlite3_complete(text.substr(0, semi + 1).c_str()) == 0);
    }
}

TEST_CASE("runner input: a migration number that overflows is bad input naming the file (exit 2)") {
    Project p;
    test::write_file(p.generated() / "99999999999999999999_x.sql", "CREATE TABLE a (x);");
    for (auto args : {std::vector<std::string>{"apply"}, {"status"}, {"validate"}, {"new", "next"}}) {
        CAPTURE(args[0]);
        auto r = p.schema(args);
        CHECK(r.code == 2);
        CHECK(contains(r.err, "99999999999999999999_x.sql"));
        CHECK_FALSE(contains(r.err, "internal error"));
    }
    CHECK_FALSE(fs::exists(p.db()));
    SUBCASE("new after the largest version refuses instead of wrapping") {
        Project q;
        test::write_file(q.generated() / "9223372036854775807_last.sql", "SELECT 1;");
        auto r = q.schema({"new", "next"});
        CHECK(r.code == 2);
        CHECK(contains(r.err, "no migration number follows 9223372036854775807"));
        CHECK(q.files().size() == 1);
    }
}

TEST_CASE("runner input: numeric keys of schema.toml are range-checked like the flags") {
    for (const std::string line : {"busy_timeout_ms = 3000000000", "keep_backups = -1", "busy_timeout_ms = 1.5"}) {
        CAPTURE(line);
        Project p;
        test::write_file(p.root() / "schema.toml", "db = \"app.db\"\n\n" + line + "\n");
        auto r = test::run_cli({"--no-color", "status"}, p.root());
        CHECK(r.code == 2);
        CHECK(contains(r.err, "schema.toml"));
        CHECK(contains(r.err, line.substr(0, line.find(' '))));
        CHECK(contains(r.err, "schema.toml:3:"));
    }
    Project p;
    for (auto args : {std::vector<std::string>{"--busy-timeout", "-1", "status"},
                      {"--busy-timeout", "3000000000", "status"}, {"--keep-backups", "-2", "status"}})
        CHECK(p.schema(args).code == 2);
}

TEST_CASE("runner input: a dry run, and the read-only commands, create no database") {
    Project p;
    write_pair(p, 1, "CREATE TABLE a (x);", "DROP TABLE a;");
    auto r = p.schema({"apply", "--dry-run"});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "would apply"));
    CHECK_FALSE(fs::exists(p.db()));
    for (auto args : {std::vector<std::string>{"status"}, {"validate"}, {"check"}, {"diff", "--print"},
                      {"rollback", "--dry-run"}}) {
        CAPTURE(args[0]);
        p.schema(args);
        CHECK_FALSE(fs::exists(p.db()));
    }
}

TEST_CASE("runner input: negative --steps and --to are usage errors") {
    Project p;
    start_database(p);
    const std::string before = test::read_file(p.db());
    for (auto args : {std::vector<std::string>{"rollback", "--steps", "-1"}, {"rollback", "--steps", "0"},
                      {"rollback", "--to", "-1"}, {"apply", "--to", "-5"}, {"baseline", "-3"}}) {
        CAPTURE(args[0]);
        CHECK(p.schema(args).code == 2);
    }
    CHECK(test::read_file(p.db()) == before);
}

TEST_CASE("runner input: --config DIR says it is a directory") {
    Project p;
    auto r = test::run_cli({"--config", p.root().string(), "status"}, p.root());
    CHECK(r.code == 2);
    CHECK(contains(r.err, "is a directory"));
}

TEST_CASE("runner input: 'not a database' and 'database is locked' name the file and the migration") {
    Project p;
    test::write_file(p.db(), std::string(4096, 'x'));
    write_pair(p, 1, "CREATE TABLE a (x);");
    for (auto args : {std::vector<std::string>{"apply", "--no-backup"}, {"status"}}) {
        auto r = p.schema(args);
        CAPTURE(r.err);
        CHECK(r.code == 2);
        CHECK(contains(r.err, "app.db"));
        CHECK(contains(r.err, "file is not a database"));
    }
    SUBCASE("locked") {
        Project q;
        start_database(q);
        write_pair(q, 2, "CREATE TABLE a (x);");
        sqlite3* holder = nullptr;
        REQUIRE(sqlite3_open(q.db().c_str(), &holder) == SQLITE_OK);
        REQUIRE(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
        auto r = q.schema({"--busy-timeout", "50", "apply", "--no-backup"});
        sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(holder);
        CAPTURE(r.err);
        CHECK(r.code == 2);
        CHECK(contains(r.err, "database is locked"));
        CHECK(contains(r.err, "app.db"));
        CHECK(contains(r.err, "0002_x"));
    }
}

TEST_CASE("runner input: 'up to date' only when it is true (--to below a pending migration)") {
    Project p;
    start_database(p);
    write_pair(p, 2, "CREATE TABLE a (x);");
    auto r = p.schema({"apply", "--to", "1", "--no-backup"});
    CHECK(r.code == 0);
    CHECK_FALSE(contains(r.out, "up to date"));
    CHECK(contains(r.out, "nothing to apply up to version 1: 1 later migration is pending (next: 0002_x)"));
}

TEST_CASE("runner input: validate reports a migration with a NUL byte, with its line") {
    Project p;
    write_pair(p, 1, std::string("CREATE TABLE a (x);\n\0\0", 22), "DROP TABLE a;");
    auto r = p.schema({"validate"});
    CHECK(r.code == 1);
    CHECK(contains(r.out, "0001_x.sql:2: a NUL byte"));
}

TEST_CASE("runner input: the foreign-keys-off marker counts only as a header line, not inside user text") {
    Project p;
    p.exec("CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE notes (v);"
           "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id) ON DELETE CASCADE);"
           "INSERT INTO p VALUES (1); INSERT INTO c VALUES (10, 1);");
    // The marker's text in a string literal, at the start of a line: keys stay on and the cascade fires.
    write_pair(p, 1, "INSERT INTO notes VALUES ('\n-- schema: foreign_keys=off');\nDELETE FROM p;\n");
    auto r = p.schema({"apply", "--no-backup"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(p.one("SELECT count(*) FROM c") == "0");
}

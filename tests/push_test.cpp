// schema push: a development database brought straight to schema/ with the
// plan, proof and data-loss guard of diff, writing no migration; refused on a
// database that migrations manage. Real database files through the CLI.
#include <doctest/doctest.h>

#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("push: a development database with rows follows schema/, rows kept, no file written") {
    Project p;
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n");
    auto r = p.schema({"push"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "+ table notes"));
    CHECK(contains(r.out, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"));
    p.exec("INSERT INTO notes (id, body) VALUES (1, 'first'), (7, 'second')");

    // A column and a CHECK: a rebuild, so a backup first; the rows and rowids stay.
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL CHECK (body <> ''), tag TEXT);\n"
              "CREATE INDEX notes_tag ON notes (tag);\n");
    auto dry = p.schema({"push", "--dry-run"});
    REQUIRE(dry.code == 0);
    CHECK(contains(dry.out, "would run on app.db"));
    CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name = 'notes_tag'") == "0");
    r = p.schema({"push"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "rebuilt"));
    CHECK(contains(r.out, "INSERT INTO new_notes"));
    CHECK(contains(r.out, "backup: "));
    CHECK(contains(r.out, "no migration written"));
    CHECK(p.one("SELECT group_concat(id || ':' || body, ',') FROM notes") == "1:first,7:second");
    CHECK(p.one("SELECT sql FROM sqlite_master WHERE name = 'notes'") ==
          "CREATE TABLE \"notes\" (id INTEGER PRIMARY KEY, body TEXT NOT NULL CHECK (body <> ''), tag TEXT)");
    CHECK(p.files().empty());
    CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name = '_migrations'") == "0");
    CHECK(fs::exists(p.root() / "backups"));
    // Now it matches: nothing to do.
    CHECK(contains(p.schema({"push"}).out, "up to date"));
}

TEST_CASE("push: refuses to lose data unless allowed, and leaves the database as it was") {
    Project p;
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, extra TEXT);\n");
    REQUIRE(p.schema({"push"}).code == 0);
    p.exec("INSERT INTO notes VALUES (1, 'a', 'kept?'), (2, NULL, 'x')");
    // Dropping a column with values in it.
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n");
    auto r = p.schema({"push"});
    CHECK(r.code == 1);
    CHECK(contains(r.err, "not pushing: it loses data"));
    CHECK(contains(r.err, "--dry-run"));
    CHECK(p.one("SELECT group_concat(extra) FROM notes") == "kept?,x");
    // Rows that violate a new NOT NULL.
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, extra TEXT);\n");
    r = p.schema({"push"});
    CHECK(r.code == 1);
    CHECK(contains(r.err, "notes.body becomes NOT NULL: 1 row"));
    CHECK(p.one("SELECT count(*) FROM notes") == "2");
    // Allowed: the column goes.
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n");
    r = p.schema({"push", "--allow-data-loss"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(p.one("SELECT count(*) FROM pragma_table_info('notes') WHERE name = 'extra'") == "0");
    CHECK(p.one("SELECT count(*) FROM notes") == "2");
}

TEST_CASE("push: a database managed by migrations is refused, unless told otherwise") {
    Project p;
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, tag TEXT);\n");
    auto r = p.schema({"push"});
    CHECK(r.code == 1);
    CHECK(contains(r.err, "app.db is managed by migrations (1 recorded in _migrations)"));
    CHECK(p.one("SELECT count(*) FROM pragma_table_info('notes')") == "2");
    r = p.schema({"push", "--ignore-history"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(p.one("SELECT count(*) FROM pragma_table_info('notes')") == "3");
    CHECK(p.one("SELECT count(*) FROM _migrations") == "1");  // the history is not touched
}

TEST_CASE("push: a statement SQLite refuses leaves the database exactly as it was") {
    Project p;
    p.declare("CREATE TABLE parents (id INTEGER PRIMARY KEY);\n"
              "CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id INTEGER);\n");
    REQUIRE(p.schema({"push"}).code == 0);
    p.exec("INSERT INTO kids VALUES (1, 99)");  // no parent 99
    // A new foreign key the row breaks: the rebuild's foreign-key check fails,
    // the transaction is rolled back.
    p.declare("CREATE TABLE parents (id INTEGER PRIMARY KEY);\n"
              "CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parents (id));\n");
    const std::string before = p.one("SELECT group_concat(sql, ';') FROM sqlite_master");
    auto r = p.schema({"push", "--no-backup"});
    CHECK(r.code != 0);
    CHECK(p.one("SELECT group_concat(sql, ';') FROM sqlite_master") == before);
    CHECK(p.one("SELECT count(*) FROM kids") == "1");
}

// User text in the comments of generated files: a name or a literal with a line
// break in it never ends the comment and becomes SQL.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include "schema/write.hpp"
#include "support/support.hpp"

using namespace schema;

namespace {

// The statements SQLite itself finds in `script` (its tokenizer decides what
// is a comment), as it would run them.
std::vector<std::string> statements_sqlite_finds(const std::string& script) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
    std::vector<std::string> out;
    const char* start = script.c_str();
    const char* end = start + script.size();
    while (start < end) {
        sqlite3_stmt* stmt = nullptr;
        const char* tail = nullptr;
        int rc = sqlite3_prepare_v2(db, start, int(end - start), &stmt, &tail);
        INFO(script);
        REQUIRE_MESSAGE(rc == SQLITE_OK, sqlite3_errmsg(db));
        if (!stmt) break;
        std::string sql = sqlite3_sql(stmt);  // with the comments before it
        sqlite3_finalize(stmt);
        while (sql.rfind("--", 0) == 0 || sql.rfind("\n", 0) == 0) sql.erase(0, sql.find('\n') + 1);
        out.push_back(sql.substr(0, sql.find_last_not_of("; \n") + 1));
        start = tail;
    }
    sqlite3_close(db);
    return out;
}

// Text that would run as SQL if a comment let it out, in every form of line break.
const std::vector<std::string> kHostile = {
    "a\nDELETE FROM notes; --",       "a\r\nDELETE FROM notes;",      "a\rDELETE FROM notes;",
    "a\vDELETE FROM notes;",          "a\fDELETE FROM notes;",        "a\xC2\x85" "DELETE FROM notes;",
    "a\xE2\x80\xA8" "DELETE FROM notes;", "a\xE2\x80\xA9" "DELETE FROM notes;", std::string("a\0b;DELETE", 10),
    "a */ DELETE FROM notes; /*",     "\n\nDELETE FROM notes;\n",
};

}  // namespace

TEST_CASE("comments: sql_comment keeps every line of any text inside a comment") {
    for (const auto& text : kHostile) {
        INFO(text);
        std::string comment = sql_comment(text, "  ! ");
        CHECK(comment.find('\0') == std::string::npos);
        CHECK(comment.find('\r') == std::string::npos);
        for (const auto& line : test::lines_of(comment)) CHECK(line.substr(0, 2) == "--");
        CHECK(statements_sqlite_finds(comment + "SELECT 1;").size() == 1);
    }
    CHECK(sql_comment("a\nb", "  ") == "--   a\n--   b\n");
    CHECK(sql_comment("") == "--\n");
    CHECK(sql_comment("x\x1b[2Jy") == "-- x\\x1B[2Jy\n");
}

TEST_CASE("comments: the statements SQLite finds in a migration file are exactly the plan's steps") {
    // Every field of the header and every note, filled with text that tries to
    // end its comment.
    for (const auto& hostile : kHostile) {
        Plan plan;
        plan.summary = {"~ table " + hostile, "    + column " + hostile};
        plan.data_loss = {"drops " + hostile};
        plan.prechecks.push_back({Ident("t"), Ident("t"), "t." + hostile + " becomes NOT NULL", "SELECT 0"});
        plan.rebuilt = {Ident(hostile), Ident("plain")};
        plan.steps.push_back({"SELECT 1", "note " + hostile, {}, false, {}, {}});
        plan.steps.push_back({"SELECT 'x\n-- not a comment'", hostile, {}, true, {}, {}});
        for (bool rollback : {false, true})
            for (Dialect dialect : {Dialect::sqlite, Dialect::d1}) {
                MigrationInfo info{"0002_x.sql", "rollback/0002_x.sql", rollback, {"gone: " + hostile}, dialect};
                const std::string text = migration_text(plan, info);
                std::string found;
                for (const auto& st : statements_sqlite_finds(text)) found += "[" + st + "]";
                INFO(text);
                CHECK(found == "[SELECT 1][SELECT 'x\n-- not a comment']");
            }
    }
}

TEST_CASE("comments: a migration whose changes carry multi-line literals and names deletes nothing") {
    test::Project p;
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n"
              "CREATE TABLE tags (id INTEGER PRIMARY KEY, notes_id INT REFERENCES notes(id));\n");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    REQUIRE(p.schema({"apply"}).code == 0);
    p.exec("INSERT INTO notes (body) VALUES ('x'), ('y'); INSERT INTO tags (notes_id) VALUES (1);");

    // ADD COLUMN with a DEFAULT, a rebuild of notes (a CHECK and a renamed
    // column), new tables and a view whose names hold line breaks.
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT CHECK (body <> 'a\nDELETE FROM notes; --'),\n"
              "  \"c\rDELETE FROM notes;\" TEXT);\n"
              "CREATE TABLE tags (id INTEGER PRIMARY KEY, notes_id INT REFERENCES notes(id),\n"
              "  d TEXT DEFAULT 'a\nDELETE FROM notes; --',\n"
              "  \"e\nDELETE FROM notes; --\" TEXT DEFAULT 'b\r\nDELETE FROM tags; --');\n"
              "CREATE TABLE \"t\nDELETE FROM notes; --\" (id INTEGER PRIMARY KEY);\n"
              "CREATE VIEW \"v\nDELETE FROM tags; --\" AS SELECT 'z\nDELETE FROM notes; --' AS w;\n");
    auto diff = p.schema({"diff", "-m", "hostile"});
    INFO(diff.err);
    REQUIRE(diff.code == 0);
    INFO(test::read_file(p.generated() / "0002_hostile.sql"));
    auto apply = p.schema({"apply"});
    INFO(apply.err);
    REQUIRE(apply.code == 0);
    CHECK(p.one("SELECT count(*) FROM notes") == "2");
    CHECK(p.one("SELECT count(*) FROM tags") == "1");
    auto rollback = p.schema({"rollback"});
    INFO(rollback.err);
    REQUIRE(rollback.code == 0);
    CHECK(p.one("SELECT count(*) FROM notes") == "2");
    CHECK(p.one("SELECT count(*) FROM tags") == "1");
}

// What CI shows: every error schema can report reaches --format github,
// --format markdown and --json at its file, line and column; constraint changes
// point at their own clause; Markdown escapes user text and fits in a comment.
#include <doctest/doctest.h>

#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void clean_project(Project& p, const std::string& sql) {
    p.declare(sql);
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
}

}  // namespace

TEST_CASE("ci formats: a DDL syntax error reaches github, markdown and json at its line and column") {
    Project p;
    clean_project(p, "CREATE TABLE notes (id INTEGER PRIMARY KEY);\n");
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY);\nCREATE TABLE tags (id INTEGER PRIMARY KEY,, name TEXT);\n");
    auto gh = p.schema({"check", "--format", "github"});
    CHECK(gh.code == 2);
    CHECK(contains(gh.out, "::error file=schema/schema.sql,line=2,col="));
    CHECK(contains(gh.out, "title=schema::"));
    CHECK(contains(gh.err, "schema/schema.sql:2:"));  // the caret text stays in the log
    auto md = p.schema({"check", "--format", "markdown"});
    CHECK(md.code == 2);
    CHECK(contains(md.out, "## schema: error"));
    CHECK(contains(md.out, "| <code>schema/schema.sql:2:"));
    auto js = p.schema({"--json", "check"});
    CHECK(js.code == 2);
    auto lines = test::json_lines(js.out);
    REQUIRE(!lines.empty());
    CHECK(lines[0]["event"] == "error");
    CHECK(lines[0]["file"] == "schema/schema.sql");
    CHECK(lines[0]["line"] == 2);
    CHECK(lines[0]["column"].get<int>() > 1);
    CHECK(lines[0]["exit"] == 2);
    // --format json is --json.
    CHECK(test::json_lines(p.schema({"check", "--format", "json"}).out)[0]["event"] == "error");
}

TEST_CASE("ci formats: a config error and a failed migration land at their file and line") {
    Project p;
    test::write_file(p.root() / "schema.toml", "db = \"app.db\"\n\nkeep_backup = 3\n");
    auto r = test::run_cli({"check", "--format", "github"}, p.root());
    CHECK(r.code == 2);
    CHECK(contains(r.out, "::error file=schema.toml,line=3,col=1,title=schema::keep_backup: unknown key"));
    fs::remove(p.root() / "schema.toml");

    clean_project(p, "CREATE TABLE notes (id INTEGER PRIMARY KEY);\n");
    test::write_file(p.generated() / "0002_bad.sql", "-- a bad one\nINSERT INTO notes VALUES (1);\nINSERT INTO nope VALUES (1);\n");
    r = p.schema({"apply", "--no-backup", "--format", "github"});
    CHECK(r.code == 1);
    CHECK(contains(r.out, "::error file=generated/0002_bad.sql,line=3,col=1,title=schema::no such table: nope"));
    auto js = test::json_lines(p.schema({"apply", "--no-backup", "--json"}).out);
    bool found = false;
    for (const auto& j : js)
        if (j["event"] == "error" && j.contains("file")) {
            found = true;
            CHECK(j["file"] == "generated/0002_bad.sql");
            CHECK(j["line"] == 3);
        }
    CHECK(found);
}

TEST_CASE("ci formats: CHECK, FOREIGN KEY and UNIQUE changes point at their own clause") {
    Project p;
    clean_project(p, "CREATE TABLE parents (id INTEGER PRIMARY KEY);\n"
                     "CREATE TABLE notes (\n  id INTEGER PRIMARY KEY,\n  body TEXT,\n  parent_id INTEGER\n);\n");
    p.declare("CREATE TABLE parents (id INTEGER PRIMARY KEY);\n"
              "CREATE TABLE notes (\n"
              "  id INTEGER PRIMARY KEY,\n"
              "  body TEXT CHECK (length(body) < 100),\n"
              "  parent_id INTEGER,\n"
              "  FOREIGN KEY (parent_id) REFERENCES parents (id),\n"
              "  UNIQUE (body, parent_id)\n"
              ");\n");
    auto gh = p.schema({"check", "--format", "github"});
    CHECK(gh.code == 1);
    CHECK(contains(gh.out, "::error file=schema/schema.sql,line=4,col=13,"));  // the column's CHECK clause
    CHECK(contains(gh.out, "::error file=schema/schema.sql,line=6,col=3,"));   // FOREIGN KEY
    CHECK(contains(gh.out, "::error file=schema/schema.sql,line=7,col=3,"));   // UNIQUE
    CHECK(!contains(gh.out, "line=2,"));                                      // not the CREATE TABLE line
}

TEST_CASE("ci formats: Markdown escapes || and < in user text") {
    Project p;
    clean_project(p, "CREATE TABLE notes (id INTEGER PRIMARY KEY, a TEXT, b TEXT);\n");
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, a TEXT DEFAULT '<b>bold</b>', b TEXT,\n"
              "  CHECK (a || b <> 'x|y'));\n");
    auto md = p.schema({"check", "--format", "markdown"});
    CHECK(md.code == 1);
    CHECK(contains(md.out, "\\|\\|"));
    CHECK(contains(md.out, "&lt;b&gt;bold&lt;/b&gt;"));
    for (const auto& line : test::lines_of(md.out))  // the SQL block shows it as written; no table cell does
        if (line.rfind("|", 0) == 0) CHECK_MESSAGE(!contains(line, "<b>"), line);
    // Every table row has the same number of unescaped cell separators.
    for (const auto& line : test::lines_of(md.out)) {
        if (line.rfind("| `", 0) != 0) continue;
        int bars = 0;
        for (std::size_t i = 0; i < line.size(); ++i) bars += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
        CHECK_MESSAGE(bars == 4, line);
    }
}

TEST_CASE("ci formats: a Markdown report longer than a GitHub comment is cut, saying what was left out") {
    Project p;
    std::string before, after;
    for (int i = 0; i < 900; ++i) {
        before += "CREATE TABLE t" + std::to_string(i) + " (id INTEGER PRIMARY KEY, name TEXT);\n";
        after += "CREATE TABLE t" + std::to_string(i) +
                 " (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'a fairly long default value', note TEXT);\n";
    }
    clean_project(p, before);
    p.declare(after);
    auto md = p.schema({"check", "--format", "markdown"});
    CHECK(md.code == 1);
    CHECK(md.out.size() <= 65536);
    CHECK(contains(md.out, "more lines left out"));
    CHECK(contains(md.out, "## schema check:"));
}

TEST_CASE("ci formats: a stale migrations directory and a failed apply reach markdown too") {
    Project p;
    clean_project(p, "CREATE TABLE notes (id INTEGER PRIMARY KEY);\n");
    test::write_file(p.generated() / "0002_bad.sql", "INSERT INTO nope VALUES (1);\n");
    auto md = p.schema({"apply", "--no-backup", "--format", "markdown"});
    CHECK(md.code == 1);
    CHECK(contains(md.out, "## schema: error"));
    CHECK(contains(md.out, "<code>generated/0002_bad.sql:1:1</code>"));
}

TEST_CASE("ci formats: the --json plan carries structured changes, rebuild reasons, data loss and rows at risk") {
    Project p;
    clean_project(p, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, extra TEXT);\n");
    p.exec("INSERT INTO notes VALUES (1, NULL, 'x')");
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL CHECK (body <> ''));\n"
              "CREATE INDEX notes_body ON notes (body);\n");
    auto lines = test::json_lines(p.schema({"--json", "diff", "--print", "--allow-data-loss"}).out);
    REQUIRE(lines.size() == 1);
    const auto& plan = lines[0]["plan"];
    REQUIRE(plan["changes"].size() == 2);
    const auto& table = plan["changes"][0];
    CHECK(table["kind"] == "modify_table");
    CHECK(table["object"] == "notes");
    CHECK(table["before"] == "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, extra TEXT)");
    CHECK(table["after"] == "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL CHECK (body <> ''))");
    bool dropped = false, modified = false;
    for (const auto& c : table["changes"]) {
        if (c["kind"] == "drop_column") dropped = c["column"] == "extra" && c["before"] == "extra TEXT";
        if (c["kind"] == "modify_column") modified = c["before"] == "body TEXT" && c.contains("after");
    }
    CHECK(dropped);
    CHECK(modified);
    CHECK(plan["changes"][1]["kind"] == "add_index");
    CHECK(plan["rebuilds"][0]["table"] == "notes");
    CHECK(plan["rebuilds"][0]["reason"].get<std::string>().find("ALTER TABLE cannot") == 0);
    CHECK(plan["data_loss"].size() == 2);
    CHECK(plan["rows_at_risk"][0]["constraint"] == "notes.body becomes NOT NULL");
    CHECK(plan["rows_at_risk"][0]["rows"] == 1);
}

TEST_CASE("ci formats: a declaration SQLite rejects reaches json and github at the declaration") {
    Project p;
    p.declare("CREATE TABLE t (\n  a INT,\n  b INT AS (c)\n);\n");
    auto js = test::json_lines(p.schema({"--json", "diff"}).out);
    REQUIRE(!js.empty());
    CHECK(js.back()["event"] == "error");
    CHECK(js.back()["file"] == "schema/schema.sql");
    CHECK(js.back()["line"] == 1);
    CHECK(js.back()["message"].get<std::string>().find("no such column: c") != std::string::npos);
    auto gh = p.schema({"diff", "--format", "github"});
    CHECK(gh.code == 2);
    CHECK(contains(gh.out, "::error file=schema/schema.sql,line=1,col=1,title=schema::"));
    // check reports it too, at the declaration.
    auto check = p.schema({"check", "--offline", "--format", "github"});
    CHECK(check.code == 1);
    CHECK(contains(check.out, "::error file=schema/schema.sql,line=1,col=1,title=schema check%3A declarations SQLite "
                              "rejects::! SQLite rejects this declaration: no such column: c"));
}

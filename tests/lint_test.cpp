// schema lint over pending migrations: each rule, with and without the file's
// `-- schema:lint ignore RULE`, in every output format; check fails on its
// errors. Real database files through the CLI.
#include <doctest/doctest.h>

#include "schema/git.hpp"
#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void applied(Project& p, const std::string& sql) {
    p.declare(sql);
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
}

// A hand-written pending pair.
void pending(Project& p, const std::string& name, const std::string& up, const std::string& down) {
    test::write_file(p.generated() / (name + ".sql"), up);
    test::write_file(p.generated() / "rollback" / (name + ".sql"), down);
}

void accept(const Project& p, const std::string& file, const std::string& rule) {
    const fs::path path = p.generated() / file;
    test::write_file(path, "-- schema:lint ignore " + rule + "\n" + test::read_file(path));
}

}  // namespace

TEST_CASE("lint: destructive, with the statement's line, accepted by a directive") {
    Project p;
    applied(p, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, extra TEXT);\n");
    p.exec("INSERT INTO notes VALUES (1, 'a', 'b')");
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n");
    REQUIRE(p.schema({"diff", "-m", "drop_extra", "--allow-data-loss"}).code == 0);
    auto r = p.schema({"lint"});
    CHECK(r.code == 1);
    const std::string text = test::read_file(p.generated() / "0002_drop_extra.sql");
    int line = 1;
    for (std::size_t i = 0; i < text.find("ALTER TABLE notes DROP COLUMN extra"); ++i) line += text[i] == '\n';
    CHECK(contains(r.out, "generated/0002_drop_extra.sql:" + std::to_string(line) +
                              ":1: error [destructive]: drops column notes.extra and every value in it (about 1 rows now)"));
    CHECK(contains(r.out, "warning [incompatible]"));
    // check runs lint on pending migrations and fails on its errors.
    auto c = p.schema({"check"});
    CHECK(c.code == 1);
    CHECK(contains(c.out, "[destructive] drops column notes.extra"));
    accept(p, "0002_drop_extra.sql", "destructive, incompatible");
    r = p.schema({"lint"});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "(accepted: schema:lint ignore)"));
}

TEST_CASE("lint: data-dependent and incompatible are warnings, exit 0") {
    Project p;
    applied(p, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, tag TEXT);\n");
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, tag TEXT);\n"
              "CREATE UNIQUE INDEX notes_tag ON notes (tag);\n");
    REQUIRE(p.schema({"diff", "-m", "constraints"}).code == 0);
    pending(p, "0003_rename", "ALTER TABLE notes RENAME COLUMN tag TO label;\n",
            "ALTER TABLE notes RENAME COLUMN label TO tag;\n");
    auto r = p.schema({"lint"});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "warning [data-dependent]: makes notes.body NOT NULL"));
    CHECK(contains(r.out, "warning [data-dependent]: unique index notes_tag on notes"));
    CHECK(contains(r.out, "generated/0003_rename.sql:1:1: warning [incompatible]: renames column notes.tag to label"));
    accept(p, "0003_rename.sql", "incompatible");
    CHECK(contains(p.schema({"lint"}).out, "renames column notes.tag to label: code still using the old name fails "
                                           "(accepted: schema:lint ignore)"));
}

TEST_CASE("lint: a large rebuild shows the live row estimate") {
    Project p;
    applied(p, "CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT);\n");
    p.exec("INSERT INTO events VALUES (1, 'a'), (250000, 'b')");  // the estimate is the largest rowid
    p.declare("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT CHECK (kind <> ''));\n");
    REQUIRE(p.schema({"diff", "-m", "kind_check"}).code == 0);
    auto r = p.schema({"lint"});
    CHECK(contains(r.out, "warning [large-rebuild]: copies table events: about 250000 rows"));
    accept(p, "0002_kind_check.sql", "large-rebuild");
    CHECK(contains(p.schema({"lint"}).out, "(accepted"));
}

TEST_CASE("lint: a hand-written copy is the table its SELECT reads, not one a subquery reads") {
    Project p;
    applied(p, "CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT);\nCREATE TABLE spam (id INTEGER);\n");
    p.exec("INSERT INTO events VALUES (1, 'a'), (250000, 'b')");
    pending(p, "0002_prune",
            "CREATE TABLE new_events (id INTEGER PRIMARY KEY, kind TEXT);\n"
            "INSERT INTO new_events SELECT id, kind FROM main.\"events\" WHERE id NOT IN (SELECT id FROM spam);\n"
            "DROP TABLE events;\nALTER TABLE new_events RENAME TO events;\n",
            "SELECT 1;\n");
    auto r = p.schema({"lint"});
    CHECK(contains(r.out, "generated/0002_prune.sql:2:1: warning [large-rebuild]: copies table events: about 250000"));
    CHECK(!contains(r.out, "copies table spam"));
}

TEST_CASE("lint: statements the runner or D1 refuses, and a missing rollback") {
    Project p;
    applied(p, "CREATE TABLE notes (id INTEGER PRIMARY KEY);\n");
    pending(p, "0002_tx", "BEGIN;\nINSERT INTO notes DEFAULT VALUES;\nCOMMIT;\n", "");
    auto r = p.schema({"lint"});
    CHECK(r.code == 1);
    CHECK(contains(r.out, "generated/0002_tx.sql:1:1: error [refused]"));
    CHECK(contains(r.out, "generated/0002_tx.sql:3:1: error [refused]"));
    CHECK(contains(r.out, "warning [no-rollback]: its rollback generated/rollback/0002_tx.sql has no statement"));
    accept(p, "0002_tx.sql", "refused no-rollback");
    CHECK(p.schema({"lint"}).code == 0);
    // D1 refuses PRAGMA foreign_keys (it changes nothing there).
    fs::remove(p.generated() / "0002_tx.sql");
    fs::remove(p.generated() / "rollback/0002_tx.sql");
    pending(p, "0002_keys", "PRAGMA foreign_keys = OFF;\nINSERT INTO notes DEFAULT VALUES;\n", "DELETE FROM notes;\n");
    r = p.schema({"--dialect", "d1", "--dir", "generated", "lint"});
    CHECK(r.code == 1);
    CHECK(contains(r.out, "generated/0002_keys.sql:1:1: error [refused]"));
    // A file with no rollback file at all.
    fs::remove(p.generated() / "rollback/0002_keys.sql");
    CHECK(contains(p.schema({"lint"}).out, "warning [no-rollback]: has no rollback file"));
}

TEST_CASE("lint: github, markdown and json") {
    Project p;
    applied(p, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, extra TEXT);\n");
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n");
    REQUIRE(p.schema({"diff", "-m", "drop_extra", "--allow-data-loss"}).code == 0);
    auto gh = p.schema({"lint", "--format", "github"});
    CHECK(gh.code == 1);
    CHECK(contains(gh.out, "::error file=generated/0002_drop_extra.sql,line="));
    CHECK(contains(gh.out, "title=schema lint destructive::drops column notes.extra"));
    CHECK(contains(gh.out, "::warning file=generated/0002_drop_extra.sql"));
    auto md = p.schema({"lint", "--format", "markdown"});
    CHECK(contains(md.out, "## schema lint: 2 findings"));
    CHECK(contains(md.out, "| ❌ | `destructive` | `generated/0002_drop_extra.sql:"));
    auto js = test::json_lines(p.schema({"--json", "lint"}).out);
    REQUIRE(js.size() == 2);
    CHECK(js[0]["event"] == "lint");
    CHECK(js[0]["rule"] == "destructive");
    CHECK(js[0]["severity"] == "error");
    CHECK(js[0]["file"] == "generated/0002_drop_extra.sql");
    CHECK(js[0]["ignored"] == false);
    // Nothing pending: nothing to say.
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    auto none = p.schema({"lint"});
    CHECK(none.code == 0);
    CHECK(contains(none.out, "no findings"));
}

TEST_CASE("lint offline: --git-base judges a branch's migrations, --latest the newest, without a database") {
    if (schema::git::run(".", {"--version"}).code != 0) return;  // no git on this machine
    Project p;
    auto git_ok = [&](const std::vector<std::string>& args) {
        auto r = schema::git::run(p.root(), args);
        REQUIRE_MESSAGE(r.code == 0, "git " << args.front() << ": " << r.err);
    };
    git_ok({"init", "-q", "-b", "main"});
    git_ok({"config", "user.email", "dev@example.com"});
    git_ok({"config", "user.name", "dev"});
    // main: two tables, then a reviewed migration that drops a column.
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, extra TEXT);\n"
              "CREATE TABLE old_notes (id INTEGER PRIMARY KEY);\n");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n"
              "CREATE TABLE old_notes (id INTEGER PRIMARY KEY);\n");
    REQUIRE(p.schema({"diff", "-m", "drop_extra", "--allow-data-loss"}).code == 0);
    git_ok({"add", "schema", "generated"});
    git_ok({"commit", "-q", "-m", "main"});
    // The pull request's branch drops a table.
    git_ok({"checkout", "-q", "-b", "feature"});
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n");
    REQUIRE(p.schema({"diff", "-m", "drop_old_notes", "--allow-data-loss"}).code == 0);
    git_ok({"add", "schema", "generated"});
    git_ok({"commit", "-q", "-m", "feature"});
    fs::remove(p.db());  // CI has no database

    auto r = p.schema({"lint", "--git-base", "main"});
    CHECK(r.code == 1);
    CHECK(contains(r.out, "0003_drop_old_notes.sql"));
    CHECK(contains(r.out, "drops table old_notes"));
    CHECK_FALSE(contains(r.out, "0002_drop_extra.sql"));  // main's, reviewed there
    CHECK_FALSE(fs::exists(p.db()));

    r = p.schema({"lint", "--latest", "2"});
    CHECK(r.code == 1);
    CHECK(contains(r.out, "0002_drop_extra.sql"));
    CHECK(contains(r.out, "0003_drop_old_notes.sql"));
    CHECK_FALSE(contains(r.out, "0001_init.sql"));
    CHECK_FALSE(fs::exists(p.db()));

    r = p.schema({"lint", "--git-base", "no-such-branch"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "git knows no revision no-such-branch"));
}

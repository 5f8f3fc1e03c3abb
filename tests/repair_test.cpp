// schema repair: an edit to an applied migration, agreed in review, is
// re-recorded after it is shown and proven not to change the schema; an edit
// that changes the schema is refused. In a real git repository.
#include <doctest/doctest.h>

#include "schema/git.hpp"
#include "schema/migrate.hpp"
#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void git(const Project& p, const std::vector<std::string>& args) {
    auto r = schema::git::run(p.root(), args);
    REQUIRE_MESSAGE(r.code == 0, "git failed: " << r.err);
}

// A git repository with one migration generated, applied and committed; false
// (the test skipped) when git is not installed.
bool committed_project(Project& p) {
    if (schema::git::run(".", {"--version"}).code != 0) {
        test::report_skipped("git is not installed");
        return false;
    }
    git(p, {"init", "-q", "-b", "main"});
    git(p, {"config", "user.email", "dev@example.com"});
    git(p, {"config", "user.name", "dev"});
    p.declare("CREATE TABLE notes (\n  id INTEGER PRIMARY KEY,\n  body TEXT NOT NULL\n);\n");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    p.exec("INSERT INTO notes (body) VALUES ('kept')");
    git(p, {"add", "schema", "generated"});
    git(p, {"commit", "-q", "-m", "init"});
    return true;
}

void edit(const fs::path& file, const std::string& from, const std::string& to) {
    std::string text = test::read_file(file);
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    test::write_file(file, text.replace(at, from.size(), to));
}

}  // namespace

TEST_CASE("repair: a comment edited after review is shown, proven and re-recorded") {
    Project p;
    if (!committed_project(p)) return;
    const fs::path file = p.generated() / "0001_init.sql";
    edit(file, "CREATE TABLE notes", "-- notes: one row per note (agreed in review)\nCREATE TABLE notes");
    edit(p.generated() / "rollback/0001_init.sql", "DROP TABLE", "-- drops every note\nDROP TABLE");
    // Before: the runner refuses to go past the edited file.
    CHECK(contains(p.schema({"status"}).out, "modified"));
    CHECK(p.schema({"apply", "--no-backup"}).code != 0);

    auto dry = p.schema({"repair", "--dry-run"});
    REQUIRE_MESSAGE(dry.code == 0, dry.err);
    CHECK(contains(dry.out, "+-- notes: one row per note (agreed in review)"));
    CHECK(contains(dry.out, "+-- drops every note"));
    CHECK(contains(dry.out, "the schema is unchanged: proven on a shadow"));
    CHECK(contains(dry.out, "against the text applied (commit "));
    CHECK(contains(p.schema({"status"}).out, "modified"));  // a dry run records nothing

    auto r = p.schema({"repair"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "recorded the checksums of 1 migration in app.db"));
    CHECK(contains(p.schema({"status"}).out, "1 applied, 0 pending, 0 modified"));
    CHECK(p.schema({"check"}).code == 0);
    CHECK(p.one("SELECT checksum FROM _migrations") == schema::migrate::sha256_hex(test::read_file(file)));
    CHECK(p.one("SELECT body FROM notes") == "kept");
    // The edited rollback is accepted too: rollback runs it.
    CHECK(p.schema({"rollback", "--no-backup"}).code == 0);
    CHECK(p.schema({"repair"}).out.find("nothing to repair") != std::string::npos);
}

TEST_CASE("repair: an edit that changes the schema the file produces is refused, unless allowed") {
    Project p;
    if (!committed_project(p)) return;
    const fs::path file = p.generated() / "0001_init.sql";
    const std::string recorded = p.one("SELECT checksum FROM _migrations");
    edit(file, "body TEXT NOT NULL", "body TEXT NOT NULL,\n  tag TEXT");
    auto r = p.schema({"repair"});
    CHECK(r.code == 1);
    CHECK(contains(r.out, "+  tag TEXT"));
    CHECK(contains(r.out, "the edit changes the schema"));
    CHECK(contains(r.out, "+ column notes.tag"));
    CHECK(contains(r.out, "not recorded"));
    CHECK(p.one("SELECT checksum FROM _migrations") == recorded);
    // Without the text applied in git's history, the proof is against the
    // database itself: the files as they read now must produce what it has.
    git(p, {"add", "generated"});
    git(p, {"commit", "-q", "-m", "edit"});
    fs::remove_all(p.root() / ".git");
    r = p.schema({"repair"});
    CHECK(r.code == 1);
    CHECK(contains(r.out, "the text applied is not in git's history"));
    CHECK(contains(r.out, "against the database"));
    CHECK(contains(r.out, "+ column notes.tag"));
    // Told otherwise (the database was changed by hand to match), it records.
    p.exec("ALTER TABLE notes ADD COLUMN tag TEXT");
    r = p.schema({"repair"});
    CHECK(r.code == 0);  // now the database matches the edited file: nothing changes the schema
    CHECK(p.one("SELECT checksum FROM _migrations") == schema::migrate::sha256_hex(test::read_file(file)));
    // A version that is not applied has nothing to repair.
    r = p.schema({"repair", "7"});
    CHECK(r.code != 0);
    CHECK(contains(r.err, "7 is not applied"));
}

TEST_CASE("repair: --allow-schema-change records an edit the proof refuses") {
    Project p;
    if (!committed_project(p)) return;
    edit(p.generated() / "0001_init.sql", "body TEXT NOT NULL", "body TEXT NOT NULL,\n  tag TEXT");
    CHECK(p.schema({"repair"}).code == 1);
    auto r = p.schema({"repair", "1", "--allow-schema-change"});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "recorded the checksums of 1 migration"));
    CHECK(contains(p.schema({"status"}).out, "0 modified"));
}

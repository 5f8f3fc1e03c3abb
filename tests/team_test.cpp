// Teams: two branches that each generated migrations, merged in a real git
// repository. schema.sum makes git stop the merge; `schema rebase` renumbers
// the branch's migrations after the base's and regenerates them against the
// merged schema/, so that nothing the other branch added is undone.
#include <doctest/doctest.h>

#include "schema/git.hpp"
#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool have_git() { return schema::git::run(".", {"--version"}).code == 0; }

schema::git::Output git(const Project& p, const std::vector<std::string>& args) {
    return schema::git::run(p.root(), args);
}

void git_ok(const Project& p, const std::vector<std::string>& args) {
    auto r = git(p, args);
    REQUIRE_MESSAGE(r.code == 0, "git " << args.front() << ": " << r.err << r.out);
}

// main: notes(id, body), migration 0001 applied to app.db and committed.
void start_repository(Project& p) {
    git_ok(p, {"init", "-q", "-b", "main"});
    git_ok(p, {"config", "user.email", "dev@example.com"});
    git_ok(p, {"config", "user.name", "dev"});
    test::write_file(p.root() / ".gitignore", "*.db\nbackups/\n");
    test::write_file(p.root() / "schema.toml", "db = \"app.db\"\n");
    p.declare("CREATE TABLE notes (\n  id INTEGER PRIMARY KEY,\n  body TEXT\n);\n", "notes.sql");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    git_ok(p, {"add", "-A"});
    git_ok(p, {"commit", "-q", "-m", "init"});
}

void commit_all(const Project& p, const std::string& message) {
    git_ok(p, {"add", "-A"});
    git_ok(p, {"commit", "-q", "-m", message});
}

std::vector<std::string> unmerged(const Project& p) {
    return test::lines_of(git(p, {"diff", "--name-only", "--diff-filter=U"}).out);
}

const char* kMerged =
    "CREATE TABLE notes (\n  id INTEGER PRIMARY KEY,\n  body TEXT CHECK (body <> ''),\n"
    "  pinned INTEGER NOT NULL DEFAULT 0\n);\n";

// feature: a CHECK on notes.body (a rebuild, generated before the merge) and a
// tags table; main meanwhile: notes.pinned, applied to app.db. Merged into
// feature, schema/ resolved by hand.
void diverge_and_merge(Project& p, bool hand_written_between = false) {
    git_ok(p, {"checkout", "-q", "-b", "feature"});
    fs::copy_file(p.db(), p.root() / "feature.db");
    auto on_feature = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--db", "feature.db"});
        return test::run_cli(args, p.root());
    };
    test::write_file(p.root() / "schema/tags.sql",
                     "CREATE TABLE tags (id INTEGER PRIMARY KEY, note_id INTEGER REFERENCES notes (id), name TEXT);\n");
    REQUIRE(on_feature({"diff", "-m", "tags"}).code == 0);
    if (hand_written_between) {
        REQUIRE(on_feature({"new", "seed_tags"}).code == 0);
        const fs::path seed = p.generated() / "0003_seed_tags.sql";
        test::write_file(seed, test::read_file(seed) + "INSERT INTO tags (name) VALUES ('inbox');\n");
        const fs::path undo = p.generated() / "rollback/0003_seed_tags.sql";
        test::write_file(undo, test::read_file(undo) + "DELETE FROM tags WHERE name = 'inbox';\n");
        REQUIRE(on_feature({"hash"}).code == 0);
    }
    test::write_file(p.root() / "schema/notes.sql",
                     "CREATE TABLE notes (\n  id INTEGER PRIMARY KEY,\n  body TEXT CHECK (body <> '')\n);\n");
    REQUIRE(on_feature({"diff", "-m", "body_check"}).code == 0);
    commit_all(p, "feature");

    git_ok(p, {"checkout", "-q", "main"});
    p.declare("CREATE TABLE notes (\n  id INTEGER PRIMARY KEY,\n  body TEXT,\n  pinned INTEGER NOT NULL DEFAULT 0\n);\n",
              "notes.sql");
    REQUIRE(p.schema({"diff", "-m", "pinned"}).code == 0);
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    p.exec("INSERT INTO notes (id, body, pinned) VALUES (1, 'keep me', 1)");
    commit_all(p, "pinned");

    git_ok(p, {"checkout", "-q", "feature"});
    CHECK(git(p, {"merge", "-q", "main"}).code != 0);  // stopped by git
}

}  // namespace

TEST_CASE("team: two branches each with a 0002 conflict at merge, rebase regenerates, applies, check is clean") {
    if (!have_git()) return test::report_skipped("git is not installed");
    Project p;
    start_repository(p);
    diverge_and_merge(p);
    // The conflict is where we put it: schema.sum (and schema/, edited on both).
    auto conflicts = unmerged(p);
    CHECK(std::find(conflicts.begin(), conflicts.end(), "generated/schema.sum") != conflicts.end());
    test::write_file(p.root() / "schema/notes.sql", kMerged);
    // Before the rebase, the directory is refused, and the message says how out.
    auto r = p.schema({"check"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "version 2 is used by 2 migrations"));
    CHECK(contains(r.err, "schema rebase BASE"));

    // The original 0002_body_check rebuilds notes as the branch knew it: run
    // after main's 0002_pinned, it would drop pinned with its values.
    const std::string stale = test::read_file(p.generated() / "0003_body_check.sql");
    CHECK(!contains(stale, "pinned"));

    r = p.schema({"rebase", "main"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "0002_tags.sql → 0003_tags.sql (regenerated"));
    CHECK(contains(r.out, "0003_body_check.sql → 0004_body_check.sql (regenerated"));
    CHECK(!fs::exists(p.generated() / "0003_body_check.sql"));
    CHECK(!fs::exists(p.generated() / "rollback/0002_tags.sql"));
    CHECK(fs::exists(p.generated() / "0002_pinned.sql"));
    const std::string rebuilt = test::read_file(p.generated() / "0004_body_check.sql");
    CHECK(contains(rebuilt, "SELECT id, body, pinned FROM notes"));

    // app.db had main's migrations: the rebased ones apply, the row stays, check is clean.
    r = p.schema({"apply", "--no-backup"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(p.one("SELECT id || ':' || body || ':' || pinned FROM notes") == "1:keep me:1");
    r = p.schema({"check"});
    CHECK_MESSAGE(r.code == 0, r.out << r.err);
    // The merge can be finished: nothing is left in conflict.
    commit_all(p, "merge main");
    CHECK(unmerged(p).empty());
    // And the rollback of everything the branch added works back to main's state.
    REQUIRE(p.schema({"rollback", "--to", "2", "--no-backup"}).code == 0);
    CHECK(p.one("SELECT pinned FROM notes") == "1");
}

TEST_CASE("team: a hand-written migration between generated ones keeps its SQL and moves to its new number") {
    if (!have_git()) return test::report_skipped("git is not installed");
    Project p;
    start_repository(p);
    diverge_and_merge(p, /*hand_written_between=*/true);
    test::write_file(p.root() / "schema/notes.sql", kMerged);
    auto r = p.schema({"rebase", "main"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "0003_seed_tags.sql → 0004_seed_tags.sql (hand-written: its SQL kept, renumbered)"));
    const std::string seed = test::read_file(p.generated() / "0004_seed_tags.sql");
    CHECK(seed.rfind("-- 0004_seed_tags.sql\n", 0) == 0);
    CHECK(contains(seed, "-- Rollback: rollback/0004_seed_tags.sql"));
    CHECK(contains(seed, "INSERT INTO tags (name) VALUES ('inbox');"));
    CHECK(fs::exists(p.generated() / "0003_tags.sql"));
    CHECK(fs::exists(p.generated() / "0005_body_check.sql"));
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    CHECK(p.one("SELECT name FROM tags") == "inbox");
    CHECK(p.one("SELECT pinned FROM notes WHERE id = 1") == "1");
    CHECK(p.schema({"check"}).code == 0);
}

TEST_CASE("team: rebase --squash writes the branch as one migration, a version works as the base without git") {
    if (!have_git()) return test::report_skipped("git is not installed");
    Project p;
    start_repository(p);
    diverge_and_merge(p);
    test::write_file(p.root() / "schema/notes.sql", kMerged);
    auto r = p.schema({"rebase", "main", "--squash", "-m", "tags_and_checks"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "0002_tags.sql + 0003_body_check.sql → 0003_tags_and_checks.sql"));
    CHECK(!fs::exists(p.generated() / "0004_body_check.sql"));
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    CHECK(p.schema({"check"}).code == 0);

    // Without git: the migrations after version 2 are this branch's.
    fs::remove_all(p.root() / ".git");
    p.declare(std::string(kMerged) + "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);\n", "notes.sql");
    fs::remove(p.root() / "schema/tags.sql");
    REQUIRE(p.schema({"rollback", "--no-backup"}).code == 0);
    r = p.schema({"rebase", "--after", "2"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "onto version 2 (after 0002)"));
    CHECK(contains(r.out, "0003_tags_and_checks.sql → 0003_tags_and_checks.sql (regenerated"));
    CHECK(!contains(test::read_file(p.generated() / "0003_tags_and_checks.sql"), "note_id"));
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    CHECK(p.schema({"check"}).code == 0);
}

TEST_CASE("team: rebase refuses to regenerate a generated file edited by hand, unless told") {
    if (!have_git()) return test::report_skipped("git is not installed");
    Project p;
    start_repository(p);
    diverge_and_merge(p);
    test::write_file(p.root() / "schema/notes.sql", kMerged);
    // A backfill appended to the generated 0002_tags on the branch.
    const fs::path tags = p.generated() / "0002_tags.sql";
    const std::string text = test::read_file(tags);
    test::write_file(tags, text + "INSERT INTO tags (name) VALUES ('inbox');\n");
    int line = 1;
    for (char ch : text) line += ch == '\n';
    auto r = p.schema({"rebase", "main"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "generated/0002_tags.sql:" + std::to_string(line) + ":1: error: this file was edited after "
                          "`schema diff` wrote it"));
    CHECK(fs::exists(tags));  // nothing written
    r = p.schema({"rebase", "main", "--regenerate-edited"});
    CHECK(r.code == 0);
    CHECK(!contains(test::read_file(p.generated() / "0003_tags.sql"), "inbox"));
    // A revision that looks like an option is not passed to git as one.
    CHECK(p.schema({"rebase", "--", "--output=x"}).code == 2);
}

TEST_CASE("team: rebase refuses a migration the database has applied") {
    if (!have_git()) return test::report_skipped("git is not installed");
    Project p;
    start_repository(p);
    diverge_and_merge(p);
    test::write_file(p.root() / "schema/notes.sql", kMerged);
    // A database that applied the branch's own 0002 (as a developer's copy did
    // before the merge): rewriting that file would run it twice there.
    test::exec_sql(p.root() / "feature.db", "CREATE TABLE tags (id INTEGER PRIMARY KEY, note_id INTEGER, name TEXT)");
    test::exec_sql(p.root() / "feature.db",
                   "INSERT INTO _migrations SELECT 2, 'tags', checksum, NULL, applied_at, 0, applied_by, hostname "
                   "FROM _migrations WHERE version = 1");
    auto r = test::run_cli({"--db", "feature.db", "rebase", "main"}, p.root());
    CHECK(r.code != 0);
    CHECK(contains(r.err, "0002_tags.sql is applied to feature.db"));
    CHECK(fs::exists(p.generated() / "0002_tags.sql"));  // nothing written
}

TEST_CASE("team: a branch that edited a migration and one that added one conflict at merge") {
    if (!have_git()) return test::report_skipped("git is not installed");
    Project p;
    start_repository(p);
    git_ok(p, {"checkout", "-q", "-b", "reword"});
    const fs::path init = p.generated() / "0001_init.sql";
    test::write_file(init, "-- notes: agreed in review\n" + test::read_file(init));
    REQUIRE(p.schema({"repair"}).code == 0);  // re-records the checksum, and schema.sum with it
    commit_all(p, "reword");
    git_ok(p, {"checkout", "-q", "main"});
    p.declare("CREATE TABLE notes (\n  id INTEGER PRIMARY KEY,\n  body TEXT,\n  tag TEXT\n);\n", "notes.sql");
    REQUIRE(p.schema({"diff", "-m", "tag"}).code == 0);
    commit_all(p, "tag");
    git_ok(p, {"checkout", "-q", "reword"});
    CHECK(git(p, {"merge", "-q", "main"}).code != 0);
    auto conflicts = unmerged(p);
    CHECK(std::find(conflicts.begin(), conflicts.end(), "generated/schema.sum") != conflicts.end());
    // check names the conflict and the way out.
    auto r = p.schema({"check", "--offline"});
    CHECK(r.code == 1);
    CHECK(contains(r.out, "schema.sum has a merge conflict"));
    CHECK(contains(r.out, "schema rebase"));
    // Nothing to renumber (reword only edited a file main has too): rebase
    // records the merged files, and the merge can be finished.
    r = p.schema({"rebase", "main"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "nothing to rebase"));
    CHECK(contains(r.out, "schema.sum rewritten"));
    CHECK(p.schema({"check", "--offline"}).code == 0);
}

TEST_CASE("team: schema.sum records every migration, and an edit without schema fails check until `schema hash`") {
    Project p;
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY);\n");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    const std::string sum = test::read_file(p.generated() / "schema.sum");
    CHECK(contains(sum, "\ntotal "));
    CHECK(contains(sum, "\n0001_init.sql "));
    CHECK(contains(sum, "\nrollback/0001_init.sql "));
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    CHECK(p.schema({"check"}).code == 0);
    REQUIRE(p.schema({"new", "backfill"}).code == 0);
    CHECK(p.schema({"check", "--offline"}).code == 0);  // new records its pair
    test::write_file(p.generated() / "0002_backfill.sql",
                     test::read_file(p.generated() / "0002_backfill.sql") + "INSERT INTO notes DEFAULT VALUES;\n");
    auto r = p.schema({"check", "--offline"});
    CHECK(r.code == 1);
    CHECK(contains(r.out, "0002_backfill.sql (edited)"));
    CHECK(contains(r.out, "schema hash"));
    auto v = p.schema({"validate"});
    CHECK(v.code == 1);
    CHECK(contains(v.out, "schema.sum does not match the migrations (0002_backfill.sql (edited))"));
    // A later `schema diff` records its own pair, not the unreviewed edit.
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n");
    REQUIRE(p.schema({"diff", "-m", "body"}).code == 0);
    r = p.schema({"check", "--offline"});
    CHECK(contains(r.out, "0002_backfill.sql (edited)"));
    CHECK(!contains(r.out, "0003_body.sql"));
    REQUIRE(p.schema({"hash"}).code == 0);
    CHECK(p.schema({"check", "--offline"}).code == 0);
}

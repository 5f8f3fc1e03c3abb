// Fleets: one migration history applied to many tenant databases, through the
// real CLI on real files.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {

std::string fmt_name(int i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "t%03d.db", i);
    return buf;
}

// `schema <args>` in the project, without --db (the pattern names the databases).
test::CliResult run(const Project& p, const std::vector<std::string>& args) { return test::run_cli(args, p.root()); }

// A project whose generated/ holds 0001 (notes) and 0002 (notes tightened:
// body NOT NULL, score >= 0, and a new table), and `n` tenants at 0001 under
// tenants/, each with one good row.
void make_fleet(Project& p, int n) {
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, score INTEGER);\n");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    fs::create_directories(p.root() / "tenants");
    for (int i = 1; i <= n; ++i) {
        auto t = p.root() / "tenants" / fmt_name(i);
        fs::copy_file(p.db(), t);
        test::exec_sql(t, "INSERT INTO notes (body, score) VALUES ('hello', " + std::to_string(i) + ");");
    }
    p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, score INTEGER CHECK (score >= 0));\n"
              "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);\n");
    REQUIRE(p.schema({"diff", "-m", "tighten"}).code == 0);
}

}  // namespace

TEST_CASE("fleet: tenants with bad data fail alone, the others are migrated") {
    Project p;
    make_fleet(p, 20);
    const auto tenants = p.root() / "tenants";
    test::exec_sql(tenants / "t004.db", "INSERT INTO notes (body, score) VALUES (NULL, 1);");   // NOT NULL
    test::exec_sql(tenants / "t011.db", "INSERT INTO notes (body, score) VALUES ('x', -5);");   // CHECK
    test::write_file(tenants / "t017.db", "this is not a database\n");
    const std::string t004_before = test::read_file(tenants / "t004.db");

    auto r = run(p, {"apply", "--fleet", "tenants/*.db", "-j", "2"});
    CHECK(r.code == 1);
    CHECK(r.out.find("fleet: 20 databases") != std::string::npos);
    CHECK(r.out.find("applied              17") != std::string::npos);
    CHECK(r.out.find("failed                3") != std::string::npos);
    CHECK(r.out.find("tenants/t004.db (left at 0001):\n      generated/0002_tighten.sql:") != std::string::npos);
    CHECK(r.out.find("NOT NULL constraint failed: new_notes.body") != std::string::npos);
    CHECK(r.out.find("tenants/t011.db (left at 0001)") != std::string::npos);
    CHECK(r.out.find("CHECK constraint failed") != std::string::npos);
    CHECK(r.out.find("tenants/t017.db (left at none):\n      file is not a database") != std::string::npos);

    // The failed ones are exactly as they were (their backup aside); the others are at 0002.
    CHECK(test::read_file(tenants / "t004.db") == t004_before);
    CHECK(test::query_one(tenants / "t011.db", "SELECT max(version) FROM _migrations") == "1");
    for (int i : {1, 2, 3, 5, 10, 12, 16, 18, 20}) {
        auto t = tenants / fmt_name(i);
        CAPTURE(t);
        CHECK(test::query_one(t, "SELECT max(version) FROM _migrations") == "2");
        CHECK(test::query_one(t, "SELECT score FROM notes") == std::to_string(i));
        CHECK(test::query_one(t, "SELECT count(*) FROM sqlite_master WHERE name = 'tags'") == "1");
    }
    // Each migrated tenant has its own backup folder.
    CHECK(fs::is_directory(tenants / "backups" / "t001.db"));

    auto st = run(p, {"status", "--fleet", "tenants/*.db"});
    CHECK(st.code == 1);  // t017 cannot be read
    CHECK(st.out.find("17 databases  up to date") != std::string::npos);
    CHECK(st.out.find(" 2 databases  1 pending") != std::string::npos);
    CHECK(st.out.find("tenants/t017.db: file is not a database") != std::string::npos);

    // Fix the data, run again: only the two that failed are migrated now.
    test::exec_sql(tenants / "t004.db", "UPDATE notes SET body = '' WHERE body IS NULL;");
    test::exec_sql(tenants / "t011.db", "UPDATE notes SET score = 0 WHERE score < 0;");
    fs::remove(tenants / "t017.db");
    auto again = run(p, {"--json", "apply", "--fleet", "tenants/*.db", "--no-backup"});
    CHECK(again.code == 0);
    auto summary = test::json_lines(again.out).back()["summary"];
    CHECK(summary["databases"] == 19);
    CHECK(summary["applied"] == 2);
    CHECK(summary["current"] == 17);
    CHECK(summary["failed"] == 0);
    CHECK(run(p, {"status", "--fleet", "tenants/*.db"}).code == 0);
}

TEST_CASE("fleet: two fleet runs at once apply each migration once per tenant") {
    Project p;
    make_fleet(p, 30);
    int a = test::spawn_cli({"--db", "unused.db", "apply", "--fleet", "tenants/*.db", "-j", "2", "--no-backup"},
                            p.root());
    int b = test::spawn_cli({"apply", "--fleet", "tenants/*.db", "-j", "2", "--no-backup"}, p.root());
    int code_a = test::wait_cli(a), code_b = test::wait_cli(b);
    CHECK(code_a == 2);  // --db and --fleet: refused before touching anything
    CHECK(code_b == 0);
    int c = test::spawn_cli({"apply", "--fleet", "tenants/*.db", "-j", "2", "--no-backup"}, p.root());
    int d = test::spawn_cli({"apply", "--fleet", "tenants/*.db", "-j", "1", "--no-backup"}, p.root());
    CHECK(test::wait_cli(c) == 0);
    CHECK(test::wait_cli(d) == 0);
    for (int i = 1; i <= 30; ++i) {
        auto t = p.root() / "tenants" / fmt_name(i);
        CHECK(test::query_one(t, "SELECT group_concat(version) FROM _migrations") == "1,2");
    }
}

TEST_CASE("fleet: dry run, and backups of same-named databases under one backup folder") {
    Project p;
    make_fleet(p, 0);
    for (const char* tenant : {"acme", "globex"}) {
        fs::create_directories(p.root() / "tenants" / tenant);
        fs::copy_file(p.db(), p.root() / "tenants" / tenant / "app.db");
    }
    auto dry = run(p, {"apply", "--fleet", "tenants/*/app.db", "--dry-run"});
    CHECK(dry.code == 0);
    CHECK(dry.out.find("would apply           2  (2 migrations in all)") != std::string::npos);
    CHECK(test::query_one(p.root() / "tenants/acme/app.db", "SELECT max(version) FROM _migrations") == "1");

    REQUIRE(run(p, {"--backup-dir", "saved", "apply", "--fleet", "tenants/*/app.db"}).code == 0);
    CHECK(fs::is_directory(p.root() / "saved" / "tenants%2Facme%2Fapp.db"));
    CHECK(fs::is_directory(p.root() / "saved" / "tenants%2Fglobex%2Fapp.db"));
    CHECK(test::query_one(p.root() / "tenants/globex/app.db", "SELECT max(version) FROM _migrations") == "2");
}

TEST_CASE("fleet: usage errors") {
    Project p;
    make_fleet(p, 1);
    auto none = run(p, {"apply", "--fleet", "nowhere/*.db"});
    CHECK(none.code == 2);
    CHECK(none.err.find("no database file matches") != std::string::npos);
    // A pattern never creates databases.
    CHECK(!fs::exists(p.root() / "nowhere"));
    CHECK(p.schema({"apply", "-j", "2"}).err.find("-j goes with --fleet") != std::string::npos);
    CHECK(p.schema({"status", "-j", "2"}).err.find("-j goes with --fleet") != std::string::npos);
}

TEST_CASE("fleet: a symlink loop fails alone - SQLite's sidecar files are not databases") {
    Project p;
    make_fleet(p, 3);
    const auto tenants = p.root() / "tenants";
    fs::create_symlink("loop.db", tenants / "loop.db");  // points at itself
    // t002 in WAL mode, held open so that its -wal and -shm files exist; an
    // empty -journal beside t003.
    test::exec_sql(tenants / "t002.db", "PRAGMA journal_mode = WAL;");
    sqlite3* held = nullptr;
    REQUIRE(sqlite3_open((tenants / "t002.db").c_str(), &held) == SQLITE_OK);
    REQUIRE(sqlite3_exec(held, "SELECT count(*) FROM notes", nullptr, nullptr, nullptr) == SQLITE_OK);
    REQUIRE(fs::exists(tenants / "t002.db-wal"));
    test::write_file(tenants / "t003.db-journal", "");

    auto st = run(p, {"status", "--fleet", "tenants/*"});
    CHECK(st.out.find("fleet: 4 databases") != std::string::npos);
    CHECK(st.out.find("tenants/loop.db: cannot read tenants/loop.db") != std::string::npos);

    auto r = run(p, {"apply", "--fleet", "tenants/*", "-j", "2"});
    sqlite3_close(held);
    CHECK(r.code == 1);
    CHECK(r.out.find("fleet: 4 databases") != std::string::npos);
    CHECK(r.out.find("applied               3") != std::string::npos);
    CHECK(r.out.find("failed                1") != std::string::npos);
    CHECK(r.out.find("tenants/loop.db (left at none):\n      cannot read tenants/loop.db") != std::string::npos);
    CHECK(r.out.find("-wal") == std::string::npos);
    CHECK(r.out.find("-shm") == std::string::npos);
    CHECK(r.out.find("-journal") == std::string::npos);
    for (int i = 1; i <= 3; ++i)
        CHECK(test::query_one(tenants / fmt_name(i), "SELECT max(version) FROM _migrations") == "2");
}

TEST_CASE("fleet: threads the system will not create mean fewer at a time, not an abort") {
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer reserves terabytes of address space: no ulimit -v run is possible.
    test::report_skipped("address-space limits do not apply under AddressSanitizer");
    return;
#endif
    Project p;
    make_fleet(p, 40);
    test::TempDir io;
    // 40 threads' stacks do not fit in 300 MB of address space (and few malloc
    // arenas, so that the threads that do start can allocate).
    std::string cmd = "cd '" + p.root().string() + "' && ulimit -v 300000 && MALLOC_ARENA_MAX=2 '" SCHEMA_CLI
                      "' apply --fleet 'tenants/*.db' -j 300 --no-backup >'" +
                      (io / "out").string() + "' 2>'" + (io / "err").string() + "'";
    int status = std::system(cmd.c_str());
    const std::string out = test::read_file(io / "out"), err = test::read_file(io / "err");
    INFO(out << err);
    // Never an abort: a summary, and each tenant either migrated or reported as
    // failed (under this limit a tenant may still run out of memory).
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) <= 1);
    CHECK(err.find("terminate called") == std::string::npos);
    CHECK(err.find("schema: fleet: could not start 300 threads") != std::string::npos);
    CHECK(out.find("fleet: 40 databases") != std::string::npos);
    int migrated = 0;
    for (int i = 1; i <= 40; ++i)
        migrated += test::query_one(p.root() / "tenants" / fmt_name(i), "SELECT max(version) FROM _migrations") == "2";
    if (WEXITSTATUS(status) == 0) CHECK(migrated == 40);
    CHECK(migrated > 0);
}

TEST_CASE("fleet: migrations another runner applied meanwhile are not counted as this run's") {
    Project p;
    make_fleet(p, 3);
    const auto tenants = p.root() / "tenants";
    // Every tenant locked for writing: both runs read 0002 as pending, then wait.
    std::vector<sqlite3*> locks;
    for (int i = 1; i <= 3; ++i) {
        sqlite3* h = nullptr;
        REQUIRE(sqlite3_open((tenants / fmt_name(i)).c_str(), &h) == SQLITE_OK);
        REQUIRE(sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
        locks.push_back(h);
    }
    test::TempDir io;
    int a = test::spawn_cli({"--json", "apply", "--fleet", "tenants/*.db", "--no-backup"}, p.root(), io / "a", io / "ea");
    int b = test::spawn_cli({"--json", "apply", "--fleet", "tenants/*.db", "--no-backup"}, p.root(), io / "b", io / "eb");
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    for (auto h : locks) {
        sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(h);
    }
    CHECK(test::wait_cli(a) == 0);
    CHECK(test::wait_cli(b) == 0);
    auto sa = test::json_lines(test::read_file(io / "a")).back()["summary"];
    auto sb = test::json_lines(test::read_file(io / "b")).back()["summary"];
    // Each tenant's 0002 ran once, and is counted once.
    CHECK(sa["migrations_applied"].get<int>() + sb["migrations_applied"].get<int>() == 3);
    CHECK(sa["applied"].get<int>() + sb["applied"].get<int>() == 3);
    CHECK(sa["current"].get<int>() + sb["current"].get<int>() == 3);
    for (int i = 1; i <= 3; ++i)
        CHECK(test::query_one(tenants / fmt_name(i), "SELECT group_concat(version) FROM _migrations") == "1,2");
}

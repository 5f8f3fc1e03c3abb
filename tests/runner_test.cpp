// The tracked runner, through the real CLI on real database files: exactly once
// under concurrency, crash safety under SIGKILL, atomic failure, tamper evidence,
// backups, the adopted layouts and wrangler's history.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <random>
#include <sstream>
#include <thread>

#include "schema/migrate.hpp"
#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {

// A numbered migration pair, written by hand.
void write_pair(const Project& p, int version, const std::string& name, const std::string& up,
                const std::string& down) {
    char num[8];
    std::snprintf(num, sizeof num, "%04d", version);
    test::write_file(p.generated() / (std::string(num) + "_" + name + ".sql"), up);
    test::write_file(p.generated() / "rollback" / (std::string(num) + "_" + name + ".sql"), down);
}

// Everything in a database that a failed migration must not have touched: the
// schema text and every row of every table.
std::string snapshot(const fs::path& db) {
    std::string out;
    for (const auto& row : test::query_column(
             db, "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY name"))
        out += row + "\n";
    for (const auto& t :
         test::query_column(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
        for (const auto& row : test::query_column(db, "SELECT quote(x) FROM (SELECT json_array(*) AS x FROM \"" + t +
                                                          "\") ORDER BY x"))
            out += t + " " + row + "\n";
    }
    return out;
}

}  // namespace

TEST_CASE("runner: four concurrent appliers apply each migration exactly once (20 rounds)") {
    for (int round = 0; round < 20; ++round) {
        CAPTURE(round);
        Project p;
        write_pair(p, 1, "log", "CREATE TABLE log (what TEXT);", "DROP TABLE log;");
        for (int v = 2; v <= 6; ++v)
            write_pair(p, v, "entry", "INSERT INTO log VALUES ('" + std::to_string(v) + "');",
                       "DELETE FROM log WHERE what = '" + std::to_string(v) + "';");
        std::vector<int> pids;
        for (int i = 0; i < 4; ++i)
            pids.push_back(test::spawn_cli({"--db", "app.db", "--no-color", "apply", "--no-backup"}, p.root()));
        for (int pid : pids) CHECK(test::wait_cli(pid) == 0);
        CHECK(p.one("SELECT count(*) FROM log") == "5");
        CHECK(p.one("SELECT count(DISTINCT what) FROM log") == "5");
        CHECK(p.one("SELECT count(*) FROM _migrations") == "6");
    }
}

TEST_CASE("runner: SIGKILL at any moment of a 200,000-row rebuild leaves the old or the new version, intact (50 kills)") {
    Project base;
    base.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INT);"
              "CREATE TABLE notes (id INTEGER PRIMARY KEY, item_id INT REFERENCES items (id) ON DELETE CASCADE, body TEXT);"
              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
              "INSERT INTO items SELECT i, printf('item %d %.*c', i, 200, 'x'), i % 97 FROM n;"
              "INSERT INTO notes SELECT id, id, 'note' FROM items WHERE id % 10 = 0;");
    base.declare("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INT NOT NULL DEFAULT 0 CHECK (qty >= 0));"
                 "CREATE TABLE notes (id INTEGER PRIMARY KEY, item_id INT REFERENCES items (id) ON DELETE CASCADE, body TEXT);");
    REQUIRE(base.schema({"diff", "-m", "qty_check"}).code == 0);
    const std::string rows_before = base.one("SELECT count(*) || ':' || sum(id) || ':' || total(qty) FROM items");
    const std::string notes_before = base.one("SELECT count(*) || ':' || sum(item_id) FROM notes");

    // How long an undisturbed run takes, to spread the kills over it.
    Project timing;
    fs::copy(base.db(), timing.db());
    fs::copy(base.generated(), timing.generated(), fs::copy_options::recursive);
    auto t0 = std::chrono::steady_clock::now();
    REQUIRE(timing.schema({"apply", "--no-backup"}).code == 0);
    auto run_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    MESSAGE("an undisturbed apply takes " << run_ms << " ms");
    REQUIRE(timing.one("SELECT count(*) FROM _migrations") == "1");
    REQUIRE(timing.one("SELECT sql FROM sqlite_master WHERE name = 'items'").find("CHECK") != std::string::npos);

    std::mt19937 rng(42);
    std::uniform_int_distribution<long> delay(0, std::max<long>(1, long(run_ms * 1.2)));
    int old_version = 0, new_version = 0;
    for (int kill = 0; kill < 50; ++kill) {
        CAPTURE(kill);
        Project p;
        fs::copy(base.db(), p.db());
        fs::copy(base.generated(), p.generated(), fs::copy_options::recursive);
        int pid = test::spawn_cli({"--db", "app.db", "apply", "--no-backup"}, p.root());
        std::this_thread::sleep_for(std::chrono::milliseconds(delay(rng)));
        ::kill(pid, SIGKILL);
        test::wait_cli(pid);

        CHECK(p.one("PRAGMA integrity_check") == "ok");
        std::string version = "0";
        if (p.one("SELECT count(*) FROM sqlite_master WHERE name = '_migrations'") == "1")
            version = p.one("SELECT count(*) FROM _migrations");
        bool has_check = p.one("SELECT sql FROM sqlite_master WHERE name = 'items'").find("CHECK") != std::string::npos;
        CHECK((version == "0" || version == "1"));
        CHECK(has_check == (version == "1"));
        (version == "1" ? new_version : old_version)++;
        CHECK(p.one("SELECT count(*) || ':' || sum(id) || ':' || total(qty) FROM items") == rows_before);
        CHECK(p.one("SELECT count(*) || ':' || sum(item_id) FROM notes") == notes_before);
        CHECK(test::query_column(p.db(), "PRAGMA foreign_key_check").empty());
        CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name LIKE 'new_%'") == "0");
    }
    MESSAGE(old_version << " kills left the old version, " << new_version << " the new one");
}

TEST_CASE("runner: a failing migration leaves the database exactly as it was and says where it failed") {
    Project p;
    write_pair(p, 1, "init", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);\nINSERT INTO t VALUES (1, 'a');",
               "DROP TABLE t;");
    REQUIRE(p.schema({"apply"}).code == 0);
    write_pair(p, 2, "broken",
               "-- adds a column, fills it, then breaks\n"
               "ALTER TABLE t ADD COLUMN w TEXT;\n"
               "UPDATE t SET w = 'x';\n"
               "CREATE INDEX t_w ON t (w);\n"
               "INSERT INTO t (id, v)\n"
               "  VALUES (2, NULL);\n",
               "");
    const std::string before = snapshot(p.db());
    auto r = p.schema({"apply", "--no-backup"});
    CHECK(r.code == 1);
    CHECK(r.err.find("generated/0002_broken.sql:5: NOT NULL constraint failed: t.v") != std::string::npos);
    CHECK(r.err.find("statement: INSERT INTO t (id, v)") != std::string::npos);
    CHECK(r.err.find("the database is as it was before it") != std::string::npos);
    CHECK(snapshot(p.db()) == before);
    CHECK(p.one("SELECT count(*) FROM _migrations") == "1");
}

TEST_CASE("runner: an applied file that was edited or removed blocks apply - status and validate say so") {
    Project p;
    write_pair(p, 1, "a", "CREATE TABLE a (x);", "DROP TABLE a;");
    write_pair(p, 2, "b", "CREATE TABLE b (x);", "DROP TABLE b;");
    REQUIRE(p.schema({"apply"}).code == 0);
    write_pair(p, 3, "c", "CREATE TABLE c (x);", "DROP TABLE c;");
    test::write_file(p.generated() / "0001_a.sql", "CREATE TABLE a (x, y);");
    auto r = p.schema({"apply"});
    CHECK(r.code == 1);
    CHECK(r.err.find("migration 1 (a) was edited after it was applied") != std::string::npos);
    CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name = 'c'") == "0");

    r = p.schema({"status"});
    CHECK(r.code == 0);
    CHECK(r.out.find("0001     modified") != std::string::npos);
    CHECK(r.out.find("0002     applied") != std::string::npos);
    CHECK(r.out.find("0003     pending") != std::string::npos);
    r = p.schema({"validate"});
    CHECK(r.code == 1);
    CHECK(r.out.find("0001_a.sql: edited after it was applied") != std::string::npos);

    fs::remove(p.generated() / "0002_b.sql");
    r = p.schema({"--json", "status"});
    auto lines = test::json_lines(r.out);
    REQUIRE(lines.size() == 4);
    CHECK(lines[1]["state"] == "missing");
    CHECK(lines[3]["summary"]["missing"] == 1);
}

TEST_CASE("runner: validate reports gaps, duplicates, stray files and missing rollbacks") {
    Project p;
    write_pair(p, 1, "a", "CREATE TABLE a (x);", "DROP TABLE a;");
    write_pair(p, 3, "c", "CREATE TABLE c (x);", "DROP TABLE c;");
    test::write_file(p.generated() / "0003_again.sql", "SELECT 1;");
    test::write_file(p.generated() / "0004_d.sql", "SELECT 1;");
    test::write_file(p.generated() / "notes.sql", "SELECT 1;");
    auto r = p.schema({"validate"});
    CHECK(r.code == 1);
    CHECK(r.out.find("version 3 is used by 2 migrations: generated/0003_again.sql and generated/0003_c.sql") != std::string::npos);
    CHECK(r.out.find("gap: no migration numbered 2 between 0001_a and 0003_again") != std::string::npos);
    CHECK(r.out.find("0004_d.sql: no rollback file") != std::string::npos);
    CHECK(r.out.find("notes.sql: not in the layout") != std::string::npos);
}

TEST_CASE("runner: a backup is taken before applying, and it restores") {
    Project p;
    write_pair(p, 1, "init", "CREATE TABLE t (v); INSERT INTO t VALUES (1), (2);", "DROP TABLE t;");
    REQUIRE(p.schema({"apply"}).code == 0);
    write_pair(p, 2, "wipe", "DELETE FROM t; ALTER TABLE t ADD COLUMN w;", "ALTER TABLE t DROP COLUMN w;");
    auto r = p.schema({"apply", "--keep-backups", "2"});
    REQUIRE(r.code == 0);
    auto pos = r.out.find("backup       ");
    REQUIRE(pos != std::string::npos);
    fs::path copy = p.root() / r.out.substr(pos + 13, r.out.find('\n', pos) - pos - 13);
    CHECK(fs::exists(copy));
    CHECK(p.one("SELECT count(*) FROM t") == "0");
    fs::copy_file(copy, p.db(), fs::copy_options::overwrite_existing);
    CHECK(p.one("SELECT count(*) FROM t") == "2");
    CHECK(p.schema({"status"}).out.find("1 applied, 1 pending") != std::string::npos);
    // Only the newest copies are kept.
    REQUIRE(p.schema({"apply"}).code == 0);
    REQUIRE(p.schema({"rollback"}).code == 0);
    REQUIRE(p.schema({"apply"}).code == 0);
    int copies = 0;
    for (auto& e : fs::directory_iterator(p.root() / "backups")) copies += e.path().extension() == ".db";
    CHECK(copies == 4);  // one per run that changed something; the default keeps 5
    REQUIRE(p.schema({"rollback", "--keep-backups", "2"}).code == 0);
    copies = 0;
    for (auto& e : fs::directory_iterator(p.root() / "backups")) copies += e.path().extension() == ".db";
    CHECK(copies == 2);
    CHECK(p.schema({"rollback", "--no-backup"}).out.find("backup") == std::string::npos);
}

TEST_CASE("runner: --dry-run prints the SQL that would run and changes nothing") {
    Project p;
    write_pair(p, 1, "a", "CREATE TABLE a (x);", "DROP TABLE a;");
    write_pair(p, 2, "b", "CREATE TABLE b (x);", "DROP TABLE b;");
    auto r = p.schema({"apply", "--dry-run"});
    CHECK(r.code == 0);
    CHECK(r.out == "would apply        generated/0001_a.sql\nCREATE TABLE a (x);\n\n"
                   "would apply        generated/0002_b.sql\nCREATE TABLE b (x);\n\n");
    auto json = test::json_lines(p.schema({"--json", "apply", "--dry-run"}).out);
    REQUIRE(json.size() >= 2);
    CHECK(json[0]["event"] == "would_apply");
    CHECK(json[0]["sql"] == "CREATE TABLE a (x);");
    CHECK(p.one("SELECT count(*) FROM sqlite_master") == "0");
    REQUIRE(p.schema({"apply", "--to", "1"}).code == 0);
    CHECK(p.one("SELECT count(*) FROM _migrations") == "1");
    r = p.schema({"rollback", "--dry-run"});
    CHECK(r.out == "would roll back    generated/rollback/0001_a.sql\nDROP TABLE a;\n\n");
    CHECK(p.one("SELECT count(*) FROM _migrations") == "1");
}

TEST_CASE("runner: --json prints one event per line") {
    Project p;
    write_pair(p, 1, "a", "CREATE TABLE a (x); INSERT INTO a SELECT 1;", "DROP TABLE a;");
    write_pair(p, 2, "bad", "INSERT INTO nowhere VALUES (1);", "");
    auto r = p.schema({"--json", "apply"});
    CHECK(r.code == 1);
    auto events = test::json_lines(r.out);
    std::vector<std::string> kinds;
    for (const auto& e : events) kinds.push_back(e["event"]);
    // The last: the error that ended the command, at its file and line (for CI).
    CHECK(kinds == std::vector<std::string>{"started", "rows_copied", "applied", "started", "failed", "error"});
    CHECK(events[5]["file"] == "generated/0002_bad.sql");
    CHECK(events[5]["line"] == 1);
    CHECK(events[2]["version"] == 1);
    CHECK(events[2]["ms"].is_number());
    CHECK(events[4]["file"] == "generated/0002_bad.sql");
    CHECK(events[4]["line"] == 1);
    CHECK(events[4]["message"] == "no such table: nowhere");
}

TEST_CASE("runner: foreign keys are switched off around a hand-written PRAGMA foreign_keys, and checked") {
    Project p;
    write_pair(p, 1, "init",
               "CREATE TABLE p (id INTEGER PRIMARY KEY, v INT);"
               "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INT REFERENCES p (id) ON DELETE CASCADE);"
               "INSERT INTO p VALUES (1, 1), (2, 2); INSERT INTO c VALUES (10, 1), (11, 2);",
               "DROP TABLE c; DROP TABLE p;");
    // The hand-written rebuild of the seeds: without foreign keys off, DROP TABLE p
    // would delete every row of c through ON DELETE CASCADE.
    write_pair(p, 2, "rebuild_p",
               "PRAGMA foreign_keys = OFF;\n"
               "CREATE TABLE p_new (id INTEGER PRIMARY KEY, v INT CHECK (v > 0));\n"
               "INSERT INTO p_new SELECT * FROM p;\n"
               "DROP TABLE p;\n"
               "ALTER TABLE p_new RENAME TO p;\n"
               "PRAGMA foreign_keys = ON;\n",
               "");
    REQUIRE(p.schema({"apply"}).code == 0);
    CHECK(p.one("SELECT count(*) FROM c") == "2");
    // A migration that leaves a dangling reference is refused at the check.
    write_pair(p, 3, "orphan", "PRAGMA foreign_keys = OFF;\nDELETE FROM p WHERE id = 1;\n", "");
    auto r = p.schema({"apply"});
    CHECK(r.code == 1);
    CHECK(r.err.find("FOREIGN KEY check failed: a row of c") != std::string::npos);
    CHECK(p.one("SELECT count(*) FROM p") == "2");
}

TEST_CASE("runner: the layouts of the seeds apply and roll back") {
    struct Layout {
        const char* name;
        std::vector<std::pair<std::string, std::string>> files;
    };
    const std::vector<Layout> layouts = {
        {"numbered, three digits",
         {{"001_a.sql", "CREATE TABLE a (x);"}, {"rollback/001_a.sql", "DROP TABLE a;"},
          {"002_b.sql", "CREATE TABLE b (x);"}, {"rollback/002_b.sql", "DROP TABLE b;"}}},
        {"sibling .rollback.sql",
         {{"0001_a.sql", "CREATE TABLE a (x);"}, {"0001_a.rollback.sql", "DROP TABLE a;"},
          {"0002_b.sql", "CREATE TABLE b (x);"}, {"0002_b.rollback.sql", "DROP TABLE b;"}}},
        {"Flyway directories",
         {{"V001__a/up.sql", "CREATE TABLE a (x);"}, {"V001__a/down.sql", "DROP TABLE a;"},
          {"V002__b/up.sql", "CREATE TABLE b (x);"}, {"V002__b/down.sql", "DROP TABLE b;"},
          {"V002__b/metadata.yaml", "version: 2\n"}}},
    };
    for (const auto& layout : layouts) {
        CAPTURE(layout.name);
        Project p;
        for (const auto& [f, sql] : layout.files) test::write_file(p.generated() / f, sql);
        CHECK(p.schema({"validate"}).code == 0);
        REQUIRE(p.schema({"apply"}).code == 0);
        CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')") == "2");
        REQUIRE(p.schema({"rollback", "--to", "0"}).code == 0);
        CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')") == "0");
        auto r = p.schema({"new", "c"});
        REQUIRE(r.code == 0);
        CHECK(p.schema({"validate"}).code == 0);
    }
}

TEST_CASE("runner: a database migrated by wrangler is adopted without re-running anything") {
    Project p;
    write_pair(p, 1, "a", "CREATE TABLE a (x);", "DROP TABLE a;");
    write_pair(p, 2, "b", "CREATE TABLE b (x);", "DROP TABLE b;");
    write_pair(p, 3, "c", "CREATE TABLE c (x);", "DROP TABLE c;");
    p.exec("CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, "
           "applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);"
           "INSERT INTO d1_migrations (name) VALUES ('0001_a.sql'), ('0002_b.sql');"
           "CREATE TABLE a (x); CREATE TABLE b (x);");
    CHECK(p.schema({"status"}).out.find("2 applied, 1 pending") != std::string::npos);
    auto r = p.schema({"apply"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.out.find("adopted      0001 a") != std::string::npos);
    CHECK(r.out.find("applied      0003 c") != std::string::npos);
    CHECK(p.one("SELECT group_concat(version || ':' || applied_by, ' ') FROM _migrations") ==
          "1:wrangler (adopted) 2:wrangler (adopted) 3:schema 0.1.0");
    // wrangler's table stays in step, so that wrangler does not apply 0003 again.
    CHECK(p.one("SELECT group_concat(name, ' ') FROM d1_migrations") == "0001_a.sql 0002_b.sql 0003_c.sql");
    REQUIRE(p.schema({"rollback", "--no-backup"}).code == 0);
    CHECK(p.one("SELECT group_concat(name, ' ') FROM d1_migrations") == "0001_a.sql 0002_b.sql");
    // wrangler applies it again; schema sees it applied.
    p.exec("CREATE TABLE c (x); INSERT INTO d1_migrations (name) VALUES ('0003_c.sql');");
    CHECK(p.schema({"status"}).out.find("3 applied, 0 pending") != std::string::npos);
}

TEST_CASE("runner: baseline, a custom tracking table, and another tool's table of the same name") {
    Project p;
    write_pair(p, 1, "a", "CREATE TABLE a (x);", "DROP TABLE a;");
    write_pair(p, 2, "b", "CREATE TABLE b (x);", "DROP TABLE b;");
    p.exec("CREATE TABLE a (x);");
    auto r = p.schema({"--table", "schema_history", "baseline", "1"});
    REQUIRE(r.code == 0);
    CHECK(r.out.find("baselined    0001 a") != std::string::npos);
    REQUIRE(p.schema({"--table", "schema_history", "apply"}).code == 0);
    CHECK(p.one("SELECT group_concat(version) FROM schema_history") == "1,2");

    Project q;
    write_pair(q, 1, "a", "CREATE TABLE a (x);", "DROP TABLE a;");
    q.exec("CREATE TABLE _migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, filename TEXT UNIQUE NOT NULL);");
    r = q.schema({"apply"});
    CHECK(r.code == 1);
    CHECK(r.err.find("table _migrations exists but is not schema's tracking table") != std::string::npos);
}

TEST_CASE("runner: on a terminal a long migration shows its progress and the rows a rebuild copied") {
    if (std::system("command -v script > /dev/null 2>&1") != 0) {
        test::report_skipped("script(1) not found");
        return;
    }
    Project p;
    p.exec("CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT);"
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) "
           "INSERT INTO big SELECT i, printf('%.*c', 100, 'v') FROM n;");
    p.declare("CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT NOT NULL);");
    REQUIRE(p.schema({"diff", "-m", "v_not_null"}).code == 0);
    fs::path out = p.root() / "tty.txt";
    std::string cmd = "cd '" + p.root().string() + "' && script -qec \"'" SCHEMA_CLI
                      "' --db app.db apply --no-backup\" /dev/null > '" + out.string() + "' 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::string shown = test::read_file(out);
    CHECK(shown.find("0001 v_not_null: 300,000 rows copied into new_big") != std::string::npos);
    CHECK(shown.find("applied") != std::string::npos);
}

TEST_CASE("runner: two migrations with one version are refused by every command, naming both files") {
    Project p;
    write_pair(p, 1, "init", "CREATE TABLE t (id INTEGER PRIMARY KEY);", "DROP TABLE t;");
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    // Two branches merged, each with its 0002.
    write_pair(p, 2, "add_a", "CREATE TABLE a (x);", "DROP TABLE a;");
    write_pair(p, 2, "add_b", "CREATE TABLE b (x);", "DROP TABLE b;");
    p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY);\nCREATE TABLE a (x);\nCREATE TABLE b (x);\n");
    const std::string before = snapshot(p.db());
    for (std::vector<std::string> cmd : {std::vector<std::string>{"apply", "--no-backup"},
                                         {"apply", "--dry-run"}, {"rollback", "--no-backup"}, {"status"},
                                         {"check"}, {"diff"}, {"baseline", "2"}, {"validate"}}) {
        CAPTURE(cmd[0]);
        auto r = p.schema(cmd);
        const std::string said = r.out + r.err;
        CHECK(r.code == (cmd[0] == "validate" ? 1 : 2));
        CHECK(said.find("version 2 is used by 2 migrations") != std::string::npos);
        CHECK(said.find("generated/0002_add_a.sql and generated/0002_add_b.sql") != std::string::npos);
        CHECK(said.find("renumber the other after the last migration, as 0003_NAME.sql") != std::string::npos);
    }
    CHECK(snapshot(p.db()) == before);
    CHECK(p.files().size() == 6);  // diff wrote nothing

    // The same version in another layout (a Flyway folder among numbered files) is the same conflict.
    fs::remove(p.generated() / "0002_add_b.sql");
    fs::remove(p.generated() / "rollback" / "0002_add_b.sql");
    test::write_file(p.generated() / "V002__add_c" / "up.sql", "CREATE TABLE c (x);");
    auto r = p.schema({"apply", "--no-backup"});
    CHECK(r.code == 2);
    CHECK(r.err.find("generated/0002_add_a.sql and generated/V002__add_c/up.sql") != std::string::npos);
    CHECK(snapshot(p.db()) == before);

    // Renumbered as told: both run.
    fs::remove_all(p.generated() / "V002__add_c");
    write_pair(p, 3, "add_b", "CREATE TABLE b (x);", "DROP TABLE b;");
    CHECK(p.schema({"apply", "--no-backup"}).code == 0);
    CHECK(p.one("SELECT group_concat(version) FROM _migrations") == "1,2,3");
}

TEST_CASE("runner: a rollback file without its forward file is reported in every layout") {
    Project p;
    write_pair(p, 1, "init", "CREATE TABLE t (id INTEGER PRIMARY KEY);", "DROP TABLE t;");
    test::write_file(p.generated() / "rollback" / "0002_lost.sql", "DROP TABLE x;");
    auto v = p.schema({"validate"});
    CHECK(v.code == 1);
    CHECK(v.out.find("rollback/0002_lost.sql: rollback without a forward migration") != std::string::npos);

    Project s;  // NNNN_name.sql beside NNNN_name.rollback.sql
    test::write_file(s.generated() / "0001_init.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);");
    test::write_file(s.generated() / "0001_init.rollback.sql", "DROP TABLE t;");
    test::write_file(s.generated() / "0002_lost.rollback.sql", "DROP TABLE x;");
    auto sv = s.schema({"validate"});
    CHECK(sv.code == 1);
    CHECK(sv.out.find("0002_lost.rollback.sql: rollback without a forward migration") != std::string::npos);
}

TEST_CASE("runner: concurrent applies with backups on wait for each other, and one backup is taken under the lock") {
    for (int round = 0; round < 3; ++round) {
        CAPTURE(round);
        Project p;
        write_pair(p, 1, "init", "CREATE TABLE log (id INTEGER PRIMARY KEY, what TEXT);", "DROP TABLE log;");
        REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
        // Slow enough that the appliers overlap.
        write_pair(p, 2, "fill",
                   "CREATE TABLE big (x);\nWITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                   "300000) INSERT INTO big SELECT randomblob(16) FROM n;\nINSERT INTO log (what) VALUES ('2');",
                   "DROP TABLE big;");
        std::vector<int> pids;
        for (int i = 0; i < 4; ++i) pids.push_back(test::spawn_cli({"--db", "app.db", "apply"}, p.root()));
        for (int pid : pids) CHECK(test::wait_cli(pid) == 0);
        CHECK(p.one("SELECT count(*) FROM log") == "1");
        CHECK(p.one("SELECT count(*) FROM big") == "300000");
        // Only the run that applied 0002 copied the database, as 0002 found it.
        std::vector<fs::path> copies;
        for (auto& e : fs::directory_iterator(p.root() / "backups"))
            if (e.path().extension() == ".db") copies.push_back(e.path());
        REQUIRE(copies.size() == 1);
        CHECK(test::query_one(copies[0], "SELECT group_concat(version) FROM _migrations") == "1");
        CHECK(test::query_one(copies[0], "SELECT count(*) FROM sqlite_master WHERE name = 'big'") == "0");
    }
    // Nothing pending: no copy at all.
    Project q;
    write_pair(q, 1, "init", "CREATE TABLE t (x);", "DROP TABLE t;");
    REQUIRE(q.schema({"apply", "--no-backup"}).code == 0);
    CHECK(q.schema({"apply"}).code == 0);
    CHECK(!fs::exists(q.root() / "backups"));
}

namespace {

// Leaves a hot journal on `db`, as a crash in the middle of a write does: a
// child process changes every row under a tiny page cache and dies without
// committing.
void leave_hot_journal(const fs::path& db) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        sqlite3* h = nullptr;
        sqlite3_open(db.c_str(), &h);
        sqlite3_exec(h, "PRAGMA cache_size = 2; BEGIN; UPDATE t SET v = v || 'changed';", nullptr, nullptr, nullptr);
        ::_exit(0);  // no COMMIT, no ROLLBACK, no close
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
}

}  // namespace

TEST_CASE("runner: after a crash mid-write, read-only commands roll the hot journal back instead of failing") {
    Project p;
    p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\n");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    p.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
           "INSERT INTO t SELECT i, printf('%.*c', 100, 'x') FROM n;");
    for (std::vector<std::string> cmd : {std::vector<std::string>{"status"}, {"check"}, {"validate"}, {"diff"}}) {
        CAPTURE(cmd[0]);
        leave_hot_journal(p.db());
        REQUIRE(fs::exists(p.root() / "app.db-journal"));
        auto r = p.schema(cmd);
        CHECK(r.code == 0);
        CHECK(r.err.find("readonly") == std::string::npos);
        CHECK(p.one("SELECT count(*) FROM t WHERE v LIKE '%changed'") == "0");
        CHECK(p.one("PRAGMA integrity_check") == "ok");
    }
    // Without write access, the error says what happened and what to do.
    leave_hot_journal(p.db());
    if (::geteuid() != 0) {
        fs::permissions(p.root(), fs::perms::owner_write, fs::perm_options::remove);
        auto r = p.schema({"status"});
        fs::permissions(p.root(), fs::perms::owner_write, fs::perm_options::add);
        CHECK(r.code == 2);
        CHECK(r.err.find("a write to it was interrupted") != std::string::npos);
    }
}

TEST_CASE("runner: SIGINT or SIGTERM during apply rolls the running migration back, says which, exits 128+signal") {
    for (int sig : {SIGINT, SIGTERM}) {
        CAPTURE(sig);
        Project p;
        write_pair(p, 1, "init", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);", "DROP TABLE t;");
        REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
        write_pair(p, 2, "slow",
                   "CREATE TABLE big (x);\nWITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                   "INSERT INTO big SELECT randomblob(16) FROM n LIMIT 5000000;",
                   "DROP TABLE big;");
        const std::string before = snapshot(p.db());
        test::TempDir io;
        int pid = test::spawn_cli({"--db", "app.db", "apply", "--no-backup"}, p.root(), io / "out", io / "err");
        // Until it is inside 0002 (its journal exists), then the signal.
        for (int i = 0; i < 500 && !fs::exists(p.root() / "app.db-journal"); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        ::kill(pid, sig);
        CHECK(test::wait_cli(pid) == 128 + sig);
        const std::string err = test::read_file(io / "err");
        CHECK(err.find(std::string("interrupted by ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + " during 0002_slow") !=
              std::string::npos);
        CHECK(err.find("that migration was rolled back") != std::string::npos);
        CHECK(!fs::exists(p.root() / "app.db-journal"));  // rolled back, not left hot
        CHECK(snapshot(p.db()) == before);
        CHECK(p.schema({"status"}).out.find("1 applied, 1 pending") != std::string::npos);
    }
}

TEST_CASE("runner: two diff runs at once never write the same number") {
    for (int round = 0; round < 3; ++round) {
        CAPTURE(round);
        Project p;
        p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY);\n");
        REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
        p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY);\nCREATE TABLE u (id INTEGER PRIMARY KEY);\n");
        std::vector<int> pids;
        for (int i = 0; i < 4; ++i)
            pids.push_back(test::spawn_cli({"--db", "app.db", "diff", "-m", "run" + std::to_string(i)}, p.root()));
        for (int pid : pids) CHECK(test::wait_cli(pid) == 0);
        // The first wrote 0002; the others waited, saw it pending, and were up to date.
        CHECK(p.files().size() == 4);
        CHECK(p.schema({"validate"}).code == 0);
        auto news = p.schema({"new", "a"});
        CHECK(news.out.find("0003_a.sql") != std::string::npos);
    }
    // `new` at once: each gets its own number.
    Project q;
    std::vector<int> pids;
    for (int i = 0; i < 4; ++i)
        pids.push_back(test::spawn_cli({"--db", "app.db", "new", "n" + std::to_string(i)}, q.root()));
    for (int pid : pids) CHECK(test::wait_cli(pid) == 0);
    CHECK(q.files().size() == 8);
    CHECK(q.schema({"validate"}).code == 0);
}

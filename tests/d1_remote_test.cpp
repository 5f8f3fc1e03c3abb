// D1 through wrangler (--remote, --local): every command schema runs there,
// checked argument by argument against a stand-in `wrangler` on PATH
// (tests/d1/stand_in_wrangler) that records its calls and answers from a
// local SQLite file as D1 would. The real wrangler runs the --local path end to
// end in tests/d1/d1_remote_path_test.sh.
#include <doctest/doctest.h>

#include <cstdlib>

#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A D1 project whose "remote" database is remote.db, behind the stand-in.
struct RemoteProject {
    Project p;
    fs::path remote = p.root() / "remote.db";
    fs::path log = p.root() / "wrangler-calls.log";
    fs::path bin = p.root() / "bin";

    RemoteProject() {
        fs::create_directories(bin);
        fs::create_symlink(fs::path(SCHEMA_SOURCE_DIR) / "tests/d1/stand_in_wrangler", bin / "wrangler");
        test::write_file(p.root() / "wrangler.toml",
                         "name = \"app\"\n\n[[d1_databases]]\nbinding = \"DB\"\ndatabase_name = \"app-db\"\n"
                         "database_id = \"00000000-0000-0000-0000-000000000000\"\n\n"
                         "[env.staging]\n[[env.staging.d1_databases]]\nbinding = \"DB\"\n"
                         "database_name = \"app-db-staging\"\n");
        test::write_file(p.root() / "schema.toml", "dialect = \"d1\"\n");
        p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n");
        test::exec_sql(remote, "PRAGMA user_version = 0;");
    }

    test::CliResult run(const std::vector<std::string>& args,
                        std::vector<std::pair<std::string, std::string>> env = {}) const {
        env.emplace_back("PATH", bin.string() + ":" + std::getenv("PATH"));
        env.emplace_back("STAND_IN_DB", remote.string());
        env.emplace_back("STAND_IN_LOG", log.string());
        return test::run_cli(args, p.root(), env);
    }

    // Each call's arguments since the last time this was asked.
    std::vector<std::vector<std::string>> calls() {
        std::vector<std::vector<std::string>> out;
        const std::string text = fs::exists(log) ? test::read_file(log) : "";
        fs::remove(log);
        std::size_t start = 0;
        for (std::size_t end; (end = text.find('\x1e', start)) != std::string::npos; start = end + 1) {
            std::vector<std::string> args;
            std::size_t a = start;
            for (std::size_t b; (b = text.find('\x1f', a)) != std::string::npos && b < end; a = b + 1)
                args.push_back(text.substr(a, b - a));
            out.push_back(args);
        }
        return out;
    }
};

std::string head(const std::vector<std::string>& args, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < std::min(n, args.size()); ++i) out += (i ? " " : "") + args[i];
    return out;
}

}  // namespace

TEST_CASE("d1 remote: status, apply, check, diff and rollback run exactly these wrangler commands") {
    RemoteProject r;
    REQUIRE(r.run({"diff", "-m", "init"}).code == 0);  // no local database: from an empty schema

    auto status = r.run({"--remote", "status"});
    REQUIRE_MESSAGE(status.code == 0, status.err);
    CHECK(contains(status.out, "app-db (remote): 0 applied, 1 pending"));
    auto calls = r.calls();
    REQUIRE(calls.size() == 1);
    CHECK(head(calls[0], 5) == "d1 execute app-db --remote --json");
    CHECK(calls[0][5].rfind("--command=SELECT", 0) == 0);
    CHECK(contains(calls[0][5], "FROM sqlite_master"));

    auto apply = r.run({"--remote", "apply"});
    REQUIRE_MESSAGE(apply.code == 0, apply.err);
    CHECK(contains(apply.out, "Time Travel bookmark 00000085-0000024c-00004e3b-stand-in"));
    CHECK(contains(apply.out, "d1 time-travel restore app-db --bookmark=00000085-0000024c-00004e3b-stand-in"));
    CHECK(contains(apply.out, "applied      0001 init"));
    calls = r.calls();
    std::vector<std::string> heads;
    for (const auto& c : calls) heads.push_back(head(c, 5));
    // history, backup, apply, history again
    CHECK(heads == std::vector<std::string>{"d1 execute app-db --remote --json", "d1 time-travel info app-db --json",
                                            "d1 migrations apply app-db --remote",
                                            "d1 execute app-db --remote --json",
                                            "d1 execute app-db --remote --json"});
    CHECK(test::query_one(r.remote, "SELECT name FROM d1_migrations") == "0001_init.sql");
    CHECK(test::query_one(r.remote, "SELECT count(*) FROM sqlite_master WHERE name = 'notes'") == "1");

    auto check = r.run({"--remote", "check"});
    CHECK_MESSAGE(check.code == 0, (check.out + check.err));
    // A change made on D1 by hand is drift.
    test::exec_sql(r.remote, "ALTER TABLE notes ADD COLUMN hand TEXT");
    check = r.run({"--remote", "check"});
    CHECK(check.code == 1);
    CHECK(contains(check.out + check.err, "hand"));
    test::exec_sql(r.remote, "ALTER TABLE notes DROP COLUMN hand");

    // diff against the remote schema, apply it there, roll it back.
    r.p.declare("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, title TEXT);\n");
    auto diff = r.run({"--remote", "diff", "-m", "add_title"});
    REQUIRE_MESSAGE(diff.code == 0, diff.err);
    CHECK(contains(test::read_file(r.p.root() / "migrations/0002_add_title.sql"), "ALTER TABLE notes ADD COLUMN title"));
    REQUIRE(r.run({"--remote", "apply", "--no-backup"}).code == 0);
    CHECK(test::query_one(r.remote, "SELECT count(*) FROM pragma_table_info('notes') WHERE name = 'title'") == "1");
    r.calls();
    auto dry = r.run({"--remote", "rollback", "--dry-run"});
    CHECK(dry.code == 0);
    CHECK(contains(dry.out, "ALTER TABLE notes DROP COLUMN title"));
    for (const auto& c : r.calls()) {  // reads only: the schema and the history
        REQUIRE(c.size() == 6);
        CHECK(c[5].rfind("--command=SELECT", 0) == 0);
    }
    auto back = r.run({"--remote", "rollback", "--no-backup"});
    REQUIRE_MESSAGE(back.code == 0, back.err);
    CHECK(contains(back.out, "rolled back  0002 add_title"));
    calls = r.calls();
    REQUIRE(calls.size() == 3);  // the schema, the history, the rollback
    CHECK(head(calls[2], 5) == "d1 execute app-db --remote --json");
    // The rollback and the removal of its history row, in one batch (one
    // argument: the file starts with a comment, "-- ...", not an option).
    CHECK(calls[2][5].rfind("--command=-- rollback/0002_add_title.sql", 0) == 0);
    CHECK(contains(calls[2][5], "ALTER TABLE notes DROP COLUMN title"));
    CHECK(contains(calls[2][5], "DELETE FROM d1_migrations WHERE name = '0002_add_title.sql';"));
    CHECK(test::query_one(r.remote, "SELECT count(*) FROM pragma_table_info('notes') WHERE name = 'title'") == "0");
    CHECK(test::query_one(r.remote, "SELECT group_concat(name) FROM d1_migrations") == "0001_init.sql");
}

TEST_CASE("d1 remote: a rollback that fails leaves D1 as it was, its history row included") {
    RemoteProject r;
    REQUIRE(r.run({"diff", "-m", "init"}).code == 0);
    REQUIRE(r.run({"--remote", "apply", "--no-backup"}).code == 0);
    test::write_file(r.p.root() / "migrations/rollback/0001_init.sql",
                     "DROP TABLE notes;\nINSERT INTO nowhere VALUES (1);\n");
    REQUIRE(r.run({"hash"}).code == 0);
    auto back = r.run({"--remote", "rollback", "--no-backup"});
    CHECK(back.code == 1);
    CHECK(contains(back.err, "migrations/rollback/0001_init.sql"));
    CHECK(contains(back.err, "no such table: nowhere"));
    CHECK(test::query_one(r.remote, "SELECT count(*) FROM sqlite_master WHERE name = 'notes'") == "1");
    CHECK(test::query_one(r.remote, "SELECT name FROM d1_migrations") == "0001_init.sql");
}

TEST_CASE("d1 remote: a rollback edited since it was written is refused until schema hash records it") {
    RemoteProject r;
    REQUIRE(r.run({"diff", "-m", "init"}).code == 0);
    REQUIRE(r.run({"--remote", "apply", "--no-backup"}).code == 0);
    test::write_file(r.p.root() / "migrations/rollback/0001_init.sql", "DROP TABLE notes;\nDELETE FROM accounts;\n");
    r.calls();
    auto back = r.run({"--remote", "rollback", "--no-backup"});
    CHECK(back.code == 1);
    CHECK(contains(back.err, "schema.sum"));
    CHECK(r.calls().empty());  // refused before wrangler was asked anything
    CHECK(test::query_one(r.remote, "SELECT name FROM d1_migrations") == "0001_init.sql");
}

TEST_CASE("d1 remote: a rollback too long for one wrangler argument is refused before the backup or any change") {
    RemoteProject r;
    REQUIRE(r.run({"diff", "-m", "init"}).code == 0);
    REQUIRE(r.run({"--remote", "apply", "--no-backup"}).code == 0);
    // 200 KiB of seed rows: more than the 128 KiB one argument can carry.
    std::string rollback = "DROP TABLE notes;\nCREATE TABLE seeds (body TEXT);\n";
    while (rollback.size() < 200 * 1024) rollback += "INSERT INTO seeds VALUES ('" + std::string(1000, 'x') + "');\n";
    test::write_file(r.p.root() / "migrations/rollback/0001_init.sql", rollback);
    REQUIRE(r.run({"hash"}).code == 0);
    r.calls();
    auto back = r.run({"--remote", "rollback"});
    CHECK(back.code == 1);
    CHECK(contains(back.err, "migrations/rollback/0001_init.sql"));
    CHECK(contains(back.err, "one argument"));
    CHECK(!contains(back.err, "install wrangler"));
    for (const auto& c : r.calls()) {
        CHECK(head(c, 2) != "d1 time-travel");  // no backup taken for a rollback that cannot run
        for (const auto& a : c) CHECK(a.size() < 131072);
    }
    CHECK(test::query_one(r.remote, "SELECT count(*) FROM sqlite_master WHERE name = 'notes'") == "1");
    CHECK(test::query_one(r.remote, "SELECT name FROM d1_migrations") == "0001_init.sql");
}

TEST_CASE("d1 remote: --local and --env go to wrangler as they are; refusals before anything runs") {
    RemoteProject r;
    REQUIRE(r.run({"diff", "-m", "init"}).code == 0);
    REQUIRE(r.run({"--local", "status"}).code == 0);
    auto calls = r.calls();
    REQUIRE(!calls.empty());
    CHECK(head(calls[0], 4) == "d1 execute app-db --local");

    REQUIRE(r.run({"--env", "staging", "--remote", "status"}).code == 0);
    calls = r.calls();
    REQUIRE(!calls.empty());
    CHECK(head(calls[0], 4) == "d1 execute app-db-staging --remote");
    CHECK(calls[0][calls[0].size() - 2] == "--env");
    CHECK(calls[0].back() == "staging");

    // A file D1 refuses is refused before wrangler is asked to apply anything;
    // so is one changed since schema wrote it (schema.sum: D1 keeps no checksums).
    test::write_file(r.p.root() / "migrations/0002_tx.sql", "BEGIN TRANSACTION;\nCREATE TABLE t (x);\nCOMMIT;\n");
    auto unreviewed = r.run({"--remote", "apply"});
    CHECK(unreviewed.code == 1);
    CHECK(contains(unreviewed.err, "schema.sum does not match"));
    REQUIRE(r.run({"hash"}).code == 0);
    auto refused = r.run({"--remote", "apply"});
    CHECK(refused.code == 1);
    CHECK(contains(refused.err, "migrations/0002_tx.sql"));
    for (const auto& c : r.calls()) CHECK(head(c, 3) != "d1 migrations apply");
    CHECK(test::query_one(r.remote, "SELECT count(*) FROM sqlite_master WHERE name = 'notes'") == "0");

    // Commands that write to a database file directly are refused.
    auto push = r.run({"--remote", "push"});
    CHECK(push.code == 2);
    CHECK(contains(push.err, "does not work --remote"));
}

TEST_CASE("d1 remote: no wrangler, or no credentials, is a clear error and exit 2") {
    RemoteProject r;
    REQUIRE(r.run({"diff", "-m", "init"}).code == 0);
    auto missing = r.run({"--remote", "status"}, {{"SCHEMA_WRANGLER", (r.p.root() / "no-such-wrangler").string()}});
    CHECK(missing.code == 2);
    CHECK(contains(missing.err, "cannot be run: install wrangler"));
    auto logged_out = r.run({"--remote", "status"}, {{"STAND_IN_NOT_LOGGED_IN", "1"}});
    CHECK(logged_out.code == 2);
    CHECK(contains(logged_out.err, "wrangler d1 execute app-db --remote --json '--command=<"));
    CHECK(contains(logged_out.err, "CLOUDFLARE_API_TOKEN"));
    auto sqlite = r.run({"--dialect", "sqlite", "--db", "x.db", "--remote", "status"});
    CHECK(sqlite.code == 2);
    CHECK(contains(sqlite.err, "--remote reaches a D1 database through wrangler"));
}

TEST_CASE("d1 remote: inspect, validate and lint read D1 through the same snapshot; entries that share a migrations_dir") {
    RemoteProject r;
    // Two databases of one worker sharing their migrations: d1_database picks which one is reached.
    test::write_file(r.p.root() / "wrangler.toml",
                     "[[d1_databases]]\nbinding = \"A\"\ndatabase_name = \"app-a\"\nmigrations_dir = \"db\"\n\n"
                     "[[d1_databases]]\nbinding = \"B\"\ndatabase_name = \"app-b\"\nmigrations_dir = \"db\"\n");
    test::write_file(r.p.root() / "schema.toml", "dialect = \"d1\"\nd1_database = \"app-b\"\n");
    test::exec_sql(r.remote, "CREATE TABLE legacy (id INTEGER PRIMARY KEY, note TEXT);"
                             "CREATE INDEX legacy_note ON legacy (note);");
    auto inspect = r.run({"--remote", "inspect", "--out", "from-d1", "--no-migration"});
    REQUIRE_MESSAGE(inspect.code == 0, inspect.err);
    CHECK(contains(test::read_file(r.p.root() / "from-d1/legacy.sql"), "CREATE INDEX legacy_note ON legacy (note);"));
    auto calls = r.calls();
    REQUIRE(!calls.empty());
    CHECK(head(calls[0], 4) == "d1 execute app-b --remote");

    r.p.declare("CREATE TABLE legacy (id INTEGER PRIMARY KEY, note TEXT);\nCREATE INDEX legacy_note ON legacy (note);\n"
                "CREATE TABLE extra (id INTEGER PRIMARY KEY);\n");
    REQUIRE(r.run({"--remote", "diff", "-m", "extra"}).code == 0);
    CHECK(fs::exists(r.p.root() / "db/0001_extra.sql"));  // the shared migrations_dir
    auto validate = r.run({"--remote", "validate"});
    CHECK_MESSAGE(validate.code == 0, validate.out);
    // Pending on D1: lint judges it there (dropping legacy would be destructive).
    r.p.declare("CREATE TABLE extra (id INTEGER PRIMARY KEY);\n");
    REQUIRE(r.run({"--remote", "diff", "-m", "drop_legacy", "--allow-data-loss"}).code == 0);
    auto lint = r.run({"--remote", "lint"});
    CHECK(lint.code == 1);
    CHECK(contains(lint.out, "db/0002_drop_legacy.sql"));
    CHECK(contains(lint.out, "[destructive]"));
    for (const auto& c : r.calls()) CHECK(head(c, 4) == "d1 execute app-b --remote");  // reads only
}

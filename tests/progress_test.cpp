// Progress people can plan around: during a rebuild's copy, the phase, the
// table's size, a percentage and the time left, at least once a second under
// --json; a backup reports how far its copy is.
#include <doctest/doctest.h>

#include "schema/migrate.hpp"
#include "schema/sqlite.hpp"
#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {

// Progress events of one phase: each names the table and its rows, and the
// percentage rises, stays under 100, and comes with the time left.
void check_rising_percent(const std::vector<nlohmann::json>& events, const char* table, std::int64_t rows) {
    double percent = 0;
    for (const auto& e : events) {
        CHECK(e["table"] == table);
        CHECK(e["rows"] == rows);
        REQUIRE(e.contains("percent"));
        CHECK(e["percent"].get<double>() >= percent);
        CHECK(e["percent"].get<double>() < 100);
        CHECK(e.contains("eta_ms"));
        percent = e["percent"].get<double>();
    }
    CHECK(percent > 0);
}

}  // namespace

TEST_CASE("progress: a rebuild's copy reports phase, rows, percent and time left, at least once a second") {
    Project p;
    p.declare("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, payload TEXT);\n");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    p.exec("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1500000) "
           "INSERT INTO events SELECT i, 'k' || (i % 7), hex(randomblob(24)) FROM c");
    p.declare("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind <> ''), payload TEXT);\n"
              "CREATE INDEX events_kind ON events (kind);\n");
    REQUIRE(p.schema({"diff", "-m", "kind_check"}).code == 0);
    auto r = p.schema({"--json", "apply", "--no-backup"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    std::vector<nlohmann::json> copy;
    double last_ms = -1, started_ms = 0, longest_gap = 0;
    for (const auto& e : test::json_lines(r.out)) {
        if (e["event"] == "started") started_ms = 0;
        if (e["event"] != "progress" && e["event"] != "rows_copied" && e["event"] != "applied") continue;
        const double ms = e["ms"].get<double>();
        longest_gap = std::max(longest_gap, ms - (last_ms < 0 ? started_ms : last_ms));
        last_ms = ms;
        if (e["event"] == "progress" && e["phase"] == "copy") copy.push_back(e);
    }
    // This machine copies 1.5M rows in about a second; a slower one (the
    // sanitizers) reports more often, never less.
    REQUIRE_MESSAGE(!copy.empty(), r.out);
    CHECK(longest_gap <= 1000);
    check_rising_percent(copy, "events", 1500000);
}

TEST_CASE("progress: a backup reports the fraction of its copy, up to the whole") {
    test::TempDir dir;
    const fs::path db_path = dir / "big.db";
    test::exec_sql(db_path, "CREATE TABLE t (x); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c "
                            "WHERE i < 200000) INSERT INTO t SELECT hex(randomblob(32)) FROM c;");
    auto db = schema::sqlite::Database::open(db_path.string(), schema::sqlite::Database::Mode::read_only);
    std::vector<double> seen;
    schema::migrate::BackupOptions options;
    options.dir = dir / "backups";
    auto copy = schema::migrate::backup_database(db, db_path, options, "test", [&](double f) { seen.push_back(f); });
    CHECK(fs::exists(copy));
    REQUIRE(seen.size() > 2);  // about 15 MB, copied 4 MB at a time
    CHECK(std::is_sorted(seen.begin(), seen.end()));
    CHECK(seen.front() > 0);
    CHECK(seen.back() == doctest::Approx(1.0));
    CHECK(test::query_one(copy, "SELECT count(*) FROM t") == "200000");
}

TEST_CASE("progress: building an index and checking foreign keys report their table, rows and percent") {
    Project p;
    p.declare("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT);\n"
              "CREATE TABLE events (id INTEGER PRIMARY KEY, account_id INTEGER REFERENCES accounts (id), "
              "owner_id INTEGER REFERENCES accounts (id), editor_id INTEGER REFERENCES accounts (id), "
              "kind TEXT, payload TEXT);\n");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    REQUIRE(p.schema({"apply", "--no-backup"}).code == 0);
    p.exec("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100) "
           "INSERT INTO accounts SELECT i, 'a' || i FROM c");
    p.exec("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1500000) "
           "INSERT INTO events SELECT i, 1 + i % 100, 1 + i % 99, 1 + i % 98, 'k' || (i % 7), hex(randomblob(16)) "
           "FROM c");
    // accounts is rebuilt (a CHECK), so its child events is checked (three keys a row); and
    // events gets an index.
    p.declare("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT CHECK (name <> ''));\n"
              "CREATE TABLE events (id INTEGER PRIMARY KEY, account_id INTEGER REFERENCES accounts (id), "
              "owner_id INTEGER REFERENCES accounts (id), editor_id INTEGER REFERENCES accounts (id), "
              "kind TEXT, payload TEXT);\n"
              "CREATE INDEX events_kind_payload ON events (kind, payload);\n");
    REQUIRE(p.schema({"diff", "-m", "index_and_check"}).code == 0);
    // Reported every 20 ms: the foreign-key check can take less than the usual 250.
    auto r = test::run_cli({"--db", "app.db", "--json", "apply", "--no-backup"}, p.root(),
                           {{"SCHEMA_PROGRESS_MS", "20"}});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    std::map<std::string, std::vector<nlohmann::json>> by_phase;
    for (const auto& e : test::json_lines(r.out))
        if (e["event"] == "progress") by_phase[e["phase"].get<std::string>()].push_back(e);
    for (const char* phase : {"indexes", "foreign-key check"}) {
        INFO(phase);
        REQUIRE_MESSAGE(!by_phase[phase].empty(), r.out);
        check_rising_percent(by_phase[phase], "events", 1500000);
    }
}

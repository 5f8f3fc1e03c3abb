// The planner, table-driven: which changes ALTER TABLE makes and which need a
// rebuild, and what the plan says about data loss and narrowing.
#include <doctest/doctest.h>

#include "schema/ddl.hpp"
#include "schema/diff.hpp"
#include "schema/plan.hpp"
#include "schema/verify.hpp"

using namespace schema;

namespace {

struct Planned {
    Diff diff;
    Plan up, down;
};

Planned plan_of(const std::string& before, const std::string& after, PlanOptions options = {}) {
    Schema from = parse_schema_text(before, "before.sql");
    Schema to = parse_schema_text(after, "after.sql");
    Planned p;
    p.diff = diff(from, to, Renames::declared_in(to));
    p.up = make_plan(p.diff, from, to, options);
    p.down = make_plan(diff(to, from, p.diff.inverse()), to, from);
    prove(from, to, p.diff, p.up, p.down);
    return p;
}

bool has_step(const Plan& p, const std::string& prefix) {
    for (const auto& s : p.steps)
        if (s.sql.rfind(prefix, 0) == 0) return true;
    return false;
}

std::string all_sql(const Plan& p) {
    std::string out;
    for (const auto& s : p.steps) out += s.sql + ";\n";
    return out;
}

}  // namespace

TEST_CASE("ALTER TABLE where SQLite allows it, a rebuild where it does not") {
    struct Row {
        const char* before;
        const char* after;
        bool rebuild;
        const char* reason;  // part of the summary when rebuilt
    };
    const Row rows[] = {
        {"CREATE TABLE t (a INT);", "CREATE TABLE t (a INT, b TEXT);", false, ""},
        {"CREATE TABLE t (a INT);", "CREATE TABLE t (a INT, b TEXT NOT NULL DEFAULT 'x');", false, ""},
        {"CREATE TABLE t (a INT);", "CREATE TABLE t (a INT, b INT DEFAULT (-(+2)), c TEXT DEFAULT (CAST(1 AS TEXT)));",
         false, ""},
        {"CREATE TABLE t (a INT);", "CREATE TABLE t (a INT, b INT DEFAULT (1 + 2));", true, "is not a constant"},
        {"CREATE TABLE t (a INT);", "CREATE TABLE t (a INT, b INT CHECK (b > 0));", false, ""},
        {"CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (a INT);",
         "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (a INT, p INT REFERENCES p);", false, ""},
        {"CREATE TABLE t (a INT);", "CREATE TABLE t (a INT, b INT AS (a * 2));", false, ""},
        {"CREATE TABLE t (a INT, b INT);", "CREATE TABLE t (a INT);", false, ""},
        {"CREATE TABLE t (a INT, b INT CHECK (b > 0));", "CREATE TABLE t (a INT);", false, ""},
        {"CREATE TABLE t (a INT);", "CREATE TABLE t (a INT, b TEXT NOT NULL);", true,
         "it is NOT NULL without a non-NULL DEFAULT"},
        {"CREATE TABLE t (a INT);", "CREATE TABLE t (a INT, b INT DEFAULT CURRENT_TIMESTAMP);", true,
         "is not a constant"},
        {"CREATE TABLE t (a INT);", "CREATE TABLE t (a INT, b INT DEFAULT (unixepoch()));", true, "is not a constant"},
        {"CREATE TABLE t (a INT);", "CREATE TABLE t (a INT, b INT UNIQUE);", true, "it has a UNIQUE constraint"},
        {"CREATE TABLE t (a INT);", "CREATE TABLE t (a INT, b INT AS (a) STORED);", true, "STORED generated column"},
        {"CREATE TABLE t (a INT, b INT); CREATE INDEX i ON t (b);", "CREATE TABLE t (a INT); CREATE INDEX i ON t (a);",
         false, ""},
        {"CREATE TABLE t (a INT, b INT UNIQUE);", "CREATE TABLE t (a INT);", true, "it has a UNIQUE constraint"},
        {"CREATE TABLE t (a INT, b INT, CHECK (a > b));", "CREATE TABLE t (a INT, CHECK (a > 0));", true, "CHECK"},
        {"CREATE TABLE t (a INT);", "CREATE TABLE t (a TEXT);", true, "cannot change a column's type"},
        {"CREATE TABLE t (a INT);", "CREATE TABLE t (a INT NOT NULL);", true, "NOT NULL"},
        {"CREATE TABLE t (a INT DEFAULT 1);", "CREATE TABLE t (a INT DEFAULT 2);", true, "DEFAULT"},
        {"CREATE TABLE t (a TEXT);", "CREATE TABLE t (a TEXT COLLATE NOCASE);", true, "COLLATE"},
        {"CREATE TABLE t (a INT, b INT);", "CREATE TABLE t (a INT, b INT, PRIMARY KEY (a));", true, "PRIMARY KEY"},
        {"CREATE TABLE t (a INT PRIMARY KEY);", "CREATE TABLE t (a INT PRIMARY KEY) WITHOUT ROWID;", true,
         "WITHOUT ROWID"},
        {"CREATE TABLE t (a INT);", "CREATE TABLE t (a INT) STRICT;", true, "STRICT"},
    };
    for (const auto& r : rows) {
        CAPTURE(r.before);
        CAPTURE(r.after);
        auto p = plan_of(r.before, r.after);
        CHECK(p.up.rebuilt.empty() == !r.rebuild);
        if (r.rebuild) {
            std::string summary;
            for (const auto& l : p.up.summary) summary += l + "\n";
            CHECK_MESSAGE(summary.find(r.reason) != std::string::npos, summary);
        } else {
            CHECK(has_step(p.up, "ALTER TABLE"));
        }
    }
}

namespace {
const char* kHubBefore =
    "CREATE TABLE a (id INTEGER PRIMARY KEY, x INT);"
    "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INT REFERENCES a ON DELETE CASCADE);"
    "CREATE TABLE c (id INTEGER PRIMARY KEY, b_id INT REFERENCES b);"
    "CREATE TABLE unrelated (id INTEGER PRIMARY KEY);";
const char* kHubAfter =
    "CREATE TABLE a (id INTEGER PRIMARY KEY, x INT CHECK (x > 0));"
    "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INT REFERENCES a ON DELETE CASCADE);"
    "CREATE TABLE c (id INTEGER PRIMARY KEY, b_id INT REFERENCES b);"
    "CREATE TABLE unrelated (id INTEGER PRIMARY KEY);";
}  // namespace

TEST_CASE("D1: a rebuilt parent takes the tables that reference it along") {
    PlanOptions d1;
    d1.dialect = Dialect::d1;
    auto p = plan_of(kHubBefore, kHubAfter, d1);
    std::vector<std::string> rebuilt;
    for (const auto& t : p.up.rebuilt) rebuilt.push_back(t.name());
    CHECK(rebuilt == std::vector<std::string>{"a", "b", "c"});
    std::string sql = all_sql(p.up);
    CHECK(sql.find("REFERENCES new_a") != std::string::npos);
    CHECK(sql.find("REFERENCES new_b") != std::string::npos);
    // Children are dropped before their parents.
    CHECK(sql.find("DROP TABLE c") < sql.find("DROP TABLE b"));
    CHECK(sql.find("DROP TABLE b") < sql.find("DROP TABLE a"));
    CHECK_FALSE(p.up.guards_foreign_keys_off);
}

TEST_CASE("sqlite dialect: a rebuilt parent is rebuilt alone, behind a guard that needs foreign keys off") {
    auto p = plan_of(kHubBefore, kHubAfter);
    std::vector<std::string> rebuilt;
    for (const auto& t : p.up.rebuilt) rebuilt.push_back(t.name());
    CHECK(rebuilt == std::vector<std::string>{"a"});
    CHECK(p.up.guards_foreign_keys_off);
    REQUIRE(!p.up.steps.empty());
    CHECK(p.up.steps.front().sql.find("pragma_foreign_keys") != std::string::npos);
    std::string sql = all_sql(p.up);
    CHECK(sql.find("new_b") == std::string::npos);
    CHECK(sql.find("defer_foreign_keys") == std::string::npos);
    // A table nothing references needs no guard.
    auto lone = plan_of("CREATE TABLE t (x INT);", "CREATE TABLE t (x INT CHECK (x > 0));");
    CHECK_FALSE(lone.up.guards_foreign_keys_off);
    // A lossy copy moves the children in both dialects, to carry the rows it leaves out.
    PlanOptions lossy;
    lossy.skip_violating_rows = true;
    auto carried = plan_of(kHubBefore, kHubAfter, lossy);
    CHECK(carried.up.rebuilt.size() == 3);
}

TEST_CASE("data loss is listed - narrowing becomes a precheck") {
    auto p = plan_of("CREATE TABLE t (a INT, b INT); CREATE TABLE gone (x);",
                     "CREATE TABLE t (a INT NOT NULL CHECK (a > 0));");
    CHECK(p.up.data_loss == std::vector<std::string>{"table gone is dropped with all its rows",
                                                     "column t.b is dropped with its data"});
    REQUIRE(p.up.prechecks.size() == 2);
    CHECK(p.up.prechecks[0].description == "t.a becomes NOT NULL");
    CHECK(p.up.prechecks[0].count_sql == "SELECT count(*) FROM t AS t WHERE a IS NULL");
    CHECK(p.up.prechecks[1].count_sql == "SELECT count(*) FROM t AS t WHERE NOT (a > 0)");
}

TEST_CASE("prechecks read the live names of renamed tables and columns") {
    auto p = plan_of("CREATE TABLE old (x INT);",
                     "CREATE TABLE new /* @renamed from=old */ (y INT NOT NULL -- @renamed from=x\n);");
    REQUIRE(p.up.prechecks.size() == 1);
    CHECK(p.up.prechecks[0].count_sql == "SELECT count(*) FROM (SELECT x AS y FROM old) AS new WHERE y IS NULL");
}

TEST_CASE("views and triggers that depend on a rebuilt table are recreated around it") {
    auto p = plan_of(
        "CREATE TABLE t (a INT); CREATE TABLE log (x);"
        "CREATE VIEW v AS SELECT a FROM t; CREATE VIEW w AS SELECT * FROM v;"
        "CREATE TRIGGER tr AFTER INSERT ON log BEGIN INSERT INTO t VALUES (new.x); END;",
        "CREATE TABLE t (a INT NOT NULL); CREATE TABLE log (x);"
        "CREATE VIEW v AS SELECT a FROM t; CREATE VIEW w AS SELECT * FROM v;"
        "CREATE TRIGGER tr AFTER INSERT ON log BEGIN INSERT INTO t VALUES (new.x); END;");
    std::string sql = all_sql(p.up);
    CHECK(sql.find("DROP TRIGGER tr") < sql.find("DROP TABLE t"));
    CHECK(sql.find("DROP VIEW w") < sql.find("DROP VIEW v"));
    CHECK(sql.find("CREATE VIEW v") < sql.find("CREATE VIEW w"));
    CHECK(sql.find("CREATE TRIGGER tr") > sql.find("RENAME TO t"));
}

TEST_CASE("the proof reports a declaration SQLite rejects at its line") {
    Schema from = parse_schema_text("CREATE TABLE t (a INT);", "before.sql");
    Schema to = parse_schema_text("CREATE TABLE t (a INT);\nCREATE INDEX i ON t (nope);", "after.sql");
    Diff d = diff(from, to, {});
    Plan up = make_plan(d, from, to), down = make_plan(diff(to, from, d.inverse()), to, from);
    try {
        prove(from, to, d, up, down);
        FAIL("no error");
    } catch (const ProofError& e) {
        CHECK_FALSE(e.planner_bug());
        CHECK(e.diagnostic().pos.str() == "after.sql:2:1");
        CHECK(e.diagnostic().message.rfind("SQLite rejects this declaration: no such column: nope", 0) == 0);
    }
}

TEST_CASE("D1: a table with only ALTER-able changes that references a rebuilt table is rebuilt, and says why") {
    const char* before = "CREATE TABLE a (id INTEGER PRIMARY KEY, x INT);"
                         "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INT REFERENCES a);";
    const char* after = "CREATE TABLE a (id INTEGER PRIMARY KEY, x INT NOT NULL);"
                        "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INT REFERENCES a, note TEXT);";
    // The sqlite dialect rebuilds a alone and ALTERs b.
    auto alone = plan_of(before, after);
    CHECK(alone.up.rebuilt.size() == 1);
    CHECK(has_step(alone.up, "ALTER TABLE b ADD COLUMN"));
    PlanOptions d1;
    d1.dialect = Dialect::d1;
    auto p = plan_of(before, after, d1);
    CHECK(p.up.rebuilt.size() == 2);
    CHECK_FALSE(has_step(p.up, "ALTER TABLE b ADD COLUMN"));
    std::string summary;
    for (const auto& l : p.up.summary) summary += l + "\n";
    CHECK(summary.find("~ table b — rebuilt: it references a, which is rebuilt") != std::string::npos);
    CHECK(all_sql(p.up).find("note TEXT") != std::string::npos);
}

TEST_CASE("an index that goes with its table is dropped first when a new table takes its name") {
    // Tables and indexes share SQLite's namespace; the new table is created before
    // the old table (and with it the index) goes (property seed 990134).
    auto dropped = plan_of("CREATE TABLE old (a); CREATE INDEX \"values\" ON old (lower(a));",
                           "CREATE TABLE \"values\" (x);");
    std::string sql = all_sql(dropped.up);
    CHECK(sql.find("DROP INDEX \"values\"") < sql.find("CREATE TABLE \"values\""));
    auto rebuilt = plan_of("CREATE TABLE t (a, b); CREATE INDEX n ON t (a);",
                           "CREATE TABLE t (a, b CHECK (b > 0)); CREATE TABLE n (x);");
    sql = all_sql(rebuilt.up);
    CHECK(sql.find("DROP INDEX n") < sql.find("CREATE TABLE n"));
}

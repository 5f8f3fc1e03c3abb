// What a migration does to the rows of the tables it touches, end to end through
// the real CLI on database files with rows: every row, every rowid, the
// AUTOINCREMENT counter, after `apply` and again after `rollback`, in the sqlite
// dialect and in the D1 dialect (foreign keys on, as D1 runs).
#include <doctest/doctest.h>

#include "plan/internal.hpp"
#include "schema/expr.hpp"
#include "support/support.hpp"

using test::Project;

namespace {

enum class Dialect { sqlite, d1 };

test::CliResult run(const Project& p, Dialect dialect, std::vector<std::string> args) {
    if (dialect == Dialect::d1) args.insert(args.begin(), {"--dialect", "d1", "--dir", "generated"});
    return p.schema(args);
}

// Every row of a table with its rowid and every column, in rowid order:
// "1:'a',7;2:NULL,8" (without "1:" for a WITHOUT ROWID table). An AUTOINCREMENT table ends with its counter: "|seq=9".
std::string rows_of(const Project& p, const std::string& table) {
    std::string columns;
    for (const auto& c : test::query_column(p.db(), "SELECT name FROM pragma_table_xinfo('" + table + "')"))
        columns += (columns.empty() ? "" : " || ',' || ") + std::string("quote(\"") + c + "\")";
    const bool rowid = p.one("SELECT wr FROM pragma_table_list WHERE name = '" + table + "'") == "0";
    std::string out = p.one(std::string("SELECT coalesce(group_concat(r, ';'), '') FROM (SELECT ") +
                            (rowid ? "_rowid_ || ':' || " : "") + columns + " AS r FROM \"" + table + "\" ORDER BY " +
                            (rowid ? "_rowid_" : "1") + ")");
    if (p.one("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'") == "1") {
        std::string seq = p.one("SELECT coalesce(max(seq), 'none') FROM sqlite_sequence WHERE name = '" + table + "'");
        if (seq != "none") out += "|seq=" + seq;
    }
    return out;
}

std::string forward_file(const Project& p) {
    for (const auto& f : p.files())
        if (f.find('/') == std::string::npos) return test::read_file(p.generated() / f);
    return {};
}

struct RowCase {
    std::string before = {}, data = {}, after = {};
    std::vector<std::string> diff_flags = {};
    std::string table = {};                    // the table whose rows are compared
    std::string after_apply = {};              // its rows once applied (rows_of)
    std::string in_migration = {};             // a fragment the forward file must contain
    std::vector<std::string> then_sql = {};    // run after apply (e.g. an insert that takes the next id)
    std::string after_then = {};               // the table's rows after then_sql
    std::string after_rollback = {};           // its rows once rolled back; empty: as before
};

// diff, apply, compare rows; rollback, compare with the rows before.
void apply_and_roll_back(const RowCase& c, Dialect dialect) {
    Project p;
    p.exec(c.before);
    if (!c.data.empty()) p.exec(c.data);
    const std::string original = rows_of(p, c.table);
    p.declare(c.after);
    std::vector<std::string> args{"diff", "-m", "change"};
    args.insert(args.end(), c.diff_flags.begin(), c.diff_flags.end());
    auto r = run(p, dialect, args);
    INFO("diff: " << r.out << r.err);
    REQUIRE(r.code == 0);
    const std::string forward = forward_file(p);
    INFO("forward migration:\n" << forward);
    if (!c.in_migration.empty()) CHECK(forward.find(c.in_migration) != std::string::npos);

    r = run(p, dialect, {"apply", "--no-backup"});
    INFO("apply: " << r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(rows_of(p, c.table) == c.after_apply);
    CHECK(p.one("PRAGMA integrity_check") == "ok");
    CHECK(p.one("SELECT count(*) FROM pragma_foreign_key_check") == "0");
    CHECK(run(p, dialect, {"diff", "--print"}).out.rfind("up to date", 0) == 0);

    r = run(p, dialect, {"rollback", "--no-backup"});
    INFO("rollback: " << r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(rows_of(p, c.table) == (c.after_rollback.empty() ? original : c.after_rollback));

    if (!c.then_sql.empty()) {  // once more forward, then use the table
        REQUIRE(run(p, dialect, {"apply", "--no-backup"}).code == 0);
        for (const auto& sql : c.then_sql) p.exec(sql);
        CHECK(rows_of(p, c.table) == c.after_then);
    }
}

void in_both_dialects(const RowCase& c) {
    SUBCASE("sqlite dialect") { apply_and_roll_back(c, Dialect::sqlite); }
    SUBCASE("d1 dialect") { apply_and_roll_back(c, Dialect::d1); }
}

}  // namespace

// --- ADD COLUMN ... DEFAULT: constant as SQLite decides ---------------------------------

TEST_CASE("rows: what ADD COLUMN takes as a constant DEFAULT is what SQLite takes on a table with rows") {
    const char* defaults[] = {
        "1", "-1", "+1", "'x'", "x'00'", "NULL", "TRUE", "FALSE", "1.5e3", "-0x10", "(1)", "((1))", "(-(-5))",
        "(+-+1)", "(- - 1)", "(-'abc')", "(CAST('1' AS INT))", "(CAST(CAST(1 AS TEXT) AS REAL))",
        "(CAST(1 AS VARCHAR(10)))", "(CAST(NULL AS TEXT))", "(-(NULL))", "(-TRUE)", "(1 + 1)", "('a' || 'b')",
        "CURRENT_TIME", "(CURRENT_TIMESTAMP)", "(abs(1))", "(NOT 1)", "(CAST(1 + 1 AS INT))",
        "(CAST(CURRENT_TIME AS TEXT))", "(1 COLLATE NOCASE)", "(-(1 + 1))", "(random())"};
    for (const char* d : defaults) {
        test::TempDir dir;
        test::exec_sql(dir / "t.db", "CREATE TABLE t (a); INSERT INTO t VALUES (1);");
        bool sqlite_accepts = true;
        try {
            test::exec_sql(dir / "t.db", std::string("ALTER TABLE t ADD COLUMN b DEFAULT ") + d);
        } catch (const std::exception&) {
            sqlite_accepts = false;
        }
        CHECK_MESSAGE(schema::plan_detail::is_constant_default(schema::parse_expr(d)) == sqlite_accepts,
                      std::string(d));
    }
}

TEST_CASE("rows: ADD COLUMN with a DEFAULT that is not a constant rebuilds - a parenthesised constant is ALTER") {
    const char* before = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);";
    const char* data = "INSERT INTO t VALUES (1, 'x'), (4, 'y');";
    SUBCASE("(1 + 1)") {
        in_both_dialects({before, data, "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, n INT DEFAULT (1 + 1));",
                          {}, "t", "1:1,'x',2;4:4,'y',2", "rebuild t"});
    }
    SUBCASE("a parenthesised constant is added with ALTER TABLE") {
        in_both_dialects({before, data,
                          "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, n INT NOT NULL DEFAULT (-(-5)), "
                          "m TEXT DEFAULT (CAST(7 AS TEXT)));",
                          {}, "t", "1:1,'x',5,'7';4:4,'y',5,'7'", "ALTER TABLE t ADD COLUMN n"});
    }
    SUBCASE("CURRENT_DATE") {
        Project today;
        const std::string date = today.one("SELECT quote(CURRENT_DATE)");
        in_both_dialects({before, data,
                          "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, at TEXT DEFAULT CURRENT_DATE);", {}, "t",
                          "1:1,'x'," + date + ";4:4,'y'," + date, "rebuild t"});
    }
}

TEST_CASE("rows: a NOT NULL column whose constant DEFAULT is NULL is not added with ALTER TABLE") {
    Project p;
    p.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); INSERT INTO t VALUES (1, 'x');");
    p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, n INT NOT NULL DEFAULT (CAST(NULL AS INT)));");
    auto r = p.schema({"diff"});
    // SQLite's ALTER would store NULL in a NOT NULL column; the rebuild's copy fails, so the precheck refuses.
    CHECK(r.code == 1);
    CHECK(r.err.find("new column t.n is NOT NULL") != std::string::npos);
    CHECK(p.files().empty());
}

// --- rowids ---------------------------------------------------------------------------------

TEST_CASE("rows: a new INTEGER PRIMARY KEY takes the old rowids, so no row is renumbered") {
    const char* before = "CREATE TABLE t (name TEXT);";
    const char* data = "INSERT INTO t (rowid, name) VALUES (1, 'a'), (2, 'b'), (5, 'c'), (9, 'd');";
    SUBCASE("without AUTOINCREMENT") {
        in_both_dialects({before, data, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);", {}, "t",
                          "1:1,'a';2:2,'b';5:5,'c';9:9,'d'", "SELECT rowid, name FROM t",
                          {"INSERT INTO t (name) VALUES ('e')"}, "1:1,'a';2:2,'b';5:5,'c';9:9,'d';10:10,'e'"});
    }
    SUBCASE("with AUTOINCREMENT: the counter is set to the highest id") {
        in_both_dialects({before, data, "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);", {}, "t",
                          "1:1,'a';2:2,'b';5:5,'c';9:9,'d'|seq=9", "SELECT rowid, name FROM t",
                          {"DELETE FROM t WHERE id = 9", "INSERT INTO t (name) VALUES ('e')"},
                          "1:1,'a';2:2,'b';5:5,'c';10:10,'e'|seq=10"});
    }
    SUBCASE("a table with columns named rowid and oid reads its rowid as _rowid_") {
        in_both_dialects({"CREATE TABLE t (rowid TEXT, oid TEXT, name TEXT);",
                          "INSERT INTO t (_rowid_, rowid, oid, name) VALUES (3, 'r', 'o', 'a'), (8, 'r2', 'o2', 'b');",
                          "CREATE TABLE t (id INTEGER PRIMARY KEY, rowid TEXT, oid TEXT, name TEXT);", {}, "t",
                          "3:3,'r','o','a';8:8,'r2','o2','b'", "SELECT _rowid_, rowid, oid, name FROM t"});
    }
}

TEST_CASE("rows: removing, moving or keeping the rowid alias keeps the ids as the rowids") {
    SUBCASE("INTEGER PRIMARY KEY becomes a plain column") {
        in_both_dialects({"CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);",
                          "INSERT INTO t VALUES (3, 'a'), (7, 'b');", "CREATE TABLE t (id INTEGER, name TEXT);", {},
                          "t", "3:3,'a';7:7,'b'"});
    }
    SUBCASE("the alias column is dropped: the rowids stay") {
        in_both_dialects({"CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE);",
                          "INSERT INTO t VALUES (3, 'a'), (7, 'b');", "CREATE TABLE t (name TEXT UNIQUE);",
                          {"--allow-data-loss"}, "t", "3:'a';7:'b'"});
    }
    SUBCASE("another column becomes the alias: its values become the rowids, as declared") {
        in_both_dialects({"CREATE TABLE t (id INTEGER PRIMARY KEY, code INTEGER NOT NULL UNIQUE);",
                          "INSERT INTO t VALUES (3, 30), (7, 70);",
                          "CREATE TABLE t (id INTEGER NOT NULL UNIQUE, code INTEGER PRIMARY KEY);", {}, "t",
                          "30:3,30;70:7,70"});
    }
    SUBCASE("AUTOINCREMENT added to an existing INTEGER PRIMARY KEY keeps the ids and sets the counter") {
        in_both_dialects({"CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);",
                          "INSERT INTO t VALUES (3, 'a'), (7, 'b');",
                          "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);", {}, "t",
                          "3:3,'a';7:7,'b'|seq=7"});
    }
    SUBCASE("AUTOINCREMENT removed: the counter stays, so the rollback restores it above the highest id") {
        in_both_dialects({"CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);",
                          "INSERT INTO t (name) VALUES ('a'), ('b'), ('c'); DELETE FROM t WHERE id = 3;",
                          "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);", {}, "t", "1:1,'a';2:2,'b'|seq=3",
                          "UPDATE sqlite_sequence SET name"});
    }
    SUBCASE("a rowid table becomes WITHOUT ROWID and back") {
        in_both_dialects({"CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);",
                          "INSERT INTO t VALUES (3, 'a'), (7, 'b');",
                          "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT) WITHOUT ROWID;", {}, "t", "3,'a';7,'b'"});
    }
}

// --- type changes that convert stored values ----------------------------------------------

TEST_CASE("rows: a type change that converts stored values is data loss, written only with --allow-data-loss") {
    Project p;
    p.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT); INSERT INTO t VALUES (1, '007'), (2, 'x');");
    p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY, code INTEGER);");
    auto r = p.schema({"diff"});
    CHECK(r.code == 1);
    CHECK(r.err.find("t.code: 1 stored value is converted from TEXT to INTEGER affinity") != std::string::npos);
    CHECK(p.files().empty());

    in_both_dialects({"CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT);", "INSERT INTO t VALUES (1, '007'), (2, 'x');",
                      "CREATE TABLE t (id INTEGER PRIMARY KEY, code INTEGER);", {"--allow-data-loss"}, "t",
                      "1:1,7;2:2,'x'", "DATA LOSS:\n--   ! column t.code: 1 stored value is converted",
                      {}, {}, "1:1,'7';2:2,'x'"});
}

TEST_CASE("rows: a new type affinity that changes no stored value is not data loss") {
    // The same change as above, but no row holds a value TEXT → INTEGER converts.
    for (const char* rows : {"", "INSERT INTO t VALUES (1, 'x'), (2, NULL), (3, x'0700'), (4, '7a')"}) {
        Project p;
        p.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT);");
        p.exec(rows);
        p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY, code INTEGER);");
        auto r = p.schema({"diff"});
        INFO(rows << "\n" << r.out << r.err);
        REQUIRE(r.code == 0);
        CHECK(forward_file(p).find("DATA LOSS") == std::string::npos);
        CHECK(p.schema({"apply", "--no-backup"}).code == 0);
        CHECK(p.schema({"diff", "--print"}).out.rfind("up to date", 0) == 0);
    }
}

TEST_CASE("rows: the siblings of a converting type change: REAL, TEXT, NUMERIC, STRICT's ANY") {
    struct Flagged {
        const char *before, *after, *what;
    } flagged[] = {
        {"CREATE TABLE t (v INTEGER);", "CREATE TABLE t (v REAL);", "3 stored values are converted from INTEGER to REAL"},
        {"CREATE TABLE t (v REAL);", "CREATE TABLE t (v NUMERIC);", "3 stored values are converted from REAL to NUMERIC"},
        {"CREATE TABLE t (v INT);", "CREATE TABLE t (v VARCHAR(10));", "3 stored values are converted from INTEGER to TEXT"},
        {"CREATE TABLE t (v);", "CREATE TABLE t (v DECIMAL(10, 2));", "2 stored values are converted from BLOB to NUMERIC"},
        {"CREATE TABLE t (v ANY) STRICT;", "CREATE TABLE t (v ANY);", "2 stored values are converted from BLOB to NUMERIC"},
    };
    for (const auto& f : flagged) {
        Project p;
        p.exec(f.before);
        // 7 and 3.0 are numbers, '007' numeric text: each converts under some
        // affinity; 'x', NULL and a blob under none.
        p.exec("INSERT INTO t VALUES (7), (3.0), ('007'), ('x'), (NULL), (x'07')");
        p.declare(f.after);
        auto r = p.schema({"diff"});
        CHECK_MESSAGE(r.code == 1, f.before);
        CHECK_MESSAGE(r.err.find(f.what) != std::string::npos, f.before, " → ", f.after, ": ", r.err);
    }
    // Changes that cannot change a stored value: same affinity, INTEGER ↔ NUMERIC, no affinity at all.
    const char* kept[][2] = {
        {"CREATE TABLE t (v INT);", "CREATE TABLE t (v BIGINT);"},
        {"CREATE TABLE t (v TEXT);", "CREATE TABLE t (v VARCHAR(20));"},
        {"CREATE TABLE t (v INTEGER);", "CREATE TABLE t (v NUMERIC);"},
        {"CREATE TABLE t (v TEXT);", "CREATE TABLE t (v BLOB);"},
        {"CREATE TABLE t (v REAL);", "CREATE TABLE t (v);"},
        {"CREATE TABLE t (v ANY);", "CREATE TABLE t (v ANY) STRICT;"},
        {"CREATE TABLE t (v INTEGER);", "CREATE TABLE t (v INTEGER) STRICT;"},
    };
    for (const auto& k : kept) {
        Project p;
        p.exec(std::string(k[0]) + "INSERT INTO t VALUES (1);");
        p.declare(k[1]);
        auto r = p.schema({"diff", "-m", "retype"});
        CHECK_MESSAGE(r.code == 0, k[0], " → ", k[1], ": ", r.err);
        CHECK_MESSAGE(r.err.find("converted") == std::string::npos, k[0]);
    }
}

// --- dropping a table that a kept table references -------------------------------------------

namespace {

const char* kParentAndChildren =
    "CREATE TABLE p (id INTEGER PRIMARY KEY);"
    "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id) ON DELETE CASCADE);"
    "CREATE TABLE n (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id) ON DELETE SET NULL);"
    "CREATE TABLE d (id INTEGER PRIMARY KEY, p_id INTEGER DEFAULT 0 REFERENCES p (id) ON DELETE SET DEFAULT);"
    "CREATE TABLE r (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id) ON DELETE RESTRICT);";
const char* kFamilyRows =
    "INSERT INTO p VALUES (1), (2);"
    "INSERT INTO c VALUES (10, 1), (11, 2), (12, NULL);"
    "INSERT INTO n VALUES (20, 1), (21, 2);"
    "INSERT INTO d VALUES (30, 1);"
    "INSERT INTO r VALUES (40, 2);";

}  // namespace

TEST_CASE("rows: a dropped table's ON DELETE actions never reach the tables that stay") {
    // The children let go of p (their declarations no longer reference it): each
    // is rebuilt without the reference before p is dropped.
    const char* after =
        "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER);"
        "CREATE TABLE n (id INTEGER PRIMARY KEY, p_id INTEGER);"
        "CREATE TABLE d (id INTEGER PRIMARY KEY, p_id INTEGER DEFAULT 0);"
        "CREATE TABLE r (id INTEGER PRIMARY KEY, p_id INTEGER);";
    for (auto dialect : {Dialect::sqlite, Dialect::d1}) {
        CAPTURE(int(dialect));
        Project p;
        p.exec(kParentAndChildren);
        p.exec(kFamilyRows);
        p.declare(after);
        auto r = run(p, dialect, {"diff", "-m", "drop_p", "--allow-data-loss"});
        REQUIRE_MESSAGE(r.code == 0, r.err);
        r = run(p, dialect, {"apply", "--no-backup"});
        REQUIRE_MESSAGE(r.code == 0, (r.out + r.err));
        CHECK(rows_of(p, "c") == "10:10,1;11:11,2;12:12,NULL");
        CHECK(rows_of(p, "n") == "20:20,1;21:21,2");
        CHECK(rows_of(p, "d") == "30:30,1");
        CHECK(rows_of(p, "r") == "40:40,2");
        CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name = 'p'") == "0");
        // The rollback brings p back empty: its rows are lost, so the references
        // the children still hold cannot be restored, and it changes nothing.
        r = run(p, dialect, {"rollback", "--no-backup"});
        CHECK(r.code != 0);
        CHECK(rows_of(p, "c") == "10:10,1;11:11,2;12:12,NULL");
        CHECK(rows_of(p, "n") == "20:20,1;21:21,2");
    }
}

TEST_CASE("rows: a dropped table that a rebuilt table, a dropped table and a new child reference") {
    // g (kept) references q (dropped), which references p (rebuilt); x (dropped) references q too.
    const char* before =
        "CREATE TABLE p (id INTEGER PRIMARY KEY, v TEXT);"
        "CREATE TABLE q (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id) ON DELETE CASCADE);"
        "CREATE TABLE x (id INTEGER PRIMARY KEY, q_id INTEGER REFERENCES q (id) ON DELETE CASCADE);"
        "CREATE TABLE g (id INTEGER PRIMARY KEY, q_id INTEGER REFERENCES q (id) ON DELETE CASCADE);";
    const char* rows =
        "INSERT INTO p VALUES (1, 'a');"
        "INSERT INTO q VALUES (5, 1);"
        "INSERT INTO x VALUES (7, 5);"
        "INSERT INTO g VALUES (9, 5), (10, NULL);";
    const char* after =
        "CREATE TABLE p (id INTEGER PRIMARY KEY, v TEXT NOT NULL);"
        "CREATE TABLE g (id INTEGER PRIMARY KEY, q_id INTEGER);";
    for (auto dialect : {Dialect::sqlite, Dialect::d1}) {
        CAPTURE(int(dialect));
        Project p;
        p.exec(before);
        p.exec(rows);
        p.declare(after);
        auto r = run(p, dialect, {"diff", "-m", "drop_q", "--allow-data-loss"});
        REQUIRE_MESSAGE(r.code == 0, r.err);
        r = run(p, dialect, {"apply", "--no-backup"});
        REQUIRE_MESSAGE(r.code == 0, (r.out + r.err));
        CHECK(rows_of(p, "p") == "1:1,'a'");
        CHECK(rows_of(p, "g") == "9:9,5;10:10,NULL");
    }
}

TEST_CASE("rows: a kept table that still references a dropped table: its referencing rows are counted first") {
    Project p;
    p.exec(kParentAndChildren);
    p.exec(kFamilyRows);
    // c and n keep their declarations; p, d and r go.
    p.declare("CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id) ON DELETE CASCADE);"
              "CREATE TABLE n (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id) ON DELETE SET NULL);");
    // --print refuses as diff does: the referencing rows are counted.
    auto r = p.schema({"diff", "--print"});
    CHECK(r.code == 1);
    CHECK(r.err.find("c (p_id) still references p, which is dropped") != std::string::npos);
    CHECK(r.err.find("n (p_id) still references p, which is dropped") != std::string::npos);
    CHECK(p.schema({"diff", "-m", "drop_p"}).code == 1);

    SUBCASE("with no referencing rows, p is dropped and nothing else changes, foreign keys on or off") {
        for (auto dialect : {Dialect::sqlite, Dialect::d1}) {
            Project q;
            q.exec(kParentAndChildren);
            q.exec("INSERT INTO p VALUES (1); INSERT INTO c VALUES (10, NULL); INSERT INTO n VALUES (20, NULL);");
            q.declare("CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id) ON DELETE CASCADE);"
                      "CREATE TABLE n (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id) ON DELETE SET NULL);");
            auto printed = run(q, dialect, {"diff", "--print"});
            CHECK(printed.out.find("rows of c that reference p: where foreign keys stay on (D1), dropping p runs ON "
                                   "DELETE CASCADE") != std::string::npos);
            CHECK(printed.out.find("if existing rows violate:\n--   c (p_id) still references p, which is dropped\n"
                                   "--   n (p_id) still references p, which is dropped") != std::string::npos);
            if (dialect == Dialect::sqlite) {
                CHECK(printed.out.find("schema: foreign_keys=off (drops referenced p)") != std::string::npos);
                // The header never claims that wrangler (keys on) may run it.
                CHECK(printed.out.find("it drops tables that others still reference") != std::string::npos);
                const std::string forward = printed.out.substr(0, printed.out.find("-- rollback/"));
                CHECK(forward.find("also\n-- works with `wrangler d1 migrations apply`") == std::string::npos);
            }
            REQUIRE(run(q, dialect, {"diff", "-m", "drop_p", "--allow-data-loss"}).code == 0);
            // Rows that reference p arrive after diff: the migration fails instead of deleting them.
            if (dialect == Dialect::sqlite) q.exec("INSERT INTO c VALUES (11, 1);");
            auto applied = run(q, dialect, {"apply", "--no-backup"});
            CHECK(applied.code == (dialect == Dialect::sqlite ? 1 : 0));
            CHECK(rows_of(q, "c") == (dialect == Dialect::sqlite ? "10:10,NULL;11:11,1" : "10:10,NULL"));
            CHECK(rows_of(q, "n") == "20:20,NULL");
        }
    }
}

TEST_CASE("rows: tables that reference each other are dropped, and created back by the rollback") {
    // Whichever of the two goes first, the other still references it: with
    // foreign keys on SQLite cannot prepare the second DROP, so the file runs
    // with keys off (the sqlite dialect).
    Project p;
    p.exec("CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b (id));"
           "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));"
           "CREATE TABLE kept (v);"
           "INSERT INTO a VALUES (1, NULL); INSERT INTO b VALUES (2, 1); UPDATE a SET b_id = 2;");
    p.declare("CREATE TABLE kept (v);");
    auto r = p.schema({"diff", "-m", "drop_both", "--allow-data-loss"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    r = p.schema({"apply", "--no-backup"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')") == "0");
    r = p.schema({"rollback", "--no-backup"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')") == "2");
}

TEST_CASE("rows: D1 drops tables in a cycle in an order SQLite prepares with foreign keys on (property seed 22)") {
    // a cascades to its own rows and references b; b references a. Dropping b
    // first, a's DROP would compile its self-cascade, whose DELETE looks up the
    // gone b ("no such table"); a first, b's DROP has no action left to compile.
    for (auto dialect : {Dialect::sqlite, Dialect::d1}) {
        CAPTURE(int(dialect));
        Project p;
        p.exec("CREATE TABLE a (id TEXT PRIMARY KEY NOT NULL, b_id TEXT REFERENCES b (id) ON DELETE SET NULL,"
               " up TEXT REFERENCES a (id) ON DELETE CASCADE) WITHOUT ROWID;"
               "CREATE TABLE b (id TEXT PRIMARY KEY NOT NULL, a_id TEXT REFERENCES a (id)) WITHOUT ROWID, STRICT;"
               "CREATE TABLE kept (v);"
               "INSERT INTO a VALUES ('1', NULL, NULL); INSERT INTO b VALUES ('2', '1'); UPDATE a SET b_id = '2';");
        p.declare("CREATE TABLE kept (v);");
        auto r = run(p, dialect, {"diff", "-m", "drop_both", "--allow-data-loss"});
        REQUIRE_MESSAGE(r.code == 0, r.err);
        const std::string forward = forward_file(p);
        CHECK(forward.find("DROP TABLE a") < forward.find("DROP TABLE b"));
        r = run(p, dialect, {"apply", "--no-backup"});
        REQUIRE_MESSAGE(r.code == 0, (r.out + r.err));
        CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')") == "0");
        r = run(p, dialect, {"rollback", "--no-backup"});
        REQUIRE_MESSAGE(r.code == 0, (r.out + r.err));
        CHECK(p.one("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')") == "2");
    }
}

TEST_CASE("rows: a dropped child of a rebuilt table goes before the rebuild (D1: property seed 20261416)") {
    // With keys on, the old parent's DROP would count the child's row as a
    // violation that the child's own DROP, after the new parent took the name, never takes back.
    for (auto dialect : {Dialect::sqlite, Dialect::d1}) {
        CAPTURE(int(dialect));
        Project p;
        p.exec("CREATE TABLE child (ref TEXT REFERENCES parent); CREATE TABLE parent (k TEXT PRIMARY KEY);"
               "INSERT INTO parent VALUES ('a'), ('b'); INSERT INTO child VALUES ('a');");
        p.declare("CREATE TABLE parent (k TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;");
        auto r = run(p, dialect, {"diff", "-m", "change", "--allow-data-loss"});
        REQUIRE_MESSAGE(r.code == 0, r.err);
        const std::string forward = forward_file(p);
        CHECK(forward.find("DROP TABLE child") < forward.find("CREATE TABLE new_parent"));
        r = run(p, dialect, {"apply", "--no-backup"});
        REQUIRE_MESSAGE(r.code == 0, (r.out + r.err));
        CHECK(rows_of(p, "parent") == "'a';'b'");
        CHECK(run(p, dialect, {"rollback", "--no-backup"}).code == 0);
        CHECK(p.one("SELECT count(*) FROM parent") == "2");
    }
}

TEST_CASE("rows: on D1, drops that cannot run with foreign keys on are refused with the reason, nothing written") {
    struct Refused {
        const char *name, *before, *after, *reason;
    } cases[] = {
        // Each cascades to its own rows and references the other (property seed 777367).
        {"cycle of self-cascading tables",
         "CREATE TABLE a (id TEXT PRIMARY KEY, up TEXT REFERENCES a (id) ON DELETE CASCADE,"
         " b_id TEXT REFERENCES b (id) ON DELETE CASCADE);"
         "CREATE TABLE b (id TEXT PRIMARY KEY, up TEXT REFERENCES b (id) ON DELETE SET NULL, a_id TEXT REFERENCES a);"
         "CREATE TABLE kept (v);",
         "CREATE TABLE kept (v);", "reference each other and ON DELETE actions reach their own rows"},
        // A kept table rebuilt without its RESTRICT reference to a dropped table
        // that references it back (property seed 777666).
        {"mutual RESTRICT with a rebuilt table",
         "CREATE TABLE d (k TEXT PRIMARY KEY, ref INTEGER REFERENCES kept ON DELETE RESTRICT);"
         "CREATE TABLE kept (id INTEGER PRIMARY KEY, ref TEXT REFERENCES d (k) ON DELETE RESTRICT);"
         "INSERT INTO d VALUES ('x', 9); INSERT INTO kept VALUES (9, 'x');",
         "CREATE TABLE kept (id INTEGER PRIMARY KEY, ref TEXT);", "dropped table d references rebuilt table kept"},
        // A dropped table that references itself ON DELETE RESTRICT (property seed 4242085).
        {"self-reference ON DELETE RESTRICT",
         "CREATE TABLE t (id INTEGER PRIMARY KEY, up INT REFERENCES t ON DELETE RESTRICT); CREATE TABLE kept (v);"
         "INSERT INTO t VALUES (1, NULL), (2, 1);",
         "CREATE TABLE kept (v);", "table t itself references t ON DELETE RESTRICT"},
        // A rebuilt table whose old version nulls its own NOT NULL column as it
        // goes (property seed 4242335).
        {"self-reference ON DELETE SET NULL through NOT NULL, rebuilt",
         "CREATE TABLE t (id TEXT PRIMARY KEY, ref TEXT NOT NULL REFERENCES t (id) ON DELETE SET NULL);"
         "INSERT INTO t VALUES ('a', 'a');",
         "CREATE TABLE t (id TEXT PRIMARY KEY, ref TEXT REFERENCES t (id) ON DELETE SET NULL);",
         "ON DELETE SET NULL or SET DEFAULT through a NOT NULL column"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        Project p;
        p.exec(c.before);
        p.declare(c.after);
        auto r = run(p, Dialect::d1, {"diff", "-m", "drop", "--allow-data-loss"});
        CHECK(r.code == 2);
        CHECK_MESSAGE(r.err.find("cannot run with foreign keys on") != std::string::npos, r.err);
        CHECK_MESSAGE(r.err.find(c.reason) != std::string::npos, r.err);
        CHECK(p.files().empty());
        // The sqlite dialect runs the same drops with foreign keys off.
        r = run(p, Dialect::sqlite, {"diff", "-m", "drop", "--allow-data-loss"});
        REQUIRE_MESSAGE(r.code == 0, r.err);
        r = run(p, Dialect::sqlite, {"apply", "--no-backup"});
        CHECK_MESSAGE(r.code == 0, r.err);
    }
}

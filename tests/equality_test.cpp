// What compares equal (model/equality.cpp), and how a difference is described
// (describe() in diff.cpp): a summary never shows the same text on both sides.
#include <doctest/doctest.h>

#include "schema/ddl.hpp"
#include "schema/diff.hpp"
#include "support/support.hpp"

using namespace schema;
using test::Project;

namespace {

Diff plain_diff(const std::string& live, const std::string& declared) {
    return diff(parse_schema_text(live), parse_schema_text(declared), {});
}

bool same(const std::string& a, const std::string& b) {
    return same_schema(parse_schema_text(a), parse_schema_text(b)) && plain_diff(a, b).empty();
}

// The descriptions of the one table's changes between `live` and `declared`.
std::vector<std::string> table_summary(const std::string& live, const std::string& declared) {
    Diff d = plain_diff(live, declared);
    std::vector<std::string> out;
    for (const auto& c : d.changes)
        if (auto m = std::get_if<ModifyTable>(&c))
            for (const auto& tc : m->changes) out.push_back(describe(tc, m->to));
    return out;
}

}  // namespace

TEST_CASE("equality: REFERENCES p is REFERENCES p (its primary key)") {
    const std::string parent = "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE);\n";
    CHECK(same(parent + "CREATE TABLE c (pid INTEGER REFERENCES p);",
               parent + "CREATE TABLE c (pid INTEGER REFERENCES p (id));"));
    CHECK(same(parent + "CREATE TABLE c (pid INTEGER REFERENCES P(ID));",
               parent + "CREATE TABLE c (pid INTEGER REFERENCES p);"));
    // The parent declared after the child.
    CHECK(same("CREATE TABLE c (pid INTEGER REFERENCES p);" + parent,
               "CREATE TABLE c (pid INTEGER REFERENCES p (id));" + parent));
    // Another unique column is another reference.
    CHECK_FALSE(same(parent + "CREATE TABLE c (pid TEXT REFERENCES p);",
                     parent + "CREATE TABLE c (pid TEXT REFERENCES p (code));"));
    // Composite keys: in key order only.
    const std::string composite = "CREATE TABLE p (a INT, b INT, PRIMARY KEY (a, b));\n";
    CHECK(same(composite + "CREATE TABLE c (x INT, y INT, FOREIGN KEY (x, y) REFERENCES p);",
               composite + "CREATE TABLE c (x INT, y INT, FOREIGN KEY (x, y) REFERENCES p (a, b));"));
    CHECK_FALSE(same(composite + "CREATE TABLE c (x INT, y INT, FOREIGN KEY (x, y) REFERENCES p);",
                     composite + "CREATE TABLE c (x INT, y INT, FOREIGN KEY (x, y) REFERENCES p (b, a));"));
    // A parent without a PRIMARY KEY: "REFERENCES p" targets no column SQLite accepts
    // (a foreign key mismatch), so it is not the same as naming a column.
    CHECK_FALSE(same("CREATE TABLE p (id INT UNIQUE); CREATE TABLE c (pid INT REFERENCES p);",
                     "CREATE TABLE p (id INT UNIQUE); CREATE TABLE c (pid INT REFERENCES p (id));"));
}

TEST_CASE("equality e2e: writing out the parent's key column changes nothing") {
    Project p;
    p.exec("CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (pid INTEGER REFERENCES p);");
    p.declare("CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (pid INTEGER REFERENCES p (id));");
    auto r = p.schema({"diff", "--print"});
    INFO(r.out << r.err);
    CHECK(r.out.rfind("up to date", 0) == 0);
}

TEST_CASE("equality: a double-quoted string keeps its case - a double-quoted column name is a name") {
    const std::string t = "CREATE TABLE t (status TEXT CHECK (status IN (";
    CHECK_FALSE(same(t + "\"Active\")));", t + "\"active\")));"));
    CHECK(same(t + "\"Active\")));", t + "'Active')));"));
    CHECK_FALSE(same(t + "\"Active\")));", t + "'active')));"));
    // "status" names the column: quoting it changes nothing, whatever its case.
    CHECK(same("CREATE TABLE t (status TEXT CHECK (\"STATUS\" != ''));",
               "CREATE TABLE t (status TEXT CHECK (status != ''));"));
    // Generated columns, defaults, partial indexes.
    CHECK_FALSE(same("CREATE TABLE t (a TEXT, b TEXT AS (a || \"X\"));", "CREATE TABLE t (a TEXT, b TEXT AS (a || \"x\"));"));
    CHECK_FALSE(same("CREATE TABLE t (a TEXT DEFAULT (\"X\"));", "CREATE TABLE t (a TEXT DEFAULT (\"x\"));"));
    CHECK_FALSE(same("CREATE TABLE t (a TEXT); CREATE INDEX i ON t (a) WHERE a = \"X\";",
                     "CREATE TABLE t (a TEXT); CREATE INDEX i ON t (a) WHERE a = \"x\";"));
    CHECK(same("CREATE TABLE t (a TEXT); CREATE INDEX i ON t (a) WHERE \"A\" = 'x';",
               "CREATE TABLE t (a TEXT); CREATE INDEX i ON t (a) WHERE a = 'x';"));
}

TEST_CASE("equality e2e: changing \"Closed\" to \"closed\" in a CHECK is drift, and is migrated") {
    Project p;
    p.exec("CREATE TABLE t (status TEXT CHECK (status IN (\"Active\", \"Closed\")));"
           "INSERT INTO t VALUES ('Active');");
    p.declare("CREATE TABLE t (status TEXT CHECK (status IN (\"Active\", \"closed\")));");
    auto r = p.schema({"check"});
    CHECK(r.code == 1);
    r = p.schema({"diff", "-m", "lower"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    REQUIRE(p.schema({"apply"}).code == 0);
    CHECK(p.one("SELECT count(*) FROM t") == "1");
    CHECK(p.schema({"diff", "--print"}).out.rfind("up to date", 0) == 0);
}

TEST_CASE("describe: every summary says what changed") {
    const std::string id = "CREATE TABLE t (id INTEGER PRIMARY KEY";
    CHECK(table_summary(id + ");", id + " AUTOINCREMENT);") ==
          std::vector<std::string>{"~ primary key of t: PRIMARY KEY (id) → PRIMARY KEY (id AUTOINCREMENT)"});
    CHECK(table_summary(id + ");", id + " ON CONFLICT REPLACE);") ==
          std::vector<std::string>{"~ primary key of t: PRIMARY KEY (id) → PRIMARY KEY (id) ON CONFLICT REPLACE"});
    CHECK(table_summary("CREATE TABLE t (id INTEGER PRIMARY KEY DESC);", "CREATE TABLE t (id INTEGER, PRIMARY KEY (id DESC));") ==
          std::vector<std::string>{"~ primary key of t: PRIMARY KEY (id DESC), now an alias of the rowid"});
    CHECK(table_summary("CREATE TABLE t (a INT UNIQUE);", "CREATE TABLE t (a INT UNIQUE ON CONFLICT IGNORE);") ==
          std::vector<std::string>{"- UNIQUE (a) on t", "+ UNIQUE (a) ON CONFLICT IGNORE on t"});
    CHECK(table_summary("CREATE TABLE t (a INT, UNIQUE (a));", "CREATE TABLE t (a INT, UNIQUE (a COLLATE nocase));") ==
          std::vector<std::string>{"- UNIQUE (a) on t", "+ UNIQUE (a COLLATE nocase) on t"});
    CHECK(table_summary("CREATE TABLE t (a INT, CONSTRAINT one CHECK (a > 0));",
                        "CREATE TABLE t (a INT, CONSTRAINT two CHECK (a > 0));") ==
          std::vector<std::string>{"- CONSTRAINT one CHECK (a > 0) on t", "+ CONSTRAINT two CHECK (a > 0) on t"});
    const std::string p = "CREATE TABLE p (id INTEGER PRIMARY KEY);";
    CHECK(table_summary(p + "CREATE TABLE t (a INT REFERENCES p);",
                        p + "CREATE TABLE t (a INT REFERENCES p DEFERRABLE INITIALLY DEFERRED);") ==
          std::vector<std::string>{"- FOREIGN KEY (a) REFERENCES p on t",
                                   "+ FOREIGN KEY (a) REFERENCES p DEFERRABLE INITIALLY DEFERRED on t"});
    CHECK(table_summary(p + "CREATE TABLE t (a INT REFERENCES p);", p + "CREATE TABLE t (a INT REFERENCES p ON UPDATE CASCADE);") ==
          std::vector<std::string>{"- FOREIGN KEY (a) REFERENCES p on t",
                                   "+ FOREIGN KEY (a) REFERENCES p ON UPDATE CASCADE on t"});
    CHECK(table_summary("CREATE TABLE t (a INT NOT NULL);", "CREATE TABLE t (a INT NOT NULL ON CONFLICT IGNORE);") ==
          std::vector<std::string>{"~ column t.a: NOT NULL no ON CONFLICT → ON CONFLICT IGNORE"});
    CHECK(table_summary("CREATE TABLE t (a INT, b INT AS (a + 1));", "CREATE TABLE t (a INT, b INT AS (a + 1) STORED);") ==
          std::vector<std::string>{"~ column t.b: generated column VIRTUAL → STORED"});
}

// @renamed hints: each one takes effect, is a no-op left from an earlier
// migration, or is an error at the hint that says why. None is ignored silently.
#include <doctest/doctest.h>

#include "schema/ddl.hpp"
#include "schema/diff.hpp"
#include "schema/inspect.hpp"
#include "support/support.hpp"

using namespace schema;
using test::Project;

namespace {

// The error diff reports for `declared` (schema.sql) against `live`, or "" when it takes it.
std::string hint_error(const std::string& live, const std::string& declared) {
    Schema from = parse_schema_text(live, "live");
    Schema to = parse_schema_text(declared, "schema.sql");
    try {
        diff(from, to, Renames::declared_in(to));
    } catch (const InputError& e) {
        return e.what();
    }
    return {};
}

Diff hinted_diff(const std::string& live, const std::string& declared) {
    Schema from = parse_schema_text(live, "live");
    Schema to = parse_schema_text(declared, "schema.sql");
    return diff(from, to, Renames::declared_in(to));
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("rename hints: the hint's position is where @renamed is written") {
    Schema s = parse_schema_text("CREATE TABLE t (\n  uid INT, -- @renamed from=id\n  b INT);", "f.sql");
    CHECK(s.tables.at("t").column("uid")->renamed_at.str() == "f.sql:2:15");
}

TEST_CASE("rename hints: a name that spans lines takes a hint on its last line (property seed 39)") {
    Schema s = parse_schema_text("CREATE TABLE \"end\nline\" /* @renamed from=old */ (\n"
                                 "  \"a\nb\" INT -- @renamed from=c\n);",
                                 "f.sql");
    const Table& t = s.tables.at(Ident("end\nline").key());
    REQUIRE(t.renamed_from);
    CHECK(t.renamed_from->name() == "old");
    REQUIRE(t.column(Ident("a\nb"))->renamed_from);
    CHECK(t.column(Ident("a\nb"))->renamed_from->name() == "c");
    // A line after the name is not the definition's line.
    CHECK_THROWS_AS(parse_schema_text("CREATE TABLE t (\n  a INT,\n  -- @renamed from=c\n  b INT);", "f.sql"),
                    InputError);
}

TEST_CASE("rename hints: the old name declared again beside the new one is an error, not a silent new column") {
    std::string e = hint_error("CREATE TABLE t (id INT, name TEXT);",
                               "CREATE TABLE t (\n  uid INT, -- @renamed from=id\n  id INT,\n  name TEXT);");
    CHECK(contains(e, "schema.sql:2:15: error: cannot rename column id to uid in table t: id is declared too in "
                      "table t; rename in one migration, then declare the new column id in the next"));
    e = hint_error("CREATE TABLE log (x INT);", "CREATE TABLE old_log ( -- @renamed from=log\n x INT);\n"
                                                "CREATE TABLE log (y TEXT);");
    CHECK(contains(e, "cannot rename table log to old_log: log is declared too; rename in one migration"));
    e = hint_error("CREATE TABLE t (x INT); CREATE INDEX i ON t (x);",
                   "CREATE TABLE t (x INT);\nCREATE INDEX j -- @renamed from=i\n ON t (x); CREATE INDEX i ON t (x);");
    CHECK(contains(e, "cannot rename index i to j: i is declared too"));
}

TEST_CASE("rename hints: a hint already applied is a no-op, also when the old name came back") {
    const char* declared = "CREATE TABLE t (\n  uid INT, -- @renamed from=id\n  id INT);";
    CHECK(hinted_diff("CREATE TABLE t (uid INT, id INT);", declared).empty());
    CHECK(hinted_diff("CREATE TABLE t (uid INT);", "CREATE TABLE t (uid INT -- @renamed from=id\n);").empty());
    CHECK(hinted_diff("CREATE TABLE b (x INT);", "CREATE TABLE b ( -- @renamed from=a\n x INT);").empty());
    CHECK(hinted_diff("CREATE TABLE a (x INT); CREATE TABLE b (x INT);",
                      "CREATE TABLE b ( -- @renamed from=a\n x INT); CREATE TABLE a (x INT);")
              .empty());
    // A chain applied one migration at a time (b→c, then a→b) leaves both hints behind.
    CHECK(hinted_diff("CREATE TABLE b (x INT); CREATE TABLE c (x INT);",
                      "CREATE TABLE b ( -- @renamed from=a\n x INT);\nCREATE TABLE c ( -- @renamed from=b\n x INT);")
              .empty());
    CHECK(hinted_diff("CREATE TABLE t (x INT); CREATE INDEX j ON t (x);",
                      "CREATE TABLE t (x INT);\nCREATE INDEX j -- @renamed from=i\n ON t (x);")
              .empty());
}

TEST_CASE("rename hints: a hint naming nothing live is an error at the hint") {
    std::string e = hint_error("CREATE TABLE t (id INT);", "CREATE TABLE t (\n  uid INT -- @renamed from=idd\n);");
    CHECK(contains(e, "schema.sql:2:14: error: cannot rename column idd to uid in table t: the database has no "
                      "column idd in table t"));
    e = hint_error("CREATE TABLE users (id INT);", "CREATE TABLE accounts ( -- @renamed from=usrs\n id INT);");
    CHECK(contains(e, "schema.sql:1:28: error: cannot rename table usrs to accounts: the database has no table usrs"));
    e = hint_error("CREATE TABLE t (x INT); CREATE INDEX i ON t (x);",
                   "CREATE TABLE t (x INT);\nCREATE INDEX j -- @renamed from=k\n ON t (x);");
    CHECK(contains(e, "cannot rename index k to j: the database has no index k"));
    // A column hint in a table the database does not have yet.
    e = hint_error("", "CREATE TABLE t (\n  uid INT -- @renamed from=id\n);");
    CHECK(contains(e, "schema.sql:2:14: error: cannot rename column id to uid: the database has no table t"));
}

TEST_CASE("rename hints: the new name already live is an error unless the hint was applied") {
    std::string e = hint_error("CREATE TABLE t (id INT, uid INT);", "CREATE TABLE t (\n  uid INT -- @renamed from=id\n);");
    CHECK(contains(e, "cannot rename column id to uid in table t: the database has both in table t; drop uid first"));
    e = hint_error("CREATE TABLE a (x INT); CREATE TABLE b (x INT);", "CREATE TABLE b ( -- @renamed from=a\n x INT);");
    CHECK(contains(e, "cannot rename table a to b: the database has both"));
}

TEST_CASE("rename hints: two hints naming one source are an error at the second") {
    std::string e = hint_error("CREATE TABLE t (id INT);",
                               "CREATE TABLE t (\n  a INT, -- @renamed from=id\n  b INT -- @renamed from=id\n);");
    CHECK(contains(e, "schema.sql:3:12: error: cannot rename column id to b in table t: the hint at "
                      "schema.sql:2:13 renames it to a too"));
    e = hint_error("CREATE TABLE t (x INT);",
                   "CREATE TABLE a ( -- @renamed from=t\n x INT);\nCREATE TABLE b ( -- @renamed from=t\n x INT);");
    CHECK(contains(e, "cannot rename table t to b: the hint at schema.sql:1:21 renames it to a too"));
    e = hint_error("CREATE TABLE t (x INT); CREATE INDEX i ON t (x);",
                   "CREATE TABLE t (x INT);\nCREATE INDEX j -- @renamed from=i\n ON t (x);\n"
                   "CREATE INDEX k -- @renamed from=i\n ON t (x);");
    CHECK(contains(e, "cannot rename index i to k: the hint at schema.sql:2:19 renames it to j too"));
}

TEST_CASE("rename hints: swaps and chains are errors that say to go one step at a time") {
    std::string e = hint_error("CREATE TABLE t (a INT, b INT);",
                               "CREATE TABLE t (\n  b INT, -- @renamed from=a\n  a INT -- @renamed from=b\n);");
    CHECK(contains(e, "cannot rename column a to b in table t: a is itself renamed from b"));
    CHECK(contains(e, "cannot rename column b to a in table t: b is itself renamed from a"));
    e = hint_error("CREATE TABLE a (x INT); CREATE TABLE b (x INT);",
                   "CREATE TABLE b ( -- @renamed from=a\n x INT);\nCREATE TABLE c ( -- @renamed from=b\n x INT);");
    CHECK(contains(e, "cannot rename table a to b: b exists too, and is renamed to c by the hint at schema.sql:3:21"));
    CHECK(contains(e, "apply that one first"));
}

TEST_CASE("rename hints: a hint naming the object itself is an error") {
    CHECK(contains(hint_error("CREATE TABLE t (a INT);", "CREATE TABLE t (a INT -- @renamed from=A\n);"),
                   "cannot rename column A to a in table t: the hint names the column itself"));
}

TEST_CASE("rename hints: column hints in a renamed table follow the table") {
    Diff d = hinted_diff("CREATE TABLE users (id INT, mail TEXT);",
                         "CREATE TABLE accounts ( -- @renamed from=users\n id INT,\n email TEXT -- @renamed from=mail\n);");
    CHECK(d.applied.tables.size() == 1);
    CHECK(d.applied.columns.size() == 1);
}

TEST_CASE("rename hints e2e: a column renamed, then a new column with its old name, keeps the values") {
    Project p;
    p.exec("CREATE TABLE t (id INT, name TEXT); INSERT INTO t VALUES (7, 'a'), (9, 'b');");
    // Both at once is refused (the rollback could not undo it in one step) ...
    p.declare("CREATE TABLE t (\n  uid INT, -- @renamed from=id\n  id INT,\n  name TEXT);");
    auto r = p.schema({"diff", "-m", "rename"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "schema.sql:2:15: error: cannot rename column id to uid in table t: id is declared too"));
    CHECK(p.files().empty());
    // ... one migration each works, and the hint left in the file is then a no-op.
    p.declare("CREATE TABLE t (\n  uid INT, -- @renamed from=id\n  name TEXT);");
    r = p.schema({"diff", "-m", "rename"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    REQUIRE(p.schema({"apply"}).code == 0);
    p.declare("CREATE TABLE t (\n  uid INT, -- @renamed from=id\n  id INT,\n  name TEXT);");
    r = p.schema({"diff", "-m", "add_id"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    REQUIRE(p.schema({"apply"}).code == 0);
    CHECK(p.one("SELECT group_concat(uid) || '|' || count(id) FROM t") == "7,9|0");
    r = p.schema({"diff", "--print"});
    CHECK(r.code == 0);
    CHECK(r.out.rfind("up to date", 0) == 0);
    REQUIRE(p.schema({"rollback", "--steps", "2"}).code == 0);
    CHECK(p.one("SELECT group_concat(id) FROM t") == "7,9");
}

TEST_CASE("rename hints e2e: a hint that cannot apply stops diff and check at the hint, writing nothing") {
    Project p;
    p.exec("CREATE TABLE t (id INT, uid INT);");
    p.declare("CREATE TABLE t (\n  uid INT -- @renamed from=id\n);");
    auto r = p.schema({"diff"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "schema.sql:2:14: error: cannot rename column id to uid in table t"));
    CHECK(p.files().empty());
    r = p.schema({"check"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "cannot rename column id to uid"));
}

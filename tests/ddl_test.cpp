// The DDL parser and the model it builds: features, normal forms, errors.
#include <doctest/doctest.h>

#include "schema/ddl.hpp"

using namespace schema;

namespace {
Schema parse(const std::string& sql) { return parse_schema_text(sql, "test.sql"); }
std::string first_error(const std::string& sql) {
    try {
        parse(sql);
    } catch (const InputError& e) {
        return e.diagnostics().front().pos.str() + ": " + e.diagnostics().front().message;
    }
    return "no error";
}
const Table& only_table(const Schema& s) {
    REQUIRE(s.tables.size() == 1);
    return s.tables.begin()->second;
}
}  // namespace

TEST_CASE("column types take any words and arguments") {
    auto s = parse(R"(CREATE TABLE t (
        a VARCHAR(255), b UNSIGNED BIG INT, c DECIMAL(10, 5), d, e DOUBLE PRECISION NOT NULL, f INT(-3)))");
    const auto& t = only_table(s);
    CHECK(t.column("a")->type.sql() == "VARCHAR(255)");
    CHECK(t.column("b")->type.sql() == "UNSIGNED BIG INT");
    CHECK(t.column("c")->type.sql() == "DECIMAL(10, 5)");
    CHECK(t.column("d")->type.empty());
    CHECK(t.column("e")->type.sql() == "DOUBLE PRECISION");
    CHECK(t.column("e")->not_null);
    CHECK(t.column("f")->type.sql() == "INT(-3)");
}

TEST_CASE("column constraints in any order") {
    auto s = parse(R"(CREATE TABLE t (
        id INTEGER CONSTRAINT pk PRIMARY KEY DESC ON CONFLICT REPLACE AUTOINCREMENT,
        email TEXT COLLATE NOCASE UNIQUE NOT NULL ON CONFLICT ABORT DEFAULT 'x@y' CHECK (email LIKE '%@%'),
        parent INT REFERENCES t (id) ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED,
        total REAL GENERATED ALWAYS AS (id * 2) STORED,
        half REAL AS (total / 2),
        created INT DEFAULT (unixepoch()),
        neg INT DEFAULT -1,
        word TEXT DEFAULT hello
    ))");
    const auto& t = only_table(s);
    REQUIRE(t.primary_key);
    CHECK(t.primary_key->name == "pk");
    CHECK(t.primary_key->autoincrement);
    CHECK(t.primary_key->conflict == Conflict::replace);
    CHECK(t.primary_key->columns[0].order == Order::desc);
    CHECK(t.rowid_alias() == nullptr);  // INTEGER PRIMARY KEY DESC on the column is not an alias
    const Column* email = t.column("EMAIL");
    REQUIRE(email);
    CHECK(email->not_null);
    CHECK(email->not_null_conflict == Conflict::abort);
    CHECK(email->collate->name() == "NOCASE");
    CHECK(email->default_value->sql() == "'x@y'");
    REQUIRE(t.uniques.size() == 1);
    CHECK(t.uniques[0].column_level);
    REQUIRE(t.checks.size() == 1);
    CHECK(t.checks[0].column->name() == "email");
    REQUIRE(t.foreign_keys.size() == 1);
    CHECK(t.foreign_keys[0].on_delete == FkAction::cascade);
    CHECK(t.foreign_keys[0].on_update == FkAction::set_null);
    CHECK(t.foreign_keys[0].deferred);
    CHECK(t.column("total")->generated->stored);
    CHECK_FALSE(t.column("half")->generated->stored);
    CHECK(t.column("created")->default_value->sql() == "unixepoch()");
    CHECK(t.column("neg")->default_value->sql() == "-1");
    CHECK(t.column("word")->default_value->sql() == "'hello'");
}

TEST_CASE("table constraints, WITHOUT ROWID and STRICT") {
    auto s = parse(R"(CREATE TABLE t (
        a INT, b TEXT, c BLOB,
        CONSTRAINT k PRIMARY KEY (a, b DESC) ON CONFLICT FAIL,
        UNIQUE (b COLLATE NOCASE, c),
        CHECK (a > 0)
        FOREIGN KEY (c, b) REFERENCES other (x, y) ON DELETE RESTRICT
    ) WITHOUT ROWID, STRICT)");
    const auto& t = only_table(s);
    CHECK(t.without_rowid);
    CHECK(t.strict);
    CHECK(t.primary_key->columns.size() == 2);
    CHECK(t.primary_key->columns[1].order == Order::desc);
    CHECK(t.uniques[0].columns[0].collate->name() == "NOCASE");
    CHECK(t.checks[0].expr.sql() == "a > 0");
    CHECK(t.foreign_keys[0].columns.size() == 2);
    CHECK(t.foreign_keys[0].parent.name() == "other");
}

TEST_CASE("indexes, views, triggers and virtual tables") {
    auto s = parse(R"(
        CREATE TABLE t (a, b, c);
        CREATE UNIQUE INDEX IF NOT EXISTS main.i1 ON t (a COLLATE NOCASE DESC, lower(b)) WHERE c IS NOT NULL;
        CREATE VIEW v (x, y) AS SELECT a, b FROM t WHERE c > 0;
        CREATE TRIGGER tr AFTER UPDATE OF a, b ON t FOR EACH ROW WHEN new.a <> old.a BEGIN
            UPDATE t SET c = CASE WHEN new.a > 0 THEN 'a;b' ELSE NULL END WHERE rowid = new.rowid;
            SELECT RAISE(ABORT, 'no');
        END;
        CREATE VIRTUAL TABLE f USING fts5(a, b, tokenize="porter ascii", content=t);
    )");
    const auto& i = s.indexes.at("i1");
    CHECK(i.unique);
    CHECK(i.columns[0].column->name() == "a");
    CHECK(i.columns[0].order == Order::desc);
    CHECK_FALSE(i.columns[1].column);
    CHECK(i.columns[1].expr.sql() == "lower(b)");
    CHECK(i.where->sql() == "c IS NOT NULL");
    const auto& v = s.views.at("v");
    CHECK(v.columns.size() == 2);
    CHECK(v.select.sql() == "SELECT a, b FROM t WHERE c > 0");
    const auto& tr = s.triggers.at("tr");
    CHECK(tr.timing == TriggerTiming::after);
    CHECK(tr.event == TriggerEvent::update);
    CHECK(tr.update_of.size() == 2);
    CHECK(tr.when->sql() == "new.a != old.a");
    REQUIRE(tr.body.size() == 2);
    CHECK(tr.body[1].sql() == "SELECT RAISE(ABORT, 'no')");
    const auto& f = s.virtual_tables.at("f");
    CHECK(f.module.name() == "fts5");
    CHECK(f.arg_text[2] == "tokenize=\"porter ascii\"");
}

TEST_CASE("comments, quoting and keyword case do not change the model") {
    auto a = parse(R"(create table "Users" ( -- people
        [id] integer primary key, `e mail` text not null /* must have */ check (length(`e mail`) > 3),
        'select' text default ((0)));
        create index ix on users ("e mail");)");
    auto b = parse(R"(CREATE TABLE users (id INTEGER PRIMARY KEY, "e mail" TEXT NOT NULL CHECK (LENGTH("e mail")>3),
        "select" TEXT DEFAULT 0); CREATE INDEX IX ON USERS([e mail]);)");
    CHECK(same_schema(a, b));
}

TEST_CASE("column-level and table-level constraints are one constraint") {
    auto a = parse("CREATE TABLE t (a INT UNIQUE, b INT REFERENCES p, c INT CHECK (c > 0));");
    auto b = parse("CREATE TABLE t (a INT, b INT, c INT, UNIQUE (a), FOREIGN KEY (b) REFERENCES p, CHECK (c > 0));");
    CHECK(same_schema(a, b));
    auto c = parse("CREATE TABLE t (a INT, b INT, c INT, UNIQUE (a), FOREIGN KEY (b) REFERENCES p, CHECK (c >= 0));");
    CHECK_FALSE(same_schema(a, c));
}

TEST_CASE("the rowid alias quirk of INTEGER PRIMARY KEY DESC is kept") {
    auto column_level = parse("CREATE TABLE t (id INTEGER PRIMARY KEY DESC);");
    auto table_level = parse("CREATE TABLE t (id INTEGER, PRIMARY KEY (id DESC));");
    CHECK(only_table(column_level).rowid_alias() == nullptr);
    CHECK(only_table(table_level).rowid_alias() != nullptr);
    CHECK_FALSE(same_schema(column_level, table_level));
}

TEST_CASE("@renamed hints attach to the definition on their line") {
    auto s = parse(R"(CREATE TABLE accounts ( -- @renamed from=old_accounts
        id INTEGER PRIMARY KEY,
        user_name TEXT NOT NULL, -- @renamed from=username
        email TEXT
    );
    CREATE TABLE new_users /* @renamed from="user accounts" */ (a);
    CREATE INDEX new_idx /* @renamed from=old_idx */ ON accounts (email);
    CREATE TABLE one_line (a INT, b INT /* @renamed from=c */);)");
    CHECK(s.tables.at("accounts").renamed_from->name() == "old_accounts");
    CHECK(s.tables.at("accounts").column("user_name")->renamed_from->name() == "username");
    CHECK_FALSE(s.tables.at("accounts").column("email")->renamed_from);
    CHECK(s.tables.at("new_users").renamed_from->name() == "user accounts");
    CHECK(s.indexes.at("new_idx").renamed_from->name() == "old_idx");
    CHECK(s.tables.at("one_line").column("b")->renamed_from->name() == "c");
    CHECK_FALSE(s.tables.at("one_line").renamed_from);
}

TEST_CASE("errors point at file, line and column") {
    CHECK(first_error("CREATE TABLE t (\n  a INT NOT NUL\n);") == "test.sql:2:13: expected NULL or DEFERRABLE, found 'NUL'");
    CHECK(first_error("CREATE TABLE t (a INT,\n  b TEXT CHECK (b > 0);") ==
          "test.sql:2:23: expected ')', found ';'");
    CHECK(first_error("CREATE TABEL t (a);") ==
          "test.sql:1:8: expected TABLE, INDEX, VIEW, TRIGGER or VIRTUAL TABLE after CREATE, found 'TABEL'");
    CHECK(first_error("CREATE TABLE t (a);\nINSERT INTO t VALUES (1);").rfind(
              "test.sql:2:1: expected a CREATE statement, found 'INSERT'", 0) == 0);
    CHECK(first_error("CREATE TABLE t AS SELECT 1;").rfind("test.sql:1:1: CREATE TABLE t ... AS SELECT is not declarative", 0) == 0);
    CHECK(first_error("CREATE TEMP TABLE t (a);").rfind("test.sql:1:19: TEMP table t", 0) == 0);
    CHECK(first_error("CREATE TABLE t (a);\nCREATE TABLE T (b);") ==
          "test.sql:2:14: table T is declared twice (also at test.sql:1:1)");
    CHECK(first_error("CREATE TABLE t (a, a);") == "test.sql:1:20: duplicate column a in table t");
    CHECK(first_error("CREATE TABLE t (a PRIMARY KEY, b, PRIMARY KEY (b));") ==
          "test.sql:1:35: table t has more than one primary key");
    CHECK(first_error("CREATE TABLE t (a); -- @renamed from=x\n-- @renamed from=y\n") ==
          "test.sql:2:4: @renamed hint is not on the line of a table, column or index definition it could rename");
}

TEST_CASE("a diagnostic shows the line and a caret") {
    try {
        parse("CREATE TABLE t (\n\ta INT NOT NUL\n);");
        FAIL("no error");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()) ==
              "test.sql:2:12: error: expected NULL or DEFERRABLE, found 'NUL'\n 2 | \ta INT NOT NUL\n   | \t          ^");
    }
}

TEST_CASE("keywords may be identifiers where SQLite allows them") {
    auto s = parse("CREATE TABLE if (key TEXT, action INT, replace TEXT, \"order\" INT, generated INT);");
    const auto& t = only_table(s);
    CHECK(t.name.name() == "if");
    CHECK(t.columns.size() == 5);
    CHECK(t.column("generated")->type.sql() == "INT");
}

TEST_CASE("printing never glues tokens into other tokens") {
    for (const char* sql : {"- -1", "1 . 2", "a . b", "x - - y", "a / * b", "- (1)", "t.*", "count(*)", "- -x",
                            "~ - 1", "a < = b", "NOT - 1"}) {
        Expr e = parse_expr(sql);
        CHECK_MESSAGE(parse_expr(e.sql()) == e, sql << " printed as " << e.sql());
    }
    CHECK(parse_expr("a . b").sql() == "a.b");
    CHECK(parse_expr("- 1").sql() == "-1");
    CHECK(parse_expr("f ( x , - 1 )").sql() == "f(x, -1)");
}

TEST_CASE("nesting deeper than SQLite accepts is an error, not a crash") {
    std::string deep = "CREATE TABLE t (a CHECK (" + std::string(5000, '(') + "1" + std::string(5000, ')') + "));";
    CHECK(first_error(deep) == "test.sql:1:1025: parentheses nest deeper than 1000 levels, more than SQLite accepts");
    std::string fine = "CREATE TABLE t (a CHECK (" + std::string(900, '(') + "1" + std::string(900, ')') + "));";
    CHECK(first_error(fine) == "no error");
}

// The stored text: for every declared object the parser derives the text SQLite
// keeps in sqlite_master.sql when it runs the same file, byte for byte, with the
// spans a rebuild edits; and ADD COLUMN's edit of it is predicted exactly.
#include <doctest/doctest.h>

#include <fstream>

#include "schema/ddl.hpp"
#include "schema/sqlite.hpp"
#include "support/support.hpp"

using namespace schema;

namespace {

// Statements whose stored text ends somewhere particular: after ')', at the
// statement's ';' (keeping blanks and comments), trimmed, at END, at EOF.
const char* const kTricky[] = {
    "create   table   if not exists main . t1 /*c*/ ( a  int , b text, constraint x check (a <> 1) ) /* after */ ;",
    "CREATE TABLE [t2](x references t1 (a), y references \"t1\" on delete cascade)",
    "create table t3(a int primary key, b) without rowid /* kept */ \n;",
    "create table t4(a int primary key) without rowid, strict -- kept\n;",
    "create table t5(a int primary key) strict",
    "create table t6(a) -- dropped\n;",
    "create table t7(\n  id INTEGER PRIMARY KEY, -- the key\n  v TEXT DEFAULT \"manual\" /* why */,\n"
    "  CONSTRAINT u UNIQUE (v),\n  CHECK (v <> '')\n);",
    "create unique index if not exists main.i1 on t1 (a) /* kept */ ;",
    "create index i2 on t1(b) where b > 0 -- kept\n  \n;",
    "create index i3 on t1(b)",
    "create view main.v1 as select * from t1 -- kept, trailing blanks go\n  \n;",
    "create view v2(x, y) as select a, b from t1 /* kept */   ",
    "create trigger main.tr1 after insert on t1 for each row begin select 1; end /* dropped */ ;",
    "create trigger \"tr 2\" before delete on t1 when old.a > 0 begin\n  delete from t2; -- inside\nend",
    "create virtual table vt1 using fts5(a, tokenize = 'porter') /* dropped */ ;",
    "create virtual table vt2 using fts4 /* dropped */",
    "create table \"odd \"\"name\"\"\"(`a b` int, [c] references \"odd \"\"name\"\"\")",
    "create table t8(a references t8, b references t1(a) deferrable initially deferred, c, foreign key (c) "
    "references [t2](x))",
};

struct Object {
    std::string key;
    const char* type;  // in sqlite_master: triggers have a namespace of their own
    const StoredSql* stored;
    const Table* table;  // for tables: its foreign keys' spans
};

std::vector<Object> objects_of(const Schema& s) {
    std::vector<Object> out;
    for (const auto& [k, t] : s.tables) out.push_back({k, "table", &t.stored, &t});
    for (const auto& [k, i] : s.indexes) out.push_back({k, "index", &i.stored, nullptr});
    for (const auto& [k, v] : s.views) out.push_back({k, "view", &v.stored, nullptr});
    for (const auto& [k, t] : s.triggers) out.push_back({k, "trigger", &t.stored, nullptr});
    for (const auto& [k, v] : s.virtual_tables) out.push_back({k, "table", &v.stored, nullptr});
    return out;
}

// The name a token spells, quotes removed.
std::string unquoted(std::string_view token) {
    if (token.size() >= 2 && (token[0] == '"' || token[0] == '`' || token[0] == '[' || token[0] == '\'')) {
        const char close = token[0] == '[' ? ']' : token[0];
        std::string out;
        for (std::size_t i = 1; i + 1 < token.size(); ++i) {
            out += token[i];
            if (close != ']' && token[i] == close) ++i;
        }
        return out;
    }
    return std::string(token);
}

std::string_view at(const std::string& text, const TextSpan& span) {
    return std::string_view(text).substr(span.offset, span.length);
}

// Runs `text` in a fresh database and checks every object's stored text, name
// span and REFERENCES spans against what SQLite stored. Returns the number of
// objects compared; 0 when SQLite or the parser refuses the text.
int compare_with_sqlite(const std::string& text, const std::string& label) {
    Schema declared;
    try {
        declared = parse_schema_text(text, label);
    } catch (const InputError&) {
        return 0;
    }
    auto db = sqlite::Database::memory();
    try {
        db.exec(text);
    } catch (const std::exception&) {
        return 0;
    }
    int compared = 0;
    for (const auto& o : objects_of(declared)) {
        const std::string& key = o.key;
        auto st = db.prepare(
            "SELECT sql FROM sqlite_master WHERE name = ?1 COLLATE NOCASE AND type = ?2 AND sql IS NOT NULL");
        st.bind(1, key).bind(2, o.type);
        if (!st.step()) continue;
        const std::string live = st.text(0);
        ++compared;
        CHECK_MESSAGE(o.stored->text == live, label << ": " << key << "\n  ours:   [" << o.stored->text
                                                    << "]\n  SQLite: [" << live << "]");
        CHECK_MESSAGE(fold(unquoted(at(o.stored->text, o.stored->name))) == key, label << ": name span of " << key);
        if (o.table)
            for (const auto& fk : o.table->foreign_keys)
                CHECK_MESSAGE(fold(unquoted(at(o.stored->text, fk.parent_span))) == fk.parent.key(),
                              label << ": REFERENCES span of " << key);
    }
    return compared;
}

// ADD COLUMN on every ordinary table of `text`: the text SQLite stores is the
// one text_after_add_column predicts.
int compare_add_column(const std::string& text, const std::string& label) {
    Schema declared;
    try {
        declared = parse_schema_text(text, label);
    } catch (const InputError&) {
        return 0;
    }
    auto db = sqlite::Database::memory();
    try {
        db.exec(text);
    } catch (const std::exception&) {
        return 0;
    }
    int compared = 0;
    Schema added = parse_schema_text("CREATE TABLE x(zz_added TEXT DEFAULT 'a,b' /* new */)");
    const Column& column = added.tables.begin()->second.columns[0];
    for (const auto& [key, t] : declared.tables) {
        try {
            db.exec("ALTER TABLE " + t.name.sql() + " ADD COLUMN " + column.declared_sql);
        } catch (const std::exception&) {
            continue;  // a virtual table's shadow table, say
        }
        auto st = db.prepare("SELECT sql FROM sqlite_master WHERE name = ?1 COLLATE NOCASE");
        st.bind(1, key);
        REQUIRE(st.step());
        auto predicted = text_after_add_column(t, column, t);
        REQUIRE_MESSAGE(predicted, label << ": " << key);
        CHECK_MESSAGE(*predicted == st.text(0), label << ": " << key << "\n  ours:   [" << *predicted
                                                      << "]\n  SQLite: [" << st.text(0) << "]");
        ++compared;
    }
    return compared;
}

}  // namespace

TEST_CASE("stored text: each object's text is what SQLite stores, where its statement ends included") {
    std::string all;
    for (const char* sql : kTricky) {
        // Alone (at the end of the text: no ';' after some) and all in one file.
        std::string text = std::string(sql);
        if (text.find("t1") != std::string::npos && text.find("table   if not exists main . t1") == std::string::npos)
            text = std::string(kTricky[0]) + "\n" + text;
        CHECK_MESSAGE(compare_with_sqlite(text, sql) > 0, "not compared: " << sql);
        all += std::string(sql) + (std::string_view(sql).back() == ';' ? "\n" : ";\n");
    }
    CHECK(compare_with_sqlite(all, "all in one file") == int(std::size(kTricky)));
}

TEST_CASE("stored text: the corpus's objects, as SQLite stores them, and ADD COLUMN's edit of their text") {
    auto files = test::real_schemas();
    if (files.empty()) {
        test::report_skipped("corpus not found at " SCHEMA_CORPUS_DIR);
        return;
    }
    int objects = 0, tables = 0;
    for (const auto& f : files) {
        const std::string text = test::read_file(f);
        objects += compare_with_sqlite(text, f.filename().string());
        tables += compare_add_column(text, f.filename().string());
    }
    MESSAGE(objects << " objects and " << tables << " ADD COLUMNs compared");
    CHECK(objects > 500);
    CHECK(tables > 200);
}

TEST_CASE("stored text: SQLite's own test-suite DDL, as SQLite stores it") {
    auto blocks = test::testsuite_blocks();
    if (blocks.empty()) {
        test::report_skipped("corpus not found");
        return;
    }
    int objects = 0;
    for (const auto& [label, text] : blocks) objects += compare_with_sqlite(text, label);
    MESSAGE(objects << " objects compared");
    CHECK(objects > 300);
}

TEST_CASE("stored text: ADD COLUMN's edit, before the table constraints and after blanks and comments") {
    for (const char* sql : {"CREATE TABLE t(a, b)", "CREATE TABLE t(\n  a,\n  b -- last\n)",
                            "CREATE TABLE t(a, b, CONSTRAINT c UNIQUE (a))", "CREATE TABLE t(a, b /* x */ , CHECK (a))",
                            "CREATE TABLE t(a PRIMARY KEY, b) WITHOUT ROWID"})
        CHECK(compare_add_column(sql, sql) == 1);
}

TEST_CASE("stored text: texts that differ only in how names are quoted") {
    CHECK(same_text_but_quoting("CREATE TABLE t(a)", "CREATE TABLE \"t\"(a)"));
    CHECK(same_text_but_quoting("CREATE TABLE [my t](a REFERENCES `p`)", "CREATE TABLE \"my t\"(a REFERENCES \"p\")"));
    CHECK(same_text_but_quoting("CREATE TABLE \"a\"\"b\"(x)", "CREATE TABLE `a\"b`(x)"));
    CHECK_FALSE(same_text_but_quoting("CREATE TABLE t(a)", "CREATE TABLE t (a)"));
    CHECK_FALSE(same_text_but_quoting("CREATE TABLE t(a DEFAULT 'x')", "CREATE TABLE t(a DEFAULT \"x\")"));
    CHECK_FALSE(same_text_but_quoting("CREATE TABLE t(a)", "CREATE TABLE T(a)"));
}

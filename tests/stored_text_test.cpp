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

// `text` parsed, and run in a fresh database; nullopt when the parser or SQLite
// refuses it (TEMP objects, a module this SQLite lacks).
struct ParsedAndRun {
    Schema schema;
    sqlite::Database db;
};
std::optional<ParsedAndRun> parsed_and_run(const std::string& text, const std::string& label) {
    ParsedAndRun out;
    try {
        out.schema = parse_schema_text(text, label);
        out.db = sqlite::Database::memory();
        out.db.exec(text);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return out;
}

// Runs `text` in a fresh database and checks every object's stored text, name
// span and REFERENCES spans against what SQLite stored. Returns the number of
// objects compared; 0 when SQLite or the parser refuses the text.
int compare_with_sqlite(const std::string& text, const std::string& label) {
    auto run = parsed_and_run(text, label);
    if (!run) return 0;
    const Schema& declared = run->schema;
    sqlite::Database& db = run->db;
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
    auto run = parsed_and_run(text, label);
    if (!run) return 0;
    const Schema& declared = run->schema;
    sqlite::Database& db = run->db;
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

// DROP COLUMN of the first and of the last column of every ordinary table of
// `text`, where SQLite allows it: the text SQLite stores is the one
// drop_column_from_text predicts.
int compare_drop_column(const std::string& text, const std::string& label) {
    auto first = parsed_and_run(text, label);
    if (!first) return 0;
    int compared = 0;
    for (const auto& [key, t] : first->schema.tables)
        for (const Column* c : {&t.columns.front(), &t.columns.back()}) {
            auto db = std::move(parsed_and_run(text, label)->db);  // each drop on a fresh copy
            try {
                db.exec("ALTER TABLE " + t.name.sql() + " DROP COLUMN " + c->name.sql());
            } catch (const std::exception&) {
                continue;  // a key, indexed or referenced column
            }
            auto st = db.prepare("SELECT sql FROM sqlite_master WHERE name = ?1 COLLATE NOCASE AND type = 'table'");
            st.bind(1, key);
            REQUIRE(st.step());
            Table edited = t;
            REQUIRE_MESSAGE(drop_column_from_text(edited, c->name), label << ": " << key);
            CHECK_MESSAGE(edited.stored.text == st.text(0), label << ": " << key << " drop " << c->name.name()
                                                                  << "\n  ours:   [" << edited.stored.text
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
    int objects = 0, tables = 0, drops = 0;
    for (const auto& f : files) {
        const std::string text = test::read_file(f);
        objects += compare_with_sqlite(text, f.filename().string());
        tables += compare_add_column(text, f.filename().string());
        drops += compare_drop_column(text, f.filename().string());
    }
    MESSAGE(objects << " objects, " << tables << " ADD COLUMNs and " << drops << " DROP COLUMNs compared");
    CHECK(objects > 500);
    CHECK(tables > 200);
    CHECK(drops > 100);
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

TEST_CASE("stored text: ADD and DROP COLUMN's edits, before the table constraints and after blanks and comments") {
    for (const char* sql : {"CREATE TABLE t(a, b)", "CREATE TABLE t(\n  a,\n  b -- last\n)",
                            "CREATE TABLE t(a, b, CONSTRAINT c UNIQUE (a))", "CREATE TABLE t(a, b /* x */ , CHECK (a))",
                            "CREATE TABLE t(a PRIMARY KEY, b) WITHOUT ROWID"}) {
        CHECK(compare_add_column(sql, sql) == 1);
        CHECK(compare_drop_column(sql, sql) >= 1);
    }
    // A column ADD COLUMN added, dropped again: the text it started from.
    Table t = parse_schema_text("CREATE TABLE t(\n  a,\n  b -- last\n)").tables.at("t");
    const std::string original = t.stored.text;
    Column c = parse_schema_text("CREATE TABLE x(c TEXT NOT NULL DEFAULT '')").tables.at("x").columns[0];
    REQUIRE(add_column_to_text(t, c));
    CHECK(t.stored.text == "CREATE TABLE t(\n  a,\n  b -- last\n, c TEXT NOT NULL DEFAULT '')");
    REQUIRE(drop_column_from_text(t, Ident("c")));
    CHECK(t.stored.text == original);
}

TEST_CASE("stored text: texts that differ only in how names are quoted") {
    CHECK(same_text_but_quoting("CREATE TABLE t(a)", "CREATE TABLE \"t\"(a)"));
    CHECK(same_text_but_quoting("CREATE TABLE [my t](a REFERENCES `p`)", "CREATE TABLE \"my t\"(a REFERENCES \"p\")"));
    CHECK(same_text_but_quoting("CREATE TABLE \"a\"\"b\"(x)", "CREATE TABLE `a\"b`(x)"));
    CHECK_FALSE(same_text_but_quoting("CREATE TABLE t(a)", "CREATE TABLE t (a)"));
    CHECK_FALSE(same_text_but_quoting("CREATE TABLE t(a DEFAULT 'x')", "CREATE TABLE t(a DEFAULT \"x\")"));
    CHECK_FALSE(same_text_but_quoting("CREATE TABLE t(a)", "CREATE TABLE T(a)"));
    // Comments are verbatim: a quote in one starts no string.
    CHECK(same_text_but_quoting("CREATE TABLE t(a, -- it's\n b REFERENCES p)", "CREATE TABLE \"t\"(a, -- it's\n b REFERENCES \"p\")"));
    CHECK_FALSE(same_text_but_quoting("CREATE TABLE t(a /* \"x\" */)", "CREATE TABLE t(a /* x */)"));
}

namespace {

// type + name → sqlite_master.sql of the database at `db`, or of `text` run in
// a fresh one.
std::map<std::string, std::string> stored_texts(sqlite::Database& db) {
    std::map<std::string, std::string> out;
    auto st = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' "
                         "ESCAPE '\\'");
    while (st.step()) out[st.text(0) + " " + fold(st.text(1))] = st.text(2);
    return out;
}
std::map<std::string, std::string> stored_texts(const std::string& text) {
    auto db = sqlite::Database::memory();
    db.exec(text);
    return stored_texts(db);
}
std::map<std::string, std::string> stored_texts(const std::filesystem::path& file) {
    auto db = sqlite::Database::open(file.string(), sqlite::Database::Mode::read_only);
    auto out = stored_texts(db);
    out.erase("table _migrations");  // the runner's history
    return out;
}

// Every object of `want` has its text in `got`, but for the quotes RENAME puts
// around the names it edits (`exact`: not even those).
void check_same_texts(const std::map<std::string, std::string>& got, const std::map<std::string, std::string>& want,
                      bool exact, const std::string& label) {
    CHECK_MESSAGE(got.size() == want.size(), label);
    for (const auto& [key, text] : want) {
        auto it = got.find(key);
        REQUIRE_MESSAGE(it != got.end(), label << ": " << key << " is missing");
        CHECK_MESSAGE((exact ? it->second == text : same_text_but_quoting(it->second, text)),
                      label << ": " << key << "\n  want: [" << text << "]\n  got:  [" << it->second << "]");
    }
}

// The declared schema with a CHECK added to every table, so that each is rebuilt.
std::string with_a_check_on_every_table(const std::string& text) {
    Schema s = parse_schema_text(text);
    for (auto& [key, t] : s.tables) {
        const std::size_t close = t.stored.text.rfind(')');
        t.stored.text.insert(close, ", CHECK (1 = 1)");
    }
    return schema_sql(s);
}

test::CliResult run_ok(const test::Project& p, std::vector<std::string> args, const std::string& label) {
    auto r = p.schema(args);
    INFO(label << ": schema " << args[0] << "\n" << r.out << r.err);
    REQUIRE(r.code == 0);
    return r;
}

}  // namespace

TEST_CASE("declared text, end to end: created, rebuilt and rolled back over the corpus") {
    auto files = test::real_schemas();
    if (files.empty()) {
        test::report_skipped("corpus not found at " SCHEMA_CORPUS_DIR);
        return;
    }
    int schemas = 0, objects = 0;
    for (const auto& f : files) {
        const std::string label = f.filename().string();
        const std::string text = test::read_file(f);
        auto run = parsed_and_run(text, label);
        if (!run) continue;  // nothing to compare
        const auto declared = stored_texts(run->db);
        test::Project p;
        p.declare(text);
        // From empty: every object is created with its declared text, byte for byte.
        run_ok(p, {"diff", "-m", "init"}, label);
        run_ok(p, {"apply"}, label);
        check_same_texts(stored_texts(p.db()), declared, true, label + " (created)");
        // Every table rebuilt: the declared texts, but for the quotes of RENAME.
        const std::string rebuilt_text = with_a_check_on_every_table(text);
        p.declare(rebuilt_text);
        run_ok(p, {"diff", "-m", "rebuild"}, label);
        run_ok(p, {"apply"}, label);
        check_same_texts(stored_texts(p.db()), stored_texts(rebuilt_text), false, label + " (rebuilt)");
        // The rollback restores the texts it started from.
        run_ok(p, {"rollback"}, label);
        check_same_texts(stored_texts(p.db()), declared, false, label + " (rolled back)");
        ++schemas;
        objects += int(declared.size());
    }
    MESSAGE(schemas << " schemas, " << objects << " objects");
    CHECK(schemas >= 30);
}

TEST_CASE("declared text: ADD COLUMN keeps SQLite's edit and says so, its rollback gives back the old text exactly") {
    test::Project p;
    const std::string before = "CREATE TABLE t(\n  id INTEGER PRIMARY KEY,\n  name TEXT -- who\n)";
    p.exec(before + ";INSERT INTO t VALUES (1, 'a');");
    p.declare("CREATE TABLE t(\n  id INTEGER PRIMARY KEY,\n  name TEXT, -- who\n  note TEXT DEFAULT 'n/a'\n);");
    run_ok(p, {"diff", "-m", "note"}, "add");
    const std::string forward = test::read_file(p.generated() / p.files()[0]);
    CHECK(forward.find("ALTER TABLE t ADD COLUMN note TEXT DEFAULT 'n/a';") != std::string::npos);
    CHECK(forward.find("-- Text: every object created here has its declared text.") != std::string::npos);
    CHECK(forward.find("--   t\n") != std::string::npos);
    run_ok(p, {"apply"}, "add");
    CHECK(p.one("SELECT sql FROM sqlite_master WHERE name = 't'") == before.substr(0, before.size() - 1) +
                                                                         ", note TEXT DEFAULT 'n/a')");
    run_ok(p, {"rollback"}, "add");
    CHECK(p.one("SELECT sql FROM sqlite_master WHERE name = 't'") == before);
    CHECK(p.one("SELECT count(*) FROM t") == "1");
}

TEST_CASE("declared text: a rollback adds a dropped column back by a rebuild, with the table's old text") {
    test::Project p;
    const std::string before = "CREATE TABLE t(\n  id INTEGER PRIMARY KEY,\n  name TEXT,\n  old TEXT /* gone */\n)";
    p.exec(before + ";INSERT INTO t VALUES (1, 'a', 'x'), (2, 'b', NULL);");
    p.declare("CREATE TABLE t(\n  id INTEGER PRIMARY KEY,\n  name TEXT\n);");
    run_ok(p, {"diff", "-m", "drop", "--allow-data-loss"}, "drop");
    const auto files = p.files();
    std::string forward, rollback;
    for (const auto& f : files)
        (f.find("rollback") == std::string::npos ? forward : rollback) = test::read_file(p.generated() / f);
    CHECK(forward.find("ALTER TABLE t DROP COLUMN old;") != std::string::npos);
    CHECK(rollback.find("a rollback restores the table's text") != std::string::npos);
    CHECK(rollback.find("ALTER TABLE t ADD COLUMN") == std::string::npos);
    run_ok(p, {"apply"}, "drop");
    run_ok(p, {"rollback"}, "drop");
    const std::string text = p.one("SELECT sql FROM sqlite_master WHERE name = 't'");
    CHECK(same_text_but_quoting(text, before));
    CHECK(text == "CREATE TABLE \"t\"" + before.substr(std::string("CREATE TABLE t").size()));
    CHECK(p.one("SELECT group_concat(id || name, ',') FROM t") == "1a,2b");
}

TEST_CASE("declared text: inspect writes the live text, and a database created from it diffs clean") {
    test::Project p;
    const std::string text = "CREATE TABLE t(\n  id INTEGER PRIMARY KEY, -- the key\n  v TEXT DEFAULT \"manual\"\n)";
    p.exec(text + ";CREATE INDEX t_v ON t(v) WHERE v <> '' /* partial */;");
    run_ok(p, {"inspect", "--single", "--force", "--no-migration"}, "inspect");
    const std::string written = test::read_file(p.root() / "schema" / "schema.sql");
    CHECK(written.find(text + ";") != std::string::npos);
    CHECK(written.find("CREATE INDEX t_v ON t(v) WHERE v <> '' /* partial */;") != std::string::npos);
    auto r = p.schema({"diff", "--print"});
    CHECK(r.code == 0);
    CHECK(r.out.rfind("up to date", 0) == 0);
}

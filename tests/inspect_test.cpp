// Inspection: a database built from DDL reads back as the model of that DDL,
// for the bundled example and every schema of the corpus.
#include <doctest/doctest.h>

#include <algorithm>

#include "schema/ddl.hpp"
#include "schema/inspect.hpp"
#include "support/support.hpp"

using namespace schema;
namespace fs = std::filesystem;

namespace {

Schema load_and_inspect(const std::string& sql) {
    test::TempDir dir;
    test::load_schema_dump(dir / "db.sqlite", sql);
    auto db = sqlite::Database::open((dir / "db.sqlite").string(), sqlite::Database::Mode::read_only);
    return inspect(db);
}

void check_same(const std::string& sql, const std::string& label) {
    Schema parsed;
    try {
        parsed = parse_schema_text(sql, label);
    } catch (const InputError&) {
        return;  // TEMP / attached objects: refused by design, tested in corpus_test
    }
    Schema live;
    try {
        live = load_and_inspect(sql);
    } catch (const std::exception& e) {
        FAIL_CHECK(label << ": " << std::string(e.what()));
        return;
    }
    CHECK_MESSAGE(same_schema(parsed, live), label);
}

}  // namespace

TEST_CASE("inspect: the bundled example reads back as declared") {
    std::string sql;
    for (auto& e : fs::directory_iterator(fs::path(SCHEMA_SOURCE_DIR) / "schema")) sql += test::read_file(e.path());
    Schema live = load_and_inspect(sql);
    CHECK(same_schema(parse_schema_text(sql, "schema"), live));
    CHECK(live.tables.size() == 5);
    CHECK(live.views.size() == 1);
    CHECK(live.triggers.size() == 3);
}

TEST_CASE("inspect: internal, shadow and tracking tables are skipped") {
    auto db = sqlite::Database::memory();
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);"
            "CREATE VIRTUAL TABLE f USING fts5(body);"
            "CREATE TABLE _migrations (version INTEGER PRIMARY KEY);"
            "CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY);"
            "CREATE INDEX _migrations_by_version ON _migrations (version);"
            "ANALYZE;");
    Schema s = inspect(db);
    CHECK(s.tables.size() == 1);
    CHECK(s.virtual_tables.size() == 1);
    CHECK(s.indexes.empty());
}

TEST_CASE("inspect: every real schema of the corpus reads back as parsed") {
    auto files = test::real_schemas();
    if (files.empty()) {
        test::report_skipped("corpus not found");
        return;
    }
    CHECK(files.size() >= 38);
    for (const auto& f : files) check_same(test::read_file(f), f.filename().string());
}

TEST_CASE("inspect: SQLite's test-suite DDL reads back as parsed") {
    auto dir = test::corpus_dir();
    if (dir.empty()) {
        test::report_skipped("corpus not found");
        return;
    }
    std::string text = test::read_file(dir / "sqlite_testsuite_ddl.sql");
    std::size_t pos = 0;
    int n = 0;
    while (pos < text.size()) {
        std::size_t next = text.find("\n-- [", pos + 1);
        std::string block = text.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
        pos = next == std::string::npos ? text.size() : next + 1;
        if (block.find("ATTACH") != std::string::npos) continue;  // needs a second database
        check_same(block, block.substr(0, block.find('\n')));
        ++n;
    }
    CHECK(n > 400);
}

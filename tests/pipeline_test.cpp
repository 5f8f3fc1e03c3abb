// The pipeline as a library stage (schema/pipeline.hpp), called as an embedding
// application would: no CLI, a real database file, the verdicts a caller acts on.
#include <doctest/doctest.h>

#include "schema/ddl.hpp"
#include "schema/pipeline.hpp"
#include "support/support.hpp"

using namespace schema;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct Library {
    test::TempDir dir;
    Target target{dir / "app.db", {}, 1000};
    migrate::Directory generated = migrate::Directory::load(dir / "generated");

    Proposal propose_text(const std::string& declared_sql, bool allow_data_loss = false) {
        Baseline base = baseline(target, generated);
        declared = parse_schema_text(declared_sql, "schema.sql");
        from = base.schema;
        return propose(base, declared, {allow_data_loss, Dialect::sqlite});
    }
    Schema from, declared;
};

MigrationInfo up_info() { return {"0001_change.sql", "rollback/0001_change.sql", false, {}, Dialect::sqlite}; }
MigrationInfo down_info() { return {"0001_change.sql", "../0001_change.sql", true, {}, Dialect::sqlite}; }

}  // namespace

TEST_CASE("pipeline: a database that does not exist yet is an empty baseline") {
    Library lib;
    Proposal p = lib.propose_text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);");
    CHECK(p.verdict == Proposal::Verdict::ready);
    CHECK(p.writable(false));
    prove_texts(p, lib.from, lib.declared, up_info(), down_info());
    CHECK(contains(p.up_text, "CREATE TABLE t"));
    CHECK(contains(p.down_text, "DROP TABLE t"));
}

TEST_CASE("pipeline: the verdicts a caller acts on, judged against the live rows") {
    Library lib;
    test::exec_sql(lib.target.db, "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT);"
                                  "INSERT INTO t VALUES (1, '007'), (2, 'a'), (3, 'a');");
    SUBCASE("up to date") {
        CHECK(lib.propose_text("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT);").verdict ==
              Proposal::Verdict::up_to_date);
    }
    SUBCASE("loses data: a converted value, counted") {
        Proposal p = lib.propose_text("CREATE TABLE t (id INTEGER PRIMARY KEY, code INTEGER);");
        CHECK(p.verdict == Proposal::Verdict::loses_data);
        CHECK_FALSE(p.writable(false));
        CHECK(p.writable(true));
        REQUIRE(p.up.data_loss.size() == 1);
        CHECK(contains(p.up.data_loss[0], "1 stored value is converted from TEXT to INTEGER"));
    }
    SUBCASE("rows violate a new constraint; allowed, the rows are left out and counted") {
        Proposal p = lib.propose_text("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT UNIQUE);");
        CHECK(p.verdict == Proposal::Verdict::rows_violate);
        REQUIRE(p.violations.size() == 1);
        CHECK(p.violations[0].rows == 1);
        Proposal allowed = lib.propose_text("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT UNIQUE);", true);
        CHECK(allowed.verdict == Proposal::Verdict::loses_data);
        CHECK(allowed.writable(true));
        REQUIRE(!allowed.up.data_loss.empty());
        CHECK(contains(allowed.up.data_loss[0], "1 row"));
        prove_texts(allowed, lib.from, lib.declared, up_info(), down_info());
        CHECK(contains(allowed.up_text, "INSERT OR IGNORE"));
    }
}

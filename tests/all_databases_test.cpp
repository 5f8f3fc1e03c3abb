// `--all`: every database of schema.toml runs, whatever happened to the ones
// before it; the closing list names each outcome and the exit code is the worst.
#include <doctest/doctest.h>

#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {

// Three databases, each with one migration; `broken` is not a database at all.
void three_databases(const Project& p) {
    test::write_file(p.root() / "schema.toml",
                     "[databases.a]\ndb = \"a.db\"\n"
                     "[databases.broken]\ndb = \"broken.db\"\n"
                     "[databases.c]\ndb = \"c.db\"\n");
    for (const std::string name : {"a", "broken", "c"}) {
        test::write_file(p.root() / "schema" / name / "t.sql", "CREATE TABLE t (v);");
        test::write_file(p.root() / "generated" / name / "0001_t.sql", "CREATE TABLE t (v);");
        test::write_file(p.root() / "generated" / name / "rollback" / "0001_t.sql", "DROP TABLE t;");
    }
    test::write_file(p.root() / "broken.db", std::string(8192, 'x'));
}

}  // namespace

TEST_CASE("--all: a database that fails does not stop the ones after it") {
    Project p;
    three_databases(p);
    auto r = test::run_cli({"--all", "apply", "--no-backup"}, p.root());
    INFO(r.out << r.err);
    CHECK(r.code == 2);  // the worst: broken.db is not a database
    CHECK(test::query_one(p.root() / "a.db", "SELECT count(*) FROM _migrations") == "1");
    CHECK(test::query_one(p.root() / "c.db", "SELECT count(*) FROM _migrations") == "1");
    CHECK(r.err.find("broken.db") != std::string::npos);
    CHECK(r.out.find("== 3 databases") != std::string::npos);
    CHECK(r.out.find("a (a.db): ok (exit 0)") != std::string::npos);
    CHECK(r.out.find("broken (broken.db): error (exit 2)") != std::string::npos);
    CHECK(r.out.find("c (c.db): ok (exit 0)") != std::string::npos);

    // check: the same, and drift in one does not hide the error in another.
    test::exec_sql(p.root() / "c.db", "CREATE TABLE extra (v);");
    r = test::run_cli({"--all", "check"}, p.root());
    INFO(r.out << r.err);
    CHECK(r.code == 2);
    CHECK(r.out.find("a (a.db): ok (exit 0)") != std::string::npos);
    CHECK(r.out.find("c (c.db): failed or found differences (exit 1)") != std::string::npos);

    // JSON: an error event for the broken one, and the list of outcomes last.
    r = test::run_cli({"--all", "--json", "status"}, p.root());
    auto events = test::json_lines(r.out);
    REQUIRE(!events.empty());
    const auto& last = events.back();
    REQUIRE(last.value("event", "") == "databases");
    REQUIRE(last["databases"].size() == 3);
    CHECK(last["databases"][1]["name"] == "broken");
    CHECK(last["databases"][1]["exit"] == 2);
    bool error_event = false;
    for (const auto& e : events)
        error_event = error_event || (e.value("event", "") == "error" && e.value("name", "") == "broken");
    CHECK(error_event);
}

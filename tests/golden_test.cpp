// Golden files: tests/golden/NAME/{before,after}.sql → the migration pair exactly
// as `schema diff` writes it (up.sql, down.sql). SCHEMA_UPDATE_GOLDEN=1 rewrites
// the expected files; review the change in git like any other.
#include <doctest/doctest.h>

#include <cstdlib>

#include "schema/ddl.hpp"
#include "schema/diff.hpp"
#include "schema/pipeline.hpp"
#include "schema/plan.hpp"
#include "schema/verify.hpp"
#include "schema/write.hpp"
#include "support/support.hpp"

using namespace schema;
namespace fs = std::filesystem;

TEST_CASE("golden migration files") {
    fs::path root = fs::path(SCHEMA_SOURCE_DIR) / "tests" / "golden";
    bool update = std::getenv("SCHEMA_UPDATE_GOLDEN") != nullptr;
    std::vector<fs::path> cases;
    for (auto& e : fs::directory_iterator(root))
        if (e.is_directory()) cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    CHECK(cases.size() >= 5);
    for (const auto& dir : cases) {
        CAPTURE(dir.filename().string());
        Schema from = parse_schema_text(test::read_file(dir / "before.sql"), "before.sql");
        Schema to = parse_schema_text(test::read_file(dir / "after.sql"), "after.sql");
        // As `schema diff` makes them: the library's pipeline, texts proven.
        Proposal p = propose(from, to, nullptr, {true, Dialect::sqlite});
        prove_texts(p, from, to, {"0001_change.sql", "rollback/0001_change.sql", false, {}},
                    {"0001_change.sql", "0001_change.sql", true, p.up.data_loss});
        const std::string& up_text = p.up_text;
        const std::string& down_text = p.down_text;
        if (update) {
            test::write_file(dir / "up.sql", up_text);
            test::write_file(dir / "down.sql", down_text);
            continue;
        }
        CHECK(up_text == test::read_file(dir / "up.sql"));
        CHECK(down_text == test::read_file(dir / "down.sql"));
    }
}

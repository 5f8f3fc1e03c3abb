// The real-world corpus: every schema parses, and printing the model and parsing
// it again gives the same model.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>

#include "ddl/parse.hpp"
#include "schema/ddl.hpp"
#include "support/support.hpp"

using namespace schema;
namespace fs = std::filesystem;

namespace {

// TEMP objects and objects of attached databases are valid SQLite but not part
// of a persistent main schema: the builder refuses them by design.
bool refused_by_design(const InputError& e) {
    for (const auto& d : e.diagnostics())
        if (d.message.find("exists only for the connection") == std::string::npos &&
            d.message.find("only the main database is managed") == std::string::npos)
            return false;
    return true;
}

// Returns false when the text was (rightly) refused as not declarative.
bool check_round_trip(const std::string& text, const std::string& label) {
    Schema first;
    try {
        first = parse_schema_text(text, label);
    } catch (const InputError& e) {
        if (refused_by_design(e)) return false;
        FAIL_CHECK(label << ": " << std::string(e.what()));
        return true;
    }
    // The model printed canonically (objects built in code have no stored
    // text), and as stored: both parse back to the same model.
    CHECK_MESSAGE(same_schema(first, parse_schema_text(schema_sql(first), label + " (as stored)")), label);
    std::string printed = schema_sql(test::without_stored_text(first));
    try {
        Schema again = parse_schema_text(printed, label + " (printed)");
        CHECK_MESSAGE(same_schema(first, again), label << " printed as:\n" << printed);
        CHECK_MESSAGE(schema_sql(again) == printed, label << ": printing is not stable");
    } catch (const InputError& e) {
        FAIL_CHECK(label << " printed as:\n" << printed << "\n" << std::string(e.what()));
    }
    return true;
}

}  // namespace

TEST_CASE("corpus: every real schema parses and round-trips") {
    auto files = test::real_schemas();
    if (files.empty()) {
        test::report_skipped("corpus not found at " SCHEMA_CORPUS_DIR);
        return;
    }
    CHECK(files.size() >= 38);
    for (const auto& f : files) check_round_trip(test::read_file(f), f.filename().string());
}

TEST_CASE("corpus: SQLite test-suite DDL parses and round-trips") {
    auto blocks = test::testsuite_blocks();
    if (blocks.empty()) {
        test::report_skipped("corpus not found");
        return;
    }
    CHECK(blocks.size() >= 475);
    int refused = 0;
    for (const auto& [label, text] : blocks) {
        std::vector<ddl::ParsedStatement> statements;
        ddl::SyntaxError error;
        CHECK_MESSAGE(ddl::parse_statements(text, statements, error), label << ": " << error.message);
        if (!check_round_trip(text, label)) ++refused;
    }
    MESSAGE(refused << " blocks declare TEMP or attached-database objects (refused by design)");
    CHECK(refused < 40);
}

// libFuzzer target for the DDL parser: any input either parses or yields
// diagnostics (never a crash), and whatever parses prints as SQL that parses
// back to the same model.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "schema/ddl.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    schema::Schema parsed;
    try {
        parsed = schema::parse_schema_text(text, "fuzz.sql");
    } catch (const schema::InputError& e) {
        for (const auto& d : e.diagnostics()) (void)d.format();
        return 0;
    }
    std::string printed = schema::schema_sql(parsed);
    try {
        schema::Schema again = schema::parse_schema_text(printed, "printed.sql");
        if (!schema::same_schema(parsed, again)) {
            std::fprintf(stderr, "round trip changed the model; printed:\n%s\n", printed.c_str());
            std::abort();
        }
    } catch (const schema::InputError& e) {
        // Printing produced SQL the parser refuses.
        std::fprintf(stderr, "printed SQL does not parse:\n%s\n%s\n", printed.c_str(), e.what());
        std::abort();
    }
    return 0;
}

// DDL text → model. The grammar (Spirit X3) reads CREATE TABLE / INDEX / VIEW /
// TRIGGER / VIRTUAL TABLE statements as SQLite 3.40 accepts them; the builder
// turns them into model values in their normal form (see model.hpp).
#pragma once

#include <string>
#include <vector>

#include "schema/diagnostic.hpp"
#include "schema/model.hpp"

namespace schema {

struct SourceFile {
    std::string path;  // as shown in messages, e.g. "schema/users.sql"
    std::string text;
};

// Parses declared schema files into one Schema. Collects every problem (the
// first syntax error of each file, semantic errors of all) and throws
// InputError with all of them when there is any.
Schema parse_schema(const std::vector<SourceFile>& files);

// Same for a single text.
Schema parse_schema_text(std::string_view text, const std::string& path = "<input>");

// Adds the statements of `text` to `schema`, appending problems to `errors`.
// Used by inspection (one sqlite_master entry at a time) and by parse_schema.
void add_statements(Schema& schema, std::string_view text, const std::string& path,
                    std::vector<Diagnostic>& errors);

}  // namespace schema

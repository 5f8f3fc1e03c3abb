// schema rollback-for: the rollback a migration lacks (wrangler writes none),
// planned from what the migration does and proven on a shadow.
//
// The migrations before it are replayed on an empty shadow (the schema it
// starts from), then the migration itself (the schema it leaves); the rollback
// is the migration from the second back to the first, planned and proven as
// `schema diff` plans and proves one. Rows the migration itself writes or
// deletes (INSERT, UPDATE, DELETE) are data, which no schema diff sees: the
// result says so when the file holds any.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "schema/pipeline.hpp"

namespace schema {

struct RollbackFor {
    const migrate::Migration* migration = nullptr;
    std::filesystem::path path;  // where the rollback goes (the directory's layout)
    std::string text;            // proven
    std::vector<std::string> summary;     // the changes it makes
    std::vector<std::string> not_undone;  // the migration's data statements, by line: not undone
};

// Throws InputError: no such version, a rollback already there, a migration
// that does not replay; ProofError when the rollback fails its proof.
RollbackFor plan_rollback_for(const migrate::Directory& dir, std::int64_t version, Dialect dialect);

}  // namespace schema

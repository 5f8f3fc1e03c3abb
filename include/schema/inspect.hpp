// Live database → model: the text SQLite keeps in sqlite_master, read by the
// same parser as the declared files, then cross-checked against what SQLite's
// pragmas report, so a parser mistake cannot pass silently.
#pragma once

#include <string>
#include <vector>

#include "schema/model.hpp"
#include "schema/sqlite.hpp"

namespace schema {

struct InspectOptions {
    // Tables that belong to migration tooling, not to the schema (their indexes
    // and triggers are skipped with them). The tool's own tracking table, and
    // wrangler's d1_migrations, by default.
    std::vector<std::string> ignore_tables{"_migrations", "d1_migrations"};
    std::string origin = "database";  // how messages name the database
    bool cross_check = true;
};

// Reads the main schema. Skips SQLite's internal objects (sqlite_*), D1's
// (_cf_*), virtual-table shadow tables and the ignored tables. Throws
// InputError when an object's SQL cannot be read, and std::logic_error when
// the pragmas disagree with what was parsed.
Schema inspect(sqlite::Database& db, const InspectOptions& options = {});

// True when `name` is one of the objects inspect() skips for being internal.
bool is_internal_name(const std::string& name);

}  // namespace schema

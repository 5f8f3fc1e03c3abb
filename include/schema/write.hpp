// Plan → migration file text. The only place that turns steps into a file, so
// every generated file reads the same: a header a reviewer can take in at a
// glance, then each statement under the comment that says why it is there.
// Deterministic: the same plan gives the same bytes (no dates, no paths from
// the machine that ran it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schema/dialect.hpp"
#include "schema/plan.hpp"

namespace schema {

struct MigrationInfo {
    std::string file_name;      // "0003_add_prefs.sql"
    std::string counterpart;    // the other file of the pair, e.g. "rollback/0003_add_prefs.sql"
    bool rollback = false;
    // For a rollback: what its forward migration destroys, which it cannot bring back.
    std::vector<std::string> not_restored;
    Dialect dialect = Dialect::sqlite;
};

// The header line the runner reads to switch foreign keys off around a migration.
inline constexpr const char* kForeignKeysOffMarker = "-- schema: foreign_keys=off";

std::string migration_text(const Plan& plan, const MigrationInfo& info);

// `text` as SQL line comments, "-- <indent><line>\n" for each of its lines: the
// one way user text (names, literals, notes that quote them) goes into a comment
// of a file we write. Every line break (\n, \r, VT, FF, NEL, LS, PS) starts a new
// commented line, and other control characters are written as \xNN, so no part
// of the text can end the comment and be read as SQL.
std::string sql_comment(std::string_view text, std::string_view indent = "");

// "add_user_prefs" from "Add user prefs!" (lower case, [a-z0-9_]).
std::string slug(const std::string& name);

}  // namespace schema

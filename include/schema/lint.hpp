// schema lint: review aid for the migrations a database has not applied yet,
// generated or hand-written. Each file is replayed on a shadow of the database's
// schema, and what it changes is judged by rules:
//
//   destructive      drops a table or a column, and the rows or values in it (error)
//   data-dependent   a NOT NULL, UNIQUE, CHECK, FOREIGN KEY or primary key added to
//                    a table that exists: it passes on a database whose rows satisfy
//                    it and fails on one whose rows do not (warning)
//   incompatible     drops or renames a table, view or column that code still
//                    running may read (warning)
//   large-rebuild    copies a table of many rows (the live row estimate) (warning)
//   refused          a statement the runner or D1 refuses (error)
//   no-rollback      no rollback file, or one without a statement (warning)
//
// A line `-- schema:lint ignore RULE[, RULE...]` in a file accepts that rule's
// findings there.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "schema/pipeline.hpp"

namespace schema {

struct LintFinding {
    std::string rule;
    enum class Severity { error, warning } severity = Severity::warning;
    SourcePos pos;        // the file and the statement's line
    std::string message;
    bool ignored = false;  // accepted by a directive in the file
};

struct LintOptions {
    Dialect dialect = Dialect::sqlite;
    std::int64_t large_table_rows = 100000;  // a copy of at least this many rows is large-rebuild
    // Offline, without a database (a pull request's CI): judge these versions
    // only. Every migration before each is replayed from an empty schema, and
    // large-rebuild is not judged (no rows to count).
    std::optional<std::set<std::int64_t>> only;
};

// The migrations to judge: the pending ones of `dir` for `target` (every one
// when the database does not exist), or options.only; in order. Throws
// InputError when one does not replay.
std::vector<LintFinding> lint(const Target& target, const migrate::Directory& dir, const LintOptions& options);

const char* severity_name(LintFinding::Severity s);

// The versions of `dir` whose files git `revision` does not have: a branch's
// migrations, for LintOptions::only. Throws InputError when git cannot tell.
std::set<std::int64_t> versions_added_since(const migrate::Directory& dir, const std::string& revision);
// The newest `count` versions of `dir`.
std::set<std::int64_t> latest_versions(const migrate::Directory& dir, int count);

}  // namespace schema

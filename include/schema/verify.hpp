// Proof before writing: a migration pair runs on an in-memory shadow database
// holding the part of the schema it touches, and must reach the declared schema
// (up) and come back to the original (down). New and changed declarations meet
// SQLite there; its errors come back as diagnostics at the declaration.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "schema/ddl.hpp"
#include "schema/dialect.hpp"
#include "schema/diff.hpp"
#include "schema/plan.hpp"
#include "schema/sqlite.hpp"

namespace schema {

// Which objects, by folded name: tables, views and virtual tables share one
// namespace in SQLite (`relations`); indexes and triggers have their own.
struct Scope {
    std::set<std::string> relations, indexes, triggers;
    bool everything = false;
};

// `s` restricted to `scope`.
Schema restrict_to(const Schema& s, const Scope& scope);

// A new in-memory database holding `s` (or its part in `scope`).
sqlite::Database build_shadow(const Schema& s, const Scope* scope = nullptr);

// The objects a migration between `from` and `to` touches, and what they
// depend on, on the `from` side.
Scope scope_of(const Diff& d, const Plan& up, const Schema& from);

// A migration that does not do what it should: either SQLite rejected a step
// (`diagnostic` points at the declaration when there is one), or the result is
// not the expected schema (a bug in the planner).
class ProofError : public std::runtime_error {
public:
    ProofError(std::string message, Diagnostic diagnostic, bool planner_bug)
        : std::runtime_error(std::move(message)), diagnostic_(std::move(diagnostic)), planner_bug_(planner_bug) {}
    const Diagnostic& diagnostic() const { return diagnostic_; }
    bool planner_bug() const { return planner_bug_; }

private:
    Diagnostic diagnostic_;
    bool planner_bug_;
};

// A migration file as written, and the dialect whose runner runs it.
struct WrittenMigration {
    std::string_view text;  // the file's bytes
    Dialect dialect = Dialect::sqlite;
};

// Runs the written up file then the written down file on a shadow of the touched
// part of `from`, as their runner runs them: foreign keys on or off, one
// transaction, PRAGMA foreign_key_check before COMMIT when they are off, and a
// sample row in every table (the same rows must be there after each). The
// statements of each file, as SQLite delimits them, must be exactly the plan's
// steps in order: anything else (a comment that became a statement, a statement
// swallowed by a comment) is a planner bug, reported, never run. Throws ProofError.
// `sources` (optional) supplies declared file texts for the caret display.
void prove(const Schema& from, const Schema& to, const Diff& d, const Plan& up, const Plan& down,
           const WrittenMigration& up_file, const WrittenMigration& down_file,
           const std::vector<SourceFile>* sources = nullptr);

// The same for the pair the plain SQLite dialect writes (rendered here), for
// callers that write no files.
void prove(const Schema& from, const Schema& to, const Diff& d, const Plan& up, const Plan& down,
           const std::vector<SourceFile>* sources = nullptr);

// --- sample rows (sample_rows.cpp) -----------------------------------------------

// A table of the shadow and its rows ("1 rows, rowids 5"), to compare after
// the migration under the name the migration gives it (none: it is dropped).
struct SampledTable {
    Ident from_name;
    std::optional<Ident> to_name;
    std::string rows;
    bool keeps_rowids = false;  // it has rowids on both sides, so they must stay
};

// Puts one row valid before and after the migration into every table of
// `shadow` (the schema of `db`) that can take one; returns every table's rows.
std::vector<SampledTable> add_sample_rows(sqlite::Database& db, const Schema& shadow, const Schema& to,
                                          const Renames& renames);
// The rows of `t` in `db`: their count, and their rowids when it has them.
std::string rows_of(sqlite::Database& db, const Table& t);

}  // namespace schema

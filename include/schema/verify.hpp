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

// A virtual table whose module this SQLite lacks (sqlite-vec's vec0, say) stays in
// the model as written, but no shadow can hold it: one warning per such table.
std::vector<Diagnostic> unknown_module_warnings(const Schema& s);

// Throws InputError at each virtual table of `d`'s changes whose module this SQLite lacks.
void refuse_unknown_modules(const Diff& d);

// A new in-memory database holding `s` (or its part in `scope`).
sqlite::Database build_shadow(const Schema& s, const Scope* scope = nullptr);

// The declarations SQLite rejects when `s` is created on an empty database, one
// diagnostic each at its declaration with SQLite's words (`schema check` reports
// them; `diff` meets them in its proof). A rejected object is left out and the
// rest still tried. Virtual tables whose module this SQLite lacks are skipped.
std::vector<Diagnostic> rejected_declarations(const Schema& s);

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
// A migration that creates, changes or drops a virtual table whose module this
// SQLite lacks cannot run on a shadow: InputError at that table, nothing proven.
// `sources` (optional) supplies declared file texts for the caret display.
void prove(const Schema& from, const Schema& to, const Diff& d, const Plan& up, const Plan& down,
           const WrittenMigration& up_file, const WrittenMigration& down_file,
           const std::vector<SourceFile>* sources = nullptr);

// The same for the pair the plain SQLite dialect writes (rendered here), for
// callers that write no files.
void prove(const Schema& from, const Schema& to, const Diff& d, const Plan& up, const Plan& down,
           const std::vector<SourceFile>* sources = nullptr);

// --- the live rows ------------------------------------------------------------

// A precheck and the number of live rows that violate it.
struct Violation {
    Precheck check;
    std::int64_t rows = 0;
};

// A precheck SQLite could not run on the live database (never read as "no
// violation"): which one, and SQLite's message.
class PrecheckError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Counts, in the live database, the rows that violate each of `plan`'s
// prechecks; returns those with at least one. A table the live database does
// not have yet (it comes with a pending migration) has no rows. Throws
// PrecheckError.
std::vector<Violation> count_violations(sqlite::Database& live, const Plan& plan);

// Counts, in the live database, the stored values each of `plan`'s conversions
// (a column's new type affinity) would change: a column where none changes
// leaves the data-loss list, the others say how many. Conversions of tables or
// columns the live database does not have yet stay listed. Throws PrecheckError.
void count_conversions(sqlite::Database& live, Plan& plan);

// A lossy plan that cannot be written: why, one line per reason (with counts).
class DataLossRefused : public std::runtime_error {
public:
    explicit DataLossRefused(std::vector<std::string> reasons)
        : std::runtime_error(reasons.empty() ? "" : reasons.front()), reasons_(std::move(reasons)) {}
    const std::vector<std::string>& reasons() const { return reasons_; }

private:
    std::vector<std::string> reasons_;
};

// The plan from `from` to `to` that leaves out the rows violating the new
// constraints and carries that loss to the rows referencing them as each
// foreign key's ON DELETE says (PlanOptions::skip_violating_rows). It runs
// first on an in-memory copy of the live rows it touches, so its data_loss
// lists exactly how many rows of which table are left out, deleted or changed.
// Throws DataLossRefused when rows would be left without their parent (ON
// DELETE NO ACTION / RESTRICT) or a statement fails on the rows (a violation
// no copy leaves out: a unique index on a table that is not rebuilt, a STRICT
// type).
Plan plan_skipping_violations(const Diff& d, const Schema& from, const Schema& to, sqlite::Database& live);

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

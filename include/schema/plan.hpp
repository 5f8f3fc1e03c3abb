// Changes → SQL steps. ALTER TABLE where SQLite allows the change (see
// alter_refusal), SQLite's table-rebuild procedure where it does not, and the
// order that keeps every step legal: dependents dropped before what they
// depend on changes, recreated after. Pure: no database, no files.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schema/dialect.hpp"
#include "schema/diff.hpp"
#include "schema/model.hpp"

namespace schema {

// A statement of a lossy plan (PlanOptions::skip_violating_rows) that leaves
// rows out or changes them: what a trial run on the live rows counts for the
// file's data-loss list.
struct RowLoss {
    Ident table;       // whose rows are lost or changed
    std::string what;  // "not copied: they violate its new constraints"
    // For a copy: the table copied from (lost = its rows - rows copied); empty:
    // lost = the rows the statement changes.
    std::string copied_from;
};

// The data-loss line of `loss`: "users: rows not copied: ...", or with the
// count a trial run found, "users: 3 rows not copied: ...".
std::string describe(const RowLoss& loss, std::optional<std::int64_t> rows = std::nullopt);

// An object across kinds, by its folded name: tables, views and virtual tables
// share SQLite's namespace (relations); indexes and triggers have their own.
struct ObjectKey {
    enum class Kind { relation, index, trigger };
    Kind kind = Kind::relation;
    std::string name;  // folded (Ident::key)

    static ObjectKey relation(std::string folded) { return {Kind::relation, std::move(folded)}; }
    static ObjectKey index(std::string folded) { return {Kind::index, std::move(folded)}; }
    static ObjectKey trigger(std::string folded) { return {Kind::trigger, std::move(folded)}; }
    friend auto operator<=>(const ObjectKey&, const ObjectKey&) = default;
};
inline ObjectKey relation_key(const Ident& name) { return ObjectKey::relation(name.key()); }
inline ObjectKey index_key(const Ident& name) { return ObjectKey::index(name.key()); }
inline ObjectKey trigger_key(const Ident& name) { return ObjectKey::trigger(name.key()); }

struct Step {
    std::string sql;   // one statement, without its ';'
    std::string note;  // a comment for the reviewer, printed above the statement
    SourcePos source;  // the declaration behind it, for mapping SQLite errors back
    bool destructive = false;
    // The objects it reads or changes (relation_key / index_key / trigger_key);
    // empty for statements that concern no object (PRAGMA). The proof splits a
    // plan into independent parts along these.
    std::vector<ObjectKey> touches;
    std::optional<RowLoss> loss;
};


// A constraint the migration adds (NOT NULL, CHECK, UNIQUE, PRIMARY KEY,
// FOREIGN KEY, unique index, STRICT types) that rows already in the table may
// violate; count_sql counts them in the live database (count_violations).
struct Precheck {
    Ident table;
    Ident live_table;         // its name in the live database (before renames)
    std::string description;  // "users.email becomes NOT NULL"
    std::string count_sql;
};

// A rebuild's copy that stores a column's values under another type affinity:
// '007' becomes 7 under INTEGER. Data loss only where a stored value changes,
// which count_conversions counts on the live rows; without them, every such
// column is listed.
struct Conversion {
    Ident live_table, live_column;  // where the values are now
    std::string affinity;           // the new one: INTEGER, TEXT, REAL or NUMERIC
    std::string column;             // "users.code"
    std::string how;                // "converted from TEXT to INTEGER affinity ('007' becomes 7)"

    // Its data-loss line, with the number of values that change when known.
    std::string describe(std::optional<std::int64_t> values = std::nullopt) const;
};

struct Plan {
    std::vector<std::string> summary;    // one line per change, details indented
    std::vector<std::string> data_loss;  // what running it destroys
    std::vector<Conversion> conversions;  // each also a line of data_loss, uncounted
    std::vector<Precheck> prechecks;
    std::vector<Step> steps;
    std::vector<Ident> rebuilt;  // tables rebuilt (the runner switches foreign keys off for these)
    std::vector<std::string> rebuilt_why;  // why each of `rebuilt` is, in step: "ALTER TABLE cannot ..."
    // Dropped tables that a kept table still references: dropped with foreign keys
    // off where the target allows it, so that no ON DELETE action fires.
    std::vector<Ident> dropped_parents;
    // Why this plan cannot run with foreign keys on (D1), where the sqlite dialect
    // runs it with keys off: tables that reference each other and that SQLite
    // cannot drop one after the other with keys on. Empty: it can.
    std::vector<std::string> needs_foreign_keys_off_because;
    // Its first statement stops it where foreign keys are on (the sqlite dialect's
    // in-place rebuild of a table that others reference; PlanOptions::dialect).
    bool guards_foreign_keys_off = false;
    // Tables ALTER TABLE changes in place whose stored text SQLite then edits to
    // something other than the target's text: ADD COLUMN appends ", <definition>"
    // after the last column, DROP and RENAME COLUMN edit the text where it is.
    // Their definitions match (schema check is clean); `.schema` shows the layout
    // SQLite made. Every other object the plan creates has the target's text.
    std::vector<Ident> text_edited_in_place;
    // The target's tables that ALTER TABLE changes in place, with the text (and
    // spans) SQLite leaves them, where that is known: what their rollback starts
    // from (schema_after).
    std::vector<Table> tables_as_altered;

    bool needs_foreign_keys_off() const { return !rebuilt.empty() || !dropped_parents.empty(); }

    bool empty() const { return steps.empty(); }
};

struct PlanOptions {
    // Copy only the rows that satisfy the new constraints (INSERT OR IGNORE, and
    // orphans of new foreign keys deleted), and carry the loss to the children
    // rebuilt with them as their ON DELETE says. Only with --allow-data-loss;
    // see plan_skipping_violations (verify.hpp) for the plan with its counts.
    bool skip_violating_rows = false;
    // Where the file runs. The sqlite dialect's runner switches foreign keys off
    // around a file that rebuilds, so a rebuild there is SQLite's documented
    // procedure for the one table whose definition changes: the tables that
    // reference it keep their rows and text (and a guard makes the file stop, before
    // it changes anything, where keys are on). On D1 keys stay on, so the tables that
    // reference a rebuilt table move with it. A lossy copy moves them in both, to
    // carry the rows it leaves out.
    Dialect dialect = Dialect::sqlite;
    // A rollback restores each table's text: a column it adds back is added by a
    // rebuild, which creates the table with its old text, not by ADD COLUMN, which
    // would append the definition to the text (Plan::text_edited_in_place).
    bool restore_text = false;
};

// `from` is the schema the plan starts from (live, plus pending migrations);
// `to` the declared one; `d` = diff(from, to, hints).
Plan make_plan(const Diff& d, const Schema& from, const Schema& to, const PlanOptions& options = {});

// `to` as the database holds it once `plan` has run: the tables ALTER TABLE
// changed in place carry the text SQLite made (Plan::tables_as_altered).
Schema schema_after(const Plan& plan, const Schema& to);

// Can ALTER TABLE make this change to table m.to? nullopt when it can; else why
// not, citing SQLite's rule. `kept_indexes`: the table's indexes that stay as
// they are (changed and dropped ones go before any ALTER).
std::optional<std::string> alter_refusal(const TableChange& change, const ModifyTable& m,
                                         const std::vector<const Index*>& kept_indexes);

}  // namespace schema

// Schema × Schema → Changes: a closed set of values named after what they do.
// Pure: no database, no files.
//
// Renames come only from hints (@renamed in the declared DDL, or the inverse
// of a forward diff's renames for the rollback). Before comparing, the hinted
// renames are applied to the old schema the way SQLite's ALTER TABLE ... RENAME
// rewrites it (table and column names, foreign keys, index and constraint
// columns), so what remains are the real differences.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "schema/model.hpp"

namespace schema {

// --- changes inside one table -------------------------------------------------

enum ColumnDifference : unsigned {
    type_changed = 1u << 0,
    not_null_changed = 1u << 1,
    default_changed = 1u << 2,
    collate_changed = 1u << 3,
    generated_changed = 1u << 4,
};

struct AddColumn { Column column; };
struct DropColumn { Column column; };
struct RenameColumn { Ident from, to; };
struct ModifyColumn { Column from, to; unsigned differences = 0; };
struct ChangePrimaryKey { std::optional<PrimaryKey> from, to; };
struct AddUnique { UniqueConstraint unique; };
struct DropUnique { UniqueConstraint unique; };
struct AddCheck { CheckConstraint check; };
struct DropCheck { CheckConstraint check; };
// A CHECK with the same name, or on the same column, whose expression changes.
struct ModifyCheck { CheckConstraint from, to; };
struct AddForeignKey { ForeignKey fk; };
struct DropForeignKey { ForeignKey fk; };
struct ChangeWithoutRowid { bool to; };
struct ChangeStrict { bool to; };

using TableChange = std::variant<AddColumn, DropColumn, RenameColumn, ModifyColumn, ChangePrimaryKey, AddUnique,
                                 DropUnique, AddCheck, DropCheck, ModifyCheck, AddForeignKey, DropForeignKey,
                                 ChangeWithoutRowid, ChangeStrict>;

// --- changes to the schema -------------------------------------------------------

struct AddTable { Table table; };
struct DropTable { Table table; };
struct RenameTable { Ident from, to; };
// `from` is the live table with hinted renames applied; `to` the declared one.
struct ModifyTable { Table from, to; std::vector<TableChange> changes; };
struct AddIndex { Index index; };
struct DropIndex { Index index; };
struct ModifyIndex { Index from, to; };
struct AddView { View view; };
struct DropView { View view; };
struct ModifyView { View from, to; };
struct AddTrigger { Trigger trigger; };
struct DropTrigger { Trigger trigger; };
struct ModifyTrigger { Trigger from, to; };
struct AddVirtualTable { VirtualTable table; };
struct DropVirtualTable { VirtualTable table; };
struct ModifyVirtualTable { VirtualTable from, to; };

// Visitors over Change and TableChange end their `if constexpr` chain with
// `else static_assert(unhandled<T>)`: a new alternative is then a compile error
// wherever it is not handled, never silently dropped.
template <typename>
inline constexpr bool unhandled = false;

using Change = std::variant<AddTable, DropTable, RenameTable, ModifyTable, AddIndex, DropIndex, ModifyIndex, AddView,
                            DropView, ModifyView, AddTrigger, DropTrigger, ModifyTrigger, AddVirtualTable,
                            DropVirtualTable, ModifyVirtualTable>;

// Renames to apply, keyed by the new name (folded): tables by table, columns by
// (table, column) with the table's new name, indexes by index.
struct Rename {
    Ident from, to;
    SourcePos at;  // the @renamed hint; unknown for the inverse of a diff's renames
};
struct Renames {
    std::map<std::string, Rename> tables;
    std::map<std::pair<std::string, std::string>, Rename> columns;
    std::map<std::string, Rename> indexes;

    bool empty() const { return tables.empty() && columns.empty() && indexes.empty(); }
    // The hints written in declared DDL (@renamed from=...).
    static Renames declared_in(const Schema& declared);
};

struct Diff {
    std::vector<Change> changes;
    Renames applied;  // the hinted renames that took effect (old name existed, new did not)

    bool empty() const { return changes.empty(); }
    // Hints that undo this diff's renames: for the reverse diff (the rollback).
    Renames inverse() const;
};

// A hint "old → new" takes effect when `from` has old and not new, and `to` does
// not declare old again. It is a no-op once applied (`from` has new and not old,
// or has both while `to` declares old again). Any other hint throws InputError at
// the hint, all problems at once: nothing to rename, the new name taken, the old
// name declared again, two hints naming one source, hints that chain or swap.
Diff diff(const Schema& from, const Schema& to, const Renames& hints);

// `from` as it reads after the renames (what SQLite's RENAME rewrites).
Schema apply_renames(const Schema& from, const Renames& renames);

// A short human description ("+ table users", "~ column users.email: NOT NULL added").
std::string describe(const Change& c);
std::string describe(const TableChange& c, const Table& table);

// What a change does, as its line's symbol says it: the symbol is `char(verb)`.
enum class Verb : char { add = '+', drop = '-', change = '~', rename = '>' };
Verb verb_of(const Change& c);
Verb verb_of(const TableChange& c);
// The object a change is about, under its new name.
Ident object_of(const Change& c);

}  // namespace schema

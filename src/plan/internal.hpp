// Shared between the planner's files; not part of the public interface.
#pragma once

#include <functional>
#include <set>

#include "schema/plan.hpp"

namespace schema::plan_detail {

// How a table's live name and column names read before this plan's renames,
// so that prechecks (run on the live database) can name them.
struct LiveNames {
    Ident table;                           // live name
    std::map<std::string, Ident> columns;  // new column key → live column name (renamed ones only)
    const Table* from = nullptr;           // the table before (renames applied)
    const Table* to = nullptr;             // and as declared

    // "<source> AS alias": the live rows as the declared table will hold them
    // (a subquery where columns are renamed, added with their DEFAULT, or
    // compared under a new collation).
    std::string source_sql(const std::string& alias) const;
    bool computable(const Expr& e) const;
};

// The live names of a table by its declared name; nullopt when the live
// database does not have it (a new table: no rows).
using LiveNamesOf = std::function<std::optional<LiveNames>(const Ident&)>;

// One table of a rebuild: its definition before (live, renames applied) and after.
struct Rebuild {
    const Table* from = nullptr;
    const Table* to = nullptr;
    Ident temp;                        // the name it is built under
    std::vector<std::string> reasons;  // why (for the reviewer)
    bool lossy_copy = false;           // skip rows that violate new constraints
    bool carry_loss = false;           // apply ON DELETE for rows its rebuilt parents leave out
};

// SQLite's rebuild procedure for the tables in `rebuilds` (parents before
// children), with foreign keys between them retargeted to the new tables so that
// no ON DELETE action fires and no row is lost even with foreign keys on.
// `from` is the live schema (renames applied): the old tables go in drop_order.
// `to` supplies the parents of new foreign keys (lossy copies delete orphans).
// `amid` (dropped tables only rebuilt tables reference) runs once every row is
// copied, before the old tables go. Why the steps cannot run with foreign keys
// on, if so, goes to `keys_off_because`.
void emit_rebuilds(const std::vector<Rebuild>& rebuilds, const Schema& from, const Schema& to, std::vector<Step> amid,
                   std::vector<Step>& out, std::vector<std::string>& keys_off_because);

// "CASCADE", "SET NULL" or "SET DEFAULT": an ON DELETE action that changes rows; else null.
const char* row_changing_action(FkAction a);

// The order to drop tables of `s` in (drop_order.cpp): `preferred` (children
// first) where SQLite can prepare each DROP with foreign keys on; else the first
// order found that it can (tables in a cycle with ON DELETE actions); else
// `preferred`, and why to `keys_off_because`.
std::vector<const Table*> drop_order(const Schema& s, const std::vector<const Table*>& preferred,
                                     std::vector<std::string>& keys_off_because);

// Tables of `order` (dropped in that order) that SQLite refuses to drop with
// foreign keys on while rows reference them: a table dropped after (or the table
// itself) references them ON DELETE RESTRICT, or ON DELETE SET NULL / SET DEFAULT
// through a NOT NULL column. Each with why.
struct KeysOnBlocker {
    Ident table;
    std::string why;
};
std::vector<KeysOnBlocker> keys_on_blockers(const std::vector<const Table*>& order);

// Prechecks for the constraints a change of table m adds (ALTERed or rebuilt).
void add_prechecks(const ModifyTable& m, const LiveNames& live, const LiveNamesOf& live_of,
                   std::vector<Precheck>& out);
// The precheck of a unique index created on a table that has rows (nothing
// for a non-unique one).
void add_index_precheck(const Index& i, const LiveNames& live, std::vector<Precheck>& out);
// Whether a key over `cols` compares differently after m: a plain column of
// it without its own COLLATE changes its collation.
bool key_recollated(const ModifyTable& m, const std::vector<IndexedColumn>& cols);

// How copying column `from` of `from_table` into column `to` of `to_table` may
// change stored values (another type affinity), or nullopt when it cannot.
// The live names are left for the caller.
std::optional<Conversion> conversion_loss(const Table& from_table, const Column& from, const Table& to_table,
                                          const Column& to);

// A DEFAULT that ALTER TABLE ... ADD COLUMN accepts on a table with rows.
bool is_constant_default(const Expr& e);
// A constant DEFAULT whose value is NULL: NULL, (NULL), -NULL, CAST(NULL AS INT).
bool is_null_default(const Expr& e);
// NULL itself, in any number of parentheses: the only default SQLite takes for
// "no default" (a NOT NULL column needs another; a REFERENCES column this one).
bool is_null_literal(const Expr& e);

}  // namespace schema::plan_detail

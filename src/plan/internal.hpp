// Shared between the planner's files; not part of the public interface.
#pragma once

#include <set>

#include "schema/plan.hpp"

namespace schema::plan_detail {

// How a table's live name and column names read before this plan's renames,
// so that prechecks (run on the live database) can name them.
struct LiveNames {
    Ident table;                                // live name
    std::map<std::string, Ident> columns;       // new column key → live column name (renamed ones only)

    // "<source> AS alias": the live table as it reads after the renames (a
    // subquery that renames its columns where needed).
    std::string source_sql(const Table& mapped, const std::string& alias) const;
};

// One table of a rebuild: its definition before (live, renames applied) and after.
struct Rebuild {
    const Table* from = nullptr;
    const Table* to = nullptr;
    Ident temp;                        // the name it is built under
    std::vector<std::string> reasons;  // why (for the reviewer)
    bool lossy_copy = false;           // skip rows that violate new constraints
};

// SQLite's rebuild procedure for the tables in `rebuilds` (parents before
// children), with foreign keys between them retargeted to the new tables so that
// no ON DELETE action fires and no row is lost even with foreign keys on.
void emit_rebuilds(const std::vector<Rebuild>& rebuilds, std::vector<Step>& out);

// Prechecks for the narrowing changes of a rebuilt table.
void add_prechecks(const ModifyTable& m, const LiveNames& live, const Schema& to, std::vector<Precheck>& out);

// Why copying column `from` of `from_table` into column `to` of `to_table`
// changes stored values (another type affinity), or nullopt when it cannot.
std::optional<std::string> conversion_loss(const Table& from_table, const Column& from, const Table& to_table,
                                           const Column& to);

// A DEFAULT that ALTER TABLE ... ADD COLUMN accepts on a table with rows.
bool is_constant_default(const Expr& e);
// A constant DEFAULT whose value is NULL: NULL, (NULL), -NULL, CAST(NULL AS INT).
bool is_null_default(const Expr& e);
// NULL itself, in any number of parentheses: the only default SQLite takes for
// "no default" (a NOT NULL column needs another; a REFERENCES column this one).
bool is_null_literal(const Expr& e);

}  // namespace schema::plan_detail

// SQLite's procedure for schema changes ALTER TABLE cannot make
// (https://sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema
// Changes"), for several tables at once:
//
//   1. foreign keys off, BEGIN                      (the runner, outside the file)
//   2. dependent views and triggers dropped          (make_plan, before)
//   3. CREATE TABLE new_X with the declared definition, for every X before any
//      row moves; a FOREIGN KEY to another table of the same rebuild points at
//      that table's new_ name
//   4. INSERT INTO new_X (...) SELECT ... FROM X     (every row, rowids kept)
//   5. the AUTOINCREMENT counter of X carried over to new_X
//   6. DROP TABLE X, children before parents
//   7. ALTER TABLE new_X RENAME TO X, which also rewrites the foreign keys that
//      point at new_X back to X
//   8. indexes, views and triggers recreated        (make_plan, after)
//   9. PRAGMA foreign_key_check, COMMIT, foreign keys restored (the runner)
//
// Why the retargeting: with foreign keys on (as on D1, where they cannot be
// switched off), DROP TABLE X deletes X's rows first and fires the ON DELETE
// actions of every table that references X. Children rebuilt in the same
// migration reference new_X by then, so nothing references X when it goes.
//
// Why every new_ table exists before the first copy: with foreign keys on, SQLite
// refuses to prepare an INSERT into a table whose parent table does not exist
// ("no such table", whether or not a row would be copied). Tables that reference
// each other (teams.owner_id -> users, users.team_id -> teams) have no order in
// which each new_ table's parents come first; created all at once, they need none.
#include <fmt/format.h>

#include <map>

#include "internal.hpp"

namespace schema::plan_detail {

namespace {

// How SQL can name a table's rowid: its INTEGER PRIMARY KEY column, else the
// first of rowid, _rowid_, oid that no column shadows; empty when all three are
// columns (the rowid cannot be read then) or the table is WITHOUT ROWID.
std::string rowid_name(const Table& t) {
    if (!t.has_rowid()) return {};
    if (const Column* alias = t.rowid_alias()) return alias->name.sql();
    for (const char* n : {"rowid", "_rowid_", "oid"})
        if (!t.column(Ident(n))) return n;  // bare: a quoted "rowid" could read as a string
    return {};
}

// One column of the copy: where a value goes in the new table, and the
// expression on the old table it comes from.
struct CopiedColumn {
    std::string target, source;
};

// What the INSERT ... SELECT of a rebuild copies: every stored column that both
// tables have, and the rowid, so that rows keep their rowids (other tables,
// FTS indexes and applications may hold them). When the new table's INTEGER
// PRIMARY KEY is a new column, it takes the old rowids: the rows must not be
// renumbered. When it is an old column, its values are the rowids, as declared.
std::vector<CopiedColumn> copied_columns(const Table& from, const Table& to) {
    std::vector<CopiedColumn> out;
    for (const auto& c : to.columns)
        if (!c.generated && from.column(c.name)) out.push_back({c.name.sql(), c.name.sql()});
    const Column* new_alias = to.rowid_alias();
    if (new_alias && from.column(new_alias->name)) return out;  // its values become the rowids
    const std::string source = rowid_name(from), target = rowid_name(to);
    if (!source.empty() && !target.empty()) out.insert(out.begin(), {target, source});
    return out;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
    return out;
}

// The AUTOINCREMENT counter of the new table: the old table's, or the highest id
// copied when that is higher (the old table had no counter, or its ids were
// not the rowids before). Set after the copy, which has already set one.
std::string counter_sql(const Table& from, const Table& to, const Ident& temp) {
    return fmt::format(
        "INSERT INTO sqlite_sequence (name, seq)\n"
        "  SELECT {0}, seq FROM (SELECT max(seq) AS seq FROM (\n"
        "    SELECT seq FROM sqlite_sequence WHERE name = {1} COLLATE NOCASE\n"
        "    UNION ALL SELECT max({2}) FROM {3}))\n"
        "  WHERE seq IS NOT NULL",
        quote_string(temp.name()), quote_string(from.name.name()), to.rowid_alias()->name.sql(), temp.sql());
}

// The columns of `parent` that `fk` references (its primary key when the
// REFERENCES clause names none); empty when they do not line up.
std::vector<Ident> referenced_columns(const ForeignKey& fk, const Table& parent) {
    std::vector<Ident> cols = fk.parent_columns;
    if (cols.empty() && parent.primary_key)
        for (const auto& c : parent.primary_key->columns)
            if (c.column) cols.push_back(*c.column);
    if (cols.empty() && parent.has_rowid()) cols.push_back(Ident("rowid"));
    return cols.size() == fk.columns.size() ? cols : std::vector<Ident>{};
}

// "a row of `parent` (alias p) is the one the row of `child` references".
std::string references_sql(const ForeignKey& fk, const std::vector<Ident>& parent_cols, const std::string& child) {
    std::string match;
    for (std::size_t i = 0; i < fk.columns.size(); ++i)
        match += fmt::format("{}p.{} = {}.{}", i ? " AND " : "", parent_cols[i].sql(), child, fk.columns[i].sql());
    return match;
}

std::string not_null_sql(const ForeignKey& fk, const std::string& child) {
    std::string s;
    for (const auto& c : fk.columns) s += fmt::format("{}{}.{} IS NOT NULL", s.empty() ? "" : " AND ", child, c.sql());
    return s;
}

std::string join_names(const std::vector<Ident>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n.sql();
    return s;
}

bool existed_before(const ForeignKey& fk, const Table& from) {
    for (const auto& old : from.foreign_keys)
        if (old.parent == fk.parent && old.columns == fk.columns) return true;
    return false;
}

bool has_columns(const Table& t, const std::vector<Ident>& cols) {
    for (const auto& c : cols)
        if (!t.column(c) && !(c.key() == Ident("rowid").key() && t.has_rowid())) return false;
    return true;
}

// The statement that carries the rows a parent of the same rebuild left out to
// a child, as the child's foreign key says ON DELETE: its rows that referenced
// a row of the old parent missing from the new one are deleted (CASCADE) or
// set (SET NULL, SET DEFAULT). nullopt for NO ACTION and RESTRICT: those
// orphans stay, and the data trial refuses the plan with their count.
struct CarriedLoss {
    std::string sql, note;
    RowLoss loss;
};

std::optional<CarriedLoss> carried_loss(const Rebuild& child, const ForeignKey& declared, const ForeignKey& retargeted,
                                        const Rebuild& parent) {
    const auto cols = referenced_columns(declared, *parent.to);
    if (cols.empty() || !has_columns(*parent.from, cols)) return std::nullopt;
    const std::string temp = child.temp.sql();
    const std::string lost_parent = fmt::format(
        "{0} AND EXISTS (SELECT 1 FROM {1} AS p WHERE {3}) AND NOT EXISTS (SELECT 1 FROM {2} AS p WHERE {3})",
        not_null_sql(declared, temp), parent.from->name.sql(), retargeted.parent.sql(),
        references_sql(declared, cols, temp));
    const std::string why = fmt::format("referenced rows of {} that are left out (ON DELETE {})",
                                        parent.to->name.sql(), declared.on_delete == FkAction::cascade ? "CASCADE"
                                                                : declared.on_delete == FkAction::set_null
                                                                    ? "SET NULL"
                                                                    : "SET DEFAULT");
    std::string assignments;
    for (const auto& c : declared.columns) {
        const Column* col = child.to->column(c);
        std::string value = declared.on_delete == FkAction::set_default && col && col->default_value
                                ? "(" + col->default_value->sql() + ")"
                                : "NULL";
        assignments += fmt::format("{}{} = {}", assignments.empty() ? "" : ", ", c.sql(), value);
    }
    switch (declared.on_delete) {
        case FkAction::cascade:
            return CarriedLoss{fmt::format("DELETE FROM {} WHERE {}", temp, lost_parent),
                               fmt::format("rows that {} are deleted", why),
                               RowLoss{child.to->name, "deleted: they " + why, {}}};
        case FkAction::set_null:
        case FkAction::set_default:
            return CarriedLoss{fmt::format("UPDATE {} SET {} WHERE {}", temp, assignments, lost_parent),
                               fmt::format("rows that {} have {} set", why, join_names(declared.columns)),
                               RowLoss{child.to->name,
                                       fmt::format("changed: {} set {}, they {}", join_names(declared.columns),
                                                   declared.on_delete == FkAction::set_null ? "to NULL"
                                                                                            : "to its DEFAULT",
                                                   why),
                                       {}}};
        default: return std::nullopt;
    }
}

// The definition new_X is created with: its foreign keys to tables of this
// rebuild point at their new_ names. `touches` gets those tables.
Table retargeted(const Table& to, const std::map<std::string, Ident>& temp_of, std::vector<ObjectKey>& touches) {
    Table def = to;
    for (auto& fk : def.foreign_keys)
        if (auto it = temp_of.find(fk.parent.key()); it != temp_of.end()) {
            fk.parent = it->second;
            touches.push_back(relation_key(Ident(it->first)));
        }
    return def;
}

}  // namespace

void emit_rebuilds(const std::vector<Rebuild>& rebuilds, const Schema& from_schema, const Schema& to_schema,
                   std::vector<Step> amid, std::vector<Step>& out, std::vector<std::string>& keys_off_because) {
    std::map<std::string, Ident> temp_of;
    std::map<std::string, std::size_t> position;  // table key → its place in `rebuilds`
    for (std::size_t i = 0; i < rebuilds.size(); ++i) {
        temp_of.emplace(rebuilds[i].to->name.key(), rebuilds[i].temp);
        position.emplace(rebuilds[i].to->name.key(), i);
    }

    // The steps of one table touch it and the tables of this rebuild it references.
    std::vector<std::vector<ObjectKey>> touches_of;
    std::vector<Table> defs;  // as created: foreign keys retargeted
    for (const auto& r : rebuilds) {
        std::vector<ObjectKey> touches{relation_key(r.to->name)};
        Table def = retargeted(*r.to, temp_of, touches);
        out.push_back({create_sql_as(*r.to, r.temp, temp_of),
                       fmt::format("rebuild {}: {}\nbuild it anew as {}", r.to->name.sql(), join(r.reasons, "; "),
                                   r.temp.sql()),
                       r.to->pos, false, touches, std::nullopt});
        touches_of.push_back(std::move(touches));
        defs.push_back(std::move(def));
    }

    for (std::size_t index = 0; index < rebuilds.size(); ++index) {
        const Rebuild& r = rebuilds[index];
        const Table& to = *r.to;
        const Table& from = *r.from;
        const std::string temp = r.temp.sql();
        const std::vector<ObjectKey>& touches = touches_of[index];
        auto add = [&](std::string sql, std::string note, bool destructive = false,
                       std::optional<RowLoss> loss = std::nullopt) {
            out.push_back({std::move(sql), std::move(note), to.pos, destructive, touches, std::move(loss)});
        };
        const Table& def = defs[index];

        auto copied = copied_columns(from, to);
        if (!copied.empty()) {
            std::vector<std::string> targets, sources;
            for (const auto& c : copied) {
                targets.push_back(c.target);
                sources.push_back(c.source);
            }
            add(fmt::format("INSERT {}INTO {} ({})\n  SELECT {} FROM {}", r.lossy_copy ? "OR IGNORE " : "", temp,
                            join(targets, ", "), join(sources, ", "), from.name.sql()),
                r.lossy_copy ? "rows that violate the new constraints are skipped"
                             : fmt::format("copy every row of {} into {}", to.name.sql(), temp),
                r.lossy_copy,
                r.lossy_copy ? std::optional<RowLoss>(RowLoss{to.name, "not copied: they violate its new constraints",
                                                              from.name.sql()})
                             : std::nullopt);
        }
        for (const auto& fk : def.foreign_keys) {
            const ForeignKey& declared = to.foreign_keys[&fk - def.foreign_keys.data()];
            auto p = position.find(declared.parent.key());
            if (p != position.end() && p->second > index) continue;  // a parent not copied yet (a cycle)
            if (r.lossy_copy && !existed_before(declared, from)) {
                // A new foreign key: rows whose parent row does not exist are left out.
                const Table* parent = to_schema.table(declared.parent);
                auto parent_cols = parent ? referenced_columns(declared, *parent) : std::vector<Ident>{};
                if (parent_cols.empty()) continue;
                add(fmt::format("DELETE FROM {0} WHERE {1} AND NOT EXISTS (SELECT 1 FROM {2} AS p WHERE {3})", temp,
                                not_null_sql(fk, temp), fk.parent.sql(), references_sql(fk, parent_cols, temp)),
                    fmt::format("rows whose new FOREIGN KEY ({}) has no row in {} are left out",
                                join_names(fk.columns), declared.parent.sql()),
                    true,
                    RowLoss{to.name, fmt::format("not copied: their new FOREIGN KEY ({}) has no row in {}",
                                                 join_names(declared.columns), declared.parent.sql()),
                            {}});
                continue;
            }
            // An existing reference to a table of this rebuild that left rows out:
            // the loss goes on as the foreign key's ON DELETE says (copied
            // parents only: rebuilds come parents first).
            if (!r.carry_loss || p == position.end()) continue;
            if (auto carried = carried_loss(r, declared, fk, rebuilds[p->second]))
                add(std::move(carried->sql), std::move(carried->note), true, std::move(carried->loss));
        }
        if (to.autoincrement()) {
            add(fmt::format("DELETE FROM sqlite_sequence WHERE name = {}", quote_string(r.temp.name())),
                "keep the AUTOINCREMENT counter: ids of deleted rows must not come back");
            add(counter_sql(from, to, r.temp), "");
        } else if (from.autoincrement()) {
            // Removing AUTOINCREMENT: a counter above the highest id (ids of deleted
            // rows) goes with the new table (DROP TABLE deletes the old table's,
            // RENAME carries this one), so the rollback that adds AUTOINCREMENT back
            // restores it. SQLite ignores it meanwhile. At the highest id it is left
            // to go: the rollback sets it there again.
            const std::string rowid = rowid_name(to);
            add(fmt::format("UPDATE sqlite_sequence SET name = {} WHERE name = {} COLLATE NOCASE{}",
                            quote_string(r.temp.name()), quote_string(from.name.name()),
                            rowid.empty() ? ""
                                          : fmt::format(" AND seq > (SELECT coalesce(max({}), 0) FROM {})", rowid,
                                                        r.temp.sql())),
                "keep an AUTOINCREMENT counter above the highest id for a rollback (SQLite ignores it meanwhile)");
        }
    }
    for (auto& s : amid) out.push_back(std::move(s));
    // The old tables, children first, or where they form a cycle with ON DELETE
    // actions, in an order SQLite can prepare with foreign keys on (D1).
    std::vector<const Table*> children_first;
    std::map<const Table*, const Rebuild*> rebuild_of;
    for (auto it = rebuilds.rbegin(); it != rebuilds.rend(); ++it) {
        children_first.push_back(it->from);
        rebuild_of[it->from] = &*it;
    }
    bool first = true;
    const auto old_order = drop_order(from_schema, children_first, keys_off_because);
    for (const auto& b : keys_on_blockers(old_order)) keys_off_because.push_back(b.why);
    for (const Table* old : old_order) {
        const Rebuild& r = *rebuild_of.at(old);
        out.push_back({"DROP TABLE " + old->name.sql(),
                       !first                 ? ""
                       : rebuilds.size() == 1 ? "replace the old table"
                                              : "replace the old tables (children first)",
                       r.to->pos, false,
                       {relation_key(r.to->name)},
                       {}});
        first = false;
    }
    for (std::size_t i = 0; i < rebuilds.size(); ++i)
        out.push_back({fmt::format("ALTER TABLE {} RENAME TO {}", rebuilds[i].temp.sql(), rebuilds[i].to->name.sql()),
                       i != 0                 ? ""
                       : rebuilds.size() == 1 ? "give the new table its name"
                                              : "give the new tables their names (SQLite rewrites the foreign keys "
                                                "that point at them)",
                       rebuilds[i].to->pos, false, {relation_key(rebuilds[i].to->name)}, {}});
}

}  // namespace schema::plan_detail

// SQLite's procedure for schema changes ALTER TABLE cannot make
// (https://sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema
// Changes"), for several tables at once:
//
//   1. foreign keys off, BEGIN                      (the runner, outside the file)
//   2. dependent views and triggers dropped          (make_plan, before)
//   3. CREATE TABLE new_X with the declared definition; a FOREIGN KEY to another
//      table of the same rebuild points at that table's new_ name
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

}  // namespace

void emit_rebuilds(const std::vector<Rebuild>& rebuilds, std::vector<Step>& out) {
    std::map<std::string, Ident> temp_of;
    for (const auto& r : rebuilds) temp_of.emplace(r.to->name.key(), r.temp);

    for (const auto& r : rebuilds) {
        const Table& to = *r.to;
        const Table& from = *r.from;
        const std::string name = to.name.sql();
        const std::string temp = r.temp.sql();

        // The steps of one table touch it and the tables of this rebuild it references.
        std::vector<std::string> touches{relation_key(to.name)};
        Table def = to;
        for (auto& fk : def.foreign_keys)
            if (auto it = temp_of.find(fk.parent.key()); it != temp_of.end()) {
                fk.parent = it->second;
                touches.push_back(relation_key(Ident(it->first)));
            }
        auto add = [&](std::string sql, std::string note, bool destructive = false) {
            out.push_back({std::move(sql), std::move(note), to.pos, destructive, touches});
        };

        add(create_sql(def, &r.temp), fmt::format("rebuild {}: {}\nbuild it anew as {}, then copy every row", name,
                                                  join(r.reasons, "; "), temp));

        auto copied = copied_columns(from, to);
        if (!copied.empty()) {
            std::vector<std::string> targets, sources;
            for (const auto& c : copied) {
                targets.push_back(c.target);
                sources.push_back(c.source);
            }
            add(fmt::format("INSERT {}INTO {} ({})\n  SELECT {} FROM {}", r.lossy_copy ? "OR IGNORE " : "", temp,
                            join(targets, ", "), join(sources, ", "), from.name.sql()),
                r.lossy_copy ? "rows that violate the new constraints are skipped" : "", r.lossy_copy);
        }
        if (r.lossy_copy && !to.foreign_keys.empty() && to.has_rowid())
            add(fmt::format("DELETE FROM {} WHERE rowid IN (SELECT rowid FROM pragma_foreign_key_check({}))", temp,
                            quote_string(r.temp.name())),
                "rows whose new foreign keys have no parent are dropped", true);
        if (to.autoincrement()) {
            add(fmt::format("DELETE FROM sqlite_sequence WHERE name = {}", quote_string(r.temp.name())),
                "keep the AUTOINCREMENT counter: ids of deleted rows must not come back");
            add(counter_sql(from, to, r.temp), "");
        }
    }
    for (auto it = rebuilds.rbegin(); it != rebuilds.rend(); ++it)
        out.push_back({"DROP TABLE " + it->from->name.sql(),
                       it != rebuilds.rbegin()  ? ""
                       : rebuilds.size() == 1 ? "replace the old table"
                                              : "replace the old tables (children first)",
                       it->to->pos, false,
                       {relation_key(it->to->name)}});
    for (std::size_t i = 0; i < rebuilds.size(); ++i)
        out.push_back({fmt::format("ALTER TABLE {} RENAME TO {}", rebuilds[i].temp.sql(), rebuilds[i].to->name.sql()),
                       i != 0                 ? ""
                       : rebuilds.size() == 1 ? "give the new table its name"
                                              : "give the new tables their names (SQLite rewrites the foreign keys "
                                                "that point at them)",
                       rebuilds[i].to->pos, false, {relation_key(rebuilds[i].to->name)}});
}

}  // namespace schema::plan_detail

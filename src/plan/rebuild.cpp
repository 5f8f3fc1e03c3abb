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

// A name for the rowid that no column of `a` or `b` shadows, or empty.
std::string rowid_name(const Table& a, const Table& b) {
    for (const char* n : {"rowid", "_rowid_", "oid"})
        if (!a.column(Ident(n)) && !b.column(Ident(n))) return n;
    return {};
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
    return out;
}

// The definition new_X is created with: its foreign keys to tables of this
// rebuild point at their new_ names. `touches` gets those tables.
Table retargeted(const Table& to, const std::map<std::string, Ident>& temp_of, std::vector<std::string>& touches) {
    Table def = to;
    for (auto& fk : def.foreign_keys)
        if (auto it = temp_of.find(fk.parent.key()); it != temp_of.end()) {
            fk.parent = it->second;
            touches.push_back(relation_key(Ident(it->first)));
        }
    return def;
}

}  // namespace

void emit_rebuilds(const std::vector<Rebuild>& rebuilds, std::vector<Step>& out) {
    std::map<std::string, Ident> temp_of;
    for (const auto& r : rebuilds) temp_of.emplace(r.to->name.key(), r.temp);

    // The steps of one table touch it and the tables of this rebuild it references.
    std::vector<std::vector<std::string>> touches_of;
    for (const auto& r : rebuilds) {
        std::vector<std::string> touches{relation_key(r.to->name)};
        Table def = retargeted(*r.to, temp_of, touches);
        out.push_back({create_sql(def, &r.temp),
                       fmt::format("rebuild {}: {}\nbuild it anew as {}", r.to->name.sql(), join(r.reasons, "; "),
                                   r.temp.sql()),
                       r.to->pos, false, touches});
        touches_of.push_back(std::move(touches));
    }

    for (std::size_t i = 0; i < rebuilds.size(); ++i) {
        const Rebuild& r = rebuilds[i];
        const Table& to = *r.to;
        const Table& from = *r.from;
        const std::string temp = r.temp.sql();
        const std::vector<std::string>& touches = touches_of[i];
        auto add = [&](std::string sql, std::string note, bool destructive = false) {
            out.push_back({std::move(sql), std::move(note), to.pos, destructive, touches});
        };

        std::vector<std::string> cols;
        for (const auto& c : to.columns)
            if (!c.generated && from.column(c.name)) cols.push_back(c.name.sql());
        std::string rowid;
        if (from.has_rowid() && to.has_rowid() && !to.rowid_alias()) rowid = rowid_name(from, to);
        std::vector<std::string> targets = cols;
        if (!rowid.empty()) targets.insert(targets.begin(), rowid);
        if (!targets.empty()) {
            std::string list = join(targets, ", ");
            add(fmt::format("INSERT {}INTO {} ({})\n  SELECT {} FROM {}", r.lossy_copy ? "OR IGNORE " : "", temp, list,
                            list, from.name.sql()),
                r.lossy_copy ? "rows that violate the new constraints are skipped"
                             : fmt::format("copy every row of {} into {}", to.name.sql(), temp),
                r.lossy_copy);
        }
        if (r.lossy_copy && !to.foreign_keys.empty() && to.has_rowid())
            add(fmt::format("DELETE FROM {} WHERE rowid IN (SELECT rowid FROM pragma_foreign_key_check({}))", temp,
                            quote_string(r.temp.name())),
                "rows whose new foreign keys have no parent are dropped", true);
        if (to.autoincrement()) {
            add(fmt::format("DELETE FROM sqlite_sequence WHERE name = {}", quote_string(r.temp.name())),
                "keep the AUTOINCREMENT counter: ids of deleted rows must not come back");
            add(fmt::format("INSERT INTO sqlite_sequence (name, seq)\n  SELECT {}, seq FROM sqlite_sequence WHERE "
                            "name = {} COLLATE NOCASE",
                            quote_string(r.temp.name()), quote_string(from.name.name())),
                "");
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

// What a migration does to the rows of the live database, found before
// anything is written: the prechecks counted on the live tables, and the lossy
// plan (--allow-data-loss) run on a copy of the rows it touches, so that its
// data-loss list gives exact counts and a loss it cannot carry is refused.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "schema/verify.hpp"

namespace schema {

namespace {

bool has_table(sqlite::Database& db, const std::string& schema_name, const Ident& table) {
    auto st = db.prepare(fmt::format("SELECT 1 FROM {}.sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
                                     sqlite::quote(schema_name)));
    st.bind(1, table.name());
    return st.step();
}

std::string live_file(sqlite::Database& live) {
    const char* name = sqlite3_db_filename(live.get(), "main");
    return name ? name : "";
}

// The tables whose rows the lossy plan reads: those it touches, and the parents
// they reference (the foreign-key check at the end needs their rows).
Scope rows_scope(const Diff& d, const Plan& up, const Schema& from) {
    Scope scope = scope_of(d, up, from);
    std::set<std::string> parents;
    for (const auto& key : scope.relations)
        if (auto it = from.tables.find(key); it != from.tables.end())
            for (const auto& fk : it->second.foreign_keys)
                if (from.table(fk.parent)) parents.insert(fk.parent.key());
    scope.relations.insert(parents.begin(), parents.end());
    return scope;
}

// Copies the live rows of every table of `shadow` into it, rowids kept, before
// the shadow's triggers exist (a copy is not an insert a trigger should see).
void copy_live_rows(sqlite::Database& shadow, const Schema& part, const std::string& live_path) {
    auto attach = shadow.prepare("ATTACH ?1 AS live");
    attach.bind(1, live_path);
    attach.step();
    for (const auto& [key, t] : part.tables) {
        if (!has_table(shadow, "live", t.name)) continue;  // comes with a pending migration: no rows yet
        std::set<std::string> live_columns;
        auto cols = shadow.prepare("SELECT name FROM pragma_table_xinfo(?1, 'live') WHERE hidden IN (0, 1)");
        cols.bind(1, t.name.name());
        while (cols.step()) live_columns.insert(Ident(cols.text(0)).key());
        // The rowid too, unless a column aliases or shadows it.
        std::string list = t.has_rowid() && !t.rowid_alias() && !t.column(Ident("rowid")) ? "rowid" : "";
        for (const auto& c : t.columns)
            if (!c.generated && live_columns.count(c.name.key())) list += (list.empty() ? "" : ", ") + c.name.sql();
        if (list.empty()) continue;
        shadow.exec(fmt::format("INSERT INTO main.{0} ({1}) SELECT {1} FROM live.{0}", t.name.sql(), list));
    }
    shadow.exec("DETACH live");
}

// The rows left referencing nothing after the plan ran: "child → parent: n".
std::vector<std::string> orphans(sqlite::Database& db) {
    std::vector<std::string> out;
    auto st = db.prepare("SELECT \"table\", parent, count(*) FROM pragma_foreign_key_check GROUP BY 1, 2 ORDER BY 1, 2");
    while (st.step()) {
        std::int64_t n = st.integer(2);
        out.push_back(fmt::format("{}: {} row{} would reference rows of {} that are not there (its foreign key says "
                                  "ON DELETE NO ACTION or RESTRICT, or the rows had no parent before)",
                                  Ident(st.text(0)).sql(), n, n == 1 ? "" : "s", Ident(st.text(1)).sql()));
    }
    return out;
}

}  // namespace

std::vector<Violation> count_violations(sqlite::Database& live, const Plan& plan) {
    std::vector<Violation> out;
    for (const auto& pc : plan.prechecks) {
        if (!has_table(live, "main", pc.live_table)) continue;  // comes with a pending migration: no rows yet
        try {
            if (std::int64_t n = live.query_int(pc.count_sql); n > 0) out.push_back({pc, n});
        } catch (const sqlite::Error& e) {
            throw PrecheckError(fmt::format("cannot check {} against the rows of {}: {}", pc.description,
                                            live_file(live), e.what()));
        }
    }
    return out;
}

namespace {

bool has_column(sqlite::Database& db, const Ident& table, const Ident& column) {
    auto st = db.prepare("SELECT 1 FROM pragma_table_xinfo(?1, 'main') WHERE name = ?2 COLLATE NOCASE");
    st.bind(1, table.name());
    st.bind(2, column.name());
    return st.step();
}

// How many stored values of a column change under `affinity`. SQLite applies it
// itself: each value goes into a column of that affinity beside an untyped copy.
// A conversion always changes the storage class ('007' text to 7 integer, 3.0
// real to 3 integer, 7 integer to '7' text), so comparing typeof() is exact.
std::int64_t count_converted(sqlite::Database& live, const Conversion& c) {
    live.exec("DROP TABLE IF EXISTS temp.schema_affinity_probe");
    live.exec(fmt::format("CREATE TEMP TABLE schema_affinity_probe (stored, converted {})", c.affinity));
    std::int64_t n = 0;
    try {
        live.exec(fmt::format("INSERT INTO temp.schema_affinity_probe SELECT {0}, {0} FROM main.{1}",
                              c.live_column.sql(), c.live_table.sql()));
        n = live.query_int("SELECT count(*) FROM temp.schema_affinity_probe WHERE typeof(stored) <> typeof(converted)");
    } catch (...) {
        live.exec("DROP TABLE temp.schema_affinity_probe");
        throw;
    }
    live.exec("DROP TABLE temp.schema_affinity_probe");
    return n;
}

}  // namespace

void count_conversions(sqlite::Database& live, Plan& plan) {
    std::vector<Conversion> kept;
    for (auto& c : plan.conversions) {
        auto line = std::find(plan.data_loss.begin(), plan.data_loss.end(), c.describe());
        if (c.live_table.name().empty() || line == plan.data_loss.end() || !has_table(live, "main", c.live_table) ||
            !has_column(live, c.live_table, c.live_column)) {
            kept.push_back(std::move(c));  // no live rows to count: stays listed as it may convert
            continue;
        }
        std::int64_t n = 0;
        try {
            n = count_converted(live, c);
        } catch (const sqlite::Error& e) {
            throw PrecheckError(fmt::format("cannot count the values of column {} that its new type converts, in {}: {}",
                                            c.column, live_file(live), e.what()));
        }
        if (n == 0) {
            plan.data_loss.erase(line);
            continue;
        }
        *line = c.describe(n);
        kept.push_back(std::move(c));
    }
    plan.conversions = std::move(kept);
}

Plan plan_skipping_violations(const Diff& d, const Schema& from, const Schema& to, sqlite::Database& live) {
    Plan plan = make_plan(d, from, to, PlanOptions{true});
    // Run even when no statement leaves rows out: a violation only a rebuild
    // can skip (a new unique index, ALTER TABLE ADD COLUMN) must fail here,
    // not in the written file.
    const Scope scope = rows_scope(d, plan, from);
    Scope without_triggers = scope;
    without_triggers.triggers.clear();
    const Schema part = restrict_to(from, scope);
    auto shadow = build_shadow(part, &without_triggers);
    copy_live_rows(shadow, part, live_file(live));
    for (const auto& [key, t] : part.triggers) shadow.exec(create_sql(t));

    // Run it as the runner does (foreign keys off, one transaction), counting
    // what each lossy statement leaves out or changes.
    shadow.exec("PRAGMA foreign_keys = OFF");
    shadow.exec("BEGIN");
    std::map<std::string, std::int64_t> counted;  // uncounted line → rows
    for (const auto& s : plan.steps) {
        std::int64_t before = 0;
        if (s.loss && !s.loss->copied_from.empty())
            before = shadow.query_int("SELECT count(*) FROM " + s.loss->copied_from);
        try {
            shadow.exec(s.sql);
        } catch (const sqlite::Error& e) {
            throw DataLossRefused({fmt::format("on the rows of {}, even leaving out the rows that violate the new "
                                               "constraints, this statement fails: {}\n    {}",
                                               live_file(live), e.what(), s.sql)});
        }
        if (!s.loss) continue;
        std::int64_t changed = sqlite3_changes64(shadow.get());
        counted[describe(*s.loss)] += s.loss->copied_from.empty() ? changed : before - changed;
    }
    if (auto left = orphans(shadow); !left.empty()) throw DataLossRefused(std::move(left));
    shadow.exec("ROLLBACK");

    // The uncounted lines make_plan listed become counted ones (none for nothing lost).
    std::vector<std::string> data_loss;
    for (const auto& l : plan.data_loss)
        if (!counted.count(l)) data_loss.push_back(l);
    for (const auto& s : plan.steps) {
        if (!s.loss) continue;
        auto it = counted.find(describe(*s.loss));
        if (it == counted.end()) continue;
        if (it->second > 0) data_loss.push_back(describe(*s.loss, it->second));
        counted.erase(it);
    }
    plan.data_loss = std::move(data_loss);
    return plan;
}

}  // namespace schema

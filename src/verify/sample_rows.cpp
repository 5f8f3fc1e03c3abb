// Representative rows for the proof (DESIGN.md fact 10): some statements fail
// only on a table that has rows (ADD COLUMN with a non-constant default), and
// some lose or renumber rows only when there are rows to lose (a DROP TABLE that
// fires ON DELETE on a kept table, a copy that does not keep rowids). One row per
// table goes into the shadow before the migration runs, and the proof checks that
// the same rows are there after it and after its rollback.
//
// A row must be valid on both sides of the migration, or the proof would fail on
// data the prechecks are there to catch: each candidate row is tried first on the
// declared definition (a scratch copy without foreign keys), then on the table
// itself, where SQLite judges every constraint. A table for which no candidate
// passes gets no row.
#include <fmt/format.h>

#include "schema/verify.hpp"

namespace schema {

namespace {

// A value of the column's type affinity (https://sqlite.org/datatype3.html 3.1).
std::string typed_value(const Column& c) {
    std::string type;
    for (const auto& t : c.type.tokens()) type += fold(t.text) + " ";
    if (type.find("int") != std::string::npos) return "7";
    if (type.find("char") != std::string::npos || type.find("clob") != std::string::npos ||
        type.find("text") != std::string::npos)
        return "'a'";
    if (type.find("blob") != std::string::npos || type.empty()) return "x'61'";
    if (type.find("real") != std::string::npos || type.find("floa") != std::string::npos ||
        type.find("doub") != std::string::npos)
        return "0.5";
    return "7";
}

// The parent's columns a foreign key points at: named, or the parent's primary key.
std::vector<std::string> parent_columns(const ForeignKey& fk, const Table& parent) {
    std::vector<std::string> out;
    for (const auto& c : fk.parent_columns) out.push_back(c.sql());
    if (out.empty() && parent.primary_key)
        for (const auto& c : parent.primary_key->columns) out.push_back(c.expr.sql());
    return out;
}

// The column of `to` that holds `from_column` after the migration, if any.
const Column* counterpart(const Table& to, const Ident& from_column, const Renames& renames) {
    for (const auto& [key, r] : renames.columns)
        if (key.first == to.name.key() && r.from == from_column) return to.column(r.to);
    return to.column(from_column);
}

enum class Variant { typed, defaults };

// The shadow's name of a table the declared schema names `name`.
Ident shadow_name(const Ident& name, const Renames& renames) {
    for (const auto& [key, r] : renames.tables)
        if (r.to == name) return r.from;
    return name;
}

// The value the sample row gives `c` (empty: leave it to its DEFAULT); nullopt
// when no value satisfies its foreign keys, before and as declared: a NOT NULL
// column whose declared foreign key points at a new table (the live rows'
// precheck counts such rows; a sample must migrate), or at another parent key.
std::optional<std::string> sample_value(const Table& t, const Column& c, const Table* declared_table,
                                        const Column* declared, const Schema& shadow, const Renames& renames,
                                        Variant variant) {
    const bool nullable = !c.not_null && (!declared || !declared->not_null);
    std::vector<std::string> parent_keys;  // "parent.key" for each foreign key of the column
    std::optional<std::string> value;
    auto refer = [&](const ForeignKey& fk, std::size_t i, const Ident& parent_name) {
        const Table* parent = shadow.table(parent_name);
        auto keys = parent ? parent_columns(fk, *parent) : std::vector<std::string>{};
        if (i >= keys.size()) {
            parent_keys.push_back({});  // nothing in the shadow to point at
            return;
        }
        parent_keys.push_back(parent_name.key() + "." + keys[i]);
        value = fmt::format("(SELECT {} FROM {} LIMIT 1)", keys[i], parent->name.sql());
    };
    for (const auto& fk : t.foreign_keys)
        for (std::size_t i = 0; i < fk.columns.size(); ++i)
            if (fk.columns[i] == c.name) refer(fk, i, fk.parent);
    if (declared_table && declared)
        for (const auto& fk : declared_table->foreign_keys)
            for (std::size_t i = 0; i < fk.columns.size(); ++i)
                if (fk.columns[i] == declared->name) refer(fk, i, shadow_name(fk.parent, renames));
    if (!parent_keys.empty()) {
        // NULL satisfies any foreign key, old or new.
        if (nullable) return "NULL";
        for (const auto& k : parent_keys)
            if (k.empty() || k != parent_keys.front()) return std::nullopt;
        return value;
    }
    if (variant == Variant::defaults) {
        if (c.default_value) return {};
        if (nullable) return "NULL";
    }
    return typed_value(c);
}

// A name for the rowid that no column shadows, or empty.
std::string rowid_of(const Table& t) {
    if (!t.has_rowid()) return {};
    for (const char* n : {"rowid", "_rowid_", "oid"})
        if (!t.column(Ident(n))) return n;
    return {};
}

struct Row {
    std::vector<std::string> columns, values;  // SQL text, in step
    std::vector<std::optional<Ident>> names;    // each column's name (none for the rowid)
};

// nullopt: no row of `t` can migrate (sample_value).
std::optional<Row> sample_row(const Table& t, const Schema& shadow, const Table* declared, const Renames& renames,
                              Variant v) {
    Row row;
    // Not 1: a rebuild that renumbers rows shows.
    if (std::string rowid = rowid_of(t); !rowid.empty() && !t.rowid_alias()) {
        row.columns.push_back(rowid);
        row.values.push_back("5");
        row.names.push_back(std::nullopt);
    }
    for (const auto& c : t.columns) {
        if (c.generated) continue;
        const Column* d = declared ? counterpart(*declared, c.name, renames) : nullptr;
        auto value = sample_value(t, c, declared, d, shadow, renames, v);
        if (!value) return std::nullopt;
        if (value->empty()) continue;
        row.columns.push_back(c.name.sql());
        row.values.push_back(std::move(*value));
        row.names.push_back(c.name);
    }
    return row;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

std::string insert_sql(const Ident& table, const Row& row) {
    if (row.columns.empty()) return fmt::format("INSERT INTO {} DEFAULT VALUES", table.sql());
    return fmt::format("INSERT INTO {} ({}) VALUES ({})", table.sql(), join(row.columns), join(row.values));
}

bool try_exec(sqlite::Database& db, const std::string& sql) {
    try {
        db.exec(sql);
        return true;
    } catch (const sqlite::Error&) {
        return false;
    }
}

// Whether the declared definition accepts the row, as the copy or ALTER will give
// it: a scratch table in the shadow (foreign keys left out: the row's keys are
// NULL or its parents' own), dropped again.
bool declared_accepts(sqlite::Database& db, const Table& from, const Table& declared, const Row& row,
                      const Renames& renames, const Ident& scratch) {
    Table def = declared;
    def.foreign_keys.clear();
    Row mapped;
    for (std::size_t i = 0; i < row.columns.size(); ++i) {
        // By name, never from the SQL text: a quoted name ("group") is not its text.
        const Column* c = row.names[i] ? from.column(*row.names[i]) : nullptr;
        const Column* d = c ? counterpart(declared, c->name, renames) : nullptr;
        if (d && !d->generated) {
            mapped.columns.push_back(d->name.sql());
            mapped.values.push_back(row.values[i]);
        }
    }
    if (!try_exec(db, canonical_sql(def, &scratch))) return false;
    bool ok = try_exec(db, insert_sql(scratch, mapped));
    db.exec("DROP TABLE " + scratch.sql());
    return ok;
}

// The table of `to` that `from_table` becomes, if it stays a table.
const Table* declared_table(const Schema& to, const Ident& from_table, const Renames& renames) {
    for (const auto& [key, r] : renames.tables)
        if (r.from == from_table) return to.table(r.to);
    return to.table(from_table);
}

Ident scratch_name(const Schema& a, const Schema& b) {
    for (int n = 1;; ++n) {
        Ident candidate("schema_proof_scratch_" + std::to_string(n));
        if (!a.has_relation(candidate) && !b.has_relation(candidate)) return candidate;
    }
}

}  // namespace

std::vector<SampledTable> add_sample_rows(sqlite::Database& db, const Schema& shadow, const Schema& to,
                                          const Renames& renames) {
    const Ident scratch = scratch_name(shadow, to);
    for (const Table* t : tables_in_dependency_order(shadow)) {
        const Table* declared = declared_table(to, t->name, renames);
        for (Variant v : {Variant::typed, Variant::defaults}) {
            auto row = sample_row(*t, shadow, declared, renames, v);
            if (!row) continue;
            // An unchanged table accepts what the table itself accepts.
            const bool changes = declared && !same_definition(*t, *declared);
            if (changes && !declared_accepts(db, *t, *declared, *row, renames, scratch)) continue;
            if (try_exec(db, insert_sql(t->name, *row))) break;
        }
    }
    // Triggers may have written rows of their own: every table is counted.
    std::vector<SampledTable> out;
    for (const auto& [key, t] : shadow.tables) {
        const Table* declared = declared_table(to, t.name, renames);
        SampledTable s{t.name, declared ? std::optional<Ident>(declared->name) : std::nullopt, rows_of(db, t),
                       declared && declared->has_rowid() && t.has_rowid()};
        out.push_back(std::move(s));
    }
    return out;
}

std::string rows_of(sqlite::Database& db, const Table& t) {
    std::string rowid = rowid_of(t);
    return db
        .query_text(
            rowid.empty()
            ? fmt::format("SELECT count(*) || ' rows' FROM {}", t.name.sql())
            : fmt::format("SELECT count(*) || ' rows, rowids ' || ifnull(group_concat(r, ' '), '') FROM (SELECT {} "
                          "AS r FROM {} ORDER BY 1)",
                          rowid, t.name.sql()))
        .value_or("");
}

}  // namespace schema

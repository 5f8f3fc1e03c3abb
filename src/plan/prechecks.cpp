// Constraints a migration adds, checked against the rows already in the live
// database before anything is written: a rebuild copies every row and ALTER
// TABLE ADD COLUMN / CREATE UNIQUE INDEX check every row, so one violating row
// makes the migration fail (and change nothing). Counting first lets `diff` say
// which constraint and how many rows (count_violations, verify.hpp).
//
// Each count reads the live table as the new table will hold it (LiveNames::
// source_sql): renamed columns under their new names, new columns filled with
// their DEFAULT, new or changed generated columns computed, every column under
// its new collation. So a CHECK that reads a new column sees its default, and a
// UNIQUE compares as the new table will.
#include <fmt/format.h>

#include "internal.hpp"

namespace schema::plan_detail {

namespace {

std::string column_list(const std::vector<IndexedColumn>& cols) {
    std::string s;
    for (const auto& c : cols) s += (s.empty() ? "" : ", ") + indexed_column_sql(c);
    return s;
}

// The key of each row as the index compares it: expression and COLLATE, without
// ASC/DESC, which GROUP BY does not take.
std::string group_list(const std::vector<IndexedColumn>& cols) {
    std::string s;
    for (const auto& c : cols)
        s += (s.empty() ? "" : ", ") + c.expr.sql() + (c.collate ? " COLLATE " + c.collate->sql() : "");
    return s;
}

std::string name_list(const std::vector<Ident>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n.sql();
    return s;
}

std::string not_null_all(const std::vector<IndexedColumn>& cols) {
    std::string s;
    for (const auto& c : cols) s += (s.empty() ? "" : " AND ") + c.expr.sql() + " IS NOT NULL";
    return s;
}

// Rows a UNIQUE over `cols` would reject: all but one of each group of equal
// keys (NULLs are distinct, as in SQLite), among the rows `where` admits.
std::string duplicates_sql(const std::string& source, const std::vector<IndexedColumn>& cols,
                           const std::optional<Expr>& where = std::nullopt) {
    return fmt::format("SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {} WHERE {}{} GROUP BY {} "
                       "HAVING count(*) > 1)",
                       source, not_null_all(cols), where ? " AND (" + where->sql() + ")" : "", group_list(cols));
}

std::optional<Ident> collation_of(const Column* c) { return c ? c->collate : std::nullopt; }

bool same_collation(const std::optional<Ident>& a, const std::optional<Ident>& b) {
    auto name = [](const std::optional<Ident>& c) { return c ? c->key() : Ident("binary").key(); };
    return name(a) == name(b);
}

// The STRICT type check of one column: the values its type rejects once
// SQLite has applied the column's affinity (nullopt for ANY and unknown types,
// which STRICT does not allow anyway).
std::optional<std::string> strict_type_violation(const Column& c) {
    const std::string col = c.name.sql();
    const std::string type = c.type.sql();
    if (iequals(type, "INT") || iequals(type, "INTEGER"))
        return fmt::format("typeof({0}) NOT IN ('integer', 'null') AND (typeof({0}) = 'blob' OR "
                           "CAST(CAST({0} AS REAL) AS INTEGER) <> {0})",
                           col);
    if (iequals(type, "REAL"))
        return fmt::format("typeof({0}) NOT IN ('integer', 'real', 'null') AND (typeof({0}) = 'blob' OR "
                           "CAST({0} AS REAL) <> {0})",
                           col);
    if (iequals(type, "TEXT")) return fmt::format("typeof({}) = 'blob'", col);
    if (iequals(type, "BLOB")) return fmt::format("typeof({}) NOT IN ('blob', 'null')", col);
    return std::nullopt;
}

class TablePrechecks {
public:
    TablePrechecks(const ModifyTable& m, const LiveNames& live, const LiveNamesOf& live_of,
                   std::vector<Precheck>& out)
        : m_(m), live_(live), live_of_(live_of), out_(out), src_(live.source_sql(m.to.name.sql())),
          tname_(m.to.name.sql()) {}

    void run() {
        for (const auto& change : m_.changes) std::visit([&](const auto& c) { on(c); }, change);
        recollated_keys();
        strict_types();
    }

private:
    const ModifyTable& m_;
    const LiveNames& live_;
    const LiveNamesOf& live_of_;
    std::vector<Precheck>& out_;
    const std::string src_, tname_;

    void add(std::string description, std::string count_sql) {
        out_.push_back({m_.to.name, live_.table, std::move(description), std::move(count_sql)});
    }

    void on(const ModifyColumn& mc) {
        if ((mc.differences & not_null_changed) && mc.to.not_null && !mc.from.not_null)
            add(fmt::format("{}.{} becomes NOT NULL", tname_, mc.to.name.sql()),
                fmt::format("SELECT count(*) FROM {} WHERE {} IS NULL", src_, mc.to.name.sql()));
    }
    void on(const AddColumn& ac) {
        const Column& c = ac.column;
        if (c.not_null && c.generated)  // its expression must not give NULL on any row
            add(fmt::format("new generated column {}.{} is NOT NULL", tname_, c.name.sql()),
                fmt::format("SELECT count(*) FROM {} WHERE {} IS NULL", src_, c.name.sql()));
        else if (c.not_null && (!c.default_value || is_null_default(*c.default_value)))
            add(fmt::format("new column {}.{} is NOT NULL without a DEFAULT", tname_, c.name.sql()),
                fmt::format("SELECT count(*) FROM {}", src_));
    }
    void on(const AddCheck& ac) { check(ac.check); }
    void on(const ModifyCheck& mc) { check(mc.to); }
    void check(const CheckConstraint& c) {
        add(fmt::format("CHECK ({}) on {}", c.expr.sql(), tname_),
            fmt::format("SELECT count(*) FROM {} WHERE NOT ({})", src_, c.expr.sql()));
    }
    void on(const AddUnique& au) { unique("UNIQUE", au.unique.columns); }
    void on(const ChangePrimaryKey& pk) {
        // (A WITHOUT ROWID key's NOT NULL is in its columns: the model sets it.)
        if (pk.to) unique("PRIMARY KEY", pk.to->columns);
    }
    void unique(const char* kind, const std::vector<IndexedColumn>& cols) {
        add(fmt::format("{} ({}) on {}", kind, column_list(cols), tname_), duplicates_sql(src_, cols));
    }
    void on(const AddForeignKey& af) {
        const ForeignKey& fk = af.fk;
        auto parent = live_of_(fk.parent);
        std::vector<Ident> parent_cols = fk.parent_columns;
        const Table* declared_parent = parent ? parent->to : nullptr;
        if (parent_cols.empty() && declared_parent && declared_parent->primary_key)
            for (const auto& c : declared_parent->primary_key->columns)
                if (c.column) parent_cols.push_back(*c.column);
        if (parent && parent_cols.size() != fk.columns.size()) return;  // SQLite reports that mismatch itself
        std::string nonnull, match;
        for (std::size_t i = 0; i < fk.columns.size(); ++i) {
            nonnull += fmt::format("{}c.{} IS NOT NULL", i ? " AND " : "", fk.columns[i].sql());
            if (i < parent_cols.size())
                match += fmt::format("{}p.{} = c.{}", i ? " AND " : "", parent_cols[i].sql(), fk.columns[i].sql());
        }
        // A parent the live database does not have yet (a new table) has no rows:
        // every reference is an orphan.
        const std::string orphan =
            parent && parent_cols.size() == fk.columns.size()
                ? fmt::format(" AND NOT EXISTS (SELECT 1 FROM {} WHERE {})", parent->source_sql("p"), match)
                : std::string();
        add(fmt::format("FOREIGN KEY ({}) REFERENCES {} on {}", name_list(fk.columns), fk.parent.sql(), tname_),
            fmt::format("SELECT count(*) FROM {} WHERE {}{}", live_.source_sql("c"), nonnull, orphan));
    }
    template <typename Other>
    void on(const Other&) {}

    // Keys that stay but compare differently: a column of theirs changes its
    // collation, so rows that were distinct may now be equal.
    void recollated_keys() {
        auto recollated = [&](const std::vector<IndexedColumn>& cols) { return key_recollated(m_, cols); };
        bool key_changed = false;
        for (const auto& change : m_.changes) key_changed = key_changed || std::holds_alternative<ChangePrimaryKey>(change);
        if (m_.to.primary_key && !key_changed && recollated(m_.to.primary_key->columns))
            unique("PRIMARY KEY", m_.to.primary_key->columns);
        for (const auto& u : m_.to.uniques) {
            bool added = false;
            for (const auto& change : m_.changes)
                if (auto au = std::get_if<AddUnique>(&change))
                    added = added || column_list(au->unique.columns) == column_list(u.columns);
            if (!added && recollated(u.columns)) unique("UNIQUE", u.columns);
        }
    }

    void strict_types() {
        if (!m_.to.strict) return;
        for (const auto& c : m_.to.columns) {
            if (c.generated) continue;
            const Column* before = m_.from.column(c.name);
            if (m_.from.strict && before && before->type.sql() == c.type.sql()) continue;
            if (auto bad = strict_type_violation(c))
                add(fmt::format("STRICT {}.{} {}", tname_, c.name.sql(), c.type.sql()),
                    fmt::format("SELECT count(*) FROM {} WHERE {}", src_, *bad));
        }
    }
};

}  // namespace

bool key_recollated(const ModifyTable& m, const std::vector<IndexedColumn>& cols) {
    for (const auto& c : cols)
        if (c.column && !c.collate && m.from.column(*c.column) &&
            !same_collation(collation_of(m.from.column(*c.column)), collation_of(m.to.column(*c.column))))
            return true;
    return false;
}

namespace {

// A generated column whose expression is new or changed: the live rows hold
// no value of it yet (or an old one).
bool computed_anew(const Column& c, const Column* before) {
    return c.generated && !(before && before->generated && before->generated->expr.sql() == c.generated->expr.sql());
}

}  // namespace

// Whether `e` reads only columns the live table has under the same name (not
// renamed, not computed anew), so the live rows can evaluate it.
bool LiveNames::computable(const Expr& e) const {
    for (const auto& t : e.tokens()) {
        if (t.kind != TokenKind::word && t.kind != TokenKind::quoted) continue;
        const Ident name(t.text);
        const Column* c = to->column(name);
        if (!c) continue;
        const Column* before = from->column(name);
        if (!before || columns.count(name.key()) || computed_anew(*c, before)) return false;
    }
    return true;
}

std::string LiveNames::source_sql(const std::string& alias) const {
    bool as_is = columns.empty();
    for (const auto& c : to->columns) {
        const Column* before = from->column(c.name);
        as_is = as_is && before && same_collation(before->collate, c.collate) && !computed_anew(c, before);
    }
    if (as_is) return table.sql() + " AS " + alias;
    std::string cols;
    for (const auto& c : to->columns) {
        const Column* before = from->column(c.name);
        std::string value;
        if (computed_anew(c, before)) value = computable(c.generated->expr) ? "(" + c.generated->expr.sql() + ")" : "NULL";
        else if (auto it = columns.find(c.name.key()); it != columns.end()) value = it->second.sql();
        else if (before) value = c.name.sql();
        else value = c.default_value ? "(" + c.default_value->sql() + ")" : "NULL";
        if (!before || !same_collation(before->collate, c.collate))
            value += " COLLATE " + (c.collate ? c.collate->sql() : std::string("BINARY"));
        cols += (cols.empty() ? "" : ", ") + value + " AS " + c.name.sql();
    }
    return fmt::format("(SELECT {} FROM {}) AS {}", cols, table.sql(), alias);
}

void add_prechecks(const ModifyTable& m, const LiveNames& live, const LiveNamesOf& live_of,
                   std::vector<Precheck>& out) {
    TablePrechecks(m, live, live_of, out).run();
}

void add_index_precheck(const Index& i, const LiveNames& live, std::vector<Precheck>& out) {
    if (!i.unique) return;
    out.push_back({i.table, live.table,
                   fmt::format("UNIQUE index {} ({}){} on {}", i.name.sql(), column_list(i.columns),
                               i.where ? " WHERE " + i.where->sql() : "", i.table.sql()),
                   duplicates_sql(live.source_sql(i.table.sql()), i.columns, i.where)});
}

}  // namespace schema::plan_detail

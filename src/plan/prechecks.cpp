// Narrowings that existing rows may violate, as COUNT queries on the live
// database: a rebuild copies every row, so one violating row makes the whole
// migration fail (and change nothing). Counting first lets `diff` say so before
// anything is written.
#include <fmt/format.h>

#include "internal.hpp"

namespace schema::plan_detail {

namespace {

std::string column_list(const std::vector<IndexedColumn>& cols) {
    std::string s;
    for (const auto& c : cols) s += (s.empty() ? "" : ", ") + indexed_column_sql(c);
    return s;
}

bool all_exist(const std::vector<IndexedColumn>& cols, const Table& t) {
    for (const auto& c : cols)
        if (!c.column || !t.column(*c.column)) return false;
    return true;
}

std::string not_null_all(const std::vector<IndexedColumn>& cols) {
    std::string s;
    for (const auto& c : cols) s += (s.empty() ? "" : " AND ") + c.expr.sql() + " IS NOT NULL";
    return s;
}

std::string duplicates_sql(const std::string& source, const std::vector<IndexedColumn>& cols) {
    return fmt::format("SELECT count(*) FROM (SELECT 1 FROM {} WHERE {} GROUP BY {} HAVING count(*) > 1)", source,
                       not_null_all(cols), column_list(cols));
}

}  // namespace

std::string LiveNames::source_sql(const Table& mapped, const std::string& alias) const {
    if (columns.empty()) return table.sql() + " AS " + alias;
    std::string cols;
    for (const auto& c : mapped.columns) {
        if (c.generated) continue;
        auto it = columns.find(c.name.key());
        cols += (cols.empty() ? "" : ", ") + (it == columns.end() ? c.name.sql() : it->second.sql() + " AS " + c.name.sql());
    }
    return fmt::format("(SELECT {} FROM {}) AS {}", cols, table.sql(), alias);
}

void add_prechecks(const ModifyTable& m, const LiveNames& live, const Schema& to, std::vector<Precheck>& out) {
    const Table& from = m.from;
    const std::string src = live.source_sql(from, from.name.sql());
    const std::string tname = m.to.name.sql();
    for (const auto& change : m.changes) {
        if (auto mc = std::get_if<ModifyColumn>(&change)) {
            if ((mc->differences & not_null_changed) && mc->to.not_null && !mc->from.not_null)
                out.push_back({m.to.name, fmt::format("{}.{} becomes NOT NULL", tname, mc->to.name.sql()),
                               fmt::format("SELECT count(*) FROM {} WHERE {} IS NULL", src, mc->to.name.sql())});
        } else if (auto ac = std::get_if<AddColumn>(&change)) {
            const Column& c = ac->column;
            if (c.not_null && !c.generated && (!c.default_value || is_null_default(*c.default_value)))
                out.push_back({m.to.name,
                               fmt::format("new column {}.{} is NOT NULL without a DEFAULT", tname, c.name.sql()),
                               fmt::format("SELECT count(*) FROM {}", src)});
        } else if (std::holds_alternative<AddCheck>(change) || std::holds_alternative<ModifyCheck>(change)) {
            const CheckConstraint& check = std::holds_alternative<AddCheck>(change)
                                               ? std::get<AddCheck>(change).check
                                               : std::get<ModifyCheck>(change).to;
            bool on_existing = true;
            for (const auto& t : check.expr.tokens())
                if ((t.kind == TokenKind::word || t.kind == TokenKind::quoted) && m.to.column(Ident(t.text)) &&
                    !from.column(Ident(t.text)))
                    on_existing = false;  // reads a new column: its value is the default
            if (on_existing)
                out.push_back({m.to.name, fmt::format("CHECK ({}) on {}", check.expr.sql(), tname),
                               fmt::format("SELECT count(*) FROM {} WHERE NOT ({})", src, check.expr.sql())});
        } else if (auto au = std::get_if<AddUnique>(&change)) {
            if (all_exist(au->unique.columns, from))
                out.push_back({m.to.name, fmt::format("UNIQUE ({}) on {}", column_list(au->unique.columns), tname),
                               duplicates_sql(src, au->unique.columns)});
        } else if (auto pk = std::get_if<ChangePrimaryKey>(&change)) {
            if (pk->to && all_exist(pk->to->columns, from))
                out.push_back({m.to.name,
                               fmt::format("PRIMARY KEY ({}) on {}", column_list(pk->to->columns), tname),
                               duplicates_sql(src, pk->to->columns)});
        } else if (auto af = std::get_if<AddForeignKey>(&change)) {
            const ForeignKey& fk = af->fk;
            const Table* parent = to.table(fk.parent);
            if (!parent) continue;
            std::vector<Ident> parent_cols = fk.parent_columns;
            if (parent_cols.empty() && parent->primary_key)
                for (const auto& c : parent->primary_key->columns)
                    if (c.column) parent_cols.push_back(*c.column);
            if (parent_cols.size() != fk.columns.size()) continue;
            bool exist = true;
            std::string nonnull, match;
            for (std::size_t i = 0; i < fk.columns.size(); ++i) {
                exist = exist && from.column(fk.columns[i]);
                nonnull += fmt::format("{}c.{} IS NOT NULL", i ? " AND " : "", fk.columns[i].sql());
                match += fmt::format("{}p.{} = c.{}", i ? " AND " : "", parent_cols[i].sql(), fk.columns[i].sql());
            }
            if (!exist) continue;
            std::string cols;
            for (const auto& c : fk.columns) cols += (cols.empty() ? "" : ", ") + c.sql();
            out.push_back({m.to.name,
                           fmt::format("FOREIGN KEY ({}) REFERENCES {} on {}", cols, fk.parent.sql(), tname),
                           fmt::format("SELECT count(*) FROM {} WHERE {} AND NOT EXISTS (SELECT 1 FROM {} AS p "
                                       "WHERE {})",
                                       live.source_sql(from, "c"), nonnull, fk.parent.sql(), match)});
        }
    }
}

}  // namespace schema::plan_detail

// What "the same" means, object by object. This is the one place that decides
// whether two spellings are one schema; diff and verification both use it.
//
//  * names compare case-insensitively (Ident); constraint names too;
//  * columns compare by name, not position (ADD COLUMN can only append, so a
//    declared order that differs from the live one is not a change);
//  * multiple UNIQUE / CHECK / FOREIGN KEY constraints compare as multisets;
//  * where a constraint is written (on the column or after the columns) does
//    not matter, except for the one case where SQLite gives it a meaning:
//    "INTEGER PRIMARY KEY DESC" on the column does not alias the rowid;
//  * "REFERENCES p" is "REFERENCES p (its primary key columns)";
//  * FOREIGN KEY MATCH is ignored (SQLite parses and ignores it), and of the
//    DEFERRABLE clause only "is it initially deferred" counts.
#include <algorithm>

#include "schema/model.hpp"

namespace schema {

namespace {

template <typename T>
bool same_optional(const std::optional<T>& a, const std::optional<T>& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || *a == *b;
}

// Each element of `a` pairs off with an equal, not yet used element of `b`.
template <typename T, typename Eq>
bool same_multiset(const std::vector<T>& a, const std::vector<T>& b, Eq eq) {
    if (a.size() != b.size()) return false;
    std::vector<bool> used(b.size(), false);
    for (const auto& x : a) {
        bool found = false;
        for (std::size_t i = 0; i < b.size(); ++i)
            if (!used[i] && eq(x, b[i])) {
                used[i] = found = true;
                break;
            }
        if (!found) return false;
    }
    return true;
}

bool same_generated(const std::optional<Generated>& a, const std::optional<Generated>& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || (a->expr == b->expr && a->stored == b->stored);
}

}  // namespace

bool same_indexed_columns(const std::vector<IndexedColumn>& a, const std::vector<IndexedColumn>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].expr != b[i].expr || !same_optional(a[i].collate, b[i].collate) || a[i].order != b[i].order)
            return false;
    return true;
}

bool same_column(const Column& a, const Column& b) {
    return a.name == b.name && a.type == b.type && a.not_null == b.not_null &&
           a.not_null_conflict == b.not_null_conflict && same_optional(a.default_value, b.default_value) &&
           same_optional(a.collate, b.collate) && same_generated(a.generated, b.generated);
}

bool same_primary_key(const Table& a, const Table& b) {
    if (a.primary_key.has_value() != b.primary_key.has_value()) return false;
    if (!a.primary_key) return true;
    const auto& x = *a.primary_key;
    const auto& y = *b.primary_key;
    bool alias_a = a.rowid_alias() != nullptr;
    bool alias_b = b.rowid_alias() != nullptr;
    return iequals(x.name, y.name) && same_indexed_columns(x.columns, y.columns) && x.conflict == y.conflict &&
           x.autoincrement == y.autoincrement && alias_a == alias_b;
}

bool same_unique(const UniqueConstraint& a, const UniqueConstraint& b) {
    return iequals(a.name, b.name) && same_indexed_columns(a.columns, b.columns) && a.conflict == b.conflict;
}

bool same_check(const CheckConstraint& a, const CheckConstraint& b) {
    return iequals(a.name, b.name) && a.expr == b.expr;
}

namespace {
// "REFERENCES p" and "REFERENCES p (id)" are one reference when id is p's primary
// key. Two implicit references are equal whatever the key: when it changes, the
// parent changes, not the child's text.
bool same_parent_columns(const ForeignKey& a, const ForeignKey& b) {
    if (a.parent_columns.empty() == b.parent_columns.empty()) return a.parent_columns == b.parent_columns;
    const ForeignKey& implicit = a.parent_columns.empty() ? a : b;
    const ForeignKey& written = a.parent_columns.empty() ? b : a;
    return !implicit.implied_parent_columns.empty() && implicit.implied_parent_columns == written.parent_columns;
}
}  // namespace

bool same_foreign_key(const ForeignKey& a, const ForeignKey& b) {
    return iequals(a.name, b.name) && a.columns == b.columns && a.parent == b.parent && same_parent_columns(a, b) &&
           a.on_delete == b.on_delete && a.on_update == b.on_update && a.deferred == b.deferred;
}

bool same_definition(const Table& a, const Table& b) {
    if (a.columns.size() != b.columns.size()) return false;
    for (const auto& c : a.columns) {
        const Column* other = b.column(c.name);
        if (!other || !same_column(c, *other)) return false;
    }
    return a.without_rowid == b.without_rowid && a.strict == b.strict && same_primary_key(a, b) &&
           same_multiset(a.uniques, b.uniques, same_unique) && same_multiset(a.checks, b.checks, same_check) &&
           same_multiset(a.foreign_keys, b.foreign_keys, same_foreign_key);
}

bool same_definition(const Index& a, const Index& b) {
    return a.table == b.table && a.unique == b.unique && same_indexed_columns(a.columns, b.columns) &&
           same_optional(a.where, b.where);
}

bool same_definition(const View& a, const View& b) { return a.columns == b.columns && a.select == b.select; }

bool same_definition(const Trigger& a, const Trigger& b) {
    return a.table == b.table && a.timing == b.timing && a.event == b.event && a.update_of == b.update_of &&
           same_optional(a.when, b.when) && a.body == b.body;
}

bool same_definition(const VirtualTable& a, const VirtualTable& b) {
    return a.module == b.module && a.args == b.args;
}

namespace {
template <typename Map>
bool same_map(const Map& a, const Map& b) {
    if (a.size() != b.size()) return false;
    for (const auto& [key, obj] : a) {
        auto it = b.find(key);
        if (it == b.end() || !same_definition(obj, it->second)) return false;
    }
    return true;
}
}  // namespace

bool same_schema(const Schema& a, const Schema& b) {
    return same_map(a.tables, b.tables) && same_map(a.indexes, b.indexes) && same_map(a.views, b.views) &&
           same_map(a.triggers, b.triggers) && same_map(a.virtual_tables, b.virtual_tables);
}

}  // namespace schema

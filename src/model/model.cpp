#include "schema/model.hpp"

namespace schema {

namespace {
template <typename Map>
auto find_in(const Map& m, const Ident& name) -> const typename Map::mapped_type* {
    auto it = m.find(name.key());
    return it == m.end() ? nullptr : &it->second;
}
}  // namespace

const Column* Table::column(const Ident& n) const {
    for (const auto& c : columns)
        if (c.name == n) return &c;
    return nullptr;
}

const Column* Table::rowid_alias() const {
    // SQLite: a single-column PRIMARY KEY whose declared type is exactly INTEGER, on
    // a rowid table, aliases the rowid; "INTEGER PRIMARY KEY DESC" written on the
    // column is the documented exception.
    if (without_rowid || !primary_key || primary_key->columns.size() != 1) return nullptr;
    const auto& key = primary_key->columns[0];
    if (!key.column) return nullptr;
    const Column* c = column(*key.column);
    if (!c || c->type.tokens().size() != 1 || !c->type.tokens()[0].is("integer")) return nullptr;
    if (primary_key->column_level && key.order == Order::desc) return nullptr;
    return c;
}

bool Table::in_primary_key(const Ident& n) const {
    if (!primary_key) return false;
    for (const auto& c : primary_key->columns)
        if (c.column ? *c.column == n : c.expr.mentions(n)) return true;
    return false;
}

bool Table::in_unique(const Ident& n) const {
    for (const auto& u : uniques)
        for (const auto& c : u.columns)
            if (c.column ? *c.column == n : c.expr.mentions(n)) return true;
    return false;
}

bool Table::in_foreign_key(const Ident& n) const {
    for (const auto& fk : foreign_keys)
        for (const auto& c : fk.columns)
            if (c == n) return true;
    return false;
}

bool Index::mentions(const Ident& col) const {
    for (const auto& c : columns)
        if (c.expr.mentions(col)) return true;
    return where && where->mentions(col);
}

bool Trigger::mentions(const Ident& n) const {
    if (when && when->mentions(n)) return true;
    for (const auto& c : update_of)
        if (c == n) return true;
    for (const auto& s : body)
        if (s.mentions(n)) return true;
    return false;
}

const Table* Schema::table(const Ident& n) const { return find_in(tables, n); }
const Index* Schema::index(const Ident& n) const { return find_in(indexes, n); }
const View* Schema::view(const Ident& n) const { return find_in(views, n); }
const Trigger* Schema::trigger(const Ident& n) const { return find_in(triggers, n); }
const VirtualTable* Schema::virtual_table(const Ident& n) const { return find_in(virtual_tables, n); }

bool Schema::has_relation(const Ident& n) const {
    return table(n) || view(n) || index(n) || virtual_table(n);
}

std::size_t Schema::object_count() const {
    return tables.size() + indexes.size() + views.size() + triggers.size() + virtual_tables.size();
}

void drop_shadow_tables(Schema& s) {
    static const std::map<std::string, std::vector<std::string>> suffixes = {
        {"fts3", {"_content", "_segments", "_segdir", "_docsize", "_stat"}},
        {"fts4", {"_content", "_segments", "_segdir", "_docsize", "_stat"}},
        {"fts5", {"_data", "_idx", "_content", "_docsize", "_config"}},
        {"rtree", {"_node", "_parent", "_rowid"}},
        {"rtree_i32", {"_node", "_parent", "_rowid"}},
        {"geopoly", {"_node", "_parent", "_rowid"}},
    };
    for (const auto& [key, vt] : s.virtual_tables) {
        auto it = suffixes.find(vt.module.key());
        if (it == suffixes.end()) continue;
        for (const auto& suffix : it->second) {
            const std::string shadow = fold(vt.name.name() + suffix);
            if (!s.tables.erase(shadow)) continue;
            for (auto i = s.indexes.begin(); i != s.indexes.end();)
                i = i->second.table.key() == shadow ? s.indexes.erase(i) : std::next(i);
        }
    }
}

}  // namespace schema

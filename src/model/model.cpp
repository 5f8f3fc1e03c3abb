#include "schema/model.hpp"

#include <set>

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

namespace {

// The value of a "key=value" module argument (content=posts, content='posts',
// columnsize=0), unquoted; nullopt when the argument is not given.
std::optional<std::string> module_option(const VirtualTable& v, std::string_view key) {
    for (const auto& a : v.args) {
        const auto& t = a.tokens();
        if (t.size() == 3 && t[0].is(key) && t[1].is("=")) return t[2].text;
    }
    return std::nullopt;
}

bool option_is(const VirtualTable& v, std::string_view key, std::string_view value) {
    auto o = module_option(v, key);
    return o && iequals(*o, value);
}

}  // namespace

std::optional<std::vector<std::string>> shadow_table_suffixes(const VirtualTable& v) {
    const std::string& module = v.module.key();
    // With content=... (external content, or '' for none) the module keeps no copy.
    const bool own_content = !module_option(v, "content");
    std::vector<std::string> out;
    if (module == "fts5") {
        out = {"_data", "_idx", "_config"};
        if (own_content) out.push_back("_content");
        if (!option_is(v, "columnsize", "0")) out.push_back("_docsize");
    } else if (module == "fts3") {
        // FTS3 reads no options (content=... is a column to it); it creates _stat on
        // demand (incremental merge).
        out = {"_segments", "_segdir", "_stat", "_content"};
    } else if (module == "fts4") {
        out = {"_segments", "_segdir", "_stat"};
        if (own_content) out.push_back("_content");
        if (!option_is(v, "matchinfo", "fts3")) out.push_back("_docsize");
    } else if (module == "rtree" || module == "rtree_i32" || module == "geopoly") {
        out = {"_node", "_parent", "_rowid"};
    } else {
        return std::nullopt;
    }
    return out;
}

void drop_shadow_tables(Schema& s, const std::set<std::string>* reported_shadow) {
    std::set<std::string> shadows;
    for (const auto& [key, vt] : s.virtual_tables) {
        const std::string prefix = fold(vt.name.name() + "_");
        if (auto suffixes = shadow_table_suffixes(vt)) {
            for (const auto& suffix : *suffixes)
                if (!reported_shadow || reported_shadow->count(prefix + suffix.substr(1)))
                    shadows.insert(prefix + suffix.substr(1));
        } else if (reported_shadow) {
            // A module this code does not know: SQLite's word is all there is.
            for (const auto& name : *reported_shadow)
                if (name.rfind(prefix, 0) == 0) shadows.insert(name);
        }
    }
    for (const auto& shadow : shadows) {
        if (!s.tables.erase(shadow)) continue;
        for (auto i = s.indexes.begin(); i != s.indexes.end();)
            i = i->second.table.key() == shadow ? s.indexes.erase(i) : std::next(i);
    }
}

namespace {
// The parent's primary-key columns, in key order; empty when it has no primary
// key (then SQLite reports a foreign key mismatch) or the key is not plain columns.
std::vector<Ident> primary_key_columns(const Table& parent) {
    std::vector<Ident> out;
    if (!parent.primary_key) return out;
    for (const auto& k : parent.primary_key->columns) {
        if (!k.column) return {};
        out.push_back(*k.column);
    }
    return out;
}
}  // namespace

void resolve_across_objects(Schema& s) {
    for (auto& [key, t] : s.tables)
        for (auto& fk : t.foreign_keys)
            if (fk.parent_columns.empty())
                if (const Table* parent = s.table(fk.parent)) fk.implied_parent_columns = primary_key_columns(*parent);
    for (auto& [key, i] : s.indexes) {
        const Table* t = s.table(i.table);
        if (!t) continue;
        auto is_column = [t](const Ident& n) { return t->column(n) != nullptr; };
        for (auto& c : i.columns)
            if (!c.column) c.expr = resolve_double_quoted(c.expr, is_column);
        if (i.where) i.where = resolve_double_quoted(*i.where, is_column);
    }
}

}  // namespace schema

// Which objects depend on which: foreign keys between tables, and the relations
// that views and triggers name. Name-based, so it may over-approximate (a column
// that happens to share a table's name counts), never under-approximate.
#include <queue>
#include <set>

#include "schema/model.hpp"

namespace schema {

namespace {

void collect_relations(const Expr& e, const Schema& s, const Ident* self, std::set<Ident>& out) {
    for (const auto& t : e.tokens()) {
        if (t.kind != TokenKind::word && t.kind != TokenKind::quoted) continue;
        Ident name(t.text);
        if (self && name == *self) continue;
        if (s.table(name) || s.view(name) || s.virtual_table(name)) out.insert(name);
    }
}

// Kahn's algorithm; among ready nodes the smallest key goes first, and a cycle is
// broken at its smallest key, so the order is a pure function of the schema.
// Nodes are numbered in key order, so "smallest key" is "smallest number".
template <typename Node>
std::vector<const Node*> order_by(const std::map<std::string, Node>& nodes,
                                  const std::map<std::string, std::set<std::string>>& deps) {
    std::vector<const Node*> by_index;
    std::map<std::string_view, std::size_t> index_of;
    for (const auto& [key, node] : nodes) {
        index_of.emplace(key, by_index.size());
        by_index.push_back(&node);
    }
    const std::size_t n = by_index.size();
    std::vector<std::size_t> pending(n, 0);
    std::vector<std::vector<std::size_t>> dependents(n);
    for (const auto& [key, ds] : deps) {
        auto self = index_of.find(key);
        if (self == index_of.end()) continue;
        for (const auto& d : ds) {
            auto it = index_of.find(d);
            if (it == index_of.end() || it->second == self->second) continue;
            ++pending[self->second];
            dependents[it->second].push_back(self->second);
        }
    }
    std::vector<const Node*> out;
    out.reserve(n);
    std::vector<bool> done(n, false);
    std::set<std::size_t> ready;
    for (std::size_t i = 0; i < n; ++i)
        if (pending[i] == 0) ready.insert(i);
    std::size_t next_unfinished = 0;
    while (out.size() < n) {
        if (ready.empty()) {  // a cycle: release its smallest member
            while (done[next_unfinished]) ++next_unfinished;
            ready.insert(next_unfinished);
        }
        std::size_t i = *ready.begin();
        ready.erase(ready.begin());
        if (done[i]) continue;
        done[i] = true;
        out.push_back(by_index[i]);
        for (std::size_t d : dependents[i])
            if (!done[d] && pending[d] > 0 && --pending[d] == 0) ready.insert(d);
    }
    return out;
}

}  // namespace

std::vector<Ident> relations_used_by(const View& v, const Schema& s) {
    std::set<Ident> out;
    collect_relations(v.select, s, &v.name, out);
    return {out.begin(), out.end()};
}

std::vector<Ident> relations_used_by(const VirtualTable& v, const Schema& s) {
    // Module arguments name relations as words or as strings: FTS's content=posts
    // and content='posts' (as SQLite's documentation writes it) are one table.
    std::set<Ident> out;
    for (const auto& a : v.args)
        for (const auto& t : a.tokens()) {
            if (t.kind != TokenKind::word && t.kind != TokenKind::quoted && t.kind != TokenKind::string) continue;
            Ident name(t.text);
            if (name != v.name && (s.table(name) || s.view(name) || s.virtual_table(name))) out.insert(name);
        }
    return {out.begin(), out.end()};
}

std::vector<Ident> relations_used_by(const Trigger& t, const Schema& s) {
    std::set<Ident> out;
    if (s.table(t.table) || s.view(t.table) || s.virtual_table(t.table)) out.insert(t.table);
    if (t.when) collect_relations(*t.when, s, nullptr, out);
    for (const auto& stmt : t.body) collect_relations(stmt, s, nullptr, out);
    return {out.begin(), out.end()};
}

std::vector<Diagnostic> dangling_references(const Schema& s) {
    std::vector<Diagnostic> out;
    for (const auto& [key, t] : s.tables)
        for (const auto& fk : t.foreign_keys)
            if (!s.table(fk.parent))
                out.push_back({t.pos, "table " + t.name.sql() + ": FOREIGN KEY (" + fk.columns.front().sql() +
                                          (fk.columns.size() > 1 ? ", ..." : "") + ") references " + fk.parent.sql() +
                                          ", which is not declared",
                               {}, true});
    // A foreign key must reference a PRIMARY KEY or UNIQUE set of the parent's
    // columns; otherwise SQLite reports "foreign key mismatch" on every write.
    auto unique_on = [&](const Table& parent, const std::vector<Ident>& cols) {
        auto same_set = [&](const std::vector<IndexedColumn>& key) {
            if (key.size() != cols.size()) return false;
            for (const auto& c : cols) {
                bool found = false;
                for (const auto& k : key) found = found || (k.column && *k.column == c);
                if (!found) return false;
            }
            return true;
        };
        if (parent.primary_key && same_set(parent.primary_key->columns)) return true;
        for (const auto& u : parent.uniques)
            if (same_set(u.columns)) return true;
        for (const auto& [k, i] : s.indexes)
            if (i.unique && !i.where && i.table == parent.name && same_set(i.columns)) return true;
        return false;
    };
    for (const auto& [key, t] : s.tables)
        for (const auto& fk : t.foreign_keys) {
            const Table* parent = s.table(fk.parent);
            if (!parent) continue;
            if (fk.parent_columns.empty() ? !parent->primary_key : !unique_on(*parent, fk.parent_columns))
                out.push_back({t.pos,
                               "table " + t.name.sql() + ": FOREIGN KEY (" + fk.columns.front().sql() +
                                   (fk.columns.size() > 1 ? ", ..." : "") + ") references " + fk.parent.sql() +
                                   (fk.parent_columns.empty() ? ", which has no PRIMARY KEY"
                                                              : " columns that are not its PRIMARY KEY or UNIQUE") +
                                   "; SQLite will report a foreign key mismatch on writes",
                               {},
                               true});
        }
    for (const auto& [key, i] : s.indexes)
        if (!s.table(i.table))
            out.push_back({i.pos, "index " + i.name.sql() + " is on " + i.table.sql() + ", which is not a declared table",
                           {}});
    for (const auto& [key, t] : s.triggers)
        if (!s.table(t.table) && !s.view(t.table))
            out.push_back({t.pos, "trigger " + t.name.sql() + " is on " + t.table.sql() +
                                      ", which is not a declared table or view",
                           {}});
    return out;
}

std::vector<const Table*> tables_in_dependency_order(const Schema& s) {
    std::map<std::string, std::set<std::string>> deps;
    for (const auto& [key, t] : s.tables)
        for (const auto& fk : t.foreign_keys) deps[key].insert(fk.parent.key());
    return order_by(s.tables, deps);
}

std::vector<const View*> views_in_dependency_order(const Schema& s) {
    std::map<std::string, std::set<std::string>> deps;
    for (const auto& [key, v] : s.views)
        for (const auto& r : relations_used_by(v, s))
            if (s.view(r)) deps[key].insert(r.key());
    return order_by(s.views, deps);
}

}  // namespace schema

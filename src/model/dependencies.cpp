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
template <typename Node>
std::vector<const Node*> order_by(const std::map<std::string, Node>& nodes,
                                  const std::map<std::string, std::set<std::string>>& deps) {
    std::map<std::string, std::size_t> pending;
    std::map<std::string, std::vector<std::string>> dependents;
    for (const auto& [key, node] : nodes) {
        std::size_t n = 0;
        auto it = deps.find(key);
        if (it != deps.end())
            for (const auto& d : it->second)
                if (d != key && nodes.count(d)) {
                    ++n;
                    dependents[d].push_back(key);
                }
        pending[key] = n;
    }
    std::vector<const Node*> out;
    std::set<std::string> ready;
    for (const auto& [key, n] : pending)
        if (n == 0) ready.insert(key);
    while (out.size() < nodes.size()) {
        if (ready.empty()) {  // a cycle: release its smallest member
            for (const auto& [key, n] : pending)
                if (n != SIZE_MAX) {
                    ready.insert(key);
                    break;
                }
        }
        std::string key = *ready.begin();
        ready.erase(ready.begin());
        if (pending[key] == SIZE_MAX) continue;
        pending[key] = SIZE_MAX;
        out.push_back(&nodes.at(key));
        for (const auto& d : dependents[key])
            if (pending[d] != SIZE_MAX && --pending[d] == 0) ready.insert(d);
    }
    return out;
}

}  // namespace

std::vector<Ident> relations_used_by(const View& v, const Schema& s) {
    std::set<Ident> out;
    collect_relations(v.select, s, &v.name, out);
    return {out.begin(), out.end()};
}

std::vector<Ident> relations_used_by(const Trigger& t, const Schema& s) {
    std::set<Ident> out;
    if (s.table(t.table) || s.view(t.table) || s.virtual_table(t.table)) out.insert(t.table);
    if (t.when) collect_relations(*t.when, s, nullptr, out);
    for (const auto& stmt : t.body) collect_relations(stmt, s, nullptr, out);
    return {out.begin(), out.end()};
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

// Shadow databases: schema-only copies in memory, built from the model.
#include <fmt/format.h>

#include "schema/verify.hpp"

namespace schema {

namespace {
// Copies the entries of `from` named in `keys` (not the whole map: a part of a
// proof is small, the schema may not be).
template <typename Map>
void pick(const Map& from, const std::set<std::string>& keys, Map& to) {
    for (const auto& k : keys)
        if (auto it = from.find(k); it != from.end()) to.emplace(k, it->second);
}
}  // namespace

Schema restrict_to(const Schema& s, const Scope& scope) {
    if (scope.everything) return s;
    Schema out;
    pick(s.tables, scope.relations, out.tables);
    pick(s.views, scope.relations, out.views);
    pick(s.virtual_tables, scope.relations, out.virtual_tables);
    pick(s.indexes, scope.indexes, out.indexes);
    pick(s.triggers, scope.triggers, out.triggers);
    return out;
}

sqlite::Database build_shadow(const Schema& full, const Scope* scope) {
    Schema s = scope ? restrict_to(full, *scope) : full;
    auto db = sqlite::Database::memory();
    // One transaction: SQLite re-reads nothing between the CREATEs.
    db.exec("BEGIN");
    auto create = [&](const std::string& sql, const Ident& name) {
        try {
            db.exec(sql);
        } catch (const sqlite::Error& e) {
            throw std::runtime_error(fmt::format("cannot copy {} into the shadow database: {}", name.sql(), e.what()));
        }
    };
    for (const Table* t : tables_in_dependency_order(s)) create(create_sql(*t), t->name);
    for (const auto& [k, v] : s.virtual_tables) create(create_sql(v), v.name);
    for (const auto& [k, i] : s.indexes) create(create_sql(i), i.name);
    for (const View* v : views_in_dependency_order(s)) create(create_sql(*v), v->name);
    for (const auto& [k, t] : s.triggers) create(create_sql(t), t.name);
    db.exec("COMMIT");
    return db;
}

}  // namespace schema

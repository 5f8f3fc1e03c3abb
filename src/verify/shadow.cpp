// Shadow databases: schema-only copies in memory, built from the model.
#include <fmt/format.h>

#include "schema/verify.hpp"

namespace schema {

namespace {
template <typename Map>
void keep(Map& m, const std::set<std::string>& keys) {
    for (auto it = m.begin(); it != m.end();)
        it = keys.count(it->first) ? std::next(it) : m.erase(it);
}
}  // namespace

Schema restrict_to(const Schema& s, const Scope& scope) {
    if (scope.everything) return s;
    Schema out = s;
    keep(out.tables, scope.relations);
    keep(out.views, scope.relations);
    keep(out.virtual_tables, scope.relations);
    keep(out.indexes, scope.indexes);
    keep(out.triggers, scope.triggers);
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

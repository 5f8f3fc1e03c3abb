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

namespace {
std::string unknown_module_message(const VirtualTable& v) {
    return fmt::format("virtual table {} uses the module {}, which this SQLite does not have: schema keeps it as "
                       "written and never reads its columns, but cannot prove a migration that creates, changes or "
                       "drops it (write that one by hand: `schema new`)",
                       v.name.sql(), v.module.sql());
}
}  // namespace

std::vector<Diagnostic> unknown_module_warnings(const Schema& s) {
    std::vector<Diagnostic> out;
    for (const auto& [key, v] : s.virtual_tables)
        if (!sqlite::has_module(v.module.name())) out.push_back({v.pos, unknown_module_message(v), {}, true});
    return out;
}

void refuse_unknown_modules(const Diff& d) {
    std::vector<Diagnostic> problems;
    auto check = [&](const VirtualTable& v) {
        if (!sqlite::has_module(v.module.name())) problems.push_back({v.pos, unknown_module_message(v), {}});
    };
    for (const auto& c : d.changes) {
        if (auto a = std::get_if<AddVirtualTable>(&c)) check(a->table);
        if (auto r = std::get_if<DropVirtualTable>(&c)) check(r->table);
        if (auto m = std::get_if<ModifyVirtualTable>(&c)) {
            check(m->from);
            check(m->to);
        }
    }
    if (!problems.empty()) throw InputError(std::move(problems));
}

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

std::vector<Diagnostic> rejected_declarations(const Schema& s) {
    std::vector<Diagnostic> out;
    auto db = sqlite::Database::memory();
    // One transaction, as build_shadow: each CREATE outside one re-reads the
    // whole schema (quadratic); a rejected one fails alone inside it.
    db.exec("BEGIN");
    auto create = [&](const std::string& sql, const SourcePos& pos) {
        try {
            db.exec(sql);
        } catch (const sqlite::Error& e) {
            out.push_back({pos, std::string("SQLite rejects this declaration: ") + e.what(), {}, false});
        }
    };
    for (const Table* t : tables_in_dependency_order(s)) create(create_sql(*t), t->pos);
    for (const auto& [k, v] : s.virtual_tables)
        if (sqlite::has_module(v.module.name())) create(create_sql(v), v.pos);
    for (const auto& [k, i] : s.indexes) create(create_sql(i), i.pos);
    for (const View* v : views_in_dependency_order(s)) create(create_sql(*v), v->pos);
    for (const auto& [k, t] : s.triggers) create(create_sql(t), t.pos);
    db.exec("COMMIT");
    return out;
}

}  // namespace schema

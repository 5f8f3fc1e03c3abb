// The proof: diff(apply(from, up), to) is empty and diff(apply(apply(from, up), down), from)
// is empty, on the part of the schema the migration touches.
#include <fmt/format.h>

#include <fstream>

#include "schema/inspect.hpp"
#include "schema/verify.hpp"

namespace schema {

namespace {

void add_relation_closure(const Schema& s, Scope& scope) {
    bool grew = true;
    while (grew) {
        grew = false;
        auto add = [&](std::set<std::string>& set, const std::string& key) {
            if (set.insert(key).second) grew = true;
        };
        for (const auto& [key, t] : s.tables) {
            if (!scope.relations.count(key)) continue;
            for (const auto& fk : t.foreign_keys)
                if (s.table(fk.parent)) add(scope.relations, fk.parent.key());
        }
        for (const auto& [key, i] : s.indexes)
            if (scope.relations.count(i.table.key())) add(scope.indexes, key);
        for (const auto& [key, v] : s.views) {
            bool in = scope.relations.count(key) != 0;
            auto used = relations_used_by(v, s);
            if (!in)
                for (const auto& r : used)
                    if (scope.relations.count(r.key())) in = true;
            if (!in) continue;
            add(scope.relations, key);
            for (const auto& r : used) add(scope.relations, r.key());
        }
        for (const auto& [key, tr] : s.triggers) {
            bool in = scope.triggers.count(key) != 0;
            auto used = relations_used_by(tr, s);
            if (!in)
                for (const auto& r : used)
                    if (scope.relations.count(r.key())) in = true;
            if (!in) continue;
            add(scope.triggers, key);
            for (const auto& r : used) add(scope.relations, r.key());
        }
    }
}

std::string source_line(const SourcePos& pos, const std::vector<SourceFile>* sources) {
    if (!sources || !pos.known()) return {};
    for (const auto& f : *sources)
        if (f.path == pos.file) return LineIndex(f.text).line_text(pos.line);
    return {};
}

// Runs a plan's steps in one transaction; a failing step becomes a ProofError at its source.
void run_plan(sqlite::Database& db, const Plan& plan, const char* direction, const std::vector<SourceFile>* sources) {
    db.exec("BEGIN");
    for (const auto& step : plan.steps) {
        try {
            db.exec(step.sql);
        } catch (const sqlite::Error& e) {
            db.exec("ROLLBACK");
            bool declared = step.source.known();
            std::string message =
                declared ? fmt::format("SQLite rejects this declaration: {}\n  while running: {}", e.what(),
                                       step.sql.substr(0, step.sql.find('\n')))
                         : fmt::format("the {} migration fails in the shadow database: {}\n  statement: {}", direction,
                                       e.what(), step.sql);
            Diagnostic diag{step.source, message, source_line(step.source, sources)};
            throw ProofError(diag.format(), diag, !declared);
        }
    }
    db.exec("COMMIT");
}

// Every view must compile: SQLite accepts CREATE VIEW over missing tables or columns.
void check_views(sqlite::Database& db, const Schema& expected, const std::vector<SourceFile>* sources) {
    for (const auto& [key, v] : expected.views) {
        try {
            db.prepare("SELECT * FROM " + v.name.sql() + " LIMIT 0");
        } catch (const sqlite::Error& e) {
            Diagnostic diag{v.pos, fmt::format("SQLite rejects view {}: {}", v.name.sql(), e.what()),
                            source_line(v.pos, sources)};
            throw ProofError(diag.format(), diag, false);
        }
    }
}

std::string differences(const Schema& got, const Schema& want) {
    Diff d = diff(got, want, {});
    std::string out;
    for (const auto& c : d.changes) {
        out += "\n  " + describe(c);
        if (auto m = std::get_if<ModifyTable>(&c))
            for (const auto& tc : m->changes) out += "\n    " + describe(tc, m->to);
    }
    return out;
}

}  // namespace

Scope scope_of(const Diff& d, const Plan& up, const Schema& from) {
    Scope scope;
    auto relation = [&](const Ident& n) { scope.relations.insert(n.key()); };
    for (const auto& c : d.changes) {
        std::visit(
            [&](const auto& ch) {
                using T = std::decay_t<decltype(ch)>;
                if constexpr (std::is_same_v<T, DropTable>) relation(ch.table.name);
                else if constexpr (std::is_same_v<T, RenameTable>) relation(ch.from);
                else if constexpr (std::is_same_v<T, ModifyTable>) {
                    relation(ch.to.name);
                    for (const auto& fk : ch.to.foreign_keys) relation(fk.parent);
                } else if constexpr (std::is_same_v<T, AddTable>) {
                    for (const auto& fk : ch.table.foreign_keys) relation(fk.parent);
                } else if constexpr (std::is_same_v<T, DropIndex>) scope.indexes.insert(ch.index.name.key());
                else if constexpr (std::is_same_v<T, ModifyIndex>) scope.indexes.insert(ch.from.name.key());
                else if constexpr (std::is_same_v<T, AddIndex>) relation(ch.index.table);
                else if constexpr (std::is_same_v<T, DropView>) relation(ch.view.name);
                else if constexpr (std::is_same_v<T, ModifyView>) relation(ch.from.name);
                else if constexpr (std::is_same_v<T, AddView>) {
                    for (const auto& t : ch.view.select.tokens())
                        if (t.kind == TokenKind::word || t.kind == TokenKind::quoted) relation(Ident(t.text));
                } else if constexpr (std::is_same_v<T, DropTrigger>) scope.triggers.insert(ch.trigger.name.key());
                else if constexpr (std::is_same_v<T, ModifyTrigger>) scope.triggers.insert(ch.from.name.key());
                else if constexpr (std::is_same_v<T, AddTrigger>) {
                    relation(ch.trigger.table);
                    for (const auto& s : ch.trigger.body)
                        for (const auto& t : s.tokens())
                            if (t.kind == TokenKind::word || t.kind == TokenKind::quoted) relation(Ident(t.text));
                } else if constexpr (std::is_same_v<T, DropVirtualTable>) relation(ch.table.name);
                else if constexpr (std::is_same_v<T, ModifyVirtualTable> || std::is_same_v<T, AddVirtualTable>) {
                    if constexpr (std::is_same_v<T, ModifyVirtualTable>) relation(ch.from.name);
                    const VirtualTable& vt = [&]() -> const VirtualTable& {
                        if constexpr (std::is_same_v<T, ModifyVirtualTable>) return ch.to;
                        else return ch.table;
                    }();
                    for (const auto& a : vt.args)
                        for (const auto& t : a.tokens())
                            if (t.kind == TokenKind::word || t.kind == TokenKind::quoted) relation(Ident(t.text));
                }
            },
            c);
    }
    // Renamed tables are known by their old names on the `from` side.
    for (const auto& [new_key, r] : d.applied.tables)
        if (scope.relations.erase(new_key)) relation(r.from);
    for (const auto& t : up.rebuilt) {
        auto r = d.applied.tables.find(t.key());
        relation(r == d.applied.tables.end() ? t : r->second.from);
    }
    // Keep only names that exist in `from`; closure over what they depend on.
    for (auto it = scope.relations.begin(); it != scope.relations.end();)
        it = from.has_relation(Ident(*it)) ? std::next(it) : scope.relations.erase(it);
    add_relation_closure(from, scope);
    return scope;
}

void prove(const Schema& from, const Schema& to, const Diff& d, const Plan& up, const Plan& down,
           const std::vector<SourceFile>* sources) {
    Scope before = scope_of(d, up, from);
    // The same objects after the migration: renamed, plus what it adds.
    Scope after;
    for (const auto& key : before.relations) {
        std::string k = key;
        for (const auto& [new_key, r] : d.applied.tables)
            if (r.from.key() == key) k = new_key;
        after.relations.insert(k);
    }
    after.triggers = before.triggers;
    for (const auto& c : d.changes) {
        if (auto a = std::get_if<AddTable>(&c)) after.relations.insert(a->table.name.key());
        if (auto a = std::get_if<AddView>(&c)) after.relations.insert(a->view.name.key());
        if (auto a = std::get_if<AddVirtualTable>(&c)) after.relations.insert(a->table.name.key());
        if (auto a = std::get_if<AddTrigger>(&c)) after.triggers.insert(a->trigger.name.key());
    }
    for (const auto& [key, i] : to.indexes)
        if (after.relations.count(i.table.key())) after.indexes.insert(key);
    for (const auto& [key, t] : to.triggers)
        if (after.relations.count(t.table.key())) after.triggers.insert(key);

    auto db = build_shadow(from, &before);
    db.exec("PRAGMA foreign_keys = ON");
    InspectOptions io;
    io.ignore_tables.clear();
    io.origin = "shadow database";

    Schema want_after = restrict_to(to, after);
    run_plan(db, up, "forward", sources);
    check_views(db, want_after, sources);
    Schema got_after = inspect(db, io);
    if (!same_schema(got_after, want_after))
        throw ProofError("the forward migration does not reach the declared schema; it would leave:" +
                             differences(want_after, got_after),
                         {}, true);

    Schema want_before = restrict_to(from, before);
    run_plan(db, down, "rollback", sources);
    Schema got_before = inspect(db, io);
    if (!same_schema(got_before, want_before))
        throw ProofError("the rollback does not restore the schema it starts from; it would leave:" +
                             differences(want_before, got_before),
                         {}, true);
}

}  // namespace schema

// The proof: diff(apply(from, up), to) is empty and diff(apply(apply(from, up), down), from)
// is empty, on the part of the schema the migration touches.
#include <fmt/format.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "schema/inspect.hpp"
#include "schema/migrate.hpp"
#include "schema/timing.hpp"
#include "schema/verify.hpp"
#include "schema/write.hpp"

namespace schema {

namespace {

void add_relation_closure(const Schema& s, Scope& scope) {
    bool grew = true;
    while (grew) {
        grew = false;
        auto add = [&](std::set<std::string>& set, const std::string& key) {
            if (set.insert(key).second) grew = true;
        };
        for (const auto& [key, i] : s.indexes) {
            if (scope.relations.count(i.table.key())) add(scope.indexes, key);
            if (scope.indexes.count(key)) add(scope.relations, i.table.key());
        }
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
        // An external-content FTS table needs its content table to be rebuilt from.
        for (const auto& [key, v] : s.virtual_tables)
            if (scope.relations.count(key))
                for (const auto& r : relations_used_by(v, s)) add(scope.relations, r.key());
        for (const auto& [key, tr] : s.triggers) {
            bool in = scope.triggers.count(key) != 0;
            if (in) add(scope.relations, tr.table.key());
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

// Tables whose rows a change of `names` acts on through their foreign keys: the
// children of a dropped table (its implicit DELETE fires their ON DELETE) and of
// a renamed one (their REFERENCES are rewritten).
void add_children_of(const Schema& from, const std::set<std::string>& names, Scope& scope) {
    for (const auto& [key, t] : from.tables)
        for (const auto& fk : t.foreign_keys)
            if (names.count(fk.parent.key())) scope.relations.insert(key);
}

std::string first_line(std::string_view sql) { return std::string(sql.substr(0, sql.find('\n'))); }

// The plan's steps as the written file holds them: the file split into statements
// by SQLite's own rules must give back exactly the steps, in order.
Plan as_written(const Plan& plan, std::string_view text, const sqlite::Script& script, const char* which) {
    const auto& statements = script.statements;
    auto fail = [&](const std::string& what) {
        throw ProofError(fmt::format("the {} migration file does not hold the planned statements: {}; nothing is "
                                     "written (a bug in schema: please report it)",
                                     which, what),
                         {}, true);
    };
    if (!script.fully_readable())
        fail(fmt::format("SQLite stops reading it at the NUL byte on line {}", script.unread_line));
    Plan out = plan;
    for (std::size_t i = 0; i < std::max(statements.size(), plan.steps.size()); ++i) {
        if (i >= statements.size())
            fail(fmt::format("the statement `{}` is missing from it", first_line(plan.steps[i].sql)));
        std::string_view written = statements[i].text(text);
        int line = statements[i].line;
        if (i >= plan.steps.size())
            fail(fmt::format("line {} holds a statement that is not planned: `{}`", line, first_line(written)));
        std::string_view bare = written;
        if (!bare.empty() && bare.back() == ';') bare.remove_suffix(1);
        if (bare != plan.steps[i].sql)
            fail(fmt::format("line {} reads `{}` where `{}` is planned", line, first_line(written),
                             first_line(plan.steps[i].sql)));
        out.steps[i].sql = std::string(written);
    }
    return out;
}

// Runs the statements in one transaction as the runner does: foreign keys on or
// off, and when off, PRAGMA foreign_key_check before COMMIT. A failing step
// becomes a ProofError at its source.
void run_plan(sqlite::Database& db, const Plan& plan, bool foreign_keys_on, const char* direction,
              const std::vector<SourceFile>* sources) {
    db.exec(foreign_keys_on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF");
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
    try {
        if (!foreign_keys_on && db.query_text("PRAGMA foreign_key_check"))
            throw sqlite::Error(SQLITE_CONSTRAINT_FOREIGNKEY, "FOREIGN KEY check failed");
        db.exec("COMMIT");
    } catch (const sqlite::Error& e) {
        if (db.in_transaction()) db.exec("ROLLBACK");
        throw ProofError(fmt::format("the {} migration fails in the shadow database at COMMIT: {}", direction,
                                     e.what()),
                         {}, true);
    }
}

// The same rows must be in every table that stays: a count, and the rowids
// where both sides have them.
void check_rows(sqlite::Database& db, const std::vector<SampledTable>& samples, const Schema& now, bool forward) {
    for (const auto& s : samples) {
        const Table* t = now.table(forward ? (s.to_name ? *s.to_name : Ident()) : s.from_name);
        if (!t || (!forward && !s.to_name)) continue;  // dropped (and by the rollback recreated empty)
        std::string rows = rows_of(db, *t);
        bool both_rowids = s.keeps_rowids && rows.find("rowids") != std::string::npos &&
                           s.rows.find("rowids") != std::string::npos;
        auto count = [](const std::string& r) { return r.substr(0, r.find(" rows")); };
        if (both_rowids ? rows == s.rows : count(rows) == count(s.rows)) continue;
        throw ProofError(fmt::format("the {} changes the rows of table {}, which it keeps: {} before, {} after",
                                     forward ? "forward migration" : "rollback", t->name.sql(), s.rows, rows),
                         {}, true);
    }
}

// Every view must compile: SQLite accepts CREATE VIEW over missing tables or columns.
void check_views(sqlite::Database& db, const Schema& expected, const std::vector<SourceFile>* sources) {
    for (const auto& [key, v] : expected.views) {
        try {
            db.prepare("SELECT * FROM " + v.name.sql() + " LIMIT 0");
        } catch (const sqlite::Error& e) {
            // Functions the application registers at run time are not here.
            if (std::string_view(e.what()).rfind("no such function", 0) == 0) continue;
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
                else if constexpr (std::is_same_v<T, ModifyTable>) relation(ch.to.name);
                else if constexpr (std::is_same_v<T, DropIndex>) scope.indexes.insert(ch.index.name.key());
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
                    for (const auto& r : relations_used_by(vt, from)) relation(r);
                } else if constexpr (std::is_same_v<T, AddTable>) {
                    // nothing of `from` to copy in: a new table's parents come as context
                } else static_assert(unhandled<T>);
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
    // The tables that reference one that is dropped, renamed or rebuilt come in
    // too: their rows must still reference rows that are there (the sqlite
    // dialect rebuilds a parent alone, its children untouched).
    std::set<std::string> parents_changed;
    for (const auto& c : d.changes) {
        if (auto dt = std::get_if<DropTable>(&c)) parents_changed.insert(dt->table.name.key());
        if (auto rt = std::get_if<RenameTable>(&c)) parents_changed.insert(rt->from.key());
    }
    for (const auto& t : up.rebuilt) {
        auto r = d.applied.tables.find(t.key());
        parents_changed.insert(r == d.applied.tables.end() ? t.key() : r->second.from.key());
    }
    add_children_of(from, parents_changed, scope);
    // Keep only names that exist in `from`; closure over what they depend on.
    for (auto it = scope.relations.begin(); it != scope.relations.end();)
        it = from.has_relation(Ident(*it)) ? std::next(it) : scope.relations.erase(it);
    add_relation_closure(from, scope);
    return scope;
}

namespace {

// Disjoint sets over objects.
class Components {
public:
    void add(const ObjectKey& k) { parent_.emplace(k, k); }
    ObjectKey find(const ObjectKey& k) {
        add(k);
        ObjectKey root = k;
        while (parent_[root] != root) root = parent_[root];
        for (ObjectKey cur = k; parent_[cur] != root;) cur = std::exchange(parent_[cur], root);
        return root;
    }
    void unite(const ObjectKey& a, const ObjectKey& b) {
        ObjectKey ra = find(a), rb = find(b);
        if (ra != rb) parent_[std::max(ra, rb)] = std::min(ra, rb);
    }
    void unite_all(const std::vector<ObjectKey>& keys) {
        for (std::size_t i = 1; i < keys.size(); ++i) unite(keys[0], keys[i]);
    }

private:
    std::map<ObjectKey, ObjectKey> parent_;
};

// One independent part of a migration: its objects, and the steps that touch them.
struct Part {
    Scope before, after;
    Plan up, down;
    // Tables in the shadow only because a table of the part references them:
    // with foreign keys on, SQLite refuses any write to a table whose parent is
    // missing. The part's steps leave them alone; another part may change them.
    std::set<std::string> context;
};

// The tables that the tables of `p` reference, theirs in turn, on either side of
// the migration (by their `from` names), that are not the part's own.
std::set<std::string> parents_outside(const Schema& from, const Schema& to, const Part& p) {
    std::set<std::string> out;
    std::vector<std::string> queue(p.after.relations.begin(), p.after.relations.end());
    auto visit = [&](const Ident& parent) {
        const std::string k = parent.key();
        if (!from.tables.count(k) || p.before.relations.count(k) || p.after.relations.count(k)) return;
        if (out.insert(k).second) queue.push_back(k);
    };
    while (!queue.empty()) {
        const std::string k = std::move(queue.back());
        queue.pop_back();
        for (const Schema* s : {&from, &to})
            if (auto t = s->tables.find(k); t != s->tables.end())
                for (const auto& fk : t->second.foreign_keys) visit(fk.parent);
    }
    return out;
}

void add_key(Scope& s, const ObjectKey& key) {
    switch (key.kind) {
        case ObjectKey::Kind::relation: s.relations.insert(key.name); break;
        case ObjectKey::Kind::index: s.indexes.insert(key.name); break;
        case ObjectKey::Kind::trigger: s.triggers.insert(key.name); break;
    }
}

// Splits the proof into parts that share no object: SQLite's ALTER TABLE re-reads
// every object of the schema, so one shadow per independent part keeps the proof
// proportional to the change, not to (change × schema).
std::vector<Part> split(const Schema& from, const Schema& to, const Scope& before, const Plan& up,
                        const Plan& down) {
    Components c;
    for (const auto& k : before.relations) c.add(ObjectKey::relation(k));
    for (const auto& k : before.indexes) {
        c.unite(ObjectKey::index(k), relation_key(from.indexes.at(k).table));
    }
    for (const auto& k : before.triggers) {
        const Trigger& t = from.triggers.at(k);
        for (const auto& r : relations_used_by(t, from)) c.unite(ObjectKey::trigger(k), relation_key(r));
    }
    for (const auto& k : before.relations)
        if (auto v = from.view(Ident(k)))
            for (const auto& r : relations_used_by(*v, from)) c.unite(ObjectKey::relation(k), relation_key(r));
    for (const auto* plan : {&up, &down})
        for (const auto& st : plan->steps) c.unite_all(st.touches);
    // A table shares its part with a parent that any step changes: as mere context
    // the parent would stay as it was before. Its DROP (a parent dropped, or
    // renamed away) fires the table's ON DELETE; a new parent is created by a
    // step; a rebuilt one (alone, as the sqlite dialect does) must still hold the
    // rows the table's rows reference; and the table's new definition may already
    // name what the change gives the parent (a renamed key column: "foreign key
    // mismatch"; property seed 20261377). Parents no step changes come in as
    // context.
    std::set<ObjectKey> changed;
    for (const auto* plan : {&up, &down})
        for (const auto& st : plan->steps) changed.insert(st.touches.begin(), st.touches.end());
    std::set<ObjectKey> relations = changed;
    for (const auto& k : before.relations) relations.insert(ObjectKey::relation(k));
    for (const auto& k : relations) {
        if (k.kind != ObjectKey::Kind::relation) continue;
        for (const Schema* side : {&from, &to})
            if (auto t = side->tables.find(k.name); t != side->tables.end())
                for (const auto& fk : t->second.foreign_keys)
                    if (changed.count(relation_key(fk.parent))) c.unite(k, relation_key(fk.parent));
    }
    // Objects on the `to` side that the steps do not name (indexes and triggers of
    // a table in a part) join their table's part.
    for (const auto& [k, i] : to.indexes) c.unite(ObjectKey::index(k), relation_key(i.table));
    for (const auto& [k, t] : to.triggers) c.unite(ObjectKey::trigger(k), relation_key(t.table));

    std::map<ObjectKey, Part> parts;
    auto part_of = [&](const ObjectKey& key) -> Part& { return parts[c.find(key)]; };
    auto place = [&](const ObjectKey& key) { add_key(part_of(key).before, key); };
    for (const auto& k : before.relations) place(ObjectKey::relation(k));
    for (const auto& k : before.indexes) place(ObjectKey::index(k));
    for (const auto& k : before.triggers) place(ObjectKey::trigger(k));
    // Steps go to their part in plan order; those that name no object (PRAGMA)
    // go to every part, in their place.
    for (const auto* plan : {&up, &down}) {
        std::vector<const Step*> global;
        std::map<Part*, std::size_t> taken;  // how many globals each part has seen
        for (const auto& st : plan->steps) {
            if (st.touches.empty()) {
                global.push_back(&st);
                continue;
            }
            Part& p = part_of(st.touches.front());
            auto& steps = (plan == &up ? p.up : p.down).steps;
            for (std::size_t& n = taken[&p]; n < global.size(); ++n) steps.push_back(*global[n]);
            steps.push_back(st);
            for (const auto& k : st.touches) add_key(p.after, k);
        }
        for (auto& [root, p] : parts) {
            auto& steps = (plan == &up ? p.up : p.down).steps;
            for (std::size_t n = taken[&p]; n < global.size(); ++n) steps.push_back(*global[n]);
        }
    }
    std::map<std::string, std::vector<std::string>> indexes_on, triggers_on;
    for (const auto& [k, i] : to.indexes) indexes_on[i.table.key()].push_back(k);
    for (const auto& [k, t] : to.triggers) triggers_on[t.table.key()].push_back(k);
    std::vector<Part> out;
    for (auto& [root, p] : parts) {
        for (const auto& k : p.before.relations) p.after.relations.insert(k);
        for (const auto& k : p.before.triggers) p.after.triggers.insert(k);
        for (const auto& r : p.after.relations) {
            for (const auto& k : indexes_on[r]) p.after.indexes.insert(k);
            for (const auto& k : triggers_on[r]) p.after.triggers.insert(k);
        }
        // What the shadow holds afterwards: what it held before, and what is new.
        // An object that exists before but was not copied in stays out, though
        // a step names it (a parent as context) or a name-based dependency
        // reaches it (a view whose SELECT reads like a new table named "select").
        auto erase_absent = [](std::set<std::string>& after, const std::set<std::string>& before, auto existed) {
            for (auto it = after.begin(); it != after.end();)
                it = !before.count(*it) && existed(*it) ? after.erase(it) : std::next(it);
        };
        erase_absent(p.after.relations, p.before.relations, [&](const std::string& k) { return from.has_relation(Ident(k)); });
        erase_absent(p.after.indexes, p.before.indexes, [&](const std::string& k) { return from.indexes.count(k) != 0; });
        erase_absent(p.after.triggers, p.before.triggers, [&](const std::string& k) { return from.triggers.count(k) != 0; });
        p.context = parents_outside(from, to, p);
        for (const auto& k : p.context) p.before.relations.insert(k);
        p.up.text_edited_in_place = up.text_edited_in_place;
        p.down.text_edited_in_place = down.text_edited_in_place;
        out.push_back(std::move(p));
    }
    return out;
}

// Every object of `from` a step of either plan names goes into the shadow, with
// what it depends on: the planner's name-based dependencies may reach further
// than the changes do (a view dropped and recreated around a new table whose
// name is a word of its SELECT), and each statement must find its object.
void include_touched(Scope& scope, const Schema& from, const Plan& up, const Plan& down) {
    if (scope.everything) return;
    for (const auto* plan : {&up, &down})
        for (const auto& st : plan->steps)
            for (const auto& k : st.touches) {
                const bool in_from = k.kind == ObjectKey::Kind::relation ? from.has_relation(Ident(k.name))
                                     : k.kind == ObjectKey::Kind::index  ? from.indexes.count(k.name) != 0
                                                                         : from.triggers.count(k.name) != 0;
                if (in_from) add_key(scope, k);
            }
    add_relation_closure(from, scope);
}

// A plan the planner knows cannot run with foreign keys on, where its runner
// runs it so (D1): a refusal that says why, not a failure of the shadow.
void refuse_if_keys_must_be_off(const Plan& plan, bool keys_on, const char* which) {
    if (!keys_on || plan.needs_foreign_keys_off_because.empty()) return;
    std::string why;
    for (const auto& w : plan.needs_foreign_keys_off_because) why += "\n  " + w;
    throw ProofError(fmt::format("the {} migration cannot run with foreign keys on, as the D1 runner runs it:{}\n"
                                 "Split the change: drop one of these foreign keys in a migration of its own first.",
                                 which, why),
                     {}, false);
}

// Each object's stored text, by kind and key.
std::map<std::string, std::pair<const Ident*, const StoredSql*>> texts_of(const Schema& s) {
    std::map<std::string, std::pair<const Ident*, const StoredSql*>> out;
    for (const auto& [k, o] : s.tables) out["table " + k] = {&o.name, &o.stored};
    for (const auto& [k, o] : s.virtual_tables) out["virtual table " + k] = {&o.name, &o.stored};
    for (const auto& [k, o] : s.indexes) out["index " + k] = {&o.name, &o.stored};
    for (const auto& [k, o] : s.views) out["view " + k] = {&o.name, &o.stored};
    for (const auto& [k, o] : s.triggers) out["trigger " + k] = {&o.name, &o.stored};
    return out;
}

// Every object of `got` has the text of its counterpart in `want` (or, when
// `unchanged` is given, the one it had there), but for how names are quoted;
// tables `edited_in_place` by ALTER TABLE have the text SQLite made.
void check_texts(const Schema& got, const Schema& want, const Schema* unchanged,
                 const std::vector<Ident>& edited_in_place, const std::string& failure) {
    const auto wanted = texts_of(want);
    const auto before = unchanged ? texts_of(*unchanged) : decltype(wanted){};
    std::set<std::string> exempt;
    for (const auto& t : edited_in_place) exempt.insert("table " + t.key());
    for (const auto& [key, object] : texts_of(got)) {
        auto w = wanted.find(key);
        if (exempt.count(key) || w == wanted.end() || w->second.second->empty()) continue;
        const std::string& text = object.second->text;
        if (same_text_but_quoting(text, w->second.second->text)) continue;
        if (auto b = before.find(key); b != before.end() && same_text_but_quoting(text, b->second.second->text))
            continue;
        throw ProofError(fmt::format("{} of {}:\n  expected: {}\n  found:    {}", failure, key,
                                     w->second.second->text, text),
                         {}, true);
    }
}

// How the runner runs the pair.
struct KeysOn {
    bool up, down;
};

void prove_part(const Schema& from, const Schema& to, const Renames& renames, const Part& part, KeysOn keys,
                const std::vector<SourceFile>* sources) {
    auto db = build_shadow(from, &part.before);
    db.exec("PRAGMA foreign_keys = ON");
    const auto samples = add_sample_rows(db, restrict_to(from, part.before), to, renames);
    InspectOptions io;
    io.ignore_tables.clear();
    io.origin = "shadow database";
    // The shadow holds our own rendering of the model; the pragma cross-check
    // guards the reading of foreign SQL (the live database), not this.
    io.cross_check = false;

    Schema want_after = restrict_to(to, part.after);
    run_plan(db, part.up, keys.up, "forward", sources);
    check_views(db, want_after, sources);
    Schema got_after = inspect(db, io);
    for (const auto& k : part.context) got_after.tables.erase(k);
    if (!same_schema(got_after, want_after))
        throw ProofError("the forward migration does not reach the declared schema; the differences:" +
                             differences(want_after, got_after),
                         {}, true);
    // Renames make SQLite edit the text of every object that names what they rename.
    if (renames.empty()) {
        const Schema unchanged = restrict_to(from, part.before);
        check_texts(got_after, want_after, &unchanged, part.up.text_edited_in_place,
                    "the forward migration creates an object with a text other than its declared one");
    }
    check_rows(db, samples, want_after, true);

    Schema want_before = restrict_to(from, part.before);
    run_plan(db, part.down, keys.down, "rollback", sources);
    Schema got_before = inspect(db, io);
    if (!same_schema(got_before, want_before))
        throw ProofError("the rollback does not restore the schema it starts from; the differences:" +
                             differences(want_before, got_before),
                         {}, true);
    check_texts(got_before, want_before, nullptr, part.down.text_edited_in_place,
                "the rollback does not restore the text");
    check_rows(db, samples, want_before, false);
}

}  // namespace

void prove(const Schema& from, const Schema& to, const Diff& d, const Plan& planned_up, const Plan& planned_down,
           const WrittenMigration& up_file, const WrittenMigration& down_file,
           const std::vector<SourceFile>* sources) {
    refuse_unknown_modules(d);
    const auto up_script = sqlite::split_script(up_file.text);
    const auto down_script = sqlite::split_script(down_file.text);
    const Plan up = as_written(planned_up, up_file.text, up_script, "forward");
    const Plan down = as_written(planned_down, down_file.text, down_script, "rollback");
    const KeysOn keys{migrate::runs_with_foreign_keys_on(up_file.text, up_script, up_file.dialect),
                      migrate::runs_with_foreign_keys_on(down_file.text, down_script, down_file.dialect)};
    refuse_if_keys_must_be_off(planned_up, keys.up, "forward");
    refuse_if_keys_must_be_off(planned_down, keys.down, "rollback");
    Scope before = scope_of(d, up, from);
    include_touched(before, from, up, down);
    std::vector<Part> parts;
    {
        PhaseTimer t(fmt::format("  proof: split ({} objects)",
                                 before.relations.size() + before.indexes.size() + before.triggers.size()));
        parts = split(from, to, before, up, down);
    }
    PhaseTimer t(fmt::format("  proof: {} parts on shadows", parts.size()));
    // The parts share nothing, so they run side by side, one shadow database per
    // thread at a time. The first failing part (in part order) is the one reported,
    // so the outcome does not depend on scheduling.
    std::size_t threads = std::max<std::size_t>(1, std::min<std::size_t>(std::thread::hardware_concurrency(), 8));
    threads = std::min(threads, parts.size());
    std::atomic<std::size_t> next{0};
    std::vector<std::exception_ptr> errors(parts.size());
    auto worker = [&] {
        for (std::size_t i; (i = next++) < parts.size();) {
            try {
                prove_part(from, to, d.applied, parts[i], keys, sources);
            } catch (...) {
                errors[i] = std::current_exception();
            }
        }
    };
    std::vector<std::thread> pool;
    for (std::size_t i = 1; i < threads; ++i) pool.emplace_back(worker);
    worker();
    for (auto& th : pool) th.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

void prove(const Schema& from, const Schema& to, const Diff& d, const Plan& up, const Plan& down,
           const std::vector<SourceFile>* sources) {
    const std::string up_text = migration_text(up, {"proof.sql", "rollback/proof.sql", false, {}, Dialect::sqlite});
    const std::string down_text =
        migration_text(down, {"proof.sql", "proof.sql", true, up.data_loss, Dialect::sqlite});
    prove(from, to, d, up, down, {up_text, Dialect::sqlite}, {down_text, Dialect::sqlite}, sources);
}

}  // namespace schema

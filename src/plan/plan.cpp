// The planner: which tables ALTER TABLE can change and which must be rebuilt,
// what depends on them, and the order of the statements.
//
// Statement order (each phase only needs what the earlier ones left in place):
//    0. sqlite dialect, a rebuilt table that others reference: a guard that stops
//       the file where foreign keys are on (the runner switches them off);
//       otherwise PRAGMA defer_foreign_keys (only when tables are rebuilt, or
//       dropped tables reference each other)
//    1. DROP TRIGGER   dropped, changed, and those that depend on a table or view
//                      that is dropped or rebuilt below
//    2. DROP VIEW      likewise, readers before what they read
//    3. DROP INDEX     dropped and changed (indexes of dropped or rebuilt
//                      tables go with their table)
//    4. DROP TABLE     dropped/changed virtual tables, dropped tables whose
//                      name a new virtual table takes, and, when tables are
//                      rebuilt, dropped tables no kept table references
//    5. ALTER TABLE ... RENAME TO            hinted table renames
//    6. ALTER TABLE ... RENAME COLUMN        hinted column renames
//    7. ALTER TABLE ... DROP / ADD COLUMN    tables that need nothing more
//    8. CREATE TABLE / VIRTUAL TABLE         new ones, parents first
//    9. rebuilds (rebuild.cpp)
//   9b. DROP TABLE     the other dropped tables, children first: after the rebuilds, so that
//                      a kept table rebuilt without its reference to one no longer
//                      references it when it goes (no ON DELETE action fires)
//   10. CREATE INDEX   new, changed, and every index of a rebuilt table
//   11. CREATE VIEW    in dependency order
//   12. CREATE TRIGGER
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "internal.hpp"

namespace schema {

namespace {

using namespace plan_detail;

template <typename T>
std::vector<const T*> of_kind(const Diff& d) {
    std::vector<const T*> out;
    for (const auto& c : d.changes)
        if (auto p = std::get_if<T>(&c)) out.push_back(p);
    return out;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
    return out;
}

// External-content FTS tables index another table's rows and can be rebuilt
// from it; any other virtual table's content is lost when it is recreated.
bool rebuildable_index(const VirtualTable& v) {
    if (!iequals(v.module.name(), "fts4") && !iequals(v.module.name(), "fts5")) return false;
    for (const auto& a : v.args) {
        const auto& t = a.tokens();
        if (t.size() >= 3 && t[0].is("content") && t[1].is("=") &&
            !(t[2].kind == TokenKind::string && t[2].text.empty()))
            return true;
    }
    return false;
}

class Planner {
public:
    Planner(const Diff& d, const Schema& from, const Schema& to, const PlanOptions& options)
        : d_(d), from_(from), to_(to), options_(options) {
        // The old schema as the renames leave it; the same object when there are none.
        if (!d.applied.empty()) renamed_ = apply_renames(from, d.applied);
        mapped_ = renamed_ ? &*renamed_ : &from;
        for (const auto& c : d.changes) {
            if (auto a = std::get_if<AddIndex>(&c)) new_indexes_.insert(a->index.name.key());
            if (auto m = std::get_if<ModifyIndex>(&c)) changed_indexes_.insert(m->to.name.key());
            if (auto m = std::get_if<ModifyTrigger>(&c)) changed_triggers_.insert(m->to.name.key());
        }
    }

    Plan run() {
        classify_tables();
        if (moves_children()) close_over_children();
        note_renamed_texts();
        mark_gone();
        collect_dependents();
        summarize();
        emit();
        list_row_losses();
        return std::move(plan_);
    }

private:
    const Diff& d_;
    const Schema& from_;
    const Schema& to_;
    const PlanOptions& options_;
    std::optional<Schema> renamed_;
    const Schema* mapped_ = nullptr;  // from, with the hinted renames applied
    std::set<std::string> new_indexes_, changed_indexes_, changed_triggers_;
    Plan plan_;

    struct TablePlan {
        const ModifyTable* change = nullptr;
        std::vector<std::string> refusals;  // why ALTER TABLE cannot do it; empty: ALTER
        std::string along_with;             // rebuilt because it references this rebuilt table
    };
    std::map<std::string, TablePlan> tables_;  // modified tables and rebuilt children, by new key
    std::set<std::string> rebuilt_;            // keys
    std::set<std::string> gone_;               // tables / virtual tables dropped or rebuilt
    std::set<std::string> views_out_, triggers_out_;  // dropped before, recreated after if declared
    std::map<ObjectKey, std::string> recreated_why_;  // dependent view or trigger → reason

    bool is_rebuilt(const Ident& t) const { return rebuilt_.count(t.key()) != 0; }

    void classify_tables() {
        // Per table, its indexes that the plan leaves as they are.
        std::map<std::string, std::vector<const Index*>> kept;
        for (const auto& [key, i] : mapped_->indexes) {
            const Index* declared = to_.index(i.name);
            if (declared && same_definition(*declared, i)) kept[i.table.key()].push_back(&i);
        }
        for (const ModifyTable* m : of_kind<ModifyTable>(d_)) {
            TablePlan tp;
            tp.change = m;
            const auto& kept_here = kept[m->to.name.key()];
            for (const auto& c : m->changes)
                if (auto why = alter_refusal(c, *m, kept_here))
                    if (std::find(tp.refusals.begin(), tp.refusals.end(), *why) == tp.refusals.end())
                        tp.refusals.push_back(*why);
            if (tp.refusals.empty()) decide_text(*m, tp);
            if (!tp.refusals.empty()) rebuilt_.insert(m->to.name.key());
            tables_.emplace(m->to.name.key(), std::move(tp));
        }
    }

    // A table ALTER TABLE can change in place: the text SQLite keeps for it then
    // (PlanOptions::restore_text, Plan::text_edited_in_place).
    void decide_text(const ModifyTable& m, TablePlan& tp) {
        const bool adds = std::any_of(m.changes.begin(), m.changes.end(),
                                      [](const TableChange& c) { return std::holds_alternative<AddColumn>(c); });
        if (options_.restore_text && adds) {
            tp.refusals.push_back("a rollback restores the table's text, and ADD COLUMN would append the column to it");
            return;
        }
        if (m.to.stored.empty()) return;
        auto altered = table_after_alter(m);
        if (altered && same_text_but_quoting(altered->stored.text, m.to.stored.text)) return;
        edited_in_place(m.to.name);
        if (altered) plan_.tables_as_altered.push_back(with_text_of(m.to, *altered));
    }

    // `declared` with the text (and spans) of `altered`, the same table as ALTER left it.
    static Table with_text_of(const Table& declared, const Table& altered) {
        Table t = declared;
        t.stored = altered.stored;
        for (auto& c : t.columns) {
            const Column* a = altered.column(c.name);
            c.span = a ? a->span : TextSpan{};
        }
        for (auto& fk : t.foreign_keys) {
            fk.parent_span = {};
            for (const auto& a : altered.foreign_keys)
                if (a.columns == fk.columns && a.parent == fk.parent) fk.parent_span = a.parent_span;
        }
        return t;
    }

    void edited_in_place(const Ident& table) {
        auto& list = plan_.text_edited_in_place;
        if (std::find(list.begin(), list.end(), table) == list.end()) list.push_back(table);
    }

    // The text SQLite keeps for m.to once ALTER TABLE has changed m.from in place
    // (drops first, as emit() orders them): known unless a column is renamed.
    static std::optional<Table> table_after_alter(const ModifyTable& m) {
        Table t = m.from;
        for (const auto& c : m.changes)
            if (auto drop = std::get_if<DropColumn>(&c); drop && !drop_column_from_text(t, drop->column.name))
                return std::nullopt;
        for (const auto& c : m.changes) {
            if (std::holds_alternative<RenameColumn>(c)) return std::nullopt;
            if (auto add = std::get_if<AddColumn>(&c)) {
                Column added = add->column;
                added.declared_sql = add_column_sql(add->column, m.to);
                if (!add_column_to_text(t, added)) return std::nullopt;
            }
        }
        return t;
    }

    // A table RENAME TABLE renames keeps its text, SQLite editing the names in it.
    void note_renamed_texts() {
        for (auto c : of_kind<RenameTable>(d_)) {
            const Table* before = from_.table(c->from);
            const Table* after = to_.table(c->to);
            if (rebuilt_.count(c->to.key()) || !before || !after || after->stored.empty()) continue;
            const std::string renamed = create_sql_as(*before, after->name, {{before->name.key(), after->name}});
            if (!same_text_but_quoting(renamed, after->stored.text)) edited_in_place(after->name);
        }
    }

    // A table that references a rebuilt table is rebuilt with it (see rebuild.cpp):
    // dropping the old parent must not find anything still referencing it.
    void close_over_children() {
        std::map<std::string, std::vector<const Table*>> children;  // parent key → referencing tables
        for (const auto& [key, t] : mapped_->tables)
            for (const auto& fk : t.foreign_keys)
                if (fk.parent.key() != key) children[fk.parent.key()].push_back(&t);
        std::vector<std::string> queue(rebuilt_.begin(), rebuilt_.end());
        while (!queue.empty()) {
            std::string parent = std::move(queue.back());
            queue.pop_back();
            for (const Table* child : children[parent]) {
                const std::string key = child->name.key();
                if (rebuilt_.count(key) || !to_.tables.count(key)) continue;
                rebuilt_.insert(key);
                tables_[key].along_with = to_.tables.at(parent).name.sql();
                queue.push_back(key);
            }
        }
    }

    // See PlanOptions::dialect.
    bool moves_children() const { return options_.dialect == Dialect::d1 || options_.skip_violating_rows; }

    // Tables that reference a rebuilt one and stay as they are: with foreign keys
    // on, the rebuild would fire their ON DELETE actions.
    bool rebuild_needs_keys_off() const {
        for (const auto& [key, t] : mapped_->tables) {
            if (rebuilt_.count(key) || !to_.tables.count(key)) continue;
            for (const auto& fk : t.foreign_keys)
                if (fk.parent.key() != key && rebuilt_.count(fk.parent.key())) return true;
        }
        return false;
    }

    void mark_gone() {
        for (const auto& k : rebuilt_) gone_.insert(k);
        for (auto c : of_kind<DropTable>(d_)) gone_.insert(c->table.name.key());
        for (auto c : of_kind<DropVirtualTable>(d_)) gone_.insert(c->table.name.key());
        for (auto c : of_kind<ModifyVirtualTable>(d_)) gone_.insert(c->to.name.key());
    }

    // Columns dropped with ALTER TABLE: views and triggers naming both the table
    // and the column are recreated around it (SQLite refuses to drop a column a
    // view or trigger uses).
    std::vector<std::pair<Ident, Ident>> altered_column_drops() const {
        std::vector<std::pair<Ident, Ident>> out;
        for (const auto& [key, tp] : tables_) {
            if (rebuilt_.count(key) || !tp.change) continue;
            for (const auto& c : tp.change->changes)
                if (auto dc = std::get_if<DropColumn>(&c)) out.emplace_back(tp.change->to.name, dc->column.name);
        }
        return out;
    }

    void collect_dependents() {
        for (auto c : of_kind<DropView>(d_)) views_out_.insert(c->view.name.key());
        for (auto c : of_kind<ModifyView>(d_)) views_out_.insert(c->from.name.key());
        for (auto c : of_kind<DropTrigger>(d_)) triggers_out_.insert(c->trigger.name.key());
        for (auto c : of_kind<ModifyTrigger>(d_)) triggers_out_.insert(c->from.name.key());
        auto column_drops = altered_column_drops();

        auto depends_on_gone = [&](const std::vector<Ident>& used, std::string& why) {
            for (const auto& r : used) {
                if (gone_.count(r.key())) {
                    why = fmt::format("it uses {}, which is {}", r.sql(), is_rebuilt(r) ? "rebuilt" : "dropped");
                    return true;
                }
                if (views_out_.count(r.key())) {
                    why = fmt::format("it uses view {}, which is recreated", r.sql());
                    return true;
                }
            }
            return false;
        };
        bool grew = true;
        while (grew) {
            grew = false;
            for (const auto& [key, v] : mapped_->views) {
                if (views_out_.count(key)) continue;
                std::string why;
                bool hit = depends_on_gone(relations_used_by(v, *mapped_), why);
                for (const auto& [table, column] : column_drops)
                    if (!hit && v.select.mentions(table) && v.select.mentions(column)) {
                        hit = true;
                        why = fmt::format("it may use {}.{}, which is dropped", table.sql(), column.sql());
                    }
                if (hit) {
                    views_out_.insert(key);
                    recreated_why_[ObjectKey::relation(key)] = why;
                    grew = true;
                }
            }
        }
        for (const auto& [key, tr] : mapped_->triggers) {
            if (triggers_out_.count(key)) continue;
            std::string why;
            bool hit = depends_on_gone(relations_used_by(tr, *mapped_), why);
            if (!hit && views_out_.count(tr.table.key())) {
                hit = true;
                why = fmt::format("it is on view {}, which is recreated", tr.table.sql());
            }
            for (const auto& [table, column] : column_drops)
                if (!hit && (tr.table == table || tr.mentions(table)) && tr.mentions(column)) {
                    hit = true;
                    why = fmt::format("it may use {}.{}, which is dropped", table.sql(), column.sql());
                }
            if (hit) {
                triggers_out_.insert(key);
                recreated_why_[ObjectKey::trigger(key)] = why;
            }
        }
    }

    // --- summary, data loss, prechecks -------------------------------------------

    void summarize() {
        for (const auto& change : d_.changes) {
            plan_.summary.push_back(describe(change));
            if (auto dt = std::get_if<DropTable>(&change))
                plan_.data_loss.push_back(fmt::format("table {} is dropped with all its rows", dt->table.name.sql()));
            if (auto dv = std::get_if<DropVirtualTable>(&change); dv && !rebuildable_index(dv->table))
                plan_.data_loss.push_back(
                    fmt::format("virtual table {} is dropped with its content", dv->table.name.sql()));
            if (auto mv = std::get_if<ModifyVirtualTable>(&change); mv && !rebuildable_index(mv->to))
                plan_.data_loss.push_back(
                    fmt::format("virtual table {} is recreated: its content is lost", mv->to.name.sql()));
            if (auto ai = std::get_if<AddIndex>(&change)) {
                if (auto r = d_.applied.indexes.find(ai->index.name.key()); r != d_.applied.indexes.end())
                    plan_.summary.back() += fmt::format(" (renamed from {}: SQLite has no ALTER INDEX, so the index "
                                                        "is dropped and created)",
                                                        r->second.from.sql());
            }
            auto mt = std::get_if<ModifyTable>(&change);
            if (!mt) continue;
            const TablePlan& tp = tables_.at(mt->to.name.key());
            if (is_rebuilt(mt->to.name))
                plan_.summary.back() += " — rebuilt: " + join(rebuild_reasons(tp), "; ");
            for (const auto& tc : mt->changes) {
                plan_.summary.push_back("    " + describe(tc, mt->to));
                if (auto dc = std::get_if<DropColumn>(&tc))
                    plan_.data_loss.push_back(fmt::format("column {}.{} is dropped with its data", mt->to.name.sql(),
                                                          dc->column.name.sql()));
                if (auto mc = std::get_if<ModifyColumn>(&tc);
                    mc && (mc->differences & generated_changed) && mc->to.generated && !mc->from.generated)
                    plan_.data_loss.push_back(fmt::format("column {}.{} becomes generated: its stored values are "
                                                          "replaced",
                                                          mt->to.name.sql(), mc->to.name.sql()));
            }
            if (is_rebuilt(mt->to.name)) add_conversion_losses(*mt, live_names(mt->to.name));
            if (auto live = live_names(mt->to.name)) {
                add_prechecks(*mt, *live, live_names_of(), plan_.prechecks);
                add_recollated_index_prechecks(*mt, *live);
            }
        }
        add_new_index_prechecks();
        // Tables rebuilt only because they reference a rebuilt one, one line per parent.
        std::map<std::string, std::vector<std::string>> along;
        for (const auto& [key, tp] : tables_)
            if (!tp.change && rebuilt_.count(key)) along[tp.along_with].push_back(to_.tables.at(key).name.sql());
        for (const auto& [parent, children] : along)
            plan_.summary.push_back(
                children.size() == 1
                    ? fmt::format("~ table {} — rebuilt along with {}: it references it, and dropping the old {} "
                                  "must not delete or orphan its rows",
                                  children[0], parent, parent)
                    : fmt::format("~ tables {} — rebuilt along with {}: they reference it, and dropping the old {} "
                                  "must not delete or orphan their rows",
                                  join(children, ", "), parent, parent));
        for (const auto& [key, why] : recreated_why_) {
            if (key.kind == ObjectKey::Kind::trigger) {
                if (to_.triggers.count(key.name) && !modified_or_added_trigger(key.name))
                    plan_.summary.push_back(
                        fmt::format("~ trigger {} — recreated: {}", to_.triggers.at(key.name).name.sql(), why));
            } else if (to_.views.count(key.name)) {
                plan_.summary.push_back(
                    fmt::format("~ view {} — recreated: {}", to_.views.at(key.name).name.sql(), why));
            }
        }
        for (const auto& k : rebuilt_) {
            plan_.rebuilt.push_back(to_.tables.at(k).name);
            plan_.rebuilt_why.push_back(join(rebuild_reasons(tables_.at(k)), "; "));
        }
        check_references_to_dropped_tables();
    }

    // The copy of a rebuild stores each value under its new column's type.
    // A table the live database lacks (it comes with a pending migration) has no
    // rows to count: its conversions stay listed.
    void add_conversion_losses(const ModifyTable& m, const std::optional<LiveNames>& live) {
        for (const auto& c : m.to.columns)
            if (const Column* old = m.from.column(c.name); old && !c.generated)
                if (auto loss = conversion_loss(m.from, *old, m.to, c)) {
                    if (live) {
                        loss->live_table = live->table;
                        auto renamed = live->columns.find(c.name.key());
                        loss->live_column = renamed != live->columns.end() ? renamed->second : c.name;
                    }
                    plan_.data_loss.push_back(loss->describe());
                    plan_.conversions.push_back(std::move(*loss));
                }
    }

    // What the statements of a lossy copy may leave out or change, uncounted
    // (plan_skipping_violations counts them on the live rows).
    void list_row_losses() {
        for (const auto& s : plan_.steps)
            if (s.loss) plan_.data_loss.push_back(describe(*s.loss));
    }

    bool modified_or_added_trigger(const std::string& key) const { return changed_triggers_.count(key) != 0; }

    // Why a table is rebuilt: what ALTER TABLE cannot do to it, or the rebuilt
    // table it references (a table with only ALTER-able changes can be pulled in).
    std::vector<std::string> rebuild_reasons(const TablePlan& tp) const {
        if (!tp.refusals.empty()) return tp.refusals;
        return {fmt::format("it references {}, which is rebuilt", tp.along_with)};
    }

    std::optional<LiveNames> live_names(const Ident& table) const {
        const Table* from = mapped_->table(table);
        const Table* to = to_.table(table);
        if (!from || !to) return std::nullopt;
        LiveNames ln;
        ln.table = from->name;
        if (auto r = d_.applied.tables.find(table.key()); r != d_.applied.tables.end()) ln.table = r->second.from;
        for (const auto& [key, r] : d_.applied.columns)
            if (key.first == table.key()) ln.columns.emplace(r.to.key(), r.from);
        ln.from = from;
        ln.to = to;
        return ln;
    }
    LiveNamesOf live_names_of() const {
        return [this](const Ident& t) { return live_names(t); };
    }

    // New and changed unique indexes meet the rows already in their table.
    void add_new_index_prechecks() {
        auto check = [&](const Index& i) {
            if (auto live = live_names(i.table)) add_index_precheck(i, *live, plan_.prechecks);
        };
        for (auto c : of_kind<AddIndex>(d_)) check(c->index);
        for (auto c : of_kind<ModifyIndex>(d_)) check(c->to);
    }

    // A unique index that stays as declared, on a column whose collation changes.
    void add_recollated_index_prechecks(const ModifyTable& m, const LiveNames& live) {
        for (const auto& [key, i] : to_.indexes)
            if (i.unique && i.table == m.to.name && !is_new_or_changed_index(key) && key_recollated(m, i.columns))
                add_index_precheck(i, live, plan_.prechecks);
    }

    // A kept table whose declaration still references a dropped table. Its rows
    // that hold a reference would lose their parent: the foreign-key check fails,
    // and with foreign keys on, the DROP would first run the reference's ON
    // DELETE action on them (CASCADE deletes them, SET NULL clears them). A
    // precheck counts them; the sqlite dialect drops with keys off, so that no
    // action fires even if such rows appear after `diff`.
    void check_references_to_dropped_tables() {
        std::set<std::string> dropped;
        for (auto c : of_kind<DropTable>(d_)) dropped.insert(c->table.name.key());
        std::set<std::string> parents;
        for (const auto& [key, declared] : to_.tables) {
            const Table* kept = mapped_->table(declared.name);
            if (!kept) continue;
            for (const auto& fk : declared.foreign_keys) {
                if (!dropped.count(fk.parent.key())) continue;
                parents.insert(fk.parent.key());
                std::string cols, non_null;
                for (const auto& c : fk.columns) {
                    cols += (cols.empty() ? "" : ", ") + c.sql();
                    non_null += (non_null.empty() ? "" : " AND ") + c.sql() + " IS NOT NULL";
                }
                const bool readable = std::all_of(fk.columns.begin(), fk.columns.end(),
                                                  [&](const Ident& c) { return kept->column(c) != nullptr; });
                if (const char* action = row_changing_action(fk.on_delete))
                    plan_.data_loss.push_back(fmt::format(
                        "rows of {} that reference {}: where foreign keys stay on (D1), dropping {} runs ON DELETE "
                        "{} on them",
                        declared.name.sql(), fk.parent.sql(), fk.parent.sql(), action));
                auto live = readable ? live_names(declared.name) : std::nullopt;
                if (live)
                    plan_.prechecks.push_back(
                        {declared.name, live->table,
                         fmt::format("{} ({}) still references {}, which is dropped", declared.name.sql(), cols,
                                     fk.parent.sql()),
                         fmt::format("SELECT count(*) FROM {} WHERE {}", live->source_sql(declared.name.sql()),
                                     non_null)});
            }
        }
        // Dropped tables that reference each other in a cycle: whichever goes
        // first, a later one still references it. Dropped with foreign keys off
        // where the target allows it; on D1 drop_order finds an order SQLite can
        // prepare with keys on where there is one.
        std::set<std::string> gone_before;
        const auto order = drop_order(dropped);
        for (const Table* t : order) {
            for (const auto& fk : t->foreign_keys)
                if (gone_before.count(fk.parent.key())) parents.insert(fk.parent.key());
            gone_before.insert(t->name.key());
        }
        // Dropped with keys off in the sqlite dialect; on D1, refused with the reason.
        for (const auto& b : keys_on_blockers(order)) {
            parents.insert(b.table.key());
            keys_off_because(b.why);
        }
        for (const auto& key : parents) plan_.dropped_parents.push_back(mapped_->tables.at(key).name);
    }

    // The order to drop `dropped` in: children before their parents, and, where
    // they reference each other in a cycle, an order SQLite can prepare with
    // foreign keys on (drop_order.cpp).
    std::vector<const Table*> drop_order(const std::set<std::string>& dropped) {
        std::vector<const Table*> children_first;
        auto order = tables_in_dependency_order(*mapped_);
        for (auto it = order.rbegin(); it != order.rend(); ++it)
            if (dropped.count((*it)->name.key())) children_first.push_back(*it);
        std::vector<std::string> why;
        auto out = plan_detail::drop_order(*mapped_, children_first, why);
        for (auto& w : why) keys_off_because(std::move(w));
        return out;
    }
    void keys_off_because(std::string why) {
        auto& all = plan_.needs_foreign_keys_off_because;
        if (std::find(all.begin(), all.end(), why) == all.end()) all.push_back(std::move(why));
    }

    Ident temp_name(const Ident& table, std::set<std::string>& taken) const {
        for (int n = 1;; ++n) {
            Ident candidate("new_" + table.name() + (n == 1 ? "" : "_" + std::to_string(n)));
            if (!from_.has_relation(candidate) && !to_.has_relation(candidate) && !taken.count(candidate.key())) {
                taken.insert(candidate.key());
                return candidate;
            }
        }
    }

    // --- statements ------------------------------------------------------------------

    using Touches = std::vector<ObjectKey>;
    void step(Touches touches, std::string sql, std::string note = {}, SourcePos source = {},
              bool destructive = false) {
        plan_.steps.push_back({std::move(sql), std::move(note), std::move(source), destructive, std::move(touches), {}});
    }

    // A view or trigger touches what it reads.
    Touches reads(const Touches& base, const std::vector<Ident>& used) const {
        Touches out = base;
        for (const auto& r : used) out.push_back(relation_key(r));
        return out;
    }

    // One method per phase, in the order the file runs them (the list at the top).
    void emit() {
        const DropTimes drop_when = drop_times();
        guard_foreign_keys();
        drop_dependents();
        drop_indexes();
        drop_first(drop_when);
        rename();
        alter_columns();
        create_tables();
        rebuild_then_drop(drop_when);
        create_indexes();
        create_views();
        create_triggers();
    }

    // When each dropped table goes. With foreign keys on (D1, or a file the
    // runner runs with keys on) DROP TABLE deletes every row first: it fires the
    // ON DELETE actions of the tables still referencing it, and a reference left
    // counts as a violation until the referencing row goes too.
    // - A dropped table a kept table references that is not rebuilt (it still
    //   declares the reference: a narrowing) goes after the rebuilds.
    // - So does one a rebuilt table references ON DELETE RESTRICT: its old rows
    //   would block the DROP until the old table is gone.
    // - One that only rebuilt kept tables reference goes amid their rebuild: after
    //   their rows are copied, before their old tables go. An action it fires
    //   then changes only old rows already copied, and a violation it counts is
    //   taken back when the old table goes. Before the copy, an action would
    //   reach rows still to be copied; after, the old table's own DROP would
    //   count its rows as violations against the new table (references follow
    //   the name), which nothing takes back.
    // - The others (only dropped tables reference them) go first (phase 4).
    // A dropped table's dropped parents go no earlier than it does. Without
    // rebuilds every dropped table goes after the rest, as ever; a table whose
    // name a new virtual table takes goes first in any case.
    enum class DropWhen { first, amid_rebuilds, last };
    std::map<std::string, DropWhen> drop_times() const {
        std::map<std::string, DropWhen> when;
        for (auto c : of_kind<DropTable>(d_))
            when[c->table.name.key()] = to_.virtual_table(c->table.name) ? DropWhen::first
                                        : rebuilt_.empty()                ? DropWhen::last
                                                                          : DropWhen::first;
        if (rebuilt_.empty()) return when;
        std::vector<std::string> todo;
        auto later = [&](const std::string& key, DropWhen w) {
            auto it = when.find(key);
            if (it == when.end() || it->second >= w || to_.virtual_table(Ident(key))) return;
            it->second = w;
            todo.push_back(key);
        };
        for (const auto& [key, t] : mapped_->tables)
            if (!when.count(key))
                for (const auto& fk : t.foreign_keys)
                    later(fk.parent.key(), rebuilt_.count(key) && fk.on_delete != FkAction::restrict_
                                               ? DropWhen::amid_rebuilds
                                               : DropWhen::last);
        while (!todo.empty()) {
            const std::string key = todo.back();
            todo.pop_back();
            const DropWhen w = when.at(key);
            for (const auto& fk : mapped_->tables.at(key).foreign_keys) later(fk.parent.key(), w);
        }
        return when;
    }

    using DropTimes = std::map<std::string, DropWhen>;

    // 0. The guard that stops a file meant to run with foreign keys off, or
    // defer_foreign_keys while rows move.
    void guard_foreign_keys() {
        if (rebuild_needs_keys_off()) {
            // The runner switches keys off around this file (its header says so). Run
            // any other way with keys on, it stops here, before it changes anything:
            // an invalid JSON path is an error that shows its text, and needs no table.
            plan_.guards_foreign_keys_off = true;
            step({},
                 "SELECT CASE WHEN foreign_keys THEN json_extract('{}', '$ foreign keys must be OFF to run this "
                 "migration') END FROM pragma_foreign_keys",
                 "stop unless foreign keys are off: with them on, rebuilding a table in place would run the ON "
                 "DELETE actions of the tables that reference it");
        }
        if (!rebuilt_.empty() && !plan_.guards_foreign_keys_off)
            step({}, "PRAGMA defer_foreign_keys = ON",
                 "foreign keys are checked at COMMIT, not after each statement, while rows move between tables");
        else if (!plan_.dropped_parents.empty())
            // With keys on (D1), a dropped parent's rows still referenced by a table
            // dropped after it count as violations until that DROP takes them back.
            step({}, "PRAGMA defer_foreign_keys = ON",
                 "foreign keys are checked at COMMIT, not after each statement, while tables that reference each "
                 "other are dropped");
    }

    // 1, 2. triggers, then views (readers first), that go or depend on what changes
    void drop_dependents() {
        for (const auto& key : triggers_out_) {
            const Trigger& t = mapped_->triggers.at(key);
            step(reads({trigger_key(t.name)}, relations_used_by(t, *mapped_)), "DROP TRIGGER " + t.name.sql(),
                 drop_note("trigger", key, ObjectKey::trigger(key)));
        }
        auto view_order = views_in_dependency_order(*mapped_);
        for (auto it = view_order.rbegin(); it != view_order.rend(); ++it)
            if (views_out_.count((*it)->name.key()))
                step(reads({relation_key((*it)->name)}, relations_used_by(**it, *mapped_)),
                     "DROP VIEW " + (*it)->name.sql(), drop_note("view", (*it)->name.key(), relation_key((*it)->name)));
    }

    // 3. indexes
    void drop_indexes() {
        auto index_goes_with_table = [&](const Index& i) { return gone_.count(i.table.key()) != 0; };
        for (auto c : of_kind<DropIndex>(d_))
            if (!index_goes_with_table(c->index))
                step({index_key(c->index.name), relation_key(c->index.table)}, "DROP INDEX " + c->index.name.sql(),
                     "- index " + c->index.name.sql());
        for (auto c : of_kind<ModifyIndex>(d_))
            if (!index_goes_with_table(c->from))
                step({index_key(c->from.name), relation_key(c->from.table)}, "DROP INDEX " + c->from.name.sql(),
                     "~ index " + c->from.name.sql() + ": dropped and created anew");
        // An index that would go with its table (dropped or rebuilt) goes now when a
        // new or renamed table takes its name: tables and indexes share SQLite's
        // namespace, and the table comes before its old table goes (property seed
        // 990134).
        for (const auto& [key, i] : mapped_->indexes)
            if (index_goes_with_table(i) && (to_.table(i.name) || to_.virtual_table(i.name)) &&
                !mapped_->table(i.name) && !mapped_->virtual_table(i.name))
                step({index_key(i.name), relation_key(i.table)}, "DROP INDEX " + i.name.sql(),
                     fmt::format("- index {}: its name goes to a new table", i.name.sql()));
    }

    // 4. tables and virtual tables
    void drop_first(const DropTimes& drop_when) {
        drop_tables(dropped_at(drop_when, DropWhen::first));
        for (auto c : of_kind<DropVirtualTable>(d_))
            step({relation_key(c->table.name)}, "DROP TABLE " + c->table.name.sql(),
                 "- virtual table " + c->table.name.sql(), {},
                 !rebuildable_index(c->table));
        for (auto c : of_kind<ModifyVirtualTable>(d_))
            step({relation_key(c->from.name)}, "DROP TABLE " + c->from.name.sql(),
                 "~ virtual table " + c->from.name.sql() + ": dropped and created anew", {},
                 !rebuildable_index(c->to));
    }

    // 5, 6. renames
    void rename() {
        for (auto c : of_kind<RenameTable>(d_))
            step({relation_key(c->from), relation_key(c->to)},
                 fmt::format("ALTER TABLE {} RENAME TO {}", c->from.sql(), c->to.sql()),
                 fmt::format("> table {} renamed to {}", c->from.sql(), c->to.sql()), to_.table(c->to)->pos);
        for (const auto& [key, tp] : tables_) {
            if (!tp.change) continue;
            for (const auto& tc : tp.change->changes)
                if (auto rc = std::get_if<RenameColumn>(&tc))
                    step({relation_key(tp.change->to.name)},
                         fmt::format("ALTER TABLE {} RENAME COLUMN {} TO {}", tp.change->to.name.sql(), rc->from.sql(),
                                     rc->to.sql()),
                         describe(tc, tp.change->to), column_pos(tp.change->to, rc->to));
        }
    }

    // 7. ALTER TABLE DROP / ADD COLUMN
    void alter_columns() {
        for (const auto& [key, tp] : tables_) {
            if (!tp.change || rebuilt_.count(key)) continue;
            const ModifyTable& m = *tp.change;
            for (const auto& tc : m.changes)
                if (auto dc = std::get_if<DropColumn>(&tc))
                    step({relation_key(m.to.name)},
                         fmt::format("ALTER TABLE {} DROP COLUMN {}", m.to.name.sql(), dc->column.name.sql()),
                         describe(tc, m.to) + " (its data is lost)", m.to.pos, true);
            for (const auto& tc : m.changes)
                if (auto ac = std::get_if<AddColumn>(&tc))
                    step({relation_key(m.to.name)},
                         fmt::format("ALTER TABLE {} ADD COLUMN {}", m.to.name.sql(), add_column_sql(ac->column, m.to)),
                         describe(tc, m.to), ac->column.pos);
        }
    }

    // 8. new tables, parents first; virtual tables
    void create_tables() {
        std::set<std::string> added;
        for (auto c : of_kind<AddTable>(d_)) added.insert(c->table.name.key());
        for (const Table* t : tables_in_dependency_order(to_))
            if (added.count(t->name.key()))
                step({relation_key(t->name)}, create_sql(*t), "+ table " + t->name.sql(), t->pos);
        auto create_vt = [&](const VirtualTable& v, const std::string& note) {
            Touches touches{relation_key(v.name)};
            for (const auto& r : relations_used_by(v, to_)) touches.push_back(relation_key(r));
            step(touches, create_sql(v), note, v.pos);
            if (rebuildable_index(v))
                step(touches, fmt::format("INSERT INTO {} ({}) VALUES ('rebuild')", v.name.sql(), v.name.sql()),
                     "fill the full-text index from its content table", v.pos);
        };
        for (auto c : of_kind<AddVirtualTable>(d_)) create_vt(c->table, "+ virtual table " + c->table.name.sql());
        for (auto c : of_kind<ModifyVirtualTable>(d_)) create_vt(c->to, "~ virtual table " + c->to.name.sql());
    }

    // 9. rebuilds, parents first
    void rebuild_then_drop(const DropTimes& drop_when) {
        {
            std::vector<Rebuild> rebuilds;
            std::set<std::string> taken;
            for (const Table* t : tables_in_dependency_order(to_)) {
                const std::string key = t->name.key();
                if (!rebuilt_.count(key)) continue;
                const TablePlan& tp = tables_.at(key);
                Rebuild r;
                r.to = t;
                r.from = &mapped_->tables.at(key);
                r.temp = temp_name(t->name, taken);
                r.reasons = rebuild_reasons(tp);
                r.lossy_copy = options_.skip_violating_rows && tp.change;
                r.carry_loss = options_.skip_violating_rows;
                rebuilds.push_back(std::move(r));
            }
            std::vector<Step> steps;
            std::vector<std::string> why;
            emit_rebuilds(rebuilds, *mapped_, to_, drop_steps(dropped_at(drop_when, DropWhen::amid_rebuilds)), steps,
                          why);
            for (auto& w : why) keys_off_because(std::move(w));
            for (auto& s : steps) plan_.steps.push_back(std::move(s));
        }
        // 9b. dropped tables, now that no rebuilt table references them
        check_drops_against_rebuilds(drop_when);
        drop_tables(dropped_at(drop_when, DropWhen::last));
    }

    // 10. indexes
    void create_indexes() {
        std::map<std::string, const Index*> create;
        for (auto c : of_kind<AddIndex>(d_)) create[c->index.name.key()] = &c->index;
        for (auto c : of_kind<ModifyIndex>(d_)) create[c->to.name.key()] = &c->to;
        for (const auto& [key, i] : to_.indexes)
            if (rebuilt_.count(i.table.key())) create[key] = &i;
        for (const auto& [key, i] : create) {
            std::string note = rebuilt_.count(i->table.key()) && !is_new_or_changed_index(key)
                                   ? "index of rebuilt table " + i->table.sql()
                                   : (is_modified_index(key) ? "~ index " : "+ index ") + i->name.sql();
            step({index_key(i->name), relation_key(i->table)}, create_sql(*i), note, i->pos);
        }
    }

    // 11. views
    void create_views() {
        std::set<std::string> create = views_out_;
        for (auto c : of_kind<AddView>(d_)) create.insert(c->view.name.key());
        for (const View* v : views_in_dependency_order(to_))
            if (create.count(v->name.key()))
                step(reads({relation_key(v->name)}, relations_used_by(*v, to_)), create_sql(*v),
                     create_note("view", v->name, relation_key(v->name)), v->pos);
    }

    // 12. triggers
    void create_triggers() {
        std::set<std::string> create = triggers_out_;
        for (auto c : of_kind<AddTrigger>(d_)) create.insert(c->trigger.name.key());
        for (const auto& key : create)
            if (auto t = to_.trigger(Ident(key)))
                step(reads({trigger_key(t->name)}, relations_used_by(*t, to_)), create_sql(*t),
                     create_note("trigger", t->name, trigger_key(t->name)), t->pos);
    }

    // A dropped table that goes last but references a rebuilt table (no action,
    // or RESTRICT): when the rebuilt table's old version goes, its rows count as
    // violations that nothing takes back, with foreign keys on.
    void check_drops_against_rebuilds(const std::map<std::string, DropWhen>& when) {
        for (const auto& [key, w] : when) {
            if (w != DropWhen::last || rebuilt_.empty()) continue;
            for (const auto& fk : mapped_->tables.at(key).foreign_keys)
                if (rebuilt_.count(fk.parent.key()) && !row_changing_action(fk.on_delete))
                    keys_off_because(fmt::format(
                        "dropped table {} references rebuilt table {}, and must go after it (it is still referenced "
                        "ON DELETE RESTRICT, or by a table that keeps the reference): its rows would reference the "
                        "new {} when the old one goes",
                        mapped_->tables.at(key).name.sql(), fk.parent.sql(), fk.parent.sql()));
        }
    }
    static std::set<std::string> dropped_at(const std::map<std::string, DropWhen>& times, DropWhen w) {
        std::set<std::string> out;
        for (const auto& [key, when] : times)
            if (when == w) out.insert(key);
        return out;
    }

    // DROP TABLE in drop_order: children before their parents, so that no dropped
    // table's ON DELETE action fires on another dropped table that is still there.
    void drop_tables(const std::set<std::string>& dropped) {
        for (auto& s : drop_steps(dropped)) plan_.steps.push_back(std::move(s));
    }
    std::vector<Step> drop_steps(const std::set<std::string>& dropped) {
        std::vector<Step> out;
        for (const Table* t : drop_order(dropped))
            out.push_back({"DROP TABLE " + t->name.sql(), "- table " + t->name.sql() + " (its rows are lost)", {}, true,
                           {relation_key(t->name)}, {}});
        return out;
    }

    bool is_modified_index(const std::string& key) const { return changed_indexes_.count(key) != 0; }
    bool is_new_or_changed_index(const std::string& key) const {
        return new_indexes_.count(key) != 0 || is_modified_index(key);
    }

    std::string drop_note(const char* kind, const std::string& key, const ObjectKey& why_key) const {
        if (auto it = recreated_why_.find(why_key); it != recreated_why_.end())
            return fmt::format("{} {} is dropped and recreated below: {}", kind, key_name(kind, key), it->second);
        bool declared = std::string(kind) == "view" ? to_.views.count(key) != 0 : to_.triggers.count(key) != 0;
        return fmt::format("{} {} {}", declared ? "~" : "-", kind,
                           key_name(kind, key) + (declared ? ": dropped and created anew" : ""));
    }

    std::string create_note(const char* kind, const Ident& name, const ObjectKey& why_key) const {
        if (recreated_why_.count(why_key)) return fmt::format("{} {} recreated", kind, name.sql());
        return fmt::format("{} {} {}", existed(kind, name) ? "~" : "+", kind, name.sql());
    }

    bool existed(const std::string& kind, const Ident& name) const {
        return kind == "view" ? mapped_->view(name) != nullptr : mapped_->trigger(name) != nullptr;
    }

    std::string key_name(const std::string& kind, const std::string& key) const {
        if (kind == "view") return mapped_->views.at(key).name.sql();
        return mapped_->triggers.at(key).name.sql();
    }

    static SourcePos column_pos(const Table& t, const Ident& col) {
        const Column* c = t.column(col);
        return c ? c->pos : t.pos;
    }
};

}  // namespace

std::string describe(const RowLoss& loss, std::optional<std::int64_t> rows) {
    if (!rows) return fmt::format("{}: rows {}", loss.table.sql(), loss.what);
    return fmt::format("{}: {} row{} {}", loss.table.sql(), *rows, *rows == 1 ? "" : "s", loss.what);
}

Schema schema_after(const Plan& plan, const Schema& to) {
    Schema after = to;
    for (const auto& t : plan.tables_as_altered) after.tables[t.name.key()] = t;
    return after;
}

Plan make_plan(const Diff& d, const Schema& from, const Schema& to, const PlanOptions& options) {
    return Planner(d, from, to, options).run();
}

}  // namespace schema

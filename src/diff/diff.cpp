#include "schema/diff.hpp"

#include <fmt/format.h>

#include <functional>
#include <set>

namespace schema {

// --- renames -------------------------------------------------------------------

Renames Renames::declared_in(const Schema& declared) {
    Renames r;
    for (const auto& [key, t] : declared.tables) {
        if (t.renamed_from) r.tables.emplace(key, Rename{*t.renamed_from, t.name, t.renamed_at});
        for (const auto& c : t.columns)
            if (c.renamed_from)
                r.columns.emplace(std::make_pair(key, c.name.key()), Rename{*c.renamed_from, c.name, c.renamed_at});
    }
    for (const auto& [key, i] : declared.indexes)
        if (i.renamed_from) r.indexes.emplace(key, Rename{*i.renamed_from, i.name, i.renamed_at});
    return r;
}

Renames Diff::inverse() const {
    Renames inv;
    std::map<std::string, Ident> old_name_of;  // new table key → old table name
    for (const auto& [key, r] : applied.tables) {
        inv.tables.emplace(r.from.key(), Rename{r.to, r.from, {}});
        old_name_of.emplace(key, r.from);
    }
    for (const auto& [key, r] : applied.columns) {
        std::string table_key = key.first;
        if (auto it = old_name_of.find(table_key); it != old_name_of.end()) table_key = it->second.key();
        inv.columns.emplace(std::make_pair(table_key, r.from.key()), Rename{r.to, r.from, {}});
    }
    for (const auto& [key, r] : applied.indexes) inv.indexes.emplace(r.from.key(), Rename{r.to, r.from, {}});
    return inv;
}

namespace {

void rename_in(std::vector<IndexedColumn>& cols, const Ident& from, const Ident& to) {
    for (auto& c : cols) {
        if (c.column && *c.column == from) c.column = to;
        c.expr = c.expr.with_renamed(from, to);
    }
}

void rename_column_in_table(Table& t, const Ident& from, const Ident& to) {
    for (auto& c : t.columns) {
        if (c.name == from) c.name = to;
        if (c.generated) c.generated->expr = c.generated->expr.with_renamed(from, to);
    }
    if (t.primary_key) rename_in(t.primary_key->columns, from, to);
    for (auto& u : t.uniques) rename_in(u.columns, from, to);
    for (auto& ck : t.checks) {
        ck.expr = ck.expr.with_renamed(from, to);
        if (ck.column && *ck.column == from) ck.column = to;
    }
    for (auto& fk : t.foreign_keys)
        for (auto& c : fk.columns)
            if (c == from) c = to;
}

}  // namespace

Schema apply_renames(const Schema& from, const Renames& renames) {
    Schema s = from;
    for (const auto& [new_key, r] : renames.tables) {
        auto it = s.tables.find(r.from.key());
        if (it == s.tables.end()) continue;
        Table t = std::move(it->second);
        s.tables.erase(it);
        t.name = r.to;
        s.tables.emplace(new_key, std::move(t));
        for (auto& [k, other] : s.tables)
            for (auto& fk : other.foreign_keys)
                if (fk.parent == r.from) fk.parent = r.to;
        for (auto& [k, i] : s.indexes)
            if (i.table == r.from) i.table = r.to;
        for (auto& [k, tr] : s.triggers)
            if (tr.table == r.from) tr.table = r.to;
    }
    for (const auto& [key, r] : renames.columns) {
        const std::string& table_key = key.first;
        auto it = s.tables.find(table_key);
        if (it == s.tables.end() || !it->second.column(r.from)) continue;
        rename_column_in_table(it->second, r.from, r.to);
        for (auto& [k, other] : s.tables)
            for (auto& fk : other.foreign_keys)
                if (fk.parent.key() == table_key) {
                    for (auto& pc : fk.parent_columns)
                        if (pc == r.from) pc = r.to;
                    for (auto& pc : fk.implied_parent_columns)
                        if (pc == r.from) pc = r.to;
                }
        for (auto& [k, i] : s.indexes)
            if (i.table.key() == table_key) {
                rename_in(i.columns, r.from, r.to);
                if (i.where) i.where = i.where->with_renamed(r.from, r.to);
            }
    }
    return s;
}

namespace {

template <typename T, typename Eq>
void multiset_diff(const std::vector<T>& from, const std::vector<T>& to, Eq eq, std::vector<const T*>& dropped,
                   std::vector<const T*>& added) {
    std::vector<bool> used(to.size(), false);
    for (const auto& f : from) {
        bool found = false;
        for (std::size_t i = 0; i < to.size(); ++i)
            if (!used[i] && eq(f, to[i])) {
                used[i] = found = true;
                break;
            }
        if (!found) dropped.push_back(&f);
    }
    for (std::size_t i = 0; i < to.size(); ++i)
        if (!used[i]) added.push_back(&to[i]);
}

unsigned column_differences(const Column& a, const Column& b) {
    unsigned d = 0;
    if (a.type != b.type) d |= type_changed;
    if (a.not_null != b.not_null || a.not_null_conflict != b.not_null_conflict) d |= not_null_changed;
    if (a.default_value.has_value() != b.default_value.has_value() ||
        (a.default_value && *a.default_value != *b.default_value))
        d |= default_changed;
    if (a.collate.has_value() != b.collate.has_value() || (a.collate && *a.collate != *b.collate))
        d |= collate_changed;
    if (a.generated.has_value() != b.generated.has_value() ||
        (a.generated && (a.generated->expr != b.generated->expr || a.generated->stored != b.generated->stored)))
        d |= generated_changed;
    return d;
}

std::vector<TableChange> table_changes(const Table& f, const Table& t, const std::vector<RenameColumn>& renames) {
    std::vector<TableChange> out;
    for (const auto& r : renames) out.emplace_back(r);
    for (const auto& c : f.columns)
        if (!t.column(c.name)) out.emplace_back(DropColumn{c});
    for (const auto& c : t.columns)
        if (const Column* old = f.column(c.name))
            if (unsigned d = column_differences(*old, c)) out.emplace_back(ModifyColumn{*old, c, d});
    for (const auto& c : t.columns)
        if (!f.column(c.name)) out.emplace_back(AddColumn{c});
    if (!same_primary_key(f, t)) out.emplace_back(ChangePrimaryKey{f.primary_key, t.primary_key});
    {
        std::vector<const UniqueConstraint*> dropped, added;
        multiset_diff(f.uniques, t.uniques, same_unique, dropped, added);
        for (auto u : dropped) out.emplace_back(DropUnique{*u});
        for (auto u : added) out.emplace_back(AddUnique{*u});
    }
    {
        std::vector<const CheckConstraint*> dropped, added;
        multiset_diff(f.checks, t.checks, same_check, dropped, added);
        // A dropped and an added CHECK with the same name, or on the same column, read
        // better as one that changes.
        auto pairs = [](const CheckConstraint& a, const CheckConstraint& b) {
            if (!a.name.empty() || !b.name.empty()) return iequals(a.name, b.name);
            return a.column && b.column && *a.column == *b.column;
        };
        std::vector<bool> used(added.size(), false);
        for (auto c : dropped) {
            bool paired = false;
            for (std::size_t i = 0; i < added.size() && !paired; ++i)
                if (!used[i] && pairs(*c, *added[i])) {
                    out.emplace_back(ModifyCheck{*c, *added[i]});
                    used[i] = paired = true;
                }
            if (!paired) out.emplace_back(DropCheck{*c});
        }
        for (std::size_t i = 0; i < added.size(); ++i)
            if (!used[i]) out.emplace_back(AddCheck{*added[i]});
    }
    {
        std::vector<const ForeignKey*> dropped, added;
        multiset_diff(f.foreign_keys, t.foreign_keys, same_foreign_key, dropped, added);
        for (auto k : dropped) out.emplace_back(DropForeignKey{*k});
        for (auto k : added) out.emplace_back(AddForeignKey{*k});
    }
    if (f.without_rowid != t.without_rowid) out.emplace_back(ChangeWithoutRowid{t.without_rowid});
    if (f.strict != t.strict) out.emplace_back(ChangeStrict{t.strict});
    return out;
}

// Adds Drop/Add/Modify changes for one kind of object compared by name.
template <typename Obj, typename AddT, typename DropT, typename ModT>
void diff_by_name(const std::map<std::string, Obj>& from, const std::map<std::string, Obj>& to,
                  std::vector<Change>& out) {
    for (const auto& [key, f] : from) {
        auto it = to.find(key);
        if (it == to.end()) out.emplace_back(DropT{f});
        else if (!same_definition(f, it->second)) out.emplace_back(ModT{f, it->second});
    }
    for (const auto& [key, t] : to)
        if (!from.count(key)) out.emplace_back(AddT{t});
}

}  // namespace

namespace {

// One namespace that hints rename in: the tables, the indexes, or the columns of
// one table.
struct HintScope {
    const char* kind;   // "table", "index", "column"
    std::string where;  // "" or " in table t", for messages
    std::function<const Ident*(const Ident&)> live;  // the live object's name; null when none
    std::function<bool(const Ident&)> declared;
};

struct Resolved {
    std::vector<Rename> applied;    // with the live spelling of the old name
    std::set<std::string> refused;  // new names (folded) whose hint is a problem
};

// The hints of one namespace that take effect. A hint that cannot take effect and
// is not a no-op left from an earlier migration goes to `problems`, never silently
// away.
Resolved resolve_hints(const std::vector<const Rename*>& hints, const HintScope& ns,
                       std::vector<Diagnostic>& problems) {
    Resolved out;
    std::map<std::string, const Rename*> by_target, by_source;
    for (auto h : hints) {
        by_target.emplace(h->to.key(), h);
        by_source.emplace(h->from.key(), h);
    }
    auto problem = [&](const Rename& r, const std::string& why) {
        out.refused.insert(r.to.key());
        problems.push_back(
            {r.at, fmt::format("cannot rename {} {} to {}{}: {}", ns.kind, r.from.sql(), r.to.sql(), ns.where, why), {}});
    };
    // A hint whose old name is still live is one that would rename now.
    auto pending = [&](const Rename& r) { return ns.live(r.from) != nullptr; };

    for (auto h : hints) {
        const Rename& r = *h;
        if (r.from == r.to) {
            problem(r, "the hint names the " + std::string(ns.kind) + " itself; remove it");
            continue;
        }
        if (const Rename* first = by_source.at(r.from.key()); first != h) {
            problem(r, fmt::format("the hint at {} renames it to {} too; a {} takes one new name", first->at.str(),
                                   first->to.sql(), ns.kind));
            continue;
        }
        const Ident* old_live = ns.live(r.from);
        const bool new_live = ns.live(r.to) != nullptr;
        if (old_live && !new_live) {
            // The old name declared again would need the new object created after the
            // rename, and its rollback dropped before the rename back: two migrations.
            if (ns.declared(r.from))
                problem(r, fmt::format("{} is declared too{}; rename in one migration, then declare the new {} {} "
                                       "in the next",
                                       r.from.sql(), ns.where, ns.kind, r.from.sql()));
            else
                out.applied.push_back({*old_live, r.to, r.at});
            continue;
        }
        if (!old_live && new_live) continue;  // applied before; declared files keep their hints
        if (!old_live) {
            problem(r, fmt::format("the database has no {} {}{}", ns.kind, r.from.sql(), ns.where));
            continue;
        }
        // Both names are live.
        auto renamed_to_old = by_target.find(r.from.key());
        if (renamed_to_old != by_target.end() && pending(*renamed_to_old->second)) {
            problem(r, fmt::format("{} is itself renamed from {} by the hint at {}, and renames that swap or chain "
                                   "names cannot run in one migration: rename through a new name, one migration per "
                                   "step",
                                   r.from.sql(), renamed_to_old->second->from.sql(),
                                   renamed_to_old->second->at.str()));
            continue;
        }
        if (ns.declared(r.from)) continue;  // applied before, and the old name declared again since
        auto renamed_away = by_source.find(r.to.key());
        if (renamed_away != by_source.end() && pending(*renamed_away->second))
            problem(r, fmt::format("{} exists too, and is renamed to {} by the hint at {}; renames that chain cannot "
                                   "run in one migration: apply that one first, then add this hint",
                                   r.to.sql(), renamed_away->second->to.sql(), renamed_away->second->at.str()));
        else
            problem(r, fmt::format("the database has both{}; drop {} first, or remove the hint", ns.where,
                                   r.to.sql()));
    }
    return out;
}

template <typename Map>
const Ident* name_in(const Map& objects, const Ident& name) {
    auto it = objects.find(name.key());
    return it == objects.end() ? nullptr : &it->second.name;
}

const Ident* column_name_in(const Table* t, const Ident& column) {
    const Column* c = t ? t->column(column) : nullptr;
    return c ? &c->name : nullptr;
}

// The hints of `hints` that take effect between `from` and `to`.
Renames resolve_renames(const Schema& from, const Schema& to, const Renames& hints) {
    std::vector<Diagnostic> problems;
    Renames applied;
    auto values = [](const auto& map) {
        std::vector<const Rename*> out;
        for (const auto& [key, r] : map) out.push_back(&r);
        return out;
    };

    HintScope tables{"table", "", [&](const Ident& n) { return name_in(from.tables, n); },
                     [&](const Ident& n) { return to.table(n) != nullptr; }};
    Resolved table_renames = resolve_hints(values(hints.tables), tables, problems);
    for (auto& r : table_renames.applied) applied.tables.emplace(r.to.key(), r);

    std::map<std::string, std::vector<const Rename*>> column_hints;  // by declared table
    for (const auto& [key, r] : hints.columns) column_hints[key.first].push_back(&r);
    for (const auto& [table_key, table_hints] : column_hints) {
        if (table_renames.refused.count(table_key)) continue;  // reported for the table
        const Table* declared = to.tables.count(table_key) ? &to.tables.at(table_key) : nullptr;
        if (!declared) continue;
        auto renamed = applied.tables.find(table_key);
        const Table* live = from.table(renamed != applied.tables.end() ? renamed->second.from : declared->name);
        if (!live) {
            for (auto r : table_hints)
                problems.push_back({r->at,
                                    fmt::format("cannot rename column {} to {}: the database has no table {}, so "
                                                "the table is created with its declared columns; remove the hint",
                                                r->from.sql(), r->to.sql(), declared->name.sql()),
                                    {}});
            continue;
        }
        HintScope columns{"column", " in table " + declared->name.sql(),
                          [live](const Ident& n) { return column_name_in(live, n); },
                          [declared](const Ident& n) { return declared->column(n) != nullptr; }};
        for (auto& r : resolve_hints(table_hints, columns, problems).applied)
            applied.columns.emplace(std::make_pair(table_key, r.to.key()), r);
    }

    HintScope indexes{"index", "", [&](const Ident& n) { return name_in(from.indexes, n); },
                      [&](const Ident& n) { return to.index(n) != nullptr; }};
    for (auto& r : resolve_hints(values(hints.indexes), indexes, problems).applied) applied.indexes.emplace(r.to.key(), r);

    if (!problems.empty()) throw InputError(std::move(problems));
    return applied;
}

}  // namespace

Diff diff(const Schema& from, const Schema& to, const Renames& hints) {
    Diff d;
    d.applied = resolve_renames(from, to, hints);

    std::optional<Schema> renamed;
    if (!d.applied.empty()) renamed = apply_renames(from, d.applied);
    const Schema& mapped = renamed ? *renamed : from;

    for (const auto& [new_key, r] : d.applied.tables) d.changes.emplace_back(RenameTable{r.from, r.to});

    for (const auto& [key, f] : mapped.tables)
        if (!to.tables.count(key)) d.changes.emplace_back(DropTable{f});
    for (const auto& [key, t] : to.tables) {
        auto it = mapped.tables.find(key);
        if (it == mapped.tables.end()) {
            d.changes.emplace_back(AddTable{t});
            continue;
        }
        std::vector<RenameColumn> col_renames;
        for (const auto& [ck, r] : d.applied.columns)
            if (ck.first == key) col_renames.push_back({r.from, r.to});
        auto changes = table_changes(it->second, t, col_renames);
        if (!changes.empty()) d.changes.emplace_back(ModifyTable{it->second, t, std::move(changes)});
    }
    diff_by_name<VirtualTable, AddVirtualTable, DropVirtualTable, ModifyVirtualTable>(mapped.virtual_tables,
                                                                                      to.virtual_tables, d.changes);
    diff_by_name<Index, AddIndex, DropIndex, ModifyIndex>(mapped.indexes, to.indexes, d.changes);
    diff_by_name<View, AddView, DropView, ModifyView>(mapped.views, to.views, d.changes);
    diff_by_name<Trigger, AddTrigger, DropTrigger, ModifyTrigger>(mapped.triggers, to.triggers, d.changes);
    return d;
}

// --- descriptions --------------------------------------------------------------

namespace {

std::string not_null_conflict_change(const Column& from, const Column& to) {
    auto clause = [](Conflict c) { return c == Conflict::none ? std::string("no ON CONFLICT") : conflict_clause_sql(c); };
    return fmt::format("NOT NULL {} → {}", clause(from.not_null_conflict), clause(to.not_null_conflict));
}

std::string generated_change(const Column& from, const Column& to) {
    if (!to.generated) return "no longer generated";
    if (!from.generated) return "becomes generated";
    auto kind = [](const Generated& g) { return g.stored ? "STORED" : "VIRTUAL"; };
    if (from.generated->expr == to.generated->expr)
        return fmt::format("generated column {} → {}", kind(*from.generated), kind(*to.generated));
    return fmt::format("generated AS ({}) {} → AS ({}) {}", from.generated->expr.sql(), kind(*from.generated),
                       to.generated->expr.sql(), kind(*to.generated));
}

// Both sides in full (name, columns, AUTOINCREMENT, conflict clause). When they
// print alike, what differs is whether the key aliases the rowid: a column-level
// INTEGER PRIMARY KEY DESC does not, a table-level PRIMARY KEY (id DESC) does.
std::string primary_key_change(const ChangePrimaryKey& c, const Table& to_table) {
    const std::string from = c.from ? primary_key_sql(*c.from) : "none (rowid)";
    const std::string to = c.to ? primary_key_sql(*c.to) : "none (rowid)";
    if (from != to) return from + " → " + to;
    return to + (to_table.rowid_alias() ? ", now an alias of the rowid" : ", no longer an alias of the rowid");
}

std::string or_none(const std::string& s) { return s.empty() ? "(none)" : s; }

std::string default_text(const std::optional<Expr>& e) { return e ? e->sql() : "(none)"; }

}  // namespace

std::string describe(const TableChange& change, const Table& table) {
    const std::string tname = table.name.sql();
    return std::visit(
        [&](const auto& c) -> std::string {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, AddColumn>)
                return fmt::format("+ column {}.{}", tname, column_sql(c.column, table));
            else if constexpr (std::is_same_v<T, DropColumn>)
                return fmt::format("- column {}.{}", tname, c.column.name.sql());
            else if constexpr (std::is_same_v<T, RenameColumn>)
                return fmt::format("> column {}.{} renamed to {}", tname, c.from.sql(), c.to.sql());
            else if constexpr (std::is_same_v<T, ModifyColumn>) {
                std::vector<std::string> parts;
                if (c.differences & type_changed)
                    parts.push_back(fmt::format("type {} → {}", or_none(c.from.type.sql()), or_none(c.to.type.sql())));
                if (c.differences & not_null_changed)
                    parts.push_back(c.to.not_null ? (c.from.not_null ? not_null_conflict_change(c.from, c.to)
                                                                     : "NOT NULL added")
                                                  : "NOT NULL dropped");
                if (c.differences & default_changed)
                    parts.push_back(fmt::format("DEFAULT {} → {}", default_text(c.from.default_value),
                                                default_text(c.to.default_value)));
                if (c.differences & collate_changed)
                    parts.push_back(fmt::format("COLLATE {} → {}", c.from.collate ? c.from.collate->sql() : "(none)",
                                                c.to.collate ? c.to.collate->sql() : "(none)"));
                if (c.differences & generated_changed) parts.push_back(generated_change(c.from, c.to));
                std::string joined;
                for (const auto& p : parts) joined += (joined.empty() ? "" : ", ") + p;
                return fmt::format("~ column {}.{}: {}", tname, c.to.name.sql(), joined);
            } else if constexpr (std::is_same_v<T, ChangePrimaryKey>)
                return fmt::format("~ primary key of {}: {}", tname, primary_key_change(c, table));
            else if constexpr (std::is_same_v<T, AddUnique>)
                return fmt::format("+ {} on {}", unique_sql(c.unique), tname);
            else if constexpr (std::is_same_v<T, DropUnique>)
                return fmt::format("- {} on {}", unique_sql(c.unique), tname);
            else if constexpr (std::is_same_v<T, AddCheck>)
                return fmt::format("+ {} on {}", check_sql(c.check), tname);
            else if constexpr (std::is_same_v<T, DropCheck>)
                return fmt::format("- {} on {}", check_sql(c.check), tname);
            else if constexpr (std::is_same_v<T, ModifyCheck>)
                return fmt::format("~ CHECK on {}: ({}) → ({})", c.to.column ? tname + "." + c.to.column->sql() : tname,
                                   c.from.expr.sql(), c.to.expr.sql());
            else if constexpr (std::is_same_v<T, AddForeignKey>)
                return fmt::format("+ {} on {}", table_foreign_key_sql(c.fk), tname);
            else if constexpr (std::is_same_v<T, DropForeignKey>)
                return fmt::format("- {} on {}", table_foreign_key_sql(c.fk), tname);
            else if constexpr (std::is_same_v<T, ChangeWithoutRowid>)
                return fmt::format("~ {} becomes {}", tname, c.to ? "WITHOUT ROWID" : "a rowid table");
            else if constexpr (std::is_same_v<T, ChangeStrict>)
                return fmt::format("~ {} {}", tname, c.to ? "becomes STRICT" : "is no longer STRICT");
            else static_assert(unhandled<T>);
        },
        change);
}

namespace {

template <typename T, typename... Ts>
constexpr bool one_of = (std::is_same_v<T, Ts> || ...);

}  // namespace

Verb verb_of(const Change& change) {
    return std::visit(
        [](const auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (one_of<T, AddTable, AddIndex, AddView, AddTrigger, AddVirtualTable>) return Verb::add;
            else if constexpr (one_of<T, DropTable, DropIndex, DropView, DropTrigger, DropVirtualTable>)
                return Verb::drop;
            else if constexpr (one_of<T, RenameTable>) return Verb::rename;
            else if constexpr (one_of<T, ModifyTable, ModifyIndex, ModifyView, ModifyTrigger, ModifyVirtualTable>)
                return Verb::change;
            else static_assert(unhandled<T>);
        },
        change);
}

Verb verb_of(const TableChange& change) {
    return std::visit(
        [](const auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (one_of<T, AddColumn, AddUnique, AddCheck, AddForeignKey>) return Verb::add;
            else if constexpr (one_of<T, DropColumn, DropUnique, DropCheck, DropForeignKey>) return Verb::drop;
            else if constexpr (one_of<T, RenameColumn>) return Verb::rename;
            else if constexpr (one_of<T, ModifyColumn, ChangePrimaryKey, ModifyCheck, ChangeWithoutRowid, ChangeStrict>)
                return Verb::change;
            else static_assert(unhandled<T>);
        },
        change);
}

Ident object_of(const Change& change) {
    return std::visit(
        [](const auto& c) -> Ident {
            using T = std::decay_t<decltype(c)>;
            if constexpr (one_of<T, AddTable, DropTable, AddVirtualTable, DropVirtualTable>) return c.table.name;
            else if constexpr (one_of<T, RenameTable>) return c.to;
            else if constexpr (one_of<T, AddIndex, DropIndex>) return c.index.name;
            else if constexpr (one_of<T, AddView, DropView>) return c.view.name;
            else if constexpr (one_of<T, AddTrigger, DropTrigger>) return c.trigger.name;
            else if constexpr (one_of<T, ModifyTable, ModifyIndex, ModifyView, ModifyTrigger, ModifyVirtualTable>)
                return c.to.name;
            else static_assert(unhandled<T>);
        },
        change);
}

std::string describe(const Change& change) {
    return std::visit(
        [](const auto& c) -> std::string {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, AddTable>) return "+ table " + c.table.name.sql();
            else if constexpr (std::is_same_v<T, DropTable>) return "- table " + c.table.name.sql();
            else if constexpr (std::is_same_v<T, RenameTable>)
                return "> table " + c.from.sql() + " renamed to " + c.to.sql();
            else if constexpr (std::is_same_v<T, ModifyTable>) return "~ table " + c.to.name.sql();
            else if constexpr (std::is_same_v<T, AddIndex>) return "+ index " + c.index.name.sql();
            else if constexpr (std::is_same_v<T, DropIndex>) return "- index " + c.index.name.sql();
            else if constexpr (std::is_same_v<T, ModifyIndex>) return "~ index " + c.to.name.sql();
            else if constexpr (std::is_same_v<T, AddView>) return "+ view " + c.view.name.sql();
            else if constexpr (std::is_same_v<T, DropView>) return "- view " + c.view.name.sql();
            else if constexpr (std::is_same_v<T, ModifyView>) return "~ view " + c.to.name.sql();
            else if constexpr (std::is_same_v<T, AddTrigger>) return "+ trigger " + c.trigger.name.sql();
            else if constexpr (std::is_same_v<T, DropTrigger>) return "- trigger " + c.trigger.name.sql();
            else if constexpr (std::is_same_v<T, ModifyTrigger>) return "~ trigger " + c.to.name.sql();
            else if constexpr (std::is_same_v<T, AddVirtualTable>) return "+ virtual table " + c.table.name.sql();
            else if constexpr (std::is_same_v<T, DropVirtualTable>) return "- virtual table " + c.table.name.sql();
            else if constexpr (std::is_same_v<T, ModifyVirtualTable>) return "~ virtual table " + c.to.name.sql();
            else static_assert(unhandled<T>);
        },
        change);
}

}  // namespace schema

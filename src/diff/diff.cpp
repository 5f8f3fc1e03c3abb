#include "schema/diff.hpp"

#include <fmt/format.h>

#include <set>

namespace schema {

// --- renames -------------------------------------------------------------------

Renames Renames::declared_in(const Schema& declared) {
    Renames r;
    for (const auto& [key, t] : declared.tables) {
        if (t.renamed_from) r.tables.emplace(key, Rename{*t.renamed_from, t.name});
        for (const auto& c : t.columns)
            if (c.renamed_from) r.columns.emplace(std::make_pair(key, c.name.key()), Rename{*c.renamed_from, c.name});
    }
    for (const auto& [key, i] : declared.indexes)
        if (i.renamed_from) r.indexes.emplace(key, Rename{*i.renamed_from, i.name});
    return r;
}

Renames Diff::inverse() const {
    Renames inv;
    std::map<std::string, Ident> old_name_of;  // new table key → old table name
    for (const auto& [key, r] : applied.tables) {
        inv.tables.emplace(r.from.key(), Rename{r.to, r.from});
        old_name_of.emplace(key, r.from);
    }
    for (const auto& [key, r] : applied.columns) {
        std::string table_key = key.first;
        if (auto it = old_name_of.find(table_key); it != old_name_of.end()) table_key = it->second.key();
        inv.columns.emplace(std::make_pair(table_key, r.from.key()), Rename{r.to, r.from});
    }
    for (const auto& [key, r] : applied.indexes) inv.indexes.emplace(r.from.key(), Rename{r.to, r.from});
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
                if (fk.parent.key() == table_key)
                    for (auto& pc : fk.parent_columns)
                        if (pc == r.from) pc = r.to;
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

Diff diff(const Schema& from, const Schema& to, const Renames& hints) {
    Diff d;
    // A hint takes effect when the old name is there, the new one is not, and the
    // declared schema does not also keep the old name.
    std::set<std::string> claimed;
    for (const auto& [new_key, r] : hints.tables) {
        const std::string old_key = r.from.key();
        if (from.tables.count(new_key) || !from.tables.count(old_key) || to.tables.count(old_key) ||
            !to.tables.count(new_key) || claimed.count(old_key))
            continue;
        claimed.insert(old_key);
        d.applied.tables.emplace(new_key, Rename{from.tables.at(old_key).name, to.tables.at(new_key).name});
    }
    for (const auto& [key, r] : hints.columns) {
        const auto& [table_key, new_col_key] = key;
        auto to_it = to.tables.find(table_key);
        if (to_it == to.tables.end()) continue;
        std::string from_key = table_key;
        if (auto t = d.applied.tables.find(table_key); t != d.applied.tables.end()) from_key = t->second.from.key();
        auto from_it = from.tables.find(from_key);
        if (from_it == from.tables.end()) continue;
        const Table& ft = from_it->second;
        const Table& tt = to_it->second;
        if (ft.column(r.to) || !ft.column(r.from) || tt.column(r.from) || !tt.column(r.to)) continue;
        d.applied.columns.emplace(key, Rename{ft.column(r.from)->name, tt.column(r.to)->name});
    }
    for (const auto& [new_key, r] : hints.indexes)
        if (!from.indexes.count(new_key) && from.indexes.count(r.from.key()) && !to.indexes.count(r.from.key()) &&
            to.indexes.count(new_key))
            d.applied.indexes.emplace(new_key, Rename{from.indexes.at(r.from.key()).name, to.indexes.at(new_key).name});

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

std::string cols_sql(const std::vector<IndexedColumn>& cols) {
    std::string s;
    for (const auto& c : cols) s += (s.empty() ? "" : ", ") + indexed_column_sql(c);
    return "(" + s + ")";
}

std::string idents_sql(const std::vector<Ident>& ids) {
    std::string s;
    for (const auto& i : ids) s += (s.empty() ? "" : ", ") + i.sql();
    return "(" + s + ")";
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
                    parts.push_back(c.to.not_null ? (c.from.not_null ? "NOT NULL conflict clause changes"
                                                                     : "NOT NULL added")
                                                  : "NOT NULL dropped");
                if (c.differences & default_changed)
                    parts.push_back(fmt::format("DEFAULT {} → {}", default_text(c.from.default_value),
                                                default_text(c.to.default_value)));
                if (c.differences & collate_changed)
                    parts.push_back(fmt::format("COLLATE {} → {}", c.from.collate ? c.from.collate->sql() : "(none)",
                                                c.to.collate ? c.to.collate->sql() : "(none)"));
                if (c.differences & generated_changed)
                    parts.push_back(!c.to.generated     ? "no longer generated"
                                    : !c.from.generated ? "becomes generated"
                                                        : "generated expression changes");
                std::string joined;
                for (const auto& p : parts) joined += (joined.empty() ? "" : ", ") + p;
                return fmt::format("~ column {}.{}: {}", tname, c.to.name.sql(), joined);
            } else if constexpr (std::is_same_v<T, ChangePrimaryKey>)
                return fmt::format("~ primary key of {}: {} → {}", tname,
                                   c.from ? cols_sql(c.from->columns) : "(rowid)",
                                   c.to ? cols_sql(c.to->columns) : "(rowid)");
            else if constexpr (std::is_same_v<T, AddUnique>)
                return fmt::format("+ UNIQUE {} on {}", cols_sql(c.unique.columns), tname);
            else if constexpr (std::is_same_v<T, DropUnique>)
                return fmt::format("- UNIQUE {} on {}", cols_sql(c.unique.columns), tname);
            else if constexpr (std::is_same_v<T, AddCheck>)
                return fmt::format("+ CHECK ({}) on {}", c.check.expr.sql(), tname);
            else if constexpr (std::is_same_v<T, DropCheck>)
                return fmt::format("- CHECK ({}) on {}", c.check.expr.sql(), tname);
            else if constexpr (std::is_same_v<T, ModifyCheck>)
                return fmt::format("~ CHECK on {}: ({}) → ({})", c.to.column ? tname + "." + c.to.column->sql() : tname,
                                   c.from.expr.sql(), c.to.expr.sql());
            else if constexpr (std::is_same_v<T, AddForeignKey>)
                return fmt::format("+ FOREIGN KEY {} {} on {}", idents_sql(c.fk.columns), foreign_key_sql(c.fk), tname);
            else if constexpr (std::is_same_v<T, DropForeignKey>)
                return fmt::format("- FOREIGN KEY {} {} on {}", idents_sql(c.fk.columns), foreign_key_sql(c.fk), tname);
            else if constexpr (std::is_same_v<T, ChangeWithoutRowid>)
                return fmt::format("~ {} becomes {}", tname, c.to ? "WITHOUT ROWID" : "a rowid table");
            else if constexpr (std::is_same_v<T, ChangeStrict>)
                return fmt::format("~ {} {}", tname, c.to ? "becomes STRICT" : "is no longer STRICT");
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
        },
        change);
}

}  // namespace schema

// The order of DROP TABLE statements when tables that reference each other go.
//
// With foreign keys on (D1, where they cannot be switched off), DROP TABLE first
// compiles a DELETE of every row, and with it the ON DELETE actions (CASCADE,
// SET NULL, SET DEFAULT) of the tables referencing the dropped one, then theirs.
// Each table such an action changes looks up its own parents, which must still
// exist: SQLite cannot prepare the DROP otherwise ("no such table"). The
// dropped table's own DELETE treats a parent that is already gone as empty.
// So where dropped tables form a cycle, the order matters: a table that
// cascades to its own rows goes while its parents are still there.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "internal.hpp"

namespace schema::plan_detail {

const char* row_changing_action(FkAction a) {
    switch (a) {
        case FkAction::cascade: return "CASCADE";
        case FkAction::set_null: return "SET NULL";
        case FkAction::set_default: return "SET DEFAULT";
        default: return nullptr;
    }
}

std::vector<const Table*> drop_order(const Schema& s, const std::vector<const Table*>& preferred,
                                     std::vector<std::string>& keys_off_because) {
    std::map<std::string, std::set<std::string>> acted_on;  // parent → tables its ON DELETE actions change
    for (const auto& [key, t] : s.tables)
        for (const auto& fk : t.foreign_keys)
            if (row_changing_action(fk.on_delete)) acted_on[fk.parent.key()].insert(key);
    std::set<std::string> gone;
    auto preparable = [&](const Table& victim) {
        std::set<std::string> reached;
        std::vector<std::string> todo{victim.name.key()};
        while (!todo.empty()) {
            auto it = acted_on.find(todo.back());
            todo.pop_back();
            if (it == acted_on.end()) continue;
            for (const auto& key : it->second)
                if (!gone.count(key) && reached.insert(key).second) todo.push_back(key);
        }
        for (const auto& key : reached)
            for (const auto& fk : s.tables.at(key).foreign_keys)
                if (gone.count(fk.parent.key())) return false;
        return true;
    };

    // First the preferred order, taking the first table that can go (in a schema
    // without such cycles, the answer at once).
    std::vector<const Table*> out;
    for (auto rest = preferred; !rest.empty();) {
        auto next = std::find_if(rest.begin(), rest.end(), [&](const Table* t) { return preparable(*t); });
        if (next == rest.end()) break;
        gone.insert((*next)->name.key());
        out.push_back(*next);
        rest.erase(next);
    }
    if (out.size() == preferred.size()) return out;

    // Stuck: a depth-first search over the orders, within a budget.
    out.clear();
    gone.clear();
    std::vector<const Table*> left = preferred;
    int budget = 20000;
    std::function<bool()> place = [&]() {
        if (left.empty()) return true;
        for (std::size_t i = 0; i < left.size(); ++i) {
            if (--budget < 0) return false;
            const Table* t = left[i];
            if (!preparable(*t)) continue;
            left.erase(left.begin() + std::ptrdiff_t(i));
            gone.insert(t->name.key());
            out.push_back(t);
            if (place()) return true;
            out.pop_back();
            gone.erase(t->name.key());
            left.insert(left.begin() + std::ptrdiff_t(i), t);
        }
        return false;
    };
    if (place()) return out;
    // None found: the preferred order (the sqlite dialect drops such tables with
    // keys off; on D1 the proof refuses with this reason).
    std::string names;
    for (const Table* t : preferred) names += (names.empty() ? "" : ", ") + t->name.sql();
    keys_off_because.push_back(fmt::format(
        "tables {} reference each other and ON DELETE actions reach their own rows: whichever is dropped first, "
        "SQLite cannot prepare the DROP of another (it would run an action that looks up the table already gone)",
        names));
    return preferred;
}

std::vector<KeysOnBlocker> keys_on_blockers(const std::vector<const Table*>& order) {
    std::vector<KeysOnBlocker> out;
    for (std::size_t i = 0; i < order.size(); ++i) {
        const Table& victim = *order[i];
        // Its own DELETE meets the references of the tables still there: itself
        // and those dropped after it.
        for (std::size_t j = i; j < order.size(); ++j) {
            const Table& child = *order[j];
            for (const auto& fk : child.foreign_keys) {
                if (fk.parent != victim.name) continue;
                bool not_null = false;
                for (const auto& c : fk.columns)
                    if (const Column* col = child.column(c); col && col->not_null) not_null = true;
                const char* what = fk.on_delete == FkAction::restrict_ ? "ON DELETE RESTRICT"
                                   : (fk.on_delete == FkAction::set_null || fk.on_delete == FkAction::set_default) &&
                                           not_null
                                       ? "ON DELETE SET NULL or SET DEFAULT through a NOT NULL column"
                                       : nullptr;
                if (!what) continue;
                out.push_back({victim.name,
                               fmt::format("{} references {} {}: with foreign keys on, SQLite refuses to drop {} "
                                           "while its rows are referenced",
                                           &child == &victim ? "table " + child.name.sql() + " itself"
                                                             : "table " + child.name.sql(),
                                           victim.name.sql(), what, victim.name.sql())});
            }
        }
    }
    return out;
}

}  // namespace schema::plan_detail

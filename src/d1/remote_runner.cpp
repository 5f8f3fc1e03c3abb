// The runner through wrangler: the checks `schema apply` makes before anything
// runs, over the history D1 holds, then wrangler's own commands to change it.
#include <fmt/format.h>

#include <set>

#include "schema/d1.hpp"
#include "schema/diagnostic.hpp"
#include "schema/ident.hpp"
#include "schema/sum.hpp"

namespace schema::d1 {

migrate::Directory load_checked(const fs::path& migrations_dir) {
    auto dir = migrate::Directory::load(migrations_dir);
    dir.require_unique_versions();
    migrate::require_wrangler_layout(dir);
    if (auto sum = migrate::check_sum(migrations_dir);
        sum.kind == migrate::SumCheck::differs || sum.kind == migrate::SumCheck::conflicted)
        throw migrate::HistoryError(sum.message());
    return dir;
}

RemoteHistory read_history(const Wrangler& w, const migrate::HistoryTables& tables, const migrate::Directory& dir) {
    auto db = sqlite::Database::memory();
    snapshot(w, tables, db);
    RemoteHistory h;
    h.applied = migrate::recorded_history(db, tables, dir);
    h.own_table = migrate::Tracker(db, tables).presence().own;  // SQLite's NOCASE, as every lookup of it
    return h;
}

std::vector<const migrate::Migration*> pending(const RemoteHistory& history, const migrate::Directory& dir,
                                               std::optional<std::int64_t> to) {
    for (const auto& d : migrate::drift(dir, history.applied))
        throw migrate::HistoryError(migrate::drift_message(d, dir));
    std::set<std::int64_t> done;
    for (const auto& a : history.applied) done.insert(a.version);
    std::vector<const migrate::Migration*> out;
    for (const auto& m : dir.migrations)
        if (!done.count(m.version)) out.push_back(&m);
    if (to && !out.empty() && out.back()->version > *to)
        throw InputError("--to with --remote/--local: wrangler d1 migrations apply applies every pending migration; "
                         "apply them all, or move the later files out of the directory first");
    for (const auto* m : out) migrate::refuse_unrunnable(*m, true, Dialect::d1);
    return out;
}

void apply(const Wrangler& w, const migrate::HistoryTables& tables, const migrate::Directory& dir,
           const std::vector<const migrate::Migration*>& pending,
           const std::function<void(const migrate::Migration&)>& applied) {
    std::string failure;
    try {
        migrations_apply(w);
    } catch (const WranglerError& e) {
        if (e.setup()) throw;
        failure = e.message();
    }
    std::set<std::int64_t> now;
    for (const auto& a : read_history(w, tables, dir).applied) now.insert(a.version);
    for (const auto* m : pending) {
        if (!now.count(m->version))
            throw migrate::MigrationFailed(m->up_path.string(), 0, "wrangler d1 migrations apply " + w.database,
                                           failure.empty() ? "wrangler did not apply it" : failure);
        if (applied) applied(*m);
    }
}

std::vector<RollbackBatch> rollbacks(const RemoteHistory& history, const migrate::Directory& dir,
                                     const migrate::HistoryTables& tables, const migrate::RollbackOptions& options) {
    std::vector<RollbackBatch> out;
    for (const auto* it : migrate::rollback_targets(history.applied, options)) {
        const auto* m = dir.find(it->version);
        if (!m)
            throw migrate::HistoryError(fmt::format("migration {} ({}) is applied but its file is gone: it cannot be "
                                                    "rolled back from here",
                                                    it->version, it->name));
        if (!m->down_path)
            throw InputError(fmt::format("{}: no rollback file (wrangler writes none): write {} first",
                                         m->up_path.string(), dir.paths_for(m->version, m->name).second.string()));
        out.push_back(rollback_batch(*m, tables, history.own_table));
    }
    return out;
}

}  // namespace schema::d1

// Fleets: the runner over many databases, a few at a time. Each database is
// its own unit of work (own connection, own lock, own transactions), so the
// workers share nothing but the migrations read once and the next index.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "schema/migrate.hpp"

namespace schema::migrate {

namespace {

// Runs work(i) for every i < n on `jobs` threads.
template <class Work>
void parallel_for(std::size_t n, int jobs, Work work) {
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i; (i = next++) < n;) work(i);
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < std::min<int>(jobs, int(n)); ++t) pool.emplace_back(worker);
    worker();
    for (auto& th : pool) th.join();
}

FleetResult apply_one(const fs::path& path, const Directory& dir, const FleetOptions& options) {
    FleetResult r;
    r.db = path;
    auto started = std::chrono::steady_clock::now();
    std::int64_t version = 0;
    try {
        // An existing file only: a typo in the pattern must not create databases.
        auto db = sqlite::Database::open(path.string(), sqlite::Database::Mode::read_write);
        Runner runner(db, path, options.tables, [](const Event&) {});
        runner.busy_timeout_ms = options.busy_timeout_ms;
        runner.backup = options.backup;
        // One folder per database: pruning old copies reads only its own.
        runner.backup.dir = (options.backup.dir.empty() ? path.parent_path() / "backups" : options.backup.dir) /
                            path.filename();
        try {
            r.migrations = runner.apply(dir, options.apply);
            r.kind = r.migrations > 0 ? FleetResult::applied : FleetResult::current;
        } catch (...) {
            version = runner.version();
            throw;
        }
        version = runner.version();
    } catch (const std::exception& e) {
        r.kind = FleetResult::failed;
        r.reason = e.what();
    }
    r.version = version;
    r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    return r;
}

}  // namespace

std::vector<FleetResult> apply_fleet(const std::vector<fs::path>& dbs, const Directory& dir,
                                     const FleetOptions& options,
                                     const std::function<void(const FleetResult&)>& on_done) {
    std::vector<FleetResult> results(dbs.size());
    std::mutex report;
    parallel_for(dbs.size(), options.jobs, [&](std::size_t i) {
        results[i] = apply_one(dbs[i], dir, options);
        if (on_done) {
            std::lock_guard lock(report);
            on_done(results[i]);
        }
    });
    return results;
}

std::vector<FleetMember> fleet_status(const std::vector<fs::path>& dbs, const Directory& dir,
                                      const HistoryTables& tables, int jobs, int busy_timeout_ms) {
    std::vector<FleetMember> out(dbs.size());
    parallel_for(dbs.size(), jobs, [&](std::size_t i) {
        FleetMember& m = out[i];
        m.db = dbs[i];
        try {
            auto db = sqlite::Database::open(dbs[i].string(), sqlite::Database::Mode::read_only);
            db.busy_timeout(busy_timeout_ms);
            auto applied = recorded_history(db, tables, dir);
            m.version = applied.empty() ? 0 : applied.back().version;
            for (const auto& s : states(dir, applied)) {
                if (s.kind == MigrationState::pending) ++m.pending;
                if (s.kind == MigrationState::modified) ++m.modified;
                if (s.kind == MigrationState::missing) ++m.missing;
            }
        } catch (const std::exception& e) {
            m.error = e.what();
        }
    });
    return out;
}

}  // namespace schema::migrate

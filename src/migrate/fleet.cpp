// Fleets: the runner over many databases, a few at a time. Each database is
// its own unit of work (own connection, own lock, own transactions), so the
// workers share nothing but the migrations read once and the next index.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <new>
#include <thread>

#include "schema/migrate.hpp"

namespace schema::migrate {

namespace {

// Runs work(i) for every i < n on up to `jobs` threads. A thread the system
// will not create (memory, process limits) is not fatal: the work goes on with
// the threads there are, at least this one, and `fewer` hears how many and why.
// An exception from work() stops the workers and is rethrown here, after every
// thread has ended (the callers' work catches what a database throws).
template <class Work>
void parallel_for(std::size_t n, int jobs, const FewerJobs& fewer, Work work) {
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_lock;
    auto worker = [&] {
        try {
            for (std::size_t i; (i = next++) < n;) work(i);
        } catch (...) {
            std::lock_guard lock(error_lock);
            if (!error) error = std::current_exception();
            next = n;
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < std::min<int>(jobs, int(n)); ++t) {
        try {
            pool.emplace_back(worker);
        } catch (const std::system_error& e) {
            try {
                if (fewer) fewer(int(pool.size()) + 1, e.what());
            } catch (const std::bad_alloc&) {
                // no memory to say so: the threads there are go on all the same
            }
            break;
        }
    }
    worker();
    for (auto& th : pool) th.join();
    if (error) std::rethrow_exception(error);
}

// Where a database's backups go: a folder of its own, so that pruning reads
// only its copies. Under the default backups/ beside it the file name is
// unique; under a shared folder (--backup-dir) the whole path names it.
fs::path backup_folder(const fs::path& db, const fs::path& shared) {
    if (shared.empty()) return db.parent_path() / "backups" / db.filename();
    std::string name;
    for (char c : db.lexically_normal().string()) {
        if (c == '%') name += "%25";
        else if (c == '/') name += "%2F";
        else name += c;
    }
    return shared / name;
}

// Why a path the pattern matched cannot be a database (a symlink loop, a
// dangling link, a directory), or empty when it is a file.
std::string not_a_database_file(const fs::path& path) {
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (ec) return fmt::format("cannot read {}: {}", path.string(), ec.message());
    if (!fs::is_regular_file(status)) return path.string() + " is not a file";
    return {};
}

FleetResult apply_one(const fs::path& path, const Directory& dir, const FleetOptions& options) {
    FleetResult r;
    r.db = path;
    auto started = std::chrono::steady_clock::now();
    try {
        if (stop_signal()) throw std::runtime_error("not started: the run was stopped by a signal");
        if (auto why = not_a_database_file(path); !why.empty()) throw std::runtime_error(why);
        // An existing file only: a typo in the pattern must not create databases.
        auto db = sqlite::Database::open(path.string(), sqlite::Database::Mode::read_write);
        Runner runner(db, path, options.tables, [](const Event&) {});
        runner.busy_timeout_ms = options.busy_timeout_ms;
        runner.backup = options.backup;
        runner.backup.dir = backup_folder(path, options.backup.dir);
        try {
            r.migrations = runner.apply(dir, options.apply);
            r.kind = r.migrations > 0 ? FleetResult::applied : FleetResult::current;
        } catch (...) {
            r.version = runner.version();  // where a failing run left it
            throw;
        }
        r.version = runner.version();
    } catch (const std::exception& e) {
        r.kind = FleetResult::failed;
        r.reason = e.what();
    } catch (...) {
        r.kind = FleetResult::failed;
        r.reason = "failed with an unknown error";
    }
    r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    return r;
}

}  // namespace

std::vector<FleetResult> apply_fleet(const std::vector<fs::path>& dbs, const Directory& dir,
                                     const FleetOptions& options,
                                     const std::function<void(const FleetResult&)>& on_done) {
    std::vector<FleetResult> results(dbs.size());
    for (std::size_t i = 0; i < dbs.size(); ++i) results[i].db = dbs[i];  // allocated before any thread runs
    std::mutex report;
    parallel_for(dbs.size(), options.jobs, options.on_fewer_jobs, [&](std::size_t i) {
        // Memory can run out even while a failure is being recorded (many threads
        // under a tight limit): that tenant is failed, its transaction rolled
        // back, and the others go on. The reason fits in the string's own buffer.
        try {
            results[i] = apply_one(dbs[i], dir, options);
        } catch (const std::bad_alloc&) {
            results[i].kind = FleetResult::failed;
            results[i].reason = "out of memory";
        }
        if (on_done) {
            std::lock_guard lock(report);
            try {
                on_done(results[i]);
            } catch (const std::bad_alloc&) {
                // its line is lost; the summary still counts it
            }
        }
    });
    return results;
}

std::vector<FleetMember> fleet_status(const std::vector<fs::path>& dbs, const Directory& dir,
                                      const HistoryTables& tables, int jobs, int busy_timeout_ms,
                                      const FewerJobs& fewer) {
    std::vector<FleetMember> out(dbs.size());
    parallel_for(dbs.size(), jobs, fewer, [&](std::size_t i) {
        FleetMember& m = out[i];
        m.db = dbs[i];
        try {
            if (auto why = not_a_database_file(dbs[i]); !why.empty()) throw std::runtime_error(why);
            auto db = open_to_read(dbs[i], busy_timeout_ms);
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

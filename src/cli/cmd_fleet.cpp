// schema apply --fleet GLOB [-j N] | schema status --fleet GLOB: one migration
// history over many databases (database-per-tenant).
#include <fmt/format.h>
#include <glob.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <thread>

#include "fleet.hpp"

namespace schema::cli {

namespace {

std::string version_label(std::int64_t v) { return v == 0 ? "none" : fmt::format("{:04}", v); }

// SQLite's files beside a database (its write-ahead log, shared memory index,
// rollback journal): part of that database, never one of their own.
bool is_sidecar_of_a_database(const fs::path& p) {
    const std::string name = p.filename().string();
    for (std::string_view suffix : {"-wal", "-shm", "-journal"}) {
        if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        std::error_code ec;
        return fs::is_regular_file(p.parent_path() / name.substr(0, name.size() - suffix.size()), ec);
    }
    return false;
}

}  // namespace

std::vector<fs::path> expand_fleet(const std::string& pattern) {
    glob_t g{};
    int rc = ::glob(pattern.c_str(), 0, nullptr, &g);  // unreadable directories: no match there
    std::vector<fs::path> out;
    if (rc == 0)
        for (std::size_t i = 0; i < g.gl_pathc; ++i) {
            fs::path p = g.gl_pathv[i];
            // What cannot be looked at (a symlink loop, a dangling link) is kept:
            // the run reports it as that tenant's failure and goes on.
            std::error_code ec;
            if (fs::is_directory(p, ec) || is_sidecar_of_a_database(p)) continue;
            out.push_back(p);
        }
    globfree(&g);
    if (rc == GLOB_NOSPACE) throw std::bad_alloc();
    if (out.empty()) throw InputError("--fleet " + pattern + ": no database file matches");
    std::sort(out.begin(), out.end());
    return out;
}

int fleet_jobs(std::optional<int> jobs) {
    if (jobs && *jobs < 1) throw InputError("-j: expected 1 or more");
    return jobs.value_or(int(std::max(1u, std::thread::hardware_concurrency())));
}

migrate::FewerJobs fewer_jobs_warning(int asked) {
    return [asked](int jobs, const std::string& why) {
        std::cerr << fmt::format("schema: fleet: could not start {} threads ({}); going on with {} at a time\n", asked,
                                 why, jobs);
    };
}

int run_fleet_apply(const FleetArgs& a, const Project& p, Output& out) {
    auto dbs = expand_fleet(a.pattern);
    auto dir = migrate::Directory::load(p.migrations_dir);
    dir.require_unique_versions();  // once, not once per database
    migrate::FleetOptions o;
    o.jobs = fleet_jobs(a.jobs);
    o.tables = p.history();
    o.backup.enabled = p.backups && !a.no_backup;
    o.backup.dir = p.backup_dir;
    o.backup.keep = p.keep_backups;
    o.busy_timeout_ms = p.busy_timeout_ms;
    o.apply = {a.to, a.dry_run};  // a dry run copies nothing: the runner backs up only before it changes
    o.on_fewer_jobs = fewer_jobs_warning(o.jobs);

    const std::int64_t latest = dir.migrations.empty() ? 0 : dir.migrations.back().version;
    if (!out.json())
        std::cout << fmt::format("fleet: {} databases, {} migrations in {} (latest {}), {} at a time\n",
                                 thousands(std::int64_t(dbs.size())), dir.migrations.size(), dir.root.string(),
                                 version_label(latest), o.jobs);
    migrate::stop_on_signals();  // the databases being migrated are rolled back, no others started
    auto started = std::chrono::steady_clock::now();
    auto last_tick = started;
    std::size_t done = 0, failed = 0;
    auto results = migrate::apply_fleet(dbs, dir, o, [&](const migrate::FleetResult& r) {
        ++done;
        if (r.kind == migrate::FleetResult::failed) ++failed;
        if (out.json()) {
            nlohmann::json j{{"event", "fleet_database"},
                             {"database", r.db.string()},
                             {"outcome", r.kind == migrate::FleetResult::applied   ? "applied"
                                         : r.kind == migrate::FleetResult::current ? "current"
                                                                                   : "failed"},
                             {"applied", r.migrations},
                             {"version", r.version},
                             {"ms", r.ms}};
            if (!r.reason.empty()) j["reason"] = r.reason;
            out.json_line(j);
            return;
        }
        auto now = std::chrono::steady_clock::now();
        if (out.stderr_is_terminal() && (now - last_tick > std::chrono::milliseconds(100) || done == dbs.size())) {
            last_tick = now;
            std::cerr << fmt::format("\r\033[K  {}/{} databases, {} failed", thousands(std::int64_t(done)),
                                     thousands(std::int64_t(dbs.size())), failed)
                      << std::flush;
        }
    });
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (out.stderr_is_terminal() && !out.json()) std::cerr << "\r\033[K" << std::flush;

    std::size_t n_applied = 0, n_current = 0, n_failed = 0, migrations = 0;
    for (const auto& r : results) {
        if (r.kind == migrate::FleetResult::applied) ++n_applied;
        if (r.kind == migrate::FleetResult::current) ++n_current;
        if (r.kind == migrate::FleetResult::failed) ++n_failed;
        migrations += std::size_t(r.migrations);
    }
    if (out.json()) {
        out.json_line(nlohmann::json{{"summary",
                                      {{"databases", dbs.size()},
                                       {"applied", n_applied},
                                       {"current", n_current},
                                       {"failed", n_failed},
                                       {"migrations_applied", migrations},
                                       {"seconds", seconds}}}});
        if (int signal = migrate::stop_signal()) return 128 + signal;
        return n_failed ? 1 : 0;
    }
    const char* verb = a.dry_run ? "would apply" : "applied";
    std::cout << fmt::format("  {:<15} {:>7}  ({} migrations in all)\n", verb, thousands(std::int64_t(n_applied)),
                             thousands(std::int64_t(migrations)));
    std::cout << fmt::format("  {:<15} {:>7}\n", "already current", thousands(std::int64_t(n_current)));
    std::cout << fmt::format("  {:<15} {:>7}\n", "failed", thousands(std::int64_t(n_failed)));
    for (const auto& r : results) {
        if (r.kind != migrate::FleetResult::failed) continue;
        std::string reason = r.reason;
        for (std::size_t i = 0; (i = reason.find('\n', i)) != std::string::npos; i += 7)
            reason.replace(i, 1, "\n      ");
        std::cout << "    " << out.red(r.db.string()) << fmt::format(" (left at {}):\n      {}\n",
                                                                          version_label(r.version), reason);
    }
    std::cout << fmt::format("{} in {:.1f} s ({:.2f} ms per database)\n",
                             n_failed ? out.red("fleet: some databases failed") : out.green("fleet: done"), seconds,
                             seconds * 1000 / double(dbs.size()));
    if (int signal = migrate::stop_signal()) return 128 + signal;
    return n_failed ? 1 : 0;
}

int run_fleet_status(const FleetArgs& a, const Project& p, Output& out) {
    auto dbs = expand_fleet(a.pattern);
    auto dir = migrate::Directory::load(p.migrations_dir, /*read_rollbacks=*/false);
    dir.require_unique_versions();
    const int jobs = fleet_jobs(a.jobs);
    auto members = migrate::fleet_status(dbs, dir, p.history(), jobs, p.busy_timeout_ms, fewer_jobs_warning(jobs));
    const std::int64_t latest = dir.migrations.empty() ? 0 : dir.migrations.back().version;

    struct Group {
        std::size_t databases = 0;
        int pending = 0;  // each of them has
    };
    std::map<std::int64_t, Group, std::greater<>> at;  // by version, newest first
    std::vector<const migrate::FleetMember*> problems;
    for (const auto& m : members) {
        if (!m.error.empty() || m.modified || m.missing) problems.push_back(&m);
        if (!m.error.empty()) continue;
        auto& g = at[m.version];
        ++g.databases;
        g.pending = m.pending;
    }
    auto problem_text = [](const migrate::FleetMember& m) {
        if (!m.error.empty()) return m.error;
        std::string s;
        if (m.modified) s += fmt::format("{} applied migration(s) edited since", m.modified);
        if (m.missing) s += fmt::format("{}{} applied migration(s) whose file is gone", s.empty() ? "" : "; ",
                                        m.missing);
        return s;
    };
    if (out.json()) {
        for (const auto& m : members) {
            nlohmann::json j{{"database", m.db.string()}, {"version", m.version}, {"pending", m.pending},
                             {"modified", m.modified},    {"missing", m.missing}};
            if (!m.error.empty()) j["error"] = m.error;
            out.json_line(j);
        }
        nlohmann::json versions = nlohmann::json::object();
        for (const auto& [v, g] : at) versions[version_label(v)] = g.databases;
        out.json_line(nlohmann::json{{"summary",
                                      {{"databases", members.size()},
                                       {"latest", latest},
                                       {"versions", versions},
                                       {"problems", problems.size()}}}});
        return problems.empty() ? 0 : 1;
    }
    std::cout << fmt::format("fleet: {} databases, migrations in {} (latest {})\n",
                             thousands(std::int64_t(members.size())), dir.root.string(), version_label(latest));
    for (const auto& [v, g] : at) {
        std::string what = g.pending == 0 ? out.green("up to date") : out.yellow(fmt::format("{} pending", g.pending));
        std::cout << fmt::format("  at {:<6} {:>7} database{}  ", version_label(v),
                                 thousands(std::int64_t(g.databases)), g.databases == 1 ? " " : "s")
                  << what << "\n";
    }
    if (!problems.empty()) {
        std::cout << out.red(fmt::format("  {} with problems:", problems.size())) << "\n";
        for (auto m : problems) std::cout << "    " << m->db.string() << ": " << problem_text(*m) << "\n";
    }
    return problems.empty() ? 0 : 1;
}

}  // namespace schema::cli

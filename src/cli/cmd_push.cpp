// schema push: a development database brought straight to schema/, with no
// migration file: the plan, proof and data-loss guard of `schema diff`, run by
// the runner as `schema apply` runs a file (foreign keys, one transaction, a
// backup first for a rebuild), but recorded nowhere.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

#include "context.hpp"
#include "schema/pipeline.hpp"

namespace schema::cli {

namespace {

struct PushOptions {
    bool allow_data_loss = false;
    bool ignore_history = false;
    bool dry_run = false;
    bool no_backup = false;
};

// How many migrations the database's history records: a database managed by
// migrations is brought forward by them, not pushed past them.
std::size_t recorded_migrations(const Project& p) {
    if (!fs::exists(p.db)) return 0;
    auto db = migrate::open_to_read(p.db, p.busy_timeout_ms);
    auto dir = migrate::Directory::load(p.migrations_dir, /*read_rollbacks=*/false);
    return migrate::recorded_history(db, p.history(), dir).size();
}

// The statements of the text that runs, without the file header a migration has.
std::string statements_of(const std::string& sql) {
    std::string out;
    for (const auto& st : sqlite::split_script(sql).statements)
        out += std::string(st.text(sql)) + (st.text(sql).back() == ';' ? "\n" : ";\n");
    return out;
}

int run_push(const PushOptions& o, const Project& p, Output& out) {
    auto sources = read_schema_files(p.schema_dir);
    Schema declared = parse_declared(sources, p.dialect);
    if (auto n = recorded_migrations(p); n > 0 && !o.ignore_history)
        throw migrate::HistoryError(fmt::format(
            "{} is managed by migrations ({} recorded in {}): pushing would leave it where no migration "
            "leads. Bring it forward with `schema diff` and `schema apply`; or, for a development copy, pass "
            "--ignore-history",
            p.db.string(), n, p.tracking_table));

    // The live database alone: a push goes straight to schema/, whatever migrations are pending.
    Baseline base = baseline(target_of(p), migrate::Directory{});
    Proposal g = propose(base, declared, {o.allow_data_loss, p.dialect});
    if (g.verdict == Proposal::Verdict::up_to_date) {
        if (out.json()) out.json_line({{"event", "up_to_date"}, {"database", p.db.string()}});
        else std::cout << "up to date: " << p.db.string() << " matches " << p.schema_dir.string() << "\n";
        return 0;
    }
    if (refused(g, o.allow_data_loss || o.dry_run, "pushing", "--dry-run", p, out)) return 1;
    MigrationInfo up_info{"push", "(none: a push writes no rollback)", false, {}, p.dialect};
    MigrationInfo down_info{"push (undone)", "push", true, g.up.data_loss, p.dialect};
    prove_texts(g, base.schema, declared, up_info, down_info, &sources);
    base.live_db = sqlite::Database();  // closed before the write

    const std::string sql = statements_of(g.up_text);
    if (out.json()) {
        out.json_line({{"event", o.dry_run ? "would_push" : "pushing"},
                       {"database", p.db.string()},
                       {"changes", g.up.summary},
                       {"data_loss", g.up.data_loss},
                       {"sql", sql}});
    } else {
        std::cout << out.bold("Changes") << " (" << p.db.string() << " → " << p.schema_dir.string() << "):\n";
        for (const auto& l : g.up.summary) std::cout << "  " << out.change_line(l) << "\n";
        for (const auto& l : g.up.data_loss) std::cout << "  " << out.red("! " + l) << "\n";
        std::cout << "\n" << (o.dry_run ? "would run" : "running") << " on " << p.db.string() << ":\n\n"
                  << sql << "\n";
    }
    if (o.dry_run) return 0;

    const bool existed = fs::exists(p.db);
    auto db = sqlite::Database::open(p.db.string(), sqlite::Database::Mode::create);
    migrate::Runner runner(db, p.db, p.history(), [&](const migrate::Event& e) {
        if (e.kind == migrate::Event::Kind::backup && !out.json()) std::cout << "backup: " << e.file << "\n";
        if (e.kind == migrate::Event::Kind::backup && out.json())
            out.json_line({{"event", "backup"}, {"database", p.db.string()}, {"file", e.file}});
    });
    runner.busy_timeout_ms = p.busy_timeout_ms;
    // A rebuild copies rows: the database is copied first (a new one has nothing to lose).
    runner.backup.enabled = p.backups && !o.no_backup && existed && !g.up.rebuilt.empty();
    runner.backup.dir = p.backup_dir;
    runner.backup.keep = p.keep_backups;
    migrate::Migration m;
    m.name = "push";
    m.up_path = "push";
    m.up_sql = g.up_text;
    m.read_statements();
    auto started = std::chrono::steady_clock::now();
    runner.run_untracked(m);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    if (out.json()) out.json_line({{"event", "pushed"}, {"database", p.db.string()}, {"ms", ms}});
    else std::cout << out.green("pushed") << fmt::format(" {} ({:.0f} ms); no migration written\n", p.db.string(), ms);
    return 0;
}

}  // namespace

void register_push(CLI::App& app, Globals& g, int& exit_code) {
    auto o = std::make_shared<PushOptions>();
    auto* cmd = app.add_subcommand("push", "Bring a development database straight to schema/, writing no migration");
    cmd->add_flag("--allow-data-loss", o->allow_data_loss, "go on even if it drops tables or columns or skips rows");
    cmd->add_flag("--ignore-history", o->ignore_history,
                  "push to a database whose history says migrations manage it");
    cmd->add_flag("--dry-run", o->dry_run, "print what would run; change nothing");
    cmd->add_flag("--no-backup", o->no_backup, "do not copy the database first (taken for a rebuild)");
    cmd->callback([o, &g, &exit_code] {
        Output out(g.no_color, g.wants_json());
        exit_code = for_each_project(
            g, out, [&](const Project& p) { return run_push(*o, p, out); }, true, WranglerUse::refuse);
    });
}

}  // namespace schema::cli

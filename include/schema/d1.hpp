// A D1 database reached through the `wrangler` CLI the user already has and
// trusts, the same way for --remote (Cloudflare) and --local (wrangler's local
// database): `schema` reads the schema and history with `wrangler d1 execute
// --json`, applies with `wrangler d1 migrations apply` (so that D1's own
// d1_migrations stays the source of truth) and rolls back with one `wrangler d1
// execute --command` batch. docs/d1.md lists each command and why.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "schema/migrate.hpp"

namespace schema::d1 {

namespace fs = std::filesystem;

struct Wrangler {
    std::string database;    // the name (or binding) wrangler knows it by
    bool remote = true;      // --remote, or --local
    std::string env;         // wrangler's --env
    fs::path dir = ".";      // where wrangler's config is
    std::string program = "wrangler";  // SCHEMA_WRANGLER overrides: another executable

    std::string where() const { return remote ? "remote" : "local"; }
};

// wrangler failed: the command (as typed at a shell) and what wrangler said.
// `setup` when it is not the database's doing (wrangler missing, not logged in,
// an unknown database): the command line exits 2 for those.
class WranglerError : public std::runtime_error {
public:
    WranglerError(std::string command, std::string message, bool setup);
    const std::string& command() const { return command_; }
    const std::string& message() const { return message_; }
    bool setup() const { return setup_; }

private:
    std::string command_, message_;
    bool setup_;
};

// The rows of each statement of `sql` (`wrangler d1 execute NAME --json --command`).
std::vector<nlohmann::json> execute(const Wrangler& w, const std::string& sql);

// A local SQLite file at `file` holding the database's schema (every object's
// text, as sqlite_master has it) and its history tables' rows: what `status`,
// `check`, `diff` and `inspect` read. No table rows: the checks that count rows
// run when the migration does.
void snapshot(const Wrangler& w, const migrate::HistoryTables& tables, const fs::path& file);
void snapshot(const Wrangler& w, const migrate::HistoryTables& tables, sqlite::Database& into);

// `wrangler d1 migrations apply NAME`: every pending migration, each with its
// d1_migrations row in one batch. Returns wrangler's output.
std::string migrations_apply(const Wrangler& w);

// What rolls `m` back on D1: its rollback file and the removal of its history
// rows, as one batch. Checked before anything runs: a statement D1 refuses, or
// a batch longer than one command-line argument can be (the SQL goes to
// wrangler as `--command=...`), is refused (MigrationFailed, refused).
struct RollbackBatch {
    const migrate::Migration* migration;
    std::string sql;
};
RollbackBatch rollback_batch(const migrate::Migration& m, const migrate::HistoryTables& tables,
                             bool own_table_exists);

// Runs the batch with one `wrangler d1 execute --command` (D1 runs a batch as a
// transaction).
void roll_back(const Wrangler& w, const RollbackBatch& batch);

// The longest `--command=SQL` argument the system passes to a program: Linux
// takes one argument of at most 32 pages (131,072 bytes with 4 KiB pages, its
// NUL included). Elsewhere no one argument has a limit of its own: the
// system's refusal (E2BIG) is reported as it comes.
std::size_t max_command_argument();

// Before a change to a remote database: D1 Time Travel's bookmark for now
// (`wrangler d1 time-travel info NAME --json`), to restore with `wrangler d1
// time-travel restore NAME --bookmark=...`. For --local: `wrangler d1 export
// NAME --local --output FILE` into `backup_dir`; returns the file.
std::string backup(const Wrangler& w, const fs::path& backup_dir);

// --- The runner through wrangler: what `schema apply|rollback --remote|--local` run.

// The migrations directory as wrangler reads it, checked as the local runner
// checks before anything runs: one file per version, wrangler's layout, and
// schema.sum (D1 keeps no checksums: the sum says a file changed since
// `schema` wrote it or someone reviewed it and ran `schema hash`).
migrate::Directory load_checked(const fs::path& migrations_dir);

// The history D1 holds: d1_migrations, and ours where `schema` wrote one
// there; read through a snapshot.
struct RemoteHistory {
    std::vector<migrate::Applied> applied;
    bool own_table = false;
};
RemoteHistory read_history(const Wrangler& w, const migrate::HistoryTables& tables, const migrate::Directory& dir);

// What `apply` runs, oldest first: refused (HistoryError, MigrationFailed)
// when an applied file drifted or a pending one holds what D1 refuses.
// `to` is refused when it would leave some pending (wrangler applies all).
std::vector<const migrate::Migration*> pending(const RemoteHistory& history, const migrate::Directory& dir,
                                               std::optional<std::int64_t> to);

// Applies them with `wrangler d1 migrations apply`, then reads D1's history
// again: `applied` hears each migration D1 now records, in order; the first it
// does not record throws MigrationFailed with wrangler's message (each
// migration is its own batch: that one left nothing, the earlier ones stay).
void apply(const Wrangler& w, const migrate::HistoryTables& tables, const migrate::Directory& dir,
           const std::vector<const migrate::Migration*>& pending,
           const std::function<void(const migrate::Migration&)>& applied);

// What `rollback` runs, newest first, each batch checked before the first runs.
std::vector<RollbackBatch> rollbacks(const RemoteHistory& history, const migrate::Directory& dir,
                                     const migrate::HistoryTables& tables, const migrate::RollbackOptions& options);

}  // namespace schema::d1

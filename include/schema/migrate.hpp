// Migration directories, the tracking table, and the runner that applies and
// rolls back migrations: each in one transaction with its tracking row, exactly
// once even with several runners at a time, and never past an applied file that
// was edited.
#pragma once

#include <cstdint>
#include <climits>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "schema/dialect.hpp"
#include "schema/sqlite.hpp"
#include "schema/statement_shape.hpp"

namespace schema::migrate {

namespace fs = std::filesystem;

// How a directory lays out its migrations (detected from its files).
enum class Layout {
    numbered,  // NNNN_name.sql, rollbacks in rollback/NNNN_name.sql (what `schema diff` writes)
    sibling,   // NNNN_name.sql next to NNNN_name.rollback.sql
    flyway,    // VNNN__name/up.sql and VNNN__name/down.sql
};
const char* layout_name(Layout l);

struct Migration {
    std::int64_t version = 0;
    std::string name;  // the part after the number, e.g. "add_prefs"
    fs::path up_path;
    std::optional<fs::path> down_path;
    std::string up_sql, down_sql;
    sqlite::Script up_script, down_script;  // their statements, split once when read
    // What each statement copies or indexes (one per statement of the script).
    std::vector<sqlite::StatementShape> up_shapes, down_shapes;
    std::string checksum;       // SHA-256 of the forward file, hex
    std::string down_checksum;  // of the rollback file, or empty

    std::string label() const;  // file stem, e.g. "0003_add_prefs"
    // Splits up_sql and down_sql into statements and reads their shapes; after
    // the texts are set, before the migration runs.
    void read_statements();
};

// A migration that is no file (compiled into an application), read as a file
// is: a byte order mark skipped, the checksum of its bytes. Its paths are the
// names `schema diff` gives its files (0003_add_prefs.sql, rollback/...).
Migration migration_from_text(std::int64_t version, const std::string& name, std::string_view up,
                              std::optional<std::string_view> down);

// The largest version number (after it, next_version() refuses).
inline constexpr std::int64_t kMaxVersion = INT64_MAX;

// A migration directory that cannot be read as one (e.g. a number too large).
class DirectoryError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Several files claiming one version (two branches merged, each with its
// 0002; or the same number in two layouts): which one runs is a guess, so no
// command that applies or reports runs on such a directory.
struct VersionConflict {
    std::int64_t version = 0;
    std::vector<fs::path> files;  // in name order; the first is the one `migrations` holds
};

struct Directory {
    fs::path root;
    Layout layout = Layout::numbered;
    int digits = 4;                      // width of version numbers in file names
    std::vector<Migration> migrations;   // by version
    // The other migrations of a version several claim (`conflicts`), read all
    // the same: `schema rebase` works on every one of them.
    std::vector<Migration> shadowed;
    std::vector<std::string> problems;   // files that do not follow the layout, duplicate versions
    std::vector<VersionConflict> conflicts;
    // Top-level .sql files without a version number (seed.sql), in a layout
    // whose files sit at the top level. wrangler applies them all the same.
    std::vector<fs::path> unnumbered;

    // Reads every migration under `root` (which may not exist: then it is empty).
    // Without `read_rollbacks`, rollback files are found but not read (status).
    static Directory load(const fs::path& root, bool read_rollbacks = true);
    // Throws InputError naming every file of each version conflict and how to
    // renumber: commands that apply or report call it before reading history.
    void require_unique_versions() const;
    std::int64_t next_version() const;  // throws DirectoryError after kMaxVersion
    const Migration* find(std::int64_t version) const;
    // Where the pair for a new migration goes, in this directory's layout.
    std::pair<fs::path, fs::path> paths_for(std::int64_t version, const std::string& slug) const;
};

// Claims the next version of a migrations directory for one writer of new
// migrations (`diff`, `new`): held from reading the directory until the pair is
// written, so a second writer waits, then reads the first one's files, numbers
// after them (and `diff` sees that migration as pending). An advisory lock on
// the directory itself, which the system releases however the process ends: no
// lock file is ever left behind. Creates the directory.
class VersionClaim {
public:
    explicit VersionClaim(const fs::path& root);
    ~VersionClaim();
    VersionClaim(const VersionClaim&) = delete;
    VersionClaim& operator=(const VersionClaim&) = delete;

private:
    int fd_ = -1;
};

std::string sha256_hex(std::string_view data);

// How a migration (sqlite dialect) runs foreign keys. PRAGMA foreign_keys does
// nothing inside a transaction, so the runner sets it before BEGIN: to the
// value the file sets at its top (before any other statement), else off for a
// rebuild (the header `schema diff` writes), else on. A trailing
// `PRAGMA foreign_keys = ON` restores keys, as the runner does anyway; one
// anywhere else could not take effect, and is `misplaced`.
struct ForeignKeysMode {
    bool off = false;
    const sqlite::ScriptStatement* misplaced = nullptr;
    bool deferred = false;  // a statement is PRAGMA defer_foreign_keys = on (read as SQLite reads it)
};
ForeignKeysMode foreign_keys_mode(std::string_view sql, const sqlite::Script& script);
// Whether the runner (or wrangler, for D1) runs a migration with foreign keys
// on: always on D1, where they cannot be switched off; in plain SQLite unless
// foreign_keys_mode says off. The proof runs each file the same way.
bool runs_with_foreign_keys_on(std::string_view sql, const sqlite::Script& script, Dialect dialect);
// The same from a file's mode, read once.
bool runs_with_foreign_keys_on(const ForeignKeysMode& mode, Dialect dialect);

// --- tracking table -------------------------------------------------------------

struct Applied {
    std::int64_t version = 0;
    std::string name;
    std::string checksum;  // empty when wrangler applied it (it records no checksum)
    std::string rollback_checksum;
    std::string applied_at;  // UTC, ISO-8601
    std::int64_t execution_time_ms = 0;
    std::string applied_by;
    std::string hostname;
    std::string file;  // the file name wrangler's d1_migrations records for it, when it does
};

// `applied_by` of a migration wrangler applied (read from its table).
inline constexpr const char* kAppliedByWrangler = "wrangler";

// Where a database's history is kept: our tracking table, and wrangler's
// (d1_migrations: id, name = file name, applied_at) when the database has one —
// always for the D1 dialect, which creates it as wrangler does. A shared history
// is the union of the two (a migration either tool applied is applied), and the
// runner writes both, so that `wrangler d1 migrations apply` and `schema apply`
// never run a migration the other one ran. Our table keeps what wrangler does
// not record: checksums, duration, who ran it.
struct HistoryTables {
    std::string table = "_migrations";
    std::string wrangler = "d1_migrations";
    bool d1 = false;  // the D1 dialect: always shared, wrangler's table created when missing
};

class Tracker {
public:
    Tracker(sqlite::Database& db, HistoryTables tables) : db_(db), tables_(std::move(tables)) {}
    const HistoryTables& tables() const { return tables_; }
    bool shared() const;  // with wrangler
    // Which of the two tables exist (ours; wrangler's), read with one query:
    // a migration's transaction asks once, not once per step.
    struct Presence {
        bool own = false, wrangler = false;
    };
    Presence presence() const;
    void create();
    void create(const Presence& present);  // only the missing tables
    // By version. `dir` names the versions of wrangler's rows (file names).
    std::vector<Applied> applied(const Directory& dir) const;
    bool is_applied(const Migration& m) const;
    bool is_applied(const Migration& m, const Presence& present) const;
    // wrangler's rows for files without a version number ("seed.sql"), which
    // applied() leaves out: file name and applied_at.
    std::vector<std::pair<std::string, std::string>> wrangler_unnumbered() const;
    // Writes the migration's row in both tables (when shared), or only ours /
    // only wrangler's (bringing one table up to the other).
    void insert(const Migration& m, const Applied& a);
    void insert_own(const Applied& a);
    void insert_wrangler(const Migration& m);
    void erase(const Migration& m);
    // Records the checksums of `m`'s files as they are now (`schema repair`).
    void record_checksums(const Migration& m);

private:
    sqlite::Database& db_;
    HistoryTables tables_;

    bool table_exists(const std::string& name) const;
    std::vector<Applied> own_rows() const;  // of our table, which exists
};

// Applied migrations whose file changed or vanished since.
struct Drift {
    std::int64_t version;
    std::string name;
    enum Kind { modified, missing, renamed } kind;
};
std::vector<Drift> drift(const Directory& dir, const std::vector<Applied>& applied);
// wrangler applies every top-level .sql file of its directory, so a D1 project
// keeps one file per migration there and rollbacks in rollback/ (the numbered
// layout). Throws HistoryError for any other layout.
void require_wrangler_layout(const Directory& dir);

// Why the runner will not go on, and what to do.
std::string drift_message(const Drift& d, const Directory& dir);

// --- history ------------------------------------------------------------------------

// Opens a database for commands that only read (status, check, diff). A write
// interrupted by a crash or a kill leaves a hot journal, which a read-only
// connection cannot roll back ("attempt to write a readonly database"): then
// the database is opened for writing once, which rolls the interrupted write
// back as SQLite always does, and read-only again. Without write access, the
// error says what happened and what to do.
sqlite::Database open_to_read(const fs::path& path, int busy_timeout_ms);

// What a database has applied: its tracking table, together with what wrangler
// recorded in d1_migrations when it has that table (see HistoryTables).
std::vector<Applied> recorded_history(sqlite::Database& db, const HistoryTables& tables, const Directory& dir);

// The version a migration file's name gives it ("0003_add.sql" → 3); nullopt
// for a name without one ("seed.sql").
std::optional<std::int64_t> version_of_file(const std::string& file_name);

// A .sql file without a version number in a directory wrangler reads: wrangler
// applies every .sql file there, numbered or not, and records it by name;
// schema runs only numbered migrations. One answer for every command.
struct Unnumbered {
    std::string file;        // its name, as d1_migrations records it
    fs::path path;           // in the directory; empty when the file is gone
    std::string applied_at;  // when wrangler applied it; empty when it has not
    // wrangler would run it and schema would not: the two histories would part.
    bool blocks() const { return !path.empty() && applied_at.empty(); }
};
// The unnumbered files of a history shared with wrangler (D1 dialect, or a
// database with wrangler's table), and wrangler's rows of unnumbered files that
// are gone. Empty otherwise: then such files are merely not in the layout.
// `db` may be null (no database yet).
std::vector<Unnumbered> unnumbered_files(sqlite::Database* db, const HistoryTables& tables, const Directory& dir);
// What it is and what to do, the same words for apply, status, validate, check.
std::string unnumbered_message(const Unnumbered& u, const Directory& dir);

// One migration as `status` shows it.
struct MigrationState {
    enum Kind { applied, pending, modified, missing } kind;
    std::int64_t version = 0;
    std::string name;
    std::string file;       // forward file, or empty when missing
    const Applied* record = nullptr;  // when applied / modified / missing
};
std::vector<MigrationState> states(const Directory& dir, const std::vector<Applied>& applied);
const char* state_name(MigrationState::Kind k);

// What `validate` reports: layout problems, duplicate versions, gaps, missing
// rollbacks, and (given the applied history) edited or vanished applied files
// and pending files numbered below applied ones. Empty when all is well.
// `wrangler_files`: unnumbered_files() of the database (those that block are problems).
// `missing_rollbacks`, when given, receives the "no rollback file" findings
// instead (D1: wrangler writes migrations without rollbacks; a warning there).
std::vector<std::string> validate(const Directory& dir, const std::vector<Applied>* applied,
                                  const std::vector<Unnumbered>& wrangler_files = {},
                                  std::vector<std::string>* missing_rollbacks = nullptr);

// --- runner ----------------------------------------------------------------------

struct Event {
    enum class Kind {
        started, applied, rolled_back, failed, skipped, nothing_to_do, would_apply, would_roll_back,
        backup, adopted, progress, rows_copied, baselined, warning
    };
    Kind kind;
    std::int64_t version = 0;
    std::string name;
    std::string file;
    double ms = 0;
    std::string message;
    std::int64_t rows = 0;
    int line = 0;  // failed: the statement's line in `file`
    // progress: what the run is doing ("backup", "copy", "indexes",
    // "foreign-key check", "statements"), how far (0-100, or -1 when it cannot
    // be told) and how long it should still take (-1: unknown); `rows` is the
    // size of the table being copied (an estimate), `file` the table.
    std::string phase = {};
    double percent = -1;
    double eta_ms = -1;
};
const char* event_name(Event::Kind k);
using EventSink = std::function<void(const Event&)>;

// A migration that failed: which file, which statement, SQLite's own words,
// and what became of the database (the message says it).
class MigrationFailed : public std::runtime_error {
public:
    enum class Outcome {
        refused,          // before anything ran
        rolled_back,      // its transaction was rolled back: the database is as before
        not_rolled_back,  // a statement ended the transaction: what ran before it stays
    };
    MigrationFailed(std::string file, int line, std::string statement, std::string sqlite_message,
                    Outcome outcome = Outcome::rolled_back);
    const std::string& file() const { return file_; }
    int line() const { return line_; }
    const std::string& statement() const { return statement_; }
    const std::string& sqlite_message() const { return sqlite_message_; }

private:
    std::string file_;
    int line_;
    std::string statement_;
    std::string sqlite_message_;
};

// SIGINT or SIGTERM stopped a run; the message says what was rolled back and
// what stays applied. Exit code 128 + signal.
class Interrupted : public std::runtime_error {
public:
    Interrupted(int signal, const std::string& message) : std::runtime_error(message), signal_(signal) {}
    int signal() const { return signal_; }

private:
    int signal_;
};

// Makes SIGINT and SIGTERM stop a run cleanly: the statement running is
// interrupted, its migration rolled back, and no further one started (a second
// signal ends the process at once; SQLite's journal still restores the file).
void stop_on_signals();
// The signal that asked the run to stop, or 0.
int stop_signal();

// History that cannot be run past (edited files, gaps); the message says why.
class HistoryError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct ApplyOptions {
    std::optional<std::int64_t> to;  // stop after this version
    bool dry_run = false;
};

struct RollbackOptions {
    std::optional<std::int64_t> to;  // keep this version and older
    std::optional<int> steps;        // or roll back this many (default 1)
    bool dry_run = false;
};

// The applied migrations a rollback undoes, newest first: those above
// `options.to`, or the newest `options.steps` (default 1).
std::vector<const Applied*> rollback_targets(const std::vector<Applied>& applied, const RollbackOptions& options);

struct BackupOptions {
    bool enabled = true;
    fs::path dir;   // default: "backups" beside the database file
    int keep = 5;   // newest copies kept per database
};

// Copies the database (SQLite's online backup API: a consistent snapshot) to
// `dir`, named after the database, the time and `label`; keeps the newest
// `keep` copies of this database there. Returns the copy's path.
// `progress` (optional) is told the fraction copied (0-1) as the copy goes, a
// few hundred pages at a time.
fs::path backup_database(sqlite::Database& db, const fs::path& db_path, const BackupOptions& options,
                         const std::string& label, const std::function<void(double)>& progress = {});

// A read transaction (BEGIN ... COMMIT) on a connection that has none open.
// Statements outside a transaction each take and release SQLite's shared lock,
// and check for a hot journal each time: a fleet of small databases pays that
// for every read that decides what runs, so those share one.
class ReadTransaction {
public:
    explicit ReadTransaction(sqlite::Database& db);
    ~ReadTransaction();
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;

private:
    sqlite::Database& db_;
    bool own_;
};

// Throws MigrationFailed (refused, at the file and line) for a file the runner
// (or D1, in that dialect) would not run: one SQLite cannot read to its end, a
// statement refused in migrations (transactions; on D1 PRAGMA foreign_keys),
// a PRAGMA foreign_keys that cannot take effect where it stands. `forward`:
// the migration, else its rollback. Checked before anything runs.
void refuse_unrunnable(const Migration& m, bool forward, Dialect dialect);

class Runner {
public:
    Runner(sqlite::Database& db, fs::path db_path, HistoryTables tables, EventSink sink);
    ~Runner();
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;
    // Returns how many migrations this call applied / rolled back.
    int apply(const Directory& dir, const ApplyOptions& options);
    int rollback(const Directory& dir, const RollbackOptions& options);
    // Records versions up to `version` as applied without running them.
    int baseline(const Directory& dir, std::int64_t version);
    // Runs one migration that is no file of a directory (`schema push`) as
    // apply runs a file: foreign keys as it needs them, one transaction, the
    // backup first, the foreign-key check; but no history is read or written.
    void run_untracked(const Migration& m);

    int busy_timeout_ms = 60000;
    BackupOptions backup;
    // The newest applied version, as of the last apply() (also when it failed part way).
    std::int64_t version() const { return version_; }

private:
    sqlite::Database& db_;
    fs::path db_path_;
    Tracker tracker_;
    EventSink sink_;
    std::int64_t version_ = 0;
    bool backup_pending_ = false;  // taken in the first transaction that runs a migration
    bool untracked_ = false;       // run_untracked: no tracking rows
    std::optional<ReadTransaction> reads_;  // from history_for_run to run_all (or the end of the call)
    struct EndReads;

    bool d1() const { return tracker_.tables().d1; }
    bool wrangler_out_of_sync(const Directory& dir) const;  // reads only
    void sync_with_wrangler(const Directory& dir);
    std::vector<Applied> history_for_run(const Directory& dir, bool dry_run);
    int run_all(const std::vector<const Migration*>& migrations, bool forward, bool dry_run);
    void take_backup(const std::string& label);
    void wait_for_writers();  // busy_timeout_ms, or until a stop signal
    [[noreturn]] void throw_stopped_before(const Migration& m, bool forward);
    [[noreturn]] void throw_interrupted(const Migration& m, bool forward, const std::string& where);
    // False when another runner had already done it.
    bool run_in_transaction(const Migration& m, bool forward);
    // Told each table before its check, with the PRAGMA that checks it (for progress).
    using CheckingTable = std::function<void(const std::string& table, const std::string& pragma)>;
    // `tables`: every table's definition now (table_definitions), already read.
    void check_foreign_keys(const std::set<std::string>& changed, const std::map<std::string, std::string>& tables,
                            const CheckingTable& checking);
};

// --- fleets ------------------------------------------------------------------------
// Database-per-tenant: many files, one migration history. Each database gets
// the runner's full guarantees (its own lock, transactions, checksums,
// backup); one failing does not stop the others.

// Told when fewer threads than asked for could be started: how many run, and why.
using FewerJobs = std::function<void(int jobs, const std::string& why)>;

struct FleetOptions {
    int jobs = 1;  // databases worked on at once
    HistoryTables tables;
    // Each database's copies go to a folder of its own: backups/<file name>/
    // beside it, or under backup.dir a folder named after its path.
    BackupOptions backup;
    int busy_timeout_ms = 60000;
    ApplyOptions apply;
    FewerJobs on_fewer_jobs;
};

struct FleetResult {
    fs::path db;
    enum Kind { applied, current, failed } kind = failed;
    int migrations = 0;        // applied by this run (not those another runner applied meanwhile)
    std::int64_t version = 0;  // the newest applied version afterwards
    std::string reason;        // failed: file, line, statement and SQLite's message
    double ms = 0;
};

// Applies `dir` to every database of `dbs` (existing files); results in the
// order of `dbs`. `on_done` is called (serialised) as each database finishes.
std::vector<FleetResult> apply_fleet(const std::vector<fs::path>& dbs, const Directory& dir,
                                     const FleetOptions& options,
                                     const std::function<void(const FleetResult&)>& on_done = {});

struct FleetMember {
    fs::path db;
    std::int64_t version = 0;  // newest applied
    int pending = 0, modified = 0, missing = 0;
    std::string error;  // could not be read (not a database, another tool's table, ...)
};
std::vector<FleetMember> fleet_status(const std::vector<fs::path>& dbs, const Directory& dir,
                                      const HistoryTables& tables, int jobs, int busy_timeout_ms,
                                      const FewerJobs& fewer = {});

std::string utc_now_iso8601();  // 2026-11-22T01:30:15.177Z
std::string utc_now_compact();  // 20261122T013015.177Z (file names)

}  // namespace schema::migrate

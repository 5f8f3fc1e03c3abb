// The runner. Per migration:
//
//   foreign keys off      only for migrations that need it (rebuilds, or a
//                         hand-written PRAGMA foreign_keys): the pragma is a
//                         no-op inside a transaction, so it is set here, outside
//   BEGIN IMMEDIATE       takes the write lock before reading the tracking table,
//                         so two runners cannot both decide to apply a version
//   re-read tracking      another runner may have applied it while we waited
//   the statements        in file order; PRAGMA foreign_keys lines are skipped
//                         (handled above)
//   foreign_key_check     must be clean before COMMIT when keys were off
//   tracking row          in the same transaction
//   COMMIT                or ROLLBACK on any error: SQLite's DDL is
//                         transactional, so a failed migration leaves no trace
//   foreign keys restored
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <cstdlib>
#include <cstring>
#include <cctype>
#include <csignal>
#include <map>
#include <set>

#include "schema/dialect.hpp"
#include "schema/expr.hpp"
#include "schema/migrate.hpp"
#include "schema/version.hpp"

namespace schema::migrate {

namespace {

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return {};
    return buf;
}

int line_of(std::string_view text, std::size_t offset) {
    int line = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i)
        if (text[i] == '\n') ++line;
    return line;
}

std::string first_line(std::string_view s) { return std::string(s.substr(0, s.find('\n'))); }

volatile std::sig_atomic_t stop_requested = 0;

void request_stop(int signal) { stop_requested = signal; }

// Waits for another writer as busy_timeout would, but not past a signal that
// asks the run to stop.
int wait_for_writer(void* timeout_ms, int attempts) {
    constexpr int step_ms = 10;
    if (stop_requested || attempts * step_ms >= *static_cast<const int*>(timeout_ms)) return 0;
    sqlite3_sleep(step_ms);
    return 1;
}

// How often a long statement or a backup reports progress: 250 ms, or
// SCHEMA_PROGRESS_MS (tests use a shorter one, so that a phase shorter than
// 250 ms is seen too).
std::chrono::milliseconds progress_interval() {
    static const std::chrono::milliseconds interval = [] {
        const char* v = std::getenv("SCHEMA_PROGRESS_MS");
        const long ms = v ? std::strtol(v, nullptr, 10) : 0;
        return std::chrono::milliseconds(ms > 0 ? ms : 250);
    }();
    return interval;
}

std::string signal_name(int signal) { return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "a signal"; }

// The instructions one row takes in a statement's program (EXPLAIN): every
// loop of the program body (a Next or SorterNext back to its loop's top, the
// Goto that resumes a SELECT's coroutine) up to the Halt that ends the body;
// the set-up after it runs once. Its running count over this times the rows
// it reads is how far it is. 0 when it cannot be told.
double instructions_per_row(sqlite::Database& db, std::string_view statement) {
    auto explain = db.prepare("EXPLAIN " + std::string(statement));
    double length = 0, per_row = 0;
    bool body = true;
    while (explain.step()) {  // addr, opcode, p1, p2, ...
        ++length;
        const std::string op = explain.text(1);
        const auto addr = explain.integer(0), p1 = explain.integer(2), p2 = explain.integer(3);
        if (op == "Halt" && p1 == 0) body = false;
        if (body && (op == "Next" || op == "Prev" || op == "SorterNext" || op == "Goto") && p2 < addr)
            per_row += double(addr - p2 + 1);
    }
    return per_row > 0 ? per_row : length / 2;
}

}  // namespace

namespace {
const char* outcome_text(MigrationFailed::Outcome outcome) {
    switch (outcome) {
        case MigrationFailed::Outcome::refused: return "nothing was applied";
        case MigrationFailed::Outcome::rolled_back:
            return "the migration was rolled back; the database is as it was before it";
        case MigrationFailed::Outcome::not_rolled_back:
            return "the migration was NOT rolled back: this statement ended the runner's transaction, so what ran "
                   "before it stays in the database, unrecorded; restore the backup or repair it by hand";
    }
    return "";
}
}  // namespace

void stop_on_signals() {
    struct sigaction action {};
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;  // a second signal ends the process at once
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

int stop_signal() { return stop_requested; }

MigrationFailed::MigrationFailed(std::string file, int line, std::string statement, std::string sqlite_message,
                                 Outcome outcome)
    : std::runtime_error(fmt::format("{}:{}: {}\n  statement: {}\n  {}", file, line, sqlite_message,
                                     first_line(statement), outcome_text(outcome))),
      file_(std::move(file)),
      line_(line),
      statement_(std::move(statement)),
      sqlite_message_(std::move(sqlite_message)) {}

Runner::Runner(sqlite::Database& db, fs::path db_path, HistoryTables tables, EventSink sink)
    : db_(db), db_path_(std::move(db_path)), tracker_(db, std::move(tables)), sink_(std::move(sink)) {}

// The connection outlives us: its busy handler must not point at our timeout.
Runner::~Runner() { db_.busy_timeout(busy_timeout_ms); }

const char* event_name(Event::Kind k) {
    switch (k) {
        case Event::Kind::started: return "started";
        case Event::Kind::applied: return "applied";
        case Event::Kind::rolled_back: return "rolled_back";
        case Event::Kind::failed: return "failed";
        case Event::Kind::skipped: return "skipped";
        case Event::Kind::nothing_to_do: return "nothing_to_do";
        case Event::Kind::would_apply: return "would_apply";
        case Event::Kind::would_roll_back: return "would_roll_back";
        case Event::Kind::backup: return "backup";
        case Event::Kind::adopted: return "adopted";
        case Event::Kind::progress: return "progress";
        case Event::Kind::rows_copied: return "rows_copied";
        case Event::Kind::baselined: return "baselined";
        case Event::Kind::warning: return "warning";
    }
    return "";
}

// Called inside the first migration's transaction, which holds the write lock:
// no other writer can get in between, so the copy is the database exactly as
// this run's migrations find it. It is read through a second connection (the
// backup API refuses a source in a write transaction), which may read while we
// hold the lock, since nothing is written before the statements run.
void Runner::take_backup(const std::string& label) {
    auto reader = sqlite::Database::open(db_path_.string(), sqlite::Database::Mode::read_only);
    reader.busy_timeout(busy_timeout_ms);
    const auto started = std::chrono::steady_clock::now();
    auto last = started;
    fs::path copy = backup_database(reader, db_path_, backup, label, [&](double done) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last < progress_interval() || done >= 1) return;
        last = now;
        const double ms = std::chrono::duration<double, std::milli>(now - started).count();
        Event e{Event::Kind::progress, 0, {}, db_path_.string(), ms, "backup"};
        e.phase = "backup";
        e.percent = done * 100;
        e.eta_ms = done > 0 ? ms * (1 - done) / done : -1;
        sink_(e);
    });
    sink_({Event::Kind::backup, 0, {}, copy.string(), 0, "copy of the database before " + label});
}

std::string drift_message(const Drift& d, const Directory& dir) {
    switch (d.kind) {
        case Drift::missing:
            return fmt::format("migration {} ({}) was applied but its file is gone from {}; restore it before "
                               "applying more",
                               d.version, d.name, dir.root.string());
        case Drift::renamed:
            return fmt::format("migration {} ({}) was renamed after wrangler recorded it in d1_migrations; wrangler "
                               "would apply it again under its new name: restore the name it was applied as",
                               d.version, d.name);
        case Drift::modified: break;
    }
    return fmt::format("migration {} ({}) was edited after it was applied (its checksum differs); restore the "
                       "applied version, or roll it back first; an edit agreed on purpose is accepted with `schema repair {}`",
                       d.version, d.name, d.version);
}

// A history shared with wrangler, brought level before anything runs: a
// migration wrangler applied gets our row (the file's checksum from now on), and
// one only we recorded (applied before wrangler's table was here, or under the
// default dialect) gets wrangler's, so that wrangler does not apply it again.
namespace {

// A migration one history records and wrangler's does not, or the other way round.
bool needs_sync(const Applied& a, const Directory& dir) {
    const Migration* m = dir.find(a.version);
    if (!m) return false;
    if (a.file.empty()) return true;  // ours only
    return a.applied_by == kAppliedByWrangler && a.file == m->up_path.filename().string();
}

}  // namespace

bool Runner::wrangler_out_of_sync(const Directory& dir) const {
    if (!tracker_.shared()) return false;
    auto applied = recorded_history(db_, tracker_.tables(), dir);
    return std::any_of(applied.begin(), applied.end(), [&](const Applied& a) { return needs_sync(a, dir); });
}

void Runner::sync_with_wrangler(const Directory& dir) {
    auto needs_sync = [&](const Applied& a) { return schema::migrate::needs_sync(a, dir); };
    db_.exec("BEGIN IMMEDIATE");
    try {
        tracker_.create();
        for (const auto& a : recorded_history(db_, tracker_.tables(), dir)) {  // again, under the lock
            if (!needs_sync(a)) continue;
            const Migration& m = *dir.find(a.version);
            if (a.file.empty()) {
                tracker_.insert_wrangler(m);
                sink_({Event::Kind::adopted, a.version, a.name, {}, 0,
                       "recorded in d1_migrations, so that wrangler does not apply it again"});
            } else {
                tracker_.insert_own({m.version, m.name, m.checksum, m.down_checksum, a.applied_at, 0,
                                     "wrangler (adopted)", {}, {}});
                sink_({Event::Kind::adopted, a.version, a.name, {}, 0, "applied by wrangler (d1_migrations)"});
            }
        }
        db_.exec("COMMIT");
    } catch (...) {
        db_.exec("ROLLBACK");
        throw;
    }
}

void require_wrangler_layout(const Directory& dir) {
    if (dir.layout != Layout::numbered)
        throw HistoryError(fmt::format("{} uses the {} layout, which wrangler cannot apply; the D1 dialect needs "
                                       "NNNN_name.sql files with their rollbacks in rollback/",
                                       dir.root.string(), layout_name(dir.layout)));
}

// A file the runner cannot run as a whole, refused before anything runs, with
// its file and line: one SQLite would not read to its end (a NUL byte), a
// statement the dialect refuses (transaction control, pragmas that cannot take
// effect in the migration's transaction), a misplaced PRAGMA foreign_keys.
void refuse_unrunnable(const Migration& m, bool forward, Dialect dialect) {
    const std::string& sql = forward ? m.up_sql : m.down_sql;
    const sqlite::Script& script = forward ? m.up_script : m.down_script;
    const std::string file = (forward ? m.up_path : *m.down_path).string();
    auto refuse = [&](const sqlite::ScriptStatement& st, const std::string& why) {
        throw MigrationFailed(file, st.line, std::string(st.text(sql)), why, MigrationFailed::Outcome::refused);
    };
    if (!script.fully_readable())
        throw MigrationFailed(file, script.unread_line, "(a NUL byte)", sqlite::unreadable_message(),
                              MigrationFailed::Outcome::refused);
    for (const auto& st : script.statements) {
        std::string why = migration_statement_refusal(st.text(sql), dialect);
        if (!why.empty()) refuse(st, why);
    }
    if (dialect == Dialect::d1) return;
    if (auto misplaced = foreign_keys_mode(sql, script).misplaced)
        refuse(*misplaced, "PRAGMA foreign_keys cannot take effect here: it does nothing inside the migration's "
                           "transaction, so the runner sets it before the transaction from a PRAGMA foreign_keys = "
                           "ON or OFF at the top of the file (a last PRAGMA foreign_keys = ON is allowed: keys are "
                           "switched back on after the migration anyway)");
}

namespace {

// The tables a migration wrote rows into, as SQLite's authorizer names them
// while it compiles each statement (triggers included).
struct WrittenTables {
    std::set<std::string> names;  // lower case

    static int record(void* self, int action, const char* a, const char* b, const char*, const char*) {
        auto& names = static_cast<WrittenTables*>(self)->names;
        switch (action) {
            case SQLITE_INSERT:
            case SQLITE_UPDATE:
            case SQLITE_DELETE:
            case SQLITE_CREATE_TABLE:
            case SQLITE_DROP_TABLE:
                if (a) names.insert(lower(a));
                break;
            case SQLITE_ALTER_TABLE:
                if (b) names.insert(lower(b));
                break;
            default: break;
        }
        return SQLITE_OK;
    }
    static std::string lower(std::string s) {
        for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }
};

// Every table's CREATE statement, by lower-case name.
std::map<std::string, std::string> table_definitions(sqlite::Database& db) {
    std::map<std::string, std::string> out;
    auto st = db.prepare("SELECT lower(name), coalesce(sql, '') FROM sqlite_master WHERE type = 'table'");
    while (st.step()) out.emplace(st.text(0), st.text(1));
    return out;
}

// Which tables reference which (child -> parents), lower case.
std::map<std::string, std::set<std::string>> foreign_key_parents(sqlite::Database& db) {
    std::map<std::string, std::set<std::string>> out;
    auto st = db.prepare(
        "SELECT lower(m.name), lower(f.\"table\") FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f "
        "WHERE m.type = 'table'");
    while (st.step()) out[st.text(0)].insert(st.text(1));
    return out;
}

}  // namespace

// The foreign-key check before COMMIT (keys were off, or deferred): only the
// tables the migration changed (schema or rows) and the tables that reference
// them can have new violations, so only they fail the migration. Violations
// elsewhere were there before it: a warning names them.
void Runner::check_foreign_keys(const std::set<std::string>& changed, const std::map<std::string, std::string>& tables,
                                const CheckingTable& checking) {
    std::set<std::string> scope;
    for (const auto& t : changed)
        if (tables.count(t) && t.rfind("sqlite_", 0) != 0) scope.insert(t);  // SQLite's own tables have no keys
    const auto parents_of = foreign_key_parents(db_);
    for (const auto& [child, parents] : parents_of)
        for (const auto& parent : parents)
            if (changed.count(parent)) scope.insert(child);
    auto check = [&](const std::string& table) {
        const std::string pragma = "PRAGMA foreign_key_check(" + sqlite::quote(table) + ")";
        checking(table, pragma);
        return db_.prepare(pragma);
    };
    for (const auto& table : scope) {
        auto st = check(table);
        if (st.step())
            throw sqlite::Error(SQLITE_CONSTRAINT_FOREIGNKEY,
                                fmt::format("FOREIGN KEY check failed: a row of {} (rowid {}) references a missing "
                                            "row of {}",
                                            st.text(0), st.text(1), st.text(2)));
    }
    // The other tables with foreign keys, each read once: every table is checked
    // once in all, as a plain PRAGMA foreign_key_check would (a large child in the
    // scope is not read twice).
    std::map<std::string, std::int64_t> elsewhere;  // table -> rows that violate
    for (const auto& [child, parents] : parents_of) {
        if (scope.count(child)) continue;
        auto st = check(child);
        while (st.step()) ++elsewhere[st.text(0)];
    }
    if (elsewhere.empty()) return;
    std::string list;
    for (const auto& [table, rows] : elsewhere)
        list += fmt::format("{}{} ({} row{})", list.empty() ? "" : ", ", table, rows, rows == 1 ? "" : "s");
    sink_({Event::Kind::warning, 0, {}, {}, 0,
           "foreign key violations the migration did not cause, in tables it did not touch: " + list +
               " (PRAGMA foreign_key_check lists them)"});
}

namespace {

// Below this size a database's statements are not measured for a percentage.
constexpr std::int64_t kMeasuredFrom = 1 << 20;

// The database's size: the main file, read from the open file (no SQL), and
// its write-ahead log, which can hold most of it before a checkpoint. A size
// that cannot be read (an in-memory database) counts as large.
std::int64_t database_bytes(sqlite::Database& db) {
    sqlite3_file* file = nullptr;
    sqlite3_int64 size = 0;
    if (sqlite3_file_control(db.get(), "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || !file ||
        !file->pMethods || file->pMethods->xFileSize(file, &size) != SQLITE_OK)
        return std::numeric_limits<std::int64_t>::max();
    if (const char* name = sqlite3_db_filename(db.get(), "main"); name && *name) {
        std::error_code ec;
        const auto wal = std::filesystem::file_size(std::string(name) + "-wal", ec);
        if (!ec) size += sqlite3_int64(wal);
    }
    return size;
}

}  // namespace

bool Runner::run_in_transaction(const Migration& m, bool forward) {
    const std::string& sql = forward ? m.up_sql : m.down_sql;
    const sqlite::Script& script = forward ? m.up_script : m.down_script;
    const std::string file = (forward ? m.up_path : *m.down_path).string();
    // What a statement copies or indexes: read when the file was (read_statements).
    const auto& shapes = forward ? m.up_shapes : m.down_shapes;
    sqlite::StatementShape unread_shape;
    auto shape_at = [&](const sqlite::ScriptStatement& st, std::string_view text) -> const sqlite::StatementShape& {
        const auto at = std::size_t(&st - script.statements.data());
        if (shapes.size() == script.statements.size() && at < shapes.size()) return shapes[at];
        return unread_shape = sqlite::shape_of(text);  // a Migration put together without read_statements()
    };
    // D1 cannot switch foreign keys off: its files run with them on, and a
    // rebuild there defers them to COMMIT (checked below, for a clear message).
    // The mode is read from the statements (once), never from text found anywhere.
    const ForeignKeysMode mode = foreign_keys_mode(sql, script);
    const bool keys_off = !runs_with_foreign_keys_on(mode, d1() ? Dialect::d1 : Dialect::sqlite);
    const bool check_keys = keys_off || (d1() && mode.deferred);
    const bool keys_were_on = keys_off && db_.query_int("PRAGMA foreign_keys") != 0;  // asked only to switch
    if (keys_off) db_.exec("PRAGMA foreign_keys = OFF");
    auto restore_keys = [&] {
        if (keys_off && keys_were_on) db_.exec("PRAGMA foreign_keys = ON");
    };

    auto started = std::chrono::steady_clock::now();
    sink_({Event::Kind::started, m.version, m.name, file, 0, forward ? "applying" : "rolling back"});
    bool transaction_lost = false;  // a statement ended the runner's transaction
    try {
        db_.exec("BEGIN IMMEDIATE");  // waits for another writer (wait_for_writers)
    } catch (const sqlite::Error&) {
        restore_keys();
        if (stop_requested) throw_stopped_before(m, forward);
        throw;
    }
    try {
        bool applied = false;
        if (!untracked_) {
            const auto present = tracker_.presence();
            tracker_.create(present);
            applied = tracker_.is_applied(m, present);
        }
        if (!untracked_ && applied == forward) {  // another runner got there first
            db_.exec("ROLLBACK");
            restore_keys();
            sink_({Event::Kind::skipped, m.version, m.name, file, 0,
                   forward ? "already applied by another run" : "already rolled back by another run"});
            return false;
        }
        if (backup_pending_) {  // before the first migration this run really runs
            take_backup((forward ? "applying " : "rolling back ") + m.label());
            backup_pending_ = false;
        }
        // A long statement (a rebuild's copy, an index, the foreign-key check)
        // reports its phase, how far it is and how long it should take: the
        // handler runs every kStepsPerTick instructions, and the statement takes
        // instructions_per_row() for each row of the table it reads, so the
        // instructions so far over that times the rows is the fraction done.
        // Every INSERT ... SELECT also reports how many rows it copied.
        constexpr int kStepsPerTick = 20000;
        struct Ticker {
            const Migration* m;
            std::chrono::steady_clock::time_point start, last, phase_start;
            EventSink* sink;
            std::string phase = "statements", table = {};
            std::int64_t rows = 0;       // of the table being copied (0: unknown)
            double steps_per_row = 0;    // its program's length (0: unknown)
            std::int64_t ticks = 0;      // handler calls since the phase began
        } ticker{&m, started, started, started, &sink_};
        auto begin_phase = [&](std::string phase, std::string table, std::int64_t rows, double steps_per_row) {
            ticker.phase = std::move(phase);
            ticker.table = std::move(table);
            ticker.rows = rows;
            ticker.steps_per_row = steps_per_row;
            ticker.ticks = 0;
            ticker.phase_start = std::chrono::steady_clock::now();
        };
        // The rows a statement reads from `table` and the instructions each
        // takes; zeros (no percentage) when either cannot be told. In a
        // database under kMeasuredFrom bytes every statement ends long before
        // the first report is due, so the two queries would only cost time
        // (a fleet of small tenants runs them by the thousand).
        const bool worth_measuring = database_bytes(db_) >= kMeasuredFrom;
        auto size_of = [&](const std::string& table, std::string_view statement) -> std::pair<std::int64_t, double> {
            if (!worth_measuring) return {0, 0};
            try {
                return {db_.query_int("SELECT count(*) FROM main." + sqlite::quote(table)),
                        instructions_per_row(db_, statement)};
            } catch (const sqlite::Error&) {
                return {0, 0};  // the statement itself will say what is wrong
            }
        };
        sqlite3_progress_handler(
            db_.get(), kStepsPerTick,
            [](void* p) -> int {
                auto* t = static_cast<Ticker*>(p);
                ++t->ticks;
                auto now = std::chrono::steady_clock::now();
                if (now - t->last >= progress_interval()) {
                    t->last = now;
                    Event e{Event::Kind::progress, t->m->version, t->m->name, t->table,
                            std::chrono::duration<double, std::milli>(now - t->start).count(), {}};
                    e.phase = t->phase;
                    e.rows = t->rows;
                    if (t->rows > 0 && t->steps_per_row > 0) {
                        const double done = std::min(
                            0.99, double(t->ticks) * kStepsPerTick / (t->steps_per_row * double(t->rows)));
                        const double in_phase =
                            std::chrono::duration<double, std::milli>(now - t->phase_start).count();
                        e.percent = done * 100;
                        e.eta_ms = done > 0 ? in_phase * (1 - done) / done : -1;
                    }
                    (*t->sink)(e);
                }
                return stop_requested != 0;  // interrupts the statement: the migration is rolled back
            },
            &ticker);
        auto tables_before = check_keys ? table_definitions(db_) : std::map<std::string, std::string>();
        WrittenTables written;
        if (check_keys) sqlite3_set_authorizer(db_.get(), &WrittenTables::record, &written);
        auto stop_watching = [&] {
            sqlite3_progress_handler(db_.get(), 0, nullptr, nullptr);
            sqlite3_set_authorizer(db_.get(), nullptr, nullptr);
        };
        // However this block is left, the connection keeps no pointer to the
        // ticker or the recorder on this stack.
        struct Unwatch {
            sqlite3* db;
            ~Unwatch() {
                sqlite3_progress_handler(db, 0, nullptr, nullptr);
                sqlite3_set_authorizer(db, nullptr, nullptr);
            }
        } unwatch{db_.get()};
        try {
            sqlite::run_script(
                db_, sql, script,
                [&](const sqlite::ScriptStatement& st, std::string_view text) {
                    const auto& shape = shape_at(st, text);
                    if (!shape.copies_from.empty()) {
                        // The size of the copy, and the instructions a row takes.
                        auto [rows, steps] = size_of(shape.copies_from, text);
                        begin_phase("copy", shape.copies_from, rows, steps);
                    } else if (!shape.indexes.empty()) {
                        auto [rows, steps] = size_of(shape.indexes, text);
                        begin_phase("indexes", shape.indexes, rows, steps);
                    } else {
                        begin_phase("statements", {}, 0, 0);
                    }
                    if (d1()) return true;
                    auto pragma = parse_pragma(text);
                    return !pragma || pragma->name != "foreign_keys";  // set before BEGIN
                },
                [&](const sqlite::ScriptStatement& st, std::string_view text, std::int64_t changes) {
                    // The safety net under the refusal of transaction statements.
                    if (!db_.in_transaction()) {
                        transaction_lost = true;
                        throw sqlite::ScriptError(SQLITE_ERROR, "this statement ended the runner's transaction",
                                                  st.offset, std::string(text), st.line);
                    }
                    const auto& into = shape_at(st, text).copies_into;
                    if (!into.empty())
                        sink_({Event::Kind::rows_copied, m.version, m.name, into,
                               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                                   .count(),
                               {}, changes});
                });
        } catch (...) {
            stop_watching();
            throw;
        }
        if (check_keys) {
            sqlite3_set_authorizer(db_.get(), nullptr, nullptr);  // the writes are recorded; the check reads
            // After the last statement; reported as a statement of its own.
            std::set<std::string> changed = std::move(written.names);
            auto tables_after = table_definitions(db_);
            for (const auto& [name, definition] : tables_after) {
                auto it = tables_before.find(name);
                if (it == tables_before.end() || it->second != definition) changed.insert(name);
            }
            try {
                check_foreign_keys(changed, tables_after, [&](const std::string& table, const std::string& pragma) {
                    auto [rows, steps] = size_of(table, pragma);
                    begin_phase("foreign-key check", table, rows, steps);
                });
            } catch (const sqlite::Error& e) {
                // e.g. "foreign key mismatch": a key that references no unique key
                stop_watching();
                throw sqlite::ScriptError(e.code(), e.what(), sql.size(), "PRAGMA foreign_key_check (run by schema)");
            }
        }
        stop_watching();
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        if (untracked_) {
        } else if (forward) {
            tracker_.insert(m, {m.version, m.name, m.checksum, m.down_checksum, utc_now_iso8601(), std::int64_t(ms),
                             std::string("schema ") + SCHEMA_VERSION, host_name(), {}});
        } else {
            tracker_.erase(m);
        }
        db_.exec("COMMIT");
        restore_keys();
        sink_({forward ? Event::Kind::applied : Event::Kind::rolled_back, m.version, m.name, file, ms, {}});
        return true;
    } catch (const sqlite::ScriptError& e) {
        // SQLite itself rolls a transaction back on some errors (a full disk,
        // an interrupt): then it is gone, and it was rolled back.
        if (db_.in_transaction()) db_.exec("ROLLBACK");
        restore_keys();
        const int line = e.line() ? e.line() : line_of(sql, e.offset());
        if (stop_requested) throw_interrupted(m, forward, file + ":" + std::to_string(line));
        MigrationFailed failure(file, line, e.statement(), e.what(),
                                transaction_lost ? MigrationFailed::Outcome::not_rolled_back
                                                 : MigrationFailed::Outcome::rolled_back);
        Event failed{Event::Kind::failed, m.version, m.name, file, 0, e.what()};
        failed.line = failure.line();
        sink_(failed);
        throw failure;
    } catch (...) {
        if (db_.in_transaction()) db_.exec("ROLLBACK");
        restore_keys();
        if (stop_requested) throw_interrupted(m, forward, file);
        throw;
    }
}

// Says which migration was rolled back and where the database is, for the
// signal that stopped the run; `where`: the file (and line) it was stopped in.
void Runner::throw_interrupted(const Migration& m, bool forward, const std::string& where) {
    const int signal = stop_requested;
    std::string message = fmt::format("interrupted by {} during {} ({}): {} was rolled back, the database is as "
                                      "it was before it",
                                      signal_name(signal), m.label(), where,
                                      forward ? "that migration" : "its rollback");
    sink_({Event::Kind::failed, m.version, m.name, where, 0, message});
    throw Interrupted(signal, message + (forward ? fmt::format(" (at version {})", version_) : std::string()));
}

void Runner::wait_for_writers() { sqlite3_busy_handler(db_.get(), wait_for_writer, &busy_timeout_ms); }

void Runner::throw_stopped_before(const Migration& m, bool forward) {
    const int signal = stop_requested;
    throw Interrupted(signal, fmt::format("stopped by {} before {}: it did not run{}", signal_name(signal), m.label(),
                                          forward ? fmt::format("; the database is at version {}", version_)
                                                  : std::string()));
}

// What apply and rollback do before they read the history.
std::vector<Applied> Runner::history_for_run(const Directory& dir, bool dry_run) {
    dir.require_unique_versions();
    wait_for_writers();
    if (d1()) require_wrangler_layout(dir);
    reads_.emplace(db_);  // the reads that decide what runs, until run_all
    if (!dry_run && wrangler_out_of_sync(dir)) {
        reads_.reset();
        sync_with_wrangler(dir);  // checks again under its write lock
        reads_.emplace(db_);
    }
    return recorded_history(db_, tracker_.tables(), dir);
}

ReadTransaction::ReadTransaction(sqlite::Database& db) : db_(db), own_(!db.in_transaction()) {
    if (own_) db_.exec("BEGIN");
}

ReadTransaction::~ReadTransaction() {
    if (!own_ || !db_.in_transaction()) return;
    try {
        db_.exec("COMMIT");
    } catch (...) {  // nothing was written: the lock goes with the connection
    }
}

// Runs `migrations` in order (forward files, or rollbacks), each in its own
// transaction, after the checks and the backup; or, dry, only names them.
// Counts those this run ran: not those another runner ran meanwhile.
int Runner::run_all(const std::vector<const Migration*>& migrations, bool forward, bool dry_run) {
    reads_.reset();
    for (auto m : migrations) refuse_unrunnable(*m, forward, d1() ? Dialect::d1 : Dialect::sqlite);
    if (dry_run) {
        for (auto m : migrations)
            // The SQL that would run, as it would run (the runner's own
            // statements around it are BEGIN, the tracking row, COMMIT).
            sink_({forward ? Event::Kind::would_apply : Event::Kind::would_roll_back, m->version, m->name,
                   (forward ? m->up_path : *m->down_path).string(), 0, forward ? m->up_sql : m->down_sql});
        return int(migrations.size());
    }
    // Taken under the first migration's lock, and only if one runs (see take_backup).
    backup_pending_ = backup.enabled && !db_path_.empty();
    db_.exec("PRAGMA foreign_keys = ON");
    int ran = 0;
    for (auto m : migrations) {
        if (stop_requested) throw_stopped_before(*m, forward);
        try {
            if (run_in_transaction(*m, forward)) ++ran;
        } catch (const sqlite::ScriptError&) {
            throw;
        } catch (const sqlite::Error& e) {  // e.g. "database is locked" at BEGIN: which migration waited
            throw sqlite::Error(e.code(), fmt::format("{} {} ({}): {}", forward ? "applying" : "rolling back",
                                                      m->label(), (forward ? m->up_path : *m->down_path).string(),
                                                      e.what()));
        }
        if (forward) version_ = std::max(version_, m->version);  // by this run or the other
    }
    return ran;
}

namespace {

// Why apply has nothing to do: the database is up to date, or what is pending
// lies beyond --to.
std::string nothing_to_apply(const Directory& dir, const std::set<std::int64_t>& done, const ApplyOptions& options) {
    std::vector<const Migration*> later;
    for (const auto& m : dir.migrations)
        if (!done.count(m.version)) later.push_back(&m);
    if (later.empty()) return "nothing to apply: the database is up to date";
    return fmt::format("nothing to apply up to version {}: {} later migration{} pending (next: {})", *options.to,
                       later.size(), later.size() == 1 ? " is" : "s are", later.front()->label());
}

}  // namespace

// Ends the read transaction history_for_run opens when the call returns or throws.
struct Runner::EndReads {
    std::optional<ReadTransaction>& reads;
    ~EndReads() { reads.reset(); }
};

int Runner::apply(const Directory& dir, const ApplyOptions& options) {
    EndReads end_reads{reads_};
    auto applied = history_for_run(dir, options.dry_run);
    std::int64_t last_applied = applied.empty() ? 0 : applied.back().version;
    version_ = last_applied;
    for (const auto& d : drift(dir, applied)) throw HistoryError(drift_message(d, dir));
    for (const auto& u : unnumbered_files(&db_, tracker_.tables(), dir))
        if (u.blocks()) throw HistoryError(unnumbered_message(u, dir));
    std::set<std::int64_t> done;
    for (const auto& a : applied) done.insert(a.version);
    std::vector<const Migration*> pending;
    for (const auto& m : dir.migrations) {
        if (done.count(m.version)) continue;
        if (options.to && m.version > *options.to) break;
        if (m.version < last_applied)
            throw HistoryError(fmt::format("migration {} ({}) is pending, but a later one ({}) is already applied; "
                                           "renumber it after {}",
                                           m.version, m.label(), last_applied, last_applied));
        pending.push_back(&m);
    }
    if (pending.empty()) {
        sink_({Event::Kind::nothing_to_do, 0, {}, {}, 0, nothing_to_apply(dir, done, options)});
        return 0;
    }
    return run_all(pending, true, options.dry_run);
}

void Runner::run_untracked(const Migration& m) {
    struct Untracked {
        bool& flag;
        explicit Untracked(bool& f) : flag(f) { flag = true; }
        ~Untracked() { flag = false; }
    } untracked{untracked_};
    wait_for_writers();
    refuse_unrunnable(m, true, d1() ? Dialect::d1 : Dialect::sqlite);
    backup_pending_ = backup.enabled && !db_path_.empty();
    db_.exec("PRAGMA foreign_keys = ON");
    run_in_transaction(m, true);
}

int Runner::rollback(const Directory& dir, const RollbackOptions& options) {
    EndReads end_reads{reads_};
    auto applied = history_for_run(dir, options.dry_run);
    const auto targets = rollback_targets(applied, options);
    if (targets.empty()) {
        sink_({Event::Kind::nothing_to_do, 0, {}, {}, 0, "nothing to roll back"});
        return 0;
    }
    std::vector<const Migration*> migrations;
    for (auto a : targets) {
        const Migration* m = dir.find(a->version);
        if (!m) throw HistoryError(fmt::format("cannot roll back {} ({}): its files are gone from {}", a->version,
                                               a->name, dir.root.string()));
        if (!m->down_path) throw HistoryError(fmt::format("cannot roll back {}: it has no rollback file", m->label()));
        if (!a->file.empty() && a->file != m->up_path.filename().string())
            throw HistoryError(drift_message({a->version, a->name, Drift::renamed}, dir));
        if (!a->rollback_checksum.empty() && a->rollback_checksum != m->down_checksum)
            throw HistoryError(fmt::format("the rollback of {} was edited after the migration was applied; restore "
                                           "it, or accept the edit with `schema repair {}`",
                                           m->label(), m->version));
        migrations.push_back(m);
    }
    return run_all(migrations, false, options.dry_run);
}

int Runner::baseline(const Directory& dir, std::int64_t version) {
    dir.require_unique_versions();
    wait_for_writers();
    if (d1()) require_wrangler_layout(dir);
    std::vector<const Migration*> marked;
    for (const auto& m : dir.migrations)
        if (m.version <= version) marked.push_back(&m);
    if (marked.empty())
        throw HistoryError(fmt::format("no migration numbered {} or lower in {}", version, dir.root.string()));
    int count = 0;
    db_.exec("BEGIN IMMEDIATE");
    try {
        tracker_.create();
        for (auto m : marked) {
            if (tracker_.is_applied(*m)) continue;
            tracker_.insert(*m, {m->version, m->name, m->checksum, m->down_checksum, utc_now_iso8601(), 0,
                             std::string("schema ") + SCHEMA_VERSION + " baseline", host_name(), {}});
            sink_({Event::Kind::baselined, m->version, m->name, m->up_path.string(), 0,
                   "marked applied without running it"});
            ++count;
        }
        db_.exec("COMMIT");
    } catch (...) {
        db_.exec("ROLLBACK");
        throw;
    }
    return count;
}

}  // namespace schema::migrate

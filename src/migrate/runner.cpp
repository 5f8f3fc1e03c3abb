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

#include <chrono>

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

bool is_foreign_keys_pragma(std::string_view statement) {
    try {
        auto toks = tokenize(statement.substr(0, std::min<std::size_t>(statement.size(), 80)));
        std::size_t i = 0;
        if (toks.empty() || !toks[0].is("pragma")) return false;
        i = 1;
        if (i + 1 < toks.size() && toks[i + 1].is(".")) i += 2;
        return i < toks.size() && toks[i].is("foreign_keys");
    } catch (const std::exception&) {
        return false;
    }
}

std::string first_line(std::string_view s) { return std::string(s.substr(0, s.find('\n'))); }

}  // namespace

MigrationFailed::MigrationFailed(std::string file, int line, std::string statement, std::string sqlite_message)
    : std::runtime_error(fmt::format("{}:{}: {}\n  statement: {}\n  the migration was rolled back; the database is "
                                     "as it was before it",
                                     file, line, sqlite_message, first_line(statement))),
      file_(std::move(file)),
      line_(line),
      statement_(std::move(statement)),
      sqlite_message_(std::move(sqlite_message)) {}

Runner::Runner(sqlite::Database& db, std::string tracking_table, EventSink sink)
    : db_(db), tracker_(db, std::move(tracking_table)), sink_(std::move(sink)) {}

void Runner::run_in_transaction(const Migration& m, bool forward) {
    const std::string& sql = forward ? m.up_sql : m.down_sql;
    const std::string file = (forward ? m.up_path : *m.down_path).string();
    const bool keys_off = needs_foreign_keys_off(sql);
    const bool keys_were_on = db_.query_int("PRAGMA foreign_keys") != 0;
    if (keys_off) db_.exec("PRAGMA foreign_keys = OFF");
    auto restore_keys = [&] {
        if (keys_off && keys_were_on) db_.exec("PRAGMA foreign_keys = ON");
    };

    auto started = std::chrono::steady_clock::now();
    sink_({Event::Kind::started, m.version, m.name, file, 0, forward ? "applying" : "rolling back"});
    db_.exec("BEGIN IMMEDIATE");
    try {
        tracker_.create();
        bool applied = tracker_.is_applied(m.version);
        if (applied == forward) {  // another runner got there first
            db_.exec("ROLLBACK");
            restore_keys();
            sink_({Event::Kind::skipped, m.version, m.name, file, 0,
                   forward ? "already applied by another run" : "already rolled back by another run"});
            return;
        }
        sqlite::run_script(db_, sql, [](const sqlite::ScriptStatement& st) { return !is_foreign_keys_pragma(st.text); });
        if (keys_off) {
            auto st = db_.prepare("PRAGMA foreign_key_check");
            if (st.step())
                throw sqlite::ScriptError(
                    SQLITE_CONSTRAINT_FOREIGNKEY,
                    fmt::format("FOREIGN KEY check failed: a row of {} (rowid {}) references a missing row of {}",
                                st.text(0), st.text(1), st.text(2)),
                    sql.size(), "PRAGMA foreign_key_check");
        }
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        if (forward) {
            tracker_.insert({m.version, m.name, m.checksum, m.down_checksum, utc_now_iso8601(), std::int64_t(ms),
                             std::string("schema ") + SCHEMA_VERSION, host_name()});
        } else {
            tracker_.erase(m.version);
        }
        db_.exec("COMMIT");
        restore_keys();
        sink_({forward ? Event::Kind::applied : Event::Kind::rolled_back, m.version, m.name, file, ms, {}});
    } catch (const sqlite::ScriptError& e) {
        if (db_.in_transaction()) db_.exec("ROLLBACK");
        restore_keys();
        MigrationFailed failure(file, line_of(sql, e.offset()), e.statement(), e.what());
        sink_({Event::Kind::failed, m.version, m.name, file, 0, failure.what()});
        throw failure;
    } catch (...) {
        if (db_.in_transaction()) db_.exec("ROLLBACK");
        restore_keys();
        throw;
    }
}

int Runner::apply(const Directory& dir, const ApplyOptions& options) {
    db_.busy_timeout(busy_timeout_ms);
    auto applied = tracker_.applied();
    for (const auto& d : drift(dir, applied)) {
        throw HistoryError(d.kind == Drift::missing
                               ? fmt::format("migration {} ({}) was applied but its file is gone from {}; restore it "
                                             "before applying more",
                                             d.version, d.name, dir.root.string())
                               : fmt::format("migration {} ({}) was edited after it was applied (its checksum "
                                             "differs); restore the applied version, or roll it back first",
                                             d.version, d.name));
    }
    std::int64_t last_applied = applied.empty() ? 0 : applied.back().version;
    std::vector<const Migration*> pending;
    for (const auto& m : dir.migrations) {
        bool done = false;
        for (const auto& a : applied) done = done || a.version == m.version;
        if (done) continue;
        if (options.to && m.version > *options.to) break;
        if (m.version < last_applied)
            throw HistoryError(fmt::format("migration {} ({}) is pending, but a later one ({}) is already applied; "
                                           "renumber it after {}",
                                           m.version, m.label(), last_applied, last_applied));
        pending.push_back(&m);
    }
    if (pending.empty()) {
        sink_({Event::Kind::nothing_to_do, 0, {}, {}, 0, "nothing to apply: the database is up to date"});
        return 0;
    }
    if (options.dry_run) {
        for (auto m : pending) sink_({Event::Kind::would_apply, m->version, m->name, m->up_path.string(), 0, {}});
        return 0;
    }
    db_.exec("PRAGMA foreign_keys = ON");
    int count = 0;
    for (auto m : pending) {
        run_in_transaction(*m, true);
        ++count;
    }
    return count;
}

int Runner::rollback(const Directory& dir, const RollbackOptions& options) {
    db_.busy_timeout(busy_timeout_ms);
    auto applied = tracker_.applied();
    std::vector<const Applied*> targets;
    for (auto it = applied.rbegin(); it != applied.rend(); ++it) {
        if (options.to ? it->version <= *options.to : int(targets.size()) >= options.steps.value_or(1)) break;
        targets.push_back(&*it);
    }
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
        if (!a->rollback_checksum.empty() && a->rollback_checksum != m->down_checksum)
            throw HistoryError(fmt::format("the rollback of {} was edited after the migration was applied; restore "
                                           "it, or roll back by hand",
                                           m->label()));
        migrations.push_back(m);
    }
    if (options.dry_run) {
        for (auto m : migrations)
            sink_({Event::Kind::would_roll_back, m->version, m->name, m->down_path->string(), 0, {}});
        return 0;
    }
    db_.exec("PRAGMA foreign_keys = ON");
    int count = 0;
    for (auto m : migrations) {
        run_in_transaction(*m, false);
        ++count;
    }
    return count;
}

}  // namespace schema::migrate

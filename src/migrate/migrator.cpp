// schema::Migrator: the runner over an application's connection, with
// results and errors as values (include/schema/migrator.hpp).
#include "schema/migrator.hpp"

#include <fmt/format.h>

#include "schema/diagnostic.hpp"

namespace schema {

MigrationError error_of(const std::exception_ptr& e) {
    MigrationError out;
    out.exception = e;
    using Kind = MigrationError::Kind;
    try {
        std::rethrow_exception(e);
    } catch (const migrate::MigrationFailed& x) {
        out.kind = Kind::failed;
        out.message = x.what();
        out.file = x.file();
        out.line = x.line();
        out.statement = x.statement();
    } catch (const migrate::Interrupted& x) {
        out.kind = Kind::interrupted;
        out.message = x.what();
    } catch (const migrate::HistoryError& x) {
        out.kind = Kind::history;
        out.message = x.what();
    } catch (const InputError& x) {
        out.kind = Kind::input;
        out.message = x.what();
        if (!x.diagnostics().empty()) {
            out.file = x.diagnostics().front().pos.file;
            out.line = x.diagnostics().front().pos.line;
        }
    } catch (const migrate::DirectoryError& x) {
        out.kind = Kind::input;
        out.message = x.what();
    } catch (const sqlite::Error& x) {
        out.kind = Kind::database;
        out.message = x.what();
    } catch (const std::exception& x) {
        out.kind = Kind::internal;
        out.message = x.what();
    } catch (...) {
        out.kind = Kind::internal;
        out.message = "unknown error";
    }
    return out;
}

MigrationSource MigrationSource::loaded(migrate::Directory dir) {
    MigrationSource s;
    try {
        dir.require_unique_versions();
        s.dir_ = std::make_shared<const migrate::Directory>(std::move(dir));
    } catch (...) {
        s.error_ = error_of(std::current_exception());
    }
    return s;
}

MigrationSource MigrationSource::directory(const std::filesystem::path& dir) {
    try {
        return loaded(migrate::Directory::load(dir));
    } catch (...) {
        MigrationSource s;
        s.error_ = error_of(std::current_exception());
        return s;
    }
}

MigrationSource MigrationSource::embedded(const EmbeddedMigration* migrations, std::size_t count) {
    MigrationSource s;
    try {
        migrate::Directory dir;
        for (std::size_t i = 0; i < count; ++i) {
            const EmbeddedMigration& e = migrations[i];
            auto down = e.down_sql ? std::optional<std::string_view>(std::string_view(e.down_sql, e.down_size))
                                   : std::nullopt;
            auto m = migrate::migration_from_text(e.version, e.name, std::string_view(e.up_sql, e.up_size), down);
            // The text is what was compiled in; a checksum that differs means the
            // generated source was edited (the tracking table would not match the file).
            if (e.checksum && m.checksum != e.checksum)
                throw InputError(fmt::format("embedded migration {} does not match its checksum: the source "
                                             "`schema embed` wrote was edited; embed the files again",
                                             m.label()));
            if (!dir.migrations.empty() && dir.migrations.back().version >= m.version)
                throw InputError(fmt::format("embedded migrations out of order or repeated at version {}",
                                             m.version));
            dir.migrations.push_back(std::move(m));
        }
        return loaded(std::move(dir));
    } catch (...) {
        s.error_ = error_of(std::current_exception());
    }
    return s;
}

struct Migrator::Impl {
    sqlite::Database db;  // borrowed
    MigrationSource source;
    MigratorOptions options;

    migrate::HistoryTables history() const {
        return {options.table, options.wrangler_table, options.dialect == Dialect::d1};
    }

    // The file behind the connection ("" for a memory or temporary database):
    // where a backup is taken from.
    std::filesystem::path file() const {
        if (!options.file.empty()) return options.file;
        const char* name = sqlite3_db_filename(db.get(), "main");
        return name ? std::filesystem::path(name) : std::filesystem::path();
    }

    std::int64_t newest_applied(const migrate::Directory& dir) {
        auto applied = migrate::recorded_history(db, history(), dir);
        return applied.empty() ? 0 : applied.back().version;
    }

    template <typename Run>
    RunResult run(Run&& body) {
        RunResult r;
        if (source.error()) {
            r.error = source.error();
            return r;
        }
        const migrate::Directory& dir = *source.migrations();
        try {
            if (options.dialect == Dialect::d1) migrate::require_wrangler_layout(dir);
            migrate::Runner runner(db, file(), history(), options.on_event ? options.on_event : [](const migrate::Event&) {});
            runner.busy_timeout_ms = options.busy_timeout_ms;
            runner.backup.enabled = options.backup;
            runner.backup.dir = options.backup_dir;
            runner.backup.keep = options.keep_backups;
            r.count = body(runner, dir);
        } catch (...) {
            r.error = error_of(std::current_exception());
        }
        try {
            r.version = newest_applied(dir);
        } catch (...) {
            if (!r.error) r.error = error_of(std::current_exception());
        }
        return r;
    }
};

Migrator::Migrator(sqlite3* db, MigrationSource source, MigratorOptions options)
    : impl_(new Impl{sqlite::Database::borrow(db), std::move(source), std::move(options)}) {}

Migrator::~Migrator() = default;

RunResult Migrator::apply_pending(std::optional<std::int64_t> to) { return apply({to, false}); }

RunResult Migrator::apply(const migrate::ApplyOptions& options) {
    return impl_->run([&](migrate::Runner& r, const migrate::Directory& dir) { return r.apply(dir, options); });
}

RunResult Migrator::rollback(const migrate::RollbackOptions& options) {
    return impl_->run([&](migrate::Runner& r, const migrate::Directory& dir) { return r.rollback(dir, options); });
}

RunResult Migrator::baseline(std::int64_t version) {
    return impl_->run([&](migrate::Runner& r, const migrate::Directory& dir) { return r.baseline(dir, version); });
}

StatusResult Migrator::status() {
    StatusResult s;
    if (impl_->source.error()) {
        s.error = impl_->source.error();
        return s;
    }
    const migrate::Directory& dir = *impl_->source.migrations();
    try {
        impl_->db.busy_timeout(impl_->options.busy_timeout_ms);
        auto applied = migrate::recorded_history(impl_->db, impl_->history(), dir);
        s.version = applied.empty() ? 0 : applied.back().version;
        for (const auto& st : migrate::states(dir, applied)) {
            MigrationStatus m;
            m.version = st.version;
            m.name = st.name;
            m.state = migrate::state_name(st.kind);
            m.file = st.file;
            if (st.record) {
                m.applied_at = st.record->applied_at;
                m.execution_time_ms = st.record->execution_time_ms;
                m.applied_by = st.record->applied_by;
            }
            switch (st.kind) {
                case migrate::MigrationState::applied: ++s.applied; break;
                case migrate::MigrationState::pending: ++s.pending; break;
                case migrate::MigrationState::modified: ++s.modified; break;
                case migrate::MigrationState::missing: ++s.missing; break;
            }
            s.migrations.push_back(std::move(m));
        }
    } catch (...) {
        s.error = error_of(std::current_exception());
    }
    return s;
}

}  // namespace schema

// notes_app: opens its database, brings it up to date with the migrations
// compiled into it, and reports where it stands. Run it twice: the second
// start finds nothing to do.
//
//   notes_app notes.db            migrate, then print the status
//   notes_app notes.db --rollback roll the newest migration back
#include <sqlite3.h>

#include <cstdio>
#include <cstring>

#include "notes_migrations.hpp"  // notes::migrations(), written by schema_embed_migrations()

namespace {

void print_error(const schema::MigrationError& e) {
    std::fprintf(stderr, "migration error: %s\n", e.message.c_str());
    if (!e.file.empty()) std::fprintf(stderr, "  in %s, line %d: %s\n", e.file.c_str(), e.line, e.statement.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: notes_app DATABASE [--rollback]\n");
        return 2;
    }
    sqlite3* db = nullptr;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
        std::fprintf(stderr, "cannot open %s: %s\n", argv[1], sqlite3_errmsg(db));
        sqlite3_close(db);
        return 1;
    }
    int code = 0;
    {
        schema::MigratorOptions options;
        options.on_event = [](const schema::migrate::Event& e) {
            if (e.kind == schema::migrate::Event::Kind::applied)
                std::printf("applied %04lld %s\n", static_cast<long long>(e.version), e.name.c_str());
            if (e.kind == schema::migrate::Event::Kind::rolled_back)
                std::printf("rolled back %04lld %s\n", static_cast<long long>(e.version), e.name.c_str());
        };
        schema::Migrator migrator(db, notes::migrations(), options);
        const bool rollback = argc > 2 && std::strcmp(argv[2], "--rollback") == 0;
        if (auto r = rollback ? migrator.rollback() : migrator.apply_pending(); !r) {
            print_error(*r.error);
            code = 1;
        } else {
            std::printf("%s %d migration(s); database at version %lld\n", rollback ? "rolled back" : "applied",
                        r.count, static_cast<long long>(r.version));
        }
        auto status = migrator.status();
        if (!status) {
            print_error(*status.error);
            code = 1;
        } else {
            for (const auto& m : status.migrations)
                std::printf("  %04lld %-8s %s\n", static_cast<long long>(m.version), m.state.c_str(), m.name.c_str());
        }
    }
    sqlite3_close(db);
    return code;
}

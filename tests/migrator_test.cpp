// schema::Migrator, as an application calls it: over its own open
// connection, migrations from a directory or compiled in, results and errors
// as values, with the runner's guarantees.
#include <doctest/doctest.h>

#include <thread>

#include "schema/migrator.hpp"
#include "schema/sqlite.hpp"
#include "support/support.hpp"

namespace fs = std::filesystem;
using schema::EmbeddedMigration;
using schema::MigrationSource;
using schema::Migrator;

namespace {

struct Connection {
    sqlite3* db = nullptr;
    explicit Connection(const fs::path& path) { REQUIRE(sqlite3_open(path.string().c_str(), &db) == SQLITE_OK); }
    ~Connection() { sqlite3_close(db); }
    std::string one(const std::string& sql) const {
        sqlite3_stmt* st = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
        std::string out;
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        return out;
    }
};

const char* kNotes = "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL);\n";
const char* kNotesDown = "DROP TABLE notes;\n";
const char* kTags = "CREATE TABLE tags (note_id INTEGER REFERENCES notes (id), tag TEXT);\n"
                    "CREATE INDEX tags_by_tag ON tags (tag);\n";
const char* kTagsDown = "DROP TABLE tags;\n";

EmbeddedMigration entry(std::int64_t version, const char* name, const std::string& up, const char* down,
                        const std::string& checksum) {
    return {version, name, up.data(), up.size(), down, down ? std::strlen(down) : 0, checksum.c_str()};
}

}  // namespace

TEST_CASE("migrator: compiled-in migrations applied over the application's connection, which stays open") {
    test::TempDir dir;
    Connection c(dir / "app.db");
    const std::string up1 = kNotes, up2 = kTags;
    const std::string sum1 = schema::migrate::sha256_hex(up1), sum2 = schema::migrate::sha256_hex(up2);
    const EmbeddedMigration migrations[] = {entry(1, "notes", up1, kNotesDown, sum1),
                                            entry(2, "tags", up2, kTagsDown, sum2)};
    std::vector<std::string> events;
    schema::MigratorOptions options;
    options.on_event = [&](const schema::migrate::Event& e) {
        events.push_back(std::string(schema::migrate::event_name(e.kind)) + " " + std::to_string(e.version));
    };
    {
        Migrator m(c.db, MigrationSource::embedded(migrations), options);
        auto r = m.apply_pending();
        REQUIRE_MESSAGE(r, (r.error ? r.error->message : ""));
        CHECK(r.count == 2);
        CHECK(r.version == 2);
        auto again = m.apply_pending();
        CHECK(again.count == 0);
        auto s = m.status();
        REQUIRE(s);
        CHECK(s.applied == 2);
        CHECK(s.pending == 0);
        REQUIRE(s.migrations.size() == 2);
        CHECK(s.migrations[1].name == "tags");
        CHECK(s.migrations[1].state == "applied");
        CHECK(!s.migrations[1].applied_at.empty());
        auto back = m.rollback();
        REQUIRE(back);
        CHECK(back.count == 1);
        CHECK(back.version == 1);
    }
    CHECK(std::find(events.begin(), events.end(), "applied 2") != events.end());
    CHECK(std::find(events.begin(), events.end(), "rolled_back 2") != events.end());
    // The connection is the application's: still open, and it sees the result.
    CHECK(c.one("SELECT count(*) FROM sqlite_schema WHERE name = 'notes'") == "1");
    CHECK(c.one("SELECT count(*) FROM sqlite_schema WHERE name = 'tags'") == "0");
    // The tracking rows carry the files' checksums: the command line agrees.
    CHECK(c.one("SELECT checksum FROM _migrations WHERE version = 1") == sum1);
}

TEST_CASE("migrator: a failing migration is an error value naming file, line and statement; nothing changed") {
    test::TempDir dir;
    Connection c(dir / "app.db");
    const std::string up1 = kNotes;
    const std::string up2 = "CREATE TABLE tags (tag TEXT);\nINSERT INTO tags VALUES ('a');\nINSERT INTO nowhere VALUES (1);\n";
    const std::string sum1 = schema::migrate::sha256_hex(up1), sum2 = schema::migrate::sha256_hex(up2);
    const EmbeddedMigration migrations[] = {entry(1, "notes", up1, kNotesDown, sum1),
                                            entry(2, "broken", up2, nullptr, sum2)};
    Migrator m(c.db, MigrationSource::embedded(migrations));
    auto r = m.apply_pending();
    REQUIRE(!r);
    CHECK(r.count == 0);   // the call stopped at the failure ...
    CHECK(r.version == 1); // ... after the first one was applied
    CHECK(r.error->kind == schema::MigrationError::Kind::failed);
    CHECK(r.error->file == "0002_broken.sql");
    CHECK(r.error->line == 3);
    CHECK(r.error->statement.find("INSERT INTO nowhere") != std::string::npos);
    CHECK(r.error->message.find("no such table: nowhere") != std::string::npos);
    CHECK(c.one("SELECT count(*) FROM sqlite_schema WHERE name = 'tags'") == "0");  // rolled back
    CHECK(c.one("SELECT count(*) FROM _migrations") == "1");
    // The exception it came from, for callers that want to rethrow.
    CHECK_THROWS_AS(std::rethrow_exception(r.error->exception), schema::migrate::MigrationFailed);
}

TEST_CASE("migrator: a source that cannot be used is an error on every call, never a throw") {
    test::TempDir dir;
    Connection c(dir / "app.db");
    const std::string up = kNotes;
    const std::string wrong = std::string(64, '0');
    const EmbeddedMigration edited[] = {entry(1, "notes", up, nullptr, wrong)};
    Migrator m(c.db, MigrationSource::embedded(edited));
    auto r = m.apply_pending();
    REQUIRE(!r);
    CHECK(r.error->kind == schema::MigrationError::Kind::input);
    CHECK(r.error->message.find("does not match its checksum") != std::string::npos);
    CHECK(!m.status());
    CHECK(!m.rollback());

    const std::string sum = schema::migrate::sha256_hex(up);
    const EmbeddedMigration repeated[] = {entry(1, "notes", up, nullptr, sum), entry(1, "again", up, nullptr, sum)};
    CHECK(Migrator(c.db, MigrationSource::embedded(repeated)).apply_pending().error->kind ==
          schema::MigrationError::Kind::input);

    // A directory with two files claiming one version.
    test::write_file(dir / "m" / "0001_a.sql", kNotes);
    test::write_file(dir / "m" / "0001_b.sql", kNotes);
    auto d = Migrator(c.db, MigrationSource::directory(dir / "m")).apply_pending();
    REQUIRE(!d);
    CHECK(d.error->message.find("version 1 is used by 2 migrations") != std::string::npos);
    CHECK(c.one("SELECT count(*) FROM sqlite_schema WHERE name = 'notes'") == "0");
}

TEST_CASE("migrator: an applied migration edited since stops the run, as schema apply does") {
    test::TempDir dir;
    Connection c(dir / "app.db");
    test::write_file(dir / "m" / "0001_notes.sql", kNotes);
    REQUIRE(Migrator(c.db, MigrationSource::directory(dir / "m")).apply_pending());
    test::write_file(dir / "m" / "0001_notes.sql", std::string(kNotes) + "-- edited\n");
    test::write_file(dir / "m" / "0002_tags.sql", kTags);
    Migrator m(c.db, MigrationSource::directory(dir / "m"));
    auto r = m.apply_pending();
    REQUIRE(!r);
    CHECK(r.error->kind == schema::MigrationError::Kind::history);
    CHECK(c.one("SELECT count(*) FROM sqlite_schema WHERE name = 'tags'") == "0");
    auto s = m.status();
    REQUIRE(s);
    CHECK(s.modified == 1);
    CHECK(s.pending == 1);
}

TEST_CASE("migrator: two processes starting at once apply each migration once") {
    test::TempDir dir;
    test::write_file(dir / "m" / "0001_notes.sql", kNotes);
    test::write_file(dir / "m" / "0002_tags.sql", kTags);
    { Connection create(dir / "app.db"); }
    std::vector<schema::RunResult> results(4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < results.size(); ++i)
        threads.emplace_back([&, i] {
            Connection c(dir / "app.db");
            results[i] = Migrator(c.db, MigrationSource::directory(dir / "m")).apply_pending();
        });
    for (auto& t : threads) t.join();
    int applied = 0;
    for (const auto& r : results) {
        CHECK_MESSAGE(bool(r), (r.error ? r.error->message : ""));
        applied += r.count;
        CHECK(r.version == 2);
    }
    CHECK(applied == 2);
    CHECK(test::query_one(dir / "app.db", "SELECT count(*) FROM _migrations") == "2");
}

TEST_CASE("migrator: the D1 dialect keeps wrangler's d1_migrations in step; foreign_keys put back as found") {
    test::TempDir dir;
    Connection c(dir / "app.db");
    sqlite3_exec(c.db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
    test::write_file(dir / "migrations" / "0001_notes.sql", kNotes);
    schema::MigratorOptions options;
    options.dialect = schema::Dialect::d1;
    auto r = Migrator(c.db, MigrationSource::directory(dir / "migrations"), options).apply_pending();
    REQUIRE_MESSAGE(r, (r.error ? r.error->message : ""));
    CHECK(c.one("SELECT name FROM d1_migrations") == "0001_notes.sql");
    CHECK(c.one("PRAGMA foreign_keys") == "1");
}

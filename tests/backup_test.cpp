// Backups before apply and rollback, through the real CLI on real files: each
// database's copies are its own in a shared folder (no prefix matching prunes
// another's), a killed copy is cleaned up, and a copy is never more readable
// than its database.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {

void write_pair(const fs::path& dir, const std::string& file, const std::string& up, const std::string& down) {
    test::write_file(dir / file, up);
    test::write_file(dir / "rollback" / file, down);
}

// The copies in `dir` (finished ones: *.db), sorted.
std::vector<std::string> copies_in(const fs::path& dir) {
    std::vector<std::string> out;
    if (!fs::exists(dir)) return out;
    for (auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".db") out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("backups: databases sharing a backup folder never prune each other's copies") {
    Project p;
    write_pair(p.generated(), "0001_t.sql", "CREATE TABLE t (v);", "DROP TABLE t;");
    write_pair(p.generated(), "0002_u.sql", "CREATE TABLE u (v);", "DROP TABLE u;");
    fs::create_directories(p.root() / "api");
    fs::create_directories(p.root() / "scores");
    // Same file name in two folders, and a name that extends another's.
    const std::vector<std::string> dbs{"api/app.db", "scores/app.db", "app.db", "app.db.eu"};
    for (const auto& db : dbs) test::exec_sql(p.root() / db, "CREATE TABLE seed (v); INSERT INTO seed VALUES (1);");
    auto apply = [&](const std::string& db, const std::string& to) {
        auto r = test::run_cli({"--db", db, "--backup-dir", "saved", "--keep-backups", "1", "apply", "--to", to},
                               p.root());
        REQUIRE_MESSAGE(r.code == 0, r.err);
    };
    for (const auto& db : dbs) apply(db, "1");
    auto copies = copies_in(p.root() / "saved");
    CHECK(copies.size() == 4);  // one per database: none pruned another's
    for (const auto& db : dbs) apply(db, "2");
    copies = copies_in(p.root() / "saved");
    REQUIRE(copies.size() == 4);  // each database kept its newest one
    // Each copy is its database's state just before `apply --to 2`: t exists, u does not.
    for (const auto& c : copies) {
        CAPTURE(c);
        CHECK(test::query_one(p.root() / "saved" / c,
                              "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'table' "
                              "AND name IN ('t', 'u') ORDER BY name)") == "t");
    }
    // The two app.db copies differ in the part that names their database.
    int app_db = 0;
    for (const auto& c : copies) app_db += starts_with(c, "app.db.") && !starts_with(c, "app.db.eu.");
    CHECK(app_db == 3);  // api/app.db, scores/app.db and ./app.db; app.db.eu's copy is apart

    // The default folder (backups/ beside the database): app.db and app.db.eu side by side.
    for (const auto& db : {"app.db", "app.db.eu"}) {
        auto r = test::run_cli({"--db", db, "--keep-backups", "1", "rollback"}, p.root());
        REQUIRE_MESSAGE(r.code == 0, r.err);
    }
    CHECK(copies_in(p.root() / "backups").size() == 2);
}

TEST_CASE("backups: an unfinished copy left by a killed run is removed - another database's is not") {
    Project p;
    write_pair(p.generated(), "0001_t.sql", "CREATE TABLE t (v);", "DROP TABLE t;");
    p.exec("CREATE TABLE seed (v);");
    REQUIRE(p.schema({"apply"}).code == 0);
    auto copies = copies_in(p.root() / "backups");
    REQUIRE(copies.size() == 1);
    // A run killed in the middle of its copy leaves <copy>.partial behind.
    const std::string mine = copies[0].substr(0, copies[0].size() - 3) + "x.db.partial";
    const std::string other = "other.db" + copies[0].substr(6, copies[0].size() - 6) + ".partial";
    test::write_file(p.root() / "backups" / mine, std::string(4096, 'x'));
    test::write_file(p.root() / "backups" / other, std::string(4096, 'x'));
    REQUIRE(p.schema({"rollback"}).code == 0);
    CHECK(!fs::exists(p.root() / "backups" / mine));
    CHECK(fs::exists(p.root() / "backups" / other));
    CHECK(copies_in(p.root() / "backups").size() == 2);
}

TEST_CASE("backups: a copy is never more readable than its database") {
    Project p;
    write_pair(p.generated(), "0001_t.sql", "CREATE TABLE t (v);", "DROP TABLE t;");
    p.exec("CREATE TABLE secrets (v); INSERT INTO secrets VALUES ('s3cr3t');");
    for (unsigned mode : {0600u, 0640u}) {
        CAPTURE(mode);
        fs::remove_all(p.root() / "backups");
        REQUIRE(::chmod(p.db().c_str(), mode) == 0);
        REQUIRE(p.schema({"apply"}).code == 0);
        REQUIRE(p.schema({"rollback"}).code == 0);
        auto copies = copies_in(p.root() / "backups");
        REQUIRE(copies.size() == 2);
        for (const auto& c : copies) CHECK(mode_of(p.root() / "backups" / c) == mode);
        CHECK(mode_of(p.root() / "backups") == (mode == 0600u ? 0700u : 0750u));
    }
}

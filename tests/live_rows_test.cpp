// Constraints a migration adds meet the rows already in the database before
// anything is written (prechecks), and --allow-data-loss leaves out exactly the
// violating rows, carrying the loss to the rows that reference them as their
// foreign keys say. Through the real CLI on real database files with rows.
#include <doctest/doctest.h>

#include <algorithm>

#include "schema/ddl.hpp"
#include "schema/inspect.hpp"
#include "schema/verify.hpp"
#include "support/support.hpp"

using test::Project;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// `diff` refuses: exit 1, the constraint named with its count, nothing written.
void refused(const Project& p, const std::string& expected) {
    auto r = p.schema({"diff"});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.code == 1);
    CHECK(contains(r.err, expected));
    CHECK(p.files().empty());
}

// `diff` writes a migration that applies and reaches the declared schema.
void accepted(Project& p) {
    auto r = p.schema({"diff", "-m", "change"});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.code == 0);
    r = p.schema({"apply"});
    INFO("apply: " << r.err);
    REQUIRE(r.code == 0);
    CHECK(p.schema({"diff"}).out.rfind("up to date", 0) == 0);
}

std::string forward_file(const Project& p) {
    for (const auto& f : p.files())
        if (f.find('/') == std::string::npos) return test::read_file(p.generated() / f);
    return {};
}

}  // namespace

TEST_CASE("prechecks: a new UNIQUE compares under the new collation") {
    Project p;
    p.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);"
           "INSERT INTO users VALUES (1, 'a@x'), (2, 'A@X'), (3, 'a@X'), (4, 'b@x');");
    SUBCASE("column constraint") {
        p.declare("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT COLLATE NOCASE UNIQUE);");
        refused(p, "UNIQUE (email) on users: 2 rows");
    }
    SUBCASE("table constraint, with its own COLLATE") {
        p.declare("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, UNIQUE (email COLLATE NOCASE));");
        refused(p, "UNIQUE (email COLLATE NOCASE) on users: 2 rows");
    }
    SUBCASE("an existing UNIQUE whose column becomes NOCASE") {
        Project q;
        q.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE);"
               "INSERT INTO users VALUES (1, 'a@x'), (2, 'A@X');");
        q.declare("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT COLLATE NOCASE UNIQUE);");
        refused(q, "UNIQUE (email) on users: 1 row");
    }
    SUBCASE("clean data passes") {
        p.exec("DELETE FROM users WHERE id IN (2, 3)");
        p.declare("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT COLLATE NOCASE UNIQUE);");
        accepted(p);
    }
}

TEST_CASE("prechecks: a new or changed unique index meets existing duplicates (no rebuild)") {
    Project p;
    p.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, active INT);"
           "CREATE INDEX by_email ON users (email);"
           "INSERT INTO users VALUES (1, 'a@x', 1), (2, 'A@X', 0), (3, 'b@x', 1);");
    const std::string table = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, active INT);";
    SUBCASE("new index under its COLLATE") {
        p.declare(table + "CREATE INDEX by_email ON users (email);"
                          "CREATE UNIQUE INDEX one_email ON users (email COLLATE NOCASE);");
        refused(p, "UNIQUE index one_email (email COLLATE NOCASE) on users: 1 row");
    }
    SUBCASE("new index on an expression") {
        p.declare(table + "CREATE INDEX by_email ON users (email);"
                          "CREATE UNIQUE INDEX one_email ON users (lower(email));");
        refused(p, "UNIQUE index one_email (lower(email)) on users: 1 row");
    }
    SUBCASE("an index that becomes unique") {
        p.declare(table + "CREATE UNIQUE INDEX by_email ON users (email COLLATE NOCASE);");
        refused(p, "UNIQUE index by_email (email COLLATE NOCASE) on users: 1 row");
    }
    SUBCASE("DESC and ASC keys (GROUP BY takes neither; property seed 20261338)") {
        p.declare(table + "CREATE INDEX by_email ON users (email);"
                          "CREATE UNIQUE INDEX one_email ON users (email COLLATE NOCASE DESC, id - id ASC);");
        refused(p, "UNIQUE index one_email (email COLLATE NOCASE DESC, id - id) on users: 1 row");
    }
    SUBCASE("a DESC key with no duplicate passes, also as a table's UNIQUE and PRIMARY KEY") {
        p.declare(table + "CREATE INDEX by_email ON users (email);"
                          "CREATE UNIQUE INDEX one_email ON users (email DESC);");
        accepted(p);
        Project q;
        q.exec("CREATE TABLE t (a TEXT, b INT); INSERT INTO t VALUES ('x', 1), ('y', 1);");
        q.declare("CREATE TABLE t (a TEXT NOT NULL, b INT, PRIMARY KEY (a DESC), UNIQUE (a DESC, b)) WITHOUT ROWID;");
        accepted(q);
    }
    SUBCASE("a partial index whose WHERE leaves the duplicate out passes") {
        p.declare(table + "CREATE UNIQUE INDEX by_email ON users (email COLLATE NOCASE) WHERE active = 1;");
        accepted(p);
    }
}

TEST_CASE("prechecks: a CHECK that reads a new column sees its DEFAULT") {
    Project p;
    p.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, kind TEXT);"
           "INSERT INTO items VALUES (1, 'box'), (2, 'bag'), (3, 'box');");
    SUBCASE("added with ALTER TABLE") {
        p.declare("CREATE TABLE items (id INTEGER PRIMARY KEY, kind TEXT, qty INT DEFAULT 0 CHECK (qty > 0));");
        refused(p, "CHECK (qty > 0) on items: 3 rows");
    }
    SUBCASE("a table CHECK over old and new columns (rebuild)") {
        p.declare("CREATE TABLE items (id INTEGER PRIMARY KEY, kind TEXT, qty INT DEFAULT 0,"
                  " CHECK (kind <> 'box' OR qty > 0));");
        refused(p, "CHECK (kind != 'box' OR qty > 0) on items: 2 rows");
    }
    SUBCASE("a default that satisfies it passes") {
        p.declare("CREATE TABLE items (id INTEGER PRIMARY KEY, kind TEXT, qty INT DEFAULT 1 CHECK (qty > 0));");
        accepted(p);
        CHECK(p.one("SELECT sum(qty) FROM items") == "3");
    }
}

TEST_CASE("prechecks: STRICT types, WITHOUT ROWID keys and new foreign keys meet the rows") {
    Project p;
    SUBCASE("a table that becomes STRICT") {
        p.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, r REAL, b BLOB);"
               "INSERT INTO t VALUES (1, '7', 1, x'00'), (2, 'seven', '2.5', x'01'), (3, 2.5, 'x', 'text');");
        p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, r REAL, b BLOB) STRICT;");
        auto r = p.schema({"diff"});
        CHECK(r.code == 1);
        CHECK(contains(r.err, "STRICT t.n INTEGER: 2 rows"));
        CHECK(contains(r.err, "STRICT t.r REAL: 1 row"));
        CHECK(contains(r.err, "STRICT t.b BLOB: 1 row"));
        CHECK(p.files().empty());
        p.exec("DELETE FROM t WHERE id > 1");
        accepted(p);
    }
    SUBCASE("a WITHOUT ROWID primary key is NOT NULL") {
        p.exec("CREATE TABLE t (k TEXT, v TEXT); INSERT INTO t VALUES ('a', '1'), (NULL, '2');");
        p.declare("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;");
        refused(p, "t.k becomes NOT NULL: 1 row");
    }
    SUBCASE("a UNIQUE on a new generated column is computed from the live rows") {
        p.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'X');");
        p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, k TEXT AS (lower(a)) UNIQUE);");
        refused(p, "UNIQUE (k) on t: 1 row");
    }
    SUBCASE("a foreign key to a table the migration creates: every reference is an orphan") {
        p.exec("CREATE TABLE posts (id INTEGER PRIMARY KEY, author INT); INSERT INTO posts VALUES (1, 5), (2, NULL);");
        p.declare("CREATE TABLE authors (id INTEGER PRIMARY KEY);"
                  "CREATE TABLE posts (id INTEGER PRIMARY KEY, author INT REFERENCES authors (id));");
        refused(p, "FOREIGN KEY (author) REFERENCES authors on posts: 1 row");
    }
}

TEST_CASE("prechecks: a precheck SQLite cannot run is reported, never read as no violation") {
    // The live table lacks the column a pending migration adds: the CHECK on it
    // cannot be counted on the live rows.
    Project p;
    p.exec("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);");
    p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY, n INT DEFAULT 1);");
    REQUIRE(p.schema({"diff", "-m", "add_n"}).code == 0);
    p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY, n INT DEFAULT 1 CHECK (n > 0));");
    auto r = p.schema({"diff", "-m", "check_n"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "cannot check CHECK (n > 0) on t against the rows of"));
    CHECK(contains(r.err, "no such column: n"));
    CHECK(p.files().size() == 2);
}

namespace {

const char* kFamily =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, role TEXT);"
    "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT REFERENCES users (id) ON DELETE CASCADE);"
    "CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INT REFERENCES posts (id) ON DELETE CASCADE);"
    "CREATE TABLE likes (id INTEGER PRIMARY KEY, user_id INT REFERENCES users (id) ON DELETE SET NULL);";
const char* kFamilyRows =
    "INSERT INTO users VALUES (1, 'a@x', 'user'), (2, 'A@X', 'user'), (3, 'b@x', NULL), (4, 'c@x', 'user');"
    "INSERT INTO posts VALUES (10, 1), (11, 2), (12, 3), (13, 4);"
    "INSERT INTO comments VALUES (100, 10), (101, 11), (102, 11), (103, 12);"
    "INSERT INTO likes VALUES (200, 2), (201, 3), (202, 4);";
// Users 2 (duplicate email under NOCASE) and 3 (NULL role) violate it.
const char* kFamilyNarrowed =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT COLLATE NOCASE UNIQUE, role TEXT NOT NULL);"
    "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT REFERENCES users (id) ON DELETE CASCADE);"
    "CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INT REFERENCES posts (id) ON DELETE CASCADE);"
    "CREATE TABLE likes (id INTEGER PRIMARY KEY, user_id INT REFERENCES users (id) ON DELETE SET NULL);";

}  // namespace

TEST_CASE("--allow-data-loss carries the left-out rows through ON DELETE, with exact counts") {
    Project p;
    p.exec(kFamily);
    p.exec(kFamilyRows);
    p.declare(kFamilyNarrowed);

    auto printed = p.schema({"diff", "-m", "narrow", "--print", "--allow-data-loss"});
    INFO("print: " << printed.out << printed.err);
    REQUIRE(printed.code == 0);
    CHECK(p.files().empty());
    auto r = p.schema({"diff", "-m", "narrow", "--allow-data-loss"});
    INFO("diff: " << r.out << r.err);
    REQUIRE(r.code == 0);
    const std::string forward = forward_file(p);
    INFO("forward:\n" << forward);
    // --print shows exactly the file that is written.
    CHECK(contains(printed.out, forward));
    CHECK(contains(forward, "users: 2 rows not copied: they violate its new constraints"));
    CHECK(contains(forward, "posts: 2 rows deleted: they referenced rows of users that are left out (ON DELETE CASCADE)"));
    CHECK(contains(forward, "comments: 3 rows deleted: they referenced rows of posts"));
    CHECK(contains(forward, "likes: 2 rows changed: user_id set to NULL"));

    r = p.schema({"apply"});
    INFO("apply: " << r.err);
    REQUIRE(r.code == 0);
    CHECK(p.one("SELECT group_concat(id) FROM users") == "1,4");
    CHECK(p.one("SELECT group_concat(id) FROM posts") == "10,13");
    CHECK(p.one("SELECT group_concat(id) FROM comments") == "100");
    CHECK(p.one("SELECT group_concat(id || ':' || ifnull(user_id, 'null')) FROM likes") == "200:null,201:null,202:4");
    CHECK(p.one("SELECT count(*) FROM pragma_foreign_key_check") == "0");
    CHECK(p.schema({"diff"}).out.rfind("up to date", 0) == 0);
    REQUIRE(p.schema({"rollback", "--to", "0"}).code == 0);
}

TEST_CASE("--allow-data-loss: the written file alone, with foreign keys on (as on D1), keeps children consistent") {
    Project p;
    p.exec(kFamily);
    p.exec(kFamilyRows);
    p.declare(kFamilyNarrowed);
    REQUIRE(p.schema({"diff", "-m", "narrow", "--allow-data-loss"}).code == 0);
    p.exec("PRAGMA foreign_keys = ON; BEGIN; " + forward_file(p) + " COMMIT;");
    CHECK(p.one("SELECT count(*) FROM pragma_foreign_key_check") == "0");
    CHECK(p.one("SELECT count(*) FROM comments") == "1");
    CHECK(p.one("SELECT count(*) FROM likes WHERE user_id IS NULL") == "2");
}

TEST_CASE("--allow-data-loss refuses with counts when a child's foreign key has no ON DELETE action") {
    Project p;
    p.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, role TEXT);"
           "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INT REFERENCES users (id) ON DELETE RESTRICT);"
           "INSERT INTO users VALUES (1, 'user'), (2, NULL);"
           "INSERT INTO orders VALUES (10, 1), (11, 2), (12, 2);");
    p.declare("CREATE TABLE users (id INTEGER PRIMARY KEY, role TEXT NOT NULL);"
              "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INT REFERENCES users (id) ON DELETE RESTRICT);");
    for (auto flags : {std::vector<std::string>{"diff", "--allow-data-loss"},
                       std::vector<std::string>{"diff", "--print", "--allow-data-loss"}}) {
        auto r = p.schema(flags);
        INFO(r.out << r.err);
        CHECK(r.code == 1);
        CHECK(contains(r.err, "orders: 2 rows would reference rows of users that are not there"));
        CHECK(p.files().empty());
    }
}

TEST_CASE("--allow-data-loss counts rows, not constraints: a row that violates two is one row lost") {
    Project p;
    p.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT, n INT);"
           "INSERT INTO t VALUES (1, 'a', 1), (2, 'a', NULL), (3, 'b', NULL), (4, 'c', 5);");
    p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT UNIQUE, n INT NOT NULL CHECK (n < 5));");
    auto r = p.schema({"diff"});
    CHECK(r.code == 1);
    CHECK(contains(r.err, "UNIQUE (code) on t: 1 row"));
    CHECK(contains(r.err, "t.n becomes NOT NULL: 2 rows"));
    REQUIRE(p.schema({"diff", "-m", "narrow", "--allow-data-loss"}).code == 0);
    CHECK(contains(forward_file(p), "t: 3 rows not copied: they violate its new constraints"));
    REQUIRE(p.schema({"apply"}).code == 0);
    CHECK(p.one("SELECT group_concat(id) FROM t") == "1");
}

TEST_CASE("--allow-data-loss refuses a violation no rebuild leaves out (a new unique index)") {
    Project p;
    p.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);"
           "INSERT INTO users VALUES (1, 'a@x'), (2, 'a@x');");
    p.declare("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);"
              "CREATE UNIQUE INDEX one_email ON users (email);");
    auto r = p.schema({"diff", "--allow-data-loss"});
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK(contains(r.err, "UNIQUE constraint failed"));
    CHECK(p.files().empty());
}

TEST_CASE("library: count_violations and plan_skipping_violations take the live database") {
    using namespace schema;
    Project p;
    p.exec(kFamily);
    p.exec(kFamilyRows);
    auto live = sqlite::Database::open(p.db().string(), sqlite::Database::Mode::read_only);
    Schema from = inspect(live);
    Schema to = parse_schema_text(kFamilyNarrowed, "schema.sql");
    Diff d = diff(from, to, Renames::declared_in(to));

    auto bad = count_violations(live, make_plan(d, from, to));
    REQUIRE(bad.size() == 2);
    CHECK(bad[0].check.description == "users.role becomes NOT NULL");
    CHECK(bad[0].rows == 1);
    CHECK(bad[1].check.description == "UNIQUE (email) on users");
    CHECK(bad[1].rows == 1);

    Plan lossy = plan_skipping_violations(d, from, to, live);
    std::vector<std::string> listed = lossy.data_loss;
    std::sort(listed.begin(), listed.end());
    CHECK(listed ==
          std::vector<std::string>{
              "comments: 3 rows deleted: they referenced rows of posts that are left out (ON DELETE CASCADE)",
              "likes: 2 rows changed: user_id set to NULL, they referenced rows of users that are left out (ON "
              "DELETE SET NULL)",
              "posts: 2 rows deleted: they referenced rows of users that are left out (ON DELETE CASCADE)",
              "users: 2 rows not copied: they violate its new constraints"});
    // The live database is only read.
    CHECK(p.one("SELECT count(*) FROM users") == "4");
}

// Virtual tables: FTS external content written as a string, shadow tables decided
// by what the module really creates, and modules this SQLite does not have.
#include <doctest/doctest.h>

#include "schema/ddl.hpp"
#include "schema/diff.hpp"
#include "schema/inspect.hpp"
#include "support/support.hpp"

using namespace schema;
using test::Project;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

Schema live_schema(const Project& p) {
    auto db = sqlite::Database::open(p.db().string(), sqlite::Database::Mode::read_only);
    return inspect(db);
}

const char* kPosts = "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT);\n";

// A virtual table of sqlite-vec's vec0, which this SQLite does not have: written
// into sqlite_master the way a connection with the extension loaded leaves it.
void add_vec0_table(const Project& p) {
    p.exec("PRAGMA writable_schema = ON;"
           "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('table', 'vec_items', "
           "'vec_items', 0, 'CREATE VIRTUAL TABLE vec_items USING vec0(embedding float[4])');"
           "PRAGMA writable_schema = OFF;");
}

}  // namespace

TEST_CASE("fts5: external content written as a string (content='posts') is created and filled") {
    for (const char* content : {"content='posts', content_rowid='id'", "content=posts, content_rowid=id",
                                "content=\"posts\", content_rowid='id'"}) {
        CAPTURE(content);
        Project p;
        p.exec(std::string(kPosts) + "INSERT INTO posts VALUES (1, 'hello world'), (2, 'other');");
        p.declare(std::string(kPosts) + "CREATE VIRTUAL TABLE posts_fts USING fts5(body, " + content + ");");
        auto r = p.schema({"diff", "-m", "fts"});
        INFO(r.out << r.err);
        REQUIRE(r.code == 0);
        REQUIRE(p.schema({"apply"}).code == 0);
        CHECK(p.one("SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'hello'") == "1");
        CHECK(p.schema({"diff", "--print"}).out.rfind("up to date", 0) == 0);
    }
}

TEST_CASE("fts5: a database with a content='posts' table is inspected, and its schema files diff clean") {
    Project p;
    p.exec(std::string(kPosts) + "CREATE VIRTUAL TABLE posts_fts USING fts5(body, content='posts', content_rowid='id');");
    fs::remove_all(p.root() / "schema");
    auto r = p.schema({"inspect"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(p.schema({"baseline", "1"}).code == 0);
    r = p.schema({"check"});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
}

TEST_CASE("shadow tables: only what the module creates, not what is named like it") {
    // A user table docs_content as the external content of docs is the user's.
    Schema declared = parse_schema_text(
        "CREATE TABLE docs_content (id INTEGER PRIMARY KEY, body TEXT);\n"
        "CREATE VIRTUAL TABLE docs USING fts5(body, content='docs_content', content_rowid='id');");
    CHECK(declared.table("docs_content"));
    // A `.schema` dump lists the shadow tables the module made; they are not declared objects.
    Schema dump = parse_schema_text(
        "CREATE VIRTUAL TABLE docs USING fts5(body);\n"
        "CREATE TABLE 'docs_data'(id INTEGER PRIMARY KEY, block BLOB);\n"
        "CREATE TABLE 'docs_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;\n"
        "CREATE TABLE 'docs_content'(id INTEGER PRIMARY KEY, c0);\n"
        "CREATE TABLE 'docs_docsize'(id INTEGER PRIMARY KEY, sz BLOB);\n"
        "CREATE TABLE 'docs_config'(k PRIMARY KEY, v) WITHOUT ROWID;");
    CHECK(dump.tables.empty());
    // columnsize=0: FTS5 keeps no docs_docsize, so a table of that name is a user's.
    Schema no_docsize = parse_schema_text("CREATE VIRTUAL TABLE docs USING fts5(body, columnsize=0);\n"
                                          "CREATE TABLE docs_docsize (x);");
    CHECK(no_docsize.table("docs_docsize"));
    // FTS4 with external content: no docs_content of its own either.
    Schema fts4 = parse_schema_text("CREATE TABLE docs_content (body TEXT);\n"
                                    "CREATE VIRTUAL TABLE docs USING fts4(body, content='docs_content');");
    CHECK(fts4.table("docs_content"));
}

TEST_CASE("shadow tables: a live user table named like a shadow table stays in the model and its rows are kept") {
    Project p;
    p.exec("CREATE TABLE docs_content (id INTEGER PRIMARY KEY, body TEXT);"
           "INSERT INTO docs_content VALUES (1, 'alpha'), (2, 'beta');"
           "CREATE VIRTUAL TABLE docs USING fts5(body, content='docs_content', content_rowid='id');"
           "INSERT INTO docs (docs) VALUES ('rebuild');");
    Schema live = live_schema(p);
    REQUIRE(live.table("docs_content"));
    CHECK_FALSE(live.table("docs_data"));  // a real shadow table
    p.declare("CREATE TABLE docs_content (id INTEGER PRIMARY KEY, body TEXT);\n"
              "CREATE VIRTUAL TABLE docs USING fts5(body, content='docs_content', content_rowid='id');");
    auto r = p.schema({"diff", "--print"});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.rfind("up to date", 0) == 0);
    CHECK(p.one("SELECT count(*) FROM docs_content") == "2");
}

TEST_CASE("unknown module: inspect keeps the table, warns, and never reads its columns") {
    Project p;
    p.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);");
    add_vec0_table(p);
    Schema live = live_schema(p);
    REQUIRE(live.virtual_table("vec_items"));
    CHECK(live.virtual_table("vec_items")->module.name() == "vec0");
    CHECK(live.table("items"));

    fs::remove_all(p.root() / "schema");
    auto r = p.schema({"inspect"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(contains(r.err, "virtual table vec_items uses the module vec0, which this SQLite does not have"));
    CHECK(contains(test::read_file(p.root() / "schema" / "vec_items.sql"), "USING vec0(embedding float[4])"));
}

TEST_CASE("unknown module: diff and check work around an unchanged table, and refuse to create one") {
    Project p;
    p.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);");
    add_vec0_table(p);
    const std::string schema = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);\n"
                               "CREATE VIRTUAL TABLE vec_items USING vec0(embedding float[4]);\n";
    p.declare(schema);
    auto r = p.schema({"diff", "--print"});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.rfind("up to date", 0) == 0);
    CHECK(contains(r.err, "warning: virtual table vec_items uses the module vec0"));

    // Other changes still go through.
    p.declare(schema + "CREATE TABLE tags (name TEXT);");
    r = p.schema({"diff", "-m", "tags"});
    INFO(r.out << r.err);
    CHECK(r.code == 0);

    // A new vec0 table cannot be proven: an error naming it, nothing written.
    Project q;
    q.declare("CREATE VIRTUAL TABLE vec_new USING vec0(embedding float[4]);");
    r = q.schema({"diff"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "schema.sql:1:1: error: virtual table vec_new uses the module vec0"));
    CHECK(q.files().empty());
}

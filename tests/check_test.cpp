// The CI gate, adoption of existing databases, several databases, and the
// output formats — through the real CLI on real database files.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>

#include "schema/sqlite.hpp"
#include "support/support.hpp"

using test::Project;
namespace fs = std::filesystem;

namespace {

const char* kSchema =
    "CREATE TABLE users (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  email TEXT NOT NULL UNIQUE\n"
    ");\n"
    "CREATE INDEX users_email ON users (email);\n";

// A project whose database, schema/ and generated/ agree.
void clean_project(Project& p) {
    p.declare(kSchema);
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    REQUIRE(p.schema({"apply"}).code == 0);
}

}  // namespace

TEST_CASE("check: a clean repository passes") {
    Project p;
    clean_project(p);
    auto r = p.schema({"check"});
    CHECK(r.code == 0);
    CHECK(r.out.rfind("no drift", 0) == 0);
    CHECK(p.schema({"check", "--offline"}).code == 0);
}

TEST_CASE("check: a change made to the database out of band") {
    Project p;
    clean_project(p);
    p.exec("ALTER TABLE users ADD COLUMN nickname TEXT;");
    auto r = p.schema({"check"});
    CHECK(r.code == 1);
    CHECK(r.out.find("app.db differs from schema") != std::string::npos);
    CHECK(r.out.find("- column users.nickname") != std::string::npos);
    CHECK(p.schema({"check", "--offline"}).code == 0);  // offline sees only the files
}

TEST_CASE("check: migrations not applied yet") {
    Project p;
    clean_project(p);
    p.declare(std::string(kSchema) + "CREATE TABLE posts (id INTEGER PRIMARY KEY);\n");
    REQUIRE(p.schema({"diff", "-m", "posts"}).code == 0);
    auto r = p.schema({"check"});
    CHECK(r.code == 1);
    CHECK(r.out.find("1 migration of generated is not applied yet") != std::string::npos);
    CHECK(r.out.find("+ table posts") != std::string::npos);
    CHECK(p.schema({"check", "--offline"}).code == 0);
}

TEST_CASE("check: schema/ edited without generating a migration") {
    Project p;
    clean_project(p);
    p.declare(std::string(kSchema) + "CREATE INDEX users_id_email ON users (id, email);\n");
    auto r = p.schema({"check", "--offline"});
    CHECK(r.code == 1);
    CHECK(r.out.find("replaying generated does not give schema") != std::string::npos);
    CHECK(r.out.find("+ index users_id_email") != std::string::npos);
}

TEST_CASE("check: a migration edited by hand") {
    Project p;
    clean_project(p);
    std::string file = test::read_file(p.generated() / "0001_init.sql");
    test::write_file(p.generated() / "0001_init.sql", file + "\nCREATE INDEX sneaky ON users (id);\n");
    auto r = p.schema({"check"});
    CHECK(r.code == 1);
    CHECK(r.out.find("applied migrations changed since they ran") != std::string::npos);
    CHECK(r.out.find("generated/0001_init.sql was edited after it was applied") != std::string::npos);
    CHECK(r.out.find("- index sneaky") != std::string::npos);  // the replay shows it too
}

TEST_CASE("check: --format github prints workflow annotations at the declared lines") {
    Project p;
    clean_project(p);
    p.declare(std::string(kSchema) + "CREATE TABLE posts (\n  id INTEGER PRIMARY KEY\n);\n");
    p.exec("CREATE TABLE stray (x);");
    auto r = p.schema({"check", "--format", "github"});
    CHECK(r.code == 1);
    std::istringstream in(r.out);
    const std::regex annotation(R"(^::error( file=[^,:]+,line=\d+,col=\d+,)? ?title=[^:]+::.+$)");
    int lines = 0;
    for (std::string line; std::getline(in, line); ++lines) CHECK_MESSAGE(std::regex_match(line, annotation), line);
    CHECK(lines == 3);  // database: + posts, - stray; replay: + posts
    CHECK(r.out.find("::error file=schema/schema.sql,line=6,col=1,title=schema check%3A app.db differs from "
                     "schema::+ table posts") != std::string::npos);
    CHECK(r.out.find("::error title=schema check%3A app.db differs from schema::- table stray (not declared)") !=
          std::string::npos);
    CHECK(p.schema({"check", "--format", "github", "--offline"}).out.find("::error") != std::string::npos);
}

TEST_CASE("check: --format markdown lists every change, rebuilds and data loss") {
    Project p;
    clean_project(p);
    p.declare("CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL UNIQUE COLLATE NOCASE\n);\n"
              "CREATE TABLE tags (name TEXT PRIMARY KEY);\n");
    auto r = p.schema({"check", "--format", "markdown", "--offline"});
    CHECK(r.code == 1);
    CHECK(r.out.rfind("## schema check: 1 problem\n", 0) == 0);
    for (const char* change : {"| `~` | column users.email: COLLATE (none) → NOCASE | `schema/schema.sql:3` |",
                               "| `+` | table tags | `schema/schema.sql:5` |", "| `-` | index users_email (not declared) | — |"})
        CHECK_MESSAGE(r.out.find(change) != std::string::npos, change);
    CHECK(r.out.find("**Rebuilds**") != std::string::npos);
    CHECK(r.out.find("table users: ALTER TABLE cannot change a column's COLLATE (email)") != std::string::npos);
    CHECK(r.out.find("```sql\n-- NNNN_fix.sql") != std::string::npos);
    p.declare("CREATE TABLE users (id INTEGER PRIMARY KEY);");
    r = p.schema({"check", "--format", "markdown", "--offline"});
    CHECK(r.out.find("**Data loss**") != std::string::npos);
    CHECK(r.out.find("column users.email is dropped with its data") != std::string::npos);
}

TEST_CASE("check: --json prints one object per change and a summary") {
    Project p;
    clean_project(p);
    p.exec("DROP INDEX users_email;");
    auto r = p.schema({"--json", "check"});
    CHECK(r.code == 1);
    auto lines = test::json_lines(r.out);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0]["problem"] == "database_differs");
    CHECK(lines[0]["change"] == "+ index users_email");
    CHECK(lines[0]["file"] == "schema/schema.sql");
    CHECK(lines[0]["line"] == 5);
    CHECK(lines[1]["summary"]["drift"] == true);
    CHECK(lines[1]["summary"]["problems"] == nlohmann::json::array({"database_differs"}));
}

TEST_CASE("inspect then baseline: an existing database adopted in two commands, no drift") {
    Project p;
    p.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);"
           "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT REFERENCES users (id), body TEXT);"
           "CREATE INDEX posts_user ON posts (user_id);"
           "CREATE VIEW post_count AS SELECT user_id, count(*) AS n FROM posts GROUP BY user_id;"
           "CREATE TRIGGER posts_guard BEFORE INSERT ON posts BEGIN SELECT RAISE(ABORT, 'no') WHERE NEW.body = ''; END;"
           "INSERT INTO users VALUES (1, 'a@x');");
    fs::remove_all(p.root() / "schema");
    auto r = p.schema({"inspect"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.out.find("next: `schema --db app.db baseline 1`") != std::string::npos);
    CHECK(p.files() == std::vector<std::string>{"0001_initial.sql", "rollback/0001_initial.sql"});
    CHECK(fs::exists(p.root() / "schema" / "users.sql"));
    CHECK(test::read_file(p.root() / "schema" / "posts.sql").find("CREATE INDEX posts_user") != std::string::npos);
    CHECK(test::read_file(p.root() / "schema" / "posts.sql").find("CREATE TRIGGER posts_guard") != std::string::npos);
    CHECK(test::read_file(p.root() / "schema" / "views.sql").find("CREATE VIEW post_count") != std::string::npos);
    REQUIRE(p.schema({"baseline", "1"}).code == 0);
    r = p.schema({"check"});
    CHECK_MESSAGE(r.code == 0, r.out);
    // Deterministic: inspecting again writes the same bytes.
    std::string before = test::read_file(p.root() / "schema" / "posts.sql");
    CHECK(p.schema({"inspect"}).code == 2);  // refuses to overwrite
    REQUIRE(p.schema({"inspect", "--force", "--no-migration"}).code == 0);
    CHECK(test::read_file(p.root() / "schema" / "posts.sql") == before);
    // --force replaces only the files it writes: the per-table files stay, named
    // so that the user removes them.
    r = p.schema({"inspect", "--force", "--single", "--no-migration"});
    REQUIRE(r.code == 0);
    CHECK(fs::exists(p.root() / "schema" / "schema.sql"));
    CHECK(fs::exists(p.root() / "schema" / "posts.sql"));
    CHECK(r.err.find("schema/posts.sql is still there") != std::string::npos);
    for (const char* old : {"users.sql", "posts.sql", "views.sql"}) fs::remove(p.root() / "schema" / old);
    CHECK(p.schema({"check"}).code == 0);
}

TEST_CASE("inspect then check round-trips on every schema of the corpus") {
    auto files = test::real_schemas();
    if (files.empty()) {
        test::report_skipped("corpus not found");
        return;
    }
    for (const auto& f : files) {
        CAPTURE(f.filename().string());
        Project p;
        test::load_schema_dump(p.db(), test::read_file(f));
        fs::remove_all(p.root() / "schema");
        auto r = p.schema({"inspect"});
        REQUIRE_MESSAGE(r.code == 0, r.err);
        REQUIRE(p.schema({"baseline", "1"}).code == 0);
        r = p.schema({"check"});
        CHECK_MESSAGE(r.code == 0, r.out << r.err);
    }
    CHECK(files.size() >= 38);
}

TEST_CASE("schema.toml: two databases, each with its own history, applied with --all") {
    Project p;
    test::write_file(p.root() / "schema.toml",
                     "# two services\n"
                     "keep_backups = 2\n"
                     "[databases.api]\n"
                     "db = \"data/api.db\"\n"
                     "[databases.scores]\n"
                     "db = \"data/scores.db\"\n"
                     "tracking_table = \"scores_history\"\n");
    test::write_file(p.root() / "schema/api/users.sql", "CREATE TABLE users (id TEXT PRIMARY KEY);");
    test::write_file(p.root() / "schema/scores/scores.sql", "CREATE TABLE scores (id TEXT PRIMARY KEY, title TEXT);");
    fs::create_directories(p.root() / "data");
    auto run = [&](std::vector<std::string> args) { return test::run_cli(args, p.root()); };
    auto r = run({"diff"});
    CHECK(r.code == 2);
    CHECK(r.err.find("schema.toml names 2 databases (api, scores): pick one with -d NAME, or --all") !=
          std::string::npos);
    REQUIRE(run({"--all", "diff", "-m", "init"}).code == 0);
    CHECK(fs::exists(p.root() / "generated/api/0001_init.sql"));
    CHECK(fs::exists(p.root() / "generated/scores/0001_init.sql"));
    r = run({"--all", "apply"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.out.find("== api (data/api.db)") != std::string::npos);
    CHECK(r.out.find("== scores (data/scores.db)") != std::string::npos);
    CHECK(test::query_one(p.root() / "data/api.db", "SELECT count(*) FROM _migrations") == "1");
    CHECK(test::query_one(p.root() / "data/scores.db", "SELECT count(*) FROM scores_history") == "1");
    CHECK(run({"--all", "check"}).code == 0);
    CHECK(run({"-d", "scores", "status"}).out.find("data/scores.db: 1 applied") != std::string::npos);
    // A flag overrides the file.
    CHECK(run({"-d", "api", "--table", "other", "status"}).out.find("0 applied, 1 pending") != std::string::npos);
}

TEST_CASE("schema.toml: a bad config names the file and the key, exit 2") {
    Project p;
    auto run = [&](std::vector<std::string> args) { return test::run_cli(args, p.root()); };
    test::write_file(p.root() / "schema.toml", "[databases.api]\ndb = \"api.db\"\nkeep_backup = 3\n");
    auto r = run({"status"});
    CHECK(r.code == 2);
    CHECK(r.err.find("schema.toml:3:1: databases.api.keep_backup: unknown key") != std::string::npos);
    test::write_file(p.root() / "schema.toml", "[databases.api]\ndb = \"api.db\"\nkeep_backups = \"five\"\n");
    r = run({"status"});
    CHECK(r.code == 2);
    CHECK(r.err.find("schema.toml:3:16: databases.api.keep_backups: expected a whole number from 0 to 2147483647") != std::string::npos);
    test::write_file(p.root() / "schema.toml", "[databases.api\n");
    r = run({"status"});
    CHECK(r.code == 2);
    CHECK(r.err.find("schema.toml:1:15: ") != std::string::npos);
    test::write_file(p.root() / "schema.toml", "[databases.api]\nschema = \"s\"\n");
    r = run({"status"});
    CHECK(r.code == 2);
    CHECK(r.err.find("schema.toml:1:1: databases.api: has no db") != std::string::npos);
    CHECK(run({"-d", "nope", "status"}).code == 2);
}

TEST_CASE("diff --print shows the structure first, then the SQL - --json describes the plan") {
    Project p;
    clean_project(p);
    p.declare("CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL UNIQUE\n);\n");
    auto r = p.schema({"diff", "--print", "--allow-data-loss"});
    CHECK(r.code == 0);
    CHECK(r.out.rfind("Changes (generated/0002_drop_users_email.sql, not written):\n  - index users_email\n", 0) == 0);
    CHECK(r.out.find("DROP INDEX users_email;") > r.out.find("- index users_email"));
    r = p.schema({"--json", "diff", "--print"});
    auto lines = test::json_lines(r.out);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0]["event"] == "plan");
    CHECK(lines[0]["changes"][0] == "- index users_email");
    CHECK(lines[0]["sql"].get<std::string>().find("DROP INDEX users_email;") != std::string::npos);
}

TEST_CASE("check: colors on a terminal, none with NO_COLOR or when piped") {
    if (std::system("command -v script > /dev/null 2>&1") != 0) {
        test::report_skipped("script(1) not found");
        return;
    }
    Project p;
    clean_project(p);
    p.exec("DROP INDEX users_email;");
    auto on_terminal = [&](const std::string& env) {
        fs::path out = p.root() / "tty.txt";
        std::string cmd = "cd '" + p.root().string() + "' && " + env + " script -qec \"'" SCHEMA_CLI
                          "' --db app.db check\" /dev/null > '" + out.string() + "' 2>&1";
        std::system(cmd.c_str());
        return test::read_file(out);
    };
    CHECK(on_terminal("env -u NO_COLOR").find("\033[") != std::string::npos);
    CHECK(on_terminal("NO_COLOR=1").find("\033[") == std::string::npos);
    CHECK(p.schema({"check"}).out.find("\033[") == std::string::npos);
}

TEST_CASE("check: a history that cannot be replayed from nothing is a finding, not a crash") {
    Project p;
    p.exec("CREATE TABLE t (a INT);");  // made before the tool, and never inspected
    p.declare("CREATE TABLE t (a INT);\nCREATE INDEX t_a ON t (a);\n");
    REQUIRE(p.schema({"diff", "-m", "index"}).code == 0);
    auto r = p.schema({"check", "--offline"});
    CHECK(r.code == 1);
    CHECK(r.out.find("replaying generated on an empty database fails") != std::string::npos);
    CHECK(r.out.find("`schema inspect` writes an initial migration") != std::string::npos);
}

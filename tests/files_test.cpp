// The files schema reads and writes: a file that cannot be read is an error
// naming it, never an empty text; a set of files is written all or nothing, with
// temporary files nobody can plant a link at; a byte order mark is skipped.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "schema/ddl.hpp"
#include "schema/files.hpp"
#include "schema/migrate.hpp"
#include "support/support.hpp"

using namespace schema;
namespace fs = std::filesystem;

namespace {

// Every entry under `dir`, hidden ones included, relative and sorted.
std::vector<std::string> everything_under(const fs::path& dir) {
    std::vector<std::string> out;
    if (!fs::exists(dir)) return out;
    for (auto& e : fs::recursive_directory_iterator(dir)) out.push_back(e.path().lexically_relative(dir).string());
    std::sort(out.begin(), out.end());
    return out;
}

// Runs `body` in a child process that may write no file beyond `bytes` (as on
// a full disk: write(2) fails with EFBIG); returns the child's exit status.
int with_file_size_limit(std::size_t bytes, const std::function<int()>& body) {
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        rlimit limit{bytes, bytes};
        setrlimit(RLIMIT_FSIZE, &limit);
        _exit(body());
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The real CLI, run in `cwd` with a file size limit.
int schema_cli_with_file_size_limit(std::size_t bytes, const fs::path& cwd, std::vector<std::string> args) {
    return with_file_size_limit(bytes, [&] {
        if (chdir(cwd.c_str()) != 0) return 99;
        std::vector<char*> argv{const_cast<char*>(SCHEMA_CLI)};
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(SCHEMA_CLI, argv.data());
        return 98;
    });
}

bool running_as_root() { return geteuid() == 0; }

}  // namespace

TEST_CASE("files: a FileSet that fails part way leaves no new file, no temporary file, and the old files as they were") {
    test::TempDir dir;
    test::write_file(dir / "old.sql", "old text");
    int status = with_file_size_limit(1000, [&] {
        FileSet files;
        files.replace(dir / "old.sql", "new text");
        files.create(dir / "sub" / "small.sql", "small");
        files.create(dir / "big.sql", std::string(5000, 'x'));
        try {
            files.commit();
        } catch (const std::runtime_error&) {
            return 1;
        }
        return 0;
    });
    CHECK(status == 1);
    CHECK(everything_under(dir.path()) == std::vector<std::string>{"old.sql"});
    CHECK(test::read_file(dir / "old.sql") == "old text");
}

TEST_CASE("files: a FileSet replaces its files together, with mode 0644 less the umask") {
    test::TempDir dir;
    test::write_file(dir / "a.sql", "old a");
    mode_t old_umask = umask(027);
    FileSet files;
    files.replace(dir / "a.sql", "new a");
    files.create(dir / "deep" / "b.sql", "new b");
    files.commit();
    umask(old_umask);
    CHECK(test::read_file(dir / "a.sql") == "new a");
    CHECK(test::read_file(dir / "deep" / "b.sql") == "new b");
    CHECK((fs::status(dir / "deep" / "b.sql").permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
    CHECK(everything_under(dir.path()) == std::vector<std::string>{"a.sql", "deep", "deep/b.sql"});
}

TEST_CASE("files: a FileSet never overwrites a file it was to create, and replaces a link rather than its target") {
    test::TempDir dir;
    test::write_file(dir / "taken.sql", "someone else's");
    test::write_file(dir / "victim", "precious");
    fs::create_symlink(dir / "victim", dir / "link.sql");
    FileSet files;
    files.replace(dir / "link.sql", "replaced");
    files.create(dir / "taken.sql", "mine");
    CHECK_THROWS_WITH_AS(files.commit(), doctest::Contains("taken.sql exists already"), std::runtime_error);
    CHECK(test::read_file(dir / "taken.sql") == "someone else's");
    std::string left;
    for (const auto& f : everything_under(dir.path())) left += f + " ";
    INFO(left);
    CHECK(fs::is_symlink(dir / "link.sql"));  // put back as it was
    CHECK(everything_under(dir.path()) == std::vector<std::string>{"link.sql", "taken.sql", "victim"});

    FileSet link_only;
    link_only.replace(dir / "link.sql", "replaced");
    link_only.commit();
    CHECK(!fs::is_symlink(dir / "link.sql"));
    CHECK(test::read_file(dir / "link.sql") == "replaced");
    CHECK(test::read_file(dir / "victim") == "precious");
}

TEST_CASE("files: diff on a full disk writes neither file of the pair, nor any temporary file") {
    test::Project p;
    std::string columns;
    for (int i = 0; i < 60; ++i) columns += ", column_with_a_long_name_" + std::to_string(i) + " TEXT";
    p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY" + columns + ");\n");
    // The rollback (a DROP TABLE) fits under the limit; the forward file does not.
    int status = schema_cli_with_file_size_limit(2048, p.root(), {"--db", "app.db", "diff", "-m", "init"});
    CHECK(status == 2);
    CHECK(everything_under(p.generated()).empty());
    auto ok = p.schema({"diff", "-m", "init"});
    INFO(ok.err);
    CHECK(ok.code == 0);
    CHECK(p.files() == std::vector<std::string>{"0001_init.sql", "rollback/0001_init.sql"});
}

TEST_CASE("files: a link planted at the old temporary names is never followed by diff, new or inspect") {
    test::Project p;
    test::write_file(p.root() / "victim", "precious");
    fs::create_directories(p.generated() / "rollback");
    for (const char* planted : {"generated/0001_init.sql.tmp", "generated/rollback/0001_init.sql.tmp",
                                "generated/0002_data.sql.tmp", "generated/rollback/0002_data.sql.tmp"})
        fs::create_symlink(p.root() / "victim", p.root() / planted);
    p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY);\n", "t.sql");
    fs::create_symlink(p.root() / "victim", p.root() / "schema/t.sql.tmp");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    REQUIRE(p.schema({"new", "data"}).code == 0);
    CHECK(test::read_file(p.root() / "victim") == "precious");

    test::Project adopted;
    test::write_file(adopted.root() / "victim", "precious");
    adopted.exec("CREATE TABLE t (id INTEGER PRIMARY KEY);");
    fs::create_directories(adopted.generated() / "rollback");
    for (const char* planted : {"schema/t.sql.tmp", "generated/0001_initial.sql.tmp",
                                "generated/rollback/0001_initial.sql.tmp"})
        fs::create_symlink(adopted.root() / "victim", adopted.root() / planted);
    auto r = adopted.schema({"inspect"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(test::read_file(adopted.root() / "victim") == "precious");
    CHECK(test::read_file(adopted.root() / "schema/t.sql").find("CREATE TABLE t") != std::string::npos);
}

TEST_CASE("files: inspect --force replaces only the files it writes") {
    test::Project p;
    p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY);\n", "t.sql");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    REQUIRE(p.schema({"apply"}).code == 0);
    test::write_file(p.root() / "schema/extra.sql", "CREATE TABLE extra (id INT);\n");
    test::write_file(p.root() / "schema/t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, stale INT);\n");
    auto before = everything_under(p.generated());

    auto refused = p.schema({"inspect"});
    CHECK(refused.code == 2);
    auto r = p.schema({"inspect", "--force"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(test::read_file(p.root() / "schema/t.sql").find("stale") == std::string::npos);
    CHECK(test::read_file(p.root() / "schema/extra.sql") == "CREATE TABLE extra (id INT);\n");
    CHECK(r.err.find("schema/extra.sql") != std::string::npos);

    // Into the project's root: its migrations and schema stay.
    auto here = p.schema({"inspect", "--out", ".", "--force"});
    INFO(here.err);
    REQUIRE(here.code == 0);
    CHECK(everything_under(p.generated()) == before);
    CHECK(fs::exists(p.root() / "schema/extra.sql"));
    CHECK(fs::exists(p.root() / "t.sql"));
}

TEST_CASE("files: inspect that fails writes nothing, and leaves the previous files") {
    test::Project p;
    p.exec("CREATE TABLE a (id INTEGER PRIMARY KEY); CREATE TABLE b (id INTEGER PRIMARY KEY);");
    test::write_file(p.root() / "schema/a.sql", "previous\n");
    SUBCASE("the initial migration cannot be written") {
        // generated/rollback is a file: the rollback of 0001 has nowhere to go.
        test::write_file(p.generated() / "rollback", "");
        auto r = p.schema({"inspect", "--force"});
        INFO(r.out, r.err);
        CHECK(r.code == 2);
        CHECK(everything_under(p.generated()) == std::vector<std::string>{"rollback"});
    }
    SUBCASE("an object the initial migration cannot create") {
        // FTS5 external content named as a string (failed the proof of 0001 when
        // this test was written); whatever the outcome, never half of it.
        p.exec("CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT);"
               "CREATE VIRTUAL TABLE docs USING fts5(body, content='posts', content_rowid='id');");
        auto r = p.schema({"inspect", "--force"});
        INFO(r.out, r.err);
        if (r.code == 0) return;
        CHECK(everything_under(p.generated()).empty());
    }
    CHECK(everything_under(p.root() / "schema") == std::vector<std::string>{"a.sql"});
    CHECK(test::read_file(p.root() / "schema/a.sql") == "previous\n");
}

TEST_CASE("files: a schema file that cannot be read is an error naming it, not an empty file") {
    test::Project p;
    p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY);\n", "t.sql");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    REQUIRE(p.schema({"apply"}).code == 0);

    auto refused = [&](const std::string& name, const std::string& why) {
        auto r = p.schema({"diff", "--print"});
        INFO(r.out, r.err);
        CHECK(r.code == 2);
        CHECK(r.err.find(name) != std::string::npos);
        CHECK(r.err.find(why) != std::string::npos);
        CHECK(r.out.find("DROP TABLE") == std::string::npos);
    };
    SUBCASE("a dangling link") {
        fs::rename(p.root() / "schema/t.sql", p.root() / "t.sql.moved");
        fs::create_symlink("../missing/t.sql", p.root() / "schema/t.sql");
        refused("schema/t.sql", "does not exist");
    }
    SUBCASE("a linked folder is read, not skipped") {
        fs::create_directories(p.root() / "shared");
        fs::rename(p.root() / "schema/t.sql", p.root() / "shared/t.sql");
        fs::create_symlink("../shared", p.root() / "schema/shared");
        auto r = p.schema({"diff", "--print"});
        INFO(r.out, r.err);
        CHECK(r.code == 0);
        CHECK(r.out.find("up to date") != std::string::npos);
    }
    SUBCASE("a folder named *.sql") {
        fs::rename(p.root() / "schema/t.sql", p.root() / "t.sql.moved");
        fs::create_directories(p.root() / "schema/t.sql");
        refused("schema/t.sql", "directory");
    }
    SUBCASE("no permission") {
        if (running_as_root()) return;  // root reads it anyway
        fs::permissions(p.root() / "schema/t.sql", fs::perms::none);
        refused("schema/t.sql", "Permission denied");
    }
    SUBCASE("an unreadable folder") {
        if (running_as_root()) return;
        fs::create_directories(p.root() / "schema/more");
        fs::permissions(p.root() / "schema/more", fs::perms::none);
        refused("schema/more", "Permission denied");
        fs::permissions(p.root() / "schema/more", fs::perms::owner_all);
    }
}

TEST_CASE("files: a migration file or config that cannot be read is an error naming it") {
    test::Project p;
    p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY);\n", "t.sql");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    SUBCASE("a dangling migration link") {
        fs::create_symlink("nowhere.sql", p.generated() / "0002_x.sql");
        auto r = p.schema({"status"});
        CHECK(r.code == 2);
        CHECK(r.err.find("generated/0002_x.sql") != std::string::npos);
    }
    SUBCASE("a dangling Flyway down.sql") {
        fs::remove_all(p.generated());
        fs::create_directories(p.generated() / "V001__init");
        test::write_file(p.generated() / "V001__init/up.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n");
        fs::create_symlink("nowhere.sql", p.generated() / "V001__init/down.sql");
        CHECK_THROWS_WITH_AS(migrate::Directory::load(p.generated()), doctest::Contains("V001__init/down.sql"),
                             InputError);
    }
    SUBCASE("a dangling schema.toml") {
        fs::create_symlink("nowhere.toml", p.root() / "schema.toml");
        auto r = test::run_cli({"status"}, p.root());
        CHECK(r.code == 2);
        CHECK(r.err.find("schema.toml") != std::string::npos);
    }
}

TEST_CASE("files: a byte order mark at the start of a schema file is skipped, as SQLite does") {
    const std::string bom = "\xEF\xBB\xBF";
    Schema s = parse_schema_text(bom + "CREATE TABLE t (id INTEGER PRIMARY KEY);\n", "t.sql");
    CHECK(s.tables.size() == 1);
    // Positions are those an editor shows, the mark being invisible.
    auto error_position = [](const std::string& text) {
        try {
            parse_schema_text(text, "t.sql");
        } catch (const InputError& e) {
            return e.diagnostics().at(0).pos.str();
        }
        return std::string("accepted");
    };
    const std::string bad = "CREATE TABLE t (id INT,);\n";
    CHECK(error_position(bad).rfind("t.sql:1:", 0) == 0);
    CHECK(error_position(bom + bad) == error_position(bad));
    const std::string twice = "CREATE TABLE t (id INT);\nCREATE TABLE t (id INT);\n";
    CHECK(error_position(twice).rfind("t.sql:2:", 0) == 0);
    CHECK(error_position(bom + twice) == error_position(twice));

    test::Project p;
    p.declare(bom + "CREATE TABLE t (id INTEGER PRIMARY KEY);\n", "t.sql");
    auto r = p.schema({"diff", "-m", "init"});
    INFO(r.err);
    CHECK(r.code == 0);
}

TEST_CASE("files: a byte order mark at the start of a migration file is skipped, its checksum is of its bytes") {
    test::Project p;
    const std::string bom = "\xEF\xBB\xBF";
    const std::string up = bom + "PRAGMA foreign_keys = OFF;\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n";
    test::write_file(p.generated() / "0001_init.sql", up);
    test::write_file(p.generated() / "rollback/0001_init.sql", bom + "DROP TABLE t;\n");
    auto dir = migrate::Directory::load(p.generated());
    REQUIRE(dir.migrations.size() == 1);
    const auto& m = dir.migrations[0];
    CHECK(m.up_sql == up.substr(3));
    CHECK(m.down_sql == "DROP TABLE t;\n");
    CHECK(m.checksum == migrate::sha256_hex(up));
    CHECK(migrate::foreign_keys_mode(m.up_sql, m.up_script).off);

    p.declare("CREATE TABLE t (id INTEGER PRIMARY KEY);\n", "t.sql");
    CHECK(p.schema({"apply"}).code == 0);
    auto check = p.schema({"check"});
    INFO(check.out, check.err);
    CHECK(check.code == 0);
}

TEST_CASE("files: a deferred-keys statement is read from the statements, never found in comments or literals") {
    auto deferred = [](const std::string& sql) {
        return migrate::foreign_keys_mode(sql, sqlite::split_script(sql)).deferred;
    };
    CHECK(deferred("PRAGMA defer_foreign_keys = ON;\nCREATE TABLE t (a);\n"));
    CHECK(deferred("pragma main.DEFER_FOREIGN_KEYS(1);"));
    CHECK_FALSE(deferred("-- PRAGMA defer_foreign_keys = ON\nCREATE TABLE t (a);\n"));
    CHECK_FALSE(deferred("INSERT INTO notes VALUES ('PRAGMA defer_foreign_keys = ON');"));
    CHECK_FALSE(deferred("PRAGMA defer_foreign_keys = OFF;"));
}

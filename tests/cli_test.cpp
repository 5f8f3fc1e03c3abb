// The command line as people meet it: help without a command and through
// `schema help`, "did you mean", global options and examples in every
// command's help, --version, parse errors as JSON under --json. Through the
// real binary.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/support.hpp"

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

test::CliResult run(const std::vector<std::string>& args) {
    test::TempDir dir;
    return test::run_cli(args, dir.path());
}

}  // namespace

TEST_CASE("cli: schema alone prints the help, and so does schema help, exit 0") {
    for (const auto& args : {std::vector<std::string>{}, std::vector<std::string>{"help"}}) {
        auto r = run(args);
        CHECK(r.code == 0);
        CHECK(contains(r.out, "Usage: schema [OPTIONS] [SUBCOMMAND]"));
        CHECK(contains(r.out, "Subcommands:"));
        CHECK(contains(r.out, "  diff "));
        CHECK(contains(r.out, "EXAMPLES:"));
    }
}

TEST_CASE("cli: schema help CMD is CMD --help: its options, the global options and examples") {
    auto help = run({"help", "apply"});
    auto flag = run({"apply", "--help"});
    CHECK(help.code == 0);
    CHECK(flag.code == 0);
    for (const auto* text : {&help.out, &flag.out}) {
        CHECK(contains(*text, "Usage: schema apply [OPTIONS]"));
        CHECK(contains(*text, "--dry-run"));
        CHECK(contains(*text, "GLOBAL OPTIONS"));
        CHECK(contains(*text, "--db FILE"));
        CHECK(contains(*text, "--format TEXT:{human,json,github,markdown}"));
        CHECK(contains(*text, "EXAMPLES:\n  schema apply"));
    }
    auto unknown = run({"help", "aply"});
    CHECK(unknown.code == 2);
    CHECK(contains(unknown.err, "no command aply: did you mean apply?"));
}

TEST_CASE("cli: a mistyped command or option gets did you mean, exit 2") {
    auto r = run({"aply"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "unknown command aply: did you mean apply?"));
    r = run({"rollbak", "--steps", "2"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "did you mean rollback?"));
    r = run({"apply", "--dryrun"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "unknown option --dryrun: did you mean --dry-run?"));
    r = run({"--db", "x.db", "check", "--ofline"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "did you mean --offline?"));
    r = run({"frobnicate"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "unknown command frobnicate (schema --help lists them)"));
}

TEST_CASE("cli: --version names the version, the commit and the SQLite library in use") {
    auto r = run({"--version"});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "schema 0."));
    CHECK(contains(r.out, "(commit "));
    CHECK(contains(r.out, "SQLite 3."));
    CHECK(contains(r.out, " in use"));
}

TEST_CASE("cli: under --json a parse error is a JSON object too") {
    for (const auto& args : {std::vector<std::string>{"--json", "aply"},
                             std::vector<std::string>{"--format", "json", "apply", "--to", "x"},
                             std::vector<std::string>{"apply", "--dryrun", "--json"}}) {
        auto r = run(args);
        CHECK(r.code == 2);
        auto lines = test::json_lines(r.out);
        REQUIRE_MESSAGE(lines.size() == 1, r.out);
        CHECK(lines[0]["event"] == "error");
        CHECK(lines[0]["exit"] == 2);
        CHECK(!lines[0]["message"].get<std::string>().empty());
    }
}

TEST_CASE("cli: schema embed writes a source file with each migration's bytes and checksum") {
    test::Project p;
    p.declare("CREATE TABLE t (\"quote\"\"d\" TEXT DEFAULT 'a\\b', x BLOB);\n");
    REQUIRE(p.schema({"diff", "-m", "init"}).code == 0);
    auto r = p.schema({"embed", "--function", "app::migrations", "-o", "m.cpp", "--header", "m.hpp"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const std::string source = test::read_file(p.root() / "m.cpp");
    const std::string up = test::read_file(p.generated() / "0001_init.sql");
    CHECK(contains(source, "namespace app {\nschema::MigrationSource migrations()"));
    CHECK(contains(source, "{1, \"init\","));
    CHECK(contains(source, std::to_string(up.size())));
    CHECK(contains(source, "\\\"quote\\\"\\\"d\\\""));  // quotes and backslashes escaped
    CHECK(contains(source, "'a\\\\b'"));
    CHECK(contains(test::read_file(p.root() / "m.hpp"), "namespace app {\nschema::MigrationSource migrations();"));
    r = p.schema({"embed", "--function", "not a name"});
    CHECK(r.code == 2);
}

// schema embed: the migrations directory as a C++ source file, for an
// application that migrates its own database at start-up with the migrations
// compiled in (schema::Migrator over MigrationSource::embedded). The CMake
// function schema_embed_migrations() runs it at build time.
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "context.hpp"
#include "errors.hpp"
#include "schema/migrator.hpp"
#include "schema/version.hpp"

namespace schema::cli {

namespace {

// Bytes as a C++ string literal, one source line per line of text: quotes and
// backslashes escaped, every other byte outside printable ASCII in octal (three
// digits, so a digit after it is never read as part of it).
std::string cpp_literal(std::string_view bytes, const std::string& indent) {
    if (bytes.empty()) return "\"\"";
    std::string out = "\"";
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c == '"' || c == '\\') out += '\\', out += char(c);
        else if (c == '\n') out += i + 1 < bytes.size() ? "\\n\"\n" + indent + "\"" : "\\n";
        else if (c >= 0x20 && c < 0x7f) out += char(c);
        else out += fmt::format("\\{:03o}", c);
    }
    return out + "\"";
}

// A C++ name, possibly qualified (app::migrations).
bool is_cpp_name(const std::string& name) {
    if (name.empty()) return false;
    std::size_t i = 0;
    while (i < name.size()) {
        if (!(std::isalpha(static_cast<unsigned char>(name[i])) || name[i] == '_')) return false;
        while (i < name.size() && (std::isalnum(static_cast<unsigned char>(name[i])) || name[i] == '_')) ++i;
        if (i == name.size()) return true;
        if (name.compare(i, 2, "::") != 0) return false;
        i += 2;
    }
    return false;
}

// "app::migrations" -> namespace "app", function "migrations".
std::pair<std::string, std::string> split_name(const std::string& name) {
    auto cut = name.rfind("::");
    if (cut == std::string::npos) return {"", name};
    return {name.substr(0, cut), name.substr(cut + 2)};
}

std::string read_bytes(const fs::path& path) {
    std::ifstream f(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (!f.good() && !f.eof()) throw InputError("cannot read " + path.string());
    return bytes;
}

std::string declaration(const std::string& function) {
    auto [ns, name] = split_name(function);
    std::string d = fmt::format("schema::MigrationSource {}();", name);
    return ns.empty() ? d : fmt::format("namespace {} {{\n{}\n}}", ns, d);
}

struct EmbedCommand {
    std::string output, header, function = "schema_migrations";
};

int run_embed(const EmbedCommand& c, const Project& p, Output& out) {
    if (!is_cpp_name(c.function))
        throw InputError(fmt::format("--function {}: not a C++ name (letters, digits, _ and ::)", c.function));
    auto dir = migrate::Directory::load(p.migrations_dir);
    dir.require_unique_versions();
    if (!dir.problems.empty()) throw InputError("the migrations directory has problems (schema validate lists them)");
    std::string entries;
    const std::string indent = "     ";
    for (const auto& m : dir.migrations) {
        // The bytes as they are on disk (a byte order mark too): the checksum is theirs.
        const std::string up = read_bytes(m.up_path);
        std::optional<std::string> down;
        if (m.down_path) down = read_bytes(*m.down_path);
        entries += fmt::format("    {{{}, {},\n{}{}, {},\n{}{}, {},\n{}\"{}\"}},\n", m.version,
                               cpp_literal(m.name, indent), indent, cpp_literal(up, indent), up.size(), indent,
                               down ? cpp_literal(*down, indent) : "nullptr", down ? down->size() : 0, indent,
                               migrate::sha256_hex(up));
    }
    auto [ns, name] = split_name(c.function);
    std::string source = fmt::format(
        "// Written by `schema embed` (schema {}): the migrations, compiled in. Do not edit;\n"
        "// embed them again after `schema diff` or `schema new`.\n"
        "#include <schema/migrator.hpp>\n\n",
        SCHEMA_VERSION);
    if (dir.migrations.empty()) {
        source += fmt::format("{}schema::MigrationSource {}() {{ return schema::MigrationSource::embedded(nullptr, 0); }}{}\n",
                              ns.empty() ? "" : "namespace " + ns + " {\n", name, ns.empty() ? "" : "\n}");
    } else {
        // The array's name must not be the function's.
        const std::string table = name == "embedded_migrations" ? "embedded_migrations_" : "embedded_migrations";
        source += fmt::format("namespace {{\n\nconst schema::EmbeddedMigration {}[] = {{\n{}}};\n\n}}  // namespace\n\n",
                              table, entries);
        source += fmt::format("{}schema::MigrationSource {}() {{ return schema::MigrationSource::embedded({}); }}{}\n",
                              ns.empty() ? "" : "namespace " + ns + " {\n", name, table, ns.empty() ? "" : "\n}");
    }
    auto write = [](const std::string& path, const std::string& text) {
        std::ofstream f(path, std::ios::binary);
        f << text;
        if (!f.flush()) throw InputError("cannot write " + path);
    };
    if (c.output.empty() || c.output == "-") std::cout << source;
    else write(c.output, source);
    if (!c.header.empty())
        write(c.header, "// Written by `schema embed`: the migrations compiled in.\n#pragma once\n\n"
                        "#include <schema/migrator.hpp>\n\n" +
                            declaration(c.function) + "\n");
    if (!c.output.empty() && c.output != "-" && !out.json())
        std::cerr << fmt::format("embedded {} migration{} in {}\n", dir.migrations.size(),
                                 dir.migrations.size() == 1 ? "" : "s", c.output);
    return 0;
}

}  // namespace

void register_embed(CLI::App& app, Globals& g, int& exit_code) {
    auto c = std::make_shared<EmbedCommand>();
    auto* cmd = app.add_subcommand("embed", "Write the migrations as a C++ source file, for an application that "
                                            "applies them itself (schema::Migrator)");
    cmd->add_option("-o,--output", c->output, "the .cpp file to write (default: standard output)")->type_name("FILE");
    cmd->add_option("--header", c->header, "also write a header declaring the function")->type_name("FILE");
    cmd->add_option("--function", c->function,
                    "the function that returns them (default: schema_migrations; may be qualified, app::migrations)")
        ->type_name("NAME");
    cmd->callback([&g, &exit_code, c] {
        Output out(g.no_color, g.wants_json());
        exit_code = for_each_project(g, out, [&](const Project& p) { return run_embed(*c, p, out); }, false);
    });
}

}  // namespace schema::cli

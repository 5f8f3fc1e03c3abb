// schema erd: the declared schema as a diagram (Mermaid, DOT, or SVG laid out
// by Graphviz), or only what the pending change touches (--changed), or some
// tables with their foreign-key neighbours (--table).
#include <fmt/format.h>

#include <iostream>

#include "change_view.hpp"
#include "context.hpp"
#include "schema/erd.hpp"
#include "schema/files.hpp"

namespace schema::cli {

namespace {

struct ErdCommand {
    std::string type;  // mermaid, dot, svg
    std::string output;
    bool changed = false;
    std::vector<std::string> tables;
};

int run_erd(const ErdCommand& c, const Project& p, Output& out) {
    auto sources = read_schema_files(p.schema_dir);
    Schema declared = parse_declared(sources, p.dialect);
    ErdOptions o;
    if (c.changed) {
        if (p.db.empty()) throw_no_database(p);
        auto dir = migrate::Directory::load(p.migrations_dir);
        Baseline base = baseline(target_of(p), dir);
        Proposal g = propose(base, declared, {true, p.dialect});
        o = change_focus(g.diff, g.up);
        if (o.focus.empty()) {
            std::cerr << "schema: nothing changes: " << p.db.string() << " matches " << p.schema_dir.string() << "\n";
            return 0;
        }
    }
    for (const auto& t : c.tables) {
        const Table* table = declared.table(Ident(t));
        if (!table) throw InputError(fmt::format("no table {} in {}", t, p.schema_dir.string()));
        o.focus.insert(table->name.key());
    }
    std::string type = c.type;
    if (type.empty()) {
        const std::string ext = fs::path(c.output).extension().string();
        type = ext == ".svg" ? "svg" : ext == ".dot" || ext == ".gv" ? "dot" : "mermaid";
    }
    const std::string text = type == "svg" ? erd_svg(declared, o) : type == "dot" ? erd_dot(declared, o)
                                                                                    : erd_mermaid(declared, o);
    if (c.output.empty() || c.output == "-") {
        std::cout << text;
        return 0;
    }
    FileSet file;
    file.replace(c.output, text);
    file.commit();
    if (!out.json()) std::cerr << "wrote " << c.output << " (" << erd_tables(declared, o).size() << " tables)\n";
    return 0;
}

}  // namespace

void register_erd(CLI::App& app, Globals& g, int& exit_code) {
    auto c = std::make_shared<ErdCommand>();
    auto* cmd = app.add_subcommand("erd", "Draw the declared schema (or what a change touches) as Mermaid, "
                                          "Graphviz DOT or SVG");
    cmd->add_option("--type", c->type, "mermaid (default; GitHub renders it), dot, or svg (laid out by Graphviz); "
                                       "default from -o's extension")
        ->check(CLI::IsMember({"mermaid", "dot", "svg"}));
    cmd->add_option("-o,--output", c->output, "the file to write (default: standard output)")->type_name("FILE");
    cmd->add_flag("--changed", c->changed,
                  "only the tables the pending change adds, changes or rebuilds (marked), with their neighbours");
    cmd->add_option("--table", c->tables, "only these tables and the tables their foreign keys join them to");
    cmd->callback([c, &g, &exit_code] {
        Output out(g.no_color, g.wants_json());
        exit_code = for_each_project(g, out, [&](const Project& p) { return run_erd(*c, p, out); }, false);
    });
}

}  // namespace schema::cli

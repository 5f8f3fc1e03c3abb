// schema inspect [--out DIR] [--single] [--force] [--no-migration]: adopt an
// existing database. Writes its schema as declared DDL (one file per table with
// its indexes and triggers, views in views.sql), normalized and deterministic,
// and — when the migrations directory is empty — the initial migration that
// creates it, so that `schema baseline 1` then `schema check` report no drift.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>

#include "context.hpp"
#include "schema/files.hpp"
#include "schema/inspect.hpp"
#include "schema/verify.hpp"
#include "schema/write.hpp"

namespace schema::cli {

namespace {

struct InspectCmdOptions {
    std::string out;
    bool single = false;
    bool force = false;
    bool no_migration = false;
};

// A file name for an object: its name where that is safe on every file system.
std::string file_stem(const std::string& name) {
    std::string out;
    for (char c : name) {
        unsigned char u = static_cast<unsigned char>(c);
        out += (std::isalnum(u) || c == '_' || c == '-' || c == '.' || u >= 0x80) ? c : '_';
    }
    if (out.empty() || out[0] == '.') out = "_" + out;
    return out;
}

// file name → contents, for the layout of one file per table.
std::map<std::string, std::string> per_table_files(const Schema& s) {
    std::map<std::string, std::string> files;
    std::map<std::string, std::string> owner;  // table key → file name
    auto add = [&](const std::string& file, const std::string& sql) {
        std::string& text = files[file];
        text += (text.empty() ? "" : "\n") + terminated_statement(sql) + "\n";
    };
    for (const Table* t : tables_in_dependency_order(s)) {
        std::string file = file_stem(t->name.name()) + ".sql";
        if (file == "views.sql") file = "table_views.sql";
        owner[t->name.key()] = file;
        add(file, create_sql(*t));
    }
    for (const auto& [key, v] : s.virtual_tables) {
        std::string file = file_stem(v.name.name()) + ".sql";
        owner[key] = file;
        add(file, create_sql(v));
    }
    for (const auto& [key, i] : s.indexes) add(owner.count(i.table.key()) ? owner[i.table.key()] : "indexes.sql",
                                              create_sql(i));
    for (const View* v : views_in_dependency_order(s)) add("views.sql", create_sql(*v));
    for (const auto& [key, t] : s.triggers) {
        auto it = owner.find(t.table.key());
        add(it != owner.end() ? it->second : "views.sql", create_sql(t));
    }
    return files;
}

// The .sql files under `dir` that are not in `written` (nor under the
// migrations folder): inspect leaves them alone, but the user should know they
// are still there, read as declared schema next to what was written.
std::vector<fs::path> other_sql_files(const fs::path& dir, const std::vector<fs::path>& written,
                                      const fs::path& migrations_dir) {
    std::vector<fs::path> out;
    if (!fs::is_directory(dir)) return out;
    std::error_code ec, entry_ec;
    const fs::path skip = fs::weakly_canonical(migrations_dir, entry_ec);
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (it->is_directory(entry_ec) && fs::weakly_canonical(it->path(), entry_ec) == skip) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->path().extension() == ".sql" &&
            std::find(written.begin(), written.end(), it->path()) == written.end())
            out.push_back(it->path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

int run_inspect(const InspectCmdOptions& o, const Project& p, Output& out) {
    if (!fs::exists(p.db)) throw InputError("database " + p.db.string() + " does not exist");
    Schema live;
    {
        auto db = migrate::open_to_read(p.db, p.busy_timeout_ms);
        live = inspect_live(db, target_of(p));
    }
    const auto unknown_modules = unknown_module_warnings(live);
    for (const auto& w : unknown_modules) std::cerr << w.format() << "\n";
    const fs::path dir = o.out.empty() ? p.schema_dir : fs::path(o.out);

    // Everything is computed first and written as one set at the end: a failure
    // (an object the initial migration cannot create, a full disk) writes nothing.
    FileSet files;
    std::map<std::string, std::string> schema_files;
    if (o.single) schema_files["schema.sql"] = schema_sql(live);
    else schema_files = per_table_files(live);
    std::vector<fs::path> written;
    for (const auto& [name, text] : schema_files) {
        files.replace(dir / name, text);
        written.push_back(dir / name);
    }
    auto others = other_sql_files(dir, {}, p.migrations_dir);
    if (!others.empty() && !o.force)
        throw InputError(fmt::format("{} already holds {} .sql file{}; pass --force to replace the files inspect "
                                     "writes (it removes none)",
                                     dir.string(), others.size(), others.size() == 1 ? "" : "s"));

    // The initial migration, so that replaying the directory gives this schema.
    std::string migration;
    auto migrations = migrate::Directory::load(p.migrations_dir);
    // No shadow can create a virtual table of a module this SQLite lacks, so no
    // initial migration that creates one can be proven: none is written.
    if (!o.no_migration && migrations.migrations.empty() && !live.empty() && !unknown_modules.empty())
        std::cerr << "no initial migration written: it would create a virtual table that cannot be proven (see "
                     "above)\n";
    if (!o.no_migration && migrations.migrations.empty() && !live.empty() && unknown_modules.empty()) {
        if (migrations.root.empty()) migrations.root = p.migrations_dir;
        Proposal g = propose(Schema{}, live, nullptr, {false, p.dialect});
        auto [up, down] = migrations.paths_for(1, "initial");
        MigrationInfo up_info{up.filename().string(), fs::relative(down, migrations.root).string(), false, {},
                              p.dialect};
        MigrationInfo down_info{down.filename().string(), up.filename().string(), true, {}, p.dialect};
        prove_texts(g, Schema{}, live, up_info, down_info);
        files.create(down, g.down_text);
        files.create(up, g.up_text);
        migration = up.string();
    }
    files.commit();

    for (const auto& f : other_sql_files(dir, written, p.migrations_dir))
        std::cerr << "schema: note: " << f.string() << " is still there (inspect replaces only the files it "
                     "writes); remove it if it declares objects written again above\n";

    if (out.json()) {
        for (const auto& w : written) out.json_line(nlohmann::json{{"event", "written"}, {"file", w.string()}});
        if (!migration.empty())
            out.json_line(nlohmann::json{{"event", "written"}, {"file", migration}, {"migration", 1}});
        return 0;
    }
    std::cout << fmt::format("wrote {} file{} to {}: {} tables, {} indexes, {} views, {} triggers, {} virtual tables\n",
                             written.size(), written.size() == 1 ? "" : "s", dir.string(), live.tables.size(),
                             live.indexes.size(), live.views.size(), live.triggers.size(),
                             live.virtual_tables.size());
    if (!migration.empty())
        std::cout << "wrote " << migration << ", which creates it all from nothing\n"
                  << "next: `schema --db " << p.db.string()
                  << " baseline 1` records that this database already has it; `schema check` then finds no drift\n";
    return 0;
}

}  // namespace

void register_inspect(CLI::App& app, Globals& g, int& exit_code) {
    auto opts = std::make_shared<InspectCmdOptions>();
    auto* cmd = app.add_subcommand("inspect", "Write the database's schema as DDL files (adopt an existing database)");
    cmd->add_option("--out", opts->out, "directory to write (default: the schema directory)")->type_name("DIR");
    cmd->add_flag("--single", opts->single, "one file, schema.sql, instead of one per table");
    cmd->add_flag("--force", opts->force, "write even if the directory holds .sql files (replaces only the files it writes)");
    cmd->add_flag("--no-migration", opts->no_migration, "do not write the initial migration");
    cmd->callback([opts, &g, &exit_code] {
        Output out(g.no_color, g.wants_json());
        exit_code = for_each_project(g, out, [&](const Project& p) { return run_inspect(*opts, p, out); });
    });
}

}  // namespace schema::cli

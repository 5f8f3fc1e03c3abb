// What wrangler's own config says about a D1 database, so that `schema` writes
// migrations where `wrangler d1 migrations apply` reads them and keeps its
// history in the table wrangler keeps it in.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <map>
#include <optional>

#include "project.hpp"
#include "schema/diagnostic.hpp"
#include "schema/files.hpp"

namespace schema::cli {

namespace {

struct D1Entry {
    std::string binding, database_name, migrations_dir, migrations_table;
};

D1Entry entry_of(const std::string& binding, const std::string& database_name, const std::string& migrations_dir,
                 const std::string& migrations_table) {
    return {binding, database_name, migrations_dir, migrations_table};
}

// wrangler's config as what schema reads of it: the top level's d1_databases,
// and each [env.NAME]'s (an environment inherits no binding from the top).
struct WranglerConfig {
    std::vector<D1Entry> top;
    std::map<std::string, std::optional<std::vector<D1Entry>>> envs;  // nullopt: the env declares none
};

std::vector<D1Entry> entries_in(const toml::table& t) {
    std::vector<D1Entry> out;
    if (auto* list = t["d1_databases"].as_array())
        for (const auto& node : *list)
            if (auto* e = node.as_table())
                out.push_back(entry_of((*e)["binding"].value_or(std::string()),
                                       (*e)["database_name"].value_or(std::string()),
                                       (*e)["migrations_dir"].value_or(std::string()),
                                       (*e)["migrations_table"].value_or(std::string())));
    return out;
}

WranglerConfig read_toml(const fs::path& file) {
    toml::table root;
    try {
        root = toml::parse(read_file(file), file.string());
    } catch (const toml::parse_error& e) {
        throw InputError(fmt::format("{}:{}:{}: {}", file.string(), e.source().begin.line, e.source().begin.column,
                                     std::string(e.description())));
    }
    WranglerConfig c;
    c.top = entries_in(root);
    if (auto* envs = root["env"].as_table())
        for (const auto& [name, node] : *envs)
            if (auto* t = node.as_table())
                c.envs[std::string(name.str())] =
                    t->contains("d1_databases") ? std::optional(entries_in(*t)) : std::nullopt;
    return c;
}

std::vector<D1Entry> entries_in(const nlohmann::json& o) {
    std::vector<D1Entry> out;
    if (o.is_object() && o.contains("d1_databases") && o["d1_databases"].is_array())
        for (const auto& e : o["d1_databases"]) {
            if (!e.is_object()) continue;
            auto text = [&](const char* key) {
                return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : std::string();
            };
            out.push_back(entry_of(text("binding"), text("database_name"), text("migrations_dir"),
                                   text("migrations_table")));
        }
    return out;
}

// JSONC as wrangler reads it (comments, and a comma before } or ]): the
// trailing commas become spaces, so that positions in errors stay those of the
// file; comments are left to the JSON parser, which skips them.
std::string without_trailing_commas(std::string_view text) {
    std::string out(text);
    enum { code, string, line_comment, block_comment } state = code;
    std::size_t pending_comma = std::string::npos;  // a comma not yet followed by a value
    for (std::size_t i = 0; i < out.size(); ++i) {
        const char c = out[i];
        const char next = i + 1 < out.size() ? out[i + 1] : '\0';
        switch (state) {
            case string:
                if (c == '\\') ++i;
                else if (c == '"') state = code;
                break;
            case line_comment:
                if (c == '\n') state = code;
                break;
            case block_comment:
                if (c == '*' && next == '/') state = code, ++i;
                break;
            case code:
                if (c == '/' && (next == '/' || next == '*')) {
                    state = next == '/' ? line_comment : block_comment;
                    ++i;
                    break;
                }
                if (c == ' ' || c == '\t' || c == '\r' || c == '\n') break;
                if ((c == '}' || c == ']') && pending_comma != std::string::npos) out[pending_comma] = ' ';
                pending_comma = c == ',' ? i : std::string::npos;
                if (c == '"') state = string;
                break;
        }
    }
    return out;
}

WranglerConfig read_json(const fs::path& file) {
    nlohmann::json root;
    const std::string text = read_file(file);
    try {
        root = nlohmann::json::parse(without_trailing_commas(text), nullptr, true, /*ignore_comments=*/true);
    } catch (const nlohmann::json::parse_error& e) {
        // "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error ..."
        // as file:line:col and what is wrong.
        std::string what = e.what();
        if (auto colon = what.find(": "); what.rfind("[json.exception", 0) == 0 && colon != std::string::npos)
            what = what.substr(colon + 2);
        const auto pos = LineIndex(text).position(file.string(), e.byte > 0 ? e.byte - 1 : 0);
        throw InputError(fmt::format("{}:{}:{}: {}", file.string(), pos.line, pos.col, what));
    }
    WranglerConfig c;
    c.top = entries_in(root);
    if (root.is_object() && root.contains("env") && root["env"].is_object())
        for (const auto& [name, env] : root["env"].items())
            if (env.is_object())
                c.envs[name] = env.contains("d1_databases") ? std::optional(entries_in(env)) : std::nullopt;
    return c;
}

// The entries `wrangler --env ENV` sees: [env.ENV]'s, or the top level's when
// no environment is asked for (or the file has none, where wrangler only warns).
std::vector<D1Entry> entries_for(const WranglerConfig& c, const fs::path& file, const std::string& env) {
    std::string names;
    for (const auto& [name, _] : c.envs) names += (names.empty() ? "" : ", ") + name;
    if (env.empty() || c.envs.empty()) {
        if (env.empty() && c.top.empty()) {
            std::string with;
            for (const auto& [name, entries] : c.envs)
                if (entries && !entries->empty()) with += (with.empty() ? "" : ", ") + name;
            if (!with.empty())
                throw InputError(fmt::format("{} declares D1 databases only in its environments ({}): pick one with "
                                             "--env NAME (or SCHEMA_ENV), as wrangler needs --env for them",
                                             file.string(), with));
        }
        return c.top;
    }
    auto it = c.envs.find(env);
    if (it == c.envs.end())
        throw InputError(fmt::format("{}: no environment \"{}\" (it has: {})", file.string(), env, names));
    if (!it->second)
        throw InputError(fmt::format("{}: [env.{}] declares no d1_databases, and an environment does not inherit "
                                     "the top level's: declare them under [env.{}] as wrangler needs",
                                     file.string(), env, env));
    return *it->second;
}

// The local database files of `wrangler --local` (miniflare's D1 objects).
std::vector<fs::path> local_d1_files(const fs::path& dir) {
    std::vector<fs::path> out;
    fs::path state = dir / ".wrangler" / "state" / "v3" / "d1" / "miniflare-D1DatabaseObject";
    std::error_code ec;
    if (!fs::is_directory(state, ec)) return out;
    for (const auto& e : fs::directory_iterator(state, ec))
        if (e.path().extension() == ".sqlite" && e.path().filename() != "metadata.sqlite") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

// The entry `wrangler d1 migrations apply NAME` works on: the first, in the
// file's order, whose database_name or binding is NAME exactly (wrangler's
// getDatabaseInfoFromConfig). A later entry of the same name is never read.
const D1Entry* first_entry_named(const std::vector<D1Entry>& entries, const std::string& name) {
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const D1Entry& e) { return e.database_name == name || e.binding == name; });
    return it == entries.end() ? nullptr : &*it;
}

}  // namespace

void apply_wrangler_config(Project& p, const fs::path& dir, const std::string& binding, bool migrations_dir_given,
                           const std::string& env) {
    fs::path file;
    for (const char* name : {"wrangler.json", "wrangler.jsonc", "wrangler.toml"})
        if (is_present(dir / name)) {
            file = dir / name;
            break;
        }
    std::vector<D1Entry> entries;
    if (!file.empty())
        entries = entries_for(file.extension() == ".toml" ? read_toml(file) : read_json(file), file, env);

    const D1Entry* entry = nullptr;
    if (!binding.empty()) {
        entry = first_entry_named(entries, binding);
        if (!entry)
            throw InputError(fmt::format("{}: no [[d1_databases]] entry with binding or database_name \"{}\"",
                                         file.empty() ? (dir / "wrangler.toml").string() : file.string(), binding));
    } else if (entries.size() == 1) {
        entry = &entries.front();
    } else if (entries.size() > 1 && !migrations_dir_given) {
        std::string names;
        for (const auto& e : entries) names += (names.empty() ? "" : ", ") + e.database_name;
        throw InputError(fmt::format("{} declares {} D1 databases ({}): name one with d1_database = \"NAME\" in "
                                     "schema.toml, or pass --dir DIR",
                                     file.string(), entries.size(), names));
    }
    if (!migrations_dir_given)
        p.migrations_dir = (dir / (entry && !entry->migrations_dir.empty() ? entry->migrations_dir : "migrations"))
                               .lexically_normal();
    if (entry && !entry->migrations_table.empty()) p.wrangler_table = entry->migrations_table;
    if (entry) p.d1_name = entry->database_name.empty() ? entry->binding : entry->database_name;

    // Backups stay out of wrangler's state directory (and its listing of databases).
    if (p.backup_dir.empty()) p.backup_dir = (dir / ".wrangler" / "schema-backups").lexically_normal();

    // wrangler names its local files after a hash of the database's id, which
    // we do not reproduce: a file is picked only when it cannot be another's.
    if (p.db.empty()) {
        auto files = local_d1_files(dir);
        if (files.size() == 1 && entries.size() <= 1) {
            p.db = files.front();
            p.d1_local_file = true;
        } else if (files.empty()) {
            p.d1_no_local_yet = true;
            p.no_db_reason = "no local D1 database under .wrangler/state yet: `wrangler d1 migrations apply NAME "
                             "--local` creates it; or pass --db FILE";
        } else {
            std::string list;
            for (const auto& f : files) list += "\n  " + f.string();
            p.no_db_reason = fmt::format("{} declares {} D1 databases and .wrangler/state holds {} local files; "
                                         "which is which cannot be told from their names: pass --db FILE (or db = "
                                         "... in schema.toml):{}",
                                         file.string(), entries.size(), files.size(), list);
        }
    }
}

}  // namespace schema::cli

#include "config.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <limits>
#include <set>
#include <toml++/toml.h>

#include "schema/files.hpp"

namespace schema::cli {

ConfigError::ConfigError(const fs::path& file, const std::string& key, const std::string& message, int line,
                         int column)
    : std::runtime_error(fmt::format("{}{}{}: {}{}", file.string(), line > 0 ? fmt::format(":{}", line) : "",
                                     line > 0 && column > 0 ? fmt::format(":{}", column) : "",
                                     key.empty() ? "" : key + ": ", message)),
      file_(file),
      line_(line),
      column_(column),
      problem_((key.empty() ? "" : key + ": ") + message) {}

const std::vector<std::string>& config_keys() {
    static const std::vector<std::string> keys = {"db",         "schema",       "migrations",      "tracking_table",
                                                  "backups",    "backup_dir",   "keep_backups",    "busy_timeout_ms",
                                                  "dialect",    "d1_database"};
    return keys;
}

namespace {

bool is_config_key(const std::string& key) {
    for (const auto& k : config_keys())
        if (k == key) return true;
    return false;
}

// One key's value as read from the file or from the environment, before it is
// checked: where it came from decides how errors name it.
struct Setting {
    std::string key;  // db, keep_backups, ...
    std::optional<std::string> text;
    std::optional<std::int64_t> number;
    std::optional<bool> flag;
};

// Sets one key of `p`; `fail(message)` throws the error that names the source.
template <typename Fail>
void set_key(Project& p, const Setting& s, const fs::path& base, Fail fail) {
    auto text = [&] {
        if (!s.text || s.text->empty()) fail("expected a non-empty string");
        return *s.text;
    };
    auto path = [&] { return (base / text()).lexically_normal(); };
    if (s.key == "db") p.db = path();
    else if (s.key == "schema") p.schema_dir = path();
    else if (s.key == "migrations") {
        p.migrations_dir = path();
        p.migrations_dir_explicit = true;
    } else if (s.key == "dialect") {
        auto d = parse_dialect(text());
        if (!d) fail("expected \"sqlite\" or \"d1\"");
        p.dialect = *d;
    } else if (s.key == "d1_database") p.d1_database = text();
    else if (s.key == "backup_dir") p.backup_dir = path();
    else if (s.key == "tracking_table") p.tracking_table = text();
    else if (s.key == "backups") {
        if (!s.flag) fail("expected true or false");
        p.backups = *s.flag;
    } else {
        // A count or a number of milliseconds: what an int holds, as for the flags.
        if (!s.number || *s.number < 0 || *s.number > std::numeric_limits<int>::max())
            fail(fmt::format("expected a whole number from 0 to {}", std::numeric_limits<int>::max()));
        (s.key == "keep_backups" ? p.keep_backups : p.busy_timeout_ms) = int(*s.number);
    }
}

[[noreturn]] void fail_at(const fs::path& file, const std::string& key, const std::string& message,
                          const toml::source_region& src) {
    throw ConfigError(file, key, message, src.begin ? int(src.begin.line) : 0, src.begin ? int(src.begin.column) : 0);
}

[[noreturn]] void fail_at(const fs::path& file, const std::string& key, const std::string& message,
                          const toml::node& at) {
    fail_at(file, key, message, at.source());
}

// Applies the keys of `table` to `p`; `prefix` names the table in messages.
void apply_keys(const fs::path& file, const toml::table& table, const std::string& prefix, Project& p,
                bool top_level) {
    const fs::path base = file.parent_path();
    for (const auto& [k, node] : table) {
        const std::string key(k.str());
        const std::string full = prefix.empty() ? key : prefix + "." + key;
        if (top_level && (key == "databases" || key == "env")) continue;
        if (!is_config_key(key))
            fail_at(file, full,
                    "unknown key; expected db, schema, migrations, tracking_table, backups, backup_dir, "
                    "keep_backups, busy_timeout_ms, dialect, d1_database" +
                        std::string(top_level ? ", [databases.NAME] or [env.NAME]" : ""),
                    k.source());
        Setting s{key, node.value_exact<std::string>(), node.value_exact<std::int64_t>(), node.value_exact<bool>()};
        set_key(p, s, base, [&](const std::string& message) { fail_at(file, full, message, node); });
    }
}

// The table [env.NAME] of the file, or null when no environment is asked for or
// the file declares none.
const toml::table* environment_table(const fs::path& file, const toml::table& root, const std::string& env) {
    const toml::node* envs = root.get("env");
    if (!envs) return nullptr;
    if (!envs->is_table()) fail_at(file, "env", "expected tables [env.NAME]", *envs);
    if (env.empty()) return nullptr;
    const toml::node* n = envs->as_table()->get(env);
    if (!n) {
        std::string names;
        for (const auto& [name, _] : *envs->as_table()) names += (names.empty() ? "" : ", ") + std::string(name.str());
        fail_at(file, "env", fmt::format("no environment [env.{}] (it has: {})", env, names), *envs);
    }
    if (!n->is_table()) fail_at(file, "env." + env, "expected a table [env." + env + "]", *n);
    for (const auto& [k, node] : *n->as_table())
        if (k.str() == "env") fail_at(file, "env." + env + ".env", "environments do not nest", node);
    return n->as_table();
}

// The [databases] table of `layer` (the file, or its [env.NAME]), if any.
const toml::table* databases_of(const fs::path& file, const toml::table& layer, const std::string& prefix) {
    const toml::node* dbs = layer.get("databases");
    if (!dbs) return nullptr;
    if (!dbs->is_table()) fail_at(file, prefix + "databases", "expected tables [" + prefix + "databases.NAME]", *dbs);
    return dbs->as_table();
}

}  // namespace

Config load_config(const fs::path& file, const std::string& env) {
    toml::table root;
    try {
        root = toml::parse(read_file(file), file.string());
    } catch (const toml::parse_error& e) {
        throw ConfigError(file, "", std::string(e.description()), int(e.source().begin.line),
                          int(e.source().begin.column));
    }
    // The file's keys, then its [env.NAME] over them: each layer's top-level keys
    // are defaults for every database, each layer's [databases.NAME] its own.
    const toml::table* over = environment_table(file, root, env);
    const std::string env_prefix = over ? "env." + env + "." : "";
    Config c;
    c.file = file;
    c.env = env;
    c.has_envs = root.contains("env");
    Project defaults;
    defaults.schema_dir = (file.parent_path() / "schema").lexically_normal();
    defaults.migrations_dir = (file.parent_path() / "generated").lexically_normal();
    apply_keys(file, root, "", defaults, true);
    if (over) apply_keys(file, *over, env_prefix.substr(0, env_prefix.size() - 1), defaults, true);
    auto anywhere = [&](const char* key) { return root.contains(key) || (over && over->contains(key)); };

    const toml::table* dbs = databases_of(file, root, "");
    const toml::table* env_dbs = over ? databases_of(file, *over, env_prefix) : nullptr;
    std::set<std::string> names;
    for (const toml::table* t : {dbs, env_dbs})
        if (t)
            for (const auto& [name, _] : *t) names.insert(std::string(name.str()));
    for (const auto& name : names) {
        Project p = defaults;
        p.name = name;
        if (!anywhere("schema")) p.schema_dir = defaults.schema_dir / p.name;
        if (!anywhere("migrations")) p.migrations_dir = defaults.migrations_dir / p.name;
        const toml::node* last = nullptr;
        std::string key;
        for (auto [layer, prefix] : {std::pair{dbs, std::string()}, std::pair{env_dbs, env_prefix}}) {
            const toml::node* node = layer ? layer->get(name) : nullptr;
            if (!node) continue;
            key = prefix + "databases." + name;
            if (!node->is_table()) fail_at(file, key, "expected a table [" + key + "]", *node);
            apply_keys(file, *node->as_table(), key, p, false);
            last = node;
        }
        // D1's local database is found under .wrangler/state (see apply_wrangler_config).
        if (p.db.empty() && p.dialect != Dialect::d1) fail_at(file, key, "has no db (the database file)", *last);
        c.databases.push_back(std::move(p));
    }
    if (dbs && names.empty()) fail_at(file, "databases", "names no database", *root.get("databases"));
    if (!dbs && env_dbs && names.empty())
        fail_at(file, env_prefix + "databases", "names no database", *over->get("databases"));
    if (!dbs && !env_dbs) c.databases.push_back(defaults);
    return c;
}

std::optional<fs::path> find_config(const fs::path& start) {
    std::error_code ec;
    fs::path dir = fs::absolute(start, ec);
    if (ec) return std::nullopt;
    const fs::path cwd = dir;
    for (;;) {
        fs::path candidate = dir / "schema.toml";
        if (fs::symlink_status(candidate, ec).type() != fs::file_type::not_found)
            // Lexically: a linked schema.toml keeps its own folder as the base of its paths.
            return dir == cwd ? fs::path("schema.toml") : candidate.lexically_relative(cwd);
        if (fs::exists(dir / ".git", ec) || !dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
        dir = dir.parent_path();
    }
}

void apply_environment(Project& p) {
    for (const auto& key : config_keys()) {
        std::string var = "SCHEMA_";
        for (char ch : key) var += char(std::toupper(static_cast<unsigned char>(ch)));
        const char* value = std::getenv(var.c_str());
        if (!value || !*value) continue;  // set but empty reads as unset, as `SCHEMA_DB= schema ...` means
        const std::string text = value;
        Setting s{key, text, std::nullopt, std::nullopt};
        if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos && text.size() < 19)
            s.number = std::stoll(text);
        if (text == "true" || text == "1") s.flag = true;
        if (text == "false" || text == "0") s.flag = false;
        set_key(p, s, fs::path(), [&](const std::string& message) {
            throw InputError(fmt::format("environment variable {}={}: {}", var, text, message));
        });
    }
}

}  // namespace schema::cli

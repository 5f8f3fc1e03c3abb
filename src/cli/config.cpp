#include "config.hpp"

#include <fmt/format.h>

#include <limits>
#include <set>
#include <toml++/toml.h>

#include "schema/files.hpp"

namespace schema::cli {

ConfigError::ConfigError(const fs::path& file, const std::string& key, const std::string& message)
    : std::runtime_error(key.empty() ? fmt::format("{}: {}", file.string(), message)
                                     : fmt::format("{}: {}: {}", file.string(), key, message)) {}

namespace {

const std::set<std::string> kKeys = {"db",         "schema",       "migrations",      "tracking_table",
                                     "backups",    "backup_dir",   "keep_backups",    "busy_timeout_ms",
                                     "dialect",    "d1_database"};

std::string where(const toml::node& n) {
    const auto& s = n.source();
    return s.begin ? fmt::format(" (line {})", s.begin.line) : "";
}

// A count or a number of milliseconds: what an int holds, as for the flags.
int whole_number(const fs::path& file, const std::string& key, const toml::node& node) {
    auto v = node.value_exact<std::int64_t>();
    if (!v || *v < 0 || *v > std::numeric_limits<int>::max())
        throw ConfigError(file, key,
                          fmt::format("expected a whole number from 0 to {}{}", std::numeric_limits<int>::max(),
                                      where(node)));
    return int(*v);
}

// Applies the keys of `table` to `p`; `prefix` names the table in messages.
void apply_keys(const fs::path& file, const toml::table& table, const std::string& prefix, Project& p,
                bool allow_databases) {
    const fs::path base = file.parent_path();
    for (const auto& [k, node] : table) {
        const std::string key(k.str());
        const std::string full = prefix.empty() ? key : prefix + "." + key;
        if (key == "databases" && allow_databases) continue;
        if (!kKeys.count(key))
            throw ConfigError(file, full, "unknown key" + where(node) +
                                              "; expected db, schema, migrations, tracking_table, backups, "
                                              "backup_dir, keep_backups, busy_timeout_ms, dialect, d1_database or "
                                              "[databases.NAME]");
        auto text = [&] {
            auto v = node.value<std::string>();
            if (!v || v->empty()) throw ConfigError(file, full, "expected a non-empty string" + where(node));
            return *v;
        };
        auto path = [&] { return (base / text()).lexically_normal(); };
        if (key == "db") p.db = path();
        else if (key == "schema") p.schema_dir = path();
        else if (key == "migrations") {
            p.migrations_dir = path();
            p.migrations_dir_explicit = true;
        } else if (key == "dialect") {
            auto d = parse_dialect(text());
            if (!d) throw ConfigError(file, full, "expected \"sqlite\" or \"d1\"" + where(node));
            p.dialect = *d;
        } else if (key == "d1_database") p.d1_database = text();
        else if (key == "backup_dir") p.backup_dir = path();
        else if (key == "tracking_table") p.tracking_table = text();
        else if (key == "backups") {
            auto v = node.value<bool>();
            if (!v) throw ConfigError(file, full, "expected true or false" + where(node));
            p.backups = *v;
        } else {
            (key == "keep_backups" ? p.keep_backups : p.busy_timeout_ms) = whole_number(file, full, node);
        }
    }
}

}  // namespace

Config load_config(const fs::path& file) {
    toml::table root;
    try {
        root = toml::parse(read_file(file), file.string());
    } catch (const toml::parse_error& e) {
        throw ConfigError(file, "",
                          fmt::format("line {}, column {}: {}", e.source().begin.line, e.source().begin.column,
                                      std::string(e.description())));
    }
    Config c;
    c.file = file;
    Project defaults;
    defaults.schema_dir = (file.parent_path() / "schema").lexically_normal();
    defaults.migrations_dir = (file.parent_path() / "generated").lexically_normal();
    apply_keys(file, root, "", defaults, true);

    if (auto dbs = root["databases"]) {
        const toml::table* t = dbs.as_table();
        if (!t) throw ConfigError(file, "databases", "expected tables [databases.NAME]");
        for (const auto& [name, node] : *t) {
            const toml::table* entry = node.as_table();
            const std::string key = "databases." + std::string(name.str());
            if (!entry) throw ConfigError(file, key, "expected a table [" + key + "]" + where(node));
            Project p = defaults;
            p.name = std::string(name.str());
            if (!root.contains("schema")) p.schema_dir = defaults.schema_dir / p.name;
            if (!root.contains("migrations")) p.migrations_dir = defaults.migrations_dir / p.name;
            apply_keys(file, *entry, key, p, false);
            // D1's local database is found under .wrangler/state (see apply_wrangler_config).
            if (p.db.empty() && p.dialect != Dialect::d1) throw ConfigError(file, key, "has no db (the database file)");
            c.databases.push_back(std::move(p));
        }
        if (c.databases.empty()) throw ConfigError(file, "databases", "names no database");
    } else {
        if (defaults.db.empty() && defaults.dialect != Dialect::d1)
            throw ConfigError(file, "db", "missing: name the database file (db = \"app.db\")");
        c.databases.push_back(defaults);
    }
    return c;
}

}  // namespace schema::cli

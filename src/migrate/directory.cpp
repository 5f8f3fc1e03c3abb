// Migration directories in the layouts our users already have (../seeds):
// ours (NNNN_name.sql + rollback/NNNN_name.sql), NNNN_name.sql beside
// NNNN_name.rollback.sql, and Flyway's VNNN__name/{up,down}.sql. Three- or
// four-digit numbers alike.
#include <boost/spirit/home/x3.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "schema/dialect.hpp"
#include "schema/migrate.hpp"
#include "schema/write.hpp"

namespace schema::migrate {

namespace {

namespace x3 = boost::spirit::x3;

std::string read_all(const fs::path& p) {
    // Plain read(2): status reads thousands of small files.
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot read " + p.string());
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            ::close(fd);
            throw std::runtime_error("cannot read " + p.string());
        }
        if (n == 0) break;
        out.append(buf, std::size_t(n));
    }
    ::close(fd);
    return out;
}

struct Entry {
    fs::path path;
    std::string name;
    bool directory;
};

std::vector<Entry> sorted_entries(const fs::path& dir) {
    std::vector<Entry> out;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(dir, ec))
        out.push_back({e.path(), e.path().filename().string(), e.is_directory(ec)});
    std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
    return out;
}

void load_sql(Migration& m, bool read_rollback) {
    m.up_sql = read_all(m.up_path);
    m.checksum = sha256_hex(m.up_sql);
    m.up_script = sqlite::split_script(m.up_sql);
    if (m.down_path && read_rollback) {
        m.down_sql = read_all(*m.down_path);
        m.down_checksum = sha256_hex(m.down_sql);
        m.down_script = sqlite::split_script(m.down_sql);
    }
}

// A file's version number; one too large for a version is the user's to fix.
std::int64_t parse_version(const std::string& digits, const fs::path& file) {
    std::int64_t version = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
    if (ec != std::errc() || end != digits.data() + digits.size())
        throw DirectoryError(fmt::format("{}: the migration number {} is too large (at most {}); renumber the file",
                                         file.string(), digits, kMaxVersion));
    return version;
}

// File names of the layouts: "0012_add_prefs.sql", "0012_add_prefs.rollback.sql",
// "V012__add_prefs". Each yields the digits and the name.
struct NameParts {
    std::string digits, name;
};

std::optional<NameParts> parse_name(const std::string& file, const char* prefix, const char* separator,
                                    const char* suffix) {
    NameParts parts;
    auto first = file.begin();
    auto const digits = x3::lit(prefix) >> x3::lexeme[+x3::char_("0-9")];
    if (!x3::parse(first, file.end(), digits, parts.digits)) return std::nullopt;
    if (!x3::parse(first, file.end(), x3::lit(separator))) return std::nullopt;
    std::string rest(first, file.end());
    std::string_view sfx(suffix);
    if (rest.size() <= sfx.size() || rest.compare(rest.size() - sfx.size(), sfx.size(), sfx) != 0) return std::nullopt;
    parts.name = rest.substr(0, rest.size() - sfx.size());
    return parts;
}

}  // namespace

const char* layout_name(Layout l) {
    switch (l) {
        case Layout::numbered: return "NNNN_name.sql + rollback/NNNN_name.sql";
        case Layout::sibling: return "NNNN_name.sql + NNNN_name.rollback.sql";
        case Layout::flyway: return "VNNN__name/up.sql + down.sql";
    }
    return "";
}

std::string Migration::label() const {
    if (up_path.filename() == "up.sql") return up_path.parent_path().filename().string();
    return up_path.stem().string();
}

Directory Directory::load(const fs::path& root, bool read_rollbacks) {
    Directory d;
    d.root = root;
    if (!fs::exists(root)) return d;
    auto entries = sorted_entries(root);
    std::set<std::string> names;
    bool has_flyway = false, has_sibling = false;
    for (const auto& e : entries) {
        names.insert(e.name);
        if (e.directory && parse_name(e.name, "V", "__", "")) has_flyway = true;
        if (!e.directory && parse_name(e.name, "", "_", ".rollback.sql")) has_sibling = true;
    }
    d.layout = has_flyway ? Layout::flyway : has_sibling ? Layout::sibling : Layout::numbered;
    std::set<std::string> rollbacks;
    if (d.layout == Layout::numbered && fs::is_directory(root / "rollback"))
        for (const auto& e : sorted_entries(root / "rollback")) {
            rollbacks.insert(e.name);
            if (!e.directory && e.path.extension() == ".sql" && !names.count(e.name))
                d.problems.push_back(e.path.string() + ": rollback without a forward migration");
        }

    std::map<std::int64_t, Migration> by_version;
    // One migration of any layout: its number and name, where its files are.
    auto add = [&](const NameParts& parts, fs::path up, std::optional<fs::path> down) {
        Migration m;
        m.version = parse_version(parts.digits, up);
        m.name = parts.name;
        m.up_path = std::move(up);
        m.down_path = std::move(down);
        d.digits = std::max<int>(3, int(parts.digits.size()));
        if (by_version.count(m.version)) {
            d.problems.push_back(fmt::format("version {} is used twice: {} and {}", m.version,
                                             by_version[m.version].up_path.string(), m.up_path.string()));
            return;
        }
        load_sql(m, read_rollbacks);
        by_version.emplace(m.version, std::move(m));
    };
    auto stray = [&](const Entry& e) { d.problems.push_back(e.path.string() + ": not in the layout " + layout_name(d.layout)); };

    for (const auto& e : entries) {
        if (d.layout == Layout::flyway) {
            if (!e.directory) {
                if (e.path.extension() == ".sql") stray(e);
                continue;
            }
            auto parts = parse_name(e.name, "V", "__", "");
            if (!parts) {
                stray(e);
                continue;
            }
            if (!fs::exists(e.path / "up.sql")) {
                d.problems.push_back(e.path.string() + ": has no up.sql");
                continue;
            }
            std::optional<fs::path> down;
            if (fs::exists(e.path / "down.sql")) down = e.path / "down.sql";
            add(*parts, e.path / "up.sql", down);
            continue;
        }
        if (e.directory) {
            if (e.name != "rollback" && e.name != "backups") d.problems.push_back(e.path.string() + ": unexpected directory");
            continue;
        }
        if (e.path.extension() != ".sql") continue;
        if (parse_name(e.name, "", "_", ".rollback.sql")) continue;  // read with its forward file
        auto parts = parse_name(e.name, "", "_", ".sql");
        if (!parts) {
            stray(e);
            continue;
        }
        std::optional<fs::path> down;
        if (d.layout == Layout::sibling) {
            std::string sibling = e.path.stem().string() + ".rollback.sql";
            if (names.count(sibling)) down = root / sibling;
        } else if (rollbacks.count(e.name)) {
            down = root / "rollback" / e.name;
        }
        add(*parts, e.path, down);
    }
    for (auto& [v, m] : by_version) d.migrations.push_back(std::move(m));
    return d;
}

std::int64_t Directory::next_version() const {
    if (migrations.empty()) return 1;
    const Migration& last = migrations.back();
    if (last.version == kMaxVersion)
        throw DirectoryError(fmt::format("{}: no migration number follows {}; renumber the migrations",
                                         last.up_path.string(), last.version));
    return last.version + 1;
}

const Migration* Directory::find(std::int64_t version) const {
    auto it = std::lower_bound(migrations.begin(), migrations.end(), version,
                               [](const Migration& m, std::int64_t v) { return m.version < v; });
    return it != migrations.end() && it->version == version ? &*it : nullptr;
}

std::pair<fs::path, fs::path> Directory::paths_for(std::int64_t version, const std::string& slug) const {
    std::string number = fmt::format("{:0{}}", version, digits);
    switch (layout) {
        case Layout::numbered:
            return {root / (number + "_" + slug + ".sql"), root / "rollback" / (number + "_" + slug + ".sql")};
        case Layout::sibling:
            return {root / (number + "_" + slug + ".sql"), root / (number + "_" + slug + ".rollback.sql")};
        case Layout::flyway:
            return {root / ("V" + number + "__" + slug) / "up.sql", root / ("V" + number + "__" + slug) / "down.sql"};
    }
    return {};
}

ForeignKeysMode foreign_keys_mode(std::string_view sql, const sqlite::Script& script) {
    ForeignKeysMode mode;
    mode.off = sql.find(kForeignKeysOffMarker) != std::string_view::npos;
    const auto& statements = script.statements;
    // The statements other than PRAGMA foreign_keys = v lie between these.
    std::size_t first_other = statements.size(), last_other = 0;
    std::vector<std::optional<bool>> sets(statements.size());
    for (std::size_t i = 0; i < statements.size(); ++i) {
        auto pragma = parse_pragma(statements[i].text(sql));
        if (pragma && pragma->name == "foreign_keys" && pragma->value) {
            sets[i] = pragma_boolean(*pragma->value);
            if (!sets[i]) mode.misplaced = &statements[i];  // not a value SQLite reads as on or off
            continue;
        }
        first_other = std::min(first_other, i);
        last_other = i;
    }
    for (std::size_t i = 0; i < statements.size(); ++i) {
        if (!sets[i]) continue;
        if (i < first_other) mode.off = !*sets[i];
        else if (i < last_other || !*sets[i]) mode.misplaced = mode.misplaced ? mode.misplaced : &statements[i];
    }
    return mode;
}

bool runs_with_foreign_keys_on(std::string_view sql, const sqlite::Script& script, Dialect dialect) {
    return dialect == Dialect::d1 || !foreign_keys_mode(sql, script).off;
}

std::vector<Drift> drift(const Directory& dir, const std::vector<Applied>& applied) {
    std::vector<Drift> out;
    for (const auto& a : applied) {
        const Migration* m = dir.find(a.version);
        if (!m) out.push_back({a.version, a.name, Drift::missing});
        else if (!a.file.empty() && a.file != m->up_path.filename().string())
            out.push_back({a.version, a.name, Drift::renamed});
        else if (!a.checksum.empty() && m->checksum != a.checksum) out.push_back({a.version, a.name, Drift::modified});
    }
    return out;
}

}  // namespace schema::migrate

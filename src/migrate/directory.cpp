// Migration directories in the layouts our users already have (../seeds):
// ours (NNNN_name.sql + rollback/NNNN_name.sql), NNNN_name.sql beside
// NNNN_name.rollback.sql, and Flyway's VNNN__name/{up,down}.sql. Three- or
// four-digit numbers alike.
#include <boost/spirit/home/x3.hpp>
#include <fmt/format.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <set>

#include "schema/diagnostic.hpp"
#include "schema/dialect.hpp"
#include "schema/expr.hpp"
#include "schema/files.hpp"
#include "schema/migrate.hpp"
#include "schema/write.hpp"

namespace schema::migrate {

namespace {

namespace x3 = boost::spirit::x3;

struct Entry {
    fs::path path;
    std::string name;
    bool directory;
};

// The entries of `dir`. A folder that cannot be listed is an error: read as
// empty, its migrations would look never written, and diff would write them again.
std::vector<Entry> sorted_entries(const fs::path& dir) {
    std::vector<Entry> out;
    try {
        for (auto& e : fs::directory_iterator(dir)) {
            std::error_code ec;  // a dangling link is no folder; reading it reports it
            out.push_back({e.path(), e.path().filename().string(), e.is_directory(ec)});
        }
    } catch (const fs::filesystem_error& e) {
        throw InputError(fmt::format("cannot read {}: {}", e.path1().string(), e.code().message()));
    }
    std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
    return out;
}

// A migration file's text, without the byte order mark SQLite would skip (so
// that what we read of a statement, e.g. a PRAGMA, is what SQLite runs), and the
// checksum of its bytes as they are on disk (as recorded before marks were skipped).
void read_migration_file(const fs::path& path, std::string& sql, std::string& checksum) {
    std::string bytes = read_file(path);
    checksum = sha256_hex(bytes);
    sql = without_utf8_bom(bytes);
}

void load_sql(Migration& m, bool read_rollback) {
    read_migration_file(m.up_path, m.up_sql, m.checksum);
    if (m.down_path && read_rollback) read_migration_file(*m.down_path, m.down_sql, m.down_checksum);
    m.read_statements();
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

// Names every file of the conflict and says how to renumber: the migration a
// database has not applied yet moves after the last one.
std::string conflict_message(const Directory& d, const VersionConflict& c) {
    std::string files;
    for (std::size_t i = 0; i < c.files.size(); ++i)
        files += (i == 0 ? "" : i + 1 == c.files.size() ? " and " : ", ") + c.files[i].string();
    return fmt::format("version {} is used by {} migrations: {} (two branches merged, each with its {:0{}}?). "
                       "After a merge, `schema rebase BASE` renumbers and regenerates this branch's migrations after "
                       "BASE's; or keep the number of the one a database has applied, and renumber the other after "
                       "the last migration, as {}, its rollback with it",
                       c.version, c.files.size(), files, c.version, d.digits,
                       d.paths_for(d.next_version(), "NAME").first.lexically_relative(d.root).string());
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

Migration migration_from_text(std::int64_t version, const std::string& name, std::string_view up,
                              std::optional<std::string_view> down) {
    Migration m;
    m.version = version;
    m.name = name;
    m.up_path = fmt::format("{:04}_{}.sql", version, name);
    m.checksum = sha256_hex(up);
    m.up_sql = std::string(without_utf8_bom(up));
    if (down) {
        m.down_path = fs::path("rollback") / m.up_path;
        m.down_checksum = sha256_hex(*down);
        m.down_sql = std::string(without_utf8_bom(*down));
    }
    m.read_statements();
    return m;
}

void Migration::read_statements() {
    up_script = sqlite::split_script(up_sql);
    up_shapes = sqlite::shapes_of(up_sql, up_script);
    down_script = sqlite::split_script(down_sql);
    down_shapes = sqlite::shapes_of(down_sql, down_script);
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
    if (d.layout == Layout::numbered && is_present(root / "rollback"))
        for (const auto& e : sorted_entries(root / "rollback")) {
            rollbacks.insert(e.name);
            if (!e.directory && e.path.extension() == ".sql" && !names.count(e.name))
                d.problems.push_back(e.path.string() + ": rollback without a forward migration");
        }

    std::map<std::int64_t, Migration> by_version;
    std::map<std::int64_t, std::vector<fs::path>> claimants;  // every forward file naming each version
    // One migration of any layout: its number and name, where its files are.
    auto add = [&](const NameParts& parts, fs::path up, std::optional<fs::path> down) {
        Migration m;
        m.version = parse_version(parts.digits, up);
        m.name = parts.name;
        m.up_path = std::move(up);
        m.down_path = std::move(down);
        d.digits = std::max<int>(3, int(parts.digits.size()));
        claimants[m.version].push_back(m.up_path);
        load_sql(m, read_rollbacks);
        if (by_version.count(m.version)) {
            d.shadowed.push_back(std::move(m));
            return;
        }
        by_version.emplace(m.version, std::move(m));
    };
    auto stray = [&](const Entry& e) { d.problems.push_back(e.path.string() + ": not in the layout " + layout_name(d.layout)); };
    // A migration of the other layouts, found among this one's files: a
    // problem, and a version conflict when its number is taken.
    auto other_layout = [&](const Entry& e, const NameParts& parts, fs::path up) {
        stray(e);
        const std::int64_t version = parse_version(parts.digits, up);
        claimants[version].push_back(std::move(up));
    };

    for (const auto& e : entries) {
        if (d.layout == Layout::flyway) {
            if (!e.directory) {
                if (e.path.extension() != ".sql") continue;
                if (auto parts = parse_name(e.name, "", "_", ".sql")) other_layout(e, *parts, e.path);
                else stray(e);
                continue;
            }
            auto parts = parse_name(e.name, "V", "__", "");
            if (!parts) {
                stray(e);
                continue;
            }
            if (!is_present(e.path / "up.sql")) {
                d.problems.push_back(e.path.string() + ": has no up.sql");
                continue;
            }
            std::optional<fs::path> down;
            if (is_present(e.path / "down.sql")) down = e.path / "down.sql";
            add(*parts, e.path / "up.sql", down);
            continue;
        }
        if (e.directory) {
            auto flyway = parse_name(e.name, "V", "__", "");
            if (flyway && fs::exists(e.path / "up.sql")) other_layout(e, *flyway, e.path / "up.sql");
            else if (e.name != "rollback" && e.name != "backups")
                d.problems.push_back(e.path.string() + ": unexpected directory");
            continue;
        }
        if (e.path.extension() != ".sql") continue;
        if (parse_name(e.name, "", "_", ".rollback.sql")) {  // read with its forward file
            std::string forward = e.name.substr(0, e.name.size() - std::string_view(".rollback.sql").size()) + ".sql";
            if (!names.count(forward)) d.problems.push_back(e.path.string() + ": rollback without a forward migration");
            continue;
        }
        auto parts = parse_name(e.name, "", "_", ".sql");
        if (!parts) {
            d.unnumbered.push_back(e.path);  // stray, or wrangler's: validate() says which
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
    for (auto& [v, files] : claimants)
        if (files.size() > 1) {
            d.conflicts.push_back({v, std::move(files)});
            d.problems.push_back(conflict_message(d, d.conflicts.back()));
        }
    return d;
}

void Directory::require_unique_versions() const {
    if (conflicts.empty()) return;
    std::string message;
    for (const auto& c : conflicts) message += (message.empty() ? "" : "\n") + conflict_message(*this, c);
    throw InputError(message + "\nNothing was run or read: until each version names one migration, which of "
                               "them a database has is a guess.");
}

VersionClaim::VersionClaim(const fs::path& root) {
    fs::create_directories(root);
    fd_ = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error(fmt::format("cannot open {}: {}", root.string(), std::strerror(errno)));
    int rc;
    while ((rc = ::flock(fd_, LOCK_EX)) != 0 && errno == EINTR) {
    }
    if (rc != 0) {
        std::string why = std::strerror(errno);
        ::close(fd_);
        throw std::runtime_error(fmt::format("cannot lock {} for a new migration: {}", root.string(), why));
    }
}

VersionClaim::~VersionClaim() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
}

std::optional<std::int64_t> version_of_file(const std::string& file_name) {
    auto parts = parse_name(file_name, "", "_", ".sql");
    if (!parts) return std::nullopt;
    return parse_version(parts->digits, file_name);
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

namespace {

// The marker `schema diff` writes is a line of its own in the file's header,
// before the first statement: the same text anywhere else (in a string literal,
// in a later comment) is user text and never switches keys off.
bool has_foreign_keys_off_marker(std::string_view sql, const sqlite::Script& script) {
    const std::size_t header_end = script.statements.empty() ? sql.size() : script.statements.front().offset;
    const std::string_view marker = kForeignKeysOffMarker;
    for (std::size_t at = sql.find(marker); at < header_end; at = sql.find(marker, at + 1))
        if (at == 0 || sql[at - 1] == '\n') return true;
    return false;
}

}  // namespace

ForeignKeysMode foreign_keys_mode(std::string_view sql, const sqlite::Script& script) {
    ForeignKeysMode mode;
    mode.off = has_foreign_keys_off_marker(sql, script);
    const auto& statements = script.statements;
    // The statements other than PRAGMA foreign_keys = v lie between these.
    std::size_t first_other = statements.size(), last_other = 0;
    std::vector<std::optional<bool>> sets(statements.size());
    for (std::size_t i = 0; i < statements.size(); ++i) {
        auto pragma = parse_pragma(statements[i].text(sql));
        if (pragma && pragma->name == "defer_foreign_keys" && pragma->value && pragma_boolean(*pragma->value) == true)
            mode.deferred = true;
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

bool runs_with_foreign_keys_on(const ForeignKeysMode& mode, Dialect dialect) {
    return dialect == Dialect::d1 || !mode.off;
}

bool runs_with_foreign_keys_on(std::string_view sql, const sqlite::Script& script, Dialect dialect) {
    return runs_with_foreign_keys_on(foreign_keys_mode(sql, script), dialect);
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

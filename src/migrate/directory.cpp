// Migration directories in the layouts our users already have (../seeds):
// ours (NNNN_name.sql + rollback/NNNN_name.sql), NNNN_name.sql beside
// NNNN_name.rollback.sql, and Flyway's VNNN__name/{up,down}.sql. Three- or
// four-digit numbers alike.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "schema/expr.hpp"
#include "schema/migrate.hpp"
#include "schema/write.hpp"

namespace schema::migrate {

namespace {

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<fs::path> sorted_entries(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

void load_sql(Migration& m) {
    m.up_sql = read_all(m.up_path);
    m.checksum = sha256_hex(m.up_sql);
    if (m.down_path) {
        m.down_sql = read_all(*m.down_path);
        m.down_checksum = sha256_hex(m.down_sql);
    }
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

Directory Directory::load(const fs::path& root) {
    Directory d;
    d.root = root;
    if (!fs::exists(root)) return d;
    static const std::regex numbered(R"(^(\d+)_(.+)\.sql$)");
    static const std::regex sibling_rollback(R"(^(\d+)_(.+)\.rollback\.sql$)");
    static const std::regex flyway(R"(^V(\d+)__(.+)$)");

    auto entries = sorted_entries(root);
    bool has_flyway = false, has_sibling = false;
    for (const auto& p : entries) {
        std::string f = p.filename().string();
        if (fs::is_directory(p) && std::regex_match(f, flyway)) has_flyway = true;
        if (std::regex_match(f, sibling_rollback)) has_sibling = true;
    }
    d.layout = has_flyway ? Layout::flyway : has_sibling ? Layout::sibling : Layout::numbered;

    std::map<std::int64_t, Migration> by_version;
    auto add = [&](Migration m, const std::string& digits) {
        d.digits = std::max<int>(3, int(digits.size()));
        if (by_version.count(m.version)) {
            d.problems.push_back(fmt::format("version {} is used twice: {} and {}", m.version,
                                             by_version[m.version].up_path.string(), m.up_path.string()));
            return;
        }
        by_version.emplace(m.version, std::move(m));
    };

    for (const auto& p : entries) {
        std::string f = p.filename().string();
        std::smatch mm;
        if (d.layout == Layout::flyway) {
            if (!fs::is_directory(p)) {
                if (p.extension() == ".sql")
                    d.problems.push_back(p.string() + ": not in the layout " + layout_name(d.layout));
                continue;
            }
            if (!std::regex_match(f, mm, flyway)) {
                d.problems.push_back(p.string() + ": not in the layout " + layout_name(d.layout));
                continue;
            }
            Migration m;
            m.version = std::stoll(mm[1]);
            m.name = mm[2];
            m.up_path = p / "up.sql";
            if (!fs::exists(m.up_path)) {
                d.problems.push_back(p.string() + ": has no up.sql");
                continue;
            }
            if (fs::exists(p / "down.sql")) m.down_path = p / "down.sql";
            load_sql(m);
            add(std::move(m), mm[1]);
            continue;
        }
        if (fs::is_directory(p)) {
            if (f != "rollback" && f != "backups")
                d.problems.push_back(p.string() + ": unexpected directory");
            continue;
        }
        if (p.extension() != ".sql") continue;
        if (std::regex_match(f, sibling_rollback)) continue;  // read with its forward file
        if (!std::regex_match(f, mm, numbered)) {
            d.problems.push_back(p.string() + ": not in the layout " + layout_name(d.layout));
            continue;
        }
        Migration m;
        m.version = std::stoll(mm[1]);
        m.name = mm[2];
        m.up_path = p;
        fs::path down = d.layout == Layout::sibling ? root / (p.stem().string() + ".rollback.sql")
                                                    : root / "rollback" / f;
        if (fs::exists(down)) m.down_path = down;
        load_sql(m);
        add(std::move(m), mm[1]);
    }
    if (d.layout == Layout::numbered && fs::is_directory(root / "rollback"))
        for (const auto& p : sorted_entries(root / "rollback"))
            if (p.extension() == ".sql" && !fs::exists(root / p.filename()))
                d.problems.push_back(p.string() + ": rollback without a forward migration");
    for (auto& [v, m] : by_version) d.migrations.push_back(std::move(m));
    return d;
}

std::int64_t Directory::next_version() const { return migrations.empty() ? 1 : migrations.back().version + 1; }

const Migration* Directory::find(std::int64_t version) const {
    for (const auto& m : migrations)
        if (m.version == version) return &m;
    return nullptr;
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

bool needs_foreign_keys_off(std::string_view sql) {
    if (sql.find(kForeignKeysOffMarker) != std::string_view::npos) return true;
    for (const auto& st : sqlite::split_script(sql)) {
        if (st.text.size() < 6) continue;
        try {
            auto toks = tokenize(st.text.substr(0, std::min<std::size_t>(st.text.size(), 80)));
            std::size_t i = 0;
            if (i >= toks.size() || !toks[i].is("pragma")) continue;
            ++i;
            if (i + 1 < toks.size() && toks[i + 1].is(".")) i += 2;
            if (i < toks.size() && toks[i].is("foreign_keys")) return true;
        } catch (const std::exception&) {
        }
    }
    return false;
}

std::vector<Drift> drift(const Directory& dir, const std::vector<Applied>& applied) {
    std::vector<Drift> out;
    for (const auto& a : applied) {
        const Migration* m = dir.find(a.version);
        if (!m) out.push_back({a.version, a.name, Drift::missing});
        else if (m->checksum != a.checksum) out.push_back({a.version, a.name, Drift::modified});
    }
    return out;
}

}  // namespace schema::migrate

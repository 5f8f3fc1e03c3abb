// The property test of the whole pipeline (issue 9, "find the next ones before a
// user does"): random schemas, random rows, random changes; each case runs the real
// CLI's `diff` and `apply`, in the sqlite dialect and in the D1 dialect (foreign keys
// on), then checks rows, rowids, AUTOINCREMENT counters, the schema, and that a
// rollback gives back the original.
//
// What "right" means comes from SQLite itself, not from `schema`: an oracle database
// is built from the declared DDL and filled with the old rows (INSERT ... SELECT by
// rowid or primary key). If SQLite refuses a row there, the change violates a
// constraint; if a value comes out different, the change converts data; a dropped
// table or column loses data. Such changes must be refused (exit 1, database
// byte-identical) unless --allow-data-loss is given; every other change must apply
// and leave exactly the oracle's rows.
//
// Environment: SCHEMA_PROPERTY_CASES (default 60), SCHEMA_PROPERTY_SEED (default
// 20261202), SCHEMA_PROPERTY_ALL=1 (also the generator features disabled below as
// known failures), SCHEMA_PROPERTY_DIALECTS=sqlite|d1|both (default both). On a
// failure the case is shrunk and printed with everything needed to reproduce it.
#include <doctest/doctest.h>

#include "support/support.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace property {

// ---------------------------------------------------------------------------
// Generator features. Each `false` below is a known failure class of issue 9 that
// another item is fixing; set it back to true once that fix has landed (or run with
// SCHEMA_PROPERTY_ALL=1 to see whether it still fails).
struct Features {
    bool newline_in_names = true;
    bool newline_in_literals = true;
    bool parenthesised_defaults = true;
    bool drop_referenced_table = true;
    bool add_rowid_alias = true;
    bool add_autoincrement = true;
    bool d1_mutual_references = true;
    bool converting_type_change = true;  // when false, a value-converting type change is tolerated
};

Features known_failures_disabled() {
    // Every class found so far is fixed and on: newlines in names and literals
    // (issue 9 item 1), parenthesised defaults (item 8), D1 tables that reference
    // each other (item 7), rowid aliases and AUTOINCREMENT added (item 3) and
    // removed (the counter stays for the rollback), type changes that convert
    // stored values (item 6: counted on the live rows, so exactly the rows this
    // oracle sees converting).
    return Features{};
}

Features features_from_env() {
    const char* all = std::getenv("SCHEMA_PROPERTY_ALL");
    if (all && std::string(all) == "1") return Features{};
    return known_failures_disabled();
}

// ---------------------------------------------------------------------------
// Random choices.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : gen_(seed) {}
    int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen_); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(gen_) < p; }
    template <class T>
    const T& pick(const std::vector<T>& v) {
        return v[static_cast<size_t>(between(0, static_cast<int>(v.size()) - 1))];
    }
    std::uint64_t next() { return gen_(); }

private:
    std::mt19937_64 gen_;
};

std::string quote_ident(const std::string& name) {
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string quote_text(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

std::string lower_ascii(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// ---------------------------------------------------------------------------
// The schema model the generator works on. Objects have stable ids so that a rename
// keeps their identity; expressions are templates whose `{#id}` stands for a column
// and `{@id}` for a table or view, rendered with the current names.
enum class Affinity { integer, text, real, numeric, blob };

struct Column {
    int id = 0;
    std::string name, type;
    Affinity affinity = Affinity::blob;
    bool not_null = false, unique = false, distinct_values = false;
    std::string default_sql, collate, check, generated;
    bool stored = false;
    std::optional<std::string> renamed_from;
};

struct ForeignKey {
    int column = 0, parent = 0;
    std::string on_delete;
    bool implicit_parent_column = false;
};

enum class PkKind { none, rowid_alias, single, composite };

struct Table {
    int id = 0;
    std::string name;
    std::vector<Column> columns;
    PkKind pk = PkKind::none;
    std::vector<int> pk_columns;
    bool autoincrement = false, without_rowid = false, strict = false;
    std::vector<ForeignKey> fks;
    std::optional<std::string> renamed_from;

    const Column* column(int cid) const {
        for (auto& c : columns)
            if (c.id == cid) return &c;
        return nullptr;
    }
    Column* column(int cid) {
        for (auto& c : columns)
            if (c.id == cid) return &c;
        return nullptr;
    }
    bool has_rowid() const { return !without_rowid; }
    // The rowid alias column, when there is one.
    const Column* alias() const {
        return pk == PkKind::rowid_alias && !without_rowid ? column(pk_columns.front()) : nullptr;
    }
};

struct Index {
    int id = 0, table = 0;
    std::string name;
    bool unique = false;
    std::vector<std::string> terms;  // templates
    std::string where;               // template, may be empty
    std::optional<std::string> renamed_from;
};

struct View {
    int id = 0;
    std::string name, select;  // template
};

struct Trigger {
    int id = 0, table = 0;
    std::string name, body;  // template: everything after `ON "table"`
};

struct Schema {
    std::vector<Table> tables;
    std::vector<Index> indexes;
    std::vector<View> views;
    std::vector<Trigger> triggers;

    const Table* table(int id) const {
        for (auto& t : tables)
            if (t.id == id) return &t;
        return nullptr;
    }
    Table* table(int id) {
        for (auto& t : tables)
            if (t.id == id) return &t;
        return nullptr;
    }
    const View* view(int id) const {
        for (auto& v : views)
            if (v.id == id) return &v;
        return nullptr;
    }
    // The table holding column `cid`.
    const Table* owner(int cid) const {
        for (auto& t : tables)
            if (t.column(cid)) return &t;
        return nullptr;
    }
    std::set<std::string> names() const {
        std::set<std::string> out;
        for (auto& t : tables) out.insert(lower_ascii(t.name));
        for (auto& i : indexes) out.insert(lower_ascii(i.name));
        for (auto& v : views) out.insert(lower_ascii(v.name));
        for (auto& g : triggers) out.insert(lower_ascii(g.name));
        return out;
    }
};

// Every id a template refers to.
std::vector<std::pair<char, int>> references(const std::string& tmpl) {
    std::vector<std::pair<char, int>> out;
    for (size_t i = 0; i + 2 < tmpl.size(); ++i) {
        if (tmpl[i] != '{' || (tmpl[i + 1] != '#' && tmpl[i + 1] != '@')) continue;
        size_t end = tmpl.find('}', i);
        out.emplace_back(tmpl[i + 1], std::stoi(tmpl.substr(i + 2, end - i - 2)));
        i = end;
    }
    return out;
}

std::string ref_column(int id) { return "{#" + std::to_string(id) + "}"; }
std::string ref_object(int id) { return "{@" + std::to_string(id) + "}"; }

// A template with its references replaced by the quoted current names.
std::string render_template(const Schema& s, const std::string& tmpl) {
    std::string out;
    for (size_t i = 0; i < tmpl.size(); ++i) {
        if (tmpl[i] == '{' && i + 1 < tmpl.size() && (tmpl[i + 1] == '#' || tmpl[i + 1] == '@')) {
            size_t end = tmpl.find('}', i);
            int id = std::stoi(tmpl.substr(i + 2, end - i - 2));
            std::string name = "?";
            if (tmpl[i + 1] == '#') {
                if (auto t = s.owner(id)) name = t->column(id)->name;
            } else if (auto t = s.table(id)) {
                name = t->name;
            } else if (auto v = s.view(id)) {
                name = v->name;
            }
            out += quote_ident(name);
            i = end;
        } else {
            out += tmpl[i];
        }
    }
    return out;
}

std::string rename_hint(const std::optional<std::string>& from) {
    return from ? " /* @renamed from=" + quote_ident(*from) + " */" : "";
}

std::string render_column(const Schema& s, const Table& t, const Column& c) {
    std::string out = quote_ident(c.name) + rename_hint(c.renamed_from);
    if (!c.type.empty()) out += " " + c.type;
    if (t.pk == PkKind::rowid_alias || t.pk == PkKind::single) {
        if (t.pk_columns.front() == c.id) {
            out += " PRIMARY KEY";
            if (t.autoincrement) out += " AUTOINCREMENT";
        }
    }
    if (c.not_null) out += " NOT NULL";
    if (!c.default_sql.empty()) out += " DEFAULT " + c.default_sql;
    if (!c.collate.empty()) out += " COLLATE " + c.collate;
    if (!c.check.empty()) out += " CHECK (" + render_template(s, c.check) + ")";
    if (c.unique) out += " UNIQUE";
    for (auto& fk : t.fks) {
        if (fk.column != c.id) continue;
        const Table* parent = s.table(fk.parent);
        out += " REFERENCES " + quote_ident(parent->name);
        if (!fk.implicit_parent_column) out += " (" + render_template(s, ref_column(parent->pk_columns.front())) + ")";
        if (!fk.on_delete.empty()) out += " ON DELETE " + fk.on_delete;
    }
    if (!c.generated.empty())
        out += " GENERATED ALWAYS AS (" + render_template(s, c.generated) + ")" + (c.stored ? " STORED" : " VIRTUAL");
    return out;
}

// Tables are laid out three ways (by id), with comments that hold quotes and
// semicolons, so that the text a migration creates each object with (its
// declared text, as SQLite stores it) is tested on more than one layout.
std::string render_table(const Schema& s, const Table& t) {
    const int layout = t.id % 3;
    const char* const open = layout == 1 ? "(" : " (\n";
    const char* const indent = layout == 1 ? "" : "  ";
    const char* const next = layout == 1 ? ", " : ",\n";
    std::string out = "CREATE TABLE " + quote_ident(t.name) + rename_hint(t.renamed_from) + open;
    for (size_t i = 0; i < t.columns.size(); ++i) {
        out += indent + render_column(s, t, t.columns[i]);
        if (i + 1 < t.columns.size() || t.pk == PkKind::composite) out += layout == 2 && i == 0 ? "," : next;
        if (layout == 2 && i == 0) out += " -- it's the first; \"really\"\n";
    }
    if (t.pk == PkKind::composite) {
        out += std::string(indent) + "PRIMARY KEY (";
        for (size_t i = 0; i < t.pk_columns.size(); ++i)
            out += (i ? ", " : "") + render_template(s, ref_column(t.pk_columns[i]));
        out += ")";
    }
    out += layout == 1 ? " /* end; 'of' columns */)" : "\n)";
    std::vector<std::string> options;
    if (t.without_rowid) options.push_back("WITHOUT ROWID");
    if (t.strict) options.push_back("STRICT");
    for (size_t i = 0; i < options.size(); ++i) out += (i ? ", " : " ") + options[i];
    // After the options SQLite keeps what comes before the ';'.
    if (!options.empty() && layout == 2) out += " -- options; kept\n";
    return out + ";\n";
}

std::string render_schema(const Schema& s) {
    std::string out;
    for (auto& t : s.tables) out += render_table(s, t);
    for (auto& i : s.indexes) {
        out += std::string("CREATE ") + (i.unique ? "UNIQUE " : "") + "INDEX " + quote_ident(i.name) +
               rename_hint(i.renamed_from) + " ON " + quote_ident(s.table(i.table)->name) + " (";
        for (size_t k = 0; k < i.terms.size(); ++k) out += (k ? ", " : "") + render_template(s, i.terms[k]);
        out += ")";
        if (!i.where.empty()) out += " WHERE " + render_template(s, i.where);
        out += ";\n";
    }
    for (auto& v : s.views) out += "CREATE VIEW " + quote_ident(v.name) + " AS " + render_template(s, v.select) + ";\n";
    for (auto& g : s.triggers)
        out += "CREATE TRIGGER " + quote_ident(g.name) + " " + render_template(s, g.body) + ";\n";
    return out;
}

// Removes whatever refers to an object that no longer exists (what a user has to do
// when dropping a column or table), until nothing is left dangling.
void drop_dangling(Schema& s) {
    auto exists = [&](char kind, int id) { return kind == '#' ? s.owner(id) != nullptr : (s.table(id) || s.view(id)); };
    auto all_exist = [&](const std::string& tmpl) {
        for (auto [kind, id] : references(tmpl))
            if (!exists(kind, id)) return false;
        return true;
    };
    for (bool changed = true; changed;) {
        changed = false;
        for (auto& t : s.tables) {
            auto n = t.columns.size();
            t.columns.erase(std::remove_if(t.columns.begin(), t.columns.end(),
                                           [&](const Column& c) { return !all_exist(c.generated); }),
                            t.columns.end());
            for (auto& c : t.columns)
                if (!all_exist(c.check)) c.check.clear();
            auto f = t.fks.size();
            t.fks.erase(std::remove_if(t.fks.begin(), t.fks.end(),
                                       [&](const ForeignKey& fk) {
                                           const Table* p = s.table(fk.parent);
                                           return !t.column(fk.column) || !p ||
                                                  (p->pk != PkKind::rowid_alias && p->pk != PkKind::single);
                                       }),
                        t.fks.end());
            changed |= n != t.columns.size() || f != t.fks.size();
        }
        auto i = s.indexes.size();
        s.indexes.erase(std::remove_if(s.indexes.begin(), s.indexes.end(),
                                       [&](const Index& x) {
                                           if (!s.table(x.table)) return true;
                                           for (auto& term : x.terms)
                                               if (!all_exist(term)) return true;
                                           return !all_exist(x.where);
                                       }),
                        s.indexes.end());
        auto v = s.views.size();
        s.views.erase(std::remove_if(s.views.begin(), s.views.end(), [&](const View& x) { return !all_exist(x.select); }),
                      s.views.end());
        auto g = s.triggers.size();
        s.triggers.erase(std::remove_if(s.triggers.begin(), s.triggers.end(),
                                        [&](const Trigger& x) { return !s.table(x.table) || !all_exist(x.body); }),
                         s.triggers.end());
        changed |= i != s.indexes.size() || v != s.views.size() || g != s.triggers.size();
    }
}

// ---------------------------------------------------------------------------
// Names and literals: quotes, spaces, unicode, keywords, comment markers.
class Generator {
public:
    Generator(Rng& rng, const Features& f, int& next_id) : rng_(rng), f_(f), next_id_(next_id) {}

    int id() { return next_id_++; }

    std::string name(const std::set<std::string>& taken, const std::string& base_hint = "") {
        static const std::vector<std::string> fragments = {
            "users", "order", "select", "group", "my table", "naïve", "日本語", "emoji😀", "it's", "a\"b",
            "x y", "semi;colon", "--dash", "slash/*star", "Key", "from", "where", "tab\tname", "values",
            "n", "index", "trigger", "view", "new_users", "ÄÖÜ", "end"};
        for (int attempt = 0;; ++attempt) {
            std::string n = base_hint.empty() ? rng_.pick(fragments) : base_hint;
            if (f_.newline_in_names && rng_.chance(0.05)) n += "\nline";
            if (attempt > 0 || rng_.chance(0.5)) n += "_" + std::to_string(rng_.between(1, 99));
            if (!taken.count(lower_ascii(n)) && lower_ascii(n) != "rowid" && n.rfind("sqlite_", 0) != 0) return n;
        }
    }

    std::string text_value() {
        static const std::vector<std::string> pieces = {
            "", "a", "O'Reilly", "\"dq\"", "ünïcödé", "日本", "😀", "--", "/*", "*/", ";", "NULL", "%_", " ", "tab\t"};
        std::string s;
        int n = rng_.between(0, 3);
        for (int i = 0; i < n; ++i) s += rng_.pick(pieces);
        if (f_.newline_in_literals && rng_.chance(0.2)) s += "\nDELETE FROM x; --";
        return s;
    }

    std::string text_literal() { return quote_text(text_value()); }

    std::string int_literal() {
        static const std::vector<std::string> edge = {"0", "1", "-1", "42", "9223372036854775807",
                                                      "(-9223372036854775807 - 1)", "7", "1000"};
        return rng_.chance(0.5) ? rng_.pick(edge) : std::to_string(rng_.between(-100000, 100000));
    }

    std::string real_literal() {
        static const std::vector<std::string> v = {"1.5", "-0.25", "1e300", "3.0", "0.1", "-2.5e-7"};
        return rng_.pick(v);
    }

    std::string blob_literal() {
        std::string out = "X'";
        int n = rng_.between(0, 4);
        static const char* hex = "0123456789ABCDEF";
        for (int i = 0; i < 2 * n; ++i) out += hex[rng_.between(0, 15)];
        return out + "'";
    }

    // A value a column of this affinity keeps as it is.
    std::string value(Affinity a) {
        switch (a) {
            case Affinity::integer: return int_literal();
            case Affinity::text: return text_literal();
            case Affinity::real: return real_literal();
            case Affinity::numeric: return rng_.chance(0.5) ? int_literal() : real_literal();
            case Affinity::blob: {
                int k = rng_.between(0, 3);
                return k == 0 ? int_literal() : k == 1 ? real_literal() : k == 2 ? text_literal() : blob_literal();
            }
        }
        return "NULL";
    }

    // A declared type and its affinity (STRICT tables: the six STRICT names).
    std::pair<std::string, Affinity> type(bool strict) {
        static const std::vector<std::pair<std::string, Affinity>> loose = {
            {"INTEGER", Affinity::integer}, {"INT", Affinity::integer},     {"BIGINT", Affinity::integer},
            {"TEXT", Affinity::text},       {"VARCHAR(20)", Affinity::text}, {"CLOB", Affinity::text},
            {"REAL", Affinity::real},       {"DOUBLE", Affinity::real},     {"NUMERIC", Affinity::numeric},
            {"DECIMAL(10,5)", Affinity::numeric}, {"BOOLEAN", Affinity::numeric}, {"BLOB", Affinity::blob},
            {"", Affinity::blob}};
        static const std::vector<std::pair<std::string, Affinity>> strict_types = {
            {"INTEGER", Affinity::integer}, {"INT", Affinity::integer}, {"TEXT", Affinity::text},
            {"REAL", Affinity::real},       {"BLOB", Affinity::blob},   {"ANY", Affinity::blob}};
        return rng_.pick(strict ? strict_types : loose);
    }

    std::string default_for(Affinity a, bool strict) {
        std::vector<std::string> v = {"NULL"};
        switch (a) {
            case Affinity::integer: v.insert(v.end(), {"0", "-1", "42", "TRUE"}); break;
            case Affinity::text: v.insert(v.end(), {"'it''s'", "'日本'", "''", "'--x'"}); break;
            case Affinity::real: v.insert(v.end(), {"1.5", "-0.5"}); break;
            default:
                if (strict) v.push_back("X'00FF'");
                else v.insert(v.end(), {"0", "'d'", "X'00FF'", "2.5"});
        }
        if (f_.parenthesised_defaults) {
            if (a == Affinity::integer || a == Affinity::numeric || (a == Affinity::blob && !strict))
                v.insert(v.end(), {"(1 + 1)", "(abs(-5))"});
            if (a == Affinity::text) v.push_back("('a' || 'b')");
        }
        if (f_.newline_in_literals && a == Affinity::text) v.push_back("'two\nlines'");
        return rng_.pick(v);
    }

    // A CHECK the generated values of this affinity satisfy.
    std::string valid_check(int cid) {
        static const std::vector<std::string> v = {"length(@) < 10000", "@ IS NOT 'forbidden value'",
                                                   "typeof(@) <> 'nothing'"};
        return with_column(rng_.pick(v), cid);
    }

    // A CHECK that existing rows may well violate.
    std::string risky_check(int cid) {
        static const std::vector<std::string> v = {"@ IS NULL", "length(@) < 3", "@ IS NOT NULL", "@ <> ''",
                                                   "length(@) < 10000"};
        return with_column(rng_.pick(v), cid);
    }

    static std::string with_column(std::string tmpl, int cid) {
        for (size_t p; (p = tmpl.find('@')) != std::string::npos;) tmpl.replace(p, 1, ref_column(cid));
        return tmpl;
    }

    Column column(const Table& t, bool allow_generated) {
        Column c;
        c.id = id();
        std::set<std::string> taken;
        for (auto& x : t.columns) taken.insert(lower_ascii(x.name));
        c.name = name(taken);
        std::tie(c.type, c.affinity) = type(t.strict);
        std::vector<int> bases;
        for (auto& x : t.columns)
            if (x.generated.empty()) bases.push_back(x.id);
        if (allow_generated && !bases.empty() && rng_.chance(0.15)) {
            int base = rng_.pick(bases);
            if (rng_.chance(0.5)) {
                c.type = "INTEGER", c.affinity = Affinity::integer;
                c.generated = "length(" + ref_column(base) + ")";
            } else {
                c.type = "TEXT", c.affinity = Affinity::text;
                c.generated = "'<' || coalesce(" + ref_column(base) + ", '') || '>'";
            }
            c.stored = rng_.chance(0.5);
            return c;
        }
        if (rng_.chance(0.2)) c.not_null = true;
        if (rng_.chance(0.3) || c.not_null) c.default_sql = default_for(c.affinity, t.strict);
        if (c.not_null && c.default_sql == "NULL")
            c.default_sql = c.affinity == Affinity::text ? "'x'" : t.strict && c.type == "BLOB" ? "X'00'" : "0";
        if (c.affinity == Affinity::text && rng_.chance(0.3)) c.collate = rng_.pick(std::vector<std::string>{"NOCASE", "RTRIM", "BINARY"});
        if (rng_.chance(0.2)) c.check = valid_check(c.id);
        if (rng_.chance(0.1)) c.unique = c.distinct_values = true;
        return c;
    }

    Table table(const Schema& s) {
        Table t;
        t.id = id();
        t.name = name(s.names());
        t.strict = rng_.chance(0.25);
        int kind = rng_.between(0, 3);
        if (kind == 1) {
            Column pk;
            pk.id = id();
            pk.name = name({});
            pk.type = "INTEGER", pk.affinity = Affinity::integer;
            t.pk = PkKind::rowid_alias;
            t.pk_columns = {pk.id};
            t.columns.push_back(pk);
            t.autoincrement = rng_.chance(0.4);
        } else if (kind == 2) {
            Column pk;
            pk.id = id();
            pk.name = name({});
            pk.type = "TEXT", pk.affinity = Affinity::text;
            pk.not_null = rng_.chance(0.5);
            if (rng_.chance(0.3)) pk.collate = "NOCASE";
            t.pk = PkKind::single;
            t.pk_columns = {pk.id};
            t.columns.push_back(pk);
            t.without_rowid = rng_.chance(0.4);
        }
        int n = rng_.between(1, 4);
        for (int i = 0; i < n; ++i) t.columns.push_back(column(t, true));
        if (kind == 3) {
            // a composite key over the first two plain columns
            std::vector<int> plain;
            for (auto& c : t.columns)
                if (c.generated.empty()) plain.push_back(c.id);
            if (plain.size() >= 2) {
                t.pk = PkKind::composite;
                t.pk_columns = {plain[0], plain[1]};
                for (int cid : t.pk_columns) {
                    auto* c = t.column(cid);
                    c->distinct_values = true;
                    c->not_null = true;
                    if (c->default_sql == "NULL") c->default_sql.clear();
                }
                t.without_rowid = rng_.chance(0.5);
            }
        }
        return t;
    }

    // A foreign key from a new column of `child` to `parent`'s single-column key.
    void add_fk(Table& child, const Table& parent) {
        Column c;
        c.id = id();
        std::set<std::string> taken;
        for (auto& x : child.columns) taken.insert(lower_ascii(x.name));
        c.name = name(taken, "ref");
        const Column* key = parent.column(parent.pk_columns.front());
        c.type = key->affinity == Affinity::integer ? "INTEGER" : "TEXT";
        c.affinity = key->affinity;
        child.columns.push_back(c);
        add_fk_on(child, c.id, parent);
    }

    void add_fk_on(Table& child, int cid, const Table& parent) {
        ForeignKey fk;
        fk.column = cid;
        fk.parent = parent.id;
        fk.on_delete = rng_.pick(std::vector<std::string>{"", "CASCADE", "SET NULL", "RESTRICT", "NO ACTION"});
        fk.implicit_parent_column = rng_.chance(0.3);
        child.fks.push_back(fk);
    }

    Index index(const Schema& s, const Table& t) {
        Index i;
        i.id = id();
        i.table = t.id;
        i.name = name(s.names());
        std::vector<const Column*> cols;
        for (auto& c : t.columns) cols.push_back(&c);
        const Column* a = rng_.pick(cols);
        if (rng_.chance(0.25)) i.terms.push_back("lower(" + ref_column(a->id) + ")");
        else i.terms.push_back(ref_column(a->id) + (rng_.chance(0.3) ? " COLLATE NOCASE" : "") + (rng_.chance(0.3) ? " DESC" : ""));
        if (rng_.chance(0.3)) i.where = ref_column(rng_.pick(cols)->id) + " IS NOT NULL";
        i.unique = rng_.chance(0.3);
        return i;
    }

    View view(const Schema& s) {
        View v;
        v.id = id();
        v.name = name(s.names());
        if (!s.views.empty() && rng_.chance(0.4)) {
            v.select = "SELECT * FROM " + ref_object(rng_.pick(s.views).id);
            return v;
        }
        const Table& t = rng_.pick(s.tables);
        std::string cols;
        int n = 0;
        for (auto& c : t.columns)
            if (rng_.chance(0.6) || (&c == &t.columns.back() && n == 0)) cols += std::string(n++ ? ", " : "") + ref_column(c.id);
        v.select = "SELECT " + cols + " FROM " + ref_object(t.id);
        if (rng_.chance(0.4)) v.select += " WHERE " + ref_column(t.columns.front().id) + " IS NOT NULL";
        return v;
    }

    Trigger trigger(const Schema& s, const Table& t) {
        Trigger g;
        g.id = id();
        g.table = t.id;
        g.name = name(s.names());
        const Column& c = rng_.pick(t.columns);
        if (rng_.chance(0.5))
            g.body = "BEFORE INSERT ON " + ref_object(t.id) + " WHEN NEW." + ref_column(c.id) +
                     " = 'never inserted' BEGIN SELECT RAISE(ABORT, 'refused'); END";
        else
            g.body = "AFTER UPDATE OF " + ref_column(c.id) + " ON " + ref_object(t.id) + " BEGIN UPDATE " +
                     ref_object(t.id) + " SET " + ref_column(c.id) + " = " + ref_column(c.id) + " WHERE 0; END";
        return g;
    }

    Schema schema() {
        Schema s;
        int n = rng_.between(1, 4);
        for (int i = 0; i < n; ++i) s.tables.push_back(table(s));
        add_foreign_keys(s);
        int k = rng_.between(0, 3);
        for (int i = 0; i < k; ++i) {
            const Table& t = rng_.pick(s.tables);
            Index ix = index(s, t);
            ix.unique = ix.unique && distinct_index(t, ix);
            s.indexes.push_back(ix);
        }
        int v = rng_.between(0, 2);
        for (int i = 0; i < v; ++i) s.views.push_back(view(s));
        int g = rng_.between(0, 2);
        for (int i = 0; i < g; ++i) s.triggers.push_back(trigger(s, rng_.pick(s.tables)));
        return s;
    }

    // Foreign keys between random tables: cycles and self-references included.
    void add_foreign_keys(Schema& s) {
        std::vector<int> parents;
        for (auto& t : s.tables)
            if (t.pk == PkKind::rowid_alias || t.pk == PkKind::single) parents.push_back(t.id);
        if (parents.empty()) return;
        for (auto& t : s.tables) {
            int n = rng_.between(0, 2);
            for (int i = 0; i < n; ++i) add_fk(t, *s.table(rng_.pick(parents)));
        }
    }

    // A unique index is generated only over columns whose values are distinct.
    static bool distinct_index(const Table& t, const Index& ix) {
        auto refs = references(ix.terms.front());
        const Column* c = t.column(refs.front().second);
        return c && c->distinct_values && ix.terms.front().find("lower(") == std::string::npos &&
               ix.terms.front().find("NOCASE") == std::string::npos;
    }

    Rng& rng() { return rng_; }
    const Features& features() const { return f_; }

private:
    Rng& rng_;
    const Features& f_;
    int& next_id_;
};

// ---------------------------------------------------------------------------
// Changes: each a record of what to do (chosen at random), applied deterministically,
// so that the shrinker can leave any of them out.
enum class ChangeKind {
    add_column, drop_column, rename_column, change_type, toggle_not_null, change_default, change_check,
    change_collate, toggle_unique, add_table, drop_table, rename_table, add_index, drop_index, rename_index,
    change_fk, toggle_without_rowid, toggle_strict, toggle_autoincrement, add_view, drop_view, add_trigger,
    drop_trigger, add_rowid_alias
};

struct Change {
    ChangeKind kind{};
    int table = -1, target = -1;
    std::string text;
    Affinity affinity = Affinity::blob;
    Column column;
    Table new_table;
    Index index;
    View view;
    Trigger trigger;
    std::string describe() const;
};

const char* kind_name(ChangeKind k) {
    static const char* names[] = {
        "add column", "drop column", "rename column", "change type", "toggle NOT NULL", "change default",
        "change check", "change collate", "toggle UNIQUE", "add table", "drop table", "rename table", "add index",
        "drop index", "rename index", "change foreign key", "toggle WITHOUT ROWID", "toggle STRICT",
        "toggle AUTOINCREMENT", "add view", "drop view", "add trigger", "drop trigger", "add INTEGER PRIMARY KEY"};
    return names[static_cast<int>(k)];
}

std::string Change::describe() const { return std::string(kind_name(kind)) + (text.empty() ? "" : ": " + text); }

bool strict_type(const std::string& type) {
    static const std::set<std::string> ok = {"INTEGER", "INT", "TEXT", "REAL", "BLOB", "ANY"};
    return ok.count(type) > 0;
}

std::string strict_name(Affinity a) {
    switch (a) {
        case Affinity::integer: return "INTEGER";
        case Affinity::text: return "TEXT";
        case Affinity::real: return "REAL";
        default: return "ANY";
    }
}

bool is_fk_column(const Schema& s, int cid) {
    for (auto& t : s.tables)
        for (auto& fk : t.fks)
            if (fk.column == cid || s.table(fk.parent)->pk_columns.front() == cid) return true;
    return false;
}

bool is_pk_column(const Table& t, int cid) {
    return std::find(t.pk_columns.begin(), t.pk_columns.end(), cid) != t.pk_columns.end();
}

// Picks a random change that makes sense for `s`. Objects with an id from
// `first_new` on were added by an earlier change of the case: the live database
// does not have them, so a rename hint could not name them.
Change random_change(const Schema& s, Generator& g, int first_new) {
    Rng& rng = g.rng();
    const Features& f = g.features();
    for (;;) {
        Change c;
        c.kind = static_cast<ChangeKind>(rng.between(0, static_cast<int>(ChangeKind::add_rowid_alias)));
        if (s.tables.empty() && c.kind != ChangeKind::add_table) continue;
        const Table& t = s.tables.empty() ? Table{} : rng.pick(s.tables);
        c.table = t.id;
        const Column* col = t.columns.empty() ? nullptr : &rng.pick(t.columns);
        if (col) c.target = col->id;
        bool plain = col && col->generated.empty() && !is_pk_column(t, col->id);
        switch (c.kind) {
            case ChangeKind::add_column: {
                Table probe = t;
                c.column = g.column(probe, true);
                if (!c.column.generated.empty() && c.column.stored && rng.chance(0.5)) c.column.stored = false;
                c.text = c.column.name;
                return c;
            }
            case ChangeKind::drop_column:
                if (!plain || t.columns.size() < 2) continue;
                c.text = col->name;
                return c;
            case ChangeKind::rename_column: {
                if (!col || col->id >= first_new || t.id >= first_new || col->name.find("*/") != std::string::npos)
                    continue;
                std::set<std::string> taken;
                for (auto& x : t.columns) taken.insert(lower_ascii(x.name));
                c.text = g.name(taken);
                return c;
            }
            case ChangeKind::change_type: {
                if (!plain || is_fk_column(s, col->id)) continue;
                auto [type, affinity] = g.type(t.strict);
                c.text = type;
                c.affinity = affinity;
                return c;
            }
            case ChangeKind::toggle_not_null:
            case ChangeKind::toggle_unique:
                if (!plain) continue;
                return c;
            case ChangeKind::change_default:
                if (!plain) continue;
                c.text = rng.chance(0.2) ? "" : g.default_for(col->affinity, t.strict);
                return c;
            case ChangeKind::change_check:
                if (!plain) continue;
                c.text = rng.chance(0.2) ? "" : g.risky_check(col->id);
                return c;
            case ChangeKind::change_collate:
                if (!plain || col->affinity != Affinity::text) continue;
                c.text = rng.pick(std::vector<std::string>{"", "NOCASE", "RTRIM", "BINARY"});
                return c;
            case ChangeKind::add_table: {
                c.new_table = g.table(s);
                std::vector<int> parents;
                for (auto& p : s.tables)
                    if (p.pk == PkKind::rowid_alias || p.pk == PkKind::single) parents.push_back(p.id);
                if (!parents.empty() && rng.chance(0.5)) g.add_fk(c.new_table, *s.table(rng.pick(parents)));
                c.text = c.new_table.name;
                return c;
            }
            case ChangeKind::drop_table: {
                if (!f.drop_referenced_table) {
                    bool referenced = false;
                    for (auto& o : s.tables)
                        for (auto& fk : o.fks) referenced |= fk.parent == t.id && o.id != t.id;
                    if (referenced) continue;
                }
                c.text = t.name;
                return c;
            }
            case ChangeKind::rename_table:
                if (t.id >= first_new || t.name.find("*/") != std::string::npos) continue;
                c.text = g.name(s.names());
                return c;
            case ChangeKind::add_index:
                c.index = g.index(s, t);
                c.text = c.index.name;
                return c;
            case ChangeKind::drop_index:
            case ChangeKind::rename_index: {
                if (s.indexes.empty()) continue;
                const Index& ix = rng.pick(s.indexes);
                if (c.kind == ChangeKind::rename_index && (ix.id >= first_new || ix.name.find("*/") != std::string::npos))
                    continue;
                c.target = ix.id;
                c.text = c.kind == ChangeKind::rename_index ? g.name(s.names()) : ix.name;
                return c;
            }
            case ChangeKind::change_fk: {
                if (!plain) continue;
                std::vector<int> parents;
                for (auto& p : s.tables)
                    if ((p.pk == PkKind::rowid_alias || p.pk == PkKind::single) &&
                        p.column(p.pk_columns.front())->affinity == col->affinity)
                        parents.push_back(p.id);
                c.table = t.id;
                c.index.table = parents.empty() || rng.chance(0.3) ? -1 : rng.pick(parents);
                c.text = rng.pick(std::vector<std::string>{"", "CASCADE", "SET NULL", "RESTRICT"});
                return c;
            }
            case ChangeKind::toggle_without_rowid:
                if (t.pk == PkKind::none || t.autoincrement) continue;
                return c;
            case ChangeKind::toggle_strict:
                return c;
            case ChangeKind::toggle_autoincrement:
                if (t.pk != PkKind::rowid_alias || t.without_rowid || !f.add_autoincrement) continue;  // either way: the rollback adds it
                return c;
            case ChangeKind::add_view:
                c.view = g.view(s);
                c.text = c.view.name;
                return c;
            case ChangeKind::drop_view:
                if (s.views.empty()) continue;
                c.target = rng.pick(s.views).id;
                return c;
            case ChangeKind::add_trigger:
                c.trigger = g.trigger(s, t);
                c.text = c.trigger.name;
                return c;
            case ChangeKind::drop_trigger:
                if (s.triggers.empty()) continue;
                c.target = rng.pick(s.triggers).id;
                return c;
            case ChangeKind::add_rowid_alias: {
                if (!f.add_rowid_alias || t.pk != PkKind::none || t.without_rowid) continue;
                c.column.id = g.id();
                std::set<std::string> taken;
                for (auto& x : t.columns) taken.insert(lower_ascii(x.name));
                c.column.name = g.name(taken);
                c.column.type = "INTEGER";
                c.column.affinity = Affinity::integer;
                c.text = c.column.name;
                return c;
            }
        }
    }
}

void mark_renamed(std::optional<std::string>& from, std::string& name, const std::string& to) {
    if (!from) from = name;
    name = to;
    if (lower_ascii(*from) == lower_ascii(name)) from.reset();
}

// Applies a change; false when it no longer applies (the shrinker removed what it
// was about) — the schema is then unchanged.
bool apply_change_unchecked(Schema& s, const Change& c);

// A change that would leave a table without columns does not apply.
bool apply_change(Schema& s, const Change& c) {
    Schema copy = s;
    if (!apply_change_unchecked(copy, c)) return false;
    for (auto& t : copy.tables)
        if (t.columns.empty()) return false;
    s = std::move(copy);
    return true;
}

bool apply_change_unchecked(Schema& s, const Change& c) {
    Table* t = s.table(c.table);
    Column* col = t ? t->column(c.target) : nullptr;
    auto names = s.names();
    auto column_names = [&] {
        std::set<std::string> out;
        if (t)
            for (auto& x : t->columns) out.insert(lower_ascii(x.name));
        return out;
    };
    switch (c.kind) {
        case ChangeKind::add_column: {
            if (!t || column_names().count(lower_ascii(c.column.name))) return false;
            for (auto [kind, id] : references(c.column.generated + c.column.check))
                if (kind == '#' && !t->column(id) && id != c.column.id) return false;
            Column added = c.column;
            if (t->strict && !strict_type(added.type)) added.type = strict_name(added.affinity);
            t->columns.push_back(added);
            return true;
        }
        case ChangeKind::drop_column:
            if (!col || t->columns.size() < 2 || is_pk_column(*t, col->id)) return false;
            t->columns.erase(t->columns.begin() + (col - t->columns.data()));
            drop_dangling(s);
            return true;
        case ChangeKind::rename_column:
            if (!col || column_names().count(lower_ascii(c.text))) return false;
            mark_renamed(col->renamed_from, col->name, c.text);
            return true;
        case ChangeKind::change_type:
            if (!col) return false;
            col->type = t->strict && !strict_type(c.text) ? strict_name(c.affinity) : c.text;
            return true;
        case ChangeKind::toggle_not_null:
            if (!col) return false;
            col->not_null = !col->not_null;
            return true;
        case ChangeKind::change_default:
            if (!col || !col->generated.empty()) return false;
            col->default_sql = c.text;
            return true;
        case ChangeKind::change_check:
            if (!col) return false;
            col->check = c.text;
            return true;
        case ChangeKind::change_collate:
            if (!col) return false;
            col->collate = c.text;
            return true;
        case ChangeKind::toggle_unique:
            if (!col) return false;
            col->unique = !col->unique;
            return true;
        case ChangeKind::add_table: {
            if (names.count(lower_ascii(c.new_table.name))) return false;
            Table added = c.new_table;
            s.tables.push_back(added);
            drop_dangling(s);
            return true;
        }
        case ChangeKind::drop_table:
            if (!t) return false;
            s.tables.erase(s.tables.begin() + (t - s.tables.data()));
            drop_dangling(s);
            return true;
        case ChangeKind::rename_table:
            if (!t || names.count(lower_ascii(c.text))) return false;
            mark_renamed(t->renamed_from, t->name, c.text);
            return true;
        case ChangeKind::add_index: {
            if (!t || names.count(lower_ascii(c.index.name))) return false;
            s.indexes.push_back(c.index);
            size_t n = s.indexes.size();
            drop_dangling(s);
            return s.indexes.size() == n;
        }
        case ChangeKind::drop_index:
        case ChangeKind::rename_index: {
            auto it = std::find_if(s.indexes.begin(), s.indexes.end(), [&](const Index& i) { return i.id == c.target; });
            if (it == s.indexes.end()) return false;
            if (c.kind == ChangeKind::drop_index) {
                s.indexes.erase(it);
                return true;
            }
            if (names.count(lower_ascii(c.text))) return false;
            mark_renamed(it->renamed_from, it->name, c.text);
            return true;
        }
        case ChangeKind::change_fk: {
            if (!col) return false;
            t->fks.erase(std::remove_if(t->fks.begin(), t->fks.end(), [&](const ForeignKey& fk) { return fk.column == col->id; }),
                         t->fks.end());
            if (c.index.table >= 0) {
                const Table* p = s.table(c.index.table);
                if (!p || (p->pk != PkKind::rowid_alias && p->pk != PkKind::single)) return true;
                t->fks.push_back(ForeignKey{col->id, p->id, c.text, false});
            }
            return true;
        }
        case ChangeKind::toggle_without_rowid:
            if (!t || t->pk == PkKind::none || t->autoincrement) return false;
            t->without_rowid = !t->without_rowid;
            if (t->without_rowid)
                for (int cid : t->pk_columns) t->column(cid)->not_null = true;
            return true;
        case ChangeKind::toggle_strict:
            if (!t) return false;
            t->strict = !t->strict;
            if (t->strict)
                for (auto& x : t->columns)
                    if (!strict_type(x.type)) x.type = strict_name(x.affinity);
            return true;
        case ChangeKind::toggle_autoincrement:
            if (!t || t->pk != PkKind::rowid_alias || t->without_rowid) return false;
            t->autoincrement = !t->autoincrement;
            return true;
        case ChangeKind::add_view: {
            if (names.count(lower_ascii(c.view.name))) return false;
            s.views.push_back(c.view);
            size_t n = s.views.size();
            drop_dangling(s);
            return s.views.size() == n;
        }
        case ChangeKind::drop_view:
            if (!s.view(c.target)) return false;
            s.views.erase(std::find_if(s.views.begin(), s.views.end(), [&](const View& v) { return v.id == c.target; }));
            drop_dangling(s);
            return true;
        case ChangeKind::add_trigger: {
            if (!t || names.count(lower_ascii(c.trigger.name))) return false;
            s.triggers.push_back(c.trigger);
            size_t n = s.triggers.size();
            drop_dangling(s);
            return s.triggers.size() == n;
        }
        case ChangeKind::drop_trigger: {
            auto it = std::find_if(s.triggers.begin(), s.triggers.end(), [&](const Trigger& g) { return g.id == c.target; });
            if (it == s.triggers.end()) return false;
            s.triggers.erase(it);
            return true;
        }
        case ChangeKind::add_rowid_alias: {
            if (!t || t->pk != PkKind::none || t->without_rowid || column_names().count(lower_ascii(c.column.name)))
                return false;
            t->columns.insert(t->columns.begin(), c.column);
            t->pk = PkKind::rowid_alias;
            t->pk_columns = {c.column.id};
            return true;
        }
    }
    return false;
}

// ---------------------------------------------------------------------------
// Rows: literal values per column id, and the rowid for rowid tables.
struct Row {
    std::optional<long long> rowid;
    std::map<int, std::string> values;
};

struct Case {
    std::uint64_t seed = 0;
    Schema before;
    std::vector<Change> changes;
    std::map<int, std::vector<Row>> rows;  // by table id
    std::map<int, int> sequence_bump;      // AUTOINCREMENT tables: counter above the largest rowid
    bool allow_data_loss = false;

    Schema after() const {
        Schema s = before;
        for (auto& c : changes) apply_change(s, c);
        return s;
    }
};

void generate_rows(Case& k, Generator& g) {
    Rng& rng = g.rng();
    std::map<int, int> counts;
    for (auto& t : k.before.tables) counts[t.id] = rng.between(0, 6);
    // keys first, so that foreign keys (cycles included) can point at them
    std::map<int, std::vector<std::string>> keys;
    for (auto& t : k.before.tables) {
        auto& rows = k.rows[t.id];
        long long rowid = 0;
        for (int i = 0; i < counts[t.id]; ++i) {
            Row r;
            rowid += rng.between(1, 4);
            if (t.has_rowid()) r.rowid = rowid;
            for (int cid : t.pk_columns) {
                if (t.pk == PkKind::composite) break;  // distinct values below
                const Column* c = t.column(cid);
                r.values[cid] = c->affinity == Affinity::integer
                                    ? std::to_string(t.alias() ? rowid : i * 3 + 1)
                                    : quote_text("k" + std::to_string(i) + " " + g.text_value());
            }
            rows.push_back(r);
        }
        if (t.pk == PkKind::rowid_alias || t.pk == PkKind::single)
            for (auto& r : rows) keys[t.id].push_back(r.values[t.pk_columns.front()]);
        if (t.autoincrement && rng.chance(0.6)) k.sequence_bump[t.id] = rng.between(1, 5);
    }
    for (auto& t : k.before.tables) {
        int i = 0;
        for (auto& r : k.rows[t.id]) {
            ++i;
            for (auto& c : t.columns) {
                if (r.values.count(c.id) || !c.generated.empty()) continue;
                const ForeignKey* fk = nullptr;
                for (auto& f : t.fks)
                    if (f.column == c.id) fk = &f;
                std::string v;
                if (fk) {
                    auto& parent_keys = keys[fk->parent];
                    v = parent_keys.empty() || rng.chance(0.2) ? "NULL" : rng.pick(parent_keys);
                } else if (t.strict && c.type == "BLOB") {
                    v = c.distinct_values ? "X'" + std::to_string(1000 + i) + "'" : g.blob_literal();
                } else if (c.distinct_values) {
                    v = c.affinity == Affinity::integer || c.affinity == Affinity::real || c.affinity == Affinity::numeric
                            ? std::to_string(i * 7)
                            : quote_text("u" + std::to_string(i) + g.text_value());
                } else {
                    v = rng.chance(0.2) ? "NULL" : g.value(c.affinity);
                }
                if (v == "NULL" && c.not_null) continue;  // the default fills it (never NULL)
                r.values[c.id] = v;
            }
        }
    }
}

Case generate_case(std::uint64_t seed, const Features& f) {
    Rng rng(seed);
    int next_id = 1;
    Generator g(rng, f, next_id);
    Case k;
    k.seed = seed;
    k.before = g.schema();
    generate_rows(k, g);
    Schema s = k.before;
    const int first_new = next_id;
    int n = rng.between(1, 3);
    for (int i = 0; i < n; ++i) {
        Change c = random_change(s, g, first_new);
        if (apply_change(s, c)) k.changes.push_back(c);
    }
    k.allow_data_loss = rng.chance(0.25);
    return k;
}

std::string insert_sql(const Schema& s, const Table& t, const Row& r) {
    std::string cols, vals;
    if (r.rowid && !t.alias()) cols = "rowid", vals = std::to_string(*r.rowid);
    for (auto& [cid, v] : r.values) {
        if (!t.column(cid)) continue;
        cols += std::string(cols.empty() ? "" : ", ") + render_template(s, ref_column(cid));
        vals += std::string(vals.empty() ? "" : ", ") + v;
    }
    if (cols.empty()) return "INSERT INTO " + quote_ident(t.name) + " DEFAULT VALUES;\n";
    return "INSERT INTO " + quote_ident(t.name) + " (" + cols + ") VALUES (" + vals + ");\n";
}

std::string rows_sql(const Case& k) {
    std::string out;
    for (auto& t : k.before.tables) {
        for (auto& r : k.rows.at(t.id)) out += insert_sql(k.before, t, r);
        if (k.sequence_bump.count(t.id))
            out += "UPDATE sqlite_sequence SET seq = seq + " + std::to_string(k.sequence_bump.at(t.id)) +
                   " WHERE name = " + quote_text(t.name) + ";\n";
    }
    return out;
}

// ---------------------------------------------------------------------------
// Looking into database files.
class Db {
public:
    explicit Db(const fs::path& p) {
        if (sqlite3_open(p.c_str(), &db_) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
    }
    ~Db() { sqlite3_close(db_); }
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    // Runs statements; the error message, or empty.
    std::string exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return "";
        std::string msg = err ? err : "error";
        sqlite3_free(err);
        return msg.empty() ? "error" : msg;
    }
    // Every row of a query, each column as text.
    std::vector<std::vector<std::string>> rows(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + " in: " + sql);
        std::vector<std::vector<std::string>> out;
        while (sqlite3_step(st) == SQLITE_ROW) {
            std::vector<std::string> row;
            for (int i = 0; i < sqlite3_column_count(st); ++i) {
                auto txt = sqlite3_column_text(st, i);
                row.push_back(txt ? std::string(reinterpret_cast<const char*>(txt), sqlite3_column_bytes(st, i)) : "NULL");
            }
            out.push_back(row);
        }
        sqlite3_finalize(st);
        return out;
    }
    std::string one(const std::string& sql) {
        auto r = rows(sql);
        return r.empty() || r[0].empty() ? "" : r[0][0];
    }

private:
    sqlite3* db_ = nullptr;
};

// How rows of a table are matched between two versions of it: by rowid when both
// have one, else by the primary key columns both share.
struct RowKey {
    bool by_rowid = false;
    std::vector<int> columns;
};

RowKey row_key(const Table& from, const Table& to) {
    if (from.has_rowid() && to.has_rowid()) return {true, {}};
    RowKey k;
    for (int cid : to.pk_columns)
        if (from.column(cid)) k.columns.push_back(cid);
    return k;
}

// The rows of a table: key → (column id → quote(value)), for the columns asked for.
using Snapshot = std::map<std::string, std::map<int, std::string>>;

Snapshot snapshot(Db& db, const Schema& s, const Table& t, const std::vector<int>& columns, const RowKey& key) {
    std::string sql = "SELECT " + std::string(key.by_rowid ? "rowid" : "NULL");
    for (int cid : key.columns) sql += ", quote(" + render_template(s, ref_column(cid)) + ")";
    for (int cid : columns) sql += ", quote(" + render_template(s, ref_column(cid)) + ")";
    sql += " FROM " + quote_ident(t.name);
    Snapshot out;
    int n = 0;
    for (auto& r : db.rows(sql)) {
        std::string k = r[0];
        for (size_t i = 1; i <= key.columns.size(); ++i) k += "|" + r[i];
        if (!key.by_rowid && key.columns.empty()) k = std::to_string(n++);  // no key: order of the scan
        auto& values = out[k];
        for (size_t i = 0; i < columns.size(); ++i) values[columns[i]] = r[1 + key.columns.size() + i];
    }
    return out;
}

std::vector<int> column_ids(const Table& t) {
    std::vector<int> out;
    for (auto& c : t.columns) out.push_back(c.id);
    return out;
}

// Columns of `to` whose values come from `from` (same id, neither generated).
std::vector<int> kept_columns(const Table& from, const Table& to) {
    std::vector<int> out;
    for (auto& c : to.columns)
        if (c.generated.empty() && from.column(c.id) && from.column(c.id)->generated.empty()) out.push_back(c.id);
    return out;
}

std::string describe_row(const std::string& key, const std::map<int, std::string>& values, const Table& t) {
    std::string out = "row " + key + ":";
    for (auto& [cid, v] : values) out += " " + (t.column(cid) ? quote_ident(t.column(cid)->name) : "?") + "=" + v;
    return out;
}

// The first difference between two snapshots, or empty.
std::string compare(const Snapshot& want, const Snapshot& got, const Table& t, bool missing_allowed = false) {
    for (auto& [key, values] : want) {
        auto it = got.find(key);
        if (it == got.end()) {
            if (missing_allowed) continue;
            return "table " + quote_ident(t.name) + ": " + describe_row(key, values, t) + " is missing";
        }
        if (it->second != values)
            return "table " + quote_ident(t.name) + ": expected " + describe_row(key, values, t) + ", found " +
                   describe_row(key, it->second, t);
    }
    for (auto& [key, values] : got)
        if (!want.count(key)) return "table " + quote_ident(t.name) + ": unexpected " + describe_row(key, values, t);
    return "";
}

// ---------------------------------------------------------------------------
// The oracle: the declared schema, created by SQLite, filled with the old rows.
struct Oracle {
    bool built = false;      // the declared schema was created at all
    std::string violation;   // a row SQLite refused, or a foreign key violation
    fs::path file;
};

Oracle build_oracle(const Case& k, const Schema& after, const fs::path& before_db, const fs::path& dir) {
    Oracle o;
    o.file = dir / "oracle.db";
    Db db(o.file);
    if (auto err = db.exec(render_schema(after)); !err.empty()) {
        o.violation = err;
        return o;
    }
    o.built = true;
    db.exec("PRAGMA foreign_keys = OFF; ATTACH " + quote_text(before_db.string()) + " AS b;");
    for (auto& t : after.tables) {
        const Table* old = k.before.table(t.id);
        if (!old) continue;
        std::string into, from;
        bool rowid = old->has_rowid() && t.has_rowid() && !(t.alias() && old->column(t.alias()->id));
        if (rowid) into = from = "rowid";
        for (int cid : kept_columns(*old, t)) {
            into += std::string(into.empty() ? "" : ", ") + render_template(after, ref_column(cid));
            from += std::string(from.empty() ? "" : ", ") + render_template(k.before, ref_column(cid));
        }
        if (into.empty()) into = from = "rowid";  // a table of generated columns only
        std::string sql = "INSERT INTO main." + quote_ident(t.name) + " (" + into + ") SELECT " + from + " FROM b." +
                          quote_ident(old->name) + (rowid ? " ORDER BY rowid" : "") + ";";
        if (!old->has_rowid() && !rowid && into == "rowid") continue;
        if (auto err = db.exec(sql); !err.empty()) {
            o.violation = "table " + quote_ident(t.name) + ": " + err;
            return o;
        }
    }
    auto fk = db.rows("PRAGMA main.foreign_key_check");
    if (!fk.empty()) o.violation = "foreign key violation in " + quote_ident(fk[0][0]);
    db.exec("DETACH b;");
    return o;
}

// ---------------------------------------------------------------------------
// Running one case.
struct Failure {
    std::string check;   // which property, stable across shrinking
    std::string detail;  // what was seen
    std::string dialect;
};

using Mutator = std::function<void(const fs::path& migration)>;

struct Options {
    Features features;
    bool sqlite = true, d1 = true;
    Mutator mutate;  // test-only: edits the written migration before apply (fault injection)
};

std::string bytes_of(const fs::path& p) { return test::read_file(p); }

std::vector<fs::path> written_migrations(const fs::path& dir) {
    std::vector<fs::path> out;
    if (!fs::exists(dir)) return out;
    for (auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".sql") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

bool is_internal(int code) { return code != 0 && code != 1; }

// Everything a table definition looks like to SQLite, for comparing before and after
// a rollback.
std::string table_shape(Db& db) {
    std::string out;
    for (auto& r : db.rows("SELECT type, name, tbl_name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' AND name "
                           "NOT IN ('_migrations', 'd1_migrations') ORDER BY type, name")) {
        out += r[0] + " " + r[1] + " on " + r[2] + "\n";
        if (r[0] != "table") continue;
        for (auto& c : db.rows("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(" +
                               quote_text(r[1]) + ")"))
            out += "  " + c[0] + " " + c[1] + " " + c[2] + " " + c[3] + " " + c[4] + " " + c[5] + "\n";
    }
    return out;
}

std::string sequence_of(Db& db, const std::string& table) {
    if (db.one("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_sequence'") != "1") return "";
    return db.one("SELECT seq FROM sqlite_sequence WHERE name = " + quote_text(table));
}

// Every table's rows (all columns, keyed by rowid or primary key) and counter.
std::map<int, Snapshot> whole_state(Db& db, const Schema& s, std::map<int, std::string>& sequences) {
    std::map<int, Snapshot> out;
    for (auto& t : s.tables) {
        out[t.id] = snapshot(db, s, t, column_ids(t), row_key(t, t));
        sequences[t.id] = sequence_of(db, t.name);
    }
    return out;
}

std::string integrity_problems(Db& db) {
    auto ic = db.one("PRAGMA integrity_check");
    if (ic != "ok") return "integrity_check: " + ic;
    auto fk = db.rows("PRAGMA foreign_key_check");
    if (!fk.empty()) return "foreign_key_check: a row of " + quote_ident(fk[0][0]) + " references a missing row";
    return "";
}

class Runner {
public:
    Runner(const Case& k, const Options& o, bool d1) : k_(k), o_(o), d1_(d1), dialect_(d1 ? "d1" : "sqlite") {}

    std::optional<Failure> run();

private:
    test::CliResult cli(std::vector<std::string> args) const {
        if (d1_) args.insert(args.begin(), {"--dialect", "d1", "--dir", "generated"});
        return p_.schema(args);
    }
    Failure fail(const std::string& check, const std::string& detail) const { return {check, detail, dialect_}; }
    std::optional<Failure> setup();
    std::optional<Failure> refused(const std::string& step, const test::CliResult& r);
    // A refusal README's Limits name: on D1 some drops of tables that reference
    // each other cannot run with foreign keys on, and diff says so.
    bool d1_limit(const test::CliResult& r) const {
        return d1_ && r.code == 2 && r.err.find("cannot run with foreign keys on") != std::string::npos;
    }
    bool skipped_ = false;
    std::optional<Failure> check_applied();
    std::optional<Failure> check_rolled_back();

    const Case& k_;
    const Options& o_;
    bool d1_;
    std::string dialect_;
    test::Project p_;
    test::TempDir scratch_;
    Schema after_;
    Oracle oracle_;
    bool must_refuse_ = false, may_refuse_ = false;
    std::string why_refuse_;
    std::string original_bytes_;
    std::map<int, Snapshot> original_rows_;
    std::map<int, Snapshot> original_rows_by_key_;  // by primary key: rowids do not survive WITHOUT ROWID
    std::map<int, std::string> original_sequences_;
    std::string original_shape_;
};

// A value (an SQL literal, as snapshots hold them) as a column of `to`'s type
// stores it: a type change converts values to the new affinity (the migration
// says so in its data-loss list).
std::string stored_as(const std::string& literal, const Table& from_table, const Column& from, const Table& to_table,
                      const Column& to) {
    if (from.type == to.type && from_table.strict == to_table.strict) return literal;
    Db probe(":memory:");
    // ANY is no affinity in a STRICT table, NUMERIC in another.
    if (!probe.exec("CREATE TABLE p(v " + to.type + ")" + (to_table.strict ? " STRICT" : "") +
                    "; INSERT INTO p VALUES (" + literal + ")")
             .empty())
        return literal;
    return probe.one("SELECT quote(v) FROM p");
}

// Where the objects of the database at `db` have another text than SQLite stores
// when it runs `declared` itself; empty when none has.
std::string texts_differ(const fs::path& db, const std::string& declared) {
    const char* const texts =
        "SELECT type || ' ' || name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT IN "
        "('_migrations', 'd1_migrations', 'sqlite_sequence') ORDER BY 1";
    Db reference(":memory:");
    if (auto err = reference.exec(declared); !err.empty()) return "the declared schema fails in SQLite: " + err;
    auto want = reference.rows(texts);
    auto got = Db(db).rows(texts);
    if (want == got) return {};
    std::string out;
    for (std::size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
        auto row = [](const auto& rows, std::size_t i) {
            return i < rows.size() ? rows[i][0] + ": " + rows[i][1] : std::string("(none)");
        };
        if (i >= want.size() || i >= got.size() || want[i] != got[i])
            out += "\n  declared: " + row(want, i) + "\n  created:  " + row(got, i);
    }
    return out;
}

std::optional<Failure> Runner::setup() {
    p_.declare(render_schema(k_.before));
    auto r = cli({"diff", "-m", "before"});
    if (d1_limit(r)) return skipped_ = true, std::nullopt;
    if (r.code != 0) return fail("diff creates the before schema", "exit " + std::to_string(r.code) + ": " + r.err);
    r = cli({"apply", "--no-backup"});
    if (r.code != 0) return fail("apply creates the before schema", "exit " + std::to_string(r.code) + ": " + r.err);
    if (auto diff = texts_differ(p_.db(), render_schema(k_.before)); !diff.empty())
        return fail("every object is created with the text SQLite stores for its declaration", diff);
    Db db(p_.db());
    if (auto err = db.exec("PRAGMA foreign_keys = OFF;\n" + rows_sql(k_)); !err.empty())
        return fail("generator: rows fit the before schema", err);
    if (auto err = integrity_problems(db); !err.empty()) return fail("generator: rows are consistent", err);
    original_rows_ = whole_state(db, k_.before, original_sequences_);
    for (auto& t : k_.before.tables)
        if (!t.pk_columns.empty())
            original_rows_by_key_[t.id] = snapshot(db, k_.before, t, column_ids(t), RowKey{false, t.pk_columns});
    original_shape_ = table_shape(db);
    return std::nullopt;
}

std::optional<Failure> Runner::refused(const std::string& step, const test::CliResult& r) {
    if (!must_refuse_ && !may_refuse_)
        return fail("a safe change applies", step + " exit 1: " + r.err + r.out);
    if (bytes_of(p_.db()) != original_bytes_) return fail("a refusal leaves the database byte-identical", step);
    return std::nullopt;
}

std::optional<Failure> Runner::run() {
    if (auto f = setup()) return f;
    if (skipped_) return std::nullopt;
    after_ = k_.after();
    oracle_ = build_oracle(k_, after_, p_.db(), scratch_.path());
    if (!oracle_.built) return fail("generator: the declared schema is valid SQLite", oracle_.violation + "\n" + render_schema(after_));

    // What SQLite says the change does to the rows decides whether it must be refused.
    bool loses = false;
    for (auto& t : k_.before.tables) {
        const Table* now = after_.table(t.id);
        if (!now) loses = true, why_refuse_ = "drops table " + quote_ident(t.name);
        for (auto& c : t.columns)
            if (now && !now->column(c.id) && c.generated.empty())
                loses = true, why_refuse_ = "drops column " + quote_ident(c.name);
    }
    bool violates = !oracle_.violation.empty();
    if (violates) why_refuse_ = oracle_.violation;
    bool converts = false;
    if (!violates) {
        Db before(p_.db()), oracle(oracle_.file);
        for (auto& t : after_.tables) {
            const Table* old = k_.before.table(t.id);
            if (!old) continue;
            auto cols = kept_columns(*old, t);
            auto key = row_key(*old, t);
            if (!compare(snapshot(before, k_.before, *old, cols, key), snapshot(oracle, after_, t, cols, key), t).empty())
                converts = true, why_refuse_ = "converts values of " + quote_ident(t.name);
        }
    }
    if (k_.allow_data_loss) {
        may_refuse_ = violates;  // refusing with counts is as right as carrying the loss through
    } else {
        must_refuse_ = loses || violates || (converts && o_.features.converting_type_change);
        may_refuse_ = converts;
    }

    original_bytes_ = bytes_of(p_.db());
    p_.declare(render_schema(after_));
    std::vector<std::string> diff = {"diff", "-m", "change"};
    if (k_.allow_data_loss) diff.push_back("--allow-data-loss");
    auto r = cli(diff);
    if (d1_limit(r)) return std::nullopt;
    if (r.code == 2) return fail("diff accepts a schema SQLite accepts", r.err);
    if (is_internal(r.code)) return fail("diff never fails internally", "exit " + std::to_string(r.code) + ": " + r.err);
    if (r.code == 1) return refused("diff", r);
    auto files = written_migrations(p_.generated());
    if (files.size() == 1 && r.out.find("up to date") != std::string::npos) return std::nullopt;  // changes cancelled out
    if (files.size() != 2) return fail("diff writes one migration", r.out + r.err);
    if (o_.mutate) o_.mutate(files.back());
    r = cli({"apply", "--no-backup"});
    if (is_internal(r.code)) return fail("apply never fails internally", "exit " + std::to_string(r.code) + ": " + r.err);
    if (r.code == 1) return refused("apply", r);
    if (must_refuse_) return fail("a change that loses or violates data is refused", why_refuse_);
    if (auto f = check_applied()) return f;
    if (auto f = check_rolled_back()) return f;
    return std::nullopt;
}

std::optional<Failure> Runner::check_applied() {
    {
        Db db(p_.db());
        if (auto err = integrity_problems(db); !err.empty()) return fail("the migrated database is consistent", err);
        for (auto& t : after_.tables) {
            const Table* old = k_.before.table(t.id);
            if (!old) continue;
            auto key = row_key(*old, t);
            if (!oracle_.violation.empty()) {
                // --allow-data-loss over violating rows: the rows that stay are unchanged
                auto cols = kept_columns(*old, t);
                Snapshot want;
                auto& all = original_rows_.at(t.id);
                for (auto& [rk, values] : all) {
                    auto& w = want[rk];
                    for (int cid : cols) w[cid] = stored_as(values.at(cid), *old, *old->column(cid), t, *t.column(cid));
                }
                if (!key.by_rowid) continue;  // keyed differently than the original snapshot
                // A row whose parent row is left out loses its reference as its ON
                // DELETE SET NULL says (named in the header): not compared here.
                bool sets_null = false;
                for (auto& fk : t.fks) sets_null |= fk.on_delete == "SET NULL";
                if (sets_null) continue;
                auto got = snapshot(db, after_, t, cols, key);
                if (auto d = compare(want, got, t, true); !d.empty()) return fail("rows that stay keep their values", d);
                continue;
            }
            std::vector<int> cols;
            for (auto& c : t.columns)
                if (old->column(c.id) || c.default_sql.find("CURRENT_") == std::string::npos) cols.push_back(c.id);
            Db oracle(oracle_.file);
            auto want = snapshot(oracle, after_, t, cols, key);
            auto got = snapshot(db, after_, t, cols, key);
            if (auto d = compare(want, got, t); !d.empty())
                return fail(key.by_rowid ? "every row keeps its rowid and values" : "every row keeps its values", d);
            // AUTOINCREMENT: the counter never goes back
            if (t.autoincrement && t.has_rowid()) {
                std::string seq = sequence_of(db, t.name);
                std::string max = db.one("SELECT coalesce(max(rowid), 0) FROM " + quote_ident(t.name));
                std::string was = old->autoincrement ? original_sequences_.at(t.id) : "";
                if (!was.empty() && seq != was)
                    return fail("AUTOINCREMENT counters are kept",
                                quote_ident(t.name) + ": sqlite_sequence was " + was + ", is " + (seq.empty() ? "gone" : seq));
                if (std::stoll(seq.empty() ? "0" : seq) < std::stoll(max))
                    return fail("AUTOINCREMENT counters are kept", quote_ident(t.name) + ": sqlite_sequence " + seq +
                                                                        " is below the largest rowid " + max);
            }
        }
    }
    auto again = cli({"diff", "--print"});
    if (again.code != 0 || again.out.find("up to date") == std::string::npos)
        return fail("after apply the database equals the declared schema", again.out + again.err);
    auto check = cli({"check"});
    if (check.code != 0) return fail("check passes after apply", check.out + check.err);
    return std::nullopt;
}

std::optional<Failure> Runner::check_rolled_back() {
    auto r = cli({"rollback", "--no-backup"});
    if (is_internal(r.code)) return fail("rollback never fails internally", "exit " + std::to_string(r.code) + ": " + r.err);
    bool exact = !k_.allow_data_loss && oracle_.violation.empty();
    if (r.code != 0) {
        if (exact) return fail("rollback of a migration that lost nothing works", r.err);
        return std::nullopt;
    }
    Db db(p_.db());
    if (auto err = integrity_problems(db); !err.empty()) return fail("the rolled-back database is consistent", err);
    if (!exact) return std::nullopt;
    if (may_refuse_) return std::nullopt;  // a tolerated conversion cannot be undone
    if (auto shape = table_shape(db); shape != original_shape_)
        return fail("rollback restores the original schema", "was:\n" + original_shape_ + "is:\n" + shape);
    std::map<int, std::string> sequences;
    auto rows = whole_state(db, k_.before, sequences);
    for (auto& t : k_.before.tables) {
        const Table* now = after_.table(t.id);
        if (now && now->has_rowid() != t.has_rowid() && original_rows_by_key_.count(t.id)) {
            auto by_key = snapshot(db, k_.before, t, column_ids(t), RowKey{false, t.pk_columns});
            if (auto d = compare(original_rows_by_key_.at(t.id), by_key, t); !d.empty())
                return fail("rollback restores every row", d);
        } else if (auto d = compare(original_rows_.at(t.id), rows.at(t.id), t); !d.empty())
            return fail("rollback restores every row", d);
        if (sequences.at(t.id) != original_sequences_.at(t.id))
            return fail("rollback restores AUTOINCREMENT counters",
                        quote_ident(t.name) + ": " + original_sequences_.at(t.id) + " became " + sequences.at(t.id));
    }
    return std::nullopt;
}

// Whether two different tables reach each other through foreign keys.
bool has_mutual_references(const Schema& s) {
    std::map<int, std::set<int>> reach;
    for (auto& t : s.tables)
        for (auto& fk : t.fks)
            if (fk.parent != t.id) reach[t.id].insert(fk.parent);
    for (bool grew = true; grew;) {
        grew = false;
        for (auto& [from, to] : reach)
            for (int mid : std::set<int>(to))
                for (int next : reach[mid]) grew |= to.insert(next).second;
    }
    for (auto& [from, to] : reach)
        if (to.count(from)) return true;
    return false;
}

std::optional<Failure> run_case(const Case& k, const Options& o) {
    try {
        if (o.sqlite)
            if (auto f = Runner(k, o, false).run()) return f;
        bool d1 = o.d1 && (o.features.d1_mutual_references ||
                           !(has_mutual_references(k.before) || has_mutual_references(k.after())));
        if (d1)
            if (auto f = Runner(k, o, true).run()) return f;
    } catch (const std::exception& e) {
        return Failure{"the checker runs", e.what(), "?"};
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------
// Shrinking: leave out changes, tables, other objects, columns and rows one at a
// time while the same property still fails.
std::vector<Case> smaller(const Case& k) {
    std::vector<Case> out;
    for (size_t i = 0; i < k.changes.size(); ++i) {
        Case c = k;
        c.changes.erase(c.changes.begin() + static_cast<long>(i));
        out.push_back(c);
    }
    if (k.allow_data_loss) {
        Case c = k;
        c.allow_data_loss = false;
        out.push_back(c);
    }
    for (auto& t : k.before.tables) {
        Case c = k;
        c.before.tables.erase(c.before.tables.begin() + (c.before.table(t.id) - c.before.tables.data()));
        drop_dangling(c.before);
        c.rows.erase(t.id);
        out.push_back(c);
    }
    auto drop_one = [&](auto member) {
        for (size_t i = 0; i < (k.before.*member).size(); ++i) {
            Case c = k;
            (c.before.*member).erase((c.before.*member).begin() + static_cast<long>(i));
            drop_dangling(c.before);
            out.push_back(c);
        }
    };
    drop_one(&Schema::indexes);
    drop_one(&Schema::views);
    drop_one(&Schema::triggers);
    for (auto& [tid, rows] : k.rows) {
        if (rows.size() > 1) {
            Case c = k;
            c.rows[tid].resize(rows.size() / 2);
            out.push_back(c);
        }
        for (size_t i = 0; i < rows.size(); ++i) {
            Case c = k;
            c.rows[tid].erase(c.rows[tid].begin() + static_cast<long>(i));
            out.push_back(c);
        }
    }
    for (auto& t : k.before.tables)
        for (auto& col : t.columns) {
            if (is_pk_column(t, col.id) || t.columns.size() < 2) continue;
            Case c = k;
            Table* ct = c.before.table(t.id);
            ct->columns.erase(ct->columns.begin() + (ct->column(col.id) - ct->columns.data()));
            drop_dangling(c.before);
            for (auto& r : c.rows[t.id]) r.values.erase(col.id);
            out.push_back(c);
        }
    for (auto& t : k.before.tables)
        for (auto& col : t.columns) {
            Case c = k;
            Column* cc = c.before.table(t.id)->column(col.id);
            if (!cc->check.empty() || !cc->collate.empty() || cc->unique || !cc->default_sql.empty()) {
                cc->check.clear(), cc->collate.clear(), cc->unique = false;
                if (!cc->not_null) cc->default_sql.clear();
                out.push_back(c);
            }
        }
    return out;
}

Case shrink(Case k, const Failure& failure, const Options& o, int budget = 300) {
    for (bool progress = true; progress && budget > 0;) {
        progress = false;
        for (auto& candidate : smaller(k)) {
            if (--budget <= 0) break;
            auto f = run_case(candidate, o);
            if (f && f->check == failure.check) {
                k = candidate;
                progress = true;
                break;
            }
        }
    }
    return k;
}

std::string report(const Case& k, const Failure& f) {
    std::ostringstream out;
    out << "property failed: " << f.check << " (dialect " << f.dialect << ", seed " << k.seed
        << (k.allow_data_loss ? ", --allow-data-loss" : "") << ")\n"
        << f.detail << "\n"
        << "---- before (schema/*.sql when the database was created)\n"
        << render_schema(k.before) << "---- rows\n"
        << rows_sql(k) << "---- changes\n";
    for (auto& c : k.changes) out << "  " << c.describe() << "\n";
    out << "---- declared (schema/*.sql for the diff)\n" << render_schema(k.after())
        << "---- reproduce: SCHEMA_PROPERTY_SEED=" << k.seed << " SCHEMA_PROPERTY_CASES=1 "
        << "build/tests/schema_tests -tc='property*'\n";
    return out.str();
}

// ---------------------------------------------------------------------------
std::uint64_t env_number(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

Options options_from_env() {
    Options o;
    o.features = features_from_env();
    const char* d = std::getenv("SCHEMA_PROPERTY_DIALECTS");
    std::string dialects = d ? d : "both";
    o.sqlite = dialects != "d1";
    o.d1 = dialects != "sqlite";
    return o;
}

// Runs `cases` cases from `seed` (case i uses seed + i); the first failure, shrunk.
// SCHEMA_PROPERTY_KEEP_GOING=1 lists every failing case instead (unshrunk, one line
// each), to survey the failure classes.
std::optional<std::string> run_cases(std::uint64_t seed, std::uint64_t cases, const Options& o) {
    bool keep_going = env_number("SCHEMA_PROPERTY_KEEP_GOING", 0) != 0;
    std::string survey;
    for (std::uint64_t i = 0; i < cases; ++i) {
        Case k = generate_case(seed + i, o.features);
        if (auto f = run_case(k, o)) {
            if (keep_going) {
                std::string detail = f->detail.substr(0, 160);
                std::replace(detail.begin(), detail.end(), '\n', ' ');
                survey += "seed " + std::to_string(k.seed) + " [" + f->dialect + "] " + f->check + ": " + detail + "\n";
                continue;
            }
            Case small = env_number("SCHEMA_PROPERTY_SHRINK", 1) ? shrink(k, *f, o) : k;
            auto again = run_case(small, o);
            return report(small, again ? *again : *f);
        }
    }
    if (!survey.empty()) return survey;
    return std::nullopt;
}

}  // namespace property

TEST_CASE("property: diff, apply and rollback keep every row, rowid, counter and the schema") {
    using namespace property;
    auto seed = env_number("SCHEMA_PROPERTY_SEED", 20261202);
    auto cases = env_number("SCHEMA_PROPERTY_CASES", 60);
    auto start = std::chrono::steady_clock::now();
    auto failure = run_cases(seed, cases, options_from_env());
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    MESSAGE(cases << " cases from seed " << seed << " in " << seconds << " s");
    if (failure) FAIL(*failure);
}

// Keeping the generator honest: a planner with a deliberate fault (simulated by
// editing the migration `diff` wrote before `apply` runs it) must make the property
// fail, on the check that names the fault.
namespace property {

// Every INSERT ... SELECT of a rebuild stops copying rowids: rows get new ones.
void forget_rowids(const fs::path& migration) {
    std::string text = test::read_file(migration);
    for (size_t p; (p = text.find("rowid, ")) != std::string::npos;) text.erase(p, 7);
    test::write_file(migration, text);
}

// Every rebuild copies NULL instead of the last column it selects.
void lose_last_column(const fs::path& migration) {
    std::istringstream in(test::read_file(migration));
    std::string out, line;
    while (std::getline(in, line)) {
        size_t from = line.rfind(" FROM ");
        size_t comma = line.rfind(", ", from);
        if (line.rfind("  SELECT ", 0) == 0 && from != std::string::npos && comma != std::string::npos)
            line = line.substr(0, comma + 2) + "NULL" + line.substr(from);
        out += line + "\n";
    }
    test::write_file(migration, out);
}

// The first case from `seed` that fails `check`, within `cases` cases.
std::optional<std::uint64_t> first_failing(std::uint64_t seed, int cases, const Options& o, const std::string& check) {
    for (int i = 0; i < cases; ++i) {
        Case k = generate_case(seed + static_cast<std::uint64_t>(i), o.features);
        auto f = run_case(k, o);
        if (f && f->check == check) return k.seed;
    }
    return std::nullopt;
}

Options sqlite_only_with(Mutator m) {
    Options o = options_from_env();
    o.d1 = false;
    o.mutate = std::move(m);
    return o;
}

}  // namespace property

TEST_CASE("property: the checker catches a planner that does not keep rowids") {
    using namespace property;
    auto found = first_failing(1, 60, sqlite_only_with(forget_rowids), "every row keeps its rowid and values");
    CHECK(found.has_value());
}

TEST_CASE("property: the checker catches a planner that drops a column's data") {
    using namespace property;
    auto found = first_failing(1, 60, sqlite_only_with(lose_last_column), "every row keeps its rowid and values");
    CHECK(found.has_value());
}

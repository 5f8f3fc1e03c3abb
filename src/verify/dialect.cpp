// What each target accepts beyond SQLite itself. D1's limits, as its local
// runtime (wrangler 4) reports them: an authorizer refuses names starting with
// _cf_ (D1's own tables) and virtual table modules other than FTS5; BEGIN and
// SAVEPOINT are refused (D1 runs each migration in its own transaction); and
// PRAGMA foreign_keys is accepted but changes nothing inside that transaction.
// The runner refuses transaction statements in every dialect (it runs each
// migration in a transaction of its own), with the same detector.
#include <fmt/format.h>

#include "schema/dialect.hpp"
#include "schema/sqlite.hpp"

#include <algorithm>
#include <cctype>

namespace schema {

const char* dialect_name(Dialect d) { return d == Dialect::d1 ? "d1" : "sqlite"; }

std::optional<Dialect> parse_dialect(std::string_view name) {
    if (name == "sqlite") return Dialect::sqlite;
    if (name == "d1") return Dialect::d1;
    return std::nullopt;
}

namespace {

bool d1_reserved(const Ident& name) {
    const std::string& key = name.key();  // folded: D1 compares case-insensitively
    return key.rfind("_cf_", 0) == 0;
}

template <class Object>
void check_name(const Object& o, const char* kind, std::vector<Diagnostic>& out) {
    if (d1_reserved(o.name))
        out.push_back({o.pos, fmt::format("{} {}: D1 reserves names starting with _cf_ for itself (\"not "
                                          "authorized\"); choose another name",
                                          kind, o.name.sql()),
                       {}});
}

}  // namespace

std::vector<Diagnostic> dialect_problems(const Schema& declared, Dialect d) {
    std::vector<Diagnostic> out;
    // In every dialect: inspection leaves D1's own tables out of a live schema,
    // so a declared one could never match.
    for (const auto& [k, t] : declared.tables) check_name(t, "table", out);
    for (const auto& [k, i] : declared.indexes) check_name(i, "index", out);
    for (const auto& [k, v] : declared.views) check_name(v, "view", out);
    for (const auto& [k, t] : declared.triggers) check_name(t, "trigger", out);
    for (const auto& [k, v] : declared.virtual_tables) {
        check_name(v, "virtual table", out);
        if (d != Dialect::d1) continue;
        const std::string& module = v.module.key();
        if (module != "fts5" && module != "fts5vocab")
            out.push_back({v.pos, fmt::format("virtual table {}: D1 does not allow the module {} (it allows fts5 "
                                              "and fts5vocab)",
                                              v.name.sql(), v.module.sql()),
                               {}});
    }
    return out;
}

namespace {

// A token as SQLite reads it as a name or value: quotes removed, lower case.
std::string unquoted_lower(std::string_view token) {
    if (token.size() >= 2 && (token.front() == '"' || token.front() == '`' || token.front() == '\'' ||
                              token.front() == '['))
        token = token.substr(1, token.size() - 2);
    std::string out(token);
    for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// An unquoted keyword (a quoted one is a name).
bool is_keyword(std::string_view token, std::string_view keyword) {
    return token.size() == keyword.size() && std::equal(token.begin(), token.end(), keyword.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

// Pragmas SQLite ignores or refuses inside a transaction, which is where a
// migration runs (checked on SQLite 3.40 and in https://sqlite.org/pragma.html):
// journal_mode cannot change into or out of WAL there, page_size and
// auto_vacuum need a VACUUM (refused in a transaction), encoding applies only to
// a new database, synchronous "may not be changed inside a transaction",
// locking_mode takes effect at the next lock, and a checkpoint cannot run while
// the transaction holds the write lock. They are settings of the database file
// or the connection, not of its schema, and could not be undone with the
// migration if the runner ran them outside its transaction.
bool settable_only_outside_transactions(const Pragma& p) {
    if (p.name == "wal_checkpoint") return true;
    if (!p.value) return false;  // reading a setting is harmless
    for (const char* name : {"journal_mode", "page_size", "auto_vacuum", "encoding", "synchronous", "locking_mode"})
        if (p.name == name) return true;
    return false;
}

}  // namespace

std::optional<Pragma> parse_pragma(std::string_view statement) {
    auto toks = sqlite::leading_tokens(statement, 8);
    if (toks.empty() || !is_keyword(toks[0], "pragma")) return std::nullopt;
    std::size_t i = 1;
    if (i + 1 < toks.size() && toks[i + 1] == ".") i += 2;  // schema.name
    if (i >= toks.size()) return std::nullopt;
    Pragma p{unquoted_lower(toks[i]), std::nullopt};
    if (++i < toks.size() && (toks[i] == "=" || toks[i] == "(")) {
        std::string value;
        for (++i; i < toks.size() && toks[i] != ")" && toks[i] != ";"; ++i) value += unquoted_lower(toks[i]);
        p.value = value;
    }
    return p;
}

std::optional<bool> pragma_boolean(std::string_view value) {
    const std::string v = unquoted_lower(value);
    if (v == "on" || v == "true" || v == "yes") return true;
    if (v == "off" || v == "false" || v == "no") return false;
    if (!v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        return v.find_first_not_of('0') != std::string::npos;
    return std::nullopt;
}

bool is_transaction_control(std::string_view statement) {
    auto toks = sqlite::leading_tokens(statement, 1);
    if (toks.empty()) return false;
    for (const char* word : {"begin", "commit", "end", "rollback", "savepoint", "release"})
        if (is_keyword(toks[0], word)) return true;
    return false;
}

std::string migration_statement_refusal(std::string_view statement, Dialect d) {
    if (is_transaction_control(statement))
        return d == Dialect::d1 ? "D1 refuses transaction statements (BEGIN, COMMIT, END, ROLLBACK, SAVEPOINT, "
                                  "RELEASE): it runs each migration in a transaction of its own"
                                : "transaction statements (BEGIN, COMMIT, END, ROLLBACK, SAVEPOINT, RELEASE) are not "
                                  "allowed in a migration: the runner runs each migration in a transaction of its own, "
                                  "which one of them would end part way";
    auto pragma = parse_pragma(statement);
    if (!pragma) return {};
    if (settable_only_outside_transactions(*pragma))
        return fmt::format("PRAGMA {} cannot take effect inside the migration's transaction (SQLite ignores or "
                           "refuses it there); it sets the database file or connection, not the schema: run it "
                           "outside the migrations (sqlite3 DB 'PRAGMA {} = ...')",
                           pragma->name, pragma->name);
    if (d == Dialect::d1 && pragma->name == "foreign_keys" && pragma->value)
        return "PRAGMA foreign_keys changes nothing on D1 (foreign keys stay on inside a migration); use "
               "PRAGMA defer_foreign_keys = ON to check them at the end of the migration instead";
    return {};
}

}  // namespace schema

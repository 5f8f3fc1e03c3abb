// What each target accepts beyond SQLite itself. D1's limits, as its local
// runtime (wrangler 4) reports them: an authorizer refuses names starting with
// _cf_ (D1's own tables) and virtual table modules other than FTS5; BEGIN and
// SAVEPOINT are refused (D1 runs each migration in its own transaction); and
// PRAGMA foreign_keys is accepted but changes nothing inside that transaction.
#include <fmt/format.h>

#include "schema/dialect.hpp"
#include "schema/expr.hpp"

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

std::string d1_statement_refusal(std::string_view statement) {
    std::vector<Token> toks;
    try {
        toks = tokenize(statement.substr(0, std::min<std::size_t>(statement.size(), 120)));
    } catch (const std::exception&) {
        return {};  // cut mid-token: not one of the statements below
    }
    if (toks.empty()) return {};
    for (const char* word : {"begin", "commit", "end", "rollback", "savepoint", "release"})
        if (toks[0].is(word))
            return "D1 refuses transaction statements (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE): it runs each "
                   "migration in a transaction of its own";
    if (toks[0].is("pragma")) {
        std::size_t i = 1;
        if (i + 1 < toks.size() && toks[i + 1].is(".")) i += 2;
        if (i < toks.size() && toks[i].is("foreign_keys") && i + 1 < toks.size())
            return "PRAGMA foreign_keys changes nothing on D1 (foreign keys stay on inside a migration); use "
                   "PRAGMA defer_foreign_keys = ON to check them at the end of the migration instead";
    }
    return {};
}

}  // namespace schema

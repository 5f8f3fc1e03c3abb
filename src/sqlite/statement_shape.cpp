#include "schema/statement_shape.hpp"

#include "schema/expr.hpp"

namespace schema::sqlite {

namespace {

// A statement larger than this is read only so far: a copy names its tables
// well before (its column lists), and a multi-megabyte INSERT ... VALUES is
// not worth tokenizing whole.
constexpr std::size_t kReadAtMost = 256 * 1024;

// The table named at toks[i]: `t` or `schema.t`, unquoted. Advances i past it.
std::string table_name_at(const std::vector<Token>& toks, std::size_t& i) {
    if (i >= toks.size() || toks[i].kind == TokenKind::punct || toks[i].kind == TokenKind::string) return {};
    std::string name = toks[i++].text;
    if (i + 1 < toks.size() && toks[i].is(".")) {
        name = toks[i + 1].text;
        i += 2;
    }
    return name;
}

bool is_name(const Token& t) { return t.kind == TokenKind::word || t.kind == TokenKind::quoted; }

void read_copy(const std::vector<Token>& toks, StatementShape& shape) {
    std::size_t i = 1;
    while (i < toks.size() && !toks[i].is("into")) ++i;  // INSERT OR REPLACE INTO
    ++i;
    std::string into = table_name_at(toks, i);
    if (into.empty()) return;
    // The SELECT at depth 0 (a column list, an alias or a WITH clause comes
    // before it), then its own FROM.
    int depth = 0;
    bool with_clause = false;
    for (; i < toks.size(); ++i) {
        if (toks[i].is("(")) ++depth;
        else if (toks[i].is(")")) --depth;
        else if (depth == 0 && toks[i].kind == TokenKind::word && toks[i].is("with")) with_clause = true;
        else if (depth == 0 && toks[i].kind == TokenKind::word && (toks[i].is("values") || toks[i].is("default")))
            return;  // rows given, not copied
        else if (depth == 0 && toks[i].kind == TokenKind::word && toks[i].is("select"))
            break;
    }
    if (i >= toks.size()) return;
    shape.copies_into = into;
    for (++i; i < toks.size(); ++i) {
        if (toks[i].is("(")) ++depth;
        else if (toks[i].is(")")) --depth;
        else if (depth == 0 && toks[i].kind == TokenKind::word && toks[i].is("from") &&
                 !(i > 0 && toks[i - 1].is("distinct"))) {  // a IS [NOT] DISTINCT FROM b is no FROM clause
            ++i;
            if (i >= toks.size() || !is_name(toks[i])) return;  // a subquery
            std::size_t at = i;
            std::string schema_name = i + 1 < toks.size() && toks[i + 1].is(".") ? toks[i].text : "";
            std::string table = table_name_at(toks, at);
            // A table-valued function (json_each(x)), a name a WITH clause binds,
            // or a table of another schema is no table of main to measure.
            if (at < toks.size() && toks[at].is("(")) return;
            if (with_clause || (!schema_name.empty() && !iequals(schema_name, "main"))) return;
            shape.copies_from = table;
            return;
        }
    }
}

void read_index(const std::vector<Token>& toks, StatementShape& shape) {
    std::size_t i = 1;
    if (i < toks.size() && toks[i].is("unique")) ++i;
    if (i >= toks.size() || !toks[i].is("index")) return;
    while (i < toks.size() && !toks[i].is("on")) ++i;
    ++i;
    shape.indexes = table_name_at(toks, i);  // SQLite takes the index's schema for it
}

}  // namespace

StatementShape shape_of(std::string_view statement) {
    StatementShape shape;
    auto first = leading_tokens(statement, 1);
    if (first.empty()) return shape;
    const bool copy = iequals(first[0], "insert") || iequals(first[0], "replace");
    const bool create = iequals(first[0], "create");
    if (!copy && !create) return shape;  // most statements: no tokenizing at all
    if (copy) {
        // A seed's INSERT ... VALUES can be megabytes: SQLite's lexer (cheap)
        // finds VALUES before any SELECT, and nothing is tokenized.
        int depth = 0;
        for (auto t : leading_tokens(statement, 4096)) {
            if (t == "(") ++depth;
            else if (t == ")") --depth;
            else if (depth == 0 && (iequals(t, "values") || iequals(t, "default"))) return shape;
            else if (depth == 0 && iequals(t, "select")) break;
        }
    }
    try {
        auto toks = tokenize(statement.substr(0, std::min(statement.size(), kReadAtMost)));
        if (copy) read_copy(toks, shape);
        else read_index(toks, shape);
    } catch (const std::exception&) {
        // Text the tokenizer cannot read (cut inside a literal): no shape; SQLite will say what is wrong.
    }
    return shape;
}

std::vector<StatementShape> shapes_of(std::string_view sql, const Script& script) {
    std::vector<StatementShape> out;
    out.reserve(script.statements.size());
    for (const auto& st : script.statements) out.push_back(shape_of(st.text(sql)));
    return out;
}

}  // namespace schema::sqlite

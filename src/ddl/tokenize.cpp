// The expression tokenizer: the same lexemes as the statement grammar, each
// turned into a normalized Token (see include/schema/expr.hpp).
#include <stdexcept>

#include "lexemes.hpp"
#include "schema/expr.hpp"

namespace schema {

namespace x3 = boost::spirit::x3;
using namespace ddl::lex;

namespace {

std::string range_text(const auto& range) { return std::string(range.begin(), range.end()); }

Token identifier_token(std::string unquoted) {
    // A quoted name that needs no quotes is the same name as the bare word.
    if (is_plain_identifier(unquoted)) return {TokenKind::word, std::move(unquoted)};
    return {TokenKind::quoted, std::move(unquoted)};
}

Token punct_token(std::string text) {
    // SQLite reads == as = and <> as !=; one spelling each keeps comparisons stable.
    if (text == "==") text = "=";
    else if (text == "<>") text = "!=";
    return {TokenKind::punct, std::move(text)};
}

}  // namespace

std::vector<Token> tokenize(std::string_view sql) {
    std::vector<Token> out;
    auto push = [&out](TokenKind kind) {
        return [&out, kind](auto& ctx) { out.push_back({kind, range_text(x3::_attr(ctx))}); };
    };
    auto push_string = [&out](auto& ctx) { out.push_back({TokenKind::string, x3::_attr(ctx)}); };
    auto push_ident = [&out](auto& ctx) { out.push_back(identifier_token(x3::_attr(ctx))); };
    auto push_double_quoted = [&out](auto& ctx) {
        out.push_back(identifier_token(x3::_attr(ctx)));
        out.back().double_quoted = true;
    };
    auto push_punct = [&out](auto& ctx) { out.push_back(punct_token(range_text(x3::_attr(ctx)))); };

    // Most frequent first; a blob (x'..') before the word it starts like, a number
    // before the '.' it may start with.
    auto const token = x3::raw[blob][push(TokenKind::blob)] | x3::raw[bare_word][push(TokenKind::word)] |
                       x3::raw[number][push(TokenKind::number)] | x3::raw[operator_][push_punct] |
                       as<std::string>[single_quoted][push_string] |
                       as<std::string>[double_quoted][push_double_quoted] |
                       as<std::string>[backquoted | bracketed][push_ident] |
                       x3::raw[variable][push(TokenKind::variable)];

    auto first = sql.begin();
    bool ok = x3::phrase_parse(first, sql.end(), *token, skipper);
    if (!ok || first != sql.end())
        throw std::invalid_argument("not a sequence of SQL tokens near: " +
                                    std::string(first, std::min(first + 20, sql.end())));
    return out;
}

Expr parse_expr(std::string_view sql) { return Expr(tokenize(sql)); }

}  // namespace schema

// Instantiates the grammar (grammar_def.hpp) and drives it statement by statement.
#include "grammar_def.hpp"
#include "parse.hpp"

namespace schema::ddl {

namespace {

namespace x3 = boost::spirit::x3;
using It = const char*;

std::string found_at(It at, It end) {
    if (at == end) return "end of input";
    It first = at;
    auto word = +lex::ident_part;
    if (x3::parse(first, end, word) && first != at) return "'" + std::string(at, first) + "'";
    return "'" + std::string(at, at + 1) + "'";
}

void skip_separators(It& it, It end) {
    x3::parse(it, end, *(lex::skipper | x3::lit(';')));
}

template <typename Rule, typename Attr>
bool try_rule(It& it, It end, const Rule& rule, Attr& attr) {
    It probe = it;
    if (!x3::phrase_parse(probe, end, rule, lex::skipper, attr, x3::skip_flag::dont_post_skip)) return false;
    it = probe;
    return true;
}

template <typename Node>
bool try_statement(It& it, It end, const auto& rule, Statement& out) {
    Node node;
    if (!try_rule(it, end, rule, node)) return false;
    out = std::move(node);
    return true;
}

// SQLite refuses expressions nested deeper than SQLITE_MAX_EXPR_DEPTH (1000);
// the recursive grammar must refuse them before its stack runs out. Returns the
// position of the first parenthesis past the limit, or null.
It too_deep(It begin, It end) {
    constexpr int limit = 1000;
    int depth = 0;
    It at = nullptr;
    auto open = [&](auto& ctx) {
        if (++depth > limit && !at) at = x3::_where(ctx).begin();
    };
    auto close = [&](auto&) { --depth; };
    It it = begin;
    x3::parse(it, end,
              *(lex::comment | x3::omit[lex::single_quoted] | x3::omit[lex::double_quoted] |
                x3::omit[lex::backquoted] | x3::omit[lex::bracketed] | x3::lit('(')[open] | x3::lit(')')[close] |
                x3::char_));
    return at;
}

}  // namespace

bool parse_statements(std::string_view text, std::vector<ParsedStatement>& out, SyntaxError& error) {
    It const begin = text.data();
    It const end = begin + text.size();
    It it = begin;
    auto fail = [&](It at, std::string message) {
        error.offset = std::size_t(at - begin);
        error.message = std::move(message);
        return false;
    };
    if (It deep = too_deep(begin, end))
        return fail(deep, "parentheses nest deeper than 1000 levels, more than SQLite accepts");
    try {
        for (;;) {
            skip_separators(it, end);
            if (it == end) return true;
            It start = it;
            if (!x3::parse(it, end, lex::kw("create")))
                return fail(start, "expected a CREATE statement, found " + found_at(start, end) +
                                       " (schema files declare objects; data changes and PRAGMAs belong in "
                                       "a migration: `schema new NAME`)");
            Statement stmt;
            bool ok = try_statement<ast::CreateTable>(it, end, grammar::create_table_stmt, stmt) ||
                      try_statement<ast::CreateIndex>(it, end, grammar::create_index_stmt, stmt) ||
                      try_statement<ast::CreateView>(it, end, grammar::create_view_stmt, stmt) ||
                      try_statement<ast::CreateTrigger>(it, end, grammar::create_trigger_stmt, stmt) ||
                      try_statement<ast::CreateVirtualTable>(it, end, grammar::create_virtual_table_stmt, stmt);
            if (!ok) {
                It at = it;
                x3::parse(at, end, *lex::skipper);
                return fail(at, "expected TABLE, INDEX, VIEW, TRIGGER or VIRTUAL TABLE after CREATE, found " +
                                    found_at(at, end));
            }
            It stmt_end = last_token_end(start, it);
            x3::parse(it, end, *lex::skipper);
            if (it != end && *it != ';')
                return fail(it, "expected ';' after the statement, found " + found_at(it, end));
            out.push_back(
                {std::move(stmt), std::size_t(start - begin), std::size_t(stmt_end - begin), std::size_t(it - begin)});
        }
    } catch (const x3::expectation_failure<It>& e) {
        It at = e.where();
        x3::parse(at, end, *lex::skipper);
        return fail(at, "expected " + e.which() + ", found " + found_at(at, end));
    }
}

const char* last_token_end(const char* begin, const char* end) {
    It it = begin;
    It last = begin;
    for (;;) {
        x3::parse(it, end, *lex::skipper);
        if (it == end || !x3::parse(it, end, grammar::token | x3::char_)) return last;
        last = it;
    }
}

std::vector<Comment> comments_of(std::string_view text) {
    std::vector<Comment> out;
    It const begin = text.data();
    It it = begin;
    It const end = begin + text.size();
    auto record = [&](std::size_t marker) {
        return [&out, begin, marker](auto& ctx) {
            const auto& range = x3::_attr(ctx);
            std::string body(range.begin() + marker, range.end());
            if (marker == 2 && body.size() >= 2 && body.compare(body.size() - 2, 2, "*/") == 0)
                body.resize(body.size() - 2);
            out.push_back({std::size_t(range.begin() - begin), std::move(body)});
        };
    };
    // Comments, skipping over literals and quoted names that may contain "--" or "/*".
    auto const scan = *(x3::raw[lex::line_comment][record(2)] | x3::raw[lex::block_comment][record(2)] |
                        x3::omit[lex::single_quoted] | x3::omit[lex::double_quoted] | x3::omit[lex::backquoted] |
                        x3::omit[lex::bracketed] | x3::char_);
    x3::parse(it, end, scan);
    return out;
}

}  // namespace schema::ddl

// SQLite's lexical layer as Spirit X3 parsers: whitespace and comments (the
// skipper), keywords matched as whole words in any case, identifiers in all four
// quotings, literals and operators. Shared by the statement grammar and by the
// expression tokenizer so that both agree on what a token is.
#pragma once

#include <boost/spirit/home/x3.hpp>
#include <string>

namespace schema::ddl::lex {

namespace x3 = boost::spirit::x3;

// SQLite treats every byte >= 0x80 as part of an identifier (sqlite3IsIdChar).
inline bool is_ident_start(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80;
}
inline bool is_ident_part(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return is_ident_start(c) || (u >= '0' && u <= '9') || u == '$';
}
inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

// One identifier character; `start` selects the stricter first-character class.
struct ident_char_parser : x3::parser<ident_char_parser> {
    using attribute_type = char;
    static bool const has_attribute = true;
    bool start;
    constexpr explicit ident_char_parser(bool s) : start(s) {}

    template <typename It, typename Ctx, typename RCtx, typename Attr>
    bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr& attr) const {
        x3::skip_over(first, last, ctx);
        if (first == last || !(start ? is_ident_start(*first) : is_ident_part(*first))) return false;
        x3::traits::move_to(*first, attr);
        ++first;
        return true;
    }
};
constexpr ident_char_parser ident_start{true};
constexpr ident_char_parser ident_part{false};

// A keyword: the whole word, case-insensitively (`word` must be lower case).
struct keyword_parser : x3::parser<keyword_parser> {
    using attribute_type = x3::unused_type;
    static bool const has_attribute = false;
    const char* word;
    constexpr explicit keyword_parser(const char* w) : word(w) {}

    template <typename It, typename Ctx, typename RCtx, typename Attr>
    bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr&) const {
        x3::skip_over(first, last, ctx);
        It it = first;
        for (const char* p = word; *p; ++p, ++it)
            if (it == last || ascii_lower(*it) != *p) return false;
        if (it != last && is_ident_part(*it)) return false;
        first = it;
        return true;
    }
};
constexpr keyword_parser kw(const char* word) { return keyword_parser{word}; }

// A parser with its attribute forced to T (alternatives of equal types would
// otherwise give a variant).
template <typename T>
struct as_type {
    template <typename Expr>
    constexpr auto operator[](Expr e) const {
        return x3::rule<struct as_class, T>{"value"} = x3::as_parser(e);
    }
};
template <typename T>
constexpr as_type<T> as{};

// Whitespace and both comment forms; an unterminated /* runs to the end, as in SQLite.
auto const line_comment = x3::lexeme[x3::lit("--") >> *(x3::char_ - x3::eol) >> (x3::eol | x3::eoi)];
auto const block_comment = x3::lexeme[x3::lit("/*") >> *(x3::char_ - x3::lit("*/")) >> (x3::lit("*/") | x3::eoi)];
auto const comment = line_comment | block_comment;

// The skipper: one whitespace character or one comment per call. A primitive of
// its own because X3 calls the skipper before every token it tries; this one
// turns most calls away after looking at one character.
struct space_parser : x3::parser<space_parser> {
    using attribute_type = x3::unused_type;
    static bool const has_attribute = false;

    template <typename It, typename Ctx, typename RCtx, typename Attr>
    bool parse(It& first, It const& last, Ctx const&, RCtx&, Attr&) const {
        if (first == last) return false;
        switch (*first) {
            case ' ': case '\t': case '\n': case '\r': case '\f': case '\v': ++first; return true;
            case '-':
                if (std::next(first) == last || *std::next(first) != '-') return false;
                while (first != last && *first != '\n') ++first;
                return true;
            case '/': {
                if (std::next(first) == last || *std::next(first) != '*') return false;
                It it = first + 2;
                while (it != last && !(*it == '*' && std::next(it) != last && *std::next(it) == '/')) ++it;
                first = it == last ? last : it + 2;
                return true;
            }
            default: return false;
        }
    }
};
constexpr space_parser skipper{};

// Identifiers. The attribute is the name without its quotes.
template <typename Subject>
constexpr auto string_rule(const char* what, Subject subject) {
    return x3::rule<struct string_rule_class, std::string>{what} = x3::lexeme[subject];
}
auto const double_quoted =
    string_rule("quoted name", '"' >> *((x3::lit("\"\"") >> x3::attr('"')) | ~x3::char_('"')) >> '"');
auto const backquoted = string_rule("quoted name", '`' >> *((x3::lit("``") >> x3::attr('`')) | ~x3::char_('`')) >> '`');
auto const bracketed = string_rule("quoted name", '[' >> *~x3::char_(']') >> ']');
auto const single_quoted =
    string_rule("string", '\'' >> *((x3::lit("''") >> x3::attr('\'')) | ~x3::char_('\'')) >> '\'');
auto const bare_word = string_rule("name", ident_start >> *ident_part);

// Literals and operators, attribute-free: the tokenizer takes their raw text.
auto const digit = x3::char_("0-9");
auto const hex_digit = x3::char_("0-9a-fA-F");
auto const number = x3::lexeme[
    ((x3::lit('0') >> x3::char_("xX")) >> +hex_digit) |
    (((+digit >> -(x3::lit('.') >> *digit)) | (x3::lit('.') >> +digit)) >>
     -(x3::char_("eE") >> -x3::char_("+-") >> +digit))];
auto const blob = x3::lexeme[x3::char_("xX") >> '\'' >> *hex_digit >> '\''];
auto const variable = x3::lexeme[(x3::lit('?') >> *digit) | (x3::char_(":@$") >> +ident_part)];
auto const operator_ = x3::lit("||") | "<<" | ">>" | "<=" | ">=" | "==" | "!=" | "<>" | "->>" | "->" |
                       x3::char_("-+*/%&|~<>=!,.;()");

}  // namespace schema::ddl::lex

namespace boost::spirit::x3 {
// Expectation failures name what was expected the way SQL reads ("expected KEY",
// "expected ')'", "expected NULL or DEFERRABLE") instead of a C++ type name: a
// keyword by itself, a sequence by its first element, an alternative by its
// branches, a directive or action by its subject.
template <>
struct get_info<schema::ddl::lex::keyword_parser> {
    typedef std::string result_type;
    std::string operator()(schema::ddl::lex::keyword_parser const& p) const {
        std::string s = p.word;
        for (char& c : s) c = char(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
        return s;
    }
};
template <>
struct get_info<schema::ddl::lex::ident_char_parser> {
    typedef std::string result_type;
    std::string operator()(schema::ddl::lex::ident_char_parser const&) const { return "name"; }
};
template <typename L, typename R>
struct get_info<sequence<L, R>> {
    typedef std::string result_type;
    std::string operator()(sequence<L, R> const& p) const { return what(p.left); }
};
template <typename L, typename R>
struct get_info<alternative<L, R>> {
    typedef std::string result_type;
    std::string operator()(alternative<L, R> const& p) const { return what(p.left) + " or " + what(p.right); }
};
template <typename L, typename R>
struct get_info<list<L, R>> {
    typedef std::string result_type;
    std::string operator()(list<L, R> const& p) const { return what(p.left); }
};
template <typename L, typename R>
struct get_info<difference<L, R>> {
    typedef std::string result_type;
    std::string operator()(difference<L, R> const& p) const { return what(p.left); }
};
template <typename S, typename A>
struct get_info<action<S, A>> {
    typedef std::string result_type;
    std::string operator()(action<S, A> const& p) const { return what(p.subject); }
};
#define SCHEMA_X3_WHAT_OF_SUBJECT(directive)                                                  \
    template <typename S>                                                                   \
    struct get_info<directive<S>> {                                                         \
        typedef std::string result_type;                                                    \
        std::string operator()(directive<S> const& p) const { return what(p.subject); }   \
    };
SCHEMA_X3_WHAT_OF_SUBJECT(raw_directive)
SCHEMA_X3_WHAT_OF_SUBJECT(omit_directive)
SCHEMA_X3_WHAT_OF_SUBJECT(lexeme_directive)
SCHEMA_X3_WHAT_OF_SUBJECT(expect_directive)
SCHEMA_X3_WHAT_OF_SUBJECT(plus)
SCHEMA_X3_WHAT_OF_SUBJECT(kleene)
SCHEMA_X3_WHAT_OF_SUBJECT(optional)
#undef SCHEMA_X3_WHAT_OF_SUBJECT
}  // namespace boost::spirit::x3

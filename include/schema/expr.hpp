// SQL expressions and other free-form SQL (CHECK, DEFAULT, generated columns,
// partial-index WHERE, view SELECTs, trigger bodies, virtual-table arguments)
// kept as normalized token sequences.
//
// Two spellings compare equal when they differ only in whitespace, comments,
// keyword or identifier case, identifier quoting ("a", [a], `a` and a), or the
// operator synonyms == / = and <> / !=. String literals compare exactly.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/ident.hpp"

namespace schema {

enum class TokenKind : unsigned char {
    word,      // bare identifier or keyword; compared case-insensitively
    quoted,    // identifier that needs quotes (punctuation, spaces, keyword); text unquoted
    string,    // '...' literal; text unescaped, compared exactly
    number,
    blob,      // x'..'
    variable,  // ?1, :name, @name, $name
    punct,     // operators and ( ) , . ;
};

struct Token {
    TokenKind kind = TokenKind::punct;
    std::string text;
    // Written "like this": SQLite reads it as a name when it names a column in
    // scope, and otherwise as a string literal (see resolve_double_quoted).
    bool double_quoted = false;

    bool is(std::string_view punct_or_word) const;  // case-insensitive for words
    bool is_word() const { return kind == TokenKind::word; }
};

// A word SQLite reads as a literal value: NULL, TRUE, FALSE, CURRENT_TIME,
// CURRENT_DATE, CURRENT_TIMESTAMP. The one list: a bare DEFAULT of such a word is
// that value, of any other word a string.
bool is_literal_word(const Token& t);

class Expr {
public:
    Expr() = default;
    explicit Expr(std::vector<Token> tokens);

    const std::vector<Token>& tokens() const { return tokens_; }
    bool empty() const { return tokens_.empty(); }
    const std::string& key() const { return key_; }  // canonical comparison key

    // Canonical SQL text: single spaces, no comments, identifiers quoted only
    // where needed. Parses back to an equal Expr.
    std::string sql() const;

    // True when some token names `name` (as a word or quoted identifier). Used
    // to find which views, triggers and constraints may depend on a column or
    // table; it errs on the side of "yes".
    bool mentions(const Ident& name) const;

    // This expression with every identifier token equal to `from` replaced by `to`.
    Expr with_renamed(const Ident& from, const Ident& to) const;

    friend bool operator==(const Expr& a, const Expr& b) { return a.key_ == b.key_; }
    friend bool operator!=(const Expr& a, const Expr& b) { return a.key_ != b.key_; }

private:
    std::vector<Token> tokens_;
    std::string key_;
};

// `e` with each double-quoted token that SQLite reads as a string literal made a
// string: one in an operand's place (not before '.' or '(', not after '.', COLLATE
// or AS) that names no column in scope. "Active" in CHECK (status = "Active")
// then keeps its case; "status" stays the column it names.
Expr resolve_double_quoted(const Expr& e, const std::function<bool(const Ident&)>& is_column);

// Splits SQL text into normalized tokens (the DDL grammar's own lexer).
// Throws std::invalid_argument on text that is not a token sequence (e.g. an
// unterminated string).
std::vector<Token> tokenize(std::string_view sql);
Expr parse_expr(std::string_view sql);

// Renders tokens with the canonical spacing used by Expr::sql().
std::string render_tokens(const std::vector<Token>& tokens, std::size_t begin, std::size_t end);

}  // namespace schema

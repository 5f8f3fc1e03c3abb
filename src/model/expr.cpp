#include "schema/expr.hpp"

#include <array>

namespace schema {

namespace {

bool folds(TokenKind k) {
    return k == TokenKind::word || k == TokenKind::quoted || k == TokenKind::number || k == TokenKind::blob;
}

bool is_identifier(const Token& t) { return t.kind == TokenKind::word || t.kind == TokenKind::quoted; }

// Keywords that read like functions: written without a space before '('.
bool function_like(const Token& t) {
    static constexpr std::array<std::string_view, 9> words = {"cast", "raise", "replace", "like", "glob",
                                                               "match", "regexp", "exists", "filter"};
    for (auto w : words)
        if (iequals(t.text, w)) return true;
    return false;
}

// Whether `prev` leaves an operand expected, so that a following +/- is unary.
bool expects_operand(const Token* prev) {
    if (prev == nullptr) return true;
    if (prev->kind == TokenKind::punct) return !prev->is(")");
    return prev->kind == TokenKind::word && is_keyword(prev->text);
}

bool is_name(const Token& t) { return t.kind == TokenKind::word || t.kind == TokenKind::quoted; }

// Whether to print a space between two tokens. Leaving one out must never glue
// them into another token ("- -" is not "--", "1 . 2" is not "1.2").
bool space_between(const Token* before_prev, const Token& prev, const Token& cur) {
    const bool cur_punct = cur.kind == TokenKind::punct;
    const bool prev_punct = prev.kind == TokenKind::punct;
    if (cur_punct && (cur.is(",") || cur.is(")") || cur.is(";"))) return false;
    if (cur_punct && cur.is(".")) return !is_name(prev);
    if (prev_punct && prev.is(".")) return !(is_name(cur) || (cur_punct && cur.is("*")));
    if (prev_punct && prev.is("(")) return false;
    if (cur_punct && cur.is("(") && prev.kind == TokenKind::word) return is_keyword(prev.text) && !function_like(prev);
    if (prev_punct && (prev.is("-") || prev.is("+") || prev.is("~")) && expects_operand(before_prev))
        return cur_punct;
    return true;
}

std::string token_sql(const Token& t) {
    switch (t.kind) {
        case TokenKind::quoted: return quote_ident(t.text);
        case TokenKind::string: return quote_string(t.text);
        default: return t.text;
    }
}

}  // namespace

bool Token::is(std::string_view s) const {
    if (kind == TokenKind::punct) return text == s;
    if (kind == TokenKind::word) return iequals(text, s);
    return false;
}

Expr::Expr(std::vector<Token> tokens) : tokens_(std::move(tokens)) {
    for (const auto& t : tokens_) {
        key_ += char('0' + int(t.kind));
        key_ += folds(t.kind) ? fold(t.text) : t.text;
        key_ += '\x1f';
    }
}

std::string render_tokens(const std::vector<Token>& tokens, std::size_t begin, std::size_t end) {
    std::string out;
    for (std::size_t i = begin; i < end; ++i) {
        if (i > begin && space_between(i >= begin + 2 ? &tokens[i - 2] : nullptr, tokens[i - 1], tokens[i]))
            out += ' ';
        out += token_sql(tokens[i]);
    }
    return out;
}

std::string Expr::sql() const { return render_tokens(tokens_, 0, tokens_.size()); }

bool Expr::mentions(const Ident& name) const {
    for (const auto& t : tokens_)
        if (is_identifier(t) && iequals(t.text, name.name())) return true;
    return false;
}

Expr Expr::with_renamed(const Ident& from, const Ident& to) const {
    std::vector<Token> out = tokens_;
    for (auto& t : out)
        if (is_identifier(t) && iequals(t.text, from.name()))
            t = Token{is_plain_identifier(to.name()) ? TokenKind::word : TokenKind::quoted, to.name()};
    return Expr(std::move(out));
}

namespace {
// Whether the double-quoted token at `i` stands where only a name can: a
// qualifier, a qualified name, a function, a collation or a type.
bool in_name_position(const std::vector<Token>& toks, std::size_t i) {
    if (i + 1 < toks.size() && (toks[i + 1].is(".") || toks[i + 1].is("("))) return true;
    if (i == 0) return false;
    const Token& prev = toks[i - 1];
    return prev.is(".") || prev.is("collate") || prev.is("as");
}
}  // namespace

Expr resolve_double_quoted(const Expr& e, const std::function<bool(const Ident&)>& is_column) {
    std::vector<Token> toks = e.tokens();
    bool changed = false;
    for (std::size_t i = 0; i < toks.size(); ++i) {
        Token& t = toks[i];
        if (!t.double_quoted || in_name_position(toks, i) || is_column(Ident(t.text))) continue;
        t = Token{TokenKind::string, t.text};
        changed = true;
    }
    return changed ? Expr(std::move(toks)) : e;
}

bool is_literal_word(const Token& t) {
    if (t.kind != TokenKind::word) return false;
    for (const char* w : {"null", "true", "false", "current_time", "current_date", "current_timestamp"})
        if (t.is(w)) return true;
    return false;
}

}  // namespace schema

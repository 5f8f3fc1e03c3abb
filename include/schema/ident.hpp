// Identifiers: SQLite compares names case-insensitively (ASCII letters only),
// whatever quoting they were written with. Every name in the model is an Ident,
// and every identifier that reaches SQL text goes through quote_ident().
#pragma once

#include <string>
#include <string_view>

namespace schema {

// ASCII case fold, as SQLite's sqlite3StrICmp does: bytes >= 0x80 compare exactly.
std::string fold(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// True when `word` is one of SQLite's keywords (the full list of its tokenizer).
bool is_keyword(std::string_view word);

// True when `s` can be written without quotes: a letter or underscore first,
// then letters, digits, '_' or '$', and not a keyword.
bool is_plain_identifier(std::string_view s);

// The identifier as SQL text: bare when is_plain_identifier(), otherwise in
// double quotes with embedded quotes doubled.
std::string quote_ident(std::string_view name);

// A string literal: single quotes, embedded quotes doubled.
std::string quote_string(std::string_view text);

class Ident {
public:
    Ident() = default;
    Ident(std::string name) : name_(std::move(name)), key_(fold(name_)) {}
    Ident(const char* name) : Ident(std::string(name)) {}

    const std::string& name() const { return name_; }  // as written, unquoted
    const std::string& key() const { return key_; }    // folded, for lookups
    std::string sql() const { return quote_ident(name_); }
    bool empty() const { return name_.empty(); }

    friend bool operator==(const Ident& a, const Ident& b) { return a.key_ == b.key_; }
    friend bool operator!=(const Ident& a, const Ident& b) { return a.key_ != b.key_; }
    friend bool operator<(const Ident& a, const Ident& b) { return a.key_ < b.key_; }

private:
    std::string name_;
    std::string key_;
};

}  // namespace schema

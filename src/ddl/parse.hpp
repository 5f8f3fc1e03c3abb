// Statement-level driver of the grammar: text in, one AST per CREATE statement
// out, or the first syntax error with its byte offset.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ast.hpp"

namespace schema::ddl {

using Statement = std::variant<ast::CreateTable, ast::CreateIndex, ast::CreateView, ast::CreateTrigger,
                               ast::CreateVirtualTable>;

struct ParsedStatement {
    Statement stmt;
    std::size_t begin = 0;       // offset of CREATE
    std::size_t last_token = 0;  // offset just past its last token
    std::size_t end = 0;         // offset of its ';', or the end of the text
};

struct SyntaxError {
    std::size_t offset = 0;
    std::string message;
};

// Parses every statement of `text`. Returns false and fills `error` at the
// first statement that does not parse; statements before it are in `out`.
bool parse_statements(std::string_view text, std::vector<ParsedStatement>& out, SyntaxError& error);

// Where the last token of [begin, end) ends: the grammar's optional parts may
// have skipped blanks and comments past it before they failed.
const char* last_token_end(const char* begin, const char* end);

// A comment of the source and where it starts (used for @renamed hints).
struct Comment {
    std::size_t offset = 0;
    std::string text;  // without the -- or /* */ markers
};
std::vector<Comment> comments_of(std::string_view text);

}  // namespace schema::ddl

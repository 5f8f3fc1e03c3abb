// RAII handles over the SQLite C API, and the one error type for its failures.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <vector>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace schema::sqlite {

class Error : public std::runtime_error {
public:
    Error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const { return code_; }

private:
    int code_;
};

class Statement;

class Database {
public:
    enum class Mode { read_only, read_write, create };

    Database() = default;
    static Database open(const std::string& path, Mode mode);
    static Database memory();
    // A connection someone else opened and closes (an application embedding
    // the runner): this handle never closes it.
    static Database borrow(sqlite3* db);
    ~Database();
    Database(Database&& o) noexcept : db_(o.db_), owned_(o.owned_) { o.db_ = nullptr; }
    Database& operator=(Database&& o) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    sqlite3* get() const { return db_; }
    explicit operator bool() const { return db_ != nullptr; }

    // Runs one or more statements; throws Error with SQLite's message.
    void exec(const std::string& sql);
    Statement prepare(std::string_view sql);
    // The first column of the first row, or nullopt when there is no row / it is NULL.
    std::optional<std::string> query_text(std::string_view sql);
    std::int64_t query_int(std::string_view sql, std::int64_t if_none = 0);

    std::string errmsg() const { return sqlite3_errmsg(db_); }
    void busy_timeout(int ms) { sqlite3_busy_timeout(db_, ms); }
    bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

private:
    explicit Database(sqlite3* db, bool owned = true) : db_(db), owned_(owned) {}
    sqlite3* db_ = nullptr;
    bool owned_ = true;
};

class Statement {
public:
    Statement() = default;
    Statement(sqlite3* db, sqlite3_stmt* st) : db_(db), st_(st) {}
    ~Statement() { sqlite3_finalize(st_); }
    Statement(Statement&& o) noexcept : db_(o.db_), st_(o.st_) { o.st_ = nullptr; }
    Statement& operator=(Statement&& o) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, std::int64_t value);
    Statement& bind_null(int index);

    // Advances; true while a row is available. Throws on error.
    bool step();
    void reset() { sqlite3_reset(st_); }

    std::string text(int col) const;
    std::optional<std::string> text_or_null(int col) const;
    std::int64_t integer(int col) const { return sqlite3_column_int64(st_, col); }
    bool is_null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }
    sqlite3_stmt* get() const { return st_; }

private:
    sqlite3* db_ = nullptr;
    sqlite3_stmt* st_ = nullptr;
};

// Quotes a name for use in SQL text (same rules as schema::quote_ident).
std::string quote(std::string_view name);

// One statement of a script, as SQLite's own parser delimits it. Positions,
// not views, so that a split can be kept beside the text it came from.
struct ScriptStatement {
    std::size_t offset = 0;  // of its first token in the script (comments before it skipped)
    std::size_t size = 0;    // through its ';' (or the end of the script)
    int line = 1;            // of its first token, 1-based

    std::string_view text(std::string_view script) const { return script.substr(offset, size); }
};

// A script split into its statements, once.
struct Script {
    std::vector<ScriptStatement> statements;
    // Where SQLite stops reading: the first NUL byte, which ends SQL text for
    // it wherever it appears (even inside a string literal), so nothing after
    // it would run. npos when SQLite reads the whole text.
    std::size_t unread = std::string_view::npos;
    int unread_line = 0;

    bool fully_readable() const { return unread == std::string_view::npos; }
};

// A statement of a script failed: which one, and SQLite's message.
class ScriptError : public Error {
public:
    ScriptError(int code, const std::string& message, std::size_t offset, std::string statement, int line = 0)
        : Error(code, message), offset_(offset), statement_(std::move(statement)), line_(line) {}
    std::size_t offset() const { return offset_; }
    const std::string& statement() const { return statement_; }
    int line() const { return line_; }  // 1-based, or 0 when unknown

private:
    std::size_t offset_;
    std::string statement_;
    int line_;
};

// The statements of `sql`, in one linear pass that ends each statement where
// sqlite3_complete() would (semicolons in strings, quoted names, comments and
// trigger bodies included), without a database.
Script split_script(std::string_view sql);

// The first `n` tokens of a statement, comments and whitespace skipped, as
// written (quotes kept); fewer when it has fewer.
std::vector<std::string_view> leading_tokens(std::string_view statement, std::size_t n);

// Called before each statement runs; false skips it.
using StatementFilter = std::function<bool(const ScriptStatement&, std::string_view text)>;
// Called after each statement ran, with the rows it changed.
using StatementDone = std::function<void(const ScriptStatement&, std::string_view text, std::int64_t changes)>;

// Runs the statements of `script` (split from `sql`) in order. Refuses, before
// running anything, a script SQLite cannot read to its end (a NUL byte), and
// fails on any text of a statement SQLite did not consume. Throws ScriptError.
void run_script(Database& db, std::string_view sql, const Script& script, const StatementFilter& filter = nullptr,
                const StatementDone& done = nullptr);
void run_script(Database& db, std::string_view sql);

// Why a script with a NUL byte is refused (Script::unread).
std::string unreadable_message();

// Whether this SQLite library provides the virtual-table module `name` (FTS5 and
// R*Tree are built in; an extension's module, such as sqlite-vec's vec0, is not).
bool has_module(std::string_view name);

}  // namespace schema::sqlite

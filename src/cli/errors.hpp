// What an error that ends a command means to the person who ran it: the exit
// code and the message. One mapping, used for a single database (main) and for
// each database of `--all`, so both say the same thing for the same error.
#pragma once

#include <exception>
#include <string>

namespace schema::cli {

struct Failure {
    int code = 2;         // 1 a migration failed / history refused; 2 bad input; 3 internal error
    std::string message;  // ready to print on stderr, without a trailing newline
};

// The failure an exception stands for (CLI parse errors excepted: CLI11 prints those).
Failure describe_failure(const std::exception_ptr& error);

}  // namespace schema::cli

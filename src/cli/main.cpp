// The command line. Exit codes: 0 ok; 1 differences found, data would be lost,
// or a migration failed; 2 bad input (DDL, options, files); 3 internal error.
#include "app.hpp"

int main(int argc, char** argv) { return schema::cli::run_command_line(argc, argv); }

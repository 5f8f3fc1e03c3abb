// Running another program (git, wrangler) with an argument vector, never a
// shell, so that no name, revision or SQL text is ever parsed as a command.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace schema::process {

struct Output {
    int code = -1;  // the program's exit code; 127 when it cannot be run; 128 + signal
    int spawn_error = 0;  // why it could not be run (errno: ENOENT, E2BIG, ...), or 0
    std::string out, err;
};

// Runs `program` (looked up on PATH) with `args` in `dir`, stdin from
// /dev/null; collects its standard output and error.
Output run(const std::string& program, const std::vector<std::string>& args, const std::filesystem::path& dir);

// One word as a POSIX shell reads it: as it is when nothing in it is special,
// else in single quotes (a quote inside as '\''). For messages and scripts we
// print; run() itself never goes through a shell.
std::string shell_quote(std::string_view word);

}  // namespace schema::process

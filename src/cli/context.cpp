#include "context.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace schema::cli {

Output::Output(bool no_color, bool json) : json_(json) {
    const char* env = std::getenv("NO_COLOR");
    color_ = !json && !no_color && !(env && *env) && isatty(STDOUT_FILENO);
    stderr_tty_ = isatty(STDERR_FILENO);
}

void Output::json_line(const std::string& line) const {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

std::string Output::paint(const std::string& text, const char* ansi) const {
    if (!color_) return text;
    return "\033[" + std::string(ansi) + "m" + text + "\033[0m";
}

std::string Output::change_line(const std::string& line) const {
    auto first = line.find_first_not_of(' ');
    if (first == std::string::npos) return line;
    switch (line[first]) {
        case '+': return green(line);
        case '-': return red(line);
        case '!': return red(line);
        case '~': return yellow(line);
        case '>': return paint(line, "36");
        default: return line;
    }
}

Project resolve_project(const Globals& g) {
    Project p;
    if (!g.db.empty()) p.db = g.db;
    if (!g.schema_dir.empty()) p.schema_dir = g.schema_dir;
    if (!g.migrations_dir.empty()) p.migrations_dir = g.migrations_dir;
    if (!g.tracking_table.empty()) p.tracking_table = g.tracking_table;
    if (!g.backup_dir.empty()) p.backup_dir = g.backup_dir;
    if (g.keep_backups) p.keep_backups = *g.keep_backups;
    p.busy_timeout_ms = g.busy_timeout_ms;
    if (p.db.empty()) throw InputError("no database: pass --db FILE (or name one in schema.toml)");
    return p;
}

}  // namespace schema::cli

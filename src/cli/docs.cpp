// `schema man` and `schema completion SHELL`: the man pages and the bash, zsh
// and fish completions, written from the command line's own definitions (every
// command, option, choice and description), so they cannot drift from it. The
// build runs both; `cmake --install` puts the files in place.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <set>

#include "app.hpp"
#include "errors.hpp"
#include "schema/process.hpp"
#include "schema/version.hpp"

namespace schema::cli {

namespace {

struct OptionInfo {
    std::vector<std::string> longs, shorts;  // without dashes
    std::string type;                        // "TEXT", "INT"; empty for a flag
    std::vector<std::string> choices;        // from a TEXT:{a,b} check
    std::string description;
    bool positional = false;
    std::string positional_name;
    bool takes_file() const { return type == "FILE" || type == "DIR"; }
};

std::vector<OptionInfo> options_of(const CLI::App& app) {
    std::vector<OptionInfo> out;
    for (const CLI::Option* o : app.get_options()) {
        if (o->get_name() == "--help" || o->get_name() == "--version") continue;
        OptionInfo info;
        info.longs = o->get_lnames();
        info.shorts = o->get_snames();
        info.description = o->get_description();
        info.positional = o->nonpositional() == false;
        info.positional_name = o->get_name(true);
        if (o->get_type_size() != 0) {
            const std::string t = o->get_type_name();  // "TEXT:{mermaid,dot,svg}", "INT:POSITIVE"
            info.type = t.substr(0, t.find(':'));
            if (auto open = t.find('{'); open != std::string::npos) {
                const auto close = t.find('}', open);
                std::string list = t.substr(open + 1, close - open - 1);
                for (std::size_t start = 0; start <= list.size();) {
                    auto comma = list.find(',', start);
                    if (comma == std::string::npos) comma = list.size();
                    info.choices.push_back(list.substr(start, comma - start));
                    start = comma + 1;
                }
            }
        }
        out.push_back(std::move(info));
    }
    return out;
}

// --- man -------------------------------------------------------------------------

std::string roff(const std::string& text) {
    std::string out;
    bool line_start = true;
    for (char c : text) {
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else out += c;
        line_start = c == '\n';
    }
    return out;
}

std::string option_heading(const OptionInfo& o) {
    if (o.positional) return "\\fI" + roff(o.positional_name) + "\\fR";
    std::string names;
    for (const auto& s : o.shorts) names += (names.empty() ? "" : ", ") + std::string("\\fB\\-") + roff(s) + "\\fR";
    for (const auto& l : o.longs) names += (names.empty() ? "" : ", ") + std::string("\\fB\\-\\-") + roff(l) + "\\fR";
    if (!o.type.empty()) {
        std::string value = o.type;
        if (!o.choices.empty()) {
            value.clear();
            for (const auto& c : o.choices) value += (value.empty() ? "" : "|") + c;
        }
        names += " \\fI" + roff(value) + "\\fR";
    }
    return names;
}

std::string options_section(const char* title, const CLI::App& app) {
    std::string out = fmt::format(".SH {}\n", title);
    for (const auto& o : options_of(app)) out += ".TP\n" + option_heading(o) + "\n" + roff(o.description) + "\n";
    return out;
}

std::string examples_section(const std::string& command) {
    const auto& list = examples_of(command);
    if (list.empty()) return {};
    std::string out = ".SH EXAMPLES\n";
    for (const auto& e : list) out += ".PP\n.nf\n" + roff(e) + "\n.fi\n";
    return out;
}

const char* kExitStatus =
    ".SH EXIT STATUS\n"
    ".TP\n0\nSuccess; for check and diff, nothing differs.\n"
    ".TP\n1\nDifferences found, data would be lost, a lint error, or a migration failed (its database is as it "
    "was).\n"
    ".TP\n2\nBad input: DDL, options, files, configuration.\n"
    ".TP\n3\nAn internal error.\n";

std::string program_page(const CLI::App& app) {
    std::string page = fmt::format(".TH SCHEMA 1 \"\" \"schema {}\" \"User Commands\"\n", SCHEMA_VERSION);
    page += ".SH NAME\nschema \\- schema\\-as\\-code for SQLite\n";
    page += ".SH SYNOPSIS\n.B schema\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fICOMMAND OPTIONS\\fR]\n";
    page += ".SH DESCRIPTION\n" + roff(app.get_description()) + "\n";
    page += ".SH COMMANDS\n";
    for (const CLI::App* c : visible_commands(app))
        page += fmt::format(".TP\n\\fB{}\\fR\n{}. See \\fBschema\\-{}\\fR(1).\n", roff(c->get_name()),
                            roff(c->get_description()), roff(c->get_name()));
    page += options_section("OPTIONS", app);
    page += ".SH ENVIRONMENT\n.TP\nSCHEMA_CONFIG, SCHEMA_ENV, SCHEMA_\\fIKEY\\fR\nThe project file, the environment, "
            "and any key of schema.toml (SCHEMA_DB, SCHEMA_DIALECT, ...).\n.TP\nNO_COLOR\nNo colors.\n";
    page += kExitStatus;
    page += examples_section("");
    page += ".SH SEE ALSO\n";
    std::string see;
    for (const CLI::App* c : visible_commands(app))
        see += (see.empty() ? "" : ",\n") + fmt::format("\\fBschema\\-{}\\fR(1)", roff(c->get_name()));
    page += see + ", \\fBsqlite3\\fR(1)\n";
    return page;
}

std::string command_page(const CLI::App& app, const CLI::App& command) {
    const std::string name = command.get_name();
    std::string upper;
    for (char c : name) upper += char(std::toupper(static_cast<unsigned char>(c)));
    std::string page = fmt::format(".TH SCHEMA\\-{} 1 \"\" \"schema {}\" \"User Commands\"\n", roff(upper),
                                   SCHEMA_VERSION);
    page += fmt::format(".SH NAME\nschema\\-{} \\- {}\n", roff(name), roff(command.get_description()));
    std::string positionals;
    for (const auto& o : options_of(command))
        if (o.positional) positionals += " [\\fI" + roff(o.positional_name) + "\\fR]";
    page += fmt::format(".SH SYNOPSIS\n.B schema {}\n[\\fIOPTIONS\\fR]{}\n", roff(name), positionals);
    page += ".SH DESCRIPTION\n" + roff(command.get_description()) + "\n";
    page += options_section("OPTIONS", command);
    page += options_section("GLOBAL OPTIONS", app);
    page += kExitStatus;
    page += examples_section(name);
    page += ".SH SEE ALSO\n\\fBschema\\fR(1)\n";
    return page;
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
    if (!f.flush()) throw InputError("cannot write " + path.string());
}

// --- completions ---------------------------------------------------------------------

std::string words(const std::vector<std::string>& list) {
    std::string out;
    for (const auto& w : list) out += (out.empty() ? "" : " ") + w;
    return out;
}

std::vector<std::string> flags_of(const std::vector<OptionInfo>& options) {
    std::vector<std::string> out;
    for (const auto& o : options) {
        for (const auto& s : o.shorts) out.push_back("-" + s);
        for (const auto& l : o.longs) out.push_back("--" + l);
    }
    return out;
}

std::string bash_completion(const CLI::App& app) {
    const auto globals = options_of(app);
    std::vector<std::string> commands;
    for (const CLI::App* c : visible_commands(app)) commands.push_back(c->get_name());
    std::string value_cases;  // what an option's value completes to
    std::set<std::string> seen;
    auto add_values = [&](const std::vector<OptionInfo>& options) {
        for (const auto& o : options) {
            if (o.positional || o.type.empty()) continue;
            std::vector<std::string> names;
            for (const auto& s : o.shorts) names.push_back("-" + s);
            for (const auto& l : o.longs) names.push_back("--" + l);
            std::string pattern;
            for (const auto& n : names)
                if (seen.insert(n).second) pattern += (pattern.empty() ? "" : "|") + n;
            if (pattern.empty()) continue;
            if (!o.choices.empty())
                value_cases += fmt::format("        {}) COMPREPLY=($(compgen -W {} -- \"$cur\")); return ;;\n", pattern,
                                           process::shell_quote(words(o.choices)));
            else if (o.takes_file())
                value_cases += fmt::format("        {}) COMPREPLY=($(compgen -{} -- \"$cur\")); return ;;\n", pattern,
                                           o.type == "DIR" ? "d" : "f");
            else
                value_cases += fmt::format("        {}) return ;;\n", pattern);
        }
    };
    add_values(globals);
    std::string command_cases;
    for (const CLI::App* c : visible_commands(app)) {
        const auto options = options_of(*c);
        add_values(options);
        auto flags = flags_of(options);
        if (c->get_name() == "help" || c->get_name() == "completion") {
            for (const auto& o : options)
                if (o.positional) flags.insert(flags.end(), o.choices.begin(), o.choices.end());
            if (c->get_name() == "help") flags.insert(flags.end(), commands.begin(), commands.end());
        }
        command_cases += fmt::format("        {}) opts={} ;;\n", c->get_name(), process::shell_quote(words(flags)));
    }
    return fmt::format(R"(# bash completion for schema {version} (written by `schema completion bash`)
_schema() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local commands={commands}
    local globals={globals}
    case "$prev" in
{values}    esac
    local command="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case " $commands " in *" ${{COMP_WORDS[i]}} "*) command="${{COMP_WORDS[i]}}"; break ;; esac
    done
    if [[ -z "$command" && "$cur" != -* ]]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        return
    fi
    local opts=""
    case "$command" in
{cases}    esac
    COMPREPLY=($(compgen -W "$opts $globals" -- "$cur"))
}}
complete -F _schema schema
)",
                       fmt::arg("version", SCHEMA_VERSION), fmt::arg("commands", process::shell_quote(words(commands))),
                       fmt::arg("globals", process::shell_quote(words(flags_of(globals)))), fmt::arg("values", value_cases),
                       fmt::arg("cases", command_cases));
}

// zsh's _arguments spec of one option: '(-m --name)'{-m,--name}'[description]:value:action'.
std::string zsh_spec(const OptionInfo& o) {
    auto bracket_safe = [](std::string s) {
        std::string out;
        for (char c : s) {
            if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
            out += c;
        }
        return out;
    };
    std::string action = o.type.empty() ? "" : !o.choices.empty() ? ":value:(" + words(o.choices) + ")"
                                             : o.type == "DIR"      ? ":directory:_files -/"
                                             : o.type == "FILE"     ? ":file:_files"
                                                                    : ":value:";
    if (o.positional) return process::shell_quote(fmt::format(":{}:{}", bracket_safe(o.positional_name),
                                                  o.takes_file() ? "_files" : " "));
    std::vector<std::string> names;
    for (const auto& s : o.shorts) names.push_back("-" + s);
    for (const auto& l : o.longs) names.push_back("--" + l);
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : " ") + process::shell_quote(fmt::format("{}[{}]{}", n, bracket_safe(o.description), action));
    return out;
}

std::string zsh_completion(const CLI::App& app) {
    std::string globals;
    for (const auto& o : options_of(app)) globals += "        " + zsh_spec(o) + "\n";
    std::string commands, cases;
    for (const CLI::App* c : visible_commands(app)) {
        std::string name_safe;
        for (char ch : c->get_name()) name_safe += ch == ':' ? std::string("\\:") : std::string(1, ch);
        commands += "        " + process::shell_quote(name_safe + ":" + c->get_description()) + "\n";
        std::string specs;
        for (const auto& o : options_of(*c)) specs += " " + zsh_spec(o);
        cases += fmt::format("            {}) _arguments -s \"${{globals[@]}}\"{} ;;\n", c->get_name(), specs);
    }
    return fmt::format(R"(#compdef schema
# zsh completion for schema {version} (written by `schema completion zsh`)
_schema() {{
    local -a commands globals
    globals=(
{globals}    )
    commands=(
{commands}    )
    local curcontext="$curcontext" state line
    _arguments -C "${{globals[@]}}" '1: :->command' '*:: :->arguments'
    case $state in
        command) _describe -t commands 'schema command' commands ;;
        arguments)
            case $words[1] in
{cases}            esac ;;
    esac
}}
_schema "$@"
)",
                       fmt::arg("version", SCHEMA_VERSION), fmt::arg("globals", globals),
                       fmt::arg("commands", commands), fmt::arg("cases", cases));
}

std::string fish_option(const OptionInfo& o, const std::string& condition) {
    if (o.positional) return {};
    std::string line = "complete -c schema";
    if (!condition.empty()) line += " -n " + process::shell_quote(condition);
    for (const auto& s : o.shorts) line += " -s " + s;
    for (const auto& l : o.longs) line += " -l " + l;
    if (!o.type.empty()) line += o.takes_file() ? " -r -F" : " -x";
    if (!o.choices.empty()) line += " -a " + process::shell_quote(words(o.choices));
    return line + " -d " + process::shell_quote(o.description) + "\n";
}

std::string fish_completion(const CLI::App& app) {
    std::string out = fmt::format("# fish completion for schema {} (written by `schema completion fish`)\n"
                                  "complete -c schema -f\n",
                                  SCHEMA_VERSION);
    for (const auto& o : options_of(app)) out += fish_option(o, "");
    for (const CLI::App* c : visible_commands(app))
        out += fmt::format("complete -c schema -n __fish_use_subcommand -a {} -d {}\n", process::shell_quote(c->get_name()),
                           process::shell_quote(c->get_description()));
    for (const CLI::App* c : visible_commands(app))
        for (const auto& o : options_of(*c)) out += fish_option(o, "__fish_seen_subcommand_from " + c->get_name());
    return out;
}

}  // namespace

void register_completion(CLI::App& app) {
    struct Args {
        std::string shell, output;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("completion", "Print the shell completion script for bash, zsh or fish");
    cmd->add_option("SHELL", args->shell, "the shell")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
    cmd->add_option("-o,--output", args->output, "the file to write (default: standard output)")->type_name("FILE");
    cmd->callback([&app, args] {
        const std::string text = args->shell == "bash" ? bash_completion(app)
                                 : args->shell == "zsh" ? zsh_completion(app)
                                                        : fish_completion(app);
        if (args->output.empty()) std::cout << text;
        else write_text(args->output, text);
    });
}

void register_man(CLI::App& app) {
    auto dir = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("man", "Write the man pages: schema.1 and one schema-COMMAND.1 per command");
    cmd->group("");  // for the build; people read them with man
    cmd->add_option("-o,--output", *dir, "the directory to write them to")->type_name("DIR")->required();
    cmd->callback([&app, dir] {
        fs::create_directories(*dir);
        write_text(fs::path(*dir) / "schema.1", program_page(app));
        for (const CLI::App* c : visible_commands(app))
            write_text(fs::path(*dir) / ("schema-" + c->get_name() + ".1"), command_page(app, *c));
    });
}

}  // namespace schema::cli

// schema lint: the rules of schema/lint.hpp over the pending migrations, in
// every output format; exit 1 when an error is not accepted by its file.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

#include "context.hpp"
#include "errors.hpp"
#include "lint_report.hpp"

namespace schema::cli {

std::vector<LintFinding> lint_project(const Project& p, const LintSelection& selection) {
    auto dir = migrate::Directory::load(p.migrations_dir);
    dir.require_unique_versions();
    LintOptions options{p.dialect, 100000, std::nullopt};
    if (!selection.git_base.empty()) options.only = versions_added_since(dir, selection.git_base);
    else if (selection.latest > 0) options.only = latest_versions(dir, selection.latest);
    return lint(target_of(p), dir, options);
}

bool lint_fails(const std::vector<LintFinding>& findings) {
    for (const auto& f : findings)
        if (!f.ignored && f.severity == LintFinding::Severity::error) return true;
    return false;
}

std::string lint_markdown(const std::vector<LintFinding>& findings) {
    std::string md = "| | Rule | Where | Finding |\n|:-:|---|---|---|\n";
    for (const auto& f : findings)
        md += fmt::format("| {} | `{}` | `{}` | {}{} |\n", f.severity == LintFinding::Severity::error ? "❌" : "⚠️",
                          f.rule, f.pos.str(), markdown_escape(f.message), f.ignored ? " _(accepted in the file)_" : "");
    return md;
}

void print_lint(const std::vector<LintFinding>& findings, const std::string& format, Output& out) {
    if (format == "json" || out.json()) {
        for (const auto& f : findings)
            out.json_line({{"event", "lint"},
                           {"rule", f.rule},
                           {"severity", severity_name(f.severity)},
                           {"file", f.pos.file},
                           {"line", f.pos.line},
                           {"message", f.message},
                           {"ignored", f.ignored}});
        return;
    }
    if (format == "github") {
        for (const auto& f : findings) {
            if (f.ignored) continue;
            std::cout << "::" << (f.severity == LintFinding::Severity::error ? "error" : "warning")
                      << " file=" << github_escape(f.pos.file, true) << ",line=" << f.pos.line
                      << ",title=" << github_escape("schema lint " + f.rule, true) << "::"
                      << github_escape(f.message, false) << "\n";
        }
        return;
    }
    if (format == "markdown") {
        std::cout << fit_markdown(fmt::format("## schema lint: {} finding{}\n\n", findings.size(),
                                              findings.size() == 1 ? "" : "s") +
                                  (findings.empty() ? std::string() : lint_markdown(findings)));
        return;
    }
    for (const auto& f : findings) {
        const std::string head = fmt::format("{}: {} [{}]", f.pos.str(), severity_name(f.severity), f.rule);
        std::cout << (f.ignored ? out.dim(head)
                                : f.severity == LintFinding::Severity::error ? out.red(head) : out.yellow(head))
                  << ": " << f.message << (f.ignored ? " (accepted: schema:lint ignore)" : "") << "\n";
    }
    if (findings.empty()) std::cout << "lint: no findings in the pending migrations\n";
}

namespace {

int run_lint(const Project& p, const LintSelection& selection, const std::string& format, Output& out) {
    auto findings = lint_project(p, selection);
    print_lint(findings, format, out);
    return lint_fails(findings) ? 1 : 0;
}

}  // namespace

void register_lint(CLI::App& app, Globals& g, int& exit_code) {
    auto* cmd = app.add_subcommand("lint", "Review the pending migrations: destructive, data-dependent and "
                                           "incompatible changes, large rebuilds, refused statements, missing "
                                           "rollbacks");
    auto selection = std::make_shared<LintSelection>();
    cmd->add_option("--git-base", selection->git_base,
                    "offline, without a database: lint the migrations this git revision lacks (a pull request's "
                    "files against its base branch)")
        ->type_name("REV");
    cmd->add_option("--latest", selection->latest, "offline, without a database: lint the newest N migrations")
        ->check(CLI::PositiveNumber)
        ->excludes(cmd->get_option("--git-base"));
    cmd->callback([&g, &exit_code, selection] {
        Output out(g.no_color, g.wants_json());
        exit_code = for_each_project(
            g, out, [&](const Project& p) { return run_lint(p, *selection, g.format, out); }, false);
    });
}

}  // namespace schema::cli

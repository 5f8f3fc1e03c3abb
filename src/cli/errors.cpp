#include "errors.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

#include "config.hpp"
#include "schema/migrate.hpp"
#include "schema/d1.hpp"
#include "schema/verify.hpp"

namespace schema::cli {

Failure describe_failure(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const InputError& e) {
        Failure f{2, e.what(), {}};  // already `file:line:col: message` with the offending line
        for (const auto& d : e.diagnostics())
            if (!d.warning) f.where.push_back(d);
        return f;
    } catch (const ProofError& e) {
        // A declaration SQLite rejects is at its file and line, for CI formats.
        std::vector<Diagnostic> where;
        if (e.diagnostic().pos.known()) where.push_back(e.diagnostic());
        if (e.planner_bug())
            return {3,
                    std::string("schema: internal error: the generated migration failed its proof on the shadow "
                                "database, so nothing was written.\n") +
                        e.what() + "\nPlease report this with your schema/ files.",
                    where};
        return {2, e.what(), where};
    } catch (const migrate::Interrupted& e) {
        return {128 + e.signal(), std::string("schema: ") + e.what(), {}};
    } catch (const migrate::MigrationFailed& e) {
        Failure f{1, std::string("schema: ") + e.what(), {}};
        f.where.push_back({{e.file(), e.line(), 1, 0}, e.sqlite_message() + " (statement: " + e.statement() + ")",
                           {}, false});
        return f;
    } catch (const migrate::HistoryError& e) {
        return {1, std::string("schema: ") + e.what(), {}};
    } catch (const ConfigError& e) {
        Failure f{2, std::string("schema: ") + e.what(), {}};
        f.where.push_back({{e.file().string(), e.line(), e.column(), 0}, e.problem(), {}, false});
        return f;
    } catch (const d1::WranglerError& e) {
        // Not installed, not logged in, no such database: the setup (2); else what D1 refused (1).
        return {e.setup() ? 2 : 1, std::string("schema: ") + e.what(), {}};
    } catch (const sqlite::Error& e) {
        return {2, std::string("schema: ") + e.what(), {}};
    } catch (const std::logic_error& e) {
        return {3, std::string("schema: internal error: ") + e.what(), {}};
    } catch (const std::exception& e) {
        return {2, std::string("schema: ") + e.what(), {}};
    } catch (...) {
        return {3, "schema: internal error: an unknown exception", {}};
    }
}

std::string github_escape(std::string_view s, bool property) {
    std::string out;
    for (char c : s) {
        if (c == '%') out += "%25";
        else if (c == '\r') out += "%0D";
        else if (c == '\n') out += "%0A";
        else if (property && c == ':') out += "%3A";
        else if (property && c == ',') out += "%2C";
        else out += c;
    }
    return out;
}

std::string markdown_escape(std::string_view s, bool code_spans) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '|': out += "\\|"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '`': out += code_spans ? "`" : "\\`"; break;
            case '\r': break;
            case '\n': out += "<br>"; break;
            default: out += c;
        }
    }
    return out;
}

std::string fit_markdown(const std::string& text, std::size_t limit) {
    if (text.size() <= limit) return text;
    std::size_t cut = text.rfind('\n', limit);
    if (cut == std::string::npos) cut = 0;
    std::string kept = text.substr(0, cut + 1);
    std::size_t left = 0;
    for (std::size_t i = cut + 1; i < text.size(); ++i) left += text[i] == '\n';
    if (text.back() != '\n') ++left;
    // A cut inside a fenced block would swallow the note: close it first.
    std::size_t fences = 0;
    for (std::size_t at = kept.find("```"); at != std::string::npos; at = kept.find("```", at + 3)) ++fences;
    if (fences % 2) kept += "```\n";
    if (kept.find("<details>") != std::string::npos &&
        kept.rfind("<details>") > (kept.rfind("</details>") == std::string::npos ? 0 : kept.rfind("</details>")))
        kept += "\n</details>\n";
    return kept + fmt::format("\n_… {} more line{} left out: GitHub holds 65,536 characters in a comment. The job's "
                              "log has everything (the same command without `--format markdown`)._\n",
                              left, left == 1 ? "" : "s");
}

void report_failure(const Failure& f, const std::string& format, const std::string& database,
                    const std::string& name) {
    if (format == "json") {
        std::cerr << f.message << "\n";
        auto line = [&](const nlohmann::json& j) {
            std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        };
        if (f.where.empty()) {
            nlohmann::json j{{"event", "error"}, {"exit", f.code}, {"message", f.message}};
            if (!database.empty()) j["database"] = database;
            if (!name.empty()) j["name"] = name;
            line(j);
        }
        for (const auto& d : f.where) {
            nlohmann::json j{{"event", "error"}, {"exit", f.code}, {"message", d.message}};
            if (!d.pos.file.empty()) j["file"] = d.pos.file;
            if (d.pos.line > 0) j["line"] = d.pos.line;
            if (d.pos.col > 0) j["column"] = d.pos.col;
            if (!database.empty()) j["database"] = database;
            if (!name.empty()) j["name"] = name;
            line(j);
        }
        std::cout.flush();
        return;
    }
    if (format == "github") {
        if (f.where.empty())
            std::cout << "::error title=schema::" << github_escape(f.message, false) << "\n";
        for (const auto& d : f.where) {
            std::string props;
            if (!d.pos.file.empty()) props += "file=" + github_escape(d.pos.file, true) + ",";
            if (d.pos.line > 0) props += fmt::format("line={},", d.pos.line);
            if (d.pos.col > 0) props += fmt::format("col={},", d.pos.col);
            std::cout << "::error " << props << "title=schema::" << github_escape(d.message, false) << "\n";
        }
        std::cout.flush();
        // The whole message, with its caret lines, for the job's log.
        std::cerr << f.message << "\n";
        return;
    }
    if (format == "markdown") {
        std::string md = "## schema: error\n\n";
        if (f.where.empty()) {
            md += markdown_escape(f.message) + "\n";
        } else {
            md += "| Where | Problem |\n|---|---|\n";
            for (const auto& d : f.where)
                md += "| " + (d.pos.known() ? "<code>" + markdown_escape(d.pos.str()) + "</code>" : std::string("—")) +
                      " | " +
                      markdown_escape(d.message) + " |\n";
        }
        std::cout << fit_markdown(md);
        std::cout.flush();
        std::cerr << f.message << "\n";
        return;
    }
    std::cerr << f.message << "\n";
}

}  // namespace schema::cli

// Entity-relationship diagrams of a schema, or of the part a change touches
// with its foreign-key neighbours: Mermaid `erDiagram` (GitHub renders it in a
// comment), Graphviz DOT, and SVG laid out by Graphviz's own library.
#pragma once

#include <map>
#include <set>
#include <string>

#include "schema/model.hpp"

namespace schema {

// How a table of the diagram takes part in a change.
enum class TableMark { none, added, changed, rebuilt, dropped };

struct ErdOptions {
    // Only these tables (folded names) and the tables their foreign keys join
    // them to; every table when empty.
    std::set<std::string> focus;
    std::map<std::string, TableMark> marks;  // by folded name
};

// The tables the diagram shows: `focus` and their neighbours, or all.
std::set<std::string> erd_tables(const Schema& s, const ErdOptions& o);

std::string erd_mermaid(const Schema& s, const ErdOptions& o);
std::string erd_dot(const Schema& s, const ErdOptions& o);
// Lays the DOT out with Graphviz (libgvc, the `dot` engine) and renders SVG.
// Throws std::runtime_error when Graphviz cannot.
std::string erd_svg(const Schema& s, const ErdOptions& o);

}  // namespace schema

// Rule declarations of the schema-statement grammar (definitions in
// grammar_def.hpp). One rule per production of SQLite's parse.y that a schema
// statement uses, named after it.
#pragma once

#include <boost/spirit/home/x3.hpp>

#include "ast.hpp"

namespace schema::ddl::grammar {

namespace x3 = boost::spirit::x3;

struct create_table_stmt_class;
struct create_index_stmt_class;
struct create_view_stmt_class;
struct create_trigger_stmt_class;
struct create_virtual_table_stmt_class;

using create_table_stmt_type = x3::rule<create_table_stmt_class, ast::CreateTable>;
using create_index_stmt_type = x3::rule<create_index_stmt_class, ast::CreateIndex>;
using create_view_stmt_type = x3::rule<create_view_stmt_class, ast::CreateView>;
using create_trigger_stmt_type = x3::rule<create_trigger_stmt_class, ast::CreateTrigger>;
using create_virtual_table_stmt_type = x3::rule<create_virtual_table_stmt_class, ast::CreateVirtualTable>;

}  // namespace schema::ddl::grammar

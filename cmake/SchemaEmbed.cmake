# schema_embed_migrations(TARGET DIRECTORY dir [FUNCTION name])
#
# Compiles the migrations of `dir` into TARGET: at build time `schema embed`
# writes <function>.cpp and <function>.hpp into the binary directory, again
# whenever a migration changes. TARGET then calls `<function>()` for a
# schema::MigrationSource and links schema::schema.
function(schema_embed_migrations target)
  cmake_parse_arguments(ARG "" "DIRECTORY;FUNCTION" "" ${ARGN})
  if(NOT ARG_DIRECTORY)
    message(FATAL_ERROR "schema_embed_migrations: DIRECTORY is required")
  endif()
  if(NOT ARG_FUNCTION)
    set(ARG_FUNCTION schema_migrations)
  endif()
  get_filename_component(dir "${ARG_DIRECTORY}" ABSOLUTE)
  string(REPLACE "::" "_" stem "${ARG_FUNCTION}")
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/schema_embed")
  set(source "${out_dir}/${stem}.cpp")
  set(header "${out_dir}/${stem}.hpp")
  file(GLOB_RECURSE migrations CONFIGURE_DEPENDS "${dir}/*.sql")
  add_custom_command(
    OUTPUT "${source}" "${header}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${out_dir}"
    COMMAND schema::cli --dir "${dir}" embed -o "${source}" --header "${header}" --function "${ARG_FUNCTION}"
    DEPENDS ${migrations}
    COMMENT "Embedding the migrations of ${dir}"
    VERBATIM)
  target_sources(${target} PRIVATE "${source}" "${header}")
  target_include_directories(${target} PRIVATE "${out_dir}")
  target_link_libraries(${target} PRIVATE schema::schema)
endfunction()

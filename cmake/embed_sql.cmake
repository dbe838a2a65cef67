# Writes a C++ source holding every database/schema/*.sql file as a string,
# in file-name order (the order they are applied in).
file(GLOB files RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/*.sql)
list(SORT files)
set(body "// Generated from database/schema by cmake/embed_sql.cmake. Do not edit.\n")
string(APPEND body "#include \"schema/sql_source.hpp\"\n\nnamespace agentbase::schema {\n\n")
string(APPEND body "const std::vector<SqlFile>& EmbeddedSchemaFiles() {\n  static const std::vector<SqlFile> files = {\n")
foreach(f ${files})
  file(READ ${SOURCE_DIR}/${f} content)
  string(APPEND body "    {\"${f}\", R\"agentbase_sql(${content})agentbase_sql\"},\n")
endforeach()
string(APPEND body "  };\n  return files;\n}\n\n}  // namespace agentbase::schema\n")
file(WRITE ${OUTPUT}.tmp "${body}")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)

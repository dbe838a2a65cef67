# Builds the web console (console/) and writes a C++ source holding every
# file of the build, each with its gzip form (made here, once, so the server
# never compresses) and a content hash for its ETag.
#
#   -DCONSOLE_DIR=console/  -DDIST_DIR=<build>/console-dist  -DOUTPUT=<.cpp>
#   -DNPM=npm -DNODE=node
#
# npm ci runs only when console/node_modules is older than package-lock.json
# (npm writes node_modules/.package-lock.json at each install).
set(installed ${CONSOLE_DIR}/node_modules/.package-lock.json)
if(NOT EXISTS ${installed} OR ${CONSOLE_DIR}/package-lock.json IS_NEWER_THAN ${installed})
  message(STATUS "console: npm ci")
  execute_process(COMMAND ${NPM} ci --no-audit --no-fund --loglevel=error WORKING_DIRECTORY ${CONSOLE_DIR}
                  RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "console: npm ci failed (is the npm registry reachable?)")
  endif()
endif()

execute_process(COMMAND ${NODE} node_modules/vite/bin/vite.js build --logLevel warn --outDir ${DIST_DIR} --emptyOutDir
                WORKING_DIRECTORY ${CONSOLE_DIR} RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "console: vite build failed")
endif()

file(GLOB_RECURSE files RELATIVE ${DIST_DIR} ${DIST_DIR}/*)
list(FILTER files EXCLUDE REGEX "\\.gz$")
list(SORT files)

# Bytes as a string literal of \x escapes only (each ends at the next
# backslash, so none runs into the following byte); parsed far faster than
# an initialiser list.
function(byte_array path out)
  file(READ ${path} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" hex "${hex}")
  set(${out} "\"${hex}\"" PARENT_SCOPE)
endfunction()

set(arrays "")
set(entries "")
set(index 0)
foreach(f ${files})
  set(path ${DIST_DIR}/${f})
  file(SIZE ${path} size)
  file(SHA256 ${path} digest)
  string(SUBSTRING ${digest} 0 20 digest)
  byte_array(${path} bytes)
  string(APPEND arrays "const char kFile${index}[] = ${bytes};\n")
  # Compressed only where it saves something (not, say, for a PNG).
  set(gzip_view "{}")
  execute_process(COMMAND gzip -9 -n -c ${path} OUTPUT_FILE ${path}.gz RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "console: gzip ${f} failed")
  endif()
  file(SIZE ${path}.gz gzip_size)
  math(EXPR gzip_tenths "${gzip_size} * 10")
  math(EXPR size_ninths "${size} * 9")
  if(gzip_tenths LESS size_ninths)
    byte_array(${path}.gz gzip_bytes)
    string(APPEND arrays "const char kFile${index}Gzip[] = ${gzip_bytes};\n")
    set(gzip_view "{kFile${index}Gzip, ${gzip_size}}")
  endif()
  string(APPEND entries "      {\"/${f}\", {kFile${index}, ${size}}, ${gzip_view}, \"${digest}\"},\n")
  math(EXPR index "${index} + 1")
endforeach()

set(body "// Generated from console/ by cmake/embed_console.cmake. Do not edit.\n")
string(APPEND body "#include \"console/assets.hpp\"\n\nnamespace agentbase::console {\n\nnamespace {\n\n${arrays}\n}  // namespace\n\n")
string(APPEND body "const std::vector<Asset>& EmbeddedAssets() {\n  static const std::vector<Asset> assets = {\n${entries}  };\n")
string(APPEND body "  return assets;\n}\n\n}  // namespace agentbase::console\n")
file(WRITE ${OUTPUT}.tmp "${body}")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)

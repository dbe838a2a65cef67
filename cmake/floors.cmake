# The floors of src/, lowest first: one entry per floor, its folders
# separated by spaces. Code looks only down: a folder may include its own
# headers and those of the folders on the floors below it, never a folder
# beside it or above it. The CMakeLists.txt builds one library per folder
# from this table (each linking the libraries of the floors below and seeing
# only their headers), and cmake/check_layers.cmake checks every #include
# against it. The table is the tree: a folder of src/ that is listed
# nowhere, or a listed folder that does not exist, stops the configure.
set(AGENTBASE_FLOORS
    "util"                                            # 0: text, UTF-8, base64url, checksums, Result
    "console db http jsonschema metrics pgctl schema" # 1: the web console's files; libpq and the pool; HTTP; JSON Schema; counters; the embedded PostgreSQL; the SQL
    "auth changes embed migrate tools"                # 2: JWTs, keys, users, /auth/v1; change capture; embeddings; plan, push, verify; tool configs
    "memory rest realtime"                            # 3: user memory's search index; /rest/v1 (PostgREST's dialect); /realtime/v1
    "app")                                            # 4: the commands; wires the floors below together

# AGENTBASE_FLOOR_<folder>: the floor number of each folder in the table.
set(_floor 0)
foreach(_entry IN LISTS AGENTBASE_FLOORS)
  string(REPLACE " " ";" _folders "${_entry}")
  foreach(_folder IN LISTS _folders)
    set(AGENTBASE_FLOOR_${_folder} ${_floor})
  endforeach()
  math(EXPR _floor "${_floor} + 1")
endforeach()
unset(_floor)
unset(_entry)
unset(_folders)
unset(_folder)

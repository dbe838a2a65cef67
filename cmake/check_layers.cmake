# Checks every #include of src/ against the floors of cmake/floors.cmake:
# a folder's files may include their own folder's headers and those of the
# folders on lower floors, nothing beside or above, and nothing through "..".
#
#   cmake -DSOURCE_DIR=<checkout> [-DSTAMP=<file>] -P cmake/check_layers.cmake
#
# The build runs it (target check_layers, part of `all`), so a header that
# breaks the layering fails the build even where no library's compile would
# notice (a header no .cpp of its own folder includes). STAMP, when given, is
# touched on success.
cmake_minimum_required(VERSION 3.25)
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "check_layers: pass -DSOURCE_DIR=<checkout>")
endif()
include(${SOURCE_DIR}/cmake/floors.cmake)

file(GLOB _entries LIST_DIRECTORIES true RELATIVE ${SOURCE_DIR}/src ${SOURCE_DIR}/src/*)
set(_folders)
foreach(_entry IN LISTS _entries)
  if(IS_DIRECTORY ${SOURCE_DIR}/src/${_entry})
    list(APPEND _folders ${_entry})
  endif()
endforeach()

set(_problems "")
set(_count 0)
foreach(_folder IN LISTS _folders)
  if(NOT DEFINED AGENTBASE_FLOOR_${_folder})
    string(APPEND _problems "  src/${_folder}/ is on no floor: add it to AGENTBASE_FLOORS in cmake/floors.cmake\n")
    math(EXPR _count "${_count} + 1")
    continue()
  endif()
  set(_own ${AGENTBASE_FLOOR_${_folder}})
  file(GLOB_RECURSE _files RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/src/${_folder}/*.cpp ${SOURCE_DIR}/src/${_folder}/*.hpp
       ${SOURCE_DIR}/src/${_folder}/*.h ${SOURCE_DIR}/src/${_folder}/*.ipp)
  foreach(_file IN LISTS _files)
    file(STRINGS ${SOURCE_DIR}/${_file} _includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(_line IN LISTS _includes)
      if(NOT _line MATCHES "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]+)[>\"]")
        continue()
      endif()
      set(_path "${CMAKE_MATCH_1}")
      if(_path MATCHES "^\\.\\./" OR _path MATCHES "/\\.\\./")
        string(APPEND _problems "  ${_file}: #include \"${_path}\" climbs out of its folder "
               "(name the header by its folder)\n")
        math(EXPR _count "${_count} + 1")
        continue()
      endif()
      if(NOT _path MATCHES "^([^/]+)/")
        continue()
      endif()
      set(_target "${CMAKE_MATCH_1}")
      if(_target STREQUAL _folder OR NOT _target IN_LIST _folders)
        continue()  # its own folder, or not ours (<boost/...>, <sys/...>)
      endif()
      if(NOT DEFINED AGENTBASE_FLOOR_${_target})
        continue()  # reported above
      endif()
      if(NOT AGENTBASE_FLOOR_${_target} LESS _own)
        string(APPEND _problems "  ${_file}: #include \"${_path}\": ${_folder}/ (floor ${_own}) may not include "
               "${_target}/ (floor ${AGENTBASE_FLOOR_${_target}}), code looks only down\n")
        math(EXPR _count "${_count} + 1")
      endif()
    endforeach()
  endforeach()
endforeach()

if(_count GREATER 0)
  message(FATAL_ERROR "layering: ${_count} problem(s) (the floors are in cmake/floors.cmake):\n${_problems}")
endif()
if(STAMP)
  file(TOUCH ${STAMP})
endif()

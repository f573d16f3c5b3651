# Checks that JSON is read and written through lmc's one door: only lib/base/json.cpp parses
# (base::parse_json: one rule set, the depth limit, no recursion) and only lib/base/json_writer.cpp
# formats (lmc::JsonWriter: escaping, numbers). Run as
#   cmake -DROOT=<source tree> -P check_json_door.cmake
cmake_minimum_required(VERSION 3.25)

if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<source tree> -P check_json_door.cmake")
endif()

# What only the door may use: RapidJSON's parsing and writing entry points.
set(forbidden "\\.Parse<" "\\.Parse\\(" "ParseStream" "ParseInsitu" "rapidjson/reader\\.h"
              "rapidjson/writer\\.h" "rapidjson/prettywriter\\.h" "rapidjson::Writer"
              "rapidjson::PrettyWriter" "rapidjson::Reader")
set(door lib/base/json.cpp lib/base/json_writer.cpp)

file(GLOB_RECURSE files RELATIVE "${ROOT}" "${ROOT}/lib/*.cpp" "${ROOT}/lib/*.hpp"
     "${ROOT}/examples/*.cpp" "${ROOT}/examples/*.hpp")
set(problems "")
foreach(file IN LISTS files)
  if(file IN_LIST door)
    continue()
  endif()
  file(READ "${ROOT}/${file}" text)
  foreach(pattern IN LISTS forbidden)
    if(text MATCHES "${pattern}")
      list(APPEND problems "${file}: uses ${CMAKE_MATCH_0} (parse with base::parse_json, write with lmc::JsonWriter)")
    endif()
  endforeach()
  if(file MATCHES "^examples/" AND text MATCHES "rapidjson")
    list(APPEND problems "${file}: an example uses RapidJSON (use lmc::JsonWriter, lmc::Corpus)")
  endif()
endforeach()
list(LENGTH files count)
if(count LESS 10)
  message(FATAL_ERROR "only ${count} files found under ${ROOT}: wrong ROOT?")
endif()
if(problems)
  foreach(problem IN LISTS problems)
    message("${problem}")
  endforeach()
  message(FATAL_ERROR "JSON outside the door")
endif()
message("json door: ${count} files, JSON parsed and written only in lib/base")

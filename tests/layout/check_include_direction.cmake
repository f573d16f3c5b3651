# Checks that every #include in lib/ and include/lmc/ runs along the data path of the design
# (docs/layout.md): base → format → tokenizer / model → nn; eval and coding above the model;
# stats apart. Run as
#   cmake -DROOT=<source tree> -P check_include_direction.cmake
# It prints one line per include that runs the wrong way and fails when there is any.
#
# The rules, for a file of stage S (lib/S/... or a public header that belongs to S):
#  - "S/..." (its own private headers) and "base/..." (the toolbox every stage uses) are allowed;
#  - "nn/..." is allowed in the model stage too: nn's headers are the interface the model binds
#    its weights to. No other stage's private header may be included from outside it;
#  - <lmc/H> is allowed when H belongs to S or to a stage S may use (the table below);
#  - <lmc/lmc.hpp>, the umbrella, is for programs: no file of the library includes it;
#  - capi (the C API) sits above every stage: it includes their public headers only;
#  - examples/ include public headers and their own headers only (the public API).

cmake_minimum_required(VERSION 3.25)

if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<source tree> -P check_include_direction.cmake")
endif()

# Which stages' public headers each stage may include (besides its own).
set(uses_base "")
set(uses_format base)
set(uses_nn base)
set(uses_tokenizer base format)
set(uses_model base format tokenizer)
set(uses_eval base format tokenizer model)
set(uses_coding base format tokenizer model)
set(uses_stats base)
set(uses_capi base format tokenizer model eval coding stats)
set(stages base format nn tokenizer model eval coding stats capi)

# The stage of every public header (path below include/lmc/, without ".hpp"). A new public header
# gets a line here.
set(public_error base)
set(public_export base)  # generated
set(public_version base)  # generated
set(public_token base)
set(public_json base)
set(public_atomic_file base)
set(public_utf8 base)
set(public_dtype format)
set(public_tensor format)
set(public_gguf format)
set(public_safetensors format)
set(public_hf_config format)
set(public_tokenizer tokenizer)
set(public_model model)
set(public_corpus eval)
set(public_eval eval)
set(public_coding_model coding)
set(public_compressor coding)
set(public_stats stats)
set(public_stats/correlation stats)
set(public_stats/plot stats)
set(public_stats/regression stats)
set(public_stats/resampling stats)
set(public_stats/study stats)
set(public_lmc umbrella)
set(public_lmc.h capi)  # the C API

set(problems "")
set(checked 0)

function(public_stage header out)
  string(REGEX REPLACE "\\.hpp$" "" name "${header}")
  if(DEFINED public_${name})
    set(${out} "${public_${name}}" PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

# Checks the includes of `file` (relative to ROOT) as a file of `stage`.
function(check_file file stage)
  file(STRINGS "${ROOT}/${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  set(line_problems "")
  foreach(line IN LISTS lines)
    if(line MATCHES "#[ \t]*include[ \t]*<lmc/([^>]+)>")
      set(header "${CMAKE_MATCH_1}")
      public_stage("${header}" target)
      if(target STREQUAL "")
        list(APPEND line_problems "${file}: <lmc/${header}> is a public header without a stage (add it to tests/layout/check_include_direction.cmake)")
      elseif(target STREQUAL "umbrella")
        if(NOT stage STREQUAL "umbrella")
          list(APPEND line_problems "${file}: includes the umbrella <lmc/lmc.hpp> (include the headers it needs)")
        endif()
      elseif(NOT stage STREQUAL "umbrella" AND NOT target STREQUAL stage
             AND NOT target IN_LIST uses_${stage})
        list(APPEND line_problems "${file}: ${stage} includes <lmc/${header}> of ${target}, against the data path")
      endif()
    elseif(line MATCHES "#[ \t]*include[ \t]*\"([a-z_0-9]+)/([^\"]+)\"")
      set(target "${CMAKE_MATCH_1}")
      set(header "${CMAKE_MATCH_1}/${CMAKE_MATCH_2}")
      if(target IN_LIST stages)
        if(stage STREQUAL "umbrella" OR (NOT stage IN_LIST stages))
          list(APPEND line_problems "${file}: a public header includes the private \"${header}\"")
        elseif(NOT target STREQUAL stage AND NOT target STREQUAL "base"
               AND NOT (target STREQUAL "nn" AND stage STREQUAL "model"))
          list(APPEND line_problems "${file}: ${stage} includes \"${header}\", a private header of ${target}")
        endif()
      endif()
    endif()
  endforeach()
  set(problems "${problems};${line_problems}" PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE library_files RELATIVE "${ROOT}"
     "${ROOT}/lib/*.hpp" "${ROOT}/lib/*.cpp" "${ROOT}/lib/*.h" "${ROOT}/lib/*.cc")
foreach(file IN LISTS library_files)
  if(NOT file MATCHES "^lib/([a-z_0-9]+)/")
    continue()
  endif()
  set(stage "${CMAKE_MATCH_1}")
  if(NOT stage IN_LIST stages)
    list(APPEND problems "${file}: lib/${stage} is not a stage of the data path")
    continue()
  endif()
  check_file("${file}" "${stage}")
  math(EXPR checked "${checked} + 1")
endforeach()

file(GLOB_RECURSE public_headers RELATIVE "${ROOT}/include/lmc" "${ROOT}/include/lmc/*.hpp")
foreach(header IN LISTS public_headers)
  public_stage("${header}" stage)
  if(stage STREQUAL "")
    list(APPEND problems "include/lmc/${header}: a public header without a stage (add it to tests/layout/check_include_direction.cmake)")
    continue()
  endif()
  check_file("include/lmc/${header}" "${stage}")
  math(EXPR checked "${checked} + 1")
endforeach()

# The example programs use the public API only: <lmc/...> and their own headers beside them.
file(GLOB_RECURSE example_files RELATIVE "${ROOT}" "${ROOT}/examples/*.hpp" "${ROOT}/examples/*.cpp")
foreach(file IN LISTS example_files)
  file(STRINGS "${ROOT}/${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"[^\"]*/")
  foreach(line IN LISTS lines)
    list(APPEND problems "${file}: an example includes a private header (${line}); use <lmc/...>")
  endforeach()
  math(EXPR checked "${checked} + 1")
endforeach()

list(REMOVE_ITEM problems "")
list(LENGTH problems count)
if(count GREATER 0)
  foreach(problem IN LISTS problems)
    message("${problem}")
  endforeach()
  message(FATAL_ERROR "${count} include(s) against the data path in ${checked} files")
endif()
if(checked LESS 10)
  message(FATAL_ERROR "only ${checked} files found under ${ROOT}: wrong ROOT?")
endif()
message("include direction: ${checked} files, every include along the data path")

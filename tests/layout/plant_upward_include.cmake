# Copies lib/, include/ and examples/ of ROOT into WORK, plants includes that run against the data path and
# checks that check_include_direction.cmake (CHECK) fails on the copy and names each of them,
# while it passes on the same copy without them.
cmake_minimum_required(VERSION 3.25)

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
file(COPY "${ROOT}/lib" "${ROOT}/include" "${ROOT}/examples" DESTINATION "${WORK}")

execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${WORK} -P ${CHECK}
                RESULT_VARIABLE clean_result OUTPUT_VARIABLE clean_out ERROR_VARIABLE clean_out)
if(NOT clean_result EQUAL 0)
  message(FATAL_ERROR "the unplanted copy should pass:\n${clean_out}")
endif()

# Each plant: file to create, the include it holds, and what the check must say about it.
set(plants
  "lib/base/planted_upward.cpp|#include \"model/weight_binding.hpp\"|lib/base/planted_upward.cpp: base includes \"model/weight_binding.hpp\""
  "lib/format/planted_public.cpp|#include <lmc/eval.hpp>|lib/format/planted_public.cpp: format includes <lmc/eval.hpp> of eval"
  "lib/coding/planted_private.cpp|#include \"model/checkpoint.hpp\"|lib/coding/planted_private.cpp: coding includes \"model/checkpoint.hpp\""
  "lib/nn/planted_files.hpp|#include <lmc/gguf.hpp>|lib/nn/planted_files.hpp: nn includes <lmc/gguf.hpp> of format"
  "lib/stats/planted_umbrella.cpp|#include <lmc/lmc.hpp>|lib/stats/planted_umbrella.cpp: includes the umbrella"
  "include/lmc/tensor.hpp|#include <lmc/model.hpp>|include/lmc/tensor.hpp: format includes <lmc/model.hpp> of model"
  "examples/planted.cpp|#include \"model/checkpoint.hpp\"|examples/planted.cpp: an example includes a private header")
foreach(plant IN LISTS plants)
  string(REPLACE "|" ";" fields "${plant}")
  list(GET fields 0 file)
  list(GET fields 1 include)
  file(APPEND "${WORK}/${file}" "${include}\n")
endforeach()

execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${WORK} -P ${CHECK}
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(result EQUAL 0)
  message(FATAL_ERROR "the check passed a tree with upward includes")
endif()
foreach(plant IN LISTS plants)
  string(REPLACE "|" ";" fields "${plant}")
  list(GET fields 2 expected)
  string(FIND "${out}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the check did not report: ${expected}")
  endif()
endforeach()
list(LENGTH plants count)
message("the check failed on all ${count} planted includes, as it should")

# Copies lib/ and examples/ of ROOT into WORK, plants a JSON parse and a JSON writer outside the
# door and checks that check_json_door.cmake (CHECK) fails naming both, and passes without them.
cmake_minimum_required(VERSION 3.25)

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
file(COPY "${ROOT}/lib" "${ROOT}/examples" DESTINATION "${WORK}")
execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${WORK} -P ${CHECK}
                RESULT_VARIABLE clean_result OUTPUT_VARIABLE clean_out ERROR_VARIABLE clean_out)
if(NOT clean_result EQUAL 0)
  message(FATAL_ERROR "the unplanted copy should pass:\n${clean_out}")
endif()

file(WRITE "${WORK}/lib/eval/planted_parse.cpp"
     "void f(rapidjson::Document& d, const char* t) { d.Parse<0>(t); }\n")
file(WRITE "${WORK}/examples/planted_writer.cpp" "#include <rapidjson/writer.h>\n")
execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${WORK} -P ${CHECK}
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(result EQUAL 0)
  message(FATAL_ERROR "the check passed JSON parsed and written outside the door")
endif()
foreach(expected "lib/eval/planted_parse.cpp: uses .Parse<"
                 "examples/planted_writer.cpp: uses rapidjson/writer.h")
  string(FIND "${out}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the check did not report: ${expected}")
  endif()
endforeach()
message("the check failed on both planted uses, as it should")

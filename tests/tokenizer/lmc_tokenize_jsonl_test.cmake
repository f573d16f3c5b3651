# lmc-tokenize --jsonl through lmc::Corpus: one {"ids": [...]} line per record (empty strings
# included), from a file and from standard input, and a bad record named by its line.
cmake_minimum_required(VERSION 3.25)

file(MAKE_DIRECTORY "${WORK}")
set(input "${WORK}/in.jsonl")
file(WRITE "${input}" "{\"text\": \"Hello world\"}\n{\"text\": \"\"}\n\n{\"n\": [1, {}], \"text\": \"Hello\"}\n")
set(expected "{\"ids\": [9906, 1917]}\n{\"ids\": []}\n{\"ids\": [9906]}\n")

execute_process(COMMAND "${PROGRAM}" --model "${MODEL}" --jsonl "${input}" --field text
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result EQUAL 0 OR NOT out STREQUAL expected)
  message(FATAL_ERROR "from a file: exit ${result}\n${out}${err}")
endif()
execute_process(COMMAND "${PROGRAM}" --model "${MODEL}" --jsonl - --field text
                INPUT_FILE "${input}" RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result EQUAL 0 OR NOT out STREQUAL expected)
  message(FATAL_ERROR "from standard input: exit ${result}\n${out}${err}")
endif()

file(WRITE "${input}" "{\"text\": \"Hello\"}\n{\"text\": 3}\n")
execute_process(COMMAND "${PROGRAM}" --model "${MODEL}" --jsonl "${input}" --field text
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(result EQUAL 0 OR NOT err MATCHES "in.jsonl: line 2: field \"text\" is not a string")
  message(FATAL_ERROR "a bad record: exit ${result}\n${out}${err}")
endif()
message("lmc-tokenize --jsonl: as expected")

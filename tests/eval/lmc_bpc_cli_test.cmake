# Runs the lmc-bpc example on hand-written shard results (tests/eval/data) and checks its exit
# codes and output. Arguments: -DLMC_BPC=<program> -DDATA=<folder> -DOUT=<merged json>.
function(run_bpc expected_status)
  execute_process(COMMAND "${LMC_BPC}" ${ARGN}
                  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL expected_status)
    message(FATAL_ERROR "lmc-bpc ${ARGN}: exit ${status}, expected ${expected_status}\n${out}${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

function(expect_contains text part)
  string(FIND "${text}" "${part}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected '${part}' in:\n${text}")
  endif()
endfunction()

# 1 nat + 2 nats = 3 nats = 12884901888 units of 2^-32 nats; 3 / ln 2 / 10 characters.
file(REMOVE "${OUT}")
run_bpc(0 --merge "${DATA}/shard1of2.json" "${DATA}/shard0of2.json" --json "${OUT}")
expect_contains("${out}" "BPC          0.432809")
file(READ "${OUT}" merged)
expect_contains("${merged}" "\"loss_nats_q32\": \"12884901888\"")
expect_contains("${merged}" "\"shards\": [0, 1]")
expect_contains("${merged}" "\"scored_tokens\": 10")
expect_contains("${merged}" "\"windows\": 3")
expect_contains("${merged}" "\"characters\": 10")

# Errors: one line on stderr, exit 1.
run_bpc(1 --merge "${DATA}/shard0of2.json" "${DATA}/shard0of2.json")
expect_contains("${err}" "both include shard 0/2")
run_bpc(1 --merge "${DATA}/missing.json")
expect_contains("${err}" "lmc-bpc: ")
run_bpc(1 --model m.gguf)
expect_contains("${err}" "m.gguf")
run_bpc(1 --model m --corpus c --mode fast)
expect_contains("${err}" "unknown window mode")
run_bpc(1 --model m --corpus c --shard 2/2)
expect_contains("${err}" "bad shard")

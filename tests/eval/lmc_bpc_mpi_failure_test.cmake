# lmc-bpc under mpirun when one rank fails: rank 1 is given a damaged checkpoint (FILE.1) and
# refuses it while rank 0 evaluates its shard. The run must end, with a non-zero status, rank
# 0 saying which rank failed, no result written and the refused checkpoint left in place; it
# must not hang in a collective that the failed rank never joins.
# Arguments: -DMPIEXEC=<mpirun> -DLMC_BPC=<program> -DMODEL=<gguf> -DCORPUS=<text> -DOUT=<folder>.
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")
file(WRITE "${OUT}/run.ckpt.1" "not a checkpoint\n")
execute_process(
  COMMAND "${MPIEXEC}" --allow-run-as-root --oversubscribe -np 2
          "${LMC_BPC}" --model "${MODEL}" --corpus "${CORPUS}" --context 64 --stride 32
          --threads 1 --checkpoint "${OUT}/run.ckpt" --json "${OUT}/result.json"
  TIMEOUT 60
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT status MATCHES "^[0-9]+$")
  message(FATAL_ERROR "lmc-bpc under mpirun did not end by itself (${status}):\n${out}")
endif()
if(status EQUAL 0)
  message(FATAL_ERROR "lmc-bpc under mpirun exited 0 although rank 1 failed:\n${out}")
endif()
foreach(part "lmc-bpc: rank 1: ${OUT}/run.ckpt.1" "rank 1 failed")
  string(FIND "${out}" "${part}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected '${part}' in:\n${out}")
  endif()
endforeach()
if(EXISTS "${OUT}/result.json")
  message(FATAL_ERROR "a result was written although rank 1 failed")
endif()
if(NOT EXISTS "${OUT}/run.ckpt.1")
  message(FATAL_ERROR "the refused checkpoint of rank 1 was removed")
endif()

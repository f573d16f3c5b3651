# Configures, builds and runs one consumer project against the installed lmc.
# EXPECT is "success" or "configure_failure" (for a find_package that must be refused).
file(REMOVE_RECURSE "${CONSUMER_BUILD}")
execute_process(
  COMMAND ${CMAKE_COMMAND} -S "${CONSUMER_SOURCE}" -B "${CONSUMER_BUILD}"
          -DCMAKE_PREFIX_PATH=${LMC_PREFIX} -DLMC_SOURCE_DIR=${LMC_SOURCE} -DCMAKE_CXX_COMPILER=${CXX}
          -DCMAKE_BUILD_TYPE=Release
  RESULT_VARIABLE configure_result)
if(EXPECT STREQUAL "configure_failure")
  if(configure_result EQUAL 0)
    message(FATAL_ERROR "configuring ${CONSUMER_SOURCE} succeeded but must fail")
  endif()
  return()
endif()
if(NOT configure_result EQUAL 0)
  message(FATAL_ERROR "configuring ${CONSUMER_SOURCE} failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${CONSUMER_BUILD}" --parallel 2
                RESULT_VARIABLE build_result)
if(NOT build_result EQUAL 0)
  message(FATAL_ERROR "building ${CONSUMER_SOURCE} failed")
endif()
execute_process(COMMAND "${CONSUMER_BUILD}/consumer" RESULT_VARIABLE run_result)
if(NOT run_result EQUAL 0)
  message(FATAL_ERROR "running the consumer failed: ${run_result}")
endif()

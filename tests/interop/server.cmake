# SPDX-License-Identifier: BSL-1.0
# Interop tests, server direction: the real socket.io-client (4.8, and 2.5 for Engine.IO v3)
# against siocodec_server (examples/server), one ctest per scenario and transport,
# interop.server.<scenario>.<transport>, as run_server_scenarios.js --list names them.
# Included by tests/interop/CMakeLists.txt, under the same gating as the client direction
# (SIOCODEC_NODE, SIOCODEC_INTEROP_REQUIRED).

# The server is an example; make sure it exists even when the examples are not built (the tests
# are configured before the examples: examples/server/CMakeLists.txt then skips itself).
if(NOT TARGET siocodec_server)
  add_subdirectory("${PROJECT_SOURCE_DIR}/examples/server"
                   "${CMAKE_CURRENT_BINARY_DIR}/siocodec_server")
endif()

if(NOT TARGET siocodec_server)
  if(SIOCODEC_INTEROP_REQUIRED)
    message(FATAL_ERROR "interop tests: siocodec_server cannot be built (it needs Boost >= 1.81 "
                        "with Beast: run tools/setup.sh)")
  endif()
  message(STATUS "interop tests, server direction: skipped (siocodec_server is not built)")
  return()
endif()

set(_runner "${CMAKE_CURRENT_LIST_DIR}/run_server_scenarios.js")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_runner}")
execute_process(COMMAND "${SIOCODEC_NODE}" "${_runner}" --list
                OUTPUT_VARIABLE _scenarios RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0 OR _scenarios STREQUAL "")
  message(FATAL_ERROR "interop tests: run_server_scenarios.js --list failed (${_rc})")
endif()
string(REPLACE "\n" ";" _scenarios "${_scenarios}")
foreach(entry IN LISTS _scenarios)
  if(entry STREQUAL "")
    continue()
  endif()
  string(REPLACE " " ";" entry "${entry}")
  list(GET entry 0 scenario)
  list(GET entry 1 transport)
  set(name "interop.server.${scenario}.${transport}")
  add_test(NAME "${name}"
           COMMAND "${SIOCODEC_NODE}" "${_runner}" --server "$<TARGET_FILE:siocodec_server>"
                   --scenario "${scenario}" --transport "${transport}"
           WORKING_DIRECTORY "${CMAKE_CURRENT_LIST_DIR}")
  set_tests_properties("${name}" PROPERTIES TIMEOUT 120 LABELS interop SKIP_RETURN_CODE 77)
endforeach()

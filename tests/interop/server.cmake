# SPDX-License-Identifier: BSL-1.0
# Interop tests, server direction: the real socket.io-client (4.8, and 2.5 for Engine.IO v3)
# against siocodec_server (examples/server), one ctest per scenario and transport,
# interop.server.<scenario>.<transport>, as run_server_scenarios.js --list names them.
# Included by tests/interop/CMakeLists.txt, under the same gating as the client direction
# (SIOCODEC_NODE, SIOCODEC_INTEROP_REQUIRED), after its siocodec_add_interop_tests().

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

siocodec_add_interop_tests(server "${CMAKE_CURRENT_LIST_DIR}/run_server_scenarios.js"
                           --server siocodec_server)

# Hostile clients against the example server (run_hostile_scenarios.js): each attack must end
# with the session closed for a stated reason while the server's VmRSS stays under a bound, a few
# seconds each (`--soak SECONDS`, by hand, runs them all at once for longer).
siocodec_add_interop_tests(hostile "${CMAKE_CURRENT_LIST_DIR}/run_hostile_scenarios.js"
                           --server siocodec_server)

# The Beast server adapter over TLS (https, wss; a self-signed certificate made by openssl at
# test time), driven as examples/minimal/server.cpp is (examples/minimal/drive_server.js).
find_package(OpenSSL QUIET)
find_program(SIOCODEC_OPENSSL_EXE openssl)
if(OpenSSL_FOUND AND SIOCODEC_OPENSSL_EXE)
  siocodec_beast_available(adapter_server_tls _beast)
  add_executable(adapter_server_tls adapter_server_tls.cpp)
  target_link_libraries(adapter_server_tls PRIVATE siocodec::siocodec siocodec_warnings
                        OpenSSL::SSL)
  siocodec_link_beast(adapter_server_tls)
  add_test(NAME interop.adapter.server.tls
           COMMAND "${SIOCODEC_NODE}" "${PROJECT_SOURCE_DIR}/examples/minimal/drive_server.js"
                   "$<TARGET_FILE:adapter_server_tls>" --tls
           WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
  set_tests_properties(interop.adapter.server.tls PROPERTIES TIMEOUT 30 LABELS "interop")
else()
  message(STATUS "interop.adapter.server.tls: skipped (needs OpenSSL and the openssl command)")
endif()

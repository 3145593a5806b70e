# SPDX-License-Identifier: BSL-1.0
# siocodec_test_unavailable(NAME REASON): the test NAME cannot run on this machine (a missing
# tool, package or library, named in REASON). Nothing may drop out silently:
# - SIOCODEC_REQUIRE_REFERENCE=ON (CI, tools/test.sh): a configure error, so CI fails instead of
#   passing with less coverage;
# - otherwise: a configure warning, and NAME is registered as a disabled test, which ctest lists
#   as "Not Run (Disabled)" in every summary, so the gap shows wherever the suite runs.
function(siocodec_test_unavailable name reason)
  if(SIOCODEC_REQUIRE_REFERENCE)
    message(FATAL_ERROR "siocodec: ${name} cannot run: ${reason} (run tools/setup.sh; "
                        "SIOCODEC_REQUIRE_REFERENCE=ON does not allow a skipped check)")
  endif()
  message(WARNING "siocodec: ${name} is SKIPPED: ${reason} (tools/setup.sh installs it)")
  add_test(NAME "${name}" COMMAND "${CMAKE_COMMAND}" -E echo "skipped: ${reason}")
  set_tests_properties("${name}" PROPERTIES DISABLED TRUE)
endfunction()

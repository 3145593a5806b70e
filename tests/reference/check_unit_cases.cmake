# SPDX-License-Identifier: BSL-1.0
# cmake -DNODE=node -DSOURCE_DIR=<checkout> -DWORK=<scratch dir> -P check_unit_cases.cmake
# The unit suite's Node-made tables must be what their generators make now, as the reference
# vectors are (generate.js --check): tools/gen_json_cases.js -> tests/unit/json/*_cases.txt and
# tools/gen_base64_lax_cases.js -> tests/unit/common/base64_lax_cases.txt, regenerated into WORK
# and compared byte for byte. The base64 table's first line records the Node version that made
# it; another major version is an error of its own, since V8's JSON and number formatting and
# Node's base64 decoder are what the tables pin down (the patch version may differ).

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(bad 0)

# --- the Node version ---------------------------------------------------------------------------
set(b64_committed "${SOURCE_DIR}/tests/unit/common/base64_lax_cases.txt")
file(STRINGS "${b64_committed}" header LIMIT_COUNT 1)
if(NOT header MATCHES "^# Node v([0-9]+)\\.[0-9.]+:")
  message(FATAL_ERROR "${b64_committed}: no `# Node vX.Y.Z:` first line")
endif()
set(recorded_major "${CMAKE_MATCH_1}")
execute_process(COMMAND "${NODE}" --version OUTPUT_VARIABLE version
                OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT version MATCHES "^v([0-9]+)\\.")
  message(FATAL_ERROR "${NODE} --version failed (${rc}): ${version}")
endif()
if(NOT CMAKE_MATCH_1 STREQUAL recorded_major)
  message(SEND_ERROR "node ${version} is not the major version the unit case tables were made "
                     "with (v${recorded_major}, base64_lax_cases.txt's first line): use that "
                     "node, or regenerate the tables with this one and review the differences")
  set(bad 1)
endif()

# --- the JSON tables ----------------------------------------------------------------------------
execute_process(COMMAND "${NODE}" "${SOURCE_DIR}/tools/gen_json_cases.js" "${WORK}"
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tools/gen_json_cases.js failed (${rc}): ${err}")
endif()
foreach(name json_cases json_write_cases json_value_cases)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK}/${name}.txt"
                          "${SOURCE_DIR}/tests/unit/json/${name}.txt" RESULT_VARIABLE differs)
  if(differs)
    message(SEND_ERROR "tests/unit/json/${name}.txt is STALE: it is not what "
                       "`node tools/gen_json_cases.js` makes (fresh copy: ${WORK}/${name}.txt)")
    set(bad 1)
  endif()
endforeach()

# --- the lax base64 table (its first line names the exact Node version: compared apart) -------
execute_process(COMMAND "${NODE}" "${SOURCE_DIR}/tools/gen_base64_lax_cases.js"
                OUTPUT_FILE "${WORK}/base64_lax_cases.txt" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tools/gen_base64_lax_cases.js failed (${rc}): ${err}")
endif()
foreach(which fresh committed)
  if(which STREQUAL fresh)
    file(READ "${WORK}/base64_lax_cases.txt" text)
  else()
    file(READ "${b64_committed}" text)
  endif()
  string(FIND "${text}" "\n" eol)
  math(EXPR eol "${eol} + 1")
  string(SUBSTRING "${text}" ${eol} -1 body_${which})
endforeach()
if(NOT body_fresh STREQUAL body_committed)
  message(SEND_ERROR "tests/unit/common/base64_lax_cases.txt is STALE: it is not what "
                     "`node tools/gen_base64_lax_cases.js` makes (fresh copy: "
                     "${WORK}/base64_lax_cases.txt)")
  set(bad 1)
endif()

if(bad)
  message(FATAL_ERROR "unit case tables: see above")
endif()
message(STATUS "unit case tables are up to date (node ${version})")

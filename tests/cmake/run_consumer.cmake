# SPDX-License-Identifier: BSL-1.0
# Runs one consumer test (cmake -P, from tests/cmake/CMakeLists.txt): configures, builds and runs
# a tiny project that uses siocodec one way, with the compiler and flags of the calling build.
#   MODE       install | find_package | pkg_config | add_subdirectory | fetch_content |
#              fetch_content_git | single_header
#   SOURCE_DIR this checkout        BUILD_DIR  the build tree to install from
#   WORK       scratch directory (emptied first)   PREFIX  where `install` installs
#   GENERATOR MAKE_PROGRAM CXX CXX_FLAGS CXX_STANDARD VERSION   from the calling build

foreach(v MODE SOURCE_DIR BUILD_DIR WORK PREFIX GENERATOR CXX VERSION)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run_consumer.cmake: -D${v}=... missing")
  endif()
endforeach()
set(here "${CMAKE_CURRENT_LIST_DIR}")

# Runs a command; on failure prints its output and fails the test.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "${what} failed (${rc}):\n  ${cmd}\n${out}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

# Configures, builds and runs the project tests/cmake/<dir>; ARGN: extra -D arguments.
function(consumer_project dir)
  set(bin "${WORK}/build")
  set(args -S "${here}/${dir}" -B "${bin}" -G "${GENERATOR}" -DCMAKE_BUILD_TYPE=Debug
           "-DCMAKE_CXX_COMPILER=${CXX}" "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
           -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DSIOCODEC_TEST_VERSION=${VERSION})
  if(MAKE_PROGRAM)
    list(APPEND args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
  endif()
  if(CXX_STANDARD)
    list(APPEND args -DCMAKE_CXX_STANDARD=${CXX_STANDARD})
  endif()
  run("configure ${dir}" "${CMAKE_COMMAND}" ${args} ${ARGN})
  run("build ${dir}" "${CMAKE_COMMAND}" --build "${bin}")
  file(GLOB programs LIST_DIRECTORIES false "${bin}/consumer*")
  if(NOT programs)
    message(FATAL_ERROR "${dir}: no consumer program was built")
  endif()
  foreach(p IN LISTS programs)
    run("running ${p}" "${p}")
    message(STATUS "${p}: ${run_output}")
  endforeach()
endfunction()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

if(MODE STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  run("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}")
  if(NOT EXISTS "${PREFIX}/include/siocodec/siocodec.hpp")
    message(FATAL_ERROR "the install did not put siocodec/siocodec.hpp under ${PREFIX}/include")
  endif()

elseif(MODE STREQUAL "find_package")
  consumer_project(find_package "-DCMAKE_PREFIX_PATH=${PREFIX}" "-DSIOCODEC_TEST_PREFIX=${PREFIX}")

elseif(MODE STREQUAL "pkg_config")
  find_program(PKG_CONFIG NAMES pkg-config pkgconf)
  if(NOT PKG_CONFIG)
    message(FATAL_ERROR "pkg-config not found (Debian: apt-get install pkg-config)")
  endif()
  # Only the installed .pc file, never one of the machine's.
  set(ENV{PKG_CONFIG_PATH} "${PREFIX}/share/pkgconfig")
  set(ENV{PKG_CONFIG_LIBDIR} "${PREFIX}/share/pkgconfig")
  run("pkg-config --modversion" "${PKG_CONFIG}" --modversion siocodec)
  string(STRIP "${run_output}" got)
  if(NOT got STREQUAL VERSION)
    message(FATAL_ERROR "pkg-config --modversion siocodec: '${got}', expected '${VERSION}'")
  endif()
  # The .pc file must follow the files when the install is relocated (--prefix, DESTDIR).
  run("pkg-config --cflags" "${PKG_CONFIG}" --cflags siocodec)
  string(STRIP "${run_output}" cflags)
  get_filename_component(real_include "${PREFIX}/include" REALPATH)
  string(REGEX REPLACE "^-I" "" got_include "${cflags}")
  get_filename_component(got_include "${got_include}" REALPATH)
  if(NOT got_include STREQUAL real_include)
    message(FATAL_ERROR "pkg-config --cflags siocodec gives '${cflags}', not -I${PREFIX}/include")
  endif()
  consumer_project(pkg_config "-DPKG_CONFIG_EXECUTABLE=${PKG_CONFIG}")

elseif(MODE STREQUAL "add_subdirectory")
  consumer_project(add_subdirectory "-DSIOCODEC_SOURCE_DIR=${SOURCE_DIR}")

elseif(MODE STREQUAL "fetch_content")
  # The working tree as it is, through FetchContent's documented local override: no download.
  consumer_project(fetch_content "-DSIOCODEC_GIT_REPOSITORY=${SOURCE_DIR}"
                   "-DFETCHCONTENT_SOURCE_DIR_SIOCODEC=${SOURCE_DIR}"
                   -DFETCHCONTENT_FULLY_DISCONNECTED=ON)

elseif(MODE STREQUAL "fetch_content_git")
  # A real clone of the local repository at HEAD: catches files that exist but are not committed.
  find_package(Git QUIET)
  if(NOT GIT_FOUND OR NOT EXISTS "${SOURCE_DIR}/.git")
    message(STATUS "skipped: not a git checkout")
    return()
  endif()
  run("git status" "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" status --porcelain)
  if(NOT run_output STREQUAL "")
    message(STATUS "skipped: the checkout has uncommitted changes, and a clone would test HEAD")
    return()
  endif()
  run("git rev-parse" "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse HEAD)
  string(STRIP "${run_output}" head)
  consumer_project(fetch_content "-DSIOCODEC_GIT_REPOSITORY=${SOURCE_DIR}"
                   "-DSIOCODEC_GIT_TAG=${head}")

elseif(MODE STREQUAL "single_header")
  # A vendor copies the one file into its tree and adds nothing but an include path.
  set(vendor "${WORK}/third_party")
  file(COPY "${SOURCE_DIR}/single_include/siocodec/siocodec.hpp"
       DESTINATION "${vendor}/siocodec")
  set(flags ${CXX_FLAGS})
  separate_arguments(flags)
  if(CXX_STANDARD)
    list(APPEND flags -std=c++${CXX_STANDARD})
  else()
    list(APPEND flags -std=c++17)
  endif()
  # Two translation units: a function that is not inline would be defined twice and not link.
  run("compiling with -I" "${CXX}" ${flags} -Wall -Wextra -Wpedantic -Werror -I "${vendor}"
      "${here}/consumer.cpp" "${here}/single_header/second_tu.cpp" -o "${WORK}/consumer")
  run("running the single-header consumer" "${WORK}/consumer")
  message(STATUS "${run_output}")

else()
  message(FATAL_ERROR "run_consumer.cmake: unknown MODE ${MODE}")
endif()

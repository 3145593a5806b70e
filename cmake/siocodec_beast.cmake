# SPDX-License-Identifier: BSL-1.0
# The guard of every program of ours on Boost.Beast (examples/{client,server,chat,minimal}, the
# interop test programs): one place for what they need.
#
#   siocodec_beast_available(<what> <out-var>)
#
# Sets <out-var> to TRUE when a Beast program can be built here: Boost >= 1.81 with Beast, and
# threads, and neither -fno-exceptions nor -fno-rtti (Asio and Beast report allocation failures
# and some errors only by exception, and need RTTI; that build checks the codec, not Beast).
# Otherwise FALSE, with a status line naming <what> and why. Boost::headers and Threads::Threads
# are then defined in the calling directory (imported targets are directory-scoped, so each
# directory that links them calls this).
#
# SIOCODEC_BUILD_NETWORK_EXAMPLES is not checked here: examples/CMakeLists.txt checks it, and the
# interop tests add the example directories themselves when they need the programs.
function(siocodec_beast_available what out)
  set(${out} FALSE PARENT_SCOPE)
  if(CMAKE_CXX_FLAGS MATCHES "-fno-exceptions|-fno-rtti")
    message(STATUS "${what}: not built under -fno-exceptions or -fno-rtti (Asio and Beast need "
                   "both)")
    return()
  endif()
  find_package(Boost 1.81 CONFIG QUIET)
  find_package(Threads QUIET)
  if(NOT Boost_FOUND OR NOT Threads_FOUND OR NOT EXISTS "${Boost_INCLUDE_DIRS}/boost/beast.hpp")
    message(STATUS "${what}: not built (needs Boost >= 1.81 with Beast, and threads: "
                   "tools/setup.sh installs them)")
    return()
  endif()
  set(${out} TRUE PARENT_SCOPE)
endfunction()

# siocodec_link_beast(<target>)
#
# Links one of our Beast programs (Boost::headers, Threads::Threads), header-only. Asio's and
# Beast's separate compilation (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION,
# their implementation in one static library for all our Beast programs) was measured here and
# saved nothing: the 9 Beast targets, clean, -j2, took 334.7 s of CPU header-only and 344.9 s
# with the library (most of Beast is templates, compiled per program either way). One place to
# try it again.
function(siocodec_link_beast target)
  target_link_libraries(${target} PRIVATE Boost::headers Threads::Threads)
endfunction()

# SPDX-License-Identifier: BSL-1.0
# Cross-compiling for 64-bit Arm Linux with Debian's g++-aarch64-linux-gnu; the test programs run
# under qemu-user (qemu-aarch64), which ctest uses as CMAKE_CROSSCOMPILING_EMULATOR. This is how
# CI (tools/test.sh aarch64) compiles and runs the NEON kernels on an x86-64 machine.
#   cmake -S . -B build-arm --toolchain cmake/toolchains/aarch64-linux-gnu.cmake ...
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
# Programs (python3, node, nm) run on the build machine; libraries come from the target's root;
# header-only packages (Catch2 2, nlohmann/json) are installed once for every architecture, in
# /usr/include and /usr/lib/cmake or /usr/share, so packages and headers are searched in both.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)

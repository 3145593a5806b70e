// SPDX-License-Identifier: BSL-1.0
// Two differently named copies of siocodec in one program (copy_a.cpp, copy_b.cpp): both work,
// each keeps its own configuration. check_symbols.cmake then checks with nm that the two object
// files share no siocodec symbol.
#include "copies.hpp"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "namespaces: FAILED: %s\n", what);
    ++failures;
  }
}

}  // namespace

int main() {
  const char* frame = R"(42/room,12["chat","hi",7])";
  const std::string a = copy_a_roundtrip(frame);
  const std::string b = copy_b_roundtrip(frame);
  check(a == frame, "copy A decodes and re-encodes the frame");
  check(b == frame, "copy B decodes and re-encodes the frame");

  check(std::strcmp(copy_a_namespace(), "vendor_a::abi_a") == 0, "copy A is vendor_a::abi_a");
  check(std::strcmp(copy_b_namespace(), "vendor_b::abi_b") == 0, "copy B is vendor_b::abi_b");
  check(copy_a_max_payload() == 1000, "copy A keeps its SIOCODEC_DEFAULT_MAX_PAYLOAD");
  check(copy_b_max_payload() == 1000000, "copy B keeps the default max payload");

  // The limits really apply per copy: a 1006-byte frame is too big for A only.
  const std::string big = R"(42[")" + std::string(1000, 'x') + R"("])";
  check(copy_a_roundtrip(big) == "error:payload_too_large", "copy A refuses 1006 bytes");
  check(copy_b_roundtrip(big) == big, "copy B takes 1006 bytes");

  if (failures != 0) return 1;
  std::printf("two copies of siocodec in one program: ok\n");
  return 0;
}

// SPDX-License-Identifier: BSL-1.0
// What Node's Buffer#toString("utf8") makes of bytes: WHATWG UTF-8 decoding, each maximal invalid
// subpart replaced by U+FFFD. Lax modes hand out raw bytes; tests compare them with the reference's
// strings through this, so every such comparison also checks the library's utf8::lossy against
// Node (tests/unit/common/utf8_test.cpp checks it against Node's own output).
#ifndef SIOCODEC_TESTS_SUPPORT_LOSSY_UTF8_HPP
#define SIOCODEC_TESTS_SUPPORT_LOSSY_UTF8_HPP

#include <siocodec/utf8.hpp>

#include <string>
#include <string_view>

namespace siocodec_test {

inline std::string lossy_utf8(std::string_view in) {
  std::string out;
  (void)siocodec::utf8::lossy(in, out);
  return out;
}

}  // namespace siocodec_test

#endif  // SIOCODEC_TESTS_SUPPORT_LOSSY_UTF8_HPP

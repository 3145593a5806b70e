// SPDX-License-Identifier: BSL-1.0
// What Node's Buffer#toString("utf8") makes of bytes: WHATWG UTF-8 decoding, each maximal invalid
// subpart replaced by U+FFFD. Lax modes hand out raw bytes; tests compare them with the reference's
// strings through this.
#ifndef SIOCODEC_TESTS_SUPPORT_LOSSY_UTF8_HPP
#define SIOCODEC_TESTS_SUPPORT_LOSSY_UTF8_HPP

#include <cstddef>
#include <string>
#include <string_view>

namespace siocodec_test {

inline std::string lossy_utf8(std::string_view in) {
  std::string out;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const unsigned char* end = p + in.size();
  while (p != end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++p;
      continue;
    }
    std::size_t need = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      out += "\xEF\xBF\xBD";
      ++p;
      continue;
    }
    const unsigned char* q = p + 1;
    std::size_t got = 0;
    while (got < need && q != end && *q >= lo && *q <= hi) {
      ++q;
      ++got;
      lo = 0x80;
      hi = 0xBF;
    }
    if (got == need) {
      out.append(reinterpret_cast<const char*>(p), need + 1);
    } else {
      out += "\xEF\xBF\xBD";
    }
    p = q;
  }
  return out;
}

}  // namespace siocodec_test

#endif  // SIOCODEC_TESTS_SUPPORT_LOSSY_UTF8_HPP

// SPDX-License-Identifier: BSL-1.0
// Hex for the tests' byte vectors: one pair of helpers for every test file.
#ifndef SIOCODEC_TESTS_SUPPORT_HEX_HPP
#define SIOCODEC_TESTS_SUPPORT_HEX_HPP

#include <siocodec/bytes.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace siocodec_test {

/// Bytes from hex digits of either case. Spaces are skipped, so that a long vector can be
/// written in groups; anything else is a mistake in the test (read as a digit anyway).
inline std::string unhex(std::string_view h) {
  const auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string out;
  out.reserve(h.size() / 2);
  int hi = -1;
  for (const char c : h) {
    if (c == ' ') continue;
    if (hi < 0) {
      hi = nibble(c);
    } else {
      out.push_back(static_cast<char>(hi * 16 + nibble(c)));
      hi = -1;
    }
  }
  return out;
}

/// Lowercase hex of bytes.
inline std::string hex(std::string_view s) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}
inline std::string hex(siocodec::byte_view b) { return hex(b.as_chars()); }

}  // namespace siocodec_test

#endif  // SIOCODEC_TESTS_SUPPORT_HEX_HPP

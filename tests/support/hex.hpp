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

/// The value of a hex digit of either case, -1 for any other character.
inline int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Bytes from hex digits of either case, strictly (the reference vectors' data files, where a
/// stray character is a broken vector): false, `out` unspecified, unless `h` is pairs of digits.
inline bool unhex(std::string_view h, std::string& out) {
  out.clear();
  if (h.size() % 2 != 0) return false;
  out.reserve(h.size() / 2);
  for (std::size_t i = 0; i < h.size(); i += 2) {
    const int hi = hex_digit(h[i]);
    const int lo = hex_digit(h[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
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

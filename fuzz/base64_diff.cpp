// SPDX-License-Identifier: BSL-1.0
// Differential: siocodec's table-driven base64 against a deliberately naive implementation of
// the same rules, written here from their definitions and sharing no code with the library:
// - strict: RFC 4648 §4, padded, zero pad bits; the error offset as base64.hpp documents it;
// - lax: Node's Buffer.from(text, "base64") applied to the string a fatal-free WHATWG UTF-8
//   decoder gives for `text` (every code unit counts by its low 8 bits, '=' stops, the rest of
//   the non-digits is skipped, leftover bits are dropped);
// - encoding: a bit accumulator.
//
// Input: the text (also used as the bytes to encode).
#include "common.hpp"

#include <siocodec/base64.hpp>

namespace b64 = siocodec::base64;
using siocodec::errc;

namespace {

int digit(unsigned c, bool url_too) {
  if (c >= 'A' && c <= 'Z') return static_cast<int>(c - 'A');
  if (c >= 'a' && c <= 'z') return static_cast<int>(c - 'a') + 26;
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0') + 52;
  if (c == '+' || (url_too && c == '-')) return 62;
  if (c == '/' || (url_too && c == '_')) return 63;
  return -1;
}

struct ref_result {
  bool ok;
  std::size_t error_at;
  std::string bytes;
};

// Appends the bytes of a stream of 6-bit digits; leftover bits (fewer than 8) are dropped.
struct bit_sink {
  std::string out;
  std::uint32_t acc = 0;
  unsigned bits = 0;
  void push(int v) {
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
      acc &= (1u << bits) - 1;
    }
  }
};

ref_result strict_ref(std::string_view t) {
  const std::size_t n = t.size();
  if (n % 4 != 0) return {false, n, {}};
  std::size_t pad = 0;
  while (pad < 2 && pad < n && t[n - 1 - pad] == '=') ++pad;
  for (std::size_t i = 0; i + pad < n; ++i) {
    if (digit(static_cast<unsigned char>(t[i]), false) < 0) return {false, i, {}};
  }
  if (pad != 0) {
    // The last digit's unused low bits: 4 of them before "==", 2 before "=".
    const std::size_t last = n - pad - 1;
    const int v = digit(static_cast<unsigned char>(t[last]), false);
    if ((v & (pad == 2 ? 0x0F : 0x03)) != 0) return {false, last, {}};
  }
  bit_sink s;
  for (std::size_t i = 0; i + pad < n; ++i) s.push(digit(static_cast<unsigned char>(t[i]), false));
  return {true, 0, s.out};
}

// WHATWG "UTF-8 decode without BOM" (replacement mode), as code points.
std::vector<std::uint32_t> utf8_decode(std::string_view t) {
  std::vector<std::uint32_t> out;
  std::uint32_t cp = 0;
  unsigned needed = 0, seen = 0, lower = 0x80, upper = 0xBF;
  for (std::size_t i = 0; i < t.size();) {
    const unsigned b = static_cast<unsigned char>(t[i]);
    if (needed == 0) {
      ++i;
      if (b <= 0x7F) {
        out.push_back(b);
      } else if (b >= 0xC2 && b <= 0xDF) {
        needed = 1;
        cp = b & 0x1F;
      } else if (b >= 0xE0 && b <= 0xEF) {
        if (b == 0xE0) lower = 0xA0;
        if (b == 0xED) upper = 0x9F;
        needed = 2;
        cp = b & 0x0F;
      } else if (b >= 0xF0 && b <= 0xF4) {
        if (b == 0xF0) lower = 0x90;
        if (b == 0xF4) upper = 0x8F;
        needed = 3;
        cp = b & 0x07;
      } else {
        out.push_back(0xFFFD);
      }
      continue;
    }
    if (b < lower || b > upper) {
      // The sequence is cut: one U+FFFD, and this byte is read again from the start state.
      cp = needed = seen = 0;
      lower = 0x80;
      upper = 0xBF;
      out.push_back(0xFFFD);
      continue;
    }
    ++i;
    lower = 0x80;
    upper = 0xBF;
    cp = (cp << 6) | (b & 0x3F);
    if (++seen == needed) {
      out.push_back(cp);
      cp = needed = seen = 0;
    }
  }
  if (needed != 0) out.push_back(0xFFFD);
  return out;
}

ref_result lax_ref(std::string_view t) {
  std::vector<std::uint32_t> units;
  for (const std::uint32_t cp : utf8_decode(t)) {
    if (cp < 0x10000) {
      units.push_back(cp);
    } else {
      units.push_back(0xD800 + ((cp - 0x10000) >> 10));
      units.push_back(0xDC00 + ((cp - 0x10000) & 0x3FF));
    }
  }
  bit_sink s;
  for (const std::uint32_t u : units) {
    const unsigned c = u & 0xFF;
    if (c == '=') break;
    const int v = digit(c, true);
    if (v >= 0) s.push(v);
  }
  return {true, 0, s.out};
}

std::string encode_ref(std::string_view raw) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t acc = 0;
  unsigned bits = 0;
  for (const char c : raw) {
    acc = (acc << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 63]);
    }
    acc &= (1u << bits) - 1;
  }
  if (bits != 0) out.push_back(alphabet[(acc << (6 - bits)) & 63]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

void compare(std::string_view text, b64::mode m, const ref_result& want) {
  std::string got;
  const auto r = b64::decode(text, got, m);
  FUZZ_CHECK(r.has_value() == want.ok);
  if (!want.ok) {
    FUZZ_CHECK(r.error() == errc::invalid_base64 && r.offset() == want.error_at);
    return;
  }
  FUZZ_CHECK(got == want.bytes);
  const auto n = b64::decoded_size(text, m);
  FUZZ_CHECK(n.has_value() && *n == want.bytes.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const siocodec_fuzz::exact_bytes text(data, size);
  compare(text.view(), b64::mode::strict, strict_ref(text.view()));
  compare(text.view(), b64::mode::lax, lax_ref(text.view()));
  std::string enc;
  const auto e = b64::encode(siocodec::byte_view(text.data(), text.size()), enc);
  FUZZ_CHECK(e.has_value() && enc == encode_ref(text.view()));
  return 0;
}

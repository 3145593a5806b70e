// SPDX-License-Identifier: BSL-1.0
#include <siocodec/base64.hpp>

#include "support/catch.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <memory_resource>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace b64 = siocodec::base64;
using b64::mode;
using siocodec::byte_span;
using siocodec::byte_view;
using siocodec::errc;

namespace {

using bytes = std::vector<unsigned char>;

// ---- every test case runs once per kernel ---------------------------------------------------

constexpr b64::kernel all_kernels[] = {b64::kernel::scalar, b64::kernel::ssse3, b64::kernel::avx2,
                                       b64::kernel::avx512, b64::kernel::neon};

std::set<b64::kernel>& kernels_tested() {
  static std::set<b64::kernel> tested;
  return tested;
}

// Forces kernel `k` for the life of the scope (when this CPU supports it), then restores the
// one that was active.
class kernel_scope {
 public:
  explicit kernel_scope(b64::kernel k)
      : before_(b64::active_kernel()), active_(b64::set_kernel(k)) {
    if (active_) kernels_tested().insert(k);
  }
  ~kernel_scope() { (void)b64::set_kernel(before_); }
  kernel_scope(const kernel_scope&) = delete;
  kernel_scope& operator=(const kernel_scope&) = delete;
  bool active() const { return active_; }

 private:
  b64::kernel before_;
  bool active_;
};

// Runs the rest of the test case once per kernel (Catch2 generator); a kernel this CPU lacks
// passes trivially.
#define FOR_EACH_KERNEL()                                                                          \
  const b64::kernel kernel_under_test =                                                            \
      GENERATE(b64::kernel::scalar, b64::kernel::ssse3, b64::kernel::avx2, b64::kernel::avx512,    \
               b64::kernel::neon);                                                                 \
  const kernel_scope kernel_guard(kernel_under_test);                                              \
  if (!kernel_guard.active()) return;                                                              \
  CAPTURE(std::string(b64::kernel_name(kernel_under_test)))

bytes to_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }
std::string to_string(const bytes& b) { return std::string(b.begin(), b.end()); }
byte_view view(const bytes& b) { return byte_view(b.data(), b.size()); }

// Deterministic pseudo-random numbers (splitmix64), so every run tests the same inputs.
struct rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  unsigned char byte() { return static_cast<unsigned char>(next()); }
};

bytes random_bytes(rng& r, std::size_t n) {
  bytes b(n);
  for (auto& c : b) c = r.byte();
  return b;
}

// ---- an independent, obviously-correct reference: one bit at a time ------------------------

const std::string_view standard_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string reference_encode(const bytes& in) {
  std::vector<int> bits;
  for (unsigned char c : in)
    for (int k = 7; k >= 0; --k) bits.push_back((c >> k) & 1);
  while (bits.size() % 6 != 0) bits.push_back(0);
  std::string out;
  for (std::size_t i = 0; i < bits.size(); i += 6) {
    int v = 0;
    for (std::size_t k = 0; k < 6; ++k) v = v * 2 + bits[i + k];
    out += standard_alphabet[static_cast<std::size_t>(v)];
  }
  while (out.size() % 4 != 0) out += '=';
  return out;
}

struct reference_result {
  bool ok = false;
  std::size_t offset = 0;  // error offset
  bytes data;
};

// RFC 4648 §4 with §3.3 (no characters outside the alphabet) and §3.5 (zero pad bits).
reference_result reference_strict(std::string_view text) {
  reference_result r;
  const std::size_t n = text.size();
  if (n % 4 != 0) {
    r.offset = n;
    return r;
  }
  std::size_t pad = 0;
  while (pad < 2 && pad < n && text[n - 1 - pad] == '=') ++pad;
  std::vector<int> bits;
  for (std::size_t i = 0; i < n - pad; ++i) {
    const std::size_t v = standard_alphabet.find(text[i]);
    if (v == std::string_view::npos) {
      r.offset = i;
      return r;
    }
    for (int k = 5; k >= 0; --k) bits.push_back(static_cast<int>((v >> k) & 1));
  }
  const std::size_t whole = bits.size() / 8 * 8;
  for (std::size_t i = whole; i < bits.size(); ++i) {
    if (bits[i] != 0) {
      r.offset = n - pad - 1;  // the last digit carries the non-zero bits
      return r;
    }
  }
  for (std::size_t i = 0; i < whole; i += 8) {
    int v = 0;
    for (std::size_t k = 0; k < 8; ++k) v = v * 2 + bits[i + k];
    r.data.push_back(static_cast<unsigned char>(v));
  }
  r.ok = true;
  return r;
}

bytes from_hex(std::string_view hex) {
  const auto nibble = [](char c) -> int {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  bytes out;
  REQUIRE(hex.size() % 2 == 0);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    REQUIRE((hi >= 0 && lo >= 0));
    out.push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
  return out;
}

// A container that counts its resizes (encode/decode must append with exactly one).
template <class Base>
struct resize_counter {
  Base base;
  int resizes = 0;
  auto data() { return base.data(); }
  std::size_t size() const { return base.size(); }
  void resize(std::size_t n) {
    ++resizes;
    base.resize(n);
  }
};

// A memory resource that counts allocations.
class counting_resource : public std::pmr::memory_resource {
 public:
  int allocations = 0;

 private:
  void* do_allocate(std::size_t n, std::size_t align) override {
    ++allocations;
    return std::pmr::new_delete_resource()->allocate(n, align);
  }
  void do_deallocate(void* p, std::size_t n, std::size_t align) override {
    std::pmr::new_delete_resource()->deallocate(p, n, align);
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }
};

// Decodes `text` with decode_to into a buffer of exactly the right size.
siocodec::result<std::size_t> decode_exact(std::string_view text, mode m, bytes& out) {
  auto size = b64::decoded_size(text, m);
  out.assign(size ? *size : 0, 0);
  return b64::decode_to(text, byte_span(out.data(), out.size()), m);
}

std::string printable(std::string_view s) {
  std::string out;
  const char* hex = "0123456789abcdef";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST_CASE("base64: RFC 4648 section 10 test vectors") {
  FOR_EACH_KERNEL();
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    CAPTURE(std::string(plain));
    const bytes in = to_bytes(plain);
    CHECK(b64::encoded_size(in.size()) == encoded.size());

    char buf[16];
    auto w = b64::encode_to(buf, sizeof buf, view(in));
    REQUIRE(w);
    CHECK(*w == encoded.size());
    CHECK(std::string(buf, *w) == std::string(encoded));

    std::string s;
    REQUIRE(b64::encode(view(in), s));
    CHECK(s == std::string(encoded));

    for (mode m : {mode::strict, mode::lax}) {
      auto size = b64::decoded_size(encoded, m);
      REQUIRE(size);
      CHECK(*size == plain.size());
      CHECK(size.offset() == encoded.size());
      std::string out;
      auto d = b64::decode(encoded, out, m);
      REQUIRE(d);
      CHECK(*d == plain.size());
      CHECK(d.offset() == encoded.size());
      CHECK(out == std::string(plain));
    }
  }
}

TEST_CASE("base64: known encodings") {
  FOR_EACH_KERNEL();
  const bytes one_two_three_four = {1, 2, 3, 4};
  std::string s;
  REQUIRE(b64::encode(view(one_two_three_four), s));
  CHECK(s == "AQIDBA==");  // the engine.io-parser example (`bAQIDBA==`)
  const bytes all_ones = {0xfb, 0xff, 0xbf};
  s.clear();
  REQUIRE(b64::encode(view(all_ones), s));
  CHECK(s == "+/+/");  // the standard alphabet, never the URL-safe one
}

TEST_CASE("base64: every length 0..300 round-trips in both modes") {
  FOR_EACH_KERNEL();
  rng r{1};
  for (std::size_t len = 0; len <= 300; ++len) {
    CAPTURE(len);
    bytes in = random_bytes(r, len);
    // Every byte value shows up in every position of a group somewhere in the sweep.
    for (std::size_t i = 0; i < len; ++i) in[i] = static_cast<unsigned char>(in[i] ^ (i * 7 + len));

    std::string text;
    auto e = b64::encode(view(in), text);
    REQUIRE(e);
    CHECK(*e == b64::encoded_size(len));
    CHECK(text.size() == b64::encoded_size(len));
    CHECK(text == reference_encode(in));

    for (mode m : {mode::strict, mode::lax}) {
      auto size = b64::decoded_size(text, m);
      REQUIRE(size);
      CHECK(*size == len);
      CHECK(*size <= b64::max_decoded_size(text.size()));
      bytes out;
      auto d = b64::decode(text, out, m);
      REQUIRE(d);
      CHECK(out == in);
      bytes exact;
      REQUIRE(decode_exact(text, m, exact));
      CHECK(exact == in);
    }
  }
}

TEST_CASE("base64: emit composes with other output through the writer") {
  FOR_EACH_KERNEL();
  const bytes in = {1, 2, 3, 4};
  std::string out = "x";
  auto r = siocodec::detail::write_append(out, [&](auto& w) {
    w.put('b');
    b64::detail::emit(w, view(in));
    w.put('\x1e');
    return errc::none;
  });
  REQUIRE(r);
  CHECK(*r == 10);
  CHECK(out == "xbAQIDBA==\x1e");
}

// ---- strict mode errors ---------------------------------------------------------------------

namespace {

void check_strict_error(std::string_view text, std::size_t offset) {
  CAPTURE(printable(text));
  auto size = b64::decoded_size(text, mode::strict);
  REQUIRE_FALSE(size);
  CHECK(size.error() == errc::invalid_base64);
  CHECK(size.offset() == offset);

  // decode_to reports the same error, even into a buffer that is too small.
  unsigned char buf[64];
  for (std::size_t cap : {std::size_t{0}, std::size_t{1}, sizeof buf}) {
    auto d = b64::decode_to(text, byte_span(buf, cap), mode::strict);
    REQUIRE_FALSE(d);
    CHECK(d.error() == errc::invalid_base64);
    CHECK(d.offset() == offset);
  }

  // decode() leaves the container exactly as it was.
  std::string out = "keep";
  auto c = b64::decode(text, out, mode::strict);
  REQUIRE_FALSE(c);
  CHECK(c.error() == errc::invalid_base64);
  CHECK(c.offset() == offset);
  CHECK(out == "keep");

  const auto ref = reference_strict(text);
  CHECK_FALSE(ref.ok);
  CHECK(ref.offset == offset);

  // Lax mode never fails.
  CHECK(b64::decoded_size(text, mode::lax));
}

}  // namespace

TEST_CASE("base64: strict rejects a length that is not a multiple of 4 at text.size()") {
  FOR_EACH_KERNEL();
  check_strict_error("Q", 1);
  check_strict_error("QQ", 2);
  check_strict_error("QUI", 3);
  check_strict_error("QUJDR", 5);
  check_strict_error("QQ=", 3);
  check_strict_error("QQ===", 5);
  check_strict_error("QUJD\n", 5);
  check_strict_error("=", 1);
  check_strict_error("!!!!!", 5);  // the length is checked first
}

TEST_CASE("base64: strict rejects characters outside the alphabet at their offset") {
  FOR_EACH_KERNEL();
  check_strict_error("QU JD", 5);
  check_strict_error("QU D", 2);
  check_strict_error("-_-_", 0);
  check_strict_error("QUJD-UJD", 4);
  check_strict_error("QUJDQUJ_", 7);
  check_strict_error(std::string_view("QUJD\0UJD", 8), 4);
  check_strict_error("QUJDQUJD\r\n==", 8);
  check_strict_error("QUJD\xc5\x81JD", 4);
  check_strict_error("Q!J!", 1);  // the first of several
}

TEST_CASE("base64: strict rejects misplaced padding") {
  FOR_EACH_KERNEL();
  check_strict_error("QQ==QQ==", 2);
  check_strict_error("Q===", 1);
  check_strict_error("====", 0);
  check_strict_error("=QUJ", 0);
  check_strict_error("QU=J", 2);
  check_strict_error("Q=JD", 1);
  check_strict_error("QUJD=QQ=", 4);
  check_strict_error("QUJD====", 4);
}

TEST_CASE("base64: strict rejects non-zero unused bits on the last digit") {
  FOR_EACH_KERNEL();
  check_strict_error("QR==", 1);  // 'R' = 010001: the low 4 bits must be 0
  check_strict_error("QT==", 1);
  check_strict_error("QUJ=", 2);  // 'J' = 001001: the low 2 bits must be 0
  check_strict_error("QUJDQUJ=", 6);
  check_strict_error("Zm9vYh==", 5);
  check_strict_error("Zm9vYmF=", 6);
  // A bad character before the last digit is reported first.
  check_strict_error("Q!R=", 1);
  // Every digit with non-zero low bits is rejected, every other one accepted.
  for (std::size_t v = 0; v < 64; ++v) {
    CAPTURE(v);
    const std::string one_byte = std::string("Q") + standard_alphabet[v] + "==";
    const std::string two_bytes = std::string("QU") + standard_alphabet[v] + "=";
    CHECK(static_cast<bool>(b64::decoded_size(one_byte)) == ((v & 0x0f) == 0));
    CHECK(static_cast<bool>(b64::decoded_size(two_bytes)) == ((v & 0x03) == 0));
  }
}

TEST_CASE("base64: strict accepts exactly the alphabet at every position of a group") {
  FOR_EACH_KERNEL();
  // Every byte value at each of the 4 places of the second group of a 12-character text, and at
  // each unpadded place of a padded last group.
  const std::string base = "QUJDQUJDQUJD";
  for (unsigned c = 0; c < 256; ++c) {
    const bool digit = standard_alphabet.find(static_cast<char>(c)) != std::string_view::npos;
    for (std::size_t at = 4; at < 8; ++at) {
      std::string text = base;
      text[at] = static_cast<char>(c);
      CAPTURE(c, at);
      auto r = b64::decoded_size(text);
      CHECK(static_cast<bool>(r) == digit);
      if (!digit) CHECK(r.offset() == at);
      if (!digit) check_strict_error(text, at);
    }
    for (std::size_t at = 4; at < 6; ++at) {
      std::string text = "QUJDAA==";
      text[at] = static_cast<char>(c);
      CAPTURE(c, at);
      const auto ref = reference_strict(text);
      auto r = b64::decoded_size(text);
      CHECK(static_cast<bool>(r) == ref.ok);
      if (!ref.ok) check_strict_error(text, ref.offset);
    }
  }
}

TEST_CASE("base64: strict matches the bit-by-bit reference on pseudo-random input") {
  FOR_EACH_KERNEL();
  rng r{42};
  const std::string_view noise("=-_ \t\r\n.!\x80\xff\x00"
                               "AZaz09+/",
                               20);
  std::size_t accepted = 0;
  std::size_t rejected = 0;
  for (int iteration = 0; iteration < 30000; ++iteration) {
    std::string text;
    if (r.below(4) != 0) {
      // A canonical encoding with a few edits: most texts stay close to valid.
      const bytes in = random_bytes(r, r.below(40));
      text = reference_encode(in);
      const std::size_t edits = r.below(3);
      for (std::size_t e = 0; e < edits; ++e) {
        const char c = r.below(2) ? noise[r.below(noise.size())] : static_cast<char>(r.byte());
        const std::size_t kind = r.below(3);
        if (kind == 0 && !text.empty()) {
          text[r.below(text.size())] = c;
        } else if (kind == 1) {
          text.insert(text.begin() + static_cast<std::ptrdiff_t>(r.below(text.size() + 1)), c);
        } else if (!text.empty()) {
          text.erase(text.begin() + static_cast<std::ptrdiff_t>(r.below(text.size())));
        }
      }
    } else {
      const std::size_t len = r.below(5) * 4;
      for (std::size_t i = 0; i < len; ++i) {
        text += r.below(8) != 0 ? standard_alphabet[r.below(64)] : noise[r.below(noise.size())];
      }
    }
    CAPTURE(printable(text));
    const auto ref = reference_strict(text);
    auto size = b64::decoded_size(text, mode::strict);
    REQUIRE(static_cast<bool>(size) == ref.ok);
    if (!ref.ok) {
      ++rejected;
      REQUIRE(size.error() == errc::invalid_base64);
      REQUIRE(size.offset() == ref.offset);
      bytes out(64);
      auto d = b64::decode_to(text, byte_span(out.data(), out.size()), mode::strict);
      REQUIRE_FALSE(d);
      REQUIRE(d.offset() == ref.offset);
      continue;
    }
    ++accepted;
    REQUIRE(*size == ref.data.size());
    bytes exact;
    REQUIRE(decode_exact(text, mode::strict, exact));
    REQUIRE(exact == ref.data);
    bytes appended = {9};
    REQUIRE(b64::decode(text, appended, mode::strict));
    REQUIRE(appended.size() == ref.data.size() + 1);
    REQUIRE(std::equal(ref.data.begin(), ref.data.end(), appended.begin() + 1));
    // Whatever strict mode accepts, lax mode decodes to the same bytes.
    bytes lax;
    REQUIRE(decode_exact(text, mode::lax, lax));
    REQUIRE(lax == ref.data);
  }
  // The generator must exercise both outcomes in earnest.
  CHECK(accepted > 5000);
  CHECK(rejected > 5000);
}

// ---- bounded output -------------------------------------------------------------------------

TEST_CASE("base64: encode_to never writes past cap") {
  FOR_EACH_KERNEL();
  rng r{7};
  constexpr unsigned char canary = 0xA5;
  for (std::size_t len = 0; len <= 40; ++len) {
    const bytes in = random_bytes(r, len);
    const std::size_t need = b64::encoded_size(len);
    const std::string expected = reference_encode(in);
    for (std::size_t cap = 0; cap <= need + 2; ++cap) {
      CAPTURE(len, cap);
      std::vector<char> buf(cap + 16, static_cast<char>(canary));
      auto w = b64::encode_to(buf.data(), cap, view(in));
      if (cap < need) {
        REQUIRE_FALSE(w);
        CHECK(w.error() == errc::output_too_small);
        CHECK(w.offset() == cap);
        for (char c : buf) REQUIRE(static_cast<unsigned char>(c) == canary);  // nothing written
      } else {
        REQUIRE(w);
        CHECK(*w == need);
        CHECK(std::string(buf.data(), need) == expected);
        for (std::size_t i = need; i < buf.size(); ++i)
          REQUIRE(static_cast<unsigned char>(buf[i]) == canary);
      }
    }
  }
}

TEST_CASE("base64: decode_to never writes past cap, in both modes") {
  FOR_EACH_KERNEL();
  rng r{8};
  constexpr unsigned char canary = 0x5A;
  for (std::size_t len = 0; len <= 40; ++len) {
    const bytes in = random_bytes(r, len);
    const std::string canonical = reference_encode(in);
    std::string unpadded = canonical;
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
    // Lax texts: unpadded, and padded with noise that makes the bound max_decoded_size loose.
    const std::string noisy = " " + unpadded + "\n\t=QUJD";
    const std::pair<std::string, mode> cases[] = {
        {canonical, mode::strict},
        {canonical, mode::lax},
        {unpadded, mode::lax},
        {noisy, mode::lax},
    };
    for (const auto& [text, m] : cases) {
      for (std::size_t cap = 0; cap <= len + 6; ++cap) {
        CAPTURE(printable(text), m == mode::lax, cap);
        bytes buf(cap + 16, canary);
        auto d = b64::decode_to(text, byte_span(buf.data(), cap), m);
        if (cap < len) {
          REQUIRE_FALSE(d);
          CHECK(d.error() == errc::output_too_small);
          CHECK(d.offset() == cap);
          for (unsigned char c : buf) REQUIRE(c == canary);  // nothing written
        } else {
          REQUIRE(d);
          CHECK(*d == len);
          CHECK(d.offset() == text.size());
          CHECK(std::equal(in.begin(), in.end(), buf.begin()));
          for (std::size_t i = len; i < buf.size(); ++i) REQUIRE(buf[i] == canary);
        }
      }
    }
  }
}

TEST_CASE("base64: decode_to into an empty span") {
  FOR_EACH_KERNEL();
  auto a = b64::decode_to("", byte_span(), mode::strict);
  REQUIRE(a);
  CHECK(*a == 0);
  auto b = b64::decode_to("Q", byte_span(), mode::lax);
  REQUIRE(b);
  CHECK(*b == 0);
  auto c = b64::decode_to("QQ", byte_span(), mode::lax);
  REQUIRE_FALSE(c);
  CHECK(c.error() == errc::output_too_small);
  auto d = b64::decode_to("QQ==", byte_span(), mode::strict);
  REQUIRE_FALSE(d);
  CHECK(d.error() == errc::output_too_small);
  CHECK(d.offset() == 0);
}

TEST_CASE("base64: encoders refuse input whose encoding is not addressable") {
  FOR_EACH_KERNEL();
  const unsigned char one = 0;
  // The size is checked before the data is touched, so a fake huge view is safe here.
  const byte_view huge(&one, b64::max_encodable + 1);
  char buf[4];
  auto w = b64::encode_to(buf, sizeof buf, huge);
  REQUIRE_FALSE(w);
  CHECK(w.error() == errc::invalid_argument);
  std::string s = "keep";
  auto e = b64::encode(huge, s);
  REQUIRE_FALSE(e);
  CHECK(e.error() == errc::invalid_argument);
  CHECK(s == "keep");
  CHECK(b64::encoded_size(b64::max_encodable) >= b64::max_encodable);
}

// ---- containers -----------------------------------------------------------------------------

TEST_CASE("base64: encode appends to any byte container with one resize") {
  FOR_EACH_KERNEL();
  rng r{9};
  const bytes in = random_bytes(r, 1000);
  const std::string expected = reference_encode(in);

  resize_counter<std::string> s{"pre", 0};
  REQUIRE(b64::encode(view(in), s));
  CHECK(s.resizes == 1);
  CHECK(s.base == "pre" + expected);

  resize_counter<std::vector<unsigned char>> v{{1, 2}, 0};
  auto rv = b64::encode(view(in), v);
  REQUIRE(rv);
  CHECK(*rv == expected.size());
  CHECK(v.resizes == 1);
  REQUIRE(v.base.size() == expected.size() + 2);
  CHECK(v.base[0] == 1);
  CHECK(std::string(v.base.begin() + 2, v.base.end()) == expected);

  std::vector<char> vc = {'x'};
  REQUIRE(b64::encode(view(in), vc));
  CHECK(std::string(vc.begin(), vc.end()) == "x" + expected);

  counting_resource resource;
  std::pmr::string p("prefix that is longer than any small-string buffer", &resource);
  const int before = resource.allocations;
  resize_counter<std::pmr::string> counted{std::pmr::string(&resource), 0};
  REQUIRE(b64::encode(view(in), p));
  CHECK(resource.allocations - before == 1);
  CHECK(p == ("prefix that is longer than any small-string buffer" + expected).c_str());
  const int before2 = resource.allocations;
  REQUIRE(b64::encode(view(in), counted));
  CHECK(counted.resizes == 1);
  CHECK(resource.allocations - before2 == 1);
  CHECK(counted.base == expected.c_str());

  // Empty input: nothing appended.
  std::string e = "same";
  auto re = b64::encode(byte_view(), e);
  REQUIRE(re);
  CHECK(*re == 0);
  CHECK(e == "same");
}

TEST_CASE("base64: decode appends to any byte container with one resize") {
  FOR_EACH_KERNEL();
  rng r{10};
  const bytes in = random_bytes(r, 1000);
  const std::string text = reference_encode(in);
  const std::string lax_text = "\r\n" + text.substr(0, 500) + " \t" + text.substr(500);

  for (mode m : {mode::strict, mode::lax}) {
    const std::string& t = m == mode::strict ? text : lax_text;
    resize_counter<std::string> s{"pre", 0};
    auto rs = b64::decode(t, s, m);
    REQUIRE(rs);
    CHECK(*rs == in.size());
    CHECK(rs.offset() == t.size());
    CHECK(s.resizes == 1);
    CHECK(s.base == "pre" + to_string(in));

    resize_counter<std::vector<unsigned char>> v{{7}, 0};
    REQUIRE(b64::decode(t, v, m));
    CHECK(v.resizes == 1);
    REQUIRE(v.base.size() == in.size() + 1);
    CHECK(v.base[0] == 7);
    CHECK(std::equal(in.begin(), in.end(), v.base.begin() + 1));

    const std::string prefix = "a prefix longer than any small-string buffer";
    counting_resource resource;
    std::pmr::string p(prefix.c_str(), &resource);
    const int before = resource.allocations;
    REQUIRE(b64::decode(t, p, m));
    CHECK(resource.allocations - before == 1);
    CHECK(std::string(p.data(), p.size()) == prefix + to_string(in));
  }
}

TEST_CASE("base64: a failed decode leaves the container untouched") {
  FOR_EACH_KERNEL();
  std::vector<unsigned char> v = {1, 2, 3};
  const std::string bad = std::string(400, 'A') + "!AAA";  // the error is found after the resize
  auto r = b64::decode(bad, v);
  REQUIRE_FALSE(r);
  CHECK(r.error() == errc::invalid_base64);
  CHECK(r.offset() == 400);
  CHECK(v == std::vector<unsigned char>{1, 2, 3});
  auto r2 = b64::decode("AAAAAR==", v);
  REQUIRE_FALSE(r2);
  CHECK(r2.offset() == 5);
  CHECK(v == std::vector<unsigned char>{1, 2, 3});
}

// ---- lax mode -------------------------------------------------------------------------------

TEST_CASE("base64: lax and strict differ where Node is lenient") {
  FOR_EACH_KERNEL();
  struct difference {
    std::string_view text;
    std::size_t strict_offset;  // where strict mode fails
    std::string_view lax;       // what Node 20's Buffer.from(text, "base64") gives
  };
  const difference cases[] = {
      {"QQ", 2, "A"},               // missing padding
      {"QUI", 3, "AB"},             //
      {"QUJDR", 5, "ABC"},          // a single digit left over yields nothing
      {"QR==", 1, "A"},             // non-zero unused bits are dropped
      {"QUJ=", 2, "AB"},            //
      {"-_-_", 0, "\xfb\xff\xbf"},  // URL-safe alphabet
      {"-/+_", 0, "\xfb\xff\xbf"},  // mixed alphabets
      {"Q U J D", 7, "ABC"},        // whitespace skipped
      {" Q\nUJD\t", 7, "ABC"},      //
      {"QUJD.QUJD", 9, "ABCABC"},   // junk skipped
      {"QQ==QQ==", 2, "A"},         // the first '=' ends the data
      {"QUJD=QUJD", 9, "ABC"},      //
      {"Q=UJD", 5, ""},             //
      {"QU=JD", 5, "A"},            //
      {"=QUJD", 5, ""},             //
      {"QQ=", 3, "A"},              //
      {"Q\xc5\x81JD", 5,
       "@\x02"
       "C"},                            // U+0141 counts as 'A' (low byte of its code unit)
      {"QU\xc4\xbdJD", 6, "A"},         // U+013D counts as '=' and ends the data
      {"Q\xf0\x9f\x98\x80UJD", 1, ""},  // U+1F600 = D83D DE00: its high surrogate is '='
      {"Q\xc4\x80JD", 5, "@\x90"},      // U+0100: NUL, skipped
      {"Q\xc3\x81JD", 5, "@\x90"},      // U+00C1: 0xC1, skipped
      {"Q\xffUJD", 5, "ABC"},           // invalid UTF-8: U+FFFD, skipped
      {"Q\xc5QUJD", 6, "A\x05\x09"},    // a cut sequence does not swallow the next byte
  };
  for (const auto& c : cases) {
    CAPTURE(printable(c.text));
    auto s = b64::decoded_size(c.text, mode::strict);
    REQUIRE_FALSE(s);
    CHECK(s.offset() == c.strict_offset);
    std::string out;
    auto l = b64::decode(c.text, out, mode::lax);
    REQUIRE(l);
    CHECK(printable(out) == printable(c.lax));
    auto size = b64::decoded_size(c.text, mode::lax);
    REQUIRE(size);
    CHECK(*size == c.lax.size());
    CHECK(size.offset() == c.text.size());
  }
}

TEST_CASE("base64: lax mode agrees with Node on every committed case") {
  FOR_EACH_KERNEL();
  const std::string path =
      std::string(SIOCODEC_TEST_DATA_DIR) + "/unit/common/base64_lax_cases.txt";
  std::ifstream file(path, std::ios::binary);
  REQUIRE(file.is_open());
  std::string line;
  std::size_t count = 0;
  std::size_t non_empty = 0;
  std::size_t long_cases = 0;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    const bytes input = from_hex(std::string_view(line).substr(0, tab));
    const bytes expected = from_hex(std::string_view(line).substr(tab + 1));
    const std::string text(input.begin(), input.end());
    CAPTURE(count, printable(text));
    ++count;
    if (!expected.empty()) ++non_empty;
    if (text.size() > 4096) ++long_cases;

    auto size = b64::decoded_size(text, mode::lax);
    REQUIRE(size);
    REQUIRE(*size == expected.size());
    REQUIRE(size.offset() == text.size());

    // Exact-size buffer (the measuring pass) and a roomy one (the single pass).
    bytes exact(expected.size() + 8, 0xEE);
    auto d = b64::decode_to(text, byte_span(exact.data(), expected.size()), mode::lax);
    REQUIRE(d);
    REQUIRE(*d == expected.size());
    REQUIRE(std::equal(expected.begin(), expected.end(), exact.begin()));
    for (std::size_t i = expected.size(); i < exact.size(); ++i) REQUIRE(exact[i] == 0xEE);
    bytes roomy(b64::max_decoded_size(text.size()) + 1);
    auto d2 = b64::decode_to(text, byte_span(roomy.data(), roomy.size()), mode::lax);
    REQUIRE(d2);
    REQUIRE(bytes(roomy.begin(), roomy.begin() + static_cast<std::ptrdiff_t>(*d2)) == expected);
    if (!expected.empty()) {
      auto small = b64::decode_to(text, byte_span(roomy.data(), expected.size() - 1), mode::lax);
      REQUIRE_FALSE(small);
      REQUIRE(small.error() == errc::output_too_small);
    }
    bytes appended;
    REQUIRE(b64::decode(text, appended, mode::lax));
    REQUIRE(appended == expected);

    // Where strict mode accepts the text, it must agree too.
    auto strict = b64::decoded_size(text, mode::strict);
    if (strict) {
      bytes s;
      REQUIRE(decode_exact(text, mode::strict, s));
      REQUIRE(s == expected);
    }
  }
  CHECK(count >= 2000);
  CHECK(non_empty >= 1000);
  CHECK(long_cases >= 4);
}

// ---- kernels --------------------------------------------------------------------------------

TEST_CASE("base64: block kernels decode whole groups and stop at the first other character") {
  FOR_EACH_KERNEL();
  const std::string text = "QUJDQUJDQU JDQUJD";
  unsigned char out[12] = {};
  // Strict: the offset of the first invalid character, groups before it written.
  CHECK(b64::detail::decode_strict_block(text.data(), 8, out) == 8);
  CHECK(std::string(out, out + 6) == "ABCABC");
  CHECK(b64::detail::decode_strict_block(text.data(), 16, out) == 10);
  CHECK(b64::detail::decode_strict_block(text.data(), 16, nullptr) == 10);
  CHECK(b64::detail::decode_strict_block("-AAA", 4, nullptr) == 0);
  CHECK(b64::detail::decode_strict_block("AAA_", 4, nullptr) == 3);
  // Lax: characters consumed, whole groups of digits only; URL-safe digits included.
  CHECK(b64::detail::decode_lax_block(text.data(), text.size(), out) == 8);
  CHECK(b64::detail::decode_lax_block("-_-_QUJDQU", 10, out) == 8);
  CHECK(std::string(out, out + 6) == "\xfb\xff\xbf"
                                     "ABC");
  CHECK(b64::detail::decode_lax_block("QUJDQU==", 8, nullptr) == 4);
  CHECK(b64::detail::decode_lax_block("QUJ", 3, nullptr) == 0);
}

// ---- every kernel against the scalar one ------------------------------------------------------

namespace {

// What one call did: the result (value or error and offset) and every byte of the output
// buffer, canaries included, so partial writes before an error must match too.
struct outcome {
  bool ok;
  errc ec;
  std::size_t value_or_offset;
  bytes buffer;
  bool operator==(const outcome& o) const {
    return ok == o.ok && ec == o.ec && value_or_offset == o.value_or_offset && buffer == o.buffer;
  }
};

outcome run_decode(std::string_view text, mode m, std::size_t cap) {
  outcome o{false, errc::none, 0, bytes(cap + 8, 0xA5)};
  const auto r = b64::decode_to(text, byte_span(o.buffer.data(), cap), m);
  o.ok = static_cast<bool>(r);
  o.ec = r ? errc::none : r.error();
  o.value_or_offset = r ? *r : r.offset();
  return o;
}

outcome run_decoded_size(std::string_view text, mode m) {
  outcome o{false, errc::none, 0, {}};
  const auto r = b64::decoded_size(text, m);
  o.ok = static_cast<bool>(r);
  o.ec = r ? errc::none : r.error();
  o.value_or_offset = r ? *r : r.offset();
  return o;
}

outcome run_encode(const bytes& in, std::size_t cap) {
  outcome o{false, errc::none, 0, bytes(cap + 8, 0x5A)};
  const auto r = b64::encode_to(reinterpret_cast<char*>(o.buffer.data()), cap, view(in));
  o.ok = static_cast<bool>(r);
  o.ec = r ? errc::none : r.error();
  o.value_or_offset = r ? *r : r.offset();
  return o;
}

// Runs `f` under the scalar kernel and under every other supported kernel; all must agree.
// @return how many kernels were compared against scalar.
template <class F>
std::size_t compare_kernels(F&& f) {
  outcome expected;
  {
    const kernel_scope scalar(b64::kernel::scalar);
    REQUIRE(scalar.active());
    expected = f();
  }
  std::size_t compared = 0;
  for (const b64::kernel k : all_kernels) {
    if (k == b64::kernel::scalar) continue;
    const kernel_scope scope(k);
    if (!scope.active()) continue;
    const outcome got = f();
    if (!(got == expected)) {
      FAIL_CHECK("kernel " << b64::kernel_name(k) << " differs from scalar: ok " << got.ok << " vs "
                           << expected.ok << ", value/offset " << got.value_or_offset << " vs "
                           << expected.value_or_offset);
    }
    ++compared;
  }
  return compared;
}

// Lengths around every 16/32/64-character boundary the kernels step by, up to three 64-blocks
// plus the tails.
std::vector<std::size_t> boundary_lengths() {
  std::vector<std::size_t> v;
  for (std::size_t n = 0; n <= 280; ++n) {
    const std::size_t r = n % 16;
    if (n < 72 || r <= 4 || r >= 12) v.push_back(n);
  }
  return v;
}

}  // namespace

TEST_CASE("base64: the kernels this CPU supports are tested and the best one is chosen") {
  CHECK(b64::kernel_supported(b64::kernel::scalar));
  CHECK(b64::kernel_supported(b64::best_kernel()));
  CHECK(!b64::kernel_name(b64::active_kernel()).empty());
#if defined(SIOCODEC_NO_SIMD)
  CHECK(b64::best_kernel() == b64::kernel::scalar);
  for (const b64::kernel k : all_kernels) {
    CHECK(b64::kernel_supported(k) == (k == b64::kernel::scalar));
  }
#elif defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  CHECK(b64::kernel_supported(b64::kernel::ssse3) == (__builtin_cpu_supports("ssse3") != 0));
  CHECK(b64::kernel_supported(b64::kernel::avx2) == (__builtin_cpu_supports("avx2") != 0));
  const bool vbmi = __builtin_cpu_supports("avx512f") != 0 &&
                    __builtin_cpu_supports("avx512bw") != 0 &&
                    __builtin_cpu_supports("avx512vbmi") != 0;
  CHECK(b64::kernel_supported(b64::kernel::avx512) == vbmi);
  CHECK(!b64::kernel_supported(b64::kernel::neon));
  CHECK(b64::best_kernel() == (vbmi                                        ? b64::kernel::avx512
                               : b64::kernel_supported(b64::kernel::avx2)  ? b64::kernel::avx2
                               : b64::kernel_supported(b64::kernel::ssse3) ? b64::kernel::ssse3
                                                                           : b64::kernel::scalar));
#endif
  // set_kernel refuses what is not supported and leaves the choice alone.
  const b64::kernel before = b64::active_kernel();
  for (const b64::kernel k : all_kernels) {
    if (b64::kernel_supported(k)) continue;
    CHECK(!b64::set_kernel(k));
    CHECK(b64::active_kernel() == before);
  }
  for (const b64::kernel k : all_kernels) {
    if (!b64::kernel_supported(k)) continue;
    REQUIRE(b64::set_kernel(k));
    CHECK(b64::active_kernel() == k);
  }
  REQUIRE(b64::set_kernel(before));
}

TEST_CASE("base64: every kernel matches scalar on encoding, every length and cap") {
  rng r{2024};
  std::size_t compared = 0;
  for (std::size_t len = 0; len <= 260; ++len) {
    CAPTURE(len);
    const bytes in = random_bytes(r, len);
    const std::size_t full = (len + 2) / 3 * 4;
    for (const std::size_t cap : {full, full == 0 ? std::size_t{0} : full - 1}) {
      compared += compare_kernels([&] { return run_encode(in, cap); });
    }
  }
  INFO("kernels compared: " << compared);
  CHECK((compared > 0) == (b64::best_kernel() != b64::kernel::scalar));
}

TEST_CASE("base64: every kernel matches scalar on clean text around block boundaries") {
  rng r{77};
  for (const std::size_t n : boundary_lengths()) {
    CAPTURE(n);
    // n / 4 whole groups plus n % 4 trailing digits; with and without padding.
    const std::string text = reference_encode(random_bytes(r, n * 3 / 4));
    for (const mode m : {mode::strict, mode::lax}) {
      CAPTURE(m == mode::strict);
      compare_kernels([&] { return run_decoded_size(text, m); });
      compare_kernels([&] { return run_decode(text, m, n); });          // room to spare
      compare_kernels([&] { return run_decode(text, m, n / 4 * 3); });  // exact or too small
    }
  }
}

TEST_CASE("base64: every kernel matches scalar with one odd character at every position") {
  // Outside the standard alphabet: padding, the URL-safe pair (digits in lax mode only),
  // whitespace, controls, bytes whose high or low nibble alone looks like a digit's, non-ASCII
  // (a lone byte, and a whole UTF-8 sequence that lax mode reads through its UTF-16 units).
  const std::string_view odd[] = {"=",
                                  "-",
                                  "_",
                                  " ",
                                  "\n",
                                  std::string_view("\0", 1),
                                  "\x7f",
                                  "\x80",
                                  "\xff",
                                  "\xbf",
                                  ":",
                                  "@",
                                  "[",
                                  "`",
                                  "{",
                                  "*",
                                  ",",
                                  ".",
                                  "\xc3\xa9",
                                  "\xe2\x82\xac",
                                  "\xf0\x9f\x98\x80"};
  rng r{31337};
  std::size_t cases = 0;
  for (const std::size_t n : {std::size_t{16}, std::size_t{20}, std::size_t{32}, std::size_t{48},
                              std::size_t{64}, std::size_t{68}, std::size_t{96}, std::size_t{128},
                              std::size_t{132}, std::size_t{188}, std::size_t{256}}) {
    const std::string clean = reference_encode(random_bytes(r, n / 4 * 3));
    for (std::size_t at = 0; at < clean.size(); ++at) {
      for (const std::string_view c : odd) {
        std::string text = clean;
        text.replace(at, c.size() > text.size() - at ? text.size() - at : 1, c);
        CAPTURE(n, at, printable(text));
        for (const mode m : {mode::strict, mode::lax}) {
          compare_kernels([&] { return run_decoded_size(text, m); });
          compare_kernels([&] { return run_decode(text, m, text.size()); });
          compare_kernels([&] { return run_decode(text, m, text.size() / 4 * 3); });
        }
        ++cases;
      }
    }
  }
  CHECK(cases > 20000);
}

TEST_CASE("base64: every kernel matches scalar on every byte value in every place of a block") {
  rng r{99};
  const std::string clean = reference_encode(random_bytes(r, 96));  // 128 characters, no '='
  std::size_t compared = 0;
  for (const std::size_t at :
       {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{15},
        std::size_t{16}, std::size_t{31}, std::size_t{47}, std::size_t{63}, std::size_t{64},
        std::size_t{65}, std::size_t{127}}) {
    for (unsigned c = 0; c < 256; ++c) {
      std::string text = clean;
      text[at] = static_cast<char>(c);
      CAPTURE(at, c);
      for (const mode m : {mode::strict, mode::lax}) {
        compared += compare_kernels([&] { return run_decode(text, m, text.size()); });
      }
    }
  }
  CHECK((compared > 0) == (b64::best_kernel() != b64::kernel::scalar));
}

TEST_CASE("base64: every kernel this CPU supports ran the kernel-generated test cases") {
  // Catch2 runs test cases in declaration order by default; this one comes last in the file.
  // With --order rand or a filter it may run first, so it checks only when others ran.
  if (kernels_tested().empty()) return;
  for (const b64::kernel k : all_kernels) {
    CAPTURE(std::string(b64::kernel_name(k)));
    CHECK(kernels_tested().count(k) == (b64::kernel_supported(k) ? 1u : 0u));
  }
}

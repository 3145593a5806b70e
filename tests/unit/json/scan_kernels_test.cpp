// SPDX-License-Identifier: BSL-1.0
#include <siocodec/json/validate.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/json/write.hpp>

#include "support/catch.hpp"
#include "unit/json/cases.hpp"

#include <cstddef>
#include <cstdint>
#include <new>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace json = siocodec::json;
using siocodec::errc;

namespace {

constexpr json::kernel all_kernels[] = {json::kernel::scalar, json::kernel::sse2,
                                        json::kernel::avx2, json::kernel::avx512};

std::set<json::kernel>& kernels_tested() {
  static std::set<json::kernel> tested;
  return tested;
}

// Forces kernel `k` for the life of the scope (when this CPU supports it), then restores the
// one that was active.
class kernel_scope {
 public:
  explicit kernel_scope(json::kernel k)
      : before_(json::active_kernel()), active_(json::set_kernel(k)) {
    if (active_) kernels_tested().insert(k);
  }
  ~kernel_scope() { (void)json::set_kernel(before_); }
  kernel_scope(const kernel_scope&) = delete;
  kernel_scope& operator=(const kernel_scope&) = delete;
  bool active() const { return active_; }

 private:
  json::kernel before_;
  bool active_;
};

struct rng {
  std::uint64_t s;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  unsigned byte() { return static_cast<unsigned>(next() >> 56); }
};

// The byte-by-byte definitions of the three scans, independent of the implementation.
bool ends_string_run(unsigned char c) { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80; }
bool is_quote(unsigned char c) { return c == '"' || c == '\\'; }
bool not_ws(unsigned char c) { return !(c == ' ' || c == '\t' || c == '\n' || c == '\r'); }

template <class Pred>
const char* naive(const char* p, const char* end, Pred pred) {
  while (p != end && !pred(static_cast<unsigned char>(*p))) ++p;
  return p;
}

// A buffer of exactly `off + len` bytes, 64-byte aligned, so that [data + off, data + off + len)
// starts `off` bytes past a 64-byte boundary and AddressSanitizer sees any read past its end.
class aligned_buffer {
 public:
  explicit aligned_buffer(std::size_t size)
      : size_(size == 0 ? 1 : size),
        data_(static_cast<char*>(::operator new (size_, std::align_val_t{64}))) {}
  ~aligned_buffer() { ::operator delete (data_, std::align_val_t{64}); }
  aligned_buffer(const aligned_buffer&) = delete;
  aligned_buffer& operator=(const aligned_buffer&) = delete;
  char* data() const { return data_; }

 private:
  std::size_t size_;
  char* data_;
};

struct scan_counts {
  std::size_t kernels = 0;
  std::size_t scans = 0;
};

// Every supported kernel (each forced through set_kernel) against the byte-by-byte definition:
// every length in `lens`, every start offset in `offs` relative to a 64-byte boundary, and the
// byte at every position taking every value 0-255 (the class edges only, away from the block
// boundaries) in a run of `filler` bytes.
scan_counts check_scans(const std::vector<std::size_t>& lens, const std::vector<std::size_t>& offs,
                        const std::string& filler_set) {
  scan_counts counts;
  rng r{0x9E3779B97F4A7C15ull};
  std::vector<unsigned> all_values;
  for (unsigned v = 0; v < 256; ++v) all_values.push_back(v);
  const std::vector<unsigned> edge_values = {0x00, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
                                             0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D,
                                             0x7E, 0x7F, 0x80, 0x81, 0xA0, 0xC0, 0xDC, 0xFF};
  for (const json::kernel k : all_kernels) {
    const kernel_scope scope(k);
    if (!scope.active()) continue;
    ++counts.kernels;
    for (const std::size_t len : lens) {
      for (const std::size_t off : offs) {
        const aligned_buffer buf(off + len);
        char* const b = buf.data() + off;
        char* const e = b + len;
        for (std::size_t i = 0; i < len; ++i) b[i] = filler_set[r.next() % filler_set.size()];
        for (std::size_t pos = 0; pos <= len; ++pos) {
          // Every value at the places next to the 16/32/64 boundaries (and the ends); the
          // values next to each class edge everywhere else.
          const bool every = pos < 2 || pos + 2 >= len || pos % 16 <= 1 || pos % 16 == 15;
          const std::vector<unsigned>& values = every ? all_values : edge_values;
          for (std::size_t vi = 0; vi < (pos == len ? 1u : values.size()); ++vi) {
            const unsigned v = values[vi];
            const char saved = pos == len ? '\0' : b[pos];
            if (pos < len) b[pos] = static_cast<char>(v);
            const bool ok_string = json::detail::scan_string(b, e) == naive(b, e, ends_string_run);
            const bool ok_quote =
                json::detail::find_quote_or_backslash(b, e) == naive(b, e, is_quote);
            const bool ok_ws = json::detail::skip_ws(b, e) == naive(b, e, not_ws);
            if (!(ok_string && ok_quote && ok_ws)) {
              INFO("kernel " << json::kernel_name(k) << ", length " << len << ", offset " << off
                             << ", byte " << v << " at " << pos);
              CHECK(ok_string);
              CHECK(ok_quote);
              CHECK(ok_ws);
              return counts;
            }
            counts.scans += 3;
            if (pos < len) b[pos] = saved;
          }
        }
      }
    }
  }
  return counts;
}

std::vector<std::size_t> boundary_lengths() {
  std::vector<std::size_t> v;
  for (std::size_t n = 0; n <= 20; ++n) v.push_back(n);
  for (const std::size_t b : {32u, 48u, 64u, 80u, 96u, 128u, 144u, 192u}) {
    v.push_back(b - 1);
    v.push_back(b);
    v.push_back(b + 1);
  }
  return v;
}

const std::vector<std::size_t> start_offsets = {0, 1, 7, 15, 16, 33, 63};

// What validate() said, for comparing kernels.
struct verdict {
  bool ok;
  json::kind k;
  errc ec;
  std::size_t offset;
  bool operator==(const verdict& o) const {
    return ok == o.ok && k == o.k && ec == o.ec && offset == o.offset;
  }
};

verdict validate_with(json::kernel k, std::string_view text) {
  const kernel_scope scope(k);
  const json_cases::exact_copy copy(text);
  const auto r = json::validate(copy.view());
  return {r.has_value(), r ? *r : json::kind::null, r ? errc::none : r.error(), r.offset()};
}

}  // namespace

TEST_CASE("json kernels: the supported ones are detected and set_kernel forces them") {
  CHECK(json::kernel_supported(json::kernel::scalar));
  CHECK(json::kernel_supported(json::best_kernel()));
  CHECK(json::kernel_name(json::kernel::avx512) == "avx512");
#if defined(SIOCODEC_NO_SIMD)
  CHECK(json::best_kernel() == json::kernel::scalar);
  for (const json::kernel k : all_kernels) {
    CHECK(json::kernel_supported(k) == (k == json::kernel::scalar));
  }
#elif defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") != 0;
  const bool avx512 =
      __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0;
  CHECK(json::kernel_supported(json::kernel::sse2));
  CHECK(json::kernel_supported(json::kernel::avx2) == avx2);
  CHECK(json::kernel_supported(json::kernel::avx512) == avx512);
  CHECK(json::best_kernel() == (avx512 ? json::kernel::avx512
                                : avx2 ? json::kernel::avx2
                                       : json::kernel::sse2));
#endif
  const json::kernel before = json::active_kernel();
  for (const json::kernel k : all_kernels) {
    CAPTURE(std::string(json::kernel_name(k)));
    if (json::kernel_supported(k)) {
      REQUIRE(json::set_kernel(k));
      CHECK(json::active_kernel() == k);
    } else {
      CHECK(!json::set_kernel(k));
    }
  }
  REQUIRE(json::set_kernel(before));
  CHECK(json::active_kernel() == before);
}

TEST_CASE("json kernels: string and quote scans find every byte value at every position") {
  // Plain string content around the byte under test: printable ASCII but `"` and `\`.
  std::string plain;
  for (char c = 0x20; c < 0x7F; ++c) {
    if (c != '"' && c != '\\') plain.push_back(c);
  }
  const scan_counts c = check_scans(boundary_lengths(), start_offsets, plain);
  CHECK(c.kernels >= 1);
  CHECK(c.scans > 100000);
}

TEST_CASE("json kernels: whitespace scan finds every byte value at every position") {
  const scan_counts c = check_scans(boundary_lengths(), start_offsets, " \t\n\r");
  CHECK(c.kernels >= 1);
  CHECK(c.scans > 100000);
}

TEST_CASE("json kernels: scans agree on random bytes of every kind") {
  rng r{12345};
  const std::string mixes[] = {" \t\n\r", "ab \"\\\x01\x80", "abcdefgh\t ", "\xc3\xa9\xe2\x82\xac"};
  for (const json::kernel k : all_kernels) {
    const kernel_scope scope(k);
    if (!scope.active()) continue;
    CAPTURE(std::string(json::kernel_name(k)));
    for (int round = 0; round < 2000; ++round) {
      const std::string& mix = mixes[static_cast<std::size_t>(round) % 4];
      const std::size_t len = r.next() % 300;
      const std::size_t off = r.next() % 64;
      const aligned_buffer buf(off + len);
      char* const b = buf.data() + off;
      // Mostly one class of byte, with a sprinkle of others, so that runs are long.
      for (std::size_t i = 0; i < len; ++i) {
        b[i] = r.next() % 64 == 0 ? static_cast<char>(r.byte()) : mix[r.next() % mix.size()];
      }
      for (std::size_t start = 0; start <= len; start += 1 + r.next() % 17) {
        const char* p = b + start;
        const char* e = b + len;
        REQUIRE(json::detail::scan_string(p, e) == naive(p, e, ends_string_run));
        REQUIRE(json::detail::find_quote_or_backslash(p, e) == naive(p, e, is_quote));
        REQUIRE(json::detail::skip_ws(p, e) == naive(p, e, not_ws));
      }
    }
  }
}

TEST_CASE("json kernels: validate gives the same verdict with every kernel on json_cases.txt") {
  const auto lines = json_cases::read("json_cases.txt");
  REQUIRE(lines.size() >= 3000);
  std::size_t compared = 0;
  for (const auto& l : lines) {
    REQUIRE(l.size() >= 2);
    const std::string input = json_cases::unhex(l[0]);
    INFO("input hex: " << l[0]);
    const verdict expected = validate_with(json::kernel::scalar, input);
    REQUIRE(expected.ok == (l[1] == "1"));
    // Also each case padded with whitespace long enough for the wide kernels, and inside a
    // long string.
    const std::string padded = std::string(70, ' ') + input + std::string(33, '\n');
    const verdict expected_padded = validate_with(json::kernel::scalar, padded);
    for (const json::kernel k : all_kernels) {
      if (k == json::kernel::scalar || !json::kernel_supported(k)) continue;
      CAPTURE(std::string(json::kernel_name(k)));
      CHECK(validate_with(k, input) == expected);
      CHECK(validate_with(k, padded) == expected_padded);
      ++compared;
    }
  }
  CHECK((compared > 0) == (json::best_kernel() != json::kernel::scalar));
}

TEST_CASE("json kernels: validate gives the same verdict on random strings, every byte value") {
  // A string of plain content with one byte (every value) or one escape at every position,
  // starting at every offset from a 64-byte boundary within a document.
  rng r{777};
  std::size_t compared = 0;
  for (const std::size_t len :
       {std::size_t{5}, std::size_t{17}, std::size_t{40}, std::size_t{70}, std::size_t{130}}) {
    std::string content;
    for (std::size_t i = 0; i < len; ++i) content.push_back(static_cast<char>('a' + r.next() % 26));
    for (std::size_t pos = 0; pos < len; ++pos) {
      for (unsigned v = 0; v < 256; v += (len > 40 ? 3 : 1)) {
        std::string s = content;
        s[pos] = static_cast<char>(v);
        const std::string doc = "[" + std::string(r.next() % 64, ' ') + "\"" + s + "\"]";
        const verdict expected = validate_with(json::kernel::scalar, doc);
        for (const json::kernel k : all_kernels) {
          if (k == json::kernel::scalar || !json::kernel_supported(k)) continue;
          if (!(validate_with(k, doc) == expected)) {
            FAIL("kernel " << json::kernel_name(k) << " differs: length " << len << ", byte " << v
                           << " at " << pos);
          }
          ++compared;
        }
      }
    }
  }
  CHECK((compared > 0) == (json::best_kernel() != json::kernel::scalar));
}

TEST_CASE("json kernels: the string writer and reader agree with node with every kernel") {
  std::size_t count = 0;
  for (const json::kernel k : all_kernels) {
    const kernel_scope scope(k);
    if (!scope.active()) continue;
    CAPTURE(std::string(json::kernel_name(k)));
    for (const auto& l : json_cases::read("json_write_cases.txt")) {
      if (l[0] != "s") continue;
      const std::string in = json_cases::unhex(l[1]);
      const std::string expect = json_cases::unhex(l[2]);
      INFO("input hex: " << l[1]);
      const json_cases::exact_copy copy(in);
      std::string out(expect.size(), '\0');
      const auto w = json::encode_string_to(&out[0], out.size(), copy.view());
      REQUIRE(w.has_value());
      CHECK(out == expect);
      // Long enough for the wide kernels: the same string 5 times.
      const std::string in5 = in + in + in + in + in;
      const std::string expect5 = "\"" + [&] {
        const std::string body = expect.substr(1, expect.size() - 2);
        return body + body + body + body + body;
      }() + "\"";
      const json_cases::exact_copy copy5(in5);
      std::string out5(expect5.size(), '\0');
      REQUIRE(json::encode_string_to(&out5[0], out5.size(), copy5.view()).has_value());
      CHECK(out5 == expect5);
      const auto v = json::parse(expect5);
      REQUIRE(v.has_value());
      CHECK(v->string_equals(in5));
      ++count;
    }
  }
  CHECK(count >= 300);
}

TEST_CASE("json kernels: every kernel this CPU supports ran in the cases above") {
  // Catch2 runs test cases in declaration order by default; with a filter or --order rand this
  // one may run first, so it checks only when others ran.
  if (kernels_tested().empty()) return;
  for (const json::kernel k : all_kernels) {
    CAPTURE(std::string(json::kernel_name(k)));
    CHECK(kernels_tested().count(k) == (json::kernel_supported(k) ? 1u : 0u));
  }
}

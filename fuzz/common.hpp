// SPDX-License-Identifier: BSL-1.0
// Shared by every fuzz target: the trap-on-assert hook, the check macro, the input splitter.
#ifndef SIOCODEC_FUZZ_COMMON_HPP
#define SIOCODEC_FUZZ_COMMON_HPP

// Must come before any siocodec header: the library only fires SIOCODEC_ASSERT on API misuse
// (result::value() on an error...), which in a fuzz target is a bug in the target or the library.
// A trap is the cheapest way to make libFuzzer record it as a crash with a stack.
#ifdef SIOCODEC_CONFIG_HPP
#error "fuzz/common.hpp must be included before any siocodec header"
#endif
#define SIOCODEC_ASSERT(cond) ((cond) ? static_cast<void>(0) : __builtin_trap())

#include <siocodec/error.hpp>
#include <siocodec/result.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

/// An invariant the target checks. A failure prints the condition and aborts, which libFuzzer
/// reports as a crash ("deadly signal") and the replay runner as a failed test.
#define FUZZ_CHECK(cond)                                                                           \
  ((cond) ? static_cast<void>(0) : ::siocodec_fuzz::check_failed(#cond, __FILE__, __LINE__))

/// FUZZ_CHECK for an invariant that a reported, not yet fixed finding breaks (`id` names the
/// fuzz/regressions/ file that reproduces it). Checked like any other by default, so the replay
/// tests and CI keep failing until the owner fixes it; with SIOCODEC_FUZZ_IGNORE_KNOWN=1 in the
/// environment it is skipped, so that a long local run can look for further findings past it.
#define FUZZ_CHECK_KNOWN(id, cond)                                                                 \
  ((::siocodec_fuzz::ignore_known() || (cond))                                                     \
       ? static_cast<void>(0)                                                                      \
       : ::siocodec_fuzz::check_failed(#cond " [known issue " id "]", __FILE__, __LINE__))

namespace siocodec_fuzz {

inline bool ignore_known() noexcept {
  static const bool ignore = [] {
    const char* v = std::getenv("SIOCODEC_FUZZ_IGNORE_KNOWN");
    return v != nullptr && v[0] == '1';
  }();
  return ignore;
}

[[noreturn]] inline void check_failed(const char* what, const char* file, int line) noexcept {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
  std::fflush(stderr);
  std::abort();
}

/// Bytes in a heap block of exactly their size, so that AddressSanitizer catches a read one past
/// the end (a std::string would hide it in its capacity or its small buffer).
class exact_bytes {
 public:
  exact_bytes() = default;
  exact_bytes(const void* p, std::size_t n) : data_(new char[n == 0 ? 1 : n]), size_(n) {
    if (n != 0) std::memcpy(data_.get(), p, n);
  }
  explicit exact_bytes(std::string_view s) : exact_bytes(s.data(), s.size()) {}
  std::string_view view() const noexcept { return {data_.get(), size_}; }
  const char* data() const noexcept { return data_.get(); }
  std::size_t size() const noexcept { return size_; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
};

/// Splits one fuzz input into decisions and data, with the consumption rules of LLVM's
/// FuzzedDataProvider: integers are taken from the END of the input (least significant byte
/// last), byte strings from the front. Reimplemented rather than included so that the replay
/// build (g++ too) needs no clang header and makes exactly the same decisions as the fuzzer did.
class provider {
 public:
  provider(const std::uint8_t* data, std::size_t size) noexcept : p_(data), n_(size) {}

  std::size_t remaining() const noexcept { return n_; }

  /// An integer in [lo, hi]; lo when the input is exhausted.
  template <class T>
  T integral(T lo, T hi) noexcept {
    const std::uint64_t range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    std::uint64_t v = 0;
    unsigned bits = 0;
    while (bits < 64 && (range >> bits) != 0 && n_ != 0) {
      --n_;
      v = (v << 8) | p_[n_];
      bits += 8;
    }
    if (range != ~std::uint64_t{0}) v %= range + 1;
    return static_cast<T>(static_cast<std::uint64_t>(lo) + v);
  }

  bool boolean() noexcept { return (integral<std::uint8_t>(0, 255) & 1) != 0; }

  /// The next min(n, remaining()) bytes from the front.
  std::string_view bytes(std::size_t n) noexcept {
    if (n > n_) n = n_;
    std::string_view s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    n_ -= n;
    return s;
  }

  std::string_view rest() noexcept { return bytes(n_); }

 private:
  const std::uint8_t* p_;
  std::size_t n_;
};

/// Cuts the rest of the input into chunks whose lengths the input chooses (at most max_chunk
/// each, empty chunks included), each copied into its own exact block.
inline std::vector<exact_bytes> chunks(provider& in, std::size_t max_chunk) {
  std::vector<exact_bytes> out;
  while (in.remaining() != 0) {
    const std::size_t limit = in.remaining() < max_chunk ? in.remaining() : max_chunk;
    const std::size_t n = in.integral<std::size_t>(0, limit);
    out.emplace_back(in.bytes(n));
  }
  return out;
}

/// The chunks joined: the body they cut.
inline std::string join(const std::vector<exact_bytes>& parts) {
  std::string s;
  for (const auto& p : parts) s.append(p.data(), p.size());
  return s;
}

/// True when [part, part + n) lies inside [whole, whole + size) (an empty part anywhere inside
/// or at the end counts).
inline bool within(const char* part, std::size_t n, const char* whole, std::size_t size) noexcept {
  if (n == 0) return true;
  const auto p = reinterpret_cast<std::uintptr_t>(part);
  const auto w = reinterpret_cast<std::uintptr_t>(whole);
  return p >= w && p - w <= size && n <= size - (p - w);
}

inline bool within(std::string_view part, std::string_view whole) noexcept {
  return within(part.data(), part.size(), whole.data(), whole.size());
}

/// Runs the three forms of one encoder and checks that they agree: `size()` (encoded_size),
/// `to(char*, cap)` (encode_to) and `append(std::string&)` (encode). On success: the same size
/// from all three, encode_to writes exactly that many bytes with exactly that capacity and fails
/// with output_too_small, writing nothing, with one byte less; encode appends the same bytes
/// after what the container held. On failure: the same error from all three, the container
/// unchanged. @return true and the encoding in `out`, or false.
template <class Size, class To, class Append>
bool three_forms(Size&& size, To&& to, Append&& append, std::string& out) {
  const siocodec::result<std::size_t> n = size();
  std::string appended = "prefix";
  const siocodec::result<std::size_t> a = append(appended);
  FUZZ_CHECK(n.error() == a.error());
  if (!n) {
    FUZZ_CHECK(appended == "prefix");
    std::unique_ptr<char[]> buf(new char[64]);
    FUZZ_CHECK(to(buf.get(), std::size_t{64}).error() == n.error());
    return false;
  }
  FUZZ_CHECK(n.offset() == *n && *a == *n && appended.size() == 6 + *n);
  FUZZ_CHECK(appended.compare(0, 6, "prefix") == 0);
  std::unique_ptr<char[]> buf(new char[*n + 1]);
  std::memset(buf.get(), 0x5A, *n + 1);
  const siocodec::result<std::size_t> w = to(buf.get(), *n);
  FUZZ_CHECK(w.has_value() && *w == *n && buf[*n] == 0x5A);
  out.assign(buf.get(), *n);
  FUZZ_CHECK(out == std::string_view(appended).substr(6));
  if (*n != 0) {
    std::memset(buf.get(), 0x5A, *n + 1);
    const siocodec::result<std::size_t> s = to(buf.get(), *n - 1);
    FUZZ_CHECK(s.error() == siocodec::errc::output_too_small);
    for (std::size_t i = 0; i <= *n; ++i) FUZZ_CHECK(buf[i] == 0x5A);
  }
  return true;
}

/// A sink for values the target computes only to exercise code: keeps the optimizer from
/// dropping the computation.
template <class T>
inline void use(const T& v) noexcept {
  asm volatile("" : : "g"(&v) : "memory");
}

}  // namespace siocodec_fuzz

#endif  // SIOCODEC_FUZZ_COMMON_HPP

// SPDX-License-Identifier: BSL-1.0
// The load generator's latency histogram: HDR-style log-linear buckets over nanoseconds.
//
// Values below 256 ns have a bucket each; above, every power of two [2^k, 2^(k+1)) is cut into
// 128 equal buckets, so a bucket is at most 1/128 of its values wide and its midpoint, which
// value_at() reports, is within 1/256 (0.4%) of any value in it. The range runs to 2^40 ns
// (18 minutes; the generator needs 60 s), larger values are counted in the last bucket and
// max() stays exact. Recording is an index computation and an increment: no allocation, no
// floating point, so each of the generator's threads keeps its own and they are merged at the end.
#ifndef SIOCODEC_BENCH_LOAD_GEN_HISTOGRAM_HPP
#define SIOCODEC_BENCH_LOAD_GEN_HISTOGRAM_HPP

#include <array>
#include <cstddef>
#include <cstdint>

namespace siocodec_load {

class histogram {
 public:
  static constexpr unsigned sub_bits = 7;  // 128 buckets per power of two
  static constexpr std::uint64_t linear_limit = std::uint64_t{2} << sub_bits;  // 256
  static constexpr unsigned max_bits = 40;  // values up to 2^40 ns
  static constexpr std::size_t bucket_count =
      linear_limit + (max_bits - sub_bits - 1) * (std::size_t{1} << sub_bits);

  void record(std::uint64_t ns) noexcept {
    ++counts_[index_of(ns)];
    ++total_;
    if (ns > max_) max_ = ns;
  }
  void merge(const histogram& o) noexcept {
    for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
    if (o.max_ > max_) max_ = o.max_;
  }
  void reset() noexcept {
    counts_.fill(0);
    total_ = 0;
    max_ = 0;
  }
  std::uint64_t count() const noexcept { return total_; }
  std::uint64_t max() const noexcept { return max_; }

  /// The value at percentile `p` (0 < p <= 100): the midpoint of the bucket that holds the
  /// ceil(p% of count)-th smallest value, never above max(); max() itself for the largest.
  /// 0 when empty.
  std::uint64_t percentile(double p) const noexcept {
    if (total_ == 0) return 0;
    double want = p / 100.0 * static_cast<double>(total_);
    std::uint64_t rank = static_cast<std::uint64_t>(want);
    if (static_cast<double>(rank) < want) ++rank;
    if (rank == 0) rank = 1;
    if (rank >= total_) return max_;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        const std::uint64_t v = midpoint(i);
        return v < max_ ? v : max_;
      }
    }
    return max_;
  }

  static std::size_t index_of(std::uint64_t ns) noexcept {
    if (ns < linear_limit) return static_cast<std::size_t>(ns);
    const unsigned top = 63u - static_cast<unsigned>(__builtin_clzll(ns));  // floor(log2(ns))
    if (top >= max_bits) return bucket_count - 1;
    const unsigned shift = top - sub_bits;                                     // >= 1
    const std::uint64_t sub = (ns >> shift) - (std::uint64_t{1} << sub_bits);  // 0..127
    return static_cast<std::size_t>(linear_limit + (shift - 1) * (std::uint64_t{1} << sub_bits) +
                                    sub);
  }
  /// The lowest value of bucket `i` and its width.
  static std::uint64_t lowest(std::size_t i) noexcept {
    if (i < linear_limit) return i;
    const std::uint64_t k = (i - linear_limit) >> sub_bits;  // shift - 1
    const std::uint64_t sub = (i - linear_limit) & ((std::uint64_t{1} << sub_bits) - 1);
    return (sub + (std::uint64_t{1} << sub_bits)) << (k + 1);
  }
  static std::uint64_t width(std::size_t i) noexcept {
    if (i < linear_limit) return 1;
    return std::uint64_t{1} << (((i - linear_limit) >> sub_bits) + 1);
  }
  static std::uint64_t midpoint(std::size_t i) noexcept { return lowest(i) + width(i) / 2; }

 private:
  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace siocodec_load

#endif  // SIOCODEC_BENCH_LOAD_GEN_HISTOGRAM_HPP

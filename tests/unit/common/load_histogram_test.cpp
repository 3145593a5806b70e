// SPDX-License-Identifier: BSL-1.0
// bench/load/gen_histogram.hpp, the load generator's latency histogram: every value falls in the
// bucket that covers it, the reported value is within 1% (0.4% by design) over 1 us to 60 s,
// percentiles rank as the sorted samples do, and merging equals recording into one.
#include "../../../bench/load/gen_histogram.hpp"

#include "support/catch.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

using siocodec_load::histogram;

namespace {

double relative_error(std::uint64_t reported, std::uint64_t exact) {
  return std::fabs(static_cast<double>(reported) - static_cast<double>(exact)) /
         static_cast<double>(exact);
}

}  // namespace

TEST_CASE("histogram buckets cover every value, within 0.4% from 1 us to 60 s") {
  const std::uint64_t hi = 60ull * 1000 * 1000 * 1000;
  std::size_t last = 0;
  for (std::uint64_t v = 1000; v <= hi; v += v / 997 + 1) {
    const std::size_t i = histogram::index_of(v);
    REQUIRE(i < histogram::bucket_count);
    REQUIRE(i >= last);  // monotonic
    last = i;
    REQUIRE(histogram::lowest(i) <= v);
    REQUIRE(v < histogram::lowest(i) + histogram::width(i));
    REQUIRE(relative_error(histogram::midpoint(i), v) <= 1.0 / 256);
  }
  // Bucket edges: the last value of a bucket and the first of the next.
  for (std::size_t i = 1; i + 1 < histogram::bucket_count; ++i) {
    REQUIRE(histogram::lowest(i) == histogram::lowest(i - 1) + histogram::width(i - 1));
    REQUIRE(histogram::index_of(histogram::lowest(i)) == i);
    REQUIRE(histogram::index_of(histogram::lowest(i) + histogram::width(i) - 1) == i);
  }
  // Small values are exact; huge ones land in the last bucket and max() stays exact.
  CHECK(histogram::index_of(0) == 0);
  CHECK(histogram::index_of(255) == 255);
  CHECK(histogram::index_of(~std::uint64_t{0}) == histogram::bucket_count - 1);
  histogram h;
  h.record(std::uint64_t{1} << 50);
  CHECK(h.max() == std::uint64_t{1} << 50);
  CHECK(h.percentile(100) == std::uint64_t{1} << 50);
}

TEST_CASE("histogram percentiles are the sorted samples' within 1%") {
  std::vector<std::uint64_t> samples;
  std::uint64_t x = 88172645463325252ull;  // xorshift64: a skewed spread over 1 us .. ~1 s
  for (int i = 0; i < 100000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const unsigned shift = static_cast<unsigned>(x % 20);
    samples.push_back(1000 + ((x >> 20) % 1000) * (std::uint64_t{1} << shift));
  }
  histogram h;
  for (const std::uint64_t s : samples) h.record(s);
  std::sort(samples.begin(), samples.end());
  REQUIRE(h.count() == samples.size());
  CHECK(h.max() == samples.back());
  for (const double p : {1.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    const auto rank =
        static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(samples.size())));
    const std::uint64_t exact = samples[rank - 1];
    CAPTURE(p, exact, h.percentile(p));
    CHECK(relative_error(h.percentile(p), exact) <= 0.01);
  }
  CHECK(h.percentile(100) == samples.back());
}

TEST_CASE("histogram merge equals one histogram of all samples; reset empties it") {
  histogram a, b, all;
  for (std::uint64_t v = 1; v < 5000000; v = v * 3 + 7) {
    ((v & 1) ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  CHECK(a.count() == all.count());
  CHECK(a.max() == all.max());
  for (const double p : {10.0, 50.0, 99.0, 100.0}) CHECK(a.percentile(p) == all.percentile(p));
  a.reset();
  CHECK(a.count() == 0);
  CHECK(a.percentile(50) == 0);
  CHECK(a.max() == 0);
}

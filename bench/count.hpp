// SPDX-License-Identifier: BSL-1.0
// The measuring core of siocodec_count, shared by its two translation units: count.cpp (the
// allocation hooks, main, the codec's operations) and count_engine.cpp (the engines'
// operations). The engines are kept out of count.cpp because their code, in the same unit,
// changes which codec functions g++ inlines into the measured loops, and with it the codec's
// instruction counts (by about 2% on w1 decode), which must stay comparable across changes.
#ifndef SIOCODEC_BENCH_COUNT_HPP
#define SIOCODEC_BENCH_COUNT_HPP

#include "workloads.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace bench::count {

struct counters {
  bool on = false;
  std::size_t news = 0;     // operator new / new[] (all forms)
  std::size_t mallocs = 0;  // malloc, calloc, realloc, memalign, posix_memalign, aligned_alloc
  std::size_t frees = 0;    // operator delete and free of non-null pointers
};
extern counters g_count;  // count.cpp: what its hooks count while `on`

using runner = std::size_t (*)(void* op, std::size_t n);

}  // namespace bench::count

// Everything callgrind collects with --toggle-collect=siocodec_bench_measure happens in here: N
// calls of Op::run() and the loop around them (a few instructions per operation). count.cpp.
extern "C" std::size_t siocodec_bench_measure(bench::count::runner run, void* op, std::size_t n);

namespace bench::count {

template <class Op>
std::size_t run_n(void* p, std::size_t n) {
  Op& op = *static_cast<Op*>(p);
  std::size_t done = 0;
  for (std::size_t i = 0; i < n; ++i) done += op.run();
  return done;
}

struct outcome {
  bool applies = false;
  std::string problem;
  std::size_t packets = 0;
  std::size_t bytes = 0;
  counters c;
};

template <class Op>
outcome measure(const workload& w, std::size_t n) {
  outcome o;
  if (!Op::applies(w)) return o;
  o.applies = true;
  Op op(w);
  o.problem = op.check();
  if (!o.problem.empty()) return o;
  (void)op.run();  // warm: the first run may size reusable storage
  o.packets = op.packets();
  o.bytes = op.bytes();
  g_count = counters{};
  g_count.on = true;
  const std::size_t done = siocodec_bench_measure(&run_n<Op>, &op, n);
  g_count.on = false;
  o.c = g_count;
  if (done != n * o.packets) o.problem = "an operation failed";
  return o;
}

struct op_entry {
  const char* name;
  outcome (*fn)(const workload&, std::size_t);
};

template <class Op>
op_entry entry() {
  return {Op::name, &measure<Op>};
}

/// The engines' operations (count_engine.cpp).
std::vector<op_entry> engine_operations();

}  // namespace bench::count

#endif  // SIOCODEC_BENCH_COUNT_HPP

// SPDX-License-Identifier: BSL-1.0
// Registers one Google Benchmark per (operation, workload) pair from the operations of ops.hpp.
#ifndef SIOCODEC_BENCH_REGISTER_HPP
#define SIOCODEC_BENCH_REGISTER_HPP

#include "ops.hpp"
#include "workloads.hpp"

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace bench {

/// Registers `Op/<workload>` for every workload the operation applies to. Each benchmark builds
/// the operation (untimed), checks that one run gives the right result (the benchmark is
/// reported as an error otherwise), then times run(). bytes/s counts the workload bytes (or the
/// bytes the operation reads, see ops.hpp); items/s counts Socket.IO packets.
template <class Op>
void register_op() {
  for (const workload& w : all_workloads()) {
    if (!Op::applies(w)) continue;
    const std::string name = std::string(Op::name) + "/" + w.name;
    const workload* wp = &w;
    benchmark::RegisterBenchmark(name.c_str(), [wp](benchmark::State& state) {
      Op op(*wp);
      const std::string problem = op.check();
      if (!problem.empty()) {
        state.SkipWithError(problem.c_str());
        return;
      }
      std::size_t done = 0;
      for (auto _ : state) {
        std::size_t n = op.run();
        benchmark::DoNotOptimize(n);
        done += n;
      }
      const auto iterations = static_cast<std::int64_t>(state.iterations());
      if (done != static_cast<std::size_t>(iterations) * op.packets()) {
        state.SkipWithError("an operation failed while timed");
      }
      state.SetBytesProcessed(iterations * static_cast<std::int64_t>(op.bytes()));
      state.SetItemsProcessed(iterations * static_cast<std::int64_t>(op.packets()));
    });
  }
}

// One function per benchmark file.
void register_eio_decode();
void register_eio_encode();
void register_sio_decode();
void register_sio_encode();
void register_payload();
void register_binary();
void register_engine();
void register_sio_acks();

}  // namespace bench

#endif  // SIOCODEC_BENCH_REGISTER_HPP

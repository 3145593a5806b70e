// SPDX-License-Identifier: BSL-1.0
// Binary data: base64 kernels (w7) and attachment reassembly with copying (w5, w9).
#include "ops.hpp"
#include "register.hpp"

#include <siocodec/base64.hpp>

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

namespace b64 = siocodec::base64;

// `Op/<workload>/<kernel>`: the base64 operations with one kernel forced (set_kernel), for each
// kernel this CPU supports. The plain `Op/<workload>` benchmarks use the one chosen at run time
// (bench/compare.py matches those names exactly, so it does not see these).
template <class Op>
void register_per_kernel() {
  for (const b64::kernel k : {b64::kernel::scalar, b64::kernel::ssse3, b64::kernel::avx2,
                              b64::kernel::avx512, b64::kernel::neon}) {
    if (!b64::kernel_supported(k)) continue;
    for (const bench::workload& w : bench::all_workloads()) {
      if (!Op::applies(w)) continue;
      const std::string name =
          std::string(Op::name) + "/" + w.name + "/" + std::string(b64::kernel_name(k));
      const bench::workload* wp = &w;
      benchmark::RegisterBenchmark(name.c_str(), [wp, k](benchmark::State& state) {
        const b64::kernel before = b64::active_kernel();
        if (!b64::set_kernel(k)) {
          state.SkipWithError("kernel not supported");
          return;
        }
        Op op(*wp);
        const std::string problem = op.check();
        if (!problem.empty()) {
          (void)b64::set_kernel(before);
          state.SkipWithError(problem.c_str());
          return;
        }
        std::size_t done = 0;
        for (auto _ : state) {
          std::size_t n = op.run();
          benchmark::DoNotOptimize(n);
          done += n;
        }
        (void)b64::set_kernel(before);
        const auto iterations = static_cast<std::int64_t>(state.iterations());
        if (done != static_cast<std::size_t>(iterations) * op.packets()) {
          state.SkipWithError("an operation failed while timed");
        }
        state.SetBytesProcessed(iterations * static_cast<std::int64_t>(op.bytes()));
        state.SetItemsProcessed(iterations * static_cast<std::int64_t>(op.packets()));
      });
    }
  }
}

}  // namespace

void bench::register_binary() {
  register_op<base64_decode_op>();      // strict
  register_op<base64_decode_lax_op>();  // what Node's Buffer.from accepts
  register_op<base64_encode_op>();
  register_op<decode_copy_op>();  // decode/ with attachment_mode::copy
  register_per_kernel<base64_decode_op>();
  register_per_kernel<base64_decode_lax_op>();
  register_per_kernel<base64_encode_op>();
}

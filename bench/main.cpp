// SPDX-License-Identifier: BSL-1.0
// siocodec_bench: every benchmark of bench/*_bench.cpp over the workloads w1..w9.
#include "register.hpp"
#include "workloads.hpp"

#include <siocodec/version.hpp>

#include <benchmark/benchmark.h>

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bench::register_sio_decode();
  bench::register_sio_encode();
  bench::register_eio_decode();
  bench::register_eio_encode();
  bench::register_payload();
  bench::register_binary();
  bench::register_engine();
  bench::register_sio_acks();
  benchmark::AddCustomContext("siocodec", SIOCODEC_VERSION_STRING);
  benchmark::AddCustomContext("workloads", bench::workloads_dir());
#if defined(__clang__)
  benchmark::AddCustomContext("compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
  benchmark::AddCustomContext("compiler", "gcc " __VERSION__);
#endif
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

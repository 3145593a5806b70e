// SPDX-License-Identifier: BSL-1.0
// siocodec_count WORKLOAD OP N: exactly N operations; prints heap allocations per operation.
//
//   siocodec_count w1 decode 100000        one workload, one operation
//   siocodec_count all all 1000            a table of every applicable pair
//
// The operations are those of the benchmarks (bench/ops.hpp). Allocations are counted by this
// program's own operator new/delete and malloc family (forwarding to glibc's __libc_*), only
// while the N operations run: the preparation and a first checked run are not counted.
//
// Instructions per operation, with callgrind (only the measured loop is collected):
//
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null --collect-atstart=no
//            --toggle-collect=siocodec_bench_measure ./siocodec_count w1 decode 100000
//
// then divide "Collected" by N (bench/instructions.sh does it, and also checks the N vs 2N
// difference).
#include "count.hpp"
#include "ops.hpp"
#include "workloads.hpp"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace bench::count {
counters g_count;
}  // namespace bench::count
using bench::count::g_count;

// --- allocation hooks --------------------------------------------------------------------------
// glibc's own entry points are reserved names, and its declarations name their parameters with
// reserved identifiers, which no definition may copy.
// NOLINTBEGIN(bugprone-reserved-identifier,readability-inconsistent-declaration-parameter-name)
extern "C" {
void* __libc_malloc(std::size_t n) noexcept;
void* __libc_calloc(std::size_t k, std::size_t n) noexcept;
void* __libc_realloc(void* p, std::size_t n) noexcept;
void* __libc_memalign(std::size_t a, std::size_t n) noexcept;
void __libc_free(void* p) noexcept;

void* malloc(std::size_t n) noexcept {
  if (g_count.on) ++g_count.mallocs;
  return __libc_malloc(n);
}
void* calloc(std::size_t k, std::size_t n) noexcept {
  if (g_count.on) ++g_count.mallocs;
  return __libc_calloc(k, n);
}
void* realloc(void* p, std::size_t n) noexcept {
  if (g_count.on) ++g_count.mallocs;
  return __libc_realloc(p, n);
}
void* memalign(std::size_t a, std::size_t n) noexcept {
  if (g_count.on) ++g_count.mallocs;
  return __libc_memalign(a, n);
}
void* aligned_alloc(std::size_t a, std::size_t n) noexcept {
  if (g_count.on) ++g_count.mallocs;
  return __libc_memalign(a, n);
}
int posix_memalign(void** out, std::size_t a, std::size_t n) noexcept {
  if (g_count.on) ++g_count.mallocs;
  void* p = __libc_memalign(a, n);
  if (p == nullptr) return 12;  // ENOMEM
  *out = p;
  return 0;
}
void free(void* p) noexcept {
  if (g_count.on && p != nullptr) ++g_count.frees;
  __libc_free(p);
}
}  // extern "C"
// NOLINTEND(bugprone-reserved-identifier,readability-inconsistent-declaration-parameter-name)

namespace {
void* counted_new(std::size_t n, std::size_t align) {
  if (g_count.on) ++g_count.news;
  if (n == 0) n = 1;
  void* p = align > alignof(std::max_align_t) ? __libc_memalign(align, n) : __libc_malloc(n);
  if (p == nullptr) {
#if defined(__cpp_exceptions)
    throw std::bad_alloc();
#else
    std::abort();
#endif
  }
  return p;
}
void counted_delete(void* p) noexcept {
  if (g_count.on && p != nullptr) ++g_count.frees;
  __libc_free(p);
}
}  // namespace

void* operator new(std::size_t n) { return counted_new(n, 0); }
void* operator new[](std::size_t n) { return counted_new(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) {
  return counted_new(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return counted_new(n, static_cast<std::size_t>(a));
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (g_count.on) ++g_count.news;
  return __libc_malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  if (g_count.on) ++g_count.news;
  return __libc_malloc(n == 0 ? 1 : n);
}
void operator delete(void* p) noexcept { counted_delete(p); }
void operator delete[](void* p) noexcept { counted_delete(p); }
void operator delete(void* p, std::size_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_delete(p); }
void operator delete(void* p, std::align_val_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::align_val_t) noexcept { counted_delete(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { counted_delete(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counted_delete(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counted_delete(p); }

// --- the measured loop (count.hpp) -------------------------------------------------------------
extern "C" __attribute__((noinline)) std::size_t siocodec_bench_measure(bench::count::runner run,
                                                                        void* op, std::size_t n) {
  return run(op, n);
}

namespace {

using bench::count::entry;
using bench::count::op_entry;
using bench::count::outcome;

const std::vector<op_entry>& operations() {
  static const std::vector<op_entry> all = [] {
    std::vector<op_entry> v = {
        entry<bench::decode_op>(),
        entry<bench::decode_copy_op>(),
        entry<bench::sio_decode_op>(),
        entry<bench::json_validate_op>(),
        entry<bench::eio_decode_op>(),
        entry<bench::payload_decode_op>(),
        entry<bench::payload_decode_b64_op>(),
        entry<bench::base64_decode_op>(),
        entry<bench::base64_decode_lax_op>(),
        entry<bench::base64_encode_op>(),
        entry<bench::encode_op>(),
        entry<bench::encode_string_op>(),
        entry<bench::encode_raw_op>(),
        entry<bench::encode_raw_string_op>(),
        entry<bench::eio_encode_op>(),
        entry<bench::payload_encode_op>(),
    };
    const std::vector<op_entry>& engine = bench::count::engine_operations();
    v.insert(v.end(), engine.begin(), engine.end());
    v.push_back(entry<bench::memcpy_op>());
    return v;
  }();
  return all;
}

int usage() {
  std::fprintf(stderr, "usage: siocodec_count WORKLOAD|all OP|all N\n  workloads:");
  for (const std::string& w : bench::workload_names()) std::fprintf(stderr, " %s", w.c_str());
  std::fprintf(stderr, "\n  operations:");
  for (const op_entry& e : operations()) std::fprintf(stderr, " %s", e.name);
  std::fprintf(stderr, "\n");
  return 2;
}

double per_op(std::size_t k, std::size_t n) {
  return static_cast<double>(k) / static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return usage();
  const std::string wanted_workload = argv[1];
  const std::string wanted_op = argv[2];
  char* end = nullptr;
  const unsigned long long n = std::strtoull(argv[3], &end, 10);
  if (end == argv[3] || *end != '\0' || n == 0) return usage();

  std::vector<bench::workload> workloads;
  if (wanted_workload == "all") {
    for (const std::string& name : bench::workload_names()) {
      workloads.push_back(bench::load_workload(name));
    }
  } else {
    workloads.push_back(bench::load_workload(wanted_workload));
  }
  bool known_op = wanted_op == "all";
  for (const op_entry& e : operations()) known_op |= wanted_op == e.name;
  if (!known_op) return usage();

  const bool table = wanted_workload == "all" || wanted_op == "all";
  if (table)
    std::printf("%-26s %-20s %12s %8s %8s\n", "workload", "op", "allocs/op", "new", "malloc");
  int status = 0;
  for (const bench::workload& w : workloads) {
    for (const op_entry& e : operations()) {
      if (wanted_op != "all" && wanted_op != e.name) continue;
      const outcome o = e.fn(w, static_cast<std::size_t>(n));
      if (!o.applies) {
        if (!table) {
          std::fprintf(stderr, "%s does not apply to %s\n", e.name, w.name.c_str());
          status = 2;
        }
        continue;
      }
      if (!o.problem.empty()) {
        std::fprintf(stderr, "%s/%s: %s\n", e.name, w.name.c_str(), o.problem.c_str());
        status = 1;
        continue;
      }
      const std::size_t total = o.c.news + o.c.mallocs;
      if (table) {
        std::printf("%-26s %-20s %12.3f %8.3f %8.3f\n", w.name.c_str(), e.name, per_op(total, n),
                    per_op(o.c.news, n), per_op(o.c.mallocs, n));
      } else {
        std::printf("workload=%s op=%s n=%llu packets_per_op=%zu bytes_per_op=%zu\n",
                    w.name.c_str(), e.name, n, o.packets, o.bytes);
        std::printf(
            "allocations_per_op=%.3f new_per_op=%.3f malloc_per_op=%.3f frees_per_op=%.3f\n",
            per_op(total, n), per_op(o.c.news, n), per_op(o.c.mallocs, n), per_op(o.c.frees, n));
      }
    }
  }
  return status;
}

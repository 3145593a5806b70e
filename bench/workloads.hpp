// SPDX-License-Identifier: BSL-1.0
// Loads the benchmark workloads (tools/make_workloads.py, pinned by bench/workloads.sha256).
#ifndef SIOCODEC_BENCH_WORKLOADS_HPP
#define SIOCODEC_BENCH_WORKLOADS_HPP

#include <siocodec/engineio/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

// Where the build wrote the workloads (bench/CMakeLists.txt); SIOCODEC_WORKLOADS_DIR in the
// environment overrides it, e.g. to point at ../shared/workloads.
#ifndef SIOCODEC_BENCH_WORKLOADS_DIR
#define SIOCODEC_BENCH_WORKLOADS_DIR "."
#endif

namespace bench {

/// One transport frame of a workload: a WebSocket message, or a whole HTTP long-polling body.
struct frame {
  siocodec::engineio::frame_kind kind = siocodec::engineio::frame_kind::text;
  std::string bytes;
};

/// One workload file: the frames, in order, that carry one Socket.IO packet (w6: 64 packets).
struct workload {
  std::string name;
  std::vector<frame> frames;

  /// Bytes of all frames: what SetBytesProcessed counts per operation.
  std::size_t bytes() const noexcept {
    std::size_t n = 0;
    for (const frame& f : frames) n += f.bytes.size();
    return n;
  }
  /// True for the HTTP long-polling bodies (w6, w7): their one text frame is a payload.
  bool is_polling() const noexcept { return name.find("_polling_") != std::string::npos; }
};

/// The nine workloads, in order.
inline const std::vector<std::string>& workload_names() {
  static const std::vector<std::string> names = {
      "w1_small_event",           "w2_nsp_ack_object",     "w3_event_1k",           "w4_event_1m",
      "w5_binary_event_64k",      "w6_polling_payload_64", "w7_polling_base64_64k", "w8_ack",
      "w9_binary_two_attachments"};
  return names;
}

inline std::string workloads_dir() {
  const char* env = std::getenv("SIOCODEC_WORKLOADS_DIR");
  return (env != nullptr && *env != '\0') ? env : SIOCODEC_BENCH_WORKLOADS_DIR;
}

[[noreturn]] inline void die(const std::string& what) {
  std::fprintf(stderr, "bench: %s\n", what.c_str());
  std::exit(2);
}

/// Reads `name` (a workload name such as "w1_small_event", or its w-number prefix "w1", or a
/// path to a .bin file). Exits with a message on a missing or malformed file.
inline workload load_workload(const std::string& name) {
  std::string path = name;
  std::string base = name;
  if (name.find('/') == std::string::npos) {
    for (const std::string& n : workload_names()) {
      if (n == name || n.compare(0, name.size() + 1, name + "_") == 0) base = n;
    }
    path = workloads_dir() + "/" + base + ".bin";
  } else {
    const std::size_t slash = name.rfind('/');
    base = name.substr(slash + 1);
    if (base.size() > 4 && base.compare(base.size() - 4, 4, ".bin") == 0)
      base.resize(base.size() - 4);
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) die("cannot open " + path + " (set SIOCODEC_WORKLOADS_DIR?)");
  std::string data;
  char chunk[65536];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f)) != 0;) data.append(chunk, n);
  std::fclose(f);

  workload w;
  w.name = base;
  std::size_t pos = 0;
  const auto u32 = [&](std::uint32_t& out) {
    if (data.size() - pos < 4) return false;
    out = 0;
    for (int i = 3; i >= 0; --i) {
      out = (out << 8) | static_cast<unsigned char>(data[pos + static_cast<std::size_t>(i)]);
    }
    pos += 4;
    return true;
  };
  std::uint32_t count = 0;
  if (!u32(count)) die(path + ": truncated frame count");
  for (std::uint32_t i = 0; i < count; ++i) {
    if (pos == data.size()) die(path + ": truncated frame header");
    const auto kind = static_cast<unsigned char>(data[pos++]);
    std::uint32_t len = 0;
    if (kind > 1 || !u32(len) || data.size() - pos < len) die(path + ": malformed frame");
    frame fr;
    fr.kind =
        kind == 0 ? siocodec::engineio::frame_kind::text : siocodec::engineio::frame_kind::binary;
    fr.bytes = data.substr(pos, len);
    pos += len;
    w.frames.push_back(std::move(fr));
  }
  if (pos != data.size()) die(path + ": bytes after the last frame");
  return w;
}

/// Every workload, loaded once for the life of the program (views into it stay valid).
inline const std::vector<workload>& all_workloads() {
  static const std::vector<workload> all = [] {
    std::vector<workload> v;
    for (const std::string& n : workload_names()) v.push_back(load_workload(n));
    return v;
  }();
  return all;
}

}  // namespace bench

#endif  // SIOCODEC_BENCH_WORKLOADS_HPP

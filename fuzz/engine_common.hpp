// SPDX-License-Identifier: BSL-1.0
// Shared by the engine fuzz targets (engine_server, engine_sio, engine_sio_client): reading
// every byte an engine hands out, and the namespaces the Socket.IO scripts use. After common.hpp.
#ifndef SIOCODEC_FUZZ_ENGINE_COMMON_HPP
#define SIOCODEC_FUZZ_ENGINE_COMMON_HPP

#include <cstddef>
#include <string_view>

namespace siocodec_fuzz {

/// Reads every byte of a view the engine handed out (ASan reports a view into freed or foreign
/// memory); the hash keeps the reads from being optimized away.
inline std::size_t touch(std::string_view s) noexcept {
  std::size_t h = 0;
  for (char c : s) h = h * 31 + static_cast<unsigned char>(c);
  return h;
}

/// The namespaces of the Socket.IO scripts: the main one and two others, picked by index 0..2.
inline const char* const nsps[] = {"/", "/a", "/b"};

}  // namespace siocodec_fuzz

#endif  // SIOCODEC_FUZZ_ENGINE_COMMON_HPP

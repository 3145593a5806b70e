// SPDX-License-Identifier: BSL-1.0
// What each of the two copies of siocodec (copy_a.cpp, copy_b.cpp) offers main.cpp. Nothing of
// siocodec appears here: the two copies live in differently named namespaces.
#ifndef SIOCODEC_TESTS_NAMESPACES_COPIES_HPP
#define SIOCODEC_TESTS_NAMESPACES_COPIES_HPP

#include <string>
#include <string_view>

/// Decodes an Engine.IO frame carrying a Socket.IO packet and encodes the packet back. Returns
/// the re-encoded frame, or "error:<name>" with the copy's error name.
std::string copy_a_roundtrip(std::string_view frame);
std::string copy_b_roundtrip(std::string_view frame);

/// The largest payload each copy accepts by default: the copies are built with different
/// SIOCODEC_DEFAULT_MAX_PAYLOAD values, so a merged copy would show here.
std::size_t copy_a_max_payload();
std::size_t copy_b_max_payload();

/// The copy's fully qualified namespace, spelled out by the copy itself.
const char* copy_a_namespace();
const char* copy_b_namespace();

#endif  // SIOCODEC_TESTS_NAMESPACES_COPIES_HPP

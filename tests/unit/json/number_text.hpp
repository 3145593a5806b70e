// SPDX-License-Identifier: BSL-1.0
// Test helper: the text json::emit_number writes for a double, through a real encoder's writer.
#ifndef SIOCODEC_TESTS_UNIT_JSON_NUMBER_TEXT_HPP
#define SIOCODEC_TESTS_UNIT_JSON_NUMBER_TEXT_HPP

#include <siocodec/json/json.hpp>

#include "support/catch.hpp"

#include <string>

namespace siocodec_test {

// Both passes of write_append (measure, then write) run emit_number, so the size it counts must
// match what it writes.
inline std::string number_text(double d) {
  std::string out;
  const auto r = siocodec::detail::write_append(out, [d](auto& w) {
    siocodec::json::emit_number(w, d);
    return siocodec::errc::none;
  });
  REQUIRE(r.has_value());
  REQUIRE(*r == out.size());
  return out;
}

}  // namespace siocodec_test

#endif  // SIOCODEC_TESTS_UNIT_JSON_NUMBER_TEXT_HPP

// SPDX-License-Identifier: BSL-1.0
// Reading the JSON lines of the reference vectors with siocodec's own JSON layer: the helpers
// every vector walker needs.
#ifndef SIOCODEC_TESTS_SUPPORT_JSON_VECTORS_HPP
#define SIOCODEC_TESTS_SUPPORT_JSON_VECTORS_HPP

#include <siocodec/json/value.hpp>

#include <string>
#include <string_view>

namespace siocodec_test {

/// A JSON string's text, unescaped (empty for anything else).
inline std::string str(const siocodec::json::value& v) {
  std::string s;
  (void)v.unescape(s);
  return s;
}

/// The member `key` of an object (the last one of that name), or the absent value.
inline siocodec::json::value member(const siocodec::json::value& obj, std::string_view key) {
  siocodec::json::value v;
  (void)obj.find(key, v);
  return v;
}

}  // namespace siocodec_test

#endif  // SIOCODEC_TESTS_SUPPORT_JSON_VECTORS_HPP

// SPDX-License-Identifier: BSL-1.0
// Test support for the JSON suites: reads the node-generated case files (tools/gen_json_cases.js).
#ifndef SIOCODEC_TESTS_UNIT_JSON_CASES_HPP
#define SIOCODEC_TESTS_UNIT_JSON_CASES_HPP

#include <cstddef>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/hex.hpp"

namespace json_cases {

/// One line of a case file, split at tabs.
using line = std::vector<std::string>;

/// All lines of tests/unit/json/<name>, each split at tabs. Empty when the file is missing (the
/// tests then REQUIRE a minimum count and fail).
inline std::vector<line> read(const char* name) {
  std::vector<line> out;
  std::ifstream in(std::string(SIOCODEC_TEST_DATA_DIR) + "/unit/json/" + name, std::ios::binary);
  std::string text;
  while (std::getline(in, text)) {
    if (text.empty()) continue;
    line fields;
    std::size_t start = 0;
    for (;;) {
      const std::size_t tab = text.find('\t', start);
      fields.push_back(
          text.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    out.push_back(std::move(fields));
  }
  return out;
}

using siocodec_test::unhex;

/// A heap copy of exactly s.size() bytes, so AddressSanitizer reports any read past the end
/// (std::string has a terminating NUL and often spare capacity).
class exact_copy {
 public:
  explicit exact_copy(std::string_view s)
      : size_(s.size()), data_(new char[s.size() == 0 ? 1 : s.size()]) {
    if (size_ != 0) s.copy(data_.get(), size_);
  }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  std::size_t size_;
  std::unique_ptr<char[]> data_;
};

}  // namespace json_cases

#endif  // SIOCODEC_TESTS_UNIT_JSON_CASES_HPP

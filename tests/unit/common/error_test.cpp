// SPDX-License-Identifier: BSL-1.0
#include <siocodec/error.hpp>
#include <siocodec/error_code.hpp>

#include "support/catch.hpp"

#include <cstring>
#include <set>
#include <string>
#include <system_error>

using siocodec::errc;

TEST_CASE("every error has a distinct name and a message") {
  std::set<std::string> names;
  for (unsigned i = 0; i < siocodec::error_count; ++i) {
    const auto e = static_cast<errc>(i);
    const std::string name = siocodec::to_string(e);
    CHECK(name != "unknown");
    CHECK(std::strcmp(siocodec::message(e), "unknown error") != 0);
    names.insert(name);
  }
  CHECK(names.size() == siocodec::error_count);
  CHECK(std::string(siocodec::to_string(static_cast<errc>(siocodec::error_count))) == "unknown");
}

TEST_CASE("names are the enumerator spellings") {
  STATIC_REQUIRE(std::string_view(siocodec::to_string(errc::none)) == "none");
  CHECK(std::string(siocodec::to_string(errc::invalid_base64)) == "invalid_base64");
  CHECK(std::string(siocodec::to_string(errc::too_many_attachments)) == "too_many_attachments");
}

TEST_CASE("std::error_code adapter") {
  std::error_code ok = errc::none;
  CHECK_FALSE(ok);
  std::error_code ec = errc::payload_too_large;
  CHECK(ec);
  CHECK(ec.category().name() == std::string("siocodec"));
  CHECK(ec.message() == siocodec::message(errc::payload_too_large));
  CHECK(ec == siocodec::make_error_code(errc::payload_too_large));
  CHECK(ec != siocodec::make_error_code(errc::invalid_json));
}

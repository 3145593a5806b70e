// SPDX-License-Identifier: BSL-1.0
// config.hpp and version.hpp: the versioned inline namespace, exception detection, the version
// macros and the default limits every options struct starts from.
#include <siocodec/config.hpp>
// Every default-limit macro comes from config.hpp alone, before any header that uses it.
#if !defined(SIOCODEC_DEFAULT_MAX_NAMESPACE) || !defined(SIOCODEC_DEFAULT_MAX_MSGPACK_DEPTH)
#error "a SIOCODEC_DEFAULT_* macro is not defined by config.hpp"
#endif

#include <siocodec/error.hpp>
#include <siocodec/msgpack/reader.hpp>
#include <siocodec/version.hpp>

#include "support/catch.hpp"

#include <string>
#include <type_traits>

namespace {

// Everything is reachable with and without the ABI namespace, and they are the same entities.
static_assert(std::is_same<siocodec::errc, siocodec::SIOCODEC_ABI_NAMESPACE::errc>::value, "");

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
static_assert(SIOCODEC_HAS_EXCEPTIONS == 1, "exceptions are on in this build");
#else
static_assert(SIOCODEC_HAS_EXCEPTIONS == 0, "exceptions are off in this build");
#endif

static_assert(SIOCODEC_VERSION == SIOCODEC_VERSION_MAJOR * 10000 + SIOCODEC_VERSION_MINOR * 100 +
                                      SIOCODEC_VERSION_PATCH,
              "");

}  // namespace

TEST_CASE("config: the version string spells the version numbers") {
  const std::string expected = std::to_string(SIOCODEC_VERSION_MAJOR) + "." +
                               std::to_string(SIOCODEC_VERSION_MINOR) + "." +
                               std::to_string(SIOCODEC_VERSION_PATCH);
  CHECK(std::string(SIOCODEC_VERSION_STRING) == expected);
}

TEST_CASE("config: default limits, as README and docs/security.md give them") {
  // These are documented numbers: changing one is a documented, deliberate change.
  // (tests/limits/ is the build with the macros overridden.)
  CHECK(SIOCODEC_DEFAULT_MAX_PAYLOAD == 1000000);
  CHECK(SIOCODEC_DEFAULT_MAX_PAYLOAD_PACKETS == 1000000);
  CHECK(SIOCODEC_DEFAULT_MAX_ATTACHMENTS == 10);
  CHECK(SIOCODEC_DEFAULT_MAX_JSON_DEPTH == 128);
  CHECK(SIOCODEC_DEFAULT_MAX_NAMESPACE == 65536);
  CHECK(SIOCODEC_DEFAULT_MAX_MSGPACK_DEPTH == SIOCODEC_DEFAULT_MAX_JSON_DEPTH);
  CHECK(siocodec::msgpack::options().max_depth == SIOCODEC_DEFAULT_MAX_MSGPACK_DEPTH);
}

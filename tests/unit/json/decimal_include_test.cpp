// SPDX-License-Identifier: BSL-1.0
// detail/decimal.hpp is for SIOCODEC_SIZE_FIRST builds only: the library's headers include it
// only then, so that the others do not parse its big-integer code (decimal_test.cpp includes it
// on its own, in every build).
#include <siocodec/siocodec.hpp>
#include <siocodec/socketio/default_parser/js_number.hpp>

#include "support/catch.hpp"

TEST_CASE("decimal: the library includes detail/decimal.hpp only when size first") {
#if defined(SIOCODEC_DETAIL_DECIMAL_HPP)
  constexpr bool included = true;
#else
  constexpr bool included = false;
#endif
  CHECK(included == (SIOCODEC_SIZE_FIRST != 0));
}

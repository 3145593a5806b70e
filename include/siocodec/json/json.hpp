// SPDX-License-Identifier: BSL-1.0
// The JSON layer in one include: validation, lazy value views and JSON.stringify-exact writing.
#ifndef SIOCODEC_JSON_JSON_HPP
#define SIOCODEC_JSON_JSON_HPP

#include <siocodec/json/validate.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/json/write.hpp>

#endif  // SIOCODEC_JSON_JSON_HPP

// SPDX-License-Identifier: BSL-1.0
// Optional adapter, nlohmann/json: recognising a nlohmann::basic_json instantiation.
#ifndef SIOCODEC_ADAPTERS_NLOHMANN_BASIC_JSON_HPP
#define SIOCODEC_ADAPTERS_NLOHMANN_BASIC_JSON_HPP

#include <siocodec/config.hpp>

// The one third-party include of siocodec. The adapter headers are never included by
// <siocodec/...> umbrella headers nor amalgamated into the single header: include them yourself.
#include <nlohmann/json.hpp>

#include <type_traits>

SIOCODEC_BEGIN_NAMESPACE
namespace adapters {
namespace nlohmann_json {

/// True for the instantiations of nlohmann::basic_json (nlohmann::json, nlohmann::ordered_json,
/// and any other), recognised by the member types every one of them has.
template <class T, class = void>
struct is_basic_json : std::false_type {};
template <class T>
struct is_basic_json<
    T, std::void_t<typename T::value_t, typename T::object_t, typename T::array_t,
                   typename T::string_t, typename T::binary_t, typename T::number_integer_t,
                   typename T::number_unsigned_t, typename T::number_float_t>>
    : std::is_same<typename T::value_t, ::nlohmann::json::value_t> {};

}  // namespace nlohmann_json
}  // namespace adapters
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ADAPTERS_NLOHMANN_BASIC_JSON_HPP

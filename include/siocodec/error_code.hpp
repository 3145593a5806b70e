// SPDX-License-Identifier: BSL-1.0
// Optional std::error_code adapter, for Asio / Beast code that reports errors that way.
#ifndef SIOCODEC_ERROR_CODE_HPP
#define SIOCODEC_ERROR_CODE_HPP

#include <siocodec/config.hpp>
#include <siocodec/error.hpp>

#include <string>
#include <system_error>

SIOCODEC_BEGIN_NAMESPACE

namespace detail {
class error_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "siocodec"; }
  std::string message(int ev) const override {
    return ::SIOCODEC_NAMESPACE::message(static_cast<errc>(ev));
  }
};
}  // namespace detail

/// The category of every std::error_code made from a siocodec::errc. One instance per program
/// (a function-local static), so categories compare equal across translation units.
inline const std::error_category& error_category() noexcept {
  static const detail::error_category_impl instance;
  return instance;
}

/// errc::none maps to a code that tests false, like every other success code.
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

SIOCODEC_END_NAMESPACE

namespace std {
template <>
struct is_error_code_enum<::SIOCODEC_NAMESPACE::errc> : true_type {};
}  // namespace std

#endif  // SIOCODEC_ERROR_CODE_HPP

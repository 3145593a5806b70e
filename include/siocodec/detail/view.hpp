// SPDX-License-Identifier: BSL-1.0
// Sub-views whose bounds the caller has already checked, without std::string_view::substr's
// range check: on a target without exceptions that check links the library's out_of_range path,
// which calls abort() and, with newlib, its signal code (docs/embedded.md). SIOCODEC_ASSERT
// states the precondition instead.
#ifndef SIOCODEC_DETAIL_VIEW_HPP
#define SIOCODEC_DETAIL_VIEW_HPP

#include <siocodec/config.hpp>

#include <cstddef>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace detail {

/// s[pos, pos + n), n clamped to the end as substr() does; pos <= s.size().
inline std::string_view subview(std::string_view s, std::size_t pos,
                                std::size_t n = std::string_view::npos) noexcept {
  SIOCODEC_ASSERT(pos <= s.size());
  const std::size_t left = s.size() - pos;
  return {s.data() + pos, n < left ? n : left};
}

}  // namespace detail
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_DETAIL_VIEW_HPP

// SPDX-License-Identifier: BSL-1.0
// A second translation unit that includes the single header: linked with consumer.cpp, it fails
// to link if the single header defines anything that is not inline (one definition per TU).
#include <siocodec/siocodec.hpp>

#include <string_view>

bool second_tu_decodes(std::string_view frame);

bool second_tu_decodes(std::string_view frame) {
  return siocodec::engineio::decode(frame, siocodec::engineio::frame_kind::text).has_value();
}

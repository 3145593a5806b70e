// SPDX-License-Identifier: BSL-1.0
// Lazy access to a msgpack packet's payload: the event name and each argument.
#ifndef SIOCODEC_SOCKETIO_MSGPACK_PARSER_ARGS_HPP
#define SIOCODEC_SOCKETIO_MSGPACK_PARSER_ARGS_HPP

#include <siocodec/msgpack/value.hpp>
#include <siocodec/socketio/msgpack_parser/decode.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

// ---------------------------------------------------------------------------------------------
// Lazy access to a decoded packet's payload
// ---------------------------------------------------------------------------------------------

/// The payload (the absent value when there is none).
inline msgpack::value payload(const msgpack_packet_view& p) noexcept {
  return p.has_data() ? p.data : msgpack::value();
}

/// The event name of an EVENT (or v4 BINARY_EVENT): the first element of its array, whatever
/// its kind (the msgpack parser does not check it: test is_string() before use). The absent
/// value for other types and for an empty array.
msgpack::value event_name(const msgpack_packet_view& p) noexcept;

/// The arguments of an EVENT (after the event name) or of an ACK (all elements), as a forward
/// range of msgpack::value: binary arguments are values of kind binary whose bytes() are the
/// data, in place. Empty for other types.
class msgpack_argument_range {
 public:
  msgpack_argument_range() noexcept = default;
  explicit msgpack_argument_range(const msgpack_packet_view& p) noexcept;
  msgpack::array_iterator begin() const noexcept { return first_; }
  msgpack::array_iterator end() const noexcept { return {}; }
  bool empty() const noexcept { return count_ == 0; }
  /// Number of arguments (O(1): from the array's header).
  std::size_t size() const noexcept { return count_; }

 private:
  msgpack::array_iterator first_;
  std::size_t count_ = 0;
};

/// The packet's arguments: `for (const msgpack::value& a : sio::arguments(p)) ...`
inline msgpack_argument_range arguments(const msgpack_packet_view& p) noexcept {
  return msgpack_argument_range(p);
}

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

inline msgpack::value event_name(const msgpack_packet_view& p) noexcept {
  if (p.type != packet_type::event && p.type != packet_type::binary_event) return {};
  if (!p.data.is_array()) return {};
  return p.data[0];
}

inline msgpack_argument_range::msgpack_argument_range(const msgpack_packet_view& p) noexcept {
  if (!p.data.is_array()) return;
  const bool has_name = p.type == packet_type::event || p.type == packet_type::binary_event;
  const bool has_args = has_name || p.type == packet_type::ack || p.type == packet_type::binary_ack;
  if (!has_args) return;
  const msgpack::array_range all = p.data.elements();
  first_ = all.begin();
  count_ = all.size();
  if (has_name && count_ != 0) {
    ++first_;
    --count_;
  }
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_MSGPACK_PARSER_ARGS_HPP

// SPDX-License-Identifier: BSL-1.0
// Received values written again: a decoded value (of either parser) through a builder's writer
// (of either parser), binary values at any depth becoming attachments or bins again. How a
// server or a client sends back what it received (an echo, a relay, the default ack answer)
// without a DOM.
#ifndef SIOCODEC_SOCKETIO_COPY_HPP
#define SIOCODEC_SOCKETIO_COPY_HPP

#include <siocodec/config.hpp>
#include <siocodec/socketio/any.hpp>
#include <siocodec/socketio/default_parser/args_writer.hpp>
#include <siocodec/socketio/msgpack_parser/args_writer.hpp>

#include <string>
#include <type_traits>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// Writes the received value `v` through `w` (args_writer or msgpack_args_writer, whichever
/// parser encodes): binary values (attachments, msgpack bins) become binary values of `w`'s
/// parser, arrays and objects are copied element by element, scalars verbatim (JSON numbers
/// keep their digits and strings their escapes; msgpack scalars keep their forms through a
/// msgpack writer, JSON scalars are converted by it). A msgpack scalar through the JSON writer
/// is written as null (a codec of one parser holds values of that parser only); a msgpack
/// object's non-string key becomes "". Depth is bounded by the decoder's max_depth that made
/// `v`. Errors: none of its own; the writer's (its error()) are reported by the encode.
template <class W>
void copy_value(W& w, const any_value& v) {
  switch (v.kind()) {
    case value_kind::binary: w.binary(v.bytes()); return;
    case value_kind::array:
      w.begin_array();
      for (const any_value& e : v.elements()) copy_value(w, e);
      w.end_array();
      return;
    case value_kind::object:
      w.begin_object();
      for (const any_member& m : v.members()) {
        std::string key;
        (void)m.key.append_string(key);
        w.key(key);
        copy_value(w, m.val);
      }
      w.end_object();
      return;
    default: break;
  }
  if constexpr (std::is_same_v<W, msgpack_args_writer>) {
    if (v.is_msgpack()) return void(w.raw_msgpack(v.as_msgpack()));
  }
  if (!v.is_msgpack()) return void(w.raw(v.as_json().raw()));
  w.null();
}

/// The arguments of a received EVENT (after its name) or ACK as a builder argument for either
/// parser's writer: `event("echo", copy_args(p))`, `ack(id, copy_args(p))`. Holds `p` by
/// reference: encode before `p`'s buffer is released (for the engines, before their next
/// poll_event()).
inline auto copy_args(const any_packet& p) {
  return [&p](auto& w) {
    for (const any_value& a : p.arguments()) copy_value(w, a);
  };
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_COPY_HPP

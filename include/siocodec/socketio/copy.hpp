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
void copy_value(W& w, const any_value& v);

namespace detail {

// The one walk of a received value through a builder's writer, shared by copy_value() and
// redis::write_value() (redis/broadcast.hpp) so that what they have in common cannot drift
// apart: binary values become the writer's binary values, arrays and objects are written
// element by element, in order. What they document differently is the policy's:
// `P::is_object(v)` (the value type's word for it), `P::key(w, m)` writes a member's key or
// returns false to leave the member out, `P::scalar(w, v)` writes anything else. Recursive, as
// deep as the decoder that made `v` allowed (its max_depth).
template <class P, class W, class V>
void write_received(W& w, const V& v) {
  if (v.is_binary()) return void(w.binary(v.bytes()));
  if (v.is_array()) {
    w.begin_array();
    for (const auto& e : v.elements()) write_received<P>(w, e);
    w.end_array();
    return;
  }
  if (P::is_object(v)) {
    w.begin_object();
    for (const auto& m : v.members()) {
      if (P::key(w, m)) write_received<P>(w, m.val);
    }
    w.end_object();
    return;
  }
  P::scalar(w, v);
}

// copy_value()'s policy: keys as decoded strings, scalars verbatim.
struct copy_verbatim {
  static bool is_object(const any_value& v) noexcept { return v.is_object(); }
  template <class W>
  static bool key(W& w, const any_member& m) {
    std::string name;
    (void)m.key.append_string(name);  // "" for a msgpack key that is not a string
    w.key(name);
    return true;
  }
  template <class W>
  static void scalar(W& w, const any_value& v) {
    if constexpr (std::is_same_v<W, msgpack_args_writer>) {
      if (v.is_msgpack()) return void(w.raw_msgpack(v.as_msgpack()));
    }
    if (!v.is_msgpack()) return void(w.raw(v.as_json().raw()));
    w.null();
  }
};

}  // namespace detail

template <class W>
void copy_value(W& w, const any_value& v) {
  detail::write_received<detail::copy_verbatim>(w, v);
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

// SPDX-License-Identifier: BSL-1.0
// The broadcast message of @socket.io/redis-adapter 8.3 / @socket.io/redis-emitter 5.1:
// `[uid, packet, {rooms, except, flags}]` as notepack.io 3.0.1 writes it.
#ifndef SIOCODEC_REDIS_BROADCAST_HPP
#define SIOCODEC_REDIS_BROADCAST_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/msgpack/reader.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/msgpack/writer.hpp>
#include <siocodec/redis/channel.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>
#include <siocodec/socketio/builders.hpp>
#include <siocodec/socketio/copy.hpp>
#include <siocodec/socketio/msgpack_parser/args_writer.hpp>
#include <siocodec/socketio/msgpack_parser/decode.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

// What the reference publishes on `<key>#<nsp>#` (or `<key>#<nsp>#<room>#` for one room) for
// io.to(...).except(...).emit(...), in notepack.io 3.0.1's encoding:
//
//   93                          the array [uid, packet, opts]
//     a6 "Xy3kQ9"               uid: the node's uid2(6), or "emitter" for the emitter
//     83 a4"type" 02            packet {type: 2 (EVENT, even with binary arguments: the
//        a4"data" 9N ...        parser promotes it per client), data: [event, ...args] (binary
//        a3"nsp"  a1"/"         arguments as bin 8/16/32), nsp}
//     83 a5"rooms"  9N ...      opts {rooms: [...], except: [...], flags: {...}}; the emitter
//        a6"except" 9N ...      writes rooms, flags, except in that order; flags hold the
//        a5"flags"  8N ...      keys that were set, in the order they were set
//
// notepack.io 3.0.1 differs from 2.2.0 (socket.io-msgpack-parser's encoder): ArrayBuffer and
// typed arrays are written as bin (2.2.0: ext 8/16/32 of type 0), undefined as nil (2.2.0:
// `d4 00 00`), and map members whose value is undefined are left out. Numbers, strings, arrays
// and maps are written alike (msgpack/writer.hpp).

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {
namespace redis {

/// The uid @socket.io/redis-emitter writes into its messages.
inline constexpr std::string_view emitter_uid = "emitter";

/// A list of room names: views of the caller's strings (pointer and count), as the adapter's
/// `Set<Room>` spread into an array. Valid while what it points to is.
struct room_list {
  const std::string_view* data = nullptr;
  std::size_t size = 0;

  constexpr room_list() noexcept = default;
  constexpr room_list(const std::string_view* d, std::size_t n) noexcept : data(d), size(n) {}
  /// Any contiguous container of std::string_view (std::vector, std::array).
  template <class C, std::enable_if_t<std::is_same<std::remove_cv_t<std::remove_pointer_t<
                                                       decltype(std::declval<const C&>().data())>>,
                                                   std::string_view>::value,
                                      int> = 0>
  constexpr room_list(const C& c) noexcept : data(c.data()), size(c.size()) {}

  constexpr const std::string_view* begin() const noexcept { return data; }
  constexpr const std::string_view* end() const noexcept { return data + size; }
};

/// The `flags` object of a broadcast: the keys socket.io 4.8's BroadcastOperator and the emitter
/// set, kept in the order they were first set (notepack.io writes an object's keys in insertion
/// order, and setting a key again keeps its place). Setting a flag to false writes `false`, as
/// `compress(false)` does in JavaScript.
class broadcast_flags {
 public:
  /// The flags the encoder knows, by their JavaScript name.
  enum class flag : std::uint8_t {
    volatile_flag,           ///< "volatile": the packet may be dropped if the client is busy
    compress,                ///< "compress": permessage-deflate for this packet
    local,                   ///< "local": this node only (never published by the reference)
    timeout,                 ///< "timeout": ack timeout in ms (a number)
    expect_single_response,  ///< "expectSingleResponse" (emitWithAck)
  };
  static constexpr std::size_t flag_count = 5;

  broadcast_flags& set_volatile(bool v = true) noexcept { return set(flag::volatile_flag, v); }
  broadcast_flags& set_compress(bool v) noexcept { return set(flag::compress, v); }
  broadcast_flags& set_local(bool v = true) noexcept { return set(flag::local, v); }
  broadcast_flags& set_expect_single_response(bool v = true) noexcept {
    return set(flag::expect_single_response, v);
  }
  /// The ack timeout in milliseconds (written as notepack.io writes a Number).
  broadcast_flags& set_timeout(double ms) noexcept {
    timeout_ = ms;
    return set(flag::timeout, true);
  }

  /// Whether `f` is set, and its value (timeout: whether it is set).
  bool has(flag f) const noexcept { return (present_ >> index(f) & 1u) != 0; }
  bool get(flag f) const noexcept { return (values_ >> index(f) & 1u) != 0; }
  /// `volatile` set to true.
  bool is_volatile() const noexcept { return has(flag::volatile_flag) && get(flag::volatile_flag); }
  /// `compress`, when set.
  std::optional<bool> compress() const noexcept {
    return has(flag::compress) ? std::optional<bool>(get(flag::compress)) : std::nullopt;
  }
  /// `local` set to true.
  bool is_local() const noexcept { return has(flag::local) && get(flag::local); }
  /// The ack timeout, when set.
  std::optional<double> timeout() const noexcept {
    return has(flag::timeout) ? std::optional<double>(timeout_) : std::nullopt;
  }
  /// The flags set, in the order they were first set.
  std::size_t size() const noexcept { return count_; }
  flag at(std::size_t i) const noexcept { return order_[i]; }
  /// Its JavaScript key.
  static constexpr std::string_view name(flag f) noexcept {
    switch (f) {
      case flag::volatile_flag: return "volatile";
      case flag::compress: return "compress";
      case flag::local: return "local";
      case flag::timeout: return "timeout";
      case flag::expect_single_response: return "expectSingleResponse";
    }
    return {};
  }

 private:
  static constexpr unsigned index(flag f) noexcept { return static_cast<unsigned>(f); }
  broadcast_flags& set(flag f, bool v) noexcept {
    const unsigned bit = 1u << index(f);
    if ((present_ & bit) == 0) {
      order_[count_++] = f;
      present_ = static_cast<std::uint8_t>(present_ | bit);
    }
    values_ = static_cast<std::uint8_t>(v ? (values_ | bit) : (values_ & ~bit));
    return *this;
  }

  flag order_[flag_count] = {};
  std::uint8_t count_ = 0;
  std::uint8_t present_ = 0;
  std::uint8_t values_ = 0;
  double timeout_ = 0;
};

/// The key order of the opts object: the adapter spreads `{rooms, except, flags}`, the emitter
/// `{rooms, flags, except}`.
enum class opts_order : std::uint8_t { adapter, emitter };

/// The `opts` of a broadcast: `{rooms, except, flags}`.
struct broadcast_options {
  /// Rooms to reach (empty: the whole namespace). Written as given (the reference's come from a
  /// Set: distinct).
  room_list rooms;
  /// Rooms whose sockets are left out (socket.broadcast adds the sender's own id).
  room_list except;
  broadcast_flags flags;
  opts_order order = opts_order::adapter;
};

/// A decoded broadcast message: views into the message bytes, valid while they are.
struct broadcast_view {
  /// The publishing node's uid ("emitter" for @socket.io/redis-emitter). A node ignores its own.
  std::string_view uid;
  /// The packet: type EVENT (or BINARY_EVENT), its namespace ("/" when the message has none, as
  /// the reference assumes), its data array (binary arguments inline as bin) and an ack id if
  /// one was written. msgpack_parser::encode() sends it to a local msgpack-parser client as it
  /// is; default-parser clients get its arguments through write_value() and a builder.
  msgpack_packet_view packet;
  /// The rooms to reach: an array of str / numbers (a JavaScript room may be a number), or the
  /// absent value (none: the whole namespace).
  msgpack::value rooms;
  /// The rooms excluded, as `rooms`.
  msgpack::value except;
  /// The flags this codec knows (unknown keys are skipped; `raw_flags` holds them all).
  broadcast_flags flags;
  /// The flags map as written (the absent value when the message has none).
  msgpack::value raw_flags;
};

/// Options of decode_broadcast().
struct broadcast_decode_options {
  /// Deepest nesting of the packet's data (the message adds two levels around it), as
  /// socketio::decode_options::max_depth counts it.
  std::size_t max_depth = SIOCODEC_DEFAULT_MAX_MSGPACK_DEPTH;
  /// Longest namespace, in bytes.
  std::size_t max_namespace = SIOCODEC_DEFAULT_MAX_NAMESPACE;
  /// Most names in `rooms`, and in `except`.
  std::size_t max_rooms = SIOCODEC_DEFAULT_REDIS_MAX_ROOMS;
  /// Largest ack id accepted in the packet.
  std::uint64_t max_ack_id = ~std::uint64_t{0};
};

/// Decodes a broadcast message, strictly: exactly one msgpack value (msgpack::validate: strings
/// UTF-8, nesting bounded) which is the array `[uid, packet, opts]` of 3 elements; uid a str;
/// packet a map with "type" 2 or 5 (any integral number form), "data" an array, "nsp" a str or
/// absent, "id" absent, nil or an integral number >= 0; opts a map whose "rooms" and "except"
/// are absent, nil or arrays of str and numbers, and whose "flags" is absent, nil or a map (its
/// keys volatile, compress, local, expectSingleResponse booleans, timeout a number when
/// present). Unknown keys of the packet, opts and flags are ignored, as the reference ignores
/// them; the last of a repeated key counts.
///
/// The reference accepts more (it destructures whatever notepack.io decodes and lets
/// JavaScript coerce); each refusal here is of a message no encoder of the reference writes.
///
/// @return the view; offset() is message.size(). On failure, the offset of the offending value
///   (0 for the top level).
/// Errors:
/// - invalid_msgpack, trailing_data, nesting_too_deep, invalid_utf8: msgpack::validate's.
/// - invalid_payload: not a 3-element array; uid not a str; packet or opts not a map; "data"
///   missing or not an array; rooms / except / flags of the wrong kind, a room neither str nor
///   number, a known flag of the wrong kind; more than max_rooms names.
/// - unknown_packet_type: "type" missing, not an integral number, or neither 2 nor 5.
/// - invalid_namespace: "nsp" not a str, or longer than max_namespace.
/// - invalid_ack_id, ack_id_overflow: as msgpack_parser::decode() for "id".
///
/// Linear in message.size(); no allocation; no recursion.
result<broadcast_view> decode_broadcast(byte_view message,
                                        const broadcast_decode_options& opts = {}) noexcept;

/// Appends the broadcast message `[uid, {type: 2, data: [name, args...], nsp}, opts]` for the
/// EVENT builder `ev` (socketio::event(name, args...); its namespace and id are not used: `nsp`
/// is the namespace written). Arguments are written by msgpack_args_writer (binary as bin), as
/// the reference writes the same JavaScript values.
/// @return bytes appended (exactly one resize of `out`; none on error).
/// Errors (offset 0): those of msgpack_args_writer; reserved_event_name (the name is reserved,
/// as the emitter throws); invalid_utf8 (uid, nsp, a room or the name is not UTF-8);
/// invalid_argument (a size msgpack cannot carry).
template <class C, class... A>
result<std::size_t> encode_broadcast(
    C& out, std::string_view uid, std::string_view nsp, const broadcast_options& opts,
    const packet_builder<::SIOCODEC_NAMESPACE::socketio::detail::event_data<A...>>& ev,
    const encode_options& eopts = {});

/// Appends the broadcast message for packet `p` (written as `{type, data, nsp[, id]}`, `data`
/// copied verbatim): what a node forwards, or a decoded message written again.
/// Errors (offset 0): invalid_argument (`p.data` absent or not an array, a type other than
/// EVENT / BINARY_EVENT, a size msgpack cannot carry); invalid_utf8 (uid, nsp or a room).
template <class C>
result<std::size_t> encode_broadcast(C& out, std::string_view uid, const msgpack_packet_view& p,
                                     const broadcast_options& opts);

/// Whether a local socket in the rooms `socket_rooms` is reached by a message targeting `rooms`
/// and excluding `except` (a broadcast_view's lists, or a request_view's): the in-memory
/// adapter's rule, not in any room of `except`, and in one of `rooms` unless `rooms` is empty or
/// absent. As in socket.io, a socket is in the room named by its own id: include it in
/// `socket_rooms` (`except` holds the sender's id for socket.broadcast.emit). A number in a
/// list names a room a JavaScript server joined with a number, which is not the string of the
/// same digits: it matches nothing here. `V` is msgpack::value or socketio::any_value.
/// O(list sizes x socket_rooms.size); no allocation.
template <class V>
bool reaches(const V& rooms, const V& except, room_list socket_rooms) noexcept;

/// Writes the msgpack value `v` of a decoded message (an argument of broadcast_view::packet's
/// data, say) through a builder's writer of either parser, as a Node server re-encodes what
/// notepack.io decoded for its own clients: the way to send a packet that came over Redis to
/// default-parser clients (`sio::event(name, [&](auto& w) { for (...) write_value(w, arg); })`;
/// msgpack-parser clients can get the packet as it is). bin (and ext type 0) becomes a binary
/// value (an attachment for the default parser); integers keep all 64 bits; nil is null;
/// undefined is null in an array and leaves its member out of a map, as JSON.stringify does; a
/// map key that is an integer, a boolean or nil is written as JavaScript's String() of it, and a
/// member with any other key is left out; other extensions (notepack's Date among them) are
/// written as null. Recursive, to the depth the decoder bounded (max_depth).
template <class W>
void write_value(W& w, const msgpack::value& v);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

using ::SIOCODEC_NAMESPACE::socketio::detail::mp_access;
using ::SIOCODEC_NAMESPACE::socketio::detail::mp_counter;
using ::SIOCODEC_NAMESPACE::socketio::detail::mp_plan;
using ::SIOCODEC_NAMESPACE::socketio::detail::mp_writer;

inline bool utf8_ok(std::string_view s) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(s.data(), s.size()) == s.size();
}

// A str of known-valid UTF-8, or a short ASCII key.
template <class W>
void put_str(W& w, std::string_view s) noexcept {
  (void)msgpack::emit_string_header(w, s.size());
  w.append(s.data(), s.size());
}

template <class W>
void put_rooms(W& w, const room_list& r) noexcept {
  (void)msgpack::emit_array_header(w, r.size);
  for (const std::string_view s : r) put_str(w, s);
}

template <class W>
void put_flags(W& w, const broadcast_flags& f) noexcept {
  (void)msgpack::emit_map_header(w, f.size());
  for (std::size_t i = 0; i < f.size(); ++i) {
    const broadcast_flags::flag k = f.at(i);
    put_str(w, broadcast_flags::name(k));
    if (k == broadcast_flags::flag::timeout) {
      msgpack::emit_number(w, *f.timeout());
    } else {
      msgpack::emit_bool(w, f.get(k));
    }
  }
}

template <class W>
void put_opts(W& w, const broadcast_options& o) noexcept {
  w.put(static_cast<char>(0x83));
  put_str(w, "rooms");
  put_rooms(w, o.rooms);
  if (o.order == opts_order::adapter) {
    put_str(w, "except");
    put_rooms(w, o.except);
    put_str(w, "flags");
    put_flags(w, o.flags);
  } else {
    put_str(w, "flags");
    put_flags(w, o.flags);
    put_str(w, "except");
    put_rooms(w, o.except);
  }
}

inline errc check_strings(std::string_view uid, std::string_view nsp,
                          const broadcast_options& o) noexcept {
  if (!utf8_ok(uid) || !utf8_ok(nsp)) return errc::invalid_utf8;
  for (const room_list* l : {&o.rooms, &o.except}) {
    if (!msgpack::detail::fits_u32(l->size)) return errc::invalid_argument;
    for (const std::string_view s : *l) {
      if (!utf8_ok(s)) return errc::invalid_utf8;
      if (!msgpack::detail::fits_u32(s.size())) return errc::invalid_argument;
    }
  }
  if (!msgpack::detail::fits_u32(uid.size()) || !msgpack::detail::fits_u32(nsp.size())) {
    return errc::invalid_argument;
  }
  return errc::none;
}

// The whole message through sink `s` (mp_counter or mp_writer); `data(s)` writes the data value
// and returns an error.
template <class S, class Data>
errc emit_broadcast(S& s, std::string_view uid, std::string_view nsp, packet_type type,
                    const std::optional<std::uint64_t>& id, const broadcast_options& o,
                    Data&& data) {
  s.put(static_cast<char>(0x93));
  put_str(s, uid);
  s.put(static_cast<char>(id ? 0x84 : 0x83));
  put_str(s, "type");
  msgpack::emit_uint(s, static_cast<std::uint64_t>(type));
  put_str(s, "data");
  const errc e = data(s);
  if (e != errc::none) return e;
  put_str(s, "nsp");
  put_str(s, nsp);
  if (id) {
    put_str(s, "id");
    msgpack::emit_uint(s, *id);
  }
  put_opts(s, o);
  return errc::none;
}

// Measures with `data_counting`, then writes with `data_writing` into a resize of `out`.
template <class C, class Run>
result<std::size_t> append_two_pass(C& out, Run&& run) {
  static_assert(is_resizable_buffer<C>::value,
                "encode_broadcast() needs a resizable container of one-byte elements");
  mp_plan plan;
  mp_counter c;
  errc e = run(c, plan);
  if (e != errc::none) return {e, 0};
  if (c.overflow) return {errc::invalid_argument, 0};
  const std::size_t old = out.size();
  out.resize(old + c.n);  // the one allocation
  mp_writer w{reinterpret_cast<char*>(out.data()) + old, 0, c.n};
  e = run(w, plan);
  if (e == errc::none && (w.overflow || w.pos != c.n)) e = errc::invalid_argument;
  if (e != errc::none) {
    out.resize(old);
    return {e, 0};
  }
  return {c.n, c.n};
}

}  // namespace detail

template <class C, class... A>
result<std::size_t> encode_broadcast(
    C& out, std::string_view uid, std::string_view nsp, const broadcast_options& opts,
    const packet_builder<::SIOCODEC_NAMESPACE::socketio::detail::event_data<A...>>& ev,
    const encode_options& eopts) {
  const std::string_view name = ev.data().name;
  if (!detail::utf8_ok(name)) return {errc::invalid_utf8, 0};
  if (::SIOCODEC_NAMESPACE::socketio::detail::is_reserved_event_name(name)) {
    return {errc::reserved_event_name, 0};
  }
  const errc se = detail::check_strings(uid, nsp, opts);
  if (se != errc::none) return {se, 0};
  return detail::append_two_pass(out, [&](auto& s, detail::mp_plan& plan) -> errc {
    return detail::emit_broadcast(
        s, uid, nsp, packet_type::event, std::nullopt, opts, [&](auto& sink) -> errc {
          using S = std::remove_reference_t<decltype(sink)>;
          msgpack_args_writer w = [&] {
            if constexpr (std::is_same<S, detail::mp_counter>::value) {
              return detail::mp_access::counting(&sink, &plan, eopts);
            } else {
              return detail::mp_access::writing(&sink, &plan, eopts);
            }
          }();
          ::SIOCODEC_NAMESPACE::socketio::detail::write_data(w, ev.data());
          return detail::mp_access::finish(w);
        });
  });
}

template <class C>
result<std::size_t> encode_broadcast(C& out, std::string_view uid, const msgpack_packet_view& p,
                                     const broadcast_options& opts) {
  if ((p.type != packet_type::event && p.type != packet_type::binary_event) || !p.data.is_array()) {
    return {errc::invalid_argument, 0};
  }
  const errc se = detail::check_strings(uid, p.nsp, opts);
  if (se != errc::none) return {se, 0};
  return detail::append_two_pass(out, [&](auto& s, detail::mp_plan&) -> errc {
    return detail::emit_broadcast(s, uid, p.nsp, p.type, p.id, opts, [&](auto& sink) -> errc {
      msgpack::emit_value(sink, p.data);
      return errc::none;
    });
  });
}

namespace detail {

inline bool room_list_valid(const msgpack::value& v, std::size_t max) noexcept {
  if (!v.exists() || v.is_nil()) return true;
  if (!v.is_array() || v.size() > max) return false;
  for (const msgpack::value& r : v.elements()) {
    if (!r.is_string() && !r.is_number()) return false;
  }
  return true;
}

// The packet map {type, data, nsp, id} of a broadcast (or of a BROADCAST request) into `p`.
// On failure: false, the error in `e` and the offending value in `bad` (absent: the map).
inline bool read_broadcast_packet(const msgpack::value& packet,
                                  const broadcast_decode_options& opts, msgpack_packet_view& p,
                                  errc& e, msgpack::value& bad) noexcept {
  msgpack::value type_v, nsp_v, data_v, id_v;
  ::SIOCODEC_NAMESPACE::socketio::detail::mp_packet_fields(packet, type_v, nsp_v, data_v, id_v);
  packet_type t = packet_type::event;
  if (::SIOCODEC_NAMESPACE::socketio::detail::mp_check_type(type_v, protocol_version::v4, t) !=
          errc::none ||
      (t != packet_type::event && t != packet_type::binary_event)) {
    e = errc::unknown_packet_type;
    bad = type_v;
    return false;
  }
  p.type = t;
  if (nsp_v.exists()) {
    if (!nsp_v.is_string() || nsp_v.get_string().size() > opts.max_namespace) {
      e = errc::invalid_namespace;
      bad = nsp_v;
      return false;
    }
    p.nsp = nsp_v.get_string();
  }
  if (!data_v.is_array()) {
    e = errc::invalid_payload;
    bad = data_v;
    return false;
  }
  p.data = data_v;
  if (id_v.exists() && !id_v.is_nil() && !id_v.is_undefined()) {
    decode_options d;
    d.max_ack_id = opts.max_ack_id;
    e = ::SIOCODEC_NAMESPACE::socketio::detail::mp_check_id(id_v, d, p.id);
    if (e != errc::none) {
      bad = id_v;
      return false;
    }
  }
  return true;
}

// The known keys of a flags map into `f`. On failure: false and the offending value in `bad`.
inline bool read_flags(const msgpack::value& map, broadcast_flags& f,
                       msgpack::value& bad) noexcept {
  using F = broadcast_flags::flag;
  for (const msgpack::member& m : map.members()) {
    if (!m.key.is_string()) continue;
    const std::string_view k = m.key.get_string();
    if (k == "timeout") {
      const result<double> d = m.val.to_double();
      if (!d) {
        bad = m.val;
        return false;
      }
      f.set_timeout(*d);
      continue;
    }
    for (std::size_t i = 0; i < broadcast_flags::flag_count; ++i) {
      const auto which = static_cast<F>(i);
      if (which == F::timeout || k != broadcast_flags::name(which)) continue;
      if (!m.val.is_bool()) {
        bad = m.val;
        return false;
      }
      const bool v = m.val.get_bool();
      switch (which) {
        case F::volatile_flag: f.set_volatile(v); break;
        case F::compress: f.set_compress(v); break;
        case F::local: f.set_local(v); break;
        default: f.set_expect_single_response(v); break;
      }
    }
  }
  return true;
}

}  // namespace detail

inline result<broadcast_view> decode_broadcast(byte_view message,
                                               const broadcast_decode_options& opts) noexcept {
  msgpack::options mo;
  mo.max_depth =
      opts.max_depth + 2 < msgpack::max_depth_limit ? opts.max_depth + 2 : msgpack::max_depth_limit;
  const result<msgpack::value> root = msgpack::parse(message, mo);
  if (!root) return {root.error(), root.offset()};
  const auto at = [&message](const msgpack::value& v) {
    return v.exists() ? static_cast<std::size_t>(v.raw().data() - message.data()) : 0;
  };
  if (!root->is_array() || root->size() != 3) return {errc::invalid_payload, 0};
  const msgpack::value uid = (*root)[0], packet = (*root)[1], o = (*root)[2];
  if (!uid.is_string()) return {errc::invalid_payload, at(uid)};
  if (!packet.is_map()) return {errc::invalid_payload, at(packet)};
  if (!o.is_map()) return {errc::invalid_payload, at(o)};
  broadcast_view b;
  b.uid = uid.get_string();
  errc e = errc::none;
  msgpack::value bad;
  if (!detail::read_broadcast_packet(packet, opts, b.packet, e, bad)) return {e, at(bad)};

  for (const msgpack::member& m : o.members()) {
    if (!m.key.is_string()) continue;
    const std::string_view k = m.key.get_string();
    if (k == "rooms") {
      b.rooms = m.val;
    } else if (k == "except") {
      b.except = m.val;
    } else if (k == "flags") {
      b.raw_flags = m.val;
    }
  }
  if (!detail::room_list_valid(b.rooms, opts.max_rooms))
    return {errc::invalid_payload, at(b.rooms)};
  if (!detail::room_list_valid(b.except, opts.max_rooms)) {
    return {errc::invalid_payload, at(b.except)};
  }
  if (b.rooms.is_nil()) b.rooms = msgpack::value();
  if (b.except.is_nil()) b.except = msgpack::value();
  if (!b.raw_flags.exists() || b.raw_flags.is_nil()) {
    b.raw_flags = msgpack::value();
  } else if (!b.raw_flags.is_map()) {
    return {errc::invalid_payload, at(b.raw_flags)};
  } else if (!detail::read_flags(b.raw_flags, b.flags, bad)) {
    return {errc::invalid_payload, at(bad)};
  }
  return {b, message.size()};
}

template <class V>
bool reaches(const V& rooms, const V& except, room_list socket_rooms) noexcept {
  const auto any_in = [&socket_rooms](const V& list) {
    for (const auto& name : list.elements()) {
      for (const std::string_view r : socket_rooms) {
        if (name.string_equals(r)) return true;
      }
    }
    return false;
  };
  if (except.exists() && any_in(except)) return false;
  return !rooms.exists() || rooms.size() == 0 || any_in(rooms);
}

namespace detail {

// write_value()'s policy for the walk it shares with socketio::copy_value()
// (socketio::detail::write_received): scalars and keys as JavaScript holds them.
struct write_as_js {
  static bool is_object(const msgpack::value& v) noexcept { return v.is_map(); }
  template <class W>
  static bool key(W& w, const msgpack::member& m) {
    if (m.val.is_undefined()) return false;
    char digits[24];
    std::string_view name;
    if (m.key.is_string()) {
      name = m.key.get_string();
    } else if (m.key.is_integer()) {
      // String() of the number: its decimal digits (beyond 2^53 JavaScript would round first).
      const bool neg = m.key.is_negative_integer();
      std::uint64_t mag =
          neg ? 0 - static_cast<std::uint64_t>(*m.key.to_int64()) : *m.key.to_uint64();
      std::size_t at = sizeof digits;
      do {
        digits[--at] = static_cast<char>('0' + mag % 10);
        mag /= 10;
      } while (mag != 0);
      if (neg) digits[--at] = '-';
      name = std::string_view(digits + at, sizeof digits - at);
    } else if (m.key.is_bool()) {
      name = m.key.get_bool() ? "true" : "false";
    } else if (m.key.is_nil()) {
      name = "null";
    } else {
      return false;
    }
    w.key(name);
    return true;
  }
  template <class W>
  static void scalar(W& w, const msgpack::value& v) {
    if (v.is_bool()) {
      w.boolean(v.get_bool());
    } else if (v.is_integer()) {
      if (v.is_negative_integer()) {
        w.integer(*v.to_int64());
      } else {
        w.integer(*v.to_uint64());
      }
    } else if (v.is_floating()) {
      w.number(*v.to_double());
    } else if (v.is_string()) {
      w.string(v.get_string());
    } else {
      w.null();  // nil, undefined, other extensions
    }
  }
};

}  // namespace detail

template <class W>
void write_value(W& w, const msgpack::value& v) {
  ::SIOCODEC_NAMESPACE::socketio::detail::write_received<detail::write_as_js>(w, v);
}

}  // namespace redis
}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_REDIS_BROADCAST_HPP

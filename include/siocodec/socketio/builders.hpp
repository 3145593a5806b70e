// SPDX-License-Identifier: BSL-1.0
// The parser-neutral protocol model of encoding: encode_options, the packet builders (event(),
// ack(), connect(), disconnect(), connect_error()), attachment storage, and the data each
// builder writes, once for both parsers' writers.
#ifndef SIOCODEC_SOCKETIO_BUILDERS_HPP
#define SIOCODEC_SOCKETIO_BUILDERS_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/socketio/arg_traits.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// Options of every Socket.IO encoder. Pass by const reference; the defaults suit protocol v5.
struct encode_options {
  /// The protocol of the peer. The text of a packet_view is the same in both versions; builders
  /// differ: v4 has no CONNECT payload (connect() with auth is an error; use query()), no
  /// reserved event names, and CONNECT_ERROR (v4: ERROR) carries a bare message string.
  protocol_version version = protocol_version::v5;
  /// Most attachments one packet may carry. The reference decoder's maxAttachments defaults to
  /// 10 and closes the connection above it, so a packet with more would never be read; raise
  /// this only together with the peer's limit.
  std::size_t max_attachments = SIOCODEC_DEFAULT_MAX_ATTACHMENTS;
  /// Deepest nesting of arrays and objects a builder may write (`[]` is depth 1, so an EVENT's
  /// arguments start at depth 2), as json::options::max_depth counts it; at most
  /// json::max_depth_limit. The default is what the decoders accept by default.
  std::size_t max_depth = SIOCODEC_DEFAULT_MAX_JSON_DEPTH;
};

/// Fixed-capacity storage for the attachments an encoder finds: no allocation. Any container
/// of byte_view with data(), size(), resize() and max_size() (std::vector<byte_view>) can be
/// used instead; encoders append to it with one resize.
template <std::size_t N>
class attachment_list {
 public:
  using value_type = byte_view;
  using iterator = const byte_view*;
  using const_iterator = const byte_view*;

  byte_view* data() noexcept { return items_; }
  const byte_view* data() const noexcept { return items_; }
  std::size_t size() const noexcept { return size_; }
  static constexpr std::size_t max_size() noexcept { return N; }
  bool empty() const noexcept { return size_ == 0; }
  /// Precondition: n <= N (encoders check); larger values are clamped.
  void resize(std::size_t n) noexcept {
    for (std::size_t i = size_; i < n && i < N; ++i) items_[i] = byte_view();
    size_ = n < N ? n : N;
  }
  void clear() noexcept { size_ = 0; }
  /// Precondition: i < size().
  const byte_view& operator[](std::size_t i) const noexcept { return items_[i]; }
  const byte_view* begin() const noexcept { return items_; }
  const byte_view* end() const noexcept { return items_ + size_; }

 private:
  byte_view items_[N == 0 ? 1 : N];
  std::size_t size_ = 0;
};

/// True for containers an encoder can store attachment views in (see attachment_list).
template <class A, class = void>
struct is_attachment_sink : std::false_type {};
template <class A>
struct is_attachment_sink<A, std::void_t<decltype(std::declval<A&>().resize(std::size_t{})),
                                         decltype(std::declval<const A&>().size()),
                                         decltype(std::declval<const A&>().max_size())>>
    : std::is_same<decltype(std::declval<A&>().data()), byte_view*> {};

// ---------------------------------------------------------------------------------------------
// Packet builders
// ---------------------------------------------------------------------------------------------

/// A packet to be built from C++ values, made by event(), ack(), connect(), disconnect() or
/// connect_error() and given to encode(), encode_to(), encoded_size() or the frame encoders
/// (frames.hpp). The setters chain: `sio::event("chat", msg).nsp("/room").id(12)`.
///
/// A builder holds its lvalue arguments by reference and moves rvalue arguments in; the
/// namespace, query and event name are views. Encode it in the same full expression, or keep
/// what it refers to alive.
template <class Data>
class packet_builder {
 public:
  using data_type = Data;

  constexpr packet_builder(packet_type t, Data d) : data_(std::move(d)), type_(t) {}

  /// The namespace ("" and "/" both mean the main one, which is not written).
  packet_builder& nsp(std::string_view n) & noexcept {
    nsp_ = n;
    return *this;
  }
  packet_builder&& nsp(std::string_view n) && noexcept {
    nsp_ = n;
    return std::move(*this);
  }
  /// The ack id: the peer answers with an ACK carrying it.
  packet_builder& id(std::uint64_t v) & noexcept {
    id_ = v;
    return *this;
  }
  packet_builder&& id(std::uint64_t v) && noexcept {
    id_ = v;
    return std::move(*this);
  }
  /// CONNECT only: a query string written after the namespace, `0/admin?token=1,`. This is how
  /// protocol v4 (Socket.IO 2.x clients) sends auth data; the caller percent-encodes it. The
  /// main namespace is then written `/`.
  packet_builder& query(std::string_view q) & noexcept {
    query_ = q;
    return *this;
  }
  packet_builder&& query(std::string_view q) && noexcept {
    query_ = q;
    return std::move(*this);
  }

  constexpr packet_type type() const noexcept { return type_; }
  constexpr std::string_view nsp() const noexcept { return nsp_; }
  constexpr const std::optional<std::uint64_t>& id() const noexcept { return id_; }
  constexpr std::string_view query() const noexcept { return query_; }
  constexpr const Data& data() const noexcept { return data_; }

 private:
  Data data_;
  std::string_view nsp_ = "/";
  std::string_view query_;
  std::optional<std::uint64_t> id_;
  packet_type type_;
};

/// True for the packet_builder types.
template <class T>
struct is_packet_builder : std::false_type {};
template <class D>
struct is_packet_builder<packet_builder<D>> : std::true_type {};

namespace detail {
template <class... A>
struct event_data {
  std::string_view name;
  std::tuple<A...> args;
  static constexpr bool allows_binary = true;
};
template <class... A>
struct ack_data {
  std::tuple<A...> args;
  static constexpr bool allows_binary = true;
};
struct no_data {
  static constexpr bool allows_binary = false;
};
template <class V>
struct auth_data {
  V auth;
  static constexpr bool allows_binary = false;
};
template <class... D>  // none or one value
struct error_data {
  std::string_view message;
  std::tuple<D...> data;
  static constexpr bool allows_binary = false;
};
}  // namespace detail

/// An EVENT: `name` then the arguments, like `socket.emit(name, args...)`. Each argument is
/// written by arg_traits (strings, numbers, bools, byte_view and byte containers as
/// attachments, array(), object(), containers, raw_json, optional...), or is a callback
/// taking the writer (`[&](auto& w) {...}` serves both parsers) that writes any number of
/// arguments (it runs once or twice: see args_writer):
///
///     sio::event("chat", "hello", buffer)                       // 51-["chat","hello",{...}]
///     sio::event("scores", [&](auto& w) { for (int s : scores) w.value(s); })
///
/// Promoted to BINARY_EVENT when a binary value is written.
/// Errors when encoded (besides those of args_writer): reserved_event_name (protocol v5, `name`
/// is one the reference refuses: connect, connect_error, disconnect, disconnecting, newListener,
/// removeListener), invalid_utf8 (`name` is not UTF-8).
template <class... A>
packet_builder<detail::event_data<A...>> event(std::string_view name, A&&... args) {
  return {packet_type::event,
          detail::event_data<A...>{name, std::tuple<A...>(std::forward<A>(args)...)}};
}

/// An ACK answering the event with ack id `id`; the arguments as for event(). Promoted to
/// BINARY_ACK when a binary value is written.
template <class... A>
packet_builder<detail::ack_data<A...>> ack(std::uint64_t id, A&&... args) {
  packet_builder<detail::ack_data<A...>> b{
      packet_type::ack, detail::ack_data<A...>{std::tuple<A...>(std::forward<A>(args)...)}};
  b.id(id);
  return b;
}

/// A CONNECT to namespace `nsp`, without auth: `0`, `0/admin,`.
inline packet_builder<detail::no_data> connect(std::string_view nsp = "/") {
  packet_builder<detail::no_data> b{packet_type::connect, detail::no_data{}};
  b.nsp(nsp);
  return b;
}

/// A CONNECT to `nsp` with an auth payload, which must write a JSON object (object(...), a map,
/// raw_json `{...}`, a callback or an arg_traits type that writes an object):
/// `sio::connect("/admin", sio::object("token", "abc"))` gives `0/admin,{"token":"abc"}`.
/// Errors when encoded: invalid_argument (the auth is not an object, contains a binary value,
/// or the protocol is v4, whose CONNECT carries no payload: use query()).
template <class V>
packet_builder<detail::auth_data<V>> connect(std::string_view nsp, V&& auth) {
  packet_builder<detail::auth_data<V>> b{packet_type::connect,
                                         detail::auth_data<V>{std::forward<V>(auth)}};
  b.nsp(nsp);
  return b;
}

/// A DISCONNECT from `nsp`: `1`, `1/admin,`.
inline packet_builder<detail::no_data> disconnect(std::string_view nsp = "/") {
  packet_builder<detail::no_data> b{packet_type::disconnect, detail::no_data{}};
  b.nsp(nsp);
  return b;
}

/// A CONNECT_ERROR (protocol v4: ERROR) refusing a connection. v5 writes the object the
/// reference server sends, `{"message":"..."}`; v4 the bare string, as Socket.IO 2.x does.
/// Errors when encoded: invalid_utf8 (`message` is not UTF-8).
inline packet_builder<detail::error_data<>> connect_error(std::string_view message) {
  return {packet_type::connect_error, detail::error_data<>{message, {}}};
}

/// A CONNECT_ERROR with extra data: v5 `{"message":"...","data":<data>}` (the reference's
/// err.data); v4 just `<data>` (Socket.IO 2.x sends `err.data || err.message`).
/// Errors when encoded: invalid_argument (a binary value in `data`; v4: `data` is a number or a
/// boolean, which the v4 decoder refuses), invalid_utf8.
template <class D>
packet_builder<detail::error_data<D>> connect_error(std::string_view message, D&& data) {
  return {packet_type::connect_error,
          detail::error_data<D>{message, std::tuple<D>(std::forward<D>(data))}};
}

namespace detail {

inline bool is_reserved_event_name(std::string_view name) noexcept {
  return name == "connect" || name == "connect_error" || name == "disconnect" ||
         name == "disconnecting" || name == "newListener" || name == "removeListener";
}

constexpr packet_type promoted(packet_type t) noexcept {
  return t == packet_type::event ? packet_type::binary_event
         : t == packet_type::ack ? packet_type::binary_ack
                                 : t;
}

// The one top-level value (or none) each data kind writes, through either parser's writer.
// CONNECT_ERROR in protocol v4 is only reached by the JSON writer: the msgpack parser writes
// that packet as JSON text of its own (msgpack_parser/encode.hpp).
template <class W, class... A>
void write_data(W& w, const event_data<A...>& d) {
  w.begin_array();
  w.string(d.name);
  write_all(w, d.args);
  w.end_array();
}
template <class W, class... A>
void write_data(W& w, const ack_data<A...>& d) {
  w.begin_array();
  write_all(w, d.args);
  w.end_array();
}
template <class W>
void write_data(W&, const no_data&) {}
template <class W, class V>
void write_data(W& w, const auth_data<V>& d) {
  w.value(d.auth);
}
template <class W, class... D>
void write_data(W& w, const error_data<D...>& d) {
  if (w.version() == protocol_version::v4) {
    if constexpr (sizeof...(D) == 0) {
      w.string(d.message);
    } else {
      write_all(w, d.data);
    }
    return;
  }
  w.begin_object();
  w.member("message", d.message);
  if constexpr (sizeof...(D) != 0) {
    w.key("data");
    write_all(w, d.data);
  }
  w.end_object();
}

}  // namespace detail
}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_BUILDERS_HPP

// SPDX-License-Identifier: BSL-1.0
// One way to read a decoded packet and its values, whichever parser decoded it.
#ifndef SIOCODEC_SOCKETIO_ANY_HPP
#define SIOCODEC_SOCKETIO_ANY_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/lazy_range.hpp>
#include <siocodec/detail/lazy_value.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/result.hpp>
#include <siocodec/socketio/default_parser/args.hpp>
#include <siocodec/socketio/msgpack_parser/args.hpp>
#include <siocodec/socketio/msgpack_parser/decode.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

// ---------------------------------------------------------------------------------------------
// any_value: one payload value of either parser
// ---------------------------------------------------------------------------------------------

/// What a payload value is, whichever parser carried it (the JavaScript view of it).
enum class value_kind : std::uint8_t {
  absent,     ///< no value (a missing payload, an index past the end)
  null,       ///< JSON null, msgpack nil
  undefined,  ///< msgpack only: notepack.io's undefined
  boolean,
  number,  ///< any JSON number; msgpack integers and floats
  string,
  binary,  ///< a default-parser attachment (its placeholder resolved), a msgpack bin or ext 0
  array,
  object,     ///< JSON object, msgpack map
  extension,  ///< msgpack only: any other extension type (ext_type(), bytes())
};

class any_value;
/// One member of an object of either parser: `key` and `val`, any_value both.
using any_member = ::SIOCODEC_NAMESPACE::detail::basic_member<any_value>;
namespace detail {
template <class JsonCursor, class MsgpackCursor, class Element>
struct any_cursor;
using any_array_cursor =
    any_cursor<json::detail::array_cursor, msgpack::detail::array_cursor, any_value>;
using any_object_cursor =
    any_cursor<json::detail::object_cursor, msgpack::detail::map_cursor, any_member>;
}  // namespace detail

/// Forward iterator over the elements of an array of either parser ("stashing", like
/// json::array_iterator).
using any_array_iterator =
    ::SIOCODEC_NAMESPACE::detail::stashing_iterator<detail::any_array_cursor>;
/// Forward iterator over the members of an object of either parser.
using any_object_iterator =
    ::SIOCODEC_NAMESPACE::detail::stashing_iterator<detail::any_object_cursor>;
/// The elements of an array of either parser: begin(), end(), empty(), size() (a walk).
using any_array_range = ::SIOCODEC_NAMESPACE::detail::lazy_range<detail::any_array_cursor>;
/// The members of an object of either parser; the same members.
using any_object_range = ::SIOCODEC_NAMESPACE::detail::lazy_range<detail::any_object_cursor>;

/// A view of one payload value of either parser: a json::value (with the packet's attachments,
/// so that placeholders read as binary) or a msgpack::value. Cheap to copy; valid while the
/// packet's bytes (and, for attachments, the decoder's attachment list) are.
class any_value {
 public:
  /// The absent value.
  any_value() noexcept = default;
  /// A JSON value; `attachments` (count `n`) resolve the placeholders of a binary packet
  /// (not with SIOCODEC_BINARY_ATTACHMENTS 0, config.hpp: a placeholder is then an object).
  explicit any_value(const json::value& v, const byte_view* attachments = nullptr,
                     std::size_t n = 0) noexcept;
  /// A msgpack value.
  explicit any_value(const msgpack::value& v) noexcept;

  value_kind kind() const noexcept { return kind_; }
  bool exists() const noexcept { return kind_ != value_kind::absent; }
  bool is_null() const noexcept { return kind_ == value_kind::null; }
  bool is_undefined() const noexcept { return kind_ == value_kind::undefined; }
  bool is_bool() const noexcept { return kind_ == value_kind::boolean; }
  bool is_number() const noexcept { return kind_ == value_kind::number; }
  bool is_string() const noexcept { return kind_ == value_kind::string; }
  bool is_binary() const noexcept { return kind_ == value_kind::binary; }
  bool is_array() const noexcept { return kind_ == value_kind::array; }
  bool is_object() const noexcept { return kind_ == value_kind::object; }
  bool is_extension() const noexcept { return kind_ == value_kind::extension; }

  /// True for a msgpack value, false for a JSON one (or the absent value).
  bool is_msgpack() const noexcept { return mp(); }
  /// The JSON view (the absent json::value for a msgpack value).
  const json::value& as_json() const noexcept { return json_; }
  /// The msgpack view (the absent msgpack::value for a JSON value).
  const msgpack::value& as_msgpack() const noexcept { return mp_; }

  /// true for true. Precondition: is_bool().
  bool get_bool() const noexcept { return mp() ? mp_.get_bool() : json_.get_bool(); }

  /// True for an integer as written: a JSON number without fraction or exponent, a msgpack
  /// integer form. (JavaScript encoders write every integral number that way.)
  bool is_integer() const noexcept { return mp() ? mp_.is_integer() : json_.is_integer(); }
  /// Errors: invalid_argument (not an integer as written, or out of range).
  result<std::int64_t> to_int64() const noexcept {
    return mp() ? mp_.to_int64() : json_.to_int64();
  }
  /// Errors: invalid_argument (not an integer as written, negative, or out of range).
  result<std::uint64_t> to_uint64() const noexcept {
    return mp() ? mp_.to_uint64() : json_.to_uint64();
  }
  /// The number as JavaScript holds it. Errors: invalid_argument (not a number).
  result<double> to_double() const noexcept { return mp() ? mp_.to_double() : json_.to_double(); }

  /// True when this is a string whose decoded UTF-8 equals `utf8`.
  bool string_equals(std::string_view utf8) const noexcept {
    return mp() ? mp_.string_equals(utf8) : json_.string_equals(utf8);
  }
  /// The decoded string without copying, when that is possible: always for msgpack, for JSON
  /// when the string has no escapes. @return false otherwise (use append_string()).
  bool direct_string(std::string_view& out) const noexcept;
  /// Bytes of the decoded string (0 for a non-string).
  std::size_t string_size() const noexcept {
    return mp() ? mp_.get_string().size() : json_.unescaped_size();
  }
  /// Writes the decoded string to `out`. @return bytes written.
  /// Errors: invalid_argument (not a string), output_too_small (nothing written).
  result<std::size_t> string_to(char* out, std::size_t cap) const noexcept;
  /// Appends the decoded string to `out` (one resize). Errors: invalid_argument, out_of_memory
  /// (a container whose try_resize() failed; nothing written).
  template <class C>
  result<std::size_t> append_string(C& out) const;

  /// The bytes of a binary value (attachment, bin, ext 0) or of an extension; empty otherwise.
  byte_view bytes() const noexcept { return bytes_; }
  /// The type of a msgpack extension; 0 otherwise.
  std::int8_t ext_type() const noexcept { return mp() ? mp_.ext_type() : 0; }

  /// Elements (array) or members (object); 0 otherwise. O(1) for msgpack, O(n) for JSON.
  std::size_t size() const noexcept;
  /// The elements of an array, as a forward range of any_value.
  any_array_range elements() const noexcept;
  /// The members of an object, as a forward range of any_member.
  any_object_range members() const noexcept;
  /// The i-th element of an array, or the absent value.
  any_value operator[](std::size_t i) const noexcept;
  /// The value of the (last) member whose key is the string `key`.
  /// @return true and sets `out` when found.
  bool find(std::string_view key, any_value& out) const noexcept;

 private:
  // SIOCODEC_PARSERS 1: never msgpack, so that the msgpack branches fold away.
  bool mp() const noexcept { return SIOCODEC_PARSERS != 1 && msgpack_; }
  json::value json_;
  msgpack::value mp_;
  const byte_view* atts_ = nullptr;
  std::size_t natts_ = 0;
  byte_view bytes_;
  value_kind kind_ = value_kind::absent;
  bool msgpack_ = false;
};

namespace detail {

// An element of either parser's sequences as an any_value / any_member: the JSON ones carry the
// packet's attachments, so that placeholders read as binary.
inline any_value any_element(const json::value& v, const byte_view* atts, std::size_t n) noexcept {
  return any_value(v, atts, n);
}
inline any_value any_element(const msgpack::value& v, const byte_view*, std::size_t) noexcept {
  return any_value(v);
}
inline any_member any_element(const json::member& m, const byte_view* atts,
                              std::size_t n) noexcept {
  return {any_value(m.key), any_value(m.val, atts, n)};
}
inline any_member any_element(const msgpack::member& m, const byte_view*, std::size_t) noexcept {
  return {any_value(m.key), any_value(m.val)};
}

// Walks the elements of an array or the members of an object of either parser: the Cursor of
// any_array_iterator and any_object_iterator (see detail/lazy_range.hpp), either parser's own
// cursor and the packet's attachments for the JSON one.
template <class JsonCursor, class MsgpackCursor, class Element>
struct any_cursor {
  using item = Element;
  static constexpr bool counted = false;  // size() walks, for either parser, as documented
  static constexpr bool walk_size = true;
  Element cur;  // the absent value (member) at the end
  JsonCursor json;
  MsgpackCursor mp;
  const byte_view* atts = nullptr;
  std::size_t natts = 0;
  bool msgpack = false;    // read through is_mp(), which folds with SIOCODEC_PARSERS 1
  bool skip_name = false;  // an EVENT's arguments start after its name

  static any_cursor over(const MsgpackCursor& c) noexcept {
    any_cursor a;
    a.mp = c;
    a.msgpack = true;
    return a;
  }
  static any_cursor over(const JsonCursor& c, const byte_view* attachments,
                         std::size_t n) noexcept {
    any_cursor a;
    a.json = c;
    a.atts = attachments;
    a.natts = n;
    return a;
  }
  bool is_mp() const noexcept { return SIOCODEC_PARSERS != 1 && msgpack; }
  const void* position() const noexcept {
    return is_mp() ? static_cast<const void*>(mp.position()) : json.position();
  }
  void start() noexcept {
    if (is_mp()) {
      mp.start();
      if (skip_name) mp.next();
    } else {
      json.start();
      if (skip_name) json.next();
    }
    load();
  }
  void next() noexcept {
    if (is_mp()) {
      mp.next();
    } else {
      json.next();
    }
    load();
  }
  void load() noexcept {
    if (position() == nullptr) {
      cur = Element();
    } else {
      cur = is_mp() ? any_element(mp.cur, nullptr, 0) : any_element(json.cur, atts, natts);
    }
  }
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// any_packet: a decoded packet of either parser
// ---------------------------------------------------------------------------------------------

class any_argument_range;

/// A decoded packet of either parser: the default parser's packet_view, or the msgpack parser's
/// msgpack_packet_view (or, for the text messages of the protocol v4 msgpack parser, a
/// packet_view). Copyable; its views have the lifetimes of the decoder's packet (see
/// basic_decoder and msgpack_parser::decode()).
class any_packet {
 public:
  any_packet() noexcept = default;
  /// A packet of the default parser (or a v4 msgpack text packet, with `parser` msgpack).
  explicit any_packet(const packet_view& p, parser_kind parser = parser_kind::json) noexcept
      : json_(p), parser_(parser) {}
  /// A packet of the msgpack parser.
  explicit any_packet(const msgpack_packet_view& p) noexcept
      : mp_(p), parser_(parser_kind::msgpack), msgpack_(true) {}

  /// The parser that decoded it.
  parser_kind parser() const noexcept { return parser_; }
  /// True when the packet is a msgpack_packet_view (false for a packet_view).
  bool is_msgpack() const noexcept { return mp(); }
  /// The default parser's view. Precondition: !is_msgpack(). On a temporary any_packet, a copy
  /// (a reference into the temporary would dangle).
  const packet_view& as_packet_view() const& noexcept { return json_; }
  packet_view as_packet_view() && noexcept { return json_; }
  /// The msgpack parser's view. Precondition: is_msgpack(). A copy on a temporary, likewise.
  const msgpack_packet_view& as_msgpack_packet() const& noexcept { return mp_; }
  msgpack_packet_view as_msgpack_packet() && noexcept { return mp_; }

  packet_type type() const noexcept { return mp() ? mp_.type : json_.type; }
  std::string_view nsp() const noexcept { return mp() ? mp_.nsp : json_.nsp; }
  const std::optional<std::uint64_t>& id() const noexcept { return mp() ? mp_.id : json_.id; }
  bool has_data() const noexcept { return mp() ? mp_.has_data() : json_.has_data(); }
  /// The view's has_invalid_utf8 (decode_options::allow_invalid_utf8).
  bool has_invalid_utf8() const noexcept {
    return mp() ? mp_.has_invalid_utf8 : json_.has_invalid_utf8;
  }

  /// The payload (the absent value when there is none).
  any_value data() const noexcept;
  /// The event name of an EVENT / BINARY_EVENT (the first element of its array); the absent
  /// value otherwise. The default parser guarantees a string or a number; the msgpack parser
  /// checks nothing (test is_string()).
  any_value event_name() const noexcept;
  /// The arguments of an EVENT (after the name) or an ACK (all elements); empty otherwise.
  /// Binary arguments have kind binary and their bytes() (attachments resolved).
  any_argument_range arguments() const noexcept;

 private:
  bool mp() const noexcept { return SIOCODEC_PARSERS != 1 && msgpack_; }
  packet_view json_;
  msgpack_packet_view mp_;
  parser_kind parser_ = parser_kind::json;
  bool msgpack_ = false;
};

/// The arguments of a packet of either parser, for range-for: begin(), end(), empty() and size()
/// (a walk over them, for either parser).
class any_argument_range
    : public ::SIOCODEC_NAMESPACE::detail::lazy_range<detail::any_array_cursor> {
 public:
  any_argument_range() noexcept = default;
  explicit any_argument_range(const any_packet& p) noexcept;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

inline any_value::any_value(const json::value& v, const byte_view* attachments,
                            std::size_t n) noexcept
    : json_(v), atts_(attachments), natts_(n) {
  if (!v.exists()) return;
  switch (v.type()) {
    case json::kind::null: kind_ = value_kind::null; break;
    case json::kind::boolean: kind_ = value_kind::boolean; break;
    case json::kind::number: kind_ = value_kind::number; break;
    case json::kind::string: kind_ = value_kind::string; break;
    case json::kind::array: kind_ = value_kind::array; break;
    case json::kind::object: {
      kind_ = value_kind::object;
      // Without attachments (SIOCODEC_BINARY_ATTACHMENTS 0) no decoder resolves a placeholder.
      if (!SIOCODEC_BINARY_ATTACHMENTS || attachments == nullptr) break;
      // A placeholder of the packet's attachments (decode() checked every one).
      const std::string_view raw = v.raw();
      if (detail::flat_object_end(raw.data(), raw.data() + raw.size()) == nullptr) break;
      detail::placeholder_info info;
      if (detail::check_flat_object(v, n, true, info) == errc::none && info.is_placeholder) {
        kind_ = value_kind::binary;
        bytes_ = attachments[info.num];
      }
      break;
    }
  }
}

inline any_value::any_value(const msgpack::value& v) noexcept : mp_(v), msgpack_(true) {
  if (!v.exists()) {
    msgpack_ = false;
    return;
  }
  switch (v.type()) {
    case msgpack::kind::nil: kind_ = value_kind::null; break;
    case msgpack::kind::undefined: kind_ = value_kind::undefined; break;
    case msgpack::kind::boolean: kind_ = value_kind::boolean; break;
    case msgpack::kind::integer:
    case msgpack::kind::floating: kind_ = value_kind::number; break;
    case msgpack::kind::string: kind_ = value_kind::string; break;
    case msgpack::kind::binary:
      kind_ = value_kind::binary;
      bytes_ = v.bytes();
      break;
    case msgpack::kind::array: kind_ = value_kind::array; break;
    case msgpack::kind::map: kind_ = value_kind::object; break;
    case msgpack::kind::ext:
      kind_ = value_kind::extension;
      bytes_ = v.bytes();
      break;
  }
}

inline bool any_value::direct_string(std::string_view& out) const noexcept {
  if (kind_ != value_kind::string) return false;
  if (mp()) {
    out = mp_.get_string();
    return true;
  }
  if (json_.has_escapes()) return false;
  out = json_.string_raw();
  return true;
}

inline result<std::size_t> any_value::string_to(char* out, std::size_t cap) const noexcept {
  if (kind_ != value_kind::string) return {errc::invalid_argument, 0};
  if (!mp()) return json_.unescape_to(out, cap);
  const std::string_view s = mp_.get_string();
  if (s.size() > cap) return {errc::output_too_small, cap};
  if (!s.empty()) std::memcpy(out, s.data(), s.size());
  return {s.size(), s.size()};
}

template <class C>
result<std::size_t> any_value::append_string(C& out) const {
  static_assert(::SIOCODEC_NAMESPACE::detail::is_growable_buffer<C>::value,
                "append_string() needs a resizable container of one-byte elements");
  if (kind_ != value_kind::string) return {errc::invalid_argument, 0};
  if (!mp()) return json_.unescape(out);
  const std::string_view s = mp_.get_string();
  const std::size_t old = out.size();
  if (!::SIOCODEC_NAMESPACE::detail::resize_buffer(out, old + s.size()))
    return {errc::out_of_memory, 0};
  if (!s.empty()) std::memcpy(reinterpret_cast<char*>(out.data()) + old, s.data(), s.size());
  return {s.size(), s.size()};
}

inline std::size_t any_value::size() const noexcept {
  if (kind_ != value_kind::array && kind_ != value_kind::object) return 0;
  return mp() ? mp_.size() : json_.size();
}

inline any_array_range any_value::elements() const noexcept {
  if (kind_ != value_kind::array) return {};
  using cursor = detail::any_array_cursor;
  if (mp()) return any_array_range(cursor::over(mp_.elements().cursor()));
  return any_array_range(cursor::over(json_.elements().cursor(), atts_, natts_));
}

inline any_object_range any_value::members() const noexcept {
  if (kind_ != value_kind::object) return {};
  using cursor = detail::any_object_cursor;
  if (mp()) return any_object_range(cursor::over(mp_.members().cursor()));
  return any_object_range(cursor::over(json_.members().cursor(), atts_, natts_));
}

inline any_value any_value::operator[](std::size_t i) const noexcept {
  if (kind_ != value_kind::array) return {};
  if (mp()) return any_value(mp_[i]);
  return any_value(json_[i], atts_, natts_);
}

inline bool any_value::find(std::string_view key, any_value& out) const noexcept {
  if (kind_ != value_kind::object) return false;
  if (mp()) {
    msgpack::value v;
    if (!mp_.find(key, v)) return false;
    out = any_value(v);
    return true;
  }
  json::value v;
  if (!json_.find(key, v)) return false;
  out = any_value(v, atts_, natts_);
  return true;
}

inline any_value any_packet::data() const noexcept {
  if (mp()) return any_value(payload(mp_));
  if (json_.data.empty()) return {};
  return any_value(json::value::unchecked(json_.data), json_.attachments,
                   json_.attachments != nullptr ? json_.attachment_count : 0);
}

inline any_value any_packet::event_name() const noexcept {
  const packet_type t = type();
  if (t != packet_type::event && t != packet_type::binary_event) return {};
  const any_value d = data();
  return d.is_array() ? d[0] : any_value();
}

inline any_argument_range any_packet::arguments() const noexcept {
  return any_argument_range(*this);
}

inline any_argument_range::any_argument_range(const any_packet& p) noexcept {
  const packet_type t = p.type();
  const bool has_name = t == packet_type::event || t == packet_type::binary_event;
  const bool has_args = has_name || t == packet_type::ack || t == packet_type::binary_ack;
  if (!has_args) return;
  const any_value d = p.data();
  if (!d.is_array()) return;
  first_ = d.elements().cursor();
  first_.skip_name = has_name;
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_ANY_HPP

// SPDX-License-Identifier: BSL-1.0
// Lazy access to a decoded packet's payload: the event name, each argument, its attachment.
#ifndef SIOCODEC_SOCKETIO_ARGS_HPP
#define SIOCODEC_SOCKETIO_ARGS_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/lazy_range.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// The packet's JSON payload as a json::value (the absent value when there is none). The payload
/// was validated by decode(), so walking it is cheap and safe.
inline json::value payload(const packet_view& p) noexcept {
  return p.data.empty() ? json::value() : json::value::unchecked(p.data);
}

/// The event name of an EVENT or BINARY_EVENT: its first element, a JSON string or number
/// (decode() guarantees one of the two). The absent value for other types. For a packet a
/// decoder delivered this reads packet_view::event_raw and costs no walk.
///
///     if (socketio::event_name(p).string_equals("chat message")) ...
json::value event_name(const packet_view& p) noexcept;

/// When `v` is a binary placeholder of `p` (a binary packet whose attachments have arrived), sets
/// `out` to the attachment it stands for and returns true. Placeholders nested at any depth can
/// be resolved this way while walking the payload.
bool resolve_placeholder(const packet_view& p, const json::value& v, byte_view& out) noexcept;

/// One argument of an EVENT or ACK: its JSON, and for a top-level binary argument the attachment
/// it stands for.
struct argument {
  /// The argument's JSON (for a binary argument: its placeholder object).
  json::value json;
  /// True when the argument is a binary attachment.
  bool is_binary = false;
  /// The attachment's bytes when is_binary (empty until the attachments have arrived).
  byte_view bytes;
};

namespace detail {
// What the argument walk needs of a packet, copied out of it so that ranges and iterators stay
// valid when the packet_view they came from was a temporary (`arguments(*decode(text))`).
struct argument_source {
  const byte_view* attachments = nullptr;
  std::size_t attachment_count = 0;
  bool binary = false;
};
bool resolve_placeholder(const argument_source& s, const json::value& v, byte_view& out) noexcept;
}  // namespace detail

namespace detail {
// Walks the arguments: the Cursor of argument_iterator (see detail/lazy_range.hpp), the payload
// array's cursor with what resolving its placeholders needs.
struct argument_cursor {
  using item = argument;
  static constexpr bool counted = false;
  static constexpr bool walk_size = true;
  argument cur;  // the empty argument at the end
  json::detail::array_cursor elements;
  argument_source src;
  bool skip_name = false;  // an EVENT's arguments start after its name

  const char* position() const noexcept { return elements.position(); }
  void start() noexcept {
    elements.start();
    if (skip_name) elements.next();
    load();
  }
  void next() noexcept {
    elements.next();
    load();
  }
  void load() noexcept {
    cur = argument{elements.cur, false, byte_view()};
    if (src.binary) cur.is_binary = resolve_placeholder(src, cur.json, cur.bytes);
  }
};
}  // namespace detail

/// Forward iterator over the arguments of a packet (stashing); see arguments(). Holds no pointer
/// to the packet_view, only to its payload and attachments.
using argument_iterator = ::SIOCODEC_NAMESPACE::detail::stashing_iterator<detail::argument_cursor>;

/// The arguments of an EVENT / BINARY_EVENT (after the event name) or of an ACK / BINARY_ACK (all
/// elements), for range-for: begin(), end(), empty(), size() (a walk over the payload). Empty for
/// other types. Valid while the packet's text and attachments are (not the packet_view itself,
/// which may be a temporary: `for (auto& a : arguments(*decoder.feed(...)))` is fine while the
/// frames live).
class argument_range : public ::SIOCODEC_NAMESPACE::detail::lazy_range<detail::argument_cursor> {
 public:
  argument_range() noexcept = default;
  explicit argument_range(const packet_view& p) noexcept;
};

/// The packet's arguments: `for (const socketio::argument& a : socketio::arguments(p)) ...`
inline argument_range arguments(const packet_view& p) noexcept { return argument_range(p); }

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

// event_name() for a packet whose name was not noted by a decoder (built or edited by hand).
SIOCODEC_NOINLINE inline json::value find_event_name(const packet_view& p) noexcept {
  // root[0] without its loop: the same bounds (the array's bytes between its brackets, the
  // value trimmed as value::unchecked() trims), so any text gives the same answer.
  const char* b = json::detail::skip_ws(p.data.data(), p.data.data() + p.data.size());
  const char* end = p.data.data() + p.data.size();
  while (end != b && json::detail::is_ws(end[-1])) --end;
  if (end - b < 2 || *b != '[') return json::value();
  --end;  // the closing bracket
  b = json::detail::skip_ws(b + 1, end);
  if (b == end) return json::value();
  // A string (the usual name) is skipped inline; anything else by the general walk.
  const char* e =
      *b == '"' ? json::detail::skip_string(b + 1, end) : json::detail::skip_value(b, end);
  return json::value::unchecked(std::string_view(b, static_cast<std::size_t>(e - b)));
}

}  // namespace detail

inline json::value event_name(const packet_view& p) noexcept {
  if (p.type != packet_type::event && p.type != packet_type::binary_event) return json::value();
  // The decoders noted the name; it is trusted only while it lies strictly inside the payload's
  // brackets (a packet copied and given new data keeps the old name's view). Unsigned offsets:
  // a name before the payload wraps to a huge `off`.
  const auto off = reinterpret_cast<std::uintptr_t>(p.event_raw.data()) -
                   reinterpret_cast<std::uintptr_t>(p.data.data());
  if (!p.event_raw.empty() && off - 1 < p.data.size() && off + p.event_raw.size() < p.data.size()) {
    return json::detail::value_access::token(p.event_raw);
  }
  return detail::find_event_name(p);
}

namespace detail {

// True for a placeholder of a binary packet; `out` gets its attachment when they have arrived.
// The decoder's own test (check_flat_object), so that an object is a placeholder here exactly
// when decode() took it for one: `_placeholder` other than `true` is data in both.
inline bool resolve_placeholder(const argument_source& s, const json::value& v,
                                byte_view& out) noexcept {
  if (!s.binary || !v.is_object()) return false;
  // decode() checked every placeholder of the packet (lax rules are a superset of strict ones).
  if (flat_object_end(v.raw().data(), v.raw().data() + v.raw().size()) == nullptr) return false;
  placeholder_info info;
  // Before the attachments arrive, any num is taken (count unknown to this check: the decoder
  // already held it to the announced count).
  const std::size_t count = s.attachments != nullptr ? s.attachment_count : ~std::size_t{0};
  if (check_flat_object(v, count, true, info) != errc::none || !info.is_placeholder) {
    return false;
  }
  if (s.attachments != nullptr) out = s.attachments[info.num];
  return true;
}

}  // namespace detail

inline bool resolve_placeholder(const packet_view& p, const json::value& v,
                                byte_view& out) noexcept {
  if (p.attachments == nullptr) return false;
  return detail::resolve_placeholder({p.attachments, p.attachment_count, is_binary(p.type)}, v,
                                     out);
}

inline argument_range::argument_range(const packet_view& p) noexcept {
  const json::value root = payload(p);
  if (!root.is_array()) return;
  const bool has_name = p.type == packet_type::event || p.type == packet_type::binary_event;
  const bool has_args = has_name || p.type == packet_type::ack || p.type == packet_type::binary_ack;
  if (!has_args) return;
  first_.elements = root.elements().cursor();
  first_.src = {p.attachments, p.attachment_count, is_binary(p.type)};
  first_.skip_name = has_name;
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_ARGS_HPP

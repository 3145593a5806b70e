// SPDX-License-Identifier: BSL-1.0
// The Engine.IO handshake: the JSON object an open packet carries (protocol.md §1.5).
#ifndef SIOCODEC_ENGINEIO_HANDSHAKE_HPP
#define SIOCODEC_ENGINEIO_HANDSHAKE_HPP

#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/json/write.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

/// Transports a handshake can offer as upgrades (a bit set).
enum transport_bits : std::uint8_t {
  transport_polling = 1,
  transport_websocket = 2,
  transport_webtransport = 4,
};

/// The handshake data of an open packet. As a decode result it is a view into the packet text;
/// to encode, fill it in.
///
/// Wire form, in the reference server's key order:
/// `{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,
///   "pingTimeout":20000,"maxPayload":1000000}`
struct handshake {
  /// The session id, as written between the quotes (never empty, no escapes).
  std::string_view sid;
  /// The transports offered for upgrade (transport_bits). Names siocodec does not know are
  /// ignored when decoding and kept in upgrades_json.
  std::uint8_t upgrades = 0;
  /// Decoded: the raw JSON array of upgrade names. Ignored when encoding.
  std::string_view upgrades_json;
  /// Milliseconds between the server's pings (v4) or the client's (v3).
  std::uint32_t ping_interval = 25000;
  /// Milliseconds to wait for the answer to a ping.
  std::uint32_t ping_timeout = 20000;
  /// Largest payload the server accepts (engine.io >= 6.2; absent from older and v3 servers).
  std::optional<std::uint64_t> max_payload;
};

/// Options of parse_handshake().
struct handshake_options {
  /// Accept any session id that is a non-empty JSON string without escapes, not only one made
  /// of URL-safe characters. A lax caller must percent-encode the sid wherever it builds a URL
  /// (encode_sid()).
  bool lax = false;
};

/// True for the characters a strict session id may hold: RFC 3986's unreserved characters
/// `A-Z a-z 0-9 - . _ ~`, which a URL query carries as they are. The reference's ids are
/// base64id's (`A-Z a-z 0-9 - _`); custom generateId() functions commonly return UUIDs, nanoids
/// or decimal numbers, all within this set.
constexpr bool is_sid_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

/// Parses the handshake JSON (the data of an open packet, after the `0`).
///
/// Strict, as a client can afford to be with the one packet that configures the session: the
/// text must be a JSON object (RFC 8259, UTF-8, at most SIOCODEC_DEFAULT_MAX_JSON_DEPTH levels
/// deep: 128 unless redefined) with
/// - `sid`: a non-empty string without escapes, made of the URL-safe characters of
///   is_sid_char() (the sid travels in URLs: a sid such as `a&transport=websocket` pasted into a
///   query would inject parameters). With opts.lax any other character is accepted too;
///   percent-encode such a sid with encode_sid() before it goes into a URL;
/// - `upgrades`: an array of strings;
/// - `pingInterval`, `pingTimeout`: integers in [1, 2^31 - 1] (JavaScript timers wrap above);
/// - optional `maxPayload`: an integer in [1, 2^53 - 1].
/// Other keys are ignored; when a key repeats, the last one counts (as JSON.parse does).
///
/// Errors: the JSON errors (invalid_json, invalid_json_string, invalid_json_number, invalid_utf8,
/// nesting_too_deep) at their offset; invalid_handshake when the value is not an object (offset
/// 0), a field has the wrong type or range (offset of its value), a strict sid holds a character
/// outside is_sid_char() (offset of that character), or a required field is missing (offset
/// text.size()).
result<handshake> parse_handshake(std::string_view text,
                                  const handshake_options& opts = {}) noexcept;

/// Size of `sid` percent-encoded for a URL query by encode_sid(). Errors: none.
result<std::size_t> encoded_sid_size(std::string_view sid) noexcept;

/// Writes `sid` percent-encoded for a URL query: the is_sid_char() characters as they are,
/// every other byte as `%XX` (uppercase hex, RFC 3986 §2.1), so that no sid can end the
/// parameter or add one. A strict sid comes out unchanged. @return bytes written.
/// Errors: output_too_small (nothing written; offset() is cap).
result<std::size_t> encode_sid_to(char* out, std::size_t cap, std::string_view sid) noexcept;

/// Appends `sid` percent-encoded to `url` (one resize), for instance after `&sid=`:
/// `url += "&sid="; eio::encode_sid(hs.sid, url);`. Errors: none.
template <class Container>
result<std::size_t> encode_sid(std::string_view sid, Container& url);

/// Size of the JSON encode_handshake() writes.
/// Errors: invalid_argument (empty sid, a sid that needs escaping or is not UTF-8, an interval of
/// 0 or above 2^31 - 1, a max_payload of 0 or above 2^53 - 1).
result<std::size_t> handshake_size(const handshake& h) noexcept;

/// Writes the handshake JSON into `out`. Errors: those of handshake_size, output_too_small.
result<std::size_t> encode_handshake_to(char* out, std::size_t cap, const handshake& h) noexcept;

/// Appends the handshake JSON to `out` (one resize). Errors: those of handshake_size.
template <class Container>
result<std::size_t> encode_handshake(const handshake& h, Container& out);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

constexpr std::uint64_t max_timer_ms = 2147483647;            // 2^31 - 1
constexpr std::uint64_t max_safe_integer = 9007199254740991;  // 2^53 - 1

inline bool sid_is_plain(std::string_view sid) noexcept {
  if (sid.empty()) return false;
  for (const char c : sid) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == '"' || u == '\\') return false;
  }
  return ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(sid.data(), sid.size()) == sid.size();
}

template <class W>
errc emit_handshake(W& w, const handshake& h) noexcept {
  if (!sid_is_plain(h.sid)) return errc::invalid_argument;
  if (h.ping_interval == 0 || h.ping_interval > max_timer_ms) return errc::invalid_argument;
  if (h.ping_timeout == 0 || h.ping_timeout > max_timer_ms) return errc::invalid_argument;
  if (h.max_payload && (*h.max_payload == 0 || *h.max_payload > max_safe_integer)) {
    return errc::invalid_argument;
  }
  w.append("{\"sid\":\"", 8);
  w.append(h.sid.data(), h.sid.size());
  w.append("\",\"upgrades\":[", 14);
  bool first = true;
  const auto name = [&](std::uint8_t bit, std::string_view text) {
    if ((h.upgrades & bit) == 0) return;
    if (!first) w.put(',');
    first = false;
    w.put('"');
    w.append(text.data(), text.size());
    w.put('"');
  };
  name(transport_polling, "polling");
  name(transport_websocket, "websocket");
  name(transport_webtransport, "webtransport");
  w.append("],\"pingInterval\":", 17);
  json::emit_uint(w, h.ping_interval);
  w.append(",\"pingTimeout\":", 15);
  json::emit_uint(w, h.ping_timeout);
  if (h.max_payload) {
    w.append(",\"maxPayload\":", 14);
    json::emit_uint(w, *h.max_payload);
  }
  w.put('}');
  return errc::none;
}

template <class W>
errc emit_sid(W& w, std::string_view sid) noexcept {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const char c : sid) {
    if (is_sid_char(c)) {
      w.put(c);
    } else {
      const auto u = static_cast<unsigned char>(c);
      w.put('%');
      w.put(hex[u >> 4]);
      w.put(hex[u & 0xF]);
    }
  }
  return errc::none;
}

// An integer field in [lo, hi], written without fraction or exponent.
inline bool read_bounded(const json::value& v, std::uint64_t lo, std::uint64_t hi,
                         std::uint64_t& out) noexcept {
  if (!v.is_number() || !v.is_integer()) return false;
  auto n = v.to_uint64();
  if (!n || *n < lo || *n > hi) return false;
  out = *n;
  return true;
}

}  // namespace detail

inline result<handshake> parse_handshake(std::string_view text,
                                         const handshake_options& opts) noexcept {
#if SIOCODEC_PARSERS == 2
  auto root = json::parse(text);
  if (!root) return {root.error(), root.offset()};
#else
  // json::parse() with the validator instance the default parser's decoder calls (it also
  // notes the top-level value, which is not needed here): the same results, and a client links
  // one copy of the validator instead of two, 1 KB of flash on Cortex-M4. A msgpack-only client
  // shares json::parse()'s with its auth transcoding.
  json::detail::text_info info;
  const result<json::kind> valid = json::detail::validate_text<true>(text, json::options{}, &info);
  if (!valid) return {valid.error(), valid.offset()};
  const result<json::value> root{json::value::unchecked(text), text.size()};
#endif
  if (!root->is_object()) return {errc::invalid_handshake, 0};
  const auto offset_of = [&text](const json::value& v) {
    return static_cast<std::size_t>(v.raw().data() - text.data());
  };
  // The keys and the upgrade names are looked up in tables, one comparison call each, rather
  // than one inlined comparison per name: 1 KB less flash on Cortex-M4 (docs/embedded.md).
  // Each key by find(), the lookup a client links for its events' arguments anyway (the last
  // occurrence wins, as a walk over the members keeping the last match did), rather than a
  // member walk of its own: five walks of a short object, once per session.
  enum { sid, upgrades, interval, timeout, max_payload, n_keys };
  static constexpr std::string_view keys[n_keys] = {"sid", "upgrades", "pingInterval",
                                                    "pingTimeout", "maxPayload"};
  json::value f[n_keys];
  for (int k = 0; k < n_keys; ++k) (void)root->find(keys[k], f[k]);
  for (int k = 0; k < max_payload; ++k) {
    if (!f[k].exists()) return {errc::invalid_handshake, text.size()};
  }
  handshake h;
  if (!f[sid].is_string() || f[sid].has_escapes() || f[sid].string_raw().empty()) {
    return {errc::invalid_handshake, offset_of(f[sid])};
  }
  h.sid = f[sid].string_raw();
  if (!opts.lax) {
    for (std::size_t i = 0; i < h.sid.size(); ++i) {
      if (!is_sid_char(h.sid[i])) return {errc::invalid_handshake, offset_of(f[sid]) + 1 + i};
    }
  }
  if (!f[upgrades].is_array()) return {errc::invalid_handshake, offset_of(f[upgrades])};
  static constexpr std::string_view names[] = {"polling", "websocket", "webtransport"};
  for (const json::value& name : f[upgrades].elements()) {
    if (!name.is_string()) return {errc::invalid_handshake, offset_of(name)};
    for (int t = 0; t < 3; ++t) {
      if (name.string_equals(names[t])) h.upgrades |= static_cast<std::uint8_t>(1u << t);
    }
  }
  h.upgrades_json = f[upgrades].raw();
  // pingInterval, pingTimeout, then maxPayload if present, in that order of errors.
  std::uint64_t n[n_keys] = {};
  for (int k = interval; k < n_keys; ++k) {
    if (k == max_payload && !f[k].exists()) break;
    const std::uint64_t hi = k == max_payload ? detail::max_safe_integer : detail::max_timer_ms;
    if (!detail::read_bounded(f[k], 1, hi, n[k])) return {errc::invalid_handshake, offset_of(f[k])};
  }
  h.ping_interval = static_cast<std::uint32_t>(n[interval]);
  h.ping_timeout = static_cast<std::uint32_t>(n[timeout]);
  if (f[max_payload].exists()) h.max_payload = n[max_payload];
  return {h, text.size()};
}

inline result<std::size_t> handshake_size(const handshake& h) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::measure(
      [&](auto& w) { return detail::emit_handshake(w, h); });
}

inline result<std::size_t> encode_handshake_to(char* out, std::size_t cap,
                                               const handshake& h) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::write_bounded(
      out, cap, [&](auto& w) { return detail::emit_handshake(w, h); });
}

template <class Container>
result<std::size_t> encode_handshake(const handshake& h, Container& out) {
  return ::SIOCODEC_NAMESPACE::detail::write_append(
      out, [&](auto& w) { return detail::emit_handshake(w, h); });
}

inline result<std::size_t> encoded_sid_size(std::string_view sid) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::measure([&](auto& w) { return detail::emit_sid(w, sid); });
}

inline result<std::size_t> encode_sid_to(char* out, std::size_t cap,
                                         std::string_view sid) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::write_bounded(
      out, cap, [&](auto& w) { return detail::emit_sid(w, sid); });
}

template <class Container>
result<std::size_t> encode_sid(std::string_view sid, Container& url) {
  return ::SIOCODEC_NAMESPACE::detail::write_append(
      url, [&](auto& w) { return detail::emit_sid(w, sid); });
}

}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_HANDSHAKE_HPP

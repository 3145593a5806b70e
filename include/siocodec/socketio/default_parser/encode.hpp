// SPDX-License-Identifier: BSL-1.0
// Encoding Socket.IO packets: the text form of a packet_view, and packets built from C++ values.
#ifndef SIOCODEC_SOCKETIO_ENCODE_HPP
#define SIOCODEC_SOCKETIO_ENCODE_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/sink.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/write.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>
#include <siocodec/socketio/arg_traits.hpp>
#include <siocodec/socketio/builders.hpp>
#include <siocodec/socketio/default_parser/args_writer.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

// What the encoders write (protocol.md §2.2), the same for protocol v5 and v4:
//
//   packet = type [ attachments "-" ] [ nsp [ "?" query ] "," ] [ ack-id ] [ json ]
//
// `attachments` only for BINARY_EVENT / BINARY_ACK; the nsp part only when the namespace is not
// the main one ("" or "/"); the query only on a CONNECT (protocol v4 carries the CONNECT's auth
// there: `0/admin?token=1,`).
//
// Two ways in:
// - encode(packet_view): the header fields plus `data`, raw JSON the caller already has;
// - encode(builder): a packet built from C++ values by event(), ack(), connect(), disconnect()
//   or connect_error(), whose JSON is written here, binary values becoming placeholders:
//
//       sio::attachment_list<4> atts;
//       std::string text;
//       auto r = sio::encode(sio::event("chat", "hello", buffer).nsp("/room"), text, atts);
//       // text == R"(51-/room,["chat","hello",{"_placeholder":true,"num":0}])", atts[0] == buffer
//
// Builders are written in one pass into a stack buffer (SIOCODEC_ONE_PASS_BUFFER, 2 KiB): the
// header is first written for no attachments, and when binary values turn up the rest of the text
// is moved right to make room for `<count>-`. Once the packet is complete and valid, the text is
// copied to the caller's buffer, or to a container grown exactly once; a longer text is measured
// by that pass and written by a second. Nothing is allocated, unless the containers do.

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

// ---------------------------------------------------------------------------------------------
// packet_view: raw JSON data
// ---------------------------------------------------------------------------------------------

/// Exact size of the text encode() writes for `p`: the type digit, `<attachment_count>-` for
/// binary types, `<nsp>,` unless the namespace is "" or "/", the ack id if present, then `data`.
///
/// `data` is raw JSON written verbatim: it is trusted, not re-validated (that would cost a full
/// JSON scan on the hot path; json::validate() exists for callers who want it). It must be one
/// JSON value in the shape the packet type requires, with one placeholder per attachment for
/// binary types. Only its first byte is looked at. `p.attachments` is not used (the text holds
/// the count only). The output does not depend on opts.version.
///
/// Errors (offset 0):
/// - invalid_argument: `p.type` is not 0-6; a BINARY_EVENT / BINARY_ACK with attachment_count 0,
///   or another type with attachment_count != 0; a namespace other than "" and "/" that does not
///   start with '/' or that contains ',' (the reference writes such a namespace verbatim and the
///   packet cannot be decoded: `2admin,["a"]`); `data` starting with a digit (it would be read
///   back as the ack id) or with JSON whitespace (not the first byte of a JSON value; the
///   reference reads it back as an ack id of 0).
/// - too_many_attachments: attachment_count > opts.max_attachments.
/// - invalid_utf8: the namespace is not valid UTF-8.
result<std::size_t> encoded_size(const packet_view& p, const encode_options& opts = {}) noexcept;

/// Writes the text of `p` into `out` (at most `cap` bytes). @return bytes written.
/// Errors: those of encoded_size(), and output_too_small (nothing written; offset() is cap).
result<std::size_t> encode_to(char* out, std::size_t cap, const packet_view& p,
                              const encode_options& opts = {}) noexcept;

/// encode_to into a fixed array.
template <std::size_t N>
result<std::size_t> encode_to(char (&out)[N], const packet_view& p,
                              const encode_options& opts = {}) noexcept {
  return encode_to(out, N, p, opts);
}

/// Appends the text of `p` to `out` (any resizable byte container; exactly one resize, none on
/// error). Errors: those of encoded_size().
template <class Container>
result<std::size_t> encode(const packet_view& p, Container& out, const encode_options& opts = {});

// ---------------------------------------------------------------------------------------------
// Packet builders
// ---------------------------------------------------------------------------------------------

/// Exact size of the text encode() writes for builder `b`. Runs the value callbacks once.
/// @return the size.
/// Errors (offset 0):
/// - those of args_writer and of the builder function that made `b`;
/// - invalid_argument, invalid_utf8: a bad namespace, as for a packet_view; a query on a packet
///   that is not a CONNECT, or one containing ',' (it would end the namespace).
/// - too_many_attachments: more binary values than opts.max_attachments.
template <class B, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encoded_size(const B& b, const encode_options& opts = {});

/// Writes the text of `b` into `out` (at most `cap` bytes) and appends the views of its binary
/// values to `attachments` (in placeholder order; views of the caller's bytes, nothing copied).
/// One pass for a text of up to SIOCODEC_ONE_PASS_BUFFER bytes (2 KiB): the value callbacks run
/// once, writing into a buffer of the encoder's own, which is copied to `out` once the packet is
/// complete and valid. A longer text, or a packet with more than 16 binary values (which needs a
/// raised max_attachments), gets a second, writing run straight into `out`. No allocation unless
/// `attachments` allocates (attachment_list never does).
/// @return bytes written.
/// Errors: those of encoded_size() (they take precedence over output_too_small: the packet is
/// visited to its end even when the buffer is full), output_too_small (cap too small; offset()
/// is cap), too_many_attachments (also when `attachments` cannot hold them all),
/// invalid_argument (in a second run: a callback wrote something else than in its first). On
/// any error nothing is written to `out` (not even below cap) and `attachments` keeps its old
/// size; the one exception is that second-run invalid_argument, after which the first
/// encoded_size() bytes of `out` are unspecified.
template <class B, class A,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int> = 0>
result<std::size_t> encode_to(char* out, std::size_t cap, const B& b, A& attachments,
                              const encode_options& opts = {});

/// encode_to for a packet without binary values (one would be too_many_attachments).
template <class B, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encode_to(char* out, std::size_t cap, const B& b,
                              const encode_options& opts = {});

/// Appends the text of `b` to `out` (one resize) and its attachment views to `attachments`.
/// Like encode_to(): one run of the value callbacks for a text of up to SIOCODEC_ONE_PASS_BUFFER
/// bytes and 16 binary values, then one resize and a copy; a longer text, a second, writing run
/// straight into the container (see args_writer).
/// Errors: those of encode_to() but output_too_small, and invalid_argument when a callback
/// wrote something else in its second run. On error both containers keep their old size.
template <class B, class Container, class A,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int> = 0>
result<std::size_t> encode(const B& b, Container& out, A& attachments,
                           const encode_options& opts = {});

/// encode for a packet without binary values (one would be too_many_attachments).
template <class B, class Container, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encode(const B& b, Container& out, const encode_options& opts = {});

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

inline bool is_main_nsp(std::string_view nsp) noexcept { return nsp.empty() || nsp == "/"; }

inline errc check_header(packet_type type, std::size_t attachments, std::string_view nsp,
                         std::string_view query, const encode_options& opts) noexcept {
  if (!is_valid(type)) return errc::invalid_argument;
  if (is_binary(type)) {
    if (attachments == 0) return errc::invalid_argument;
    if (attachments > opts.max_attachments) return errc::too_many_attachments;
  } else if (attachments != 0) {
    return errc::invalid_argument;
  }
  if (!is_main_nsp(nsp)) {
    // The decoder only sees a namespace that starts with '/', and ends it at the first ','.
    if (nsp.front() != '/' || nsp.find(',') != std::string_view::npos) {
      return errc::invalid_argument;
    }
    if (::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(nsp.data(), nsp.size()) != nsp.size()) {
      return errc::invalid_utf8;
    }
  }
  if (!query.empty()) {
    if (type != packet_type::connect || query.find(',') != std::string_view::npos) {
      return errc::invalid_argument;
    }
    if (::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(query.data(), query.size()) !=
        query.size()) {
      return errc::invalid_utf8;
    }
  }
  return errc::none;
}

template <class W>
void emit_header(W& w, packet_type type, std::size_t attachments, std::string_view nsp,
                 std::string_view query, const std::optional<std::uint64_t>& id) noexcept {
  w.put(static_cast<char>('0' + static_cast<std::uint8_t>(type)));
  if (is_binary(type)) {
    json::emit_uint(w, attachments);
    w.put('-');
  }
  if (!query.empty()) {
    if (is_main_nsp(nsp)) {
      w.put('/');
    } else {
      w.append(nsp.data(), nsp.size());
    }
    w.put('?');
    w.append(query.data(), query.size());
    w.put(',');
  } else if (!is_main_nsp(nsp)) {
    w.append(nsp.data(), nsp.size());
    w.put(',');
  }
  if (id) json::emit_uint(w, *id);
}

template <class W>
errc emit_packet(W& w, const packet_view& p, const encode_options& opts) noexcept {
  if (W::counting) {
    const errc e = check_header(p.type, p.attachment_count, p.nsp, {}, opts);
    if (e != errc::none) return e;
    // A leading digit would be read back as (part of) the ack id; leading whitespace is what
    // the reference's Number() also takes for an ack id.
    if (!p.data.empty() &&
        ((p.data.front() >= '0' && p.data.front() <= '9') || json::detail::is_ws(p.data.front()))) {
      return errc::invalid_argument;
    }
  }
  emit_header(w, p.type, p.attachment_count, p.nsp, {}, p.id);
  w.append(p.data.data(), p.data.size());
  return errc::none;
}

}  // namespace detail

// --- packet_view ------------------------------------------------------------------------------

inline result<std::size_t> encoded_size(const packet_view& p, const encode_options& opts) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::measure(
      [&](auto& w) { return detail::emit_packet(w, p, opts); });
}

inline result<std::size_t> encode_to(char* out, std::size_t cap, const packet_view& p,
                                     const encode_options& opts) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::write_bounded(
      out, cap, [&](auto& w) { return detail::emit_packet(w, p, opts); });
}

template <class Container>
result<std::size_t> encode(const packet_view& p, Container& out, const encode_options& opts) {
  return ::SIOCODEC_NAMESPACE::detail::write_append(
      out, [&](auto& w) { return detail::emit_packet(w, p, opts); });
}

// --- builders ---------------------------------------------------------------------------------

namespace detail {

// What the measuring pass of a builder found.
struct text_plan {
  packet_type type = packet_type::event;  // as written: EVENT / ACK promoted when binary
  std::size_t attachments = 0;
  std::size_t bytes = 0;
  // With tracking (frames.hpp): the text's UTF-16 length, validity, separator, and the summed
  // framed size of the attachments.
  std::size_t utf16 = 0;
  bool bad_utf8 = false;
  bool has_separator = false;
  std::size_t attachment_cost = 0;
};

// Each Data kind: checks before writing (here), writes its one top-level value or none
// (builders.hpp), checks after (here).
template <class... A>
errc check_data(const event_data<A...>& d, const encode_options& o) noexcept {
  if (o.version == protocol_version::v5 && is_reserved_event_name(d.name)) {
    return errc::reserved_event_name;
  }
  return errc::none;
}
template <class D>
errc check_data(const D&, const encode_options&) noexcept {
  return errc::none;
}

template <class V>
errc check_written(const auth_data<V>&, bool has_value, json::kind k,
                   const encode_options& o) noexcept {
  if (!has_value) return errc::none;
  // v4 CONNECT packets carry no payload: auth travels in the namespace's query string.
  if (o.version == protocol_version::v4) return errc::invalid_argument;
  return k == json::kind::object ? errc::none : errc::invalid_argument;
}
template <class... D>
errc check_written(const error_data<D...>&, bool, json::kind k, const encode_options& o) noexcept {
  // The v4 decoder takes a string or any JSON object/array/null for ERROR, nothing else.
  if (o.version == protocol_version::v4 && (k == json::kind::number || k == json::kind::boolean)) {
    return errc::invalid_argument;
  }
  return errc::none;
}
template <class D>
errc check_written(const D&, bool, json::kind, const encode_options&) noexcept {
  return errc::none;
}

// Runs the builder's callbacks through `w`, then the checks both the measuring pass and the
// one-pass writer make, in the same order: the writer's own errors, the data kind's, then the
// header's. `type` becomes the type as written (promoted when there were binary values).
template <class B>
errc write_and_check(const B& b, const encode_options& o, args_writer& w, packet_type& type) {
  write_data(w, b.data());
  errc e = args_access::finish(w);
  if (e != errc::none) return e;
  e = check_written(b.data(), args_access::has_value(w), args_access::top_kind(w), o);
  if (e != errc::none) return e;
  const std::size_t n = w.attachment_count();
  type = n != 0 ? promoted(b.type()) : b.type();
  return check_header(type, n, b.nsp(), b.query(), o);
}

// The measuring pass. With `track`, the plan also gets what frames.hpp needs.
template <class B>
errc plan_builder(const B& b, const encode_options& o, bool track, text_plan& plan,
                  std::size_t (*cost)(byte_view, const void*) noexcept = nullptr,
                  const void* cost_ctx = nullptr) {
  using Data = typename B::data_type;
  errc e = check_data(b.data(), o);
  if (e != errc::none) return e;
  json_sink json_count;
  json_count.track = track;
  args_writer w = args_access::make(&json_count, nullptr, 0, false, o, Data::allows_binary);
  if (cost != nullptr) args_access::set_cost(w, cost, cost_ctx);
  packet_type type = b.type();
  e = write_and_check(b, o, w, type);
  if (e != errc::none) return e;
  const std::size_t n = w.attachment_count();
  text_counter head;
  head.track = track;
  emit_header(head, type, n, b.nsp(), b.query(), b.id());
  plan.type = type;
  plan.attachments = n;
  plan.bytes = head.n + json_count.extra;
  if (json_count.overflow || plan.bytes < head.n) return errc::invalid_argument;
  plan.utf16 = head.utf16 + json_count.utf16;
  plan.bad_utf8 = head.bad_utf8 || json_count.bad_utf8;
  plan.has_separator = head.has_separator || json_count.has_separator;
  plan.attachment_cost = args_access::cost(w);
  return errc::none;
}

// The writing pass: exactly plan.bytes at `out`, the attachment views at `atts`.
template <class B>
errc write_builder(const B& b, const encode_options& o, const text_plan& plan, char* out,
                   byte_view* atts) {
  using Data = typename B::data_type;
  json_sink cw;
  cw.p = out;
  cw.end = out + plan.bytes;
  emit_header(cw, plan.type, plan.attachments, b.nsp(), b.query(), b.id());
  args_writer w = args_access::make(&cw, atts, plan.attachments, true, o, Data::allows_binary);
  write_data(w, b.data());
  const errc e = args_access::finish(w);
  if (e != errc::none) return e;
  if (cw.extra != 0 || cw.p != out + plan.bytes || w.attachment_count() != plan.attachments) {
    return errc::invalid_argument;
  }
  return errc::none;
}

// Attachment views a one-pass encode keeps on the stack before they go to the caller's
// container (whose size must not change unless the whole encode succeeds). A packet with more
// binary values (only possible with a raised max_attachments) gets a second, writing pass.
constexpr std::size_t once_attachments = 16;

// Uninitialized room for those views (one_pass constructs each one it stores): zeroing 256
// bytes would be a tenth of the cost of encoding a small event.
// (Trivially copyable implies a trivial destructor, so nothing is left to destroy either.)
static_assert(std::is_trivially_copyable<byte_view>::value,
              "once_slots holds byte_views in raw storage");
struct once_slots {
  alignas(byte_view) unsigned char raw[once_attachments * sizeof(byte_view)];
  byte_view* get() noexcept { return reinterpret_cast<byte_view*>(raw); }
};

// A one-pass encode writes its text here, not into the caller's buffer, and copies it there only
// once it is complete and valid: a failure (a callback's error, a buffer too small) must leave
// the caller's bytes as they were. Short texts, the common case, cost one copy; a longer one is
// measured by the first run and written into the caller's buffer by a second. Not initialized:
// one_pass writes before anything is read. Its size: SIOCODEC_ONE_PASS_BUFFER (config.hpp).
constexpr std::size_t once_text = SIOCODEC_ONE_PASS_BUFFER;
static_assert(once_text >= 1, "SIOCODEC_ONE_PASS_BUFFER must be at least 1");
struct once_text_buffer {
  char raw[once_text];
};

// Copies a one-pass text (1 <= n <= once_text) out of the once_text_buffer. Up to 64 bytes,
// the usual size of a small event, overlapping fixed-size copies compile to a few loads and
// stores, fewer instructions than a call to memcpy (the w1 encode budget; a case for 65-128
// bytes cost w2 and w5 more than it saved).
// g++ 12 at -O3 loses the caller's `n <= cap` check once this is inlined into a call with a small
// fixed array as `out`, and warns (-Warray-bounds) that the memcpy of the n > 64 branch would
// overrun it; the pragma silences that false positive here only (it follows the inlining).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
SIOCODEC_ALWAYS_INLINE void copy_text(char* dst, const char* src, std::size_t n) noexcept {
  if (n > 16 && n <= 32) {
    std::memcpy(dst, src, 16);
    std::memcpy(dst + n - 16, src + n - 16, 16);
  } else if (n > 32 && n <= 64) {
    std::memcpy(dst, src, 32);
    std::memcpy(dst + n - 32, src + n - 32, 32);
  } else {
    json::detail::copy_short(dst, src, n);  // up to 16 bytes inline, else memcpy
  }
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// What one_pass found: the plan of the text (bytes: its full size, written or not) and whether
// all of it is at `out`.
struct once_plan {
  text_plan text;
  bool written = false;
};

// Writes the text of `b` into out[0, room) with one run of the callbacks, and validates it as
// plan_builder does, in the same order. The header is written for no attachments; when binary
// values turn up, the rest is moved right to make room for `<count>-` and the type is
// promoted. With `separator_check` (Engine.IO v4 polling), a text holding 0x1E is an error.
template <class B>
errc one_pass(const B& b, const encode_options& o, char* out, std::size_t room, byte_view* atts,
              bool separator_check, once_plan& plan,
              std::size_t (*cost)(byte_view, const void*) noexcept = nullptr,
              const void* cost_ctx = nullptr) {
  using Data = typename B::data_type;
  errc e = check_data(b.data(), o);
  if (e != errc::none) return e;
  json_sink s;
  s.p = out;
  s.end = out + room;
  s.track = separator_check;
  emit_header(s, b.type(), 0, b.nsp(), b.query(), b.id());
  args_writer w = args_access::make(&s, atts, once_attachments, false, o, Data::allows_binary);
  if (cost != nullptr) args_access::set_cost(w, cost, cost_ctx);
  packet_type type = b.type();
  e = write_and_check(b, o, w, type);
  if (e != errc::none) return e;
  const std::size_t n = w.attachment_count();
  const std::size_t written = static_cast<std::size_t>(s.p - out);
  const std::size_t grow =
      n != 0 ? static_cast<std::size_t>(json::detail::decimal_digits(n)) + 1 : 0;
  std::size_t bytes = written + s.extra;
  if (s.overflow || bytes < written || bytes + grow < bytes) return errc::invalid_argument;
  bytes += grow;
  if (separator_check &&
      (s.has_separator || (written != 0 && std::memchr(out, 0x1E, written) != nullptr))) {
    return errc::invalid_argument;
  }
  plan.text.type = type;
  plan.text.attachments = n;
  plan.text.bytes = bytes;
  plan.text.attachment_cost = args_access::cost(w);
  plan.written = s.extra == 0 && bytes <= room;
  if (plan.written && grow != 0) {
    // written >= 1: the type digit is always there.
    std::memmove(out + 1 + grow, out + 1, written - 1);
    json_sink head;
    head.p = out;
    head.end = out + 1 + grow;
    emit_header(head, type, n, {}, {}, std::nullopt);
  }
  return errc::none;
}

// Storage for packets that carry no attachments.
struct no_attachments {
  using value_type = byte_view;
  byte_view* data() noexcept { return nullptr; }
  std::size_t size() const noexcept { return 0; }
  static constexpr std::size_t max_size() noexcept { return 0; }
  void resize(std::size_t) noexcept {}
};

// Makes room for n more attachment views. Returns the first slot, or null when there is none.
template <class A>
byte_view* grow_attachments(A& atts, std::size_t n, errc& e) {
  const std::size_t old = atts.size();
  if (n > atts.max_size() - old) {
    e = errc::too_many_attachments;
    return nullptr;
  }
  if (n == 0) return nullptr;
  atts.resize(old + n);
  return atts.data() + old;
}

// The one-pass encode behind encode_to() and encode(): one run of the callbacks into the stack
// buffer (one_pass) and, when the text fit, one copy to where `place(bytes)` says it goes; a
// longer text, or more attachments than the stack keeps, gets a writing run straight there.
// `place` returns null for errc::output_too_small (a caller buffer too small) and `unplace`
// undoes it after a failed second run, so that on any error the caller's output and
// attachments keep their sizes. Attachments are checked after `place`, as encode_to() always did
// (output_too_small takes precedence); `check_first` checks them before, for a container, which
// must not grow at all on error.
template <class B, class A, class Place, class Unplace>
SIOCODEC_ALWAYS_INLINE result<std::size_t> encode_once(const B& b, A& attachments,
                                                       const encode_options& opts, std::size_t room,
                                                       bool check_first, Place&& place,
                                                       Unplace&& unplace) {
  once_slots slots_raw;
  byte_view* const local = slots_raw.get();
  once_text_buffer text;
  once_plan plan;
  errc e = one_pass(b, opts, text.raw, room < once_text ? room : once_text, local, false, plan);
  if (e != errc::none) return {e, 0};
  const std::size_t bytes = plan.text.bytes;
  const std::size_t n = plan.text.attachments;
  const std::size_t old_atts = attachments.size();
  if (check_first && n > attachments.max_size() - old_atts) return {errc::too_many_attachments, 0};
  char* const out = place(bytes);
  if (out == nullptr) return {errc::output_too_small, room};
  byte_view* slots = grow_attachments(attachments, n, e);
  if (e != errc::none) return {e, 0};
  if (plan.written && n <= once_attachments) {
    copy_text(out, text.raw, bytes);
    // Byte copy of raw storage (byte_view is trivially copyable): one_pass constructed these n
    // views, which the compiler cannot follow through the argument writer; an element-wise copy
    // reads them as byte_view objects and g++ 12 -O1 reports -Wmaybe-uninitialized on slots_raw.
    // grow_attachments gives a slot exactly when n != 0; testing the slot rather than n lets
    // the compiler see that no_attachments (never a slot) copies nothing (else -Wnonnull).
    if (slots != nullptr) std::memcpy(static_cast<void*>(slots), local, n * sizeof(byte_view));
  } else {
    e = write_builder(b, opts, plan.text, out, slots);
    if (e != errc::none) {
      unplace();
      attachments.resize(old_atts);
      return {e, 0};
    }
  }
  return {bytes, bytes};
}

}  // namespace detail

template <class B, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encoded_size(const B& b, const encode_options& opts) {
  detail::text_plan plan;
  const errc e = detail::plan_builder(b, opts, false, plan);
  if (e != errc::none) return {e, 0};
  return {plan.bytes, plan.bytes};
}

template <class B, class A,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int>>
result<std::size_t> encode_to(char* out, std::size_t cap, const B& b, A& attachments,
                              const encode_options& opts) {
  return detail::encode_once(
      b, attachments, opts, cap, false,
      [&](std::size_t bytes) { return bytes <= cap ? out : static_cast<char*>(nullptr); }, [] {});
}

template <class B, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encode_to(char* out, std::size_t cap, const B& b, const encode_options& opts) {
  detail::no_attachments none;
  return encode_to(out, cap, b, none, opts);
}

template <class B, class Container, class A,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int>>
result<std::size_t> encode(const B& b, Container& out, A& attachments, const encode_options& opts) {
  static_assert(is_resizable_buffer<Container>::value,
                "encode() needs a resizable container of one-byte elements");
  const std::size_t old = out.size();
  return detail::encode_once(
      b, attachments, opts, detail::once_text, true,
      [&](std::size_t bytes) {
        out.resize(old + bytes);  // the one allocation
        return reinterpret_cast<char*>(out.data()) + old;
      },
      [&] { out.resize(old); });
}

template <class B, class Container, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encode(const B& b, Container& out, const encode_options& opts) {
  detail::no_attachments none;
  return encode(b, out, none, opts);
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_ENCODE_HPP

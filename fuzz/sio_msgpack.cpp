// SPDX-License-Identifier: BSL-1.0
// The msgpack parser (socketio/msgpack_parser/): msgpack_parser::decode over binary messages and
// msgpack_parser::decode_text over the JSON text messages of protocol v4, strict and lax. What
// decodes satisfies the documented rules (fields inside the message, type range, namespace limit,
// data kind per type), its arguments walk safely, and it round-trips: encoded_size == encode_to ==
// encode, the message decodes back to the same type, namespace, id and payload bytes, and
// encoding that again gives the same bytes.
//
// Input: byte 0 chooses (bit 0 protocol v4, bit 1 lax with allow_invalid_utf8, as
// siocodec-inspect --lax sets them, bit 2 small limits: max_namespace 8,
// max_ack_id 1000, max_depth 4; bit 3 a text message); the rest is the message.
#include "common.hpp"

#include <siocodec/detail/utf8.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/socketio.hpp>
#include <siocodec/utf8.hpp>

#include <string>

namespace sio = siocodec::socketio;
namespace mp = siocodec::msgpack;
namespace json = siocodec::json;
using siocodec::byte_view;
using siocodec::errc;

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return siocodec_fuzz::within(part, whole);
}

void check_text(std::string_view text, const sio::decode_options& o) {
  const auto r = sio::msgpack_parser::decode_text(text, o);
  if (o.version == sio::protocol_version::v5) {
    FUZZ_CHECK(r.error() == errc::unexpected_text_frame && r.offset() == 0);
    return;
  }
  if (!r) {
    FUZZ_CHECK(r.offset() <= text.size());
    return;
  }
  FUZZ_CHECK(r.offset() == text.size());
  FUZZ_CHECK(sio::is_valid(r->type) && r->attachment_count == 0);
  FUZZ_CHECK(r->nsp.size() <= o.max_namespace);
  FUZZ_CHECK(r->nsp == "/" || inside(r->nsp, text));
  FUZZ_CHECK(r->data.empty() || inside(r->data, text));
  if (r->id) FUZZ_CHECK(*r->id <= o.max_ack_id);
  FUZZ_CHECK(o.allow_invalid_utf8 || !r->has_invalid_utf8);
  if (!r->data.empty()) {
    json::options jo;
    jo.max_depth = o.max_depth;
    // allow_invalid_utf8: the U+FFFD form is what the reference parsed.
    std::string lossy;
    (void)siocodec::utf8::lossy(r->data, lossy);
    FUZZ_CHECK(json::validate(lossy, jo).has_value());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t sel = data[0];
  const siocodec_fuzz::exact_bytes message(data + 1, size - 1);
  sio::decode_options o;
  o.version = (sel & 1) != 0 ? sio::protocol_version::v4 : sio::protocol_version::v5;
  o.lax = (sel & 2) != 0;
  o.allow_invalid_utf8 = o.lax;
  if ((sel & 4) != 0) {
    o.max_namespace = 8;
    o.max_ack_id = 1000;
    o.max_depth = 4;
  }
  if ((sel & 8) != 0) {
    check_text(message.view(), o);
    return 0;
  }
  const byte_view bytes(message.data(), message.size());
  const auto r = sio::msgpack_parser::decode(bytes, o);
  if (!r) {
    FUZZ_CHECK(r.offset() <= message.size());
    return 0;
  }
  FUZZ_CHECK(r.offset() == message.size());
  const sio::msgpack_packet_view& p = *r;
  const std::uint8_t top = o.version == sio::protocol_version::v4 ? 6 : 4;
  FUZZ_CHECK(static_cast<std::uint8_t>(p.type) <= top);
  FUZZ_CHECK(p.nsp.size() <= o.max_namespace && inside(p.nsp, message.view()));
  if (p.id) FUZZ_CHECK(*p.id <= o.max_ack_id);
  if (p.data.exists()) {
    FUZZ_CHECK(siocodec_fuzz::within(p.data.raw().as_chars(), message.view()));
  }
  if (p.has_data()) {
    switch (p.type) {
      case sio::packet_type::connect: FUZZ_CHECK(p.data.is_map()); break;
      case sio::packet_type::disconnect: FUZZ_CHECK(false); break;
      case sio::packet_type::connect_error:
        FUZZ_CHECK(p.data.is_string() ||
                   (o.version == sio::protocol_version::v5 && p.data.is_map()));
        break;
      default: FUZZ_CHECK(p.data.is_array()); break;
    }
  }
  // Arguments: the array's elements after the event name.
  const auto args = sio::arguments(p);
  std::size_t count = 0;
  for (const mp::value& a : args) {
    FUZZ_CHECK(siocodec_fuzz::within(a.raw().as_chars(), message.view()));
    ++count;
  }
  FUZZ_CHECK(count == args.size() && args.empty() == (count == 0));
  const mp::value name = sio::event_name(p);
  if (name.exists()) FUZZ_CHECK(p.data.is_array() && name.raw().data() == p.data[0].raw().data());

  // Round trip.
  sio::encode_options eo;
  eo.version = o.version;
  std::string out;
  const bool ok = siocodec_fuzz::three_forms(
      [&] { return sio::encoded_size(p, eo); },
      [&](char* b, std::size_t cap) { return sio::encode_to(b, cap, p, eo); },
      [&](std::string& s) { return sio::encode(p, s, eo); }, out);
  bool escaped = false;  // a namespace JSON.stringify would have to escape
  for (const char c : p.nsp) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) escaped = true;
  }
  const bool as_text = sio::encoded_frame_kind(p, eo) == siocodec::engineio::frame_kind::text;
  if (!ok) {
    const errc e = sio::encoded_size(p, eo).error();
    if (e == errc::invalid_argument) {
      // The v4 JSON text form (CONNECT / DISCONNECT / ERROR) refuses a namespace that needs
      // escaping, which msgpack_parser::decode_text() could not read back. msgpack_parser::decode()
      // accepts it.
      FUZZ_CHECK(as_text && escaped);
      return 0;
    }
    // Otherwise only strings that allow_invalid_utf8 let through cannot be written back: the
    // namespace, or (v4 CONNECT/DISCONNECT/ERROR, written as JSON text) a string payload.
    FUZZ_CHECK(e == errc::invalid_utf8 && o.allow_invalid_utf8 && p.has_invalid_utf8);
    const bool nsp_bad =
        siocodec::detail::utf8_find_invalid(p.nsp.data(), p.nsp.size()) != p.nsp.size();
    const std::string_view s = p.data.get_string();
    const bool data_bad =
        as_text && siocodec::detail::utf8_find_invalid(s.data(), s.size()) != s.size();
    FUZZ_CHECK(nsp_bad || data_bad);
    return 0;
  }
  const siocodec_fuzz::exact_bytes encoded(out);
  if (as_text) {
    const auto t = sio::msgpack_parser::decode_text(encoded.view(), o);
    FUZZ_CHECK(!escaped);
    FUZZ_CHECK(t.has_value());
    FUZZ_CHECK(t->type == p.type && t->nsp == p.nsp && t->id == p.id);
    FUZZ_CHECK(t->data.empty() == !p.has_data());
    if (p.has_data() && p.data.is_string()) {
      std::string content;
      const json::value v = json::value::unchecked(t->data);
      FUZZ_CHECK(v.is_string() && v.unescape(content).has_value() &&
                 content == p.data.get_string());
    }
    return 0;
  }
  const auto back = sio::msgpack_parser::decode(byte_view(encoded.view()), o);
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(back->type == p.type && back->nsp == p.nsp && back->id == p.id);
  FUZZ_CHECK(back->has_data() == p.has_data());
  if (p.has_data()) FUZZ_CHECK(back->data.raw() == p.data.raw());
  std::string twice;
  FUZZ_CHECK(sio::encode(*back, twice, eo).has_value() && twice == out);
  return 0;
}

// SPDX-License-Identifier: BSL-1.0
// socketio::decode, strict and lax, protocol v5 and v4, default and small limits. What decodes
// satisfies decode.hpp's grammar and shape rules (checked here independently of the decoder:
// fields inside the text, limits, the payload valid JSON of the right kind), the argument
// accessors of args.hpp walk it safely, and whatever strict mode accepts, lax mode accepts with
// the same fields. With allow_invalid_utf8 the packet is flagged exactly when its namespace or
// payload is not UTF-8, and the payload's U+FFFD form (utf8::lossy) is valid JSON of the same kind:
// the lossy validation agrees with strict validation of what the reference parses.
//
// Input: byte 0 chooses (bit 0 lax, bit 1 protocol v4, bit 2 small limits: max_attachments 3,
// max_namespace 8, max_ack_id 1000, max_depth 4, bit 3 allow_invalid_utf8); the rest is the
// packet text.
#include "common.hpp"

#include <siocodec/json/json.hpp>
#include <siocodec/socketio/default_parser/args.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/utf8.hpp>

#include <string>

namespace sio = siocodec::socketio;
namespace json = siocodec::json;
using siocodec::errc;

namespace {

void check_packet(const sio::packet_view& p, std::string_view text, const sio::decode_options& o) {
  FUZZ_CHECK(sio::is_valid(p.type));
  FUZZ_CHECK(!p.nsp.empty() && p.nsp[0] == '/');
  FUZZ_CHECK(p.nsp == "/" || siocodec_fuzz::within(p.nsp, text));
  FUZZ_CHECK(p.nsp.find(',') == std::string_view::npos);
  FUZZ_CHECK(p.nsp.size() <= o.max_namespace);
  FUZZ_CHECK(o.allow_invalid_utf8 || !p.has_invalid_utf8);
  FUZZ_CHECK(p.has_invalid_utf8 ==
             !(siocodec::utf8::is_valid(p.nsp) && siocodec::utf8::is_valid(p.data)));
  if (p.id) FUZZ_CHECK(*p.id <= o.max_ack_id);
  FUZZ_CHECK(p.attachments == nullptr);
  if (sio::is_binary(p.type)) {
    FUZZ_CHECK(p.attachment_count >= 1 && p.attachment_count <= o.max_attachments);
  } else {
    FUZZ_CHECK(p.attachment_count == 0);
  }
  if (!p.has_data()) {
    FUZZ_CHECK(o.lax || !sio::is_binary(p.type));  // placeholders need a payload
    return;
  }
  FUZZ_CHECK(p.type != sio::packet_type::disconnect);
  FUZZ_CHECK(siocodec_fuzz::within(p.data, text));
  FUZZ_CHECK(p.data.data() + p.data.size() <= text.data() + text.size());
  json::options jo;
  jo.max_depth = o.max_depth;
  std::string lossy;
  (void)siocodec::utf8::lossy(p.data, lossy);
  const siocodec_fuzz::exact_bytes data(lossy);
  const auto k = json::validate(data.view(), jo);
  FUZZ_CHECK(k.has_value());
  FUZZ_CHECK(!json::detail::is_ws(p.data.front()) && !json::detail::is_ws(p.data.back()));
  const bool v4 = o.version == sio::protocol_version::v4;
  switch (p.type) {
    case sio::packet_type::connect:
      FUZZ_CHECK(*k == json::kind::object ||
                 (v4 && (*k == json::kind::array || *k == json::kind::null)));
      break;
    case sio::packet_type::connect_error:
      FUZZ_CHECK(*k == json::kind::object || *k == json::kind::string ||
                 (v4 && (*k == json::kind::array || *k == json::kind::null)));
      break;
    case sio::packet_type::event:
    case sio::packet_type::binary_event: {
      FUZZ_CHECK(*k == json::kind::array);
      const json::value name = sio::event_name(p);
      FUZZ_CHECK(name.is_string() || name.is_number());
      if (!v4) {
        for (const char* r : {"connect", "connect_error", "disconnect", "disconnecting",
                              "newListener", "removeListener"}) {
          FUZZ_CHECK(!name.string_equals(r));
        }
      }
      break;
    }
    case sio::packet_type::ack:
    case sio::packet_type::binary_ack: FUZZ_CHECK(*k == json::kind::array); break;
    case sio::packet_type::disconnect: break;
  }

  // The argument accessors: every argument is an element of the payload, in order.
  const json::value root = sio::payload(p);
  FUZZ_CHECK(root.raw() == p.data);
  std::size_t i =
      (p.type == sio::packet_type::event || p.type == sio::packet_type::binary_event) ? 1 : 0;
  const auto args = sio::arguments(p);
  std::size_t count = 0;
  for (const sio::argument& a : args) {
    const json::value e = root[i++];
    FUZZ_CHECK(a.json.raw().data() == e.raw().data() && a.json.raw() == e.raw());
    FUZZ_CHECK(a.bytes.empty());
    if (a.is_binary) FUZZ_CHECK(sio::is_binary(p.type) && a.json.is_object());
    siocodec::byte_view none;
    FUZZ_CHECK(!sio::resolve_placeholder(p, a.json, none));  // no attachments yet
    ++count;
  }
  FUZZ_CHECK(count == args.size());
  FUZZ_CHECK(args.empty() == (count == 0));
  if (p.type == sio::packet_type::connect || p.type == sio::packet_type::connect_error) {
    FUZZ_CHECK(count == 0);  // no arguments, whatever the payload
  } else {
    FUZZ_CHECK(!root[i].exists());
  }
}

bool same(const sio::packet_view& a, const sio::packet_view& b) {
  return a.type == b.type && a.nsp == b.nsp && a.id == b.id && a.data == b.data &&
         a.attachment_count == b.attachment_count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t sel = data[0];
  const siocodec_fuzz::exact_bytes text(data + 1, size - 1);
  sio::decode_options o;
  o.lax = (sel & 1) != 0;
  o.version = (sel & 2) != 0 ? sio::protocol_version::v4 : sio::protocol_version::v5;
  o.allow_invalid_utf8 = (sel & 8) != 0;
  if ((sel & 4) != 0) {
    o.max_attachments = 3;
    o.max_namespace = 8;
    o.max_ack_id = 1000;
    o.max_depth = 4;
  }
  const auto r = sio::decode_header(text.view(), o);
  // The one-shot decode() is decode_header() with binary types refused up front.
  const auto one = sio::decode(text.view(), o);
  if (!text.view().empty() && (text.view()[0] == '5' || text.view()[0] == '6')) {
    FUZZ_CHECK(!one && one.error() == errc::needs_attachments && one.offset() == 0);
  } else {
    FUZZ_CHECK(one.has_value() == r.has_value() && one.offset() == r.offset());
    FUZZ_CHECK(one ? same(*one, *r) : one.error() == r.error());
    FUZZ_CHECK(!one || !sio::is_binary(one->type));
  }
  if (!r) {
    FUZZ_CHECK(r.error() != errc::none && r.error() != errc::incomplete);
    FUZZ_CHECK(r.offset() <= text.size());
    return 0;
  }
  FUZZ_CHECK(r.offset() == text.size());
  check_packet(*r, text.view(), o);
  if (!o.lax) {
    sio::decode_options lax = o;
    lax.lax = true;
    const auto l = sio::decode_header(text.view(), lax);
    FUZZ_CHECK(l.has_value() && same(*l, *r));
  }
  // Without the flag the option changes nothing; with it, strict decoding refuses.
  sio::decode_options other = o;
  other.allow_invalid_utf8 = !o.allow_invalid_utf8;
  const auto a = sio::decode_header(text.view(), other);
  if (!r->has_invalid_utf8) {
    FUZZ_CHECK(a.has_value() && same(*a, *r) && !a->has_invalid_utf8);
  } else {
    FUZZ_CHECK(!a.has_value() && a.error() == errc::invalid_utf8);
  }
  return 0;
}

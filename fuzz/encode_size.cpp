// SPDX-License-Identifier: BSL-1.0
// Every encoder on arbitrary values (not only on what a decoder produced): encoded_size == bytes
// written by encode_to with exactly that capacity == bytes appended by encode; one byte less is
// output_too_small with nothing written; the forms fail together with the same error. Where the
// encoder accepted the value, the matching decoder reads the same value back.
//
// Input: byte 0 chooses the encoder (0 Engine.IO frame, 1 Engine.IO payload, 2 WebTransport
// record and header, 3 handshake, 4 Socket.IO packet, 5 Socket.IO frames, 6 JSON string,
// 7 JSON number); the value's fields come from the rest (integers from the end, bytes from the
// front).
#include "common.hpp"

#include <siocodec/base64.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/handshake.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/engineio/webtransport.hpp>
#include <siocodec/json/json.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#include <siocodec/socketio/default_parser/frames.hpp>

#include <cmath>
#include <limits>

namespace eio = siocodec::engineio;
namespace wt = siocodec::engineio::webtransport;
namespace sio = siocodec::socketio;
namespace json = siocodec::json;
namespace b64 = siocodec::base64;
using siocodec::errc;
using siocodec_fuzz::provider;
using siocodec_fuzz::three_forms;

namespace {

bool is_utf8(std::string_view s) {
  return siocodec::detail::utf8_find_invalid(s.data(), s.size()) == s.size();
}

std::string decoded_base64(std::string_view text) {
  std::string out;
  FUZZ_CHECK(b64::decode(text, out).has_value());
  return out;
}

eio::packet_view eio_packet(provider& in, std::vector<siocodec_fuzz::exact_bytes>& keep) {
  eio::packet_view p;
  p.type = static_cast<eio::packet_type>(in.integral<std::uint8_t>(0, 7));
  p.kind = static_cast<eio::data_kind>(in.integral<std::uint8_t>(0, 2));
  keep.emplace_back(in.bytes(in.integral<std::size_t>(0, 64)));
  p.data = keep.back().view();
  return p;
}

void engineio_frame(provider& in) {
  std::vector<siocodec_fuzz::exact_bytes> keep;
  eio::encode_options o;
  o.version = in.boolean() ? eio::protocol_version::v3 : eio::protocol_version::v4;
  o.supports_binary = in.boolean();
  const eio::packet_view p = eio_packet(in, keep);
  std::string out;
  if (!three_forms([&] { return eio::encoded_size(p, o); },
                   [&](char* b, std::size_t c) { return eio::encode_to(b, c, p, o); },
                   [&](std::string& s) { return eio::encode(p, s, o); }, out)) {
    FUZZ_CHECK(eio::encoded_size(p, o).error() == errc::invalid_argument);
    return;
  }
  eio::decode_options d;
  d.version = o.version;
  d.max_payload = std::numeric_limits<std::size_t>::max();
  const siocodec_fuzz::exact_bytes frame(out);
  const auto r = eio::decode(frame.view(), eio::encoded_frame_kind(p, o), d);
  FUZZ_CHECK(r.has_value() && r->type == p.type);
  if (p.kind == eio::data_kind::binary && !o.supports_binary) {
    FUZZ_CHECK(r->kind == eio::data_kind::base64 && decoded_base64(r->data) == p.data);
  } else {
    FUZZ_CHECK(r->kind == p.kind && r->data == p.data);
  }
}

void engineio_payload(provider& in) {
  std::vector<siocodec_fuzz::exact_bytes> keep;
  eio::encode_options o;
  o.version = in.boolean() ? eio::protocol_version::v3 : eio::protocol_version::v4;
  o.supports_binary = in.boolean();
  const std::size_t n = in.integral<std::size_t>(0, 6);
  keep.reserve(n);
  std::vector<eio::packet_view> packets;
  for (std::size_t i = 0; i < n; ++i) packets.push_back(eio_packet(in, keep));
  std::string out;
  if (!three_forms([&] { return eio::encoded_payload_size(packets.data(), n, o); },
                   [&](char* b, std::size_t c) {
                     return eio::encode_payload_to(b, c, packets.data(), n, o);
                   },
                   [&](std::string& s) { return eio::encode_payload(packets.data(), n, s, o); },
                   out)) {
    const errc e = eio::encoded_payload_size(packets.data(), n, o).error();
    FUZZ_CHECK(e == errc::invalid_argument || e == errc::invalid_utf8);
    return;
  }
  if (o.version == eio::protocol_version::v4 && n == 0) {
    FUZZ_CHECK(out.empty());
    return;
  }
  eio::decode_options d;
  d.version = o.version;
  d.max_payload = std::numeric_limits<std::size_t>::max();
  const siocodec_fuzz::exact_bytes body(out);
  auto reader = eio::decode_payload(body.view(), eio::payload_frame_kind(packets.data(), n, o), d);
  std::size_t i = 0;
  for (const eio::packet_view& q : reader) {
    FUZZ_CHECK(i < n);
    const eio::packet_view& p = packets[i++];
    FUZZ_CHECK(q.type == p.type);
    if (p.kind == eio::data_kind::text) {
      FUZZ_CHECK(q.kind == eio::data_kind::text && q.data == p.data);
    } else {
      const std::string want =
          p.kind == eio::data_kind::binary ? std::string(p.data) : decoded_base64(p.data);
      const std::string got =
          q.kind == eio::data_kind::binary ? std::string(q.data) : decoded_base64(q.data);
      FUZZ_CHECK(q.kind != eio::data_kind::text && got == want);
    }
  }
  FUZZ_CHECK(reader.error() == errc::none && i == n);
}

void webtransport(provider& in) {
  std::vector<siocodec_fuzz::exact_bytes> keep;
  const eio::packet_view p = eio_packet(in, keep);
  std::string out;
  if (!three_forms([&] { return wt::encoded_size(p); },
                   [&](char* b, std::size_t c) { return wt::encode_to(b, c, p); },
                   [&](std::string& s) { return wt::encode(p, s); }, out)) {
    FUZZ_CHECK(wt::encoded_size(p).error() == errc::invalid_argument);
  } else if (p.kind == eio::data_kind::binary || is_utf8(p.data)) {
    eio::decode_options d;
    d.max_payload = std::numeric_limits<std::size_t>::max();
    wt::stream_decoder<> dec(d);
    std::size_t count = 0;
    const siocodec_fuzz::exact_bytes record(out);
    const auto st = dec.feed(record.view(), [&](const eio::packet_view& q) {
      ++count;
      FUZZ_CHECK(q.type == p.type);
      if (p.kind == eio::data_kind::binary && p.data.empty()) {
        FUZZ_CHECK(q.kind == eio::data_kind::base64 && q.data.empty());
      } else {
        FUZZ_CHECK(q.kind == p.kind && q.data == p.data);
      }
    });
    FUZZ_CHECK(st.ok() && count == 1 && dec.at_record_boundary());
  }
  // The header alone, for any announced size.
  const auto size = in.integral<std::uint64_t>(0, std::numeric_limits<std::uint64_t>::max());
  const bool binary = in.boolean();
  char header[9];
  const auto h = wt::encode_header_to(header, sizeof header, size, binary);
  if (size > wt::max_length) {
    FUZZ_CHECK(h.error() == errc::invalid_argument);
    return;
  }
  FUZZ_CHECK(h.has_value() && *h == wt::header_size(size));
  FUZZ_CHECK(wt::encode_header_to(header, *h - 1, size, binary).error() == errc::output_too_small);
}

void handshake(provider& in) {
  eio::handshake h;
  const siocodec_fuzz::exact_bytes sid(in.bytes(in.integral<std::size_t>(0, 32)));
  h.sid = sid.view();
  h.upgrades = in.integral<std::uint8_t>(0, 7);
  h.ping_interval = in.integral<std::uint32_t>(0, 0xFFFFFFFFu);
  h.ping_timeout = in.integral<std::uint32_t>(0, 0xFFFFFFFFu);
  if (in.boolean()) h.max_payload = in.integral<std::uint64_t>(0, ~std::uint64_t{0});
  std::string out;
  if (!three_forms([&] { return eio::handshake_size(h); },
                   [&](char* b, std::size_t c) { return eio::encode_handshake_to(b, c, h); },
                   [&](std::string& s) { return eio::encode_handshake(h, s); }, out)) {
    FUZZ_CHECK(eio::handshake_size(h).error() == errc::invalid_argument);
    return;
  }
  const siocodec_fuzz::exact_bytes text(out);
  // Strict parsing takes only URL-safe sids (is_sid_char); lax parsing takes back any sid the
  // encoder wrote.
  bool url_safe = true;
  for (const char c : h.sid) url_safe = url_safe && eio::is_sid_char(c);
  const bool strict_ok = eio::parse_handshake(text.view()).has_value();
  eio::handshake_options lax;
  lax.lax = true;
  const auto back = eio::parse_handshake(text.view(), lax);
  FUZZ_CHECK(back.has_value() && back->sid == h.sid && back->upgrades == h.upgrades);
  FUZZ_CHECK(strict_ok == url_safe);
  FUZZ_CHECK(back->ping_interval == h.ping_interval && back->ping_timeout == h.ping_timeout);
  FUZZ_CHECK(back->max_payload == h.max_payload);
}

sio::packet_view sio_packet(provider& in, std::vector<siocodec_fuzz::exact_bytes>& keep) {
  sio::packet_view p;
  p.type = static_cast<sio::packet_type>(in.integral<std::uint8_t>(0, 7));
  keep.emplace_back(in.bytes(in.integral<std::size_t>(0, 16)));
  p.nsp = keep.back().view();
  if (in.boolean()) p.id = in.integral<std::uint64_t>(0, ~std::uint64_t{0});
  p.attachment_count = in.integral<std::size_t>(0, 12);
  keep.emplace_back(in.bytes(in.integral<std::size_t>(0, 128)));
  p.data = keep.back().view();
  return p;
}

void socketio_packet(provider& in) {
  std::vector<siocodec_fuzz::exact_bytes> keep;
  keep.reserve(2);
  sio::encode_options o;
  o.version = in.boolean() ? sio::protocol_version::v4 : sio::protocol_version::v5;
  o.max_attachments = in.integral<std::size_t>(0, 12);
  const sio::packet_view p = sio_packet(in, keep);
  std::string out;
  if (!three_forms([&] { return sio::encoded_size(p, o); },
                   [&](char* b, std::size_t c) { return sio::encode_to(b, c, p, o); },
                   [&](std::string& s) { return sio::encode(p, s, o); }, out)) {
    const errc e = sio::encoded_size(p, o).error();
    FUZZ_CHECK(e == errc::invalid_argument || e == errc::too_many_attachments ||
               e == errc::invalid_utf8);
    return;
  }
  // The encoder trusts `data`; where it is one JSON value (no surrounding whitespace) of the
  // shape the type needs, the packet decodes back.
  if (!p.data.empty() && (!json::validate(p.data) || json::detail::is_ws(p.data.back()))) return;
  sio::decode_options d;
  d.version = o.version;
  d.lax = true;
  d.max_attachments = 12;
  const siocodec_fuzz::exact_bytes text(out);
  const auto r = sio::decode_header(text.view(), d);
  if (r) {
    FUZZ_CHECK(r->type == p.type && r->id == p.id && r->data == p.data);
    FUZZ_CHECK(r->attachment_count == p.attachment_count);
    FUZZ_CHECK(r->nsp == (p.nsp.empty() ? std::string_view("/") : p.nsp));
  }
}

void socketio_frames(provider& in) {
  std::vector<siocodec_fuzz::exact_bytes> keep;
  keep.reserve(2 + 12);
  eio::transport_options o;
  o.version = in.boolean() ? eio::protocol_version::v3 : eio::protocol_version::v4;
  o.transport = in.boolean() ? eio::transport_kind::polling : eio::transport_kind::websocket;
  o.supports_binary = in.boolean();
  o.copy_binary = in.boolean();
  // The frame encoders apply the default encode_options (basic_codec applies a connection's own):
  // the byte that chose max_attachments is still read, so the corpus keeps its meaning.
  (void)in.integral<std::size_t>(0, 12);
  sio::packet_view p = sio_packet(in, keep);
  std::vector<siocodec::byte_view> atts;
  if (in.boolean()) {
    for (std::size_t i = 0; i < p.attachment_count; ++i) {
      keep.emplace_back(in.bytes(in.integral<std::size_t>(0, 32)));
      atts.emplace_back(keep.back().data(), keep.back().size());
    }
    p.attachments = atts.data();
  }
  std::vector<std::string> sent_to, sent_append;
  const auto need = sio::encoded_frames_size(p, o);
  std::unique_ptr<char[]> buf(new char[need ? *need + 1 : 1]);
  const std::size_t cap = need ? *need : 0;
  if (need) buf[cap] = 'Z';
  const auto w = sio::encode_frames_to(buf.get(), cap, p, o, [&](const eio::frame& f) {
    sent_to.push_back(std::string(f.prefix) + std::string(f.data) +
                      (f.kind == eio::frame_kind::binary ? "B" : "T"));
  });
  std::string grown = "xyz";
  const auto g = sio::encode_frames(p, grown, o, [&](const eio::frame& f) {
    sent_append.push_back(std::string(f.prefix) + std::string(f.data) +
                          (f.kind == eio::frame_kind::binary ? "B" : "T"));
  });
  FUZZ_CHECK(w.error() == need.error() && g.error() == need.error());
  if (!need) {
    FUZZ_CHECK(sent_to.empty() && sent_append.empty() && grown == "xyz");
    return;
  }
  FUZZ_CHECK(*w == *need && *g == *need && grown.size() == 3 + *need && buf[cap] == 'Z');
  FUZZ_CHECK(sent_to == sent_append && !sent_to.empty());
  if (*need != 0) {
    bool sent = false;
    FUZZ_CHECK(sio::encode_frames_to(buf.get(), cap - 1, p, o, [&](const eio::frame&) {
                 sent = true;
               }).error() == errc::output_too_small);
    FUZZ_CHECK(!sent);
  }
}

void json_string(provider& in) {
  const siocodec_fuzz::exact_bytes s(in.rest());
  std::string out;
  if (!three_forms([&] { return json::string_size(s.view()); },
                   [&](char* b, std::size_t c) { return json::encode_string_to(b, c, s.view()); },
                   [&](std::string& t) { return json::encode_string(s.view(), t); }, out)) {
    FUZZ_CHECK(!is_utf8(s.view()));
    FUZZ_CHECK(json::string_size(s.view()).error() == errc::invalid_utf8);
    return;
  }
  FUZZ_CHECK(is_utf8(s.view()));
  const siocodec_fuzz::exact_bytes lit(out);
  const auto v = json::parse(lit.view());
  FUZZ_CHECK(v.has_value() && v->is_string() && v->string_equals(s.view()));
  FUZZ_CHECK(v->has_escapes() == (out.size() != s.size() + 2));
}

void json_number(provider& in) {
  const std::uint64_t bits = in.integral<std::uint64_t>(0, ~std::uint64_t{0});
  double d;
  std::memcpy(&d, &bits, sizeof d);
  siocodec::detail::size_counter c;
  json::emit_number(c, d);
  FUZZ_CHECK(c.n <= 25);
  std::string text(c.n, '\0');
  siocodec::detail::buffer_writer w{&text[0]};
  json::emit_number(w, d);
  FUZZ_CHECK(w.p == text.data() + text.size());
  const siocodec_fuzz::exact_bytes t(text);
  const auto v = json::parse(t.view());
  FUZZ_CHECK(v.has_value());
  if (!std::isfinite(d)) {
    FUZZ_CHECK(text == "null");
    return;
  }
  FUZZ_CHECK(v->is_number());
  const auto back = v->to_double();
  FUZZ_CHECK(back.has_value() && *back == d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  provider in(data + 1, size - 1);
  switch (data[0] & 7) {
    case 0: engineio_frame(in); break;
    case 1: engineio_payload(in); break;
    case 2: webtransport(in); break;
    case 3: handshake(in); break;
    case 4: socketio_packet(in); break;
    case 5: socketio_frames(in); break;
    case 6: json_string(in); break;
    case 7: json_number(in); break;
  }
  return 0;
}

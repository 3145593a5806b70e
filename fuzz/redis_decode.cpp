// SPDX-License-Identifier: BSL-1.0
// The Redis adapter layer (socketio::redis) on arbitrary bytes: decode_broadcast,
// decode_request, decode_response and match_channel. Whatever decodes: every view lies inside
// the input, the lists respect max_rooms, and a broadcast written again from its view
// (encode_broadcast) decodes to the same uid, namespace, data and lists, and its arguments
// written through write_value make a default-parser packet that decodes; a matched channel
// written again by the channel writer of its kind is the same bytes.
//
// Input: byte 0 chooses (bits 0-1: broadcast, request, response, channel; bits 2-3 max_depth:
// the default, 1, 4, 300; bit 4 max_rooms 2 instead of the default); the rest is the message
// (channel: its first byte is the namespace's length, then the namespace, then the channel).
#include "common.hpp"

#include <siocodec/redis.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>

#include <string>
#include <vector>

namespace redis = siocodec::socketio::redis;
namespace mp = siocodec::msgpack;
using siocodec::byte_view;

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return siocodec_fuzz::within(part, whole);
}

// The names of a list, when all are strings.
bool names(const mp::value& list, std::vector<std::string_view>& out) {
  out.clear();
  for (const mp::value& r : list.elements()) {
    if (!r.is_string()) return false;
    out.push_back(r.get_string());
  }
  return true;
}

void broadcast(std::string_view in, const redis::broadcast_decode_options& o) {
  const auto d = redis::decode_broadcast(byte_view(in), o);
  if (!d) {
    FUZZ_CHECK(d.offset() <= in.size());
    return;
  }
  FUZZ_CHECK(d.offset() == in.size());
  FUZZ_CHECK(inside(d->uid, in));
  FUZZ_CHECK(d->packet.data.is_array());
  FUZZ_CHECK(inside(d->packet.data.raw().as_chars(), in));
  FUZZ_CHECK(d->rooms.size() <= o.max_rooms && d->except.size() <= o.max_rooms);
  // Re-encoded for default-parser clients (write_value): the arguments make a valid packet, or
  // one refused only for a limit of the default parser (attachments, depth).
  std::string text;
  siocodec::socketio::attachment_list<16> atts;
  const mp::value data = d->packet.data;
  const auto enc = siocodec::socketio::encode(
      siocodec::socketio::event("e",
                                [&](auto& w) {
                                  for (const mp::value& a : data.elements()) {
                                    redis::write_value(w, a);
                                  }
                                }),
      text, atts);
  if (enc) {
    // The writer has no depth limit, and the broadcast options here may allow more depth than
    // the default decoder's max_depth (128): such a message is written, then refused for depth.
    const auto h = siocodec::socketio::decode_header(text);
    FUZZ_CHECK(h.has_value() || h.error() == siocodec::errc::nesting_too_deep);
  } else {
    FUZZ_CHECK(enc.error() == siocodec::errc::too_many_attachments ||
               enc.error() == siocodec::errc::nesting_too_deep);
  }
  std::vector<std::string_view> rooms, except;
  if (!names(d->rooms, rooms) || !names(d->except, except)) return;
  redis::broadcast_options bo;
  bo.rooms = rooms;
  bo.except = except;
  bo.flags = d->flags;
  std::string again;
  const auto e = redis::encode_broadcast(again, d->uid, d->packet, bo);
  FUZZ_CHECK(e.has_value());
  FUZZ_CHECK(*e == again.size());
  redis::broadcast_decode_options wide = o;
  wide.max_depth = 1024;
  const auto d2 = redis::decode_broadcast(byte_view(again), wide);
  FUZZ_CHECK(d2.has_value());
  FUZZ_CHECK(d2->uid == d->uid);
  FUZZ_CHECK(d2->packet.nsp == d->packet.nsp);
  FUZZ_CHECK(d2->packet.type == d->packet.type);
  FUZZ_CHECK(d2->packet.id == d->packet.id);
  FUZZ_CHECK(d2->packet.data.raw() == d->packet.data.raw());
  FUZZ_CHECK(d2->rooms.size() == rooms.size() && d2->except.size() == except.size());
  FUZZ_CHECK(d2->flags.size() == d->flags.size());
  FUZZ_CHECK(d2->flags.is_volatile() == d->flags.is_volatile());
  FUZZ_CHECK(d2->flags.compress() == d->flags.compress());
}

void request(std::string_view in, const redis::request_decode_options& o) {
  const auto r = redis::decode_request(byte_view(in), o);
  if (!r) {
    FUZZ_CHECK(r.offset() <= in.size());
    return;
  }
  FUZZ_CHECK(static_cast<unsigned>(r->type) <= 7);
  FUZZ_CHECK(r->is_msgpack == (in[0] != '{'));
  if (r->uid) FUZZ_CHECK(inside(*r->uid, in));
  if (r->request_id) FUZZ_CHECK(inside(*r->request_id, in));
  if (r->sid) FUZZ_CHECK(inside(*r->sid, in));
  FUZZ_CHECK(r->rooms.size() <= o.max_rooms && r->except.size() <= o.max_rooms);
  FUZZ_CHECK(r->target_rooms.size() <= o.max_rooms);
  if (r->type == redis::request_type::server_side_emit) FUZZ_CHECK(r->data.is_array());
  if (r->type == redis::request_type::broadcast) {
    FUZZ_CHECK(r->is_msgpack && r->packet.data.is_array());
    FUZZ_CHECK(inside(r->packet.nsp, in) || r->packet.nsp == "/");
  }
}

void response(std::string_view in, const redis::request_decode_options& o) {
  const auto r = redis::decode_response(byte_view(in), o);
  if (!r) {
    FUZZ_CHECK(r.offset() <= in.size());
    return;
  }
  FUZZ_CHECK(inside(r->request_id, in));
  if (r->type) FUZZ_CHECK(static_cast<unsigned>(*r->type) <= 9);
  if (r->sockets.exists()) FUZZ_CHECK(r->sockets.is_array());
  if (r->rooms.exists()) FUZZ_CHECK(r->rooms.size() <= o.max_rooms);
  FUZZ_CHECK(r->client_count <= (std::uint64_t{1} << 53));
}

void channel(std::string_view in) {
  if (in.empty()) return;
  const std::size_t n = static_cast<unsigned char>(in[0]) % (in.size());
  const std::string_view nsp = in.substr(1, n);
  const std::string_view ch = in.substr(1 + nsp.size());
  const auto m = redis::match_channel(ch, nsp);
  if (!m) {
    FUZZ_CHECK(m.offset() <= ch.size());
    return;
  }
  std::string again;
  switch (m->kind) {
    case redis::channel_kind::broadcast:
      (void)redis::broadcast_channel(again, nsp);
      FUZZ_CHECK(again == ch || again + "#" == ch);
      return;
    case redis::channel_kind::room: (void)redis::room_channel(again, nsp, m->room); break;
    case redis::channel_kind::request: (void)redis::request_channel(again, nsp); break;
    case redis::channel_kind::response: (void)redis::response_channel(again, nsp); break;
    case redis::channel_kind::specific_response:
      (void)redis::specific_response_channel(again, nsp, m->uid);
      break;
  }
  FUZZ_CHECK(again == ch);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned mode = data[0];
  const siocodec_fuzz::exact_bytes msg(data + 1, size - 1);
  static const std::size_t depths[] = {SIOCODEC_DEFAULT_MAX_MSGPACK_DEPTH, 1, 4, 300};
  const std::size_t depth = depths[(mode >> 2) & 3];
  const std::size_t rooms = (mode & 16) != 0 ? 2 : SIOCODEC_DEFAULT_REDIS_MAX_ROOMS;
  redis::broadcast_decode_options bo;
  bo.max_depth = depth;
  bo.max_rooms = rooms;
  redis::request_decode_options ro;
  ro.max_depth = depth;
  ro.max_rooms = rooms;
  switch (mode & 3) {
    case 0: broadcast(msg.view(), bo); break;
    case 1: request(msg.view(), ro); break;
    case 2: response(msg.view(), ro); break;
    default: channel(msg.view()); break;
  }
  return 0;
}

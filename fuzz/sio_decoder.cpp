// SPDX-License-Identifier: BSL-1.0
// socketio::decoder (the reassembly state machine) driven by a sequence of Engine.IO messages that
// the input chooses: text frames, binary frames, and reset() calls. Three decoders see the same
// sequence and must agree: one in borrow mode, one in copy mode, and one in copy mode that gets
// every binary frame as a base64 Engine.IO packet (the polling path). Checked after every step:
// the documented state transitions; after an error the decoder is idle and holds no storage; a
// text frame while idle gives exactly what socketio::decode gives; storage stays within the
// documented bounds; a delivered packet's attachments are the frames that followed its header.
//
// Input: byte 0 chooses (bit 0 lax, bit 1 protocol v4, bit 2 small limits: max_attachments 3,
// max_attachment_bytes 16, max_packet_bytes 64; bit 3 max_attachments 40, beyond the inline
// list); then steps: an operation byte taken from the end of the input (0: reset, odd: binary,
// even: text) and a length, then that many bytes from the front.
#include "common.hpp"

#include <siocodec/base64.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>

namespace sio = siocodec::socketio;
namespace eio = siocodec::engineio;
namespace b64 = siocodec::base64;
using siocodec::errc;

namespace {

struct step_result {
  errc ec = errc::none;
  std::size_t offset = 0;
  sio::packet_view packet;
};

siocodec::result<sio::packet_view> feed(sio::decoder& d, std::string_view frame, bool binary,
                                        bool as_base64) {
  if (binary && as_base64) {
    std::string text;
    FUZZ_CHECK(b64::encode(siocodec::byte_view(frame.data(), frame.size()), text).has_value());
    return d.feed(eio::packet_view{eio::packet_type::message, eio::data_kind::base64, text});
  }
  if (binary)
    return d.feed(siocodec::byte_view(frame.data(), frame.size()), eio::frame_kind::binary);
  return d.feed(frame, eio::frame_kind::text);
}

step_result run_step(sio::decoder& d, std::string_view frame, bool binary, bool as_base64) {
  const siocodec::result<sio::packet_view> r = feed(d, frame, binary, as_base64);
  step_result s;
  s.ec = r.error();
  s.offset = r.offset();
  if (r) s.packet = *r;
  return s;
}

void check_state(const sio::decoder& d, const step_result& s, const sio::decode_options& o) {
  if (s.ec == errc::incomplete) {
    FUZZ_CHECK(d.waiting() && d.state() == sio::decoder_state::reassembling);
    FUZZ_CHECK(d.attachments_received() < d.attachments_expected());
    FUZZ_CHECK(d.attachments_expected() <= o.max_attachments);
    FUZZ_CHECK(d.pending_bytes() <= o.max_packet_bytes);
  } else {
    FUZZ_CHECK(!d.waiting() && d.state() == sio::decoder_state::idle);
    FUZZ_CHECK(d.attachments_expected() == 0 && d.attachments_received() == 0);
    FUZZ_CHECK(d.pending_bytes() == 0);
  }
  if (s.ec != errc::none && s.ec != errc::incomplete) FUZZ_CHECK(d.allocated_bytes() == 0);
  // Borrow mode allocates only for a list longer than the inline one, and never past the count.
  if (d.mode() == sio::attachment_mode::borrow) {
    FUZZ_CHECK(d.allocated_bytes() <= o.max_attachments * sizeof(siocodec::byte_view) ||
               d.allocated_bytes() == 0);
    if (o.max_attachments <= sio::decoder::inline_attachments) FUZZ_CHECK(d.allocated_bytes() == 0);
  } else {
    FUZZ_CHECK(d.allocated_bytes() <=
               o.max_packet_bytes + o.max_attachments * sizeof(siocodec::byte_view));
  }
}

bool same_packet(const sio::packet_view& a, const sio::packet_view& b) {
  if (a.type != b.type || a.nsp != b.nsp || a.id != b.id || a.data != b.data ||
      a.attachment_count != b.attachment_count) {
    return false;
  }
  if ((a.attachments == nullptr) != (b.attachments == nullptr)) return false;
  for (std::size_t i = 0; a.attachments != nullptr && i < a.attachment_count; ++i) {
    if (a.attachments[i] != b.attachments[i]) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t sel = data[0];
  sio::decode_options o;
  o.lax = (sel & 1) != 0;
  o.version = (sel & 2) != 0 ? sio::protocol_version::v4 : sio::protocol_version::v5;
  if ((sel & 4) != 0) {
    o.max_attachments = 3;
    o.max_attachment_bytes = 16;
    o.max_packet_bytes = 64;
  } else if ((sel & 8) != 0) {
    o.max_attachments = 40;
  }
  sio::decoder borrow(o, sio::attachment_mode::borrow);
  sio::decoder copy(o, sio::attachment_mode::copy);
  sio::decoder base64(o, sio::attachment_mode::copy);

  siocodec_fuzz::provider in(data + 1, size - 1);
  // Every frame stays alive for the whole run: borrow mode keeps views into them.
  std::vector<siocodec_fuzz::exact_bytes> frames;
  std::vector<std::size_t> pending;  // indexes of the frames of the packet being reassembled
  std::size_t steps = 0;
  while (in.remaining() != 0 && steps++ < 256) {
    const auto op = in.integral<std::uint8_t>(0, 255);
    if (op == 0) {
      borrow.reset();
      copy.reset();
      base64.reset();
      pending.clear();
      for (const sio::decoder* d : {&borrow, &copy, &base64}) {
        FUZZ_CHECK(!d->waiting() && d->allocated_bytes() == 0);
      }
      continue;
    }
    const bool binary = (op & 1) != 0;
    const std::size_t len = in.integral<std::size_t>(0, 96);
    frames.emplace_back(in.bytes(len));
    const std::string_view frame = frames.back().view();
    const bool was_waiting = borrow.waiting();

    const step_result a = run_step(borrow, frame, binary, false);
    const step_result b = run_step(copy, frame, binary, false);
    const step_result c = run_step(base64, frame, binary, true);
    check_state(borrow, a, o);
    check_state(copy, b, o);
    check_state(base64, c, o);
    FUZZ_CHECK(a.ec == b.ec && a.offset == b.offset);
    FUZZ_CHECK(c.ec == a.ec);
    if (!binary) FUZZ_CHECK(c.offset == a.offset);
    if (!binary && !was_waiting && frame.size() <= o.max_packet_bytes) {
      // Idle, a text frame is decoded exactly as socketio::decode decodes it.
      const auto r = sio::decode_header(frame, o);
      if (!r) {
        FUZZ_CHECK(a.ec == r.error() && a.offset == r.offset());
      } else if (sio::is_binary(r->type)) {
        FUZZ_CHECK(a.ec == errc::incomplete && a.offset == frame.size());
      } else {
        FUZZ_CHECK(a.ec == errc::none && same_packet(a.packet, *r));
      }
    }
    if (binary && !was_waiting) FUZZ_CHECK(a.ec == errc::unexpected_binary_frame && a.offset == 0);
    if (!binary && was_waiting) FUZZ_CHECK(a.ec == errc::unexpected_text_frame && a.offset == 0);

    if (a.ec == errc::incomplete) {
      if (!was_waiting) pending.clear();
      pending.push_back(frames.size() - 1);
      continue;
    }
    if (a.ec != errc::none) {
      pending.clear();
      continue;
    }
    // A packet: the three decoders deliver the same one.
    FUZZ_CHECK(same_packet(a.packet, b.packet) && same_packet(a.packet, c.packet));
    const sio::packet_view& p = a.packet;
    FUZZ_CHECK(sio::is_valid(p.type));
    if (!sio::is_binary(p.type)) {
      FUZZ_CHECK(p.attachment_count == 0);
      FUZZ_CHECK(p.nsp == "/" || siocodec_fuzz::within(p.nsp, frame));
      FUZZ_CHECK(siocodec_fuzz::within(p.data, frame));
      pending.clear();
      continue;
    }
    // The header frame, then one binary frame per attachment, in order.
    pending.push_back(frames.size() - 1);
    FUZZ_CHECK(p.attachments != nullptr && pending.size() == p.attachment_count + 1);
    const std::string_view header = frames[pending[0]].view();
    FUZZ_CHECK(p.nsp == "/" || siocodec_fuzz::within(p.nsp, header));
    FUZZ_CHECK(siocodec_fuzz::within(p.data, header));
    std::size_t total = header.size();
    for (std::size_t i = 0; i < p.attachment_count; ++i) {
      const std::string_view f = frames[pending[i + 1]].view();
      FUZZ_CHECK(p.attachments[i].data() == reinterpret_cast<const unsigned char*>(f.data()));
      FUZZ_CHECK(p.attachments[i].size() == f.size() && f.size() <= o.max_attachment_bytes);
      total += f.size();
    }
    FUZZ_CHECK(total <= o.max_packet_bytes);
    pending.clear();
  }
  return 0;
}

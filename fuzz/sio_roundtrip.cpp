// SPDX-License-Identifier: BSL-1.0
// socketio decode -> encode -> decode. Every packet that decodes can be encoded (encoded_size ==
// encode_to == encode), except one whose namespace is not UTF-8 (the encoder refuses it), and
// the encoding decodes, with the same options, to the same packet. The encoding is canonical: it
// is the input itself unless the input spelled the default namespace ("/,") or ended the JSON
// with whitespace, and encoding it again gives the same bytes.
//
// Input: byte 0 chooses (bit 0 lax, bit 1 protocol v4, bit 2 small limits); the rest is the text.
#include "common.hpp"

#include <siocodec/detail/utf8.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>

namespace sio = siocodec::socketio;
using siocodec::errc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t sel = data[0];
  const siocodec_fuzz::exact_bytes text(data + 1, size - 1);
  sio::decode_options o;
  o.lax = (sel & 1) != 0;
  o.version = (sel & 2) != 0 ? sio::protocol_version::v4 : sio::protocol_version::v5;
  if ((sel & 4) != 0) {
    o.max_attachments = 3;
    o.max_namespace = 8;
    o.max_ack_id = 1000;
    o.max_depth = 4;
  }
  const auto r = sio::decode_header(text.view(), o);
  if (!r) return 0;
  const sio::packet_view p = *r;

  sio::encode_options eo;
  eo.version = o.version;
  eo.max_attachments = o.max_attachments;
  eo.max_depth = o.max_depth;
  std::string out;
  const bool ok = siocodec_fuzz::three_forms(
      [&] { return sio::encoded_size(p, eo); },
      [&](char* buf, std::size_t cap) { return sio::encode_to(buf, cap, p, eo); },
      [&](std::string& s) { return sio::encode(p, s, eo); }, out);
  if (!ok) {
    FUZZ_CHECK(sio::encoded_size(p, eo).error() == errc::invalid_utf8);
    FUZZ_CHECK(siocodec::detail::utf8_find_invalid(p.nsp.data(), p.nsp.size()) != p.nsp.size());
    return 0;
  }

  const siocodec_fuzz::exact_bytes encoded(out);
  const auto back = sio::decode_header(encoded.view(), o);
  FUZZ_CHECK(back.has_value() && back.offset() == out.size());
  FUZZ_CHECK(back->type == p.type);
  FUZZ_CHECK(back->nsp == p.nsp);
  FUZZ_CHECK(back->id == p.id);
  FUZZ_CHECK(back->data == p.data);
  FUZZ_CHECK(back->attachment_count == p.attachment_count);

  std::string twice;
  FUZZ_CHECK(sio::encode(*back, twice, eo).has_value() && twice == out);
  if (!o.lax) {
    // Strict mode accepts exactly what the encoder writes, plus three other spellings: the
    // default namespace written out ("/," or a final "/"), a namespace that ends the text without
    // its ',', and whitespace after the JSON.
    const char* const end = text.data() + text.size();
    bool canonical = p.data.empty() || p.data.data() + p.data.size() == end;
    if (siocodec_fuzz::within(p.nsp, text.view())) {
      const char* after = p.nsp.data() + p.nsp.size();
      canonical = canonical && p.nsp != "/" && after != end && *after == ',';
    }
    if (canonical) FUZZ_CHECK(out == text.view());
  }
  return 0;
}

// SPDX-License-Identifier: BSL-1.0
// engineio::parse_handshake, and parse -> encode -> parse: every handshake that parses can be
// written back (handshake_size == encode_handshake_to == encode_handshake) and reads back the
// same. A JSON error is reported as json::validate reports it.
//
// Input: the JSON text of an open packet.
#include "common.hpp"

#include <siocodec/engineio/handshake.hpp>
#include <siocodec/json/validate.hpp>

namespace eio = siocodec::engineio;
namespace json = siocodec::json;
using siocodec::errc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const siocodec_fuzz::exact_bytes text(data, size);
  const auto h = eio::parse_handshake(text.view());
  const auto v = json::validate(text.view());
  if (!v) {
    FUZZ_CHECK(!h && h.error() == v.error() && h.offset() == v.offset());
    return 0;
  }
  if (!h) {
    FUZZ_CHECK(h.error() == errc::invalid_handshake);
    FUZZ_CHECK(h.offset() <= text.size());
    if (*v != json::kind::object) FUZZ_CHECK(h.offset() == 0);
    return 0;
  }
  FUZZ_CHECK(*v == json::kind::object && h.offset() == text.size());
  FUZZ_CHECK(!h->sid.empty() && siocodec_fuzz::within(h->sid, text.view()));
  FUZZ_CHECK(siocodec_fuzz::within(h->upgrades_json, text.view()));
  FUZZ_CHECK(h->ping_interval >= 1 && h->ping_interval <= 2147483647u);
  FUZZ_CHECK(h->ping_timeout >= 1 && h->ping_timeout <= 2147483647u);
  if (h->max_payload) FUZZ_CHECK(*h->max_payload >= 1 && *h->max_payload <= 9007199254740991u);
  FUZZ_CHECK((h->upgrades & ~7u) == 0);

  const auto n = eio::handshake_size(*h);
  FUZZ_CHECK(n.has_value());
  std::unique_ptr<char[]> buf(new char[*n + 1]);
  buf[*n] = 'Z';
  const auto w = eio::encode_handshake_to(buf.get(), *n, *h);
  FUZZ_CHECK(w.has_value() && *w == *n && buf[*n] == 'Z');
  FUZZ_CHECK(eio::encode_handshake_to(buf.get(), *n - 1, *h).error() == errc::output_too_small);
  std::string appended;
  const auto a = eio::encode_handshake(*h, appended);
  FUZZ_CHECK(a.has_value() && appended == std::string_view(buf.get(), *n));

  const siocodec_fuzz::exact_bytes encoded(appended);
  const auto back = eio::parse_handshake(encoded.view());
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(back->sid == h->sid);
  FUZZ_CHECK(back->upgrades == h->upgrades);
  FUZZ_CHECK(back->ping_interval == h->ping_interval);
  FUZZ_CHECK(back->ping_timeout == h->ping_timeout);
  FUZZ_CHECK(back->max_payload == h->max_payload);
  return 0;
}

// SPDX-License-Identifier: BSL-1.0
// Step 2 of the Socket.IO differential test (run.js): siocodec against the reference's output.
//
//   siocodec_sio_diff <gen.jsonl> <out.jsonl>
//
// For every packet gen.js wrote (the reference encoder's frames and the packet's description):
// 1. decodes the frames with socketio::basic_decoder (text header, then each attachment), in
//    both attachment modes, strict and lax: exactly one packet must come out, after the last
//    frame; encode(packet_view) of it must give the reference's text back byte for byte and its
//    attachments must be the reference's; its type, namespace, ack id and payload (placeholders
//    replaced by the attachments, compared with nlohmann/json) must be the description's;
// 2. builds the packet from its description with the packet builders and the argument writer
//    (where they can express it), and for "exact" packets checks the result is the reference's
//    frames byte for byte; writes what it built to <out.jsonl>, one line per packet:
//    {"i": n, "frames": [...]}, {"i": n, "skip": true} or {"i": n, "error": "<siocodec error>"},
//    for check.js to decode with the reference.
// Prints the counts and the first mismatches; exits 1 on any mismatch.
#include <siocodec/engineio/packet.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#include <siocodec/socketio/packet.hpp>
#include <siocodec/utf8.hpp>

#include "sio_support.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
using siotest::ojson;

namespace {

struct counts {
  std::size_t packets = 0;
  std::size_t with_attachments = 0;
  std::size_t decoded = 0;      // decoded and re-encoded byte for byte (all four decoder runs)
  std::size_t semantic = 0;     // decoded packet compared with its description
  std::size_t built = 0;        // built from the description by the builders
  std::size_t built_exact = 0;  // ... and compared byte for byte with the reference
  std::size_t not_expressible = 0;
  std::size_t utf8 = 0;  // invalid UTF-8: refused strictly, decoded lossily as the reference does
  std::size_t failures = 0;
};

struct reporter {
  counts& c;
  std::size_t shown = 0;
  void fail(std::size_t i, const std::string& what) {
    ++c.failures;
    if (shown < 10) {
      std::fprintf(stderr, "diff: packet %zu: %s\n", i, what.substr(0, 600).c_str());
      ++shown;
    }
  }
};

std::string frames_text(const std::string& text, const std::vector<std::string>& atts) {
  std::string s = siotest::quote_json(text);
  for (const std::string& a : atts) s += " + " + siocodec_test::hex(a);
  return s;
}

int normalized_type(std::uint64_t t) {
  return t >= 5 ? static_cast<int>(t) - 3 : static_cast<int>(t);
}

// The description's packet, in the same canonical form as describe(): type (BINARY_* as the
// plain type, the attachments being in the payload), namespace ("" and none are "/"), id, data.
bool describe_desc(const std::string& desc_text, std::string& out) {
  const ojson d = siotest::parse_prepared(desc_text);
  if (d.is_discarded() || !d.is_object()) return false;
  double t = 0;
  const auto type = d.find("type");
  if (type == d.end() || !siotest::number_value(*type, t)) return false;
  out = "type " + std::to_string(normalized_type(static_cast<std::uint64_t>(t)));
  const auto nsp = d.find("nsp");
  const std::string n =
      nsp != d.end() && nsp->is_string() ? nsp->get_ref<const std::string&>() : "";
  out += " nsp " + siotest::canonical_string(n.empty() ? "/" : n);
  const auto id = d.find("id");
  double v = 0;
  if (id != d.end() && siotest::number_value(*id, v)) out += " id " + siotest::canonical_double(v);
  const auto data = d.find("data");
  if (data != d.end() && !data->is_null()) out += " data " + siotest::canonical(*data);
  return true;
}

std::string describe(const sio::packet_view& p) {
  std::string s = "type " + std::to_string(normalized_type(static_cast<std::uint64_t>(p.type)));
  s += " nsp " + siotest::canonical_string(p.nsp);
  if (p.id) s += " id " + siotest::canonical_double(static_cast<double>(*p.id));
  if (p.has_data()) {
    ojson j = siotest::parse_prepared(p.data);
    if (j.is_discarded()) return s + " <payload nlohmann cannot read>";
    if (sio::is_binary(p.type) && p.attachments != nullptr) {
      siotest::substitute_placeholders(j, p.attachments, p.attachment_count);
    }
    s += " data " + siotest::canonical(j);
  }
  return s;
}

// Step 1 for one packet: all four decoder runs.
void check_decode(reporter& rep, std::size_t i, sio::protocol_version version,
                  const std::string& text, const std::vector<std::string>& atts,
                  const std::string& desc_text) {
  bool ok = true;
  for (const bool lax : {false, true}) {
    for (const sio::attachment_mode mode :
         {sio::attachment_mode::borrow, sio::attachment_mode::copy}) {
      sio::decode_options opts;
      opts.version = version;
      opts.lax = lax;
      sio::decoder dec(opts, mode);
      auto r = dec.feed(std::string_view(text), eio::frame_kind::text);
      for (const std::string& a : atts) {
        if (r || r.error() != siocodec::errc::incomplete) break;
        r = dec.feed(siocodec::byte_view(a), eio::frame_kind::binary);
      }
      const std::string what =
          std::string(mode == sio::attachment_mode::borrow ? "borrow" : "copy") +
          (lax ? " lax" : "");
      if (!r) {
        rep.fail(i, "decoder (" + what + ") gives " + siocodec::to_string(r.error()) + " at " +
                        std::to_string(r.offset()) + " for " + frames_text(text, atts));
        ok = false;
        break;
      }
      if (r->attachment_count != atts.size()) {
        rep.fail(i,
                 "decoder (" + what + "): attachment_count " + std::to_string(r->attachment_count));
        ok = false;
      }
      std::string again;
      const auto e = sio::encode(*r, again);
      std::vector<std::string> got_atts;
      for (std::size_t k = 0; k < r->attachment_count; ++k)
        got_atts.emplace_back(r->attachment(k).as_chars());
      if (!e || again != text || got_atts != atts) {
        rep.fail(i, "encode(decode(frames)) (" + what + ") gives " +
                        (e ? frames_text(again, got_atts)
                           : std::string(siocodec::to_string(e.error()))) +
                        ", expected " + frames_text(text, atts));
        ok = false;
      }
      if (!lax && mode == sio::attachment_mode::copy) {
        std::string want;
        if (!describe_desc(desc_text, want)) {
          rep.fail(i, "unreadable description");
          ok = false;
        } else {
          ++rep.c.semantic;
          const std::string got = describe(*r);
          if (got != want) {
            rep.fail(i, "decoded " + got + ", described " + want);
            ok = false;
          }
        }
      }
    }
    if (!ok) break;
  }
  if (ok) ++rep.c.decoded;
}

// A packet with bytes that are not UTF-8 (gen.js utf8Record): strict decoding (lax or not)
// refuses it with invalid_utf8; with allow_invalid_utf8 it decodes, is flagged, and its namespace
// and payload through utf8::lossy are the packet the reference decoded from Node's lossy string
// (`desc`; null when the reference refuses that, and siocodec must then refuse too).
void check_utf8(reporter& rep, std::size_t i, sio::protocol_version version,
                const std::string& bytes, const ojson& desc) {
  for (const bool lax : {false, true}) {
    sio::decode_options opts;
    opts.version = version;
    opts.lax = lax;
    const auto strict = sio::decode_header(bytes, opts);
    if (strict || (!desc.is_null() && strict.error() != siocodec::errc::invalid_utf8)) {
      rep.fail(i, std::string("without allow_invalid_utf8 (") + (lax ? "lax" : "strict") +
                      "): " + (strict ? "accepted" : siocodec::to_string(strict.error())) +
                      " for " + siocodec_test::hex(bytes));
      return;
    }
    opts.allow_invalid_utf8 = true;
    const auto r = sio::decode_header(bytes, opts);
    if (desc.is_null()) {
      if (r) rep.fail(i, "accepts what the reference refuses: " + siocodec_test::hex(bytes));
      continue;
    }
    if (!r) {
      rep.fail(i, std::string("allow_invalid_utf8 gives ") + siocodec::to_string(r.error()) +
                      " at " + std::to_string(r.offset()) + " for " + siocodec_test::hex(bytes));
      return;
    }
    if (!r->has_invalid_utf8) rep.fail(i, "has_invalid_utf8 not set");
    std::string nsp, data;
    (void)siocodec::utf8::lossy(r->nsp, nsp);
    (void)siocodec::utf8::lossy(r->data, data);
    sio::packet_view q = *r;
    q.nsp = nsp;
    q.data = data;
    std::string want;
    if (!describe_desc(desc.get<std::string>(), want)) {
      rep.fail(i, "unreadable description");
      return;
    }
    const std::string got = describe(q);
    if (got != want) {
      rep.fail(i, "lossy " + got + ", reference " + want + " for " + siocodec_test::hex(bytes));
      return;
    }
  }
  ++rep.c.utf8;
}

ojson frames_json(const std::string& text, const std::vector<std::string>& atts) {
  ojson f = ojson::array();
  ojson t = ojson::object();
  t["text"] = text;
  f.push_back(std::move(t));
  for (const std::string& a : atts) {
    ojson b = ojson::object();
    b["binary"] = siocodec_test::hex(a);
    f.push_back(std::move(b));
  }
  return f;
}

// Step 2 for one packet: the builders. Returns the line for check.js.
ojson check_build(reporter& rep, std::size_t i, sio::protocol_version version, bool exact,
                  const std::string& desc_text, const std::string& text,
                  const std::vector<std::string>& atts) {
  ojson line = ojson::object();
  line["i"] = i;
  const ojson desc = ojson::parse(desc_text, nullptr, false);
  std::deque<std::string> bins;
  const auto data = desc.is_object() ? desc.find("data") : desc.end();
  if (desc.is_discarded() || (data != desc.end() && !siotest::collect_binaries(*data, bins))) {
    rep.fail(i, "the builder path cannot read the description");
    line["error"] = "unreadable description";
    return line;
  }
  sio::encode_options eo;
  eo.version = version;
  std::string why;
  std::string out;
  std::vector<siocodec::byte_view> views;
  siocodec::errc ec = siocodec::errc::none;
  const bool expressible = siotest::with_builder(desc, version, bins, why, [&](const auto& b) {
    const auto r = sio::encode(b, out, views, eo);
    if (!r) ec = r.error();
  });
  if (!expressible) {
    rep.fail(i, "gen.js marked the packet expressible, but: " + why);
    line["error"] = "not expressible";
    return line;
  }
  if (ec != siocodec::errc::none) {
    rep.fail(i, std::string("the builder fails with ") + siocodec::to_string(ec));
    line["error"] = siocodec::to_string(ec);
    return line;
  }
  ++rep.c.built;
  std::vector<std::string> got_atts;
  for (const siocodec::byte_view v : views) got_atts.emplace_back(v.as_chars());
  if (exact) {
    ++rep.c.built_exact;
    if (out != text || got_atts != atts) {
      rep.fail(i, "built " + frames_text(out, got_atts) + ", the reference wrote " +
                      frames_text(text, atts));
    }
  }
  line["frames"] = frames_json(out, got_atts);
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: siocodec_sio_diff <gen.jsonl> <out.jsonl>\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  if (!in || !out) {
    std::fprintf(stderr, "diff: cannot open %s or %s\n", argv[1], argv[2]);
    return 2;
  }
  counts c;
  reporter rep{c};
  std::string line;
  while (std::getline(in, line)) {
    const ojson v = ojson::parse(line, nullptr, false);
    const auto i_it = v.is_object() ? v.find("i") : v.end();
    if (v.is_discarded() || i_it == v.end() || !i_it->is_number_unsigned()) {
      std::fprintf(stderr, "diff: malformed line %zu\n", c.packets);
      return 2;
    }
    const std::size_t i = i_it->get<std::size_t>();
    const auto ver = v.find("version");
    if (v.contains("utf8")) {
      std::string bytes;
      const auto h = v.find("hex");
      const auto d = v.find("desc");
      if (ver == v.end() || h == v.end() || !h->is_string() || d == v.end() ||
          !siocodec_test::unhex(h->get_ref<const std::string&>(), bytes)) {
        std::fprintf(stderr, "diff: malformed packet %zu\n", i);
        return 2;
      }
      check_utf8(
          rep, i,
          ver->get<std::uint64_t>() == 4 ? sio::protocol_version::v4 : sio::protocol_version::v5,
          bytes, *d);
      ojson result = ojson::object();
      result["i"] = i;
      result["skip"] = true;
      out << result.dump() << '\n';
      continue;
    }
    const auto builder = v.find("builder");
    const auto exact = v.find("exact");
    const auto desc = v.find("desc");
    const auto frames = v.find("frames");
    if (ver == v.end() || !ver->is_number_unsigned() || builder == v.end() ||
        !builder->is_boolean() || exact == v.end() || !exact->is_boolean() || desc == v.end() ||
        !desc->is_string() || frames == v.end() || !frames->is_array() || frames->empty() ||
        !(*frames)[0].is_object() || !(*frames)[0].contains("text") ||
        !(*frames)[0]["text"].is_string()) {
      std::fprintf(stderr, "diff: malformed packet %zu\n", i);
      return 2;
    }
    const sio::protocol_version version =
        ver->get<std::uint64_t>() == 4 ? sio::protocol_version::v4 : sio::protocol_version::v5;
    const std::string text = (*frames)[0]["text"].get<std::string>();
    std::vector<std::string> atts;
    for (std::size_t k = 1; k < frames->size(); ++k) {
      std::string bytes;
      const auto b = (*frames)[k].find("binary");
      if (b == (*frames)[k].end() || !b->is_string() ||
          !siocodec_test::unhex(b->get_ref<const std::string&>(), bytes)) {
        std::fprintf(stderr, "diff: malformed frame in packet %zu\n", i);
        return 2;
      }
      atts.push_back(std::move(bytes));
    }
    ++c.packets;
    if (!atts.empty()) ++c.with_attachments;
    const std::string& desc_text = desc->get_ref<const std::string&>();
    check_decode(rep, i, version, text, atts, desc_text);
    ojson result;
    if (builder->get<bool>()) {
      result = check_build(rep, i, version, exact->get<bool>(), desc_text, text, atts);
    } else {
      ++c.not_expressible;
      result = ojson::object();
      result["i"] = i;
      result["skip"] = true;
    }
    out << result.dump(-1, ' ', false, ojson::error_handler_t::replace) << '\n';
  }
  out.close();
  std::printf(
      "diff: %zu reference packets (%zu with attachments): %zu decoded and re-encoded byte for "
      "byte "
      "(borrow/copy, strict/lax), %zu compared with their description; %zu built from their "
      "description (%zu compared byte for byte with the reference), %zu not expressible by the "
      "builders; %zu with invalid UTF-8 refused strictly and decoded lossily as the reference "
      "does; %zu mismatches\n",
      c.packets, c.with_attachments, c.decoded, c.semantic, c.built, c.built_exact,
      c.not_expressible, c.utf8, c.failures);
  return c.failures == 0 && c.packets != 0 ? 0 : 1;
}

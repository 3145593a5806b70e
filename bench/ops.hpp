// SPDX-License-Identifier: BSL-1.0
// The operations the benchmarks time and bench/count.cpp counts: one definition of each.
#ifndef SIOCODEC_BENCH_OPS_HPP
#define SIOCODEC_BENCH_OPS_HPP

#include "workloads.hpp"

#include <siocodec/base64.hpp>
#include <siocodec/bytes.hpp>
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/socketio/default_parser/args.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#include <siocodec/socketio/default_parser/frames.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Every operation is a class with the same shape, so that the benchmarks and the counting tool
// run exactly the same code:
//
//   static constexpr const char* name;         // benchmark group, e.g. "decode"
//   static bool applies(const workload&);      // whether the operation makes sense for it
//   explicit Op(const workload&);              // all preparation (not timed, not counted)
//   std::size_t run();                         // one operation; returns Socket.IO packets
//                                              // handled (Engine.IO packets for w7), 0 on error
//   std::string check();                       // "" when one run() gives the right result
//   std::size_t packets() const, bytes() const // per run(): packets/s and bytes/s
//
// The workload must outlive the operation (views into it are kept).

namespace bench {

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
namespace json = siocodec::json;
using siocodec::byte_view;

/// Keeps the compiler from proving that memory written by an operation is never read.
inline void escape(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  asm volatile("" : : "g"(p) : "memory");
#else
  (void)p;
#endif
}

/// Engine.IO decode options: the defaults, except max_payload. w4 (1,039,398 bytes) is above the
/// reference server's maxHttpBufferSize (1e6), which engine.io-parser itself does not enforce.
inline eio::decode_options eio_options() noexcept {
  eio::decode_options o;
  o.max_payload = std::size_t{1} << 26;
  return o;
}

/// Socket.IO decode options: the defaults (strict), with size limits above every workload.
inline sio::decode_options sio_options() noexcept {
  sio::decode_options o;
  o.max_attachment_bytes = std::size_t{1} << 26;
  o.max_packet_bytes = std::size_t{1} << 28;
  return o;
}

inline std::string error_text(const char* what, siocodec::errc e, std::size_t offset) {
  return std::string(what) + ": " + siocodec::to_string(e) + " at " + std::to_string(offset);
}

/// The Socket.IO texts of a workload: the data of each Engine.IO text message (w6: 64 of them,
/// split out of the polling body; w7: none). Views into the workload.
inline std::vector<std::string_view> socketio_texts(const workload& w) {
  std::vector<std::string_view> out;
  for (const frame& f : w.frames) {
    if (f.kind != eio::frame_kind::text) continue;
    if (w.is_polling()) {
      auto reader = eio::decode_payload(f.bytes, eio::frame_kind::text, eio_options());
      eio::packet_view p;
      while (reader.next(p)) {
        if (p.kind == eio::data_kind::text) out.push_back(p.data);
      }
    } else if (auto r = eio::decode(f.bytes, f.kind, eio_options())) {
      out.push_back(r->data);
    }
  }
  return out;
}

/// Binary frames of a workload, as the attachment views a packet carries.
inline std::vector<byte_view> binary_frames(const workload& w) {
  std::vector<byte_view> out;
  for (const frame& f : w.frames) {
    if (f.kind == eio::frame_kind::binary) out.emplace_back(f.bytes.data(), f.bytes.size());
  }
  return out;
}

inline std::size_t workload_packets(const workload& w) {
  const std::size_t n = socketio_texts(w).size();
  return n == 0 ? 1 : n;  // w7: one Engine.IO binary message
}

// =============================================================================================
// Decoding
// =============================================================================================

/// The whole receive path of a connection: each frame through the Engine.IO decoder (a polling
/// body through the payload reader, base64 decoded into scratch storage), each message through
/// one long-lived Socket.IO decoder (reassembling binary packets), and the event name of each
/// delivered packet located. Borrow mode: attachments are views of the frames.
template <sio::attachment_mode Mode>
class basic_decode_op {
 public:
  static constexpr const char* name =
      Mode == sio::attachment_mode::borrow ? "decode" : "decode_copy";
  static bool applies(const workload& w) {
    return Mode == sio::attachment_mode::borrow || !binary_frames(w).empty();
  }

  explicit basic_decode_op(const workload& w)
      : w_(&w),
        dec_(sio_options(), Mode),
        eopts_(eio_options()),
        packets_(workload_packets(w)),
        polling_(w.is_polling()) {
    if (polling_) scratch_.resize(w.bytes());
  }

  std::size_t run() {
    std::size_t n = 0;
    for (const frame& f : w_->frames) {
      if (polling_) {
        eio::payload_reader reader(f.bytes, f.kind, eopts_,
                                   siocodec::byte_span(scratch_.data(), scratch_.size()));
        eio::packet_view p;
        while (reader.next(p)) {
          if (!deliver(p, n)) return 0;
        }
        if (reader.error() != siocodec::errc::none) return fail(reader.error(), reader.offset());
      } else {
        const auto r = eio::decode(f.bytes, f.kind, eopts_);
        if (!r) return fail(r.error(), r.offset());
        if (!deliver(*r, n)) return 0;
      }
    }
    return n;
  }

  std::string check() {
    checking_ = true;
    const std::size_t n = run();
    checking_ = false;
    if (!problem_.empty()) return problem_;
    if (n != packets_) return "decoded " + std::to_string(n) + " packets";
    return {};
  }

  std::size_t packets() const noexcept { return packets_; }
  std::size_t bytes() const noexcept { return w_->bytes(); }

 private:
  bool deliver(const eio::packet_view& p, std::size_t& n) {
    if (p.type != eio::packet_type::message) return fail(siocodec::errc::invalid_argument, 0);
    if (p.kind != eio::data_kind::text && !dec_.waiting()) {
      // Binary data no Socket.IO header announced (w7): a plain Engine.IO message. The reference
      // Socket.IO decoder would throw here; its Engine.IO layer has decoded the base64 already.
      sum_ += p.data.size();
      ++n;
      return true;
    }
    const auto r = dec_.feed(p);
    if (r) {
      const json::value event = sio::event_name(*r);
      sum_ += event.raw().size() + r->attachment_count;
      ++n;
      if (checking_) verify(*r);
      return true;
    }
    if (r.error() == siocodec::errc::incomplete) return true;
    return fail(r.error(), r.offset());
  }

  void verify(const sio::packet_view& p) {
    if (p.type == sio::packet_type::event || p.type == sio::packet_type::binary_event) {
      if (!sio::event_name(p).is_string()) problem_ = "event name not found";
    }
    const std::vector<byte_view> frames = binary_frames(*w_);
    if (p.attachment_count != frames.size()) problem_ = "wrong attachment count";
    for (std::size_t i = 0; i < frames.size() && problem_.empty(); ++i) {
      const byte_view a = p.attachment(i);
      if (a != frames[i]) problem_ = "attachment " + std::to_string(i) + " differs";
      if (Mode == sio::attachment_mode::borrow && a.data() != frames[i].data()) {
        problem_ = "attachment " + std::to_string(i) + " not borrowed";
      }
    }
  }

  std::size_t fail(siocodec::errc e, std::size_t at) {
    if (checking_ && problem_.empty()) problem_ = error_text("decode", e, at);
    return 0;
  }

  const workload* w_;
  sio::decoder dec_;
  eio::decode_options eopts_;
  std::vector<unsigned char> scratch_;
  std::size_t packets_;
  bool polling_;
  std::size_t sum_ = 0;
  bool checking_ = false;
  std::string problem_;
};

using decode_op = basic_decode_op<sio::attachment_mode::borrow>;
using decode_copy_op = basic_decode_op<sio::attachment_mode::copy>;

/// socketio::decode() alone on each Socket.IO text (header parsed, JSON validated, shape and
/// placeholders checked), then the event name located. No Engine.IO layer, no reassembly.
class sio_decode_op {
 public:
  static constexpr const char* name = "sio_decode";
  static bool applies(const workload& w) { return !socketio_texts(w).empty(); }

  explicit sio_decode_op(const workload& w) : texts_(socketio_texts(w)), opts_(sio_options()) {
    for (std::string_view t : texts_) bytes_ += t.size();
  }

  std::size_t run() noexcept {
    for (std::string_view t : texts_) {
      const auto r = sio::decode_header(t, opts_);
      if (!r) return 0;
      sum_ += sio::event_name(*r).raw().size();
    }
    return texts_.size();
  }
  std::string check() {
    for (std::string_view t : texts_) {
      const auto r = sio::decode_header(t, opts_);
      if (!r) return error_text("socketio::decode", r.error(), r.offset());
    }
    return run() == texts_.size() ? std::string() : "decode failed";
  }
  std::size_t packets() const noexcept { return texts_.size(); }
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  std::vector<std::string_view> texts_;
  sio::decode_options opts_;
  std::size_t bytes_ = 0;
  std::size_t sum_ = 0;
};

/// json::validate() alone on the JSON payload of each Socket.IO text: the floor under
/// sio_decode. bytes() counts JSON bytes only.
class json_validate_op {
 public:
  static constexpr const char* name = "json_validate";
  static bool applies(const workload& w) { return !socketio_texts(w).empty(); }

  explicit json_validate_op(const workload& w) {
    for (std::string_view t : socketio_texts(w)) {
      const auto r = sio::decode_header(t, sio_options());
      if (r) json_.push_back(r->data);
    }
    for (std::string_view j : json_) bytes_ += j.size();
  }

  std::size_t run() noexcept {
    for (std::string_view j : json_) {
      const auto r = json::validate(j);
      if (!r) return 0;
      sum_ += static_cast<std::size_t>(*r);
    }
    return json_.size();
  }
  std::string check() { return run() == json_.size() && !json_.empty() ? "" : "invalid JSON"; }
  std::size_t packets() const noexcept { return json_.size(); }
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  std::vector<std::string_view> json_;
  std::size_t bytes_ = 0;
  std::size_t sum_ = 0;
};

/// engineio::decode() alone on each WebSocket frame (O(1) for text: the type digit).
class eio_decode_op {
 public:
  static constexpr const char* name = "eio_decode";
  static bool applies(const workload& w) { return !w.is_polling(); }

  explicit eio_decode_op(const workload& w) : w_(&w), opts_(eio_options()) {}

  std::size_t run() noexcept {
    for (const frame& f : w_->frames) {
      const auto r = eio::decode(f.bytes, f.kind, opts_);
      if (!r) return 0;
      sum_ += r->data.size();
    }
    return 1;
  }
  std::string check() { return run() == 1 ? "" : "engineio::decode failed"; }
  std::size_t packets() const noexcept { return 1; }
  std::size_t bytes() const noexcept { return w_->bytes(); }

 private:
  const workload* w_;
  eio::decode_options opts_;
  std::size_t sum_ = 0;
};

/// The polling body through engineio::decode_payload(). Without scratch, base64 packets are
/// validated and kept as base64 text; with scratch (payload_decode_b64) they are decoded.
template <bool Scratch>
class basic_payload_decode_op {
 public:
  static constexpr const char* name = Scratch ? "payload_decode_b64" : "payload_decode";
  static bool applies(const workload& w) {
    if (!w.is_polling()) return false;
    return !Scratch ||
           w.frames[0].bytes.find("\x1e"
                                  "b") != std::string::npos ||
           w.frames[0].bytes[0] == 'b';
  }

  explicit basic_payload_decode_op(const workload& w)
      : w_(&w), opts_(eio_options()), packets_(workload_packets(w)) {
    if (Scratch) scratch_.resize(w.bytes());
  }

  std::size_t run() noexcept {
    eio::payload_reader reader(w_->frames[0].bytes, eio::frame_kind::text, opts_,
                               siocodec::byte_span(scratch_.data(), scratch_.size()));
    eio::packet_view p;
    while (reader.next(p)) sum_ += p.data.size();
    if (reader.error() != siocodec::errc::none) return 0;
    return reader.count();
  }
  std::string check() {
    const std::size_t n = run();
    return n == packets_ ? "" : "payload decoded " + std::to_string(n) + " packets";
  }
  std::size_t packets() const noexcept { return packets_; }
  std::size_t bytes() const noexcept { return w_->bytes(); }

 private:
  const workload* w_;
  eio::decode_options opts_;
  std::vector<unsigned char> scratch_;
  std::size_t packets_;
  std::size_t sum_ = 0;
};

using payload_decode_op = basic_payload_decode_op<false>;
using payload_decode_b64_op = basic_payload_decode_op<true>;

/// The base64 text of w7's `b` packet, and the bytes it stands for.
inline bool base64_packet(const workload& w, std::string_view& text) {
  if (w.frames.size() != 1 || w.frames[0].bytes.empty() || w.frames[0].bytes[0] != 'b') {
    return false;
  }
  text = std::string_view(w.frames[0].bytes).substr(1);
  return true;
}

/// base64::decode_to() on w7's text (strict or lax mode), into caller storage.
template <siocodec::base64::mode Mode>
class basic_base64_decode_op {
 public:
  static constexpr const char* name =
      Mode == siocodec::base64::mode::strict ? "base64_decode" : "base64_decode_lax";
  static bool applies(const workload& w) {
    std::string_view t;
    return base64_packet(w, t);
  }
  explicit basic_base64_decode_op(const workload& w) {
    (void)base64_packet(w, text_);
    out_.resize(siocodec::base64::max_decoded_size(text_.size()));
  }
  std::size_t run() noexcept {
    const auto r =
        siocodec::base64::decode_to(text_, siocodec::byte_span(out_.data(), out_.size()), Mode);
    if (!r) return 0;
    escape(out_.data());
    return 1;
  }
  std::string check() {
    const auto r =
        siocodec::base64::decode_to(text_, siocodec::byte_span(out_.data(), out_.size()), Mode);
    if (!r) return error_text("base64::decode_to", r.error(), r.offset());
    return *r == 65536 ? "" : "decoded " + std::to_string(*r) + " bytes";
  }
  std::size_t packets() const noexcept { return 1; }
  std::size_t bytes() const noexcept { return text_.size(); }

 private:
  std::string_view text_;
  std::vector<unsigned char> out_;
};

using base64_decode_op = basic_base64_decode_op<siocodec::base64::mode::strict>;
using base64_decode_lax_op = basic_base64_decode_op<siocodec::base64::mode::lax>;

/// base64::encode_to() of w7's bytes into caller storage. bytes() counts the base64 text
/// written (the same text the decode side reads).
class base64_encode_op {
 public:
  static constexpr const char* name = "base64_encode";
  static bool applies(const workload& w) {
    std::string_view t;
    return base64_packet(w, t);
  }
  explicit base64_encode_op(const workload& w) {
    (void)base64_packet(w, expected_);
    bin_.resize(siocodec::base64::max_decoded_size(expected_.size()));
    const auto r =
        siocodec::base64::decode_to(expected_, siocodec::byte_span(bin_.data(), bin_.size()));
    bin_.resize(r ? *r : 0);
    out_.resize(expected_.size());
  }
  std::size_t run() noexcept {
    const auto r =
        siocodec::base64::encode_to(out_.data(), out_.size(), byte_view(bin_.data(), bin_.size()));
    if (!r) return 0;
    escape(out_.data());
    return 1;
  }
  std::string check() {
    if (run() != 1) return "base64::encode_to failed";
    return std::string_view(out_.data(), out_.size()) == expected_ ? "" : "output differs";
  }
  std::size_t packets() const noexcept { return 1; }
  std::size_t bytes() const noexcept { return expected_.size(); }

 private:
  std::string_view expected_;
  std::vector<unsigned char> bin_;
  std::vector<char> out_;
};

// =============================================================================================
// Encoding
// =============================================================================================

/// A JSON value as a C++ program holds it before sending: strings, numbers, containers, and
/// binary attachments as views. The encoders write it through the argument writer
/// (arg_traits<node> below), as JS writes its objects through JSON.stringify.
struct node {
  enum class type : std::uint8_t { null, boolean, integer, number, string, array, object, binary };
  type t = type::null;
  bool b = false;
  std::int64_t i = 0;
  double d = 0;
  std::string s;            // a string's content (UTF-8, unescaped)
  std::string key;          // the member name, when this node is an object member
  std::vector<node> items;  // array elements, or object members
  byte_view bin;            // a binary attachment
};

}  // namespace bench

template <>
struct siocodec::socketio::arg_traits<bench::node> {
  static void write(siocodec::socketio::args_writer& w, const bench::node& n) {
    if (!write_scalar(w, n)) write_container(w, n);
  }

 private:
  // A generic walk of the tree, every value through its own args_writer call. The loops over a
  // container's items write scalar items in place and recurse only into containers, as a
  // hand-written walk would (a call per leaf would cost more than some of the writes).
  SIOCODEC_ALWAYS_INLINE static bool write_scalar(siocodec::socketio::args_writer& w,
                                                  const bench::node& n) {
    using t = bench::node::type;
    switch (n.t) {
      case t::null: w.null(); return true;
      case t::boolean: w.boolean(n.b); return true;
      case t::integer: w.integer(n.i); return true;
      case t::number: w.number(n.d); return true;
      case t::string: w.string(n.s); return true;
      case t::binary: w.binary(n.bin); return true;
      case t::array:
      case t::object: break;
    }
    return false;
  }
  static void write_container(siocodec::socketio::args_writer& w, const bench::node& n) {
    if (n.t == bench::node::type::array) {
      w.begin_array();
      for (const bench::node& e : n.items) {
        if (!write_scalar(w, e)) write_container(w, e);
      }
      w.end_array();
    } else {
      w.begin_object();
      for (const bench::node& m : n.items) {
        w.key(m.key);
        if (!write_scalar(w, m)) write_container(w, m);
      }
      w.end_object();
    }
  }
};

namespace bench {

/// Builds the node for JSON value `v` of packet `p` (placeholders become their attachments).
inline node make_node(const json::value& v, const sio::packet_view& p) {
  node n;
  byte_view att;
  if (sio::resolve_placeholder(p, v, att)) {
    n.t = node::type::binary;
    n.bin = att;
    return n;
  }
  switch (v.type()) {
    case json::kind::null: n.t = node::type::null; break;
    case json::kind::boolean:
      n.t = node::type::boolean;
      n.b = v.get_bool();
      break;
    case json::kind::number:
      if (v.is_integer() && v.to_int64()) {
        n.t = node::type::integer;
        n.i = *v.to_int64();
      } else {
        n.t = node::type::number;
        n.d = v.to_double().value_or(0.0);
      }
      break;
    case json::kind::string:
      n.t = node::type::string;
      (void)v.unescape(n.s);
      break;
    case json::kind::array:
      n.t = node::type::array;
      for (const json::value& e : v.elements()) n.items.push_back(make_node(e, p));
      break;
    case json::kind::object:
      n.t = node::type::object;
      for (const json::member& m : v.members()) {
        n.items.push_back(make_node(m.val, p));
        (void)m.key.unescape(n.items.back().key);
      }
      break;
  }
  return n;
}

/// One Socket.IO packet of a workload, ready to be encoded from C++ values (type, namespace, ack
/// id, event name, arguments) or from its raw JSON (the packet_view as decoded, attachments
/// pointing at the workload's binary frames).
struct prepared_packet {
  sio::packet_type type = sio::packet_type::event;
  std::string nsp;
  std::optional<std::uint64_t> id;
  std::string event;
  std::vector<node> args;
  sio::packet_view raw;
};

/// Decodes the workload's packets once (each with a fresh borrow-mode decoder, so attachment
/// views point into the workload) and turns them into prepared packets.
inline std::vector<prepared_packet> prepare_packets(const workload& w,
                                                    std::vector<byte_view>& attachments) {
  std::vector<prepared_packet> out;
  attachments = binary_frames(w);
  for (std::string_view text : socketio_texts(w)) {
    sio::decoder dec(sio_options());
    auto r = dec.feed(text, eio::frame_kind::text);
    for (std::size_t i = 0; r.error() == siocodec::errc::incomplete && i < attachments.size();
         ++i) {
      r = dec.feed(attachments[i], eio::frame_kind::binary);
    }
    if (!r) die(w.name + ": " + error_text("prepare", r.error(), r.offset()));
    prepared_packet pk;
    pk.type = r->type;
    pk.nsp = std::string(r->nsp);
    pk.id = r->id;
    pk.raw = *r;
    pk.raw.attachments = attachments.empty() ? nullptr : attachments.data();
    const json::value root = sio::payload(*r);
    std::size_t first = 0;
    if (r->type == sio::packet_type::event || r->type == sio::packet_type::binary_event) {
      (void)sio::event_name(*r).unescape(pk.event);
      first = 1;
    }
    std::size_t i = 0;
    for (const json::value& e : root.elements()) {
      if (i++ >= first) pk.args.push_back(make_node(e, *r));
    }
    out.push_back(std::move(pk));
  }
  return out;
}

/// True when two nodes hold the same JSON value (numbers compared by value, so `-944.0` read as
/// a double equals `-944` read as an integer) and the same attachment bytes.
inline bool same_node(const node& a, const node& b) {
  const auto numeric = [](const node& n) {
    return n.t == node::type::integer ? static_cast<double>(n.i) : n.d;
  };
  const bool a_num = a.t == node::type::integer || a.t == node::type::number;
  const bool b_num = b.t == node::type::integer || b.t == node::type::number;
  if (a_num || b_num) return a_num && b_num && numeric(a) == numeric(b) && a.key == b.key;
  if (a.t != b.t || a.b != b.b || a.s != b.s || a.key != b.key || a.bin != b.bin) return false;
  if (a.items.size() != b.items.size()) return false;
  for (std::size_t i = 0; i < a.items.size(); ++i) {
    if (!same_node(a.items[i], b.items[i])) return false;
  }
  return true;
}

inline bool same_packet(const prepared_packet& a, const prepared_packet& b) {
  if (a.type != b.type || a.nsp != b.nsp || a.id != b.id || a.event != b.event) return false;
  if (a.args.size() != b.args.size()) return false;
  for (std::size_t i = 0; i < a.args.size(); ++i) {
    if (!same_node(a.args[i], b.args[i])) return false;
  }
  return true;
}

/// Calls f(builder) with the packet builder that writes `pk` from its C++ values: event(name,
/// args...) or ack(id, args...), with its namespace and ack id.
template <class F>
auto with_builder(const prepared_packet& pk, F&& f) {
  const auto args = [&pk](sio::args_writer& w) {
    for (const node& a : pk.args) w.value(a);
  };
  if (pk.type == sio::packet_type::ack || pk.type == sio::packet_type::binary_ack) {
    return f(sio::ack(pk.id.value_or(0), args).nsp(pk.nsp));
  }
  auto b = sio::event(pk.event, args).nsp(pk.nsp);
  if (pk.id) b.id(*pk.id);
  return f(b);
}

/// How an encoder's output is stored.
enum class output {
  caller_buffer,  ///< a buffer the caller owns and reuses: encode_to / encode_frames_to
  new_string,     ///< a new std::string per operation: encode / encode_frames (one allocation)
};
/// What the packet is built from.
enum class source {
  values,    ///< C++ values through the argument writer (builders)
  raw_json,  ///< a packet_view whose data is JSON text already serialized
};

/// The whole send path: the packet(s) of a workload encoded into the Engine.IO v4 frames that
/// carry them, byte-identical to the workload. WebSocket workloads: socketio::encode_frames*
/// (text frame `4<packet>`, attachments as zero-copy binary frames). w6: 64 packets encoded with
/// socketio::encode_to into scratch, then one engineio::encode_payload* body. w7: the binary
/// message as one `b<base64>` body.
template <source Source, output Output>
class basic_encode_op {
 public:
  static constexpr const char* name =
      Source == source::raw_json
          ? (Output == output::caller_buffer ? "encode_raw" : "encode_raw_string")
          : (Output == output::caller_buffer ? "encode" : "encode_string");
  static bool applies(const workload& w) {
    return Source == source::values || !socketio_texts(w).empty();
  }

  explicit basic_encode_op(const workload& w) : w_(&w), polling_(w.is_polling()) {
    packets_ = prepare_packets(w, attachments_);
    const std::size_t total = w.bytes();
    out_.resize(total + 64);
    if (packets_.empty()) {  // w7: the bytes of the `b` packet
      std::string_view text;
      if (base64_packet(w, text)) (void)siocodec::base64::decode(text, blob_);
    } else if (polling_) {
      scratch_.resize(total);
      eio_packets_.resize(packets_.size());
    }
  }

  std::size_t run() {
    if (packets_.empty()) return run_binary_body();
    if (polling_) return run_polling();
    std::size_t n = 0;
    for (const prepared_packet& pk : packets_) {
      const auto r = encode_one(pk);
      if (!r) return fail(r.error(), r.offset());
      ++n;
    }
    return n;
  }

  std::string check() {
    checking_ = true;
    sent_.clear();
    const std::size_t n = run();
    checking_ = false;
    if (!problem_.empty()) return problem_;
    if (n != packets()) return "encoded " + std::to_string(n) + " packets";
    if (sent_.size() != w_->frames.size()) {
      return "sent " + std::to_string(sent_.size()) + " frames, workload has " +
             std::to_string(w_->frames.size());
    }
    bool identical = true;
    for (std::size_t i = 0; i < sent_.size(); ++i) identical &= sent_[i] == w_->frames[i].bytes;
    if (identical || packets_.empty()) {
      return identical ? std::string() : std::string("body differs");
    }
    // Not byte-identical: w4 was written by Python, which prints the double -944 as `-944.0`
    // where JSON.stringify (and so the encoder) writes `-944`. The output must then decode to
    // the same packets.
    workload again;
    again.name = w_->name;
    for (std::size_t i = 0; i < sent_.size(); ++i)
      again.frames.push_back({w_->frames[i].kind, sent_[i]});
    std::vector<byte_view> atts;
    const std::vector<prepared_packet> back = prepare_packets(again, atts);
    if (back.size() != packets_.size()) return "output decodes to another packet count";
    for (std::size_t i = 0; i < back.size(); ++i) {
      if (!same_packet(back[i], packets_[i])) return "packet " + std::to_string(i) + " differs";
    }
    return {};
  }

  std::size_t packets() const noexcept { return packets_.empty() ? 1 : packets_.size(); }
  std::size_t bytes() const noexcept { return w_->bytes(); }

 private:
  void sent(std::string_view prefix, std::string_view data) {
    sum_ += prefix.size() + data.size();
    if (checking_) sent_.push_back(std::string(prefix) + std::string(data));
  }

  siocodec::result<std::size_t> encode_one(const prepared_packet& pk) {
    const auto send = [this](const eio::frame& f) { sent(f.prefix, f.data); };
    if constexpr (Source == source::raw_json) {
      if constexpr (Output == output::caller_buffer) {
        return sio::encode_frames_to(out_.data(), out_.size(), pk.raw, fopts_, send);
      } else {
        std::string s;
        return sio::encode_frames(pk.raw, s, fopts_, send);
      }
    } else {
      return with_builder(pk, [&](const auto& b) {
        atts_.clear();
        if constexpr (Output == output::caller_buffer) {
          return sio::encode_frames_to(out_.data(), out_.size(), b, atts_, fopts_, send);
        } else {
          std::string s;
          return sio::encode_frames(b, s, atts_, fopts_, send);
        }
      });
    }
  }

  std::size_t run_polling() {
    char* p = scratch_.data();
    std::size_t left = scratch_.size();
    for (std::size_t i = 0; i < packets_.size(); ++i) {
      siocodec::result<std::size_t> r(siocodec::errc::invalid_argument);
      if constexpr (Source == source::raw_json) {
        r = sio::encode_to(p, left, packets_[i].raw);
      } else {
        r = with_builder(packets_[i], [&](const auto& b) { return sio::encode_to(p, left, b); });
      }
      if (!r) return fail(r.error(), r.offset());
      eio_packets_[i] = eio::packet_view::text(eio::packet_type::message, {p, *r});
      p += *r;
      left -= *r;
    }
    return finish_body(eio_packets_.data(), eio_packets_.size()) ? packets_.size() : 0;
  }

  std::size_t run_binary_body() {
    const eio::packet_view pk = eio::packet_view::binary(byte_view(blob_.data(), blob_.size()));
    return finish_body(&pk, 1) ? 1 : 0;
  }

  bool finish_body(const eio::packet_view* pks, std::size_t n) {
    if constexpr (Output == output::caller_buffer) {
      const auto r = eio::encode_payload_to(out_.data(), out_.size(), pks, n);
      if (!r) return fail(r.error(), r.offset()) != 0;
      sent({}, std::string_view(out_.data(), *r));
    } else {
      std::string s;
      const auto r = eio::encode_payload(pks, n, s);
      if (!r) return fail(r.error(), r.offset()) != 0;
      sent({}, s);
    }
    return true;
  }

  std::size_t fail(siocodec::errc e, std::size_t at) {
    if (checking_ && problem_.empty()) problem_ = error_text("encode", e, at);
    return 0;
  }

  const workload* w_;
  bool polling_;
  std::vector<byte_view> attachments_;
  std::vector<prepared_packet> packets_;
  std::vector<unsigned char> blob_;
  std::vector<char> out_;
  std::vector<char> scratch_;
  std::vector<eio::packet_view> eio_packets_;
  sio::attachment_list<16> atts_;
  eio::transport_options fopts_;
  std::size_t sum_ = 0;
  bool checking_ = false;
  std::vector<std::string> sent_;
  std::string problem_;
};

using encode_op = basic_encode_op<source::values, output::caller_buffer>;
using encode_string_op = basic_encode_op<source::values, output::new_string>;
using encode_raw_op = basic_encode_op<source::raw_json, output::caller_buffer>;
using encode_raw_string_op = basic_encode_op<source::raw_json, output::new_string>;

/// engineio::encode_to() alone for each WebSocket frame: `4` + the Socket.IO text (a copy), or
/// a binary frame.
/// The Engine.IO messages of a WebSocket workload (text without its `4`, binary as it is).
inline std::vector<eio::packet_view> engine_messages(const workload& w) {
  std::vector<eio::packet_view> out;
  for (const frame& f : w.frames) {
    if (f.kind == eio::frame_kind::text) {
      out.push_back(
          eio::packet_view::text(eio::packet_type::message, std::string_view(f.bytes).substr(1)));
    } else {
      out.push_back(eio::packet_view::binary(byte_view(f.bytes.data(), f.bytes.size())));
    }
  }
  return out;
}

class eio_encode_op {
 public:
  static constexpr const char* name = "eio_encode";
  static bool applies(const workload& w) { return !w.is_polling(); }
  explicit eio_encode_op(const workload& w) : w_(&w), pks_(engine_messages(w)) {
    out_.resize(w.bytes() + 16);
  }
  std::size_t run() noexcept {
    for (const eio::packet_view& p : pks_) {
      const auto r = eio::encode_to(out_.data(), out_.size(), p);
      if (!r) return 0;
      escape(out_.data());
    }
    return 1;
  }
  std::string check() {
    for (std::size_t i = 0; i < pks_.size(); ++i) {
      const auto r = eio::encode_to(out_.data(), out_.size(), pks_[i]);
      if (!r) return error_text("engineio::encode_to", r.error(), r.offset());
      if (std::string_view(out_.data(), *r) != w_->frames[i].bytes) return "frame differs";
    }
    return {};
  }
  std::size_t packets() const noexcept { return 1; }
  std::size_t bytes() const noexcept { return w_->bytes(); }

 private:
  const workload* w_;
  std::vector<eio::packet_view> pks_;
  std::vector<char> out_;
};

/// engineio::encode_payload_to() of a polling body from its Engine.IO packets (w6: 64 text
/// packets; w7: one binary packet, base64-encoded).
class payload_encode_op {
 public:
  static constexpr const char* name = "payload_encode";
  static bool applies(const workload& w) { return w.is_polling(); }
  explicit payload_encode_op(const workload& w) : w_(&w) {
    auto reader = eio::decode_payload(w.frames[0].bytes, eio::frame_kind::text, eio_options());
    eio::packet_view p;
    while (reader.next(p)) {
      if (p.kind == eio::data_kind::base64) {
        blob_.emplace_back();
        (void)siocodec::base64::decode(p.data, blob_.back());
        p = eio::packet_view::binary(byte_view(blob_.back().data(), blob_.back().size()));
      }
      pks_.push_back(p);
    }
    out_.resize(w.bytes() + 16);
  }
  std::size_t run() noexcept {
    const auto r = eio::encode_payload_to(out_.data(), out_.size(), pks_.data(), pks_.size());
    if (!r) return 0;
    escape(out_.data());
    return pks_.size();
  }
  std::string check() {
    const auto r = eio::encode_payload_to(out_.data(), out_.size(), pks_.data(), pks_.size());
    if (!r) return error_text("engineio::encode_payload_to", r.error(), r.offset());
    return std::string_view(out_.data(), *r) == w_->frames[0].bytes ? "" : "body differs";
  }
  std::size_t packets() const noexcept { return pks_.size(); }
  std::size_t bytes() const noexcept { return w_->bytes(); }

 private:
  const workload* w_;
  std::vector<std::vector<unsigned char>> blob_;
  std::vector<eio::packet_view> pks_;
  std::vector<char> out_;
};

/// The floor: std::memcpy of every byte of the workload into a buffer the caller owns.
class memcpy_op {
 public:
  static constexpr const char* name = "memcpy";
  static bool applies(const workload&) { return true; }
  explicit memcpy_op(const workload& w) : w_(&w), out_(w.bytes()) {}
  std::size_t run() noexcept {
    char* p = out_.data();
    for (const frame& f : w_->frames) {
      std::memcpy(p, f.bytes.data(), f.bytes.size());
      p += f.bytes.size();
    }
    escape(out_.data());
    return packets_;
  }
  std::string check() { return {}; }
  std::size_t packets() const noexcept { return packets_; }
  std::size_t bytes() const noexcept { return w_->bytes(); }

 private:
  const workload* w_;
  std::vector<char> out_;
  std::size_t packets_ = workload_packets(*w_);
};

}  // namespace bench

#endif  // SIOCODEC_BENCH_OPS_HPP

// SPDX-License-Identifier: BSL-1.0
// msgpack_args_writer: the msgpack model of the writer concept, which writes the arguments of a
// packet built from C++ values as msgpack (binary values inline as bin), in two passes: one that
// measures (and records container header sizes), one that writes.
#ifndef SIOCODEC_SOCKETIO_MSGPACK_PARSER_ARGS_WRITER_HPP
#define SIOCODEC_SOCKETIO_MSGPACK_PARSER_ARGS_WRITER_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/msgpack/writer.hpp>
#include <siocodec/result.hpp>
#include <siocodec/socketio/arg_traits.hpp>
#include <siocodec/socketio/builders.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

class msgpack_args_writer;

namespace detail {
struct mp_counter;
struct mp_writer;
struct mp_plan;
struct mp_access;
}  // namespace detail

/// The msgpack counterpart of args_writer: writes the values of a packet built from C++ values
/// (see msgpack_encode()). Same calls, same rules (one top-level value, keys and values
/// alternate in objects, the first error is kept and later calls are ignored); binary values
/// are written inline as bin (no placeholders), and JSON given to raw() is converted to msgpack.
///
/// Values are written by value<T>() through arg_traits<T>, the dispatch args_writer uses too
/// (arg_traits.hpp), plus msgpack::value (copied verbatim); json::value and raw_json are
/// converted. A callback or an arg_traits specialization reaches this writer only if it
/// accepts it: write them generically, `[&](auto& w) { w.value(x); }` and
/// `template <class W> static void write(W& w, const T& v)`, and the same code serves both
/// parsers; a specialization that takes `args_writer&` only is a compile error here (a
/// static_assert naming arg_traits).
///
/// Numbers follow notepack.io: integer() in the smallest integer form; number() as an integer
/// when its value is integral, else float 64 (NaN and ±Infinity stay float 64: msgpack can
/// carry them, JSON writes null).
///
/// Arrays and maps announce their element count in their header, which a writer that is given
/// elements one at a time does not know at the start. The measuring pass records the header
/// size of the first mp_plan_containers (1024) arrays and maps, so the writing pass leaves
/// exactly that room and fills the header in when the container closes; any later container is
/// written without room and moved up by its header size when it closes (a memmove of its bytes,
/// once per such enclosing container). Nothing is allocated either way.
///
/// Errors (error()): those of args_writer but too_many_attachments (binary values are not
/// counted against any limit), plus invalid_argument for an array or map of 2^32 elements or
/// more, or a str or bin of 2^32 bytes or more.
class msgpack_args_writer {
 public:
  msgpack_args_writer(const msgpack_args_writer&) = delete;
  msgpack_args_writer& operator=(const msgpack_args_writer&) = delete;

  /// nil.
  msgpack_args_writer& null() noexcept;
  /// notepack.io's undefined (`d4 00 00`).
  msgpack_args_writer& undefined() noexcept;
  /// c3 / c2.
  msgpack_args_writer& boolean(bool b) noexcept;
  /// A JavaScript number, as notepack.io writes it (msgpack::emit_number).
  msgpack_args_writer& number(double d) noexcept;
  /// An integer in the smallest form (msgpack::emit_int / emit_uint), all 64 bits kept.
  template <
      class Int,
      std::enable_if_t<std::is_integral<Int>::value && !std::is_same<Int, bool>::value, int> = 0>
  msgpack_args_writer& integer(Int v) noexcept;
  /// A str. Errors: invalid_utf8.
  msgpack_args_writer& string(std::string_view utf8) noexcept;
  /// A bin holding `bytes` (copied into the output).
  msgpack_args_writer& binary(byte_view bytes) noexcept;
  /// Pre-serialized JSON, converted to msgpack (numbers written without fraction or exponent
  /// stay exact 64-bit integers; others become doubles as JSON.parse reads them; strings are
  /// unescaped, a lone surrogate escape becoming U+FFFD). Trusted like raw_json: not validated
  /// beyond what the conversion needs. Errors: invalid_argument (empty text), invalid_utf8,
  /// nesting_too_deep.
  msgpack_args_writer& raw(std::string_view json) noexcept;
  /// An already encoded msgpack value, copied verbatim (trusted; the absent value is
  /// invalid_argument).
  msgpack_args_writer& raw_msgpack(const msgpack::value& v) noexcept;
  /// An array ... end_array().
  msgpack_args_writer& begin_array() noexcept;
  msgpack_args_writer& end_array() noexcept;
  /// A map ... end_object(); inside, alternate key() and one value (or use member()).
  msgpack_args_writer& begin_object() noexcept;
  msgpack_args_writer& end_object() noexcept;
  /// A map key (a str); the next value is its value.
  msgpack_args_writer& key(std::string_view utf8) noexcept;

  /// Any value arg_traits<T> knows how to write (the dispatch both parsers share).
  template <class T>
  msgpack_args_writer& value(const T& v) {
    static_assert(detail::writes_with<T, msgpack_args_writer>::value,
                  "siocodec: arg_traits<T>::write takes args_writer& only, which serves the "
                  "default parser; write it as `template <class W> static void write(W&, "
                  "const T&)` to serve the msgpack parser too");
    arg_traits<T>::write(*this, v);
    return *this;
  }
  /// value() for each argument, in order.
  template <class... T>
  msgpack_args_writer& values(const T&... v) {
    (value(v), ...);
    return *this;
  }
  /// key(k) then value(v).
  template <class T>
  msgpack_args_writer& member(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  /// The first error so far (error::none while all is well).
  ::SIOCODEC_NAMESPACE::error error() const noexcept { return error_; }
  /// Binary values written so far.
  std::size_t attachment_count() const noexcept { return binaries_; }
  /// The protocol being written (encode_options::version).
  protocol_version version() const noexcept { return version_; }

 private:
  friend struct detail::mp_access;
  // The builders' own nesting bound, whatever encode_options::max_depth says: the writer keeps
  // per-level state in fixed arrays (no allocation), and 256 is twice the decoders' default.
  static constexpr std::size_t depth_limit = 256;

  msgpack_args_writer(detail::mp_counter* counter, detail::mp_writer* writer, detail::mp_plan* plan,
                      const encode_options& opts) noexcept;

  template <class F>
  decltype(auto) out(F&& f) noexcept;
  bool begin_value(msgpack::kind k) noexcept;
  void fail(::SIOCODEC_NAMESPACE::error e) noexcept {
    if (error_ == ::SIOCODEC_NAMESPACE::error::none) error_ = e;
  }
  bool in_map() const noexcept {
    const std::size_t top = depth_ - 1;
    return depth_ != 0 && ((map_bits_[top / 64] >> (top % 64)) & 1U) != 0;
  }
  msgpack_args_writer& open(bool map) noexcept;
  msgpack_args_writer& close(bool map) noexcept;
  void json_string(const json::value& s, bool as_key) noexcept;
  void transcode(const json::value& v) noexcept;

  detail::mp_counter* counter_;
  detail::mp_writer* writer_;
  detail::mp_plan* plan_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  std::size_t top_values_ = 0;
  std::size_t binaries_ = 0;
  std::size_t containers_ = 0;  // opened so far: the pre-order index of the next one
  // Per open container: its elements so far (maps: pairs); the measuring pass keeps its
  // pre-order index in starts_, the writing pass the offset of its header (or, for a container
  // written without room, of its first element) and in reserved_ the header size left free (0:
  // none).
  std::uint32_t counts_[depth_limit];
  std::size_t starts_[depth_limit];
  unsigned char reserved_[depth_limit];
  std::uint64_t map_bits_[depth_limit / 64] = {};
  ::SIOCODEC_NAMESPACE::error error_ = ::SIOCODEC_NAMESPACE::error::none;
  msgpack::kind top_kind_ = msgpack::kind::nil;
  protocol_version version_;
  bool after_key_ = false;
};

/// Containers whose header size the measuring pass records (see msgpack_args_writer).
constexpr std::size_t mp_plan_containers = 1024;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

inline bool is_utf8(std::string_view s) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(s.data(), s.size()) == s.size();
}

// The measuring sink of the builders.
struct mp_counter {
  std::size_t n = 0;
  bool overflow = false;
  static constexpr bool counting = true;
  void add(std::size_t k) noexcept {
    n += k;
    overflow |= n < k;
  }
  void put(char) noexcept { add(1); }
  void append(const char*, std::size_t k) noexcept { add(k); }
};

// The writing sink of the builders: bounded by the measured size (the callbacks run again and
// nothing guarantees they write the same thing), with room for container headers. It declares
// no `counting`, so the emitters validate strings again (msgpack::detail::validated_pass).
struct mp_writer {
  char* base;
  std::size_t pos;
  std::size_t cap;
  bool overflow = false;

  void put(char c) noexcept {
    if (pos == cap) {
      overflow = true;
      return;
    }
    base[pos++] = c;
  }
  void append(const char* s, std::size_t k) noexcept {
    if (k > cap - pos) {
      overflow = true;
      pos = cap;
      return;
    }
    if (k != 0) std::memcpy(base + pos, s, k);
    pos += k;
  }
};

// A header (at most 5 bytes) collected before it is placed.
struct mp_small {
  char b[9];
  std::size_t n = 0;
  void put(char c) noexcept { b[n++] = c; }
  void append(const char* s, std::size_t k) noexcept {
    std::memcpy(b + n, s, k);
    n += k;
  }
};

// What the measuring pass of a builder found, for the writing pass.
struct mp_plan {
  std::size_t data_bytes = 0;
  std::size_t containers = 0;
  // Header size class per container, in pre-order: 0 = 1 byte, 1 = 3 bytes, 2 = 5 bytes.
  unsigned char classes[mp_plan_containers / 4] = {};
  bool has_data = false;
  std::size_t binaries = 0;
  msgpack::kind top = msgpack::kind::nil;

  static unsigned class_of(std::size_t header) noexcept {
    return header == 1 ? 0 : header == 3 ? 1 : 2;
  }
  void record(std::size_t index, std::size_t header) noexcept {
    if (index >= mp_plan_containers) return;
    const unsigned shift = static_cast<unsigned>(2 * (index % 4));
    const unsigned kept = static_cast<unsigned>(classes[index / 4]) & ~(3u << shift);
    classes[index / 4] = static_cast<unsigned char>(kept | (class_of(header) << shift));
  }
  std::size_t header_of(std::size_t index) const noexcept {
    const unsigned shift = static_cast<unsigned>(2 * (index % 4));
    const unsigned c = (static_cast<unsigned>(classes[index / 4]) >> shift) & 3u;
    return c == 0 ? 1 : c == 1 ? 3 : 5;
  }
};

struct mp_access {
  static msgpack_args_writer counting(mp_counter* c, mp_plan* plan,
                                      const encode_options& o) noexcept {
    return msgpack_args_writer(c, nullptr, plan, o);
  }
  static msgpack_args_writer writing(mp_writer* w, mp_plan* plan,
                                     const encode_options& o) noexcept {
    return msgpack_args_writer(nullptr, w, plan, o);
  }
  static error finish(msgpack_args_writer& a) noexcept {
    if (a.error_ == error::none && a.depth_ != 0) a.fail(error::invalid_argument);
    return a.error_;
  }
  static bool has_value(const msgpack_args_writer& a) noexcept { return a.top_values_ != 0; }
  static msgpack::kind top_kind(const msgpack_args_writer& a) noexcept { return a.top_kind_; }
  static std::size_t containers(const msgpack_args_writer& a) noexcept { return a.containers_; }
};

}  // namespace detail

inline msgpack_args_writer::msgpack_args_writer(detail::mp_counter* counter,
                                                detail::mp_writer* writer, detail::mp_plan* plan,
                                                const encode_options& opts) noexcept
    : counter_(counter),
      writer_(writer),
      plan_(plan),
      max_depth_(opts.max_depth < depth_limit ? opts.max_depth : depth_limit),
      version_(opts.version) {}

template <class F>
decltype(auto) msgpack_args_writer::out(F&& f) noexcept {
  if (writer_ != nullptr) return f(*writer_);
  return f(*counter_);
}

inline bool msgpack_args_writer::begin_value(msgpack::kind k) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return false;
  if (depth_ == 0) {
    if (top_values_ != 0) {  // a payload is one value
      fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
      return false;
    }
    ++top_values_;
    top_kind_ = k;
    return true;
  }
  if (in_map()) {
    if (!after_key_) {
      fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
      return false;
    }
    after_key_ = false;
    return true;
  }
  if (counts_[depth_ - 1] == 0xFFFFFFFFu) {  // no array form holds more
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return false;
  }
  ++counts_[depth_ - 1];
  return true;
}

inline msgpack_args_writer& msgpack_args_writer::null() noexcept {
  if (begin_value(msgpack::kind::nil)) out([](auto& w) { msgpack::emit_nil(w); });
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::undefined() noexcept {
  if (begin_value(msgpack::kind::undefined)) out([](auto& w) { msgpack::emit_undefined(w); });
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::boolean(bool b) noexcept {
  if (begin_value(msgpack::kind::boolean)) out([b](auto& w) { msgpack::emit_bool(w, b); });
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::number(double d) noexcept {
  const bool integral = std::isfinite(d) && std::floor(d) == d;
  if (begin_value(integral ? msgpack::kind::integer : msgpack::kind::floating)) {
    out([d](auto& w) { msgpack::emit_number(w, d); });
  }
  return *this;
}

template <class Int,
          std::enable_if_t<std::is_integral<Int>::value && !std::is_same<Int, bool>::value, int>>
msgpack_args_writer& msgpack_args_writer::integer(Int v) noexcept {
  if (!begin_value(msgpack::kind::integer)) return *this;
  if constexpr (std::is_signed<Int>::value) {
    out([v](auto& w) { msgpack::emit_int(w, static_cast<std::int64_t>(v)); });
  } else {
    out([v](auto& w) { msgpack::emit_uint(w, static_cast<std::uint64_t>(v)); });
  }
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::string(std::string_view utf8) noexcept {
  if (!begin_value(msgpack::kind::string)) return *this;
  const ::SIOCODEC_NAMESPACE::error e =
      out([utf8](auto& w) { return msgpack::emit_string(w, utf8); });
  if (e != ::SIOCODEC_NAMESPACE::error::none) fail(e);
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::binary(byte_view bytes) noexcept {
  if (!begin_value(msgpack::kind::binary)) return *this;
  const ::SIOCODEC_NAMESPACE::error e =
      out([bytes](auto& w) { return msgpack::emit_binary(w, bytes); });
  if (e != ::SIOCODEC_NAMESPACE::error::none) fail(e);
  ++binaries_;
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::raw_msgpack(const msgpack::value& v) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return *this;
  if (!v.exists()) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  if (begin_value(v.type())) out([&v](auto& w) { msgpack::emit_value(w, v); });
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::open(bool map) noexcept {
  if (!begin_value(map ? msgpack::kind::map : msgpack::kind::array)) return *this;
  if (depth_ >= max_depth_) {
    fail(::SIOCODEC_NAMESPACE::error::nesting_too_deep);
    return *this;
  }
  const std::size_t index = containers_++;
  const std::uint64_t bit = std::uint64_t{1} << (depth_ % 64);
  if (map) {
    map_bits_[depth_ / 64] |= bit;
  } else {
    map_bits_[depth_ / 64] &= ~bit;
  }
  counts_[depth_] = 0;
  if (writer_ == nullptr) {
    starts_[depth_] = index;
  } else {
    starts_[depth_] = writer_->pos;
    reserved_[depth_] = 0;
    if (index < mp_plan_containers) {
      // Room for the header the measuring pass saw; filled in by close().
      const std::size_t h = plan_->header_of(index);
      if (h > writer_->cap - writer_->pos) {
        fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
        return *this;
      }
      writer_->pos += h;
      reserved_[depth_] = static_cast<unsigned char>(h);
    }
  }
  ++depth_;
  after_key_ = false;
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::close(bool map) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return *this;
  if (depth_ == 0 || in_map() != map || after_key_) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  --depth_;
  const std::size_t n = counts_[depth_];
  const std::size_t h = msgpack::container_header_size(n);
  detail::mp_small head;
  (void)(map ? msgpack::emit_map_header(head, n) : msgpack::emit_array_header(head, n));
  if (writer_ == nullptr) {
    counter_->add(h);
    plan_->record(starts_[depth_], h);
    return *this;
  }
  detail::mp_writer& w = *writer_;
  const std::size_t start = starts_[depth_];
  if (reserved_[depth_] != 0) {
    // A second run of the callbacks that changed the element count could need another size.
    if (reserved_[depth_] != h) {
      fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
      return *this;
    }
    std::memcpy(w.base + start, head.b, h);
    return *this;
  }
  if (h > w.cap - w.pos) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  std::memmove(w.base + start + h, w.base + start, w.pos - start);
  std::memcpy(w.base + start, head.b, h);
  w.pos += h;
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::begin_array() noexcept { return open(false); }
inline msgpack_args_writer& msgpack_args_writer::end_array() noexcept { return close(false); }
inline msgpack_args_writer& msgpack_args_writer::begin_object() noexcept { return open(true); }
inline msgpack_args_writer& msgpack_args_writer::end_object() noexcept { return close(true); }

inline msgpack_args_writer& msgpack_args_writer::key(std::string_view utf8) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return *this;
  if (!in_map() || after_key_ || counts_[depth_ - 1] == 0xFFFFFFFFu) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  ++counts_[depth_ - 1];
  const ::SIOCODEC_NAMESPACE::error e =
      out([utf8](auto& w) { return msgpack::emit_string(w, utf8); });
  if (e != ::SIOCODEC_NAMESPACE::error::none) fail(e);
  after_key_ = true;
  return *this;
}

// A JSON string (validated or trusted raw JSON) as a str, unescaped piece by piece into the
// output: no buffer. Pieces never split a UTF-8 sequence (they end at ASCII escapes), so each
// can be checked alone.
inline void msgpack_args_writer::json_string(const json::value& s, bool as_key) noexcept {
  const std::string_view raw = s.string_raw();
  const std::size_t n = s.unescaped_size();
  bool bad = false;
  const auto write = [&](auto& w) {
    ::SIOCODEC_NAMESPACE::error e = msgpack::emit_string_header(w, n);
    if (e != ::SIOCODEC_NAMESPACE::error::none) return e;
    (void)json::detail::decode_string(raw.data(), raw.data() + raw.size(),
                                      [&w, &bad](const char* piece, std::size_t k) {
                                        if (!detail::is_utf8(std::string_view(piece, k))) {
                                          bad = true;
                                        }
                                        w.append(piece, k);
                                        return true;
                                      });
    return bad ? ::SIOCODEC_NAMESPACE::error::invalid_utf8 : ::SIOCODEC_NAMESPACE::error::none;
  };
  if (as_key) {
    if (!in_map() || after_key_ || counts_[depth_ - 1] == 0xFFFFFFFFu) {
      fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
      return;
    }
    ++counts_[depth_ - 1];
    after_key_ = true;
  } else if (!begin_value(msgpack::kind::string)) {
    return;
  }
  const ::SIOCODEC_NAMESPACE::error e = out(write);
  if (e != ::SIOCODEC_NAMESPACE::error::none) fail(e);
}

// Bounded recursion: every level opens a container first, and open() fails at max_depth_
// (at most depth_limit), which ends the descent.
inline void msgpack_args_writer::transcode(const json::value& v) noexcept {
  switch (v.type()) {
    case json::kind::null: null(); return;
    case json::kind::boolean: boolean(v.get_bool()); return;
    case json::kind::number: {
      if (v.is_integer()) {
        const result<std::int64_t> i = v.to_int64();
        if (i) {
          integer(*i);
          return;
        }
        const result<std::uint64_t> u = v.to_uint64();
        if (u) {
          integer(*u);
          return;
        }
      }
      const result<double> d = v.to_double();
      if (!d) {
        fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
        return;
      }
      number(*d);
      return;
    }
    case json::kind::string: json_string(v, false); return;
    case json::kind::array:
      begin_array();
      for (const json::value& e : v.elements()) {
        if (error_ != ::SIOCODEC_NAMESPACE::error::none) return;
        transcode(e);
      }
      end_array();
      return;
    case json::kind::object:
      begin_object();
      for (const json::member& m : v.members()) {
        if (error_ != ::SIOCODEC_NAMESPACE::error::none) return;
        json_string(m.key, true);
        transcode(m.val);
      }
      end_object();
      return;
  }
}

inline msgpack_args_writer& msgpack_args_writer::raw(std::string_view json) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return *this;
  const json::value v = json::value::unchecked(json);
  if (!v.exists()) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  transcode(v);
  return *this;
}

/// msgpack::value: copied verbatim (msgpack parser only).
template <>
struct arg_traits<msgpack::value> {
  static void write(msgpack_args_writer& w, const msgpack::value& v) { w.raw_msgpack(v); }
};

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_MSGPACK_PARSER_ARGS_WRITER_HPP

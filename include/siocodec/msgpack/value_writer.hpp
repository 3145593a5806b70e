// SPDX-License-Identifier: BSL-1.0
// The stateful msgpack writer: one value per call in the forms notepack.io writes, containers
// whose element count is only known when they close (two passes: one measures and records each
// container's header size, one writes), JSON text converted, the first error kept. Its Socket.IO
// model is socketio::msgpack_args_writer, which adds the value dispatch.
#ifndef SIOCODEC_MSGPACK_VALUE_WRITER_HPP
#define SIOCODEC_MSGPACK_VALUE_WRITER_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/msgpack/writer.hpp>
#include <siocodec/result.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

SIOCODEC_BEGIN_NAMESPACE
namespace msgpack {

/// Containers whose header size the measuring pass records (see basic_value_writer).
constexpr std::size_t mp_plan_containers = 1024;

namespace detail {

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
}  // namespace detail

/// The core of a msgpack writer, shared by its models through CRTP (`Derived` is the model,
/// which every call returns so that calls chain): socketio::msgpack_args_writer is the one the
/// library has. Same rules as json::basic_writer (one top-level value, keys and values alternate
/// in maps, the first error is kept and later calls are ignored).
///
/// Arrays and maps announce their element count in their header, which a writer that is given
/// elements one at a time does not know at the start. The measuring pass records the header
/// size of the first mp_plan_containers (1024) arrays and maps, so the writing pass leaves
/// exactly that room and fills the header in when the container closes; any later container is
/// written without room and moved up by its header size when it closes (a memmove of its bytes,
/// once per such enclosing container). Nothing is allocated either way.
///
/// Errors (error()): invalid_argument (misuse as for json::basic_writer; an array or map of 2^32
/// elements or more, a str or bin of 2^32 bytes or more), invalid_utf8, nesting_too_deep.
template <class Derived>
class basic_value_writer {
 public:
  basic_value_writer(const basic_value_writer&) = delete;
  basic_value_writer& operator=(const basic_value_writer&) = delete;

  /// nil.
  Derived& null() noexcept;
  /// notepack.io's undefined (`d4 00 00`).
  Derived& undefined() noexcept;
  /// c3 / c2.
  Derived& boolean(bool b) noexcept;
  /// A str. Errors: invalid_utf8.
  Derived& string(std::string_view utf8) noexcept;
  /// A bin holding `bytes` (copied into the output).
  Derived& binary(byte_view bytes) noexcept;
  /// A JavaScript number, as notepack.io writes it (msgpack::emit_number).
  Derived& number(double d) noexcept;
  /// An integer in the smallest form (msgpack::emit_int / emit_uint), all 64 bits kept.
  template <
      class Int,
      std::enable_if_t<std::is_integral<Int>::value && !std::is_same<Int, bool>::value, int> = 0>
  Derived& integer(Int v) noexcept;
  /// Pre-serialized JSON, converted to msgpack (numbers written without fraction or exponent
  /// stay exact 64-bit integers; others become doubles as JSON.parse reads them; strings are
  /// unescaped, a lone surrogate escape becoming U+FFFD). Trusted like raw_json: not validated
  /// beyond what the conversion needs. Errors: invalid_argument (empty text), invalid_utf8,
  /// nesting_too_deep.
  Derived& raw(std::string_view json) noexcept;
  /// An already encoded msgpack value, copied verbatim (trusted; the absent value is
  /// invalid_argument).
  Derived& raw_msgpack(const msgpack::value& v) noexcept;
  /// An array ... end_array().
  Derived& begin_array() noexcept { return open(false); }
  Derived& end_array() noexcept { return close(false); }
  /// A map ... end_object(); inside, alternate key() and one value.
  Derived& begin_object() noexcept { return open(true); }
  Derived& end_object() noexcept { return close(true); }
  /// A map key (a str); the next value is its value.
  Derived& key(std::string_view utf8) noexcept;

  /// The first error so far (errc::none while all is well).
  errc error() const noexcept { return error_; }

 protected:
  // The builders' own nesting bound, whatever encode_options::max_depth says: the writer keeps
  // per-level state in fixed arrays (no allocation), and 256 is twice the decoders' default.
  static constexpr std::size_t depth_limit = 256;

  // The measuring pass writes to `counter` and records into `plan`; the writing pass writes to
  // `writer` (counter null) and reads `plan`. Nests at most max_depth levels (and depth_limit).
  basic_value_writer(detail::mp_counter* counter, detail::mp_writer* writer, detail::mp_plan* plan,
                     std::size_t max_depth) noexcept
      : counter_(counter),
        writer_(writer),
        plan_(plan),
        max_depth_(max_depth < depth_limit ? max_depth : depth_limit) {}
  ~basic_value_writer() = default;

  Derived& self() noexcept { return static_cast<Derived&>(*this); }

  template <class F>
  decltype(auto) out(F&& f) noexcept;
  bool begin_value(msgpack::kind k) noexcept;
  void fail(errc e) noexcept {
    if (error_ == errc::none) error_ = e;
  }
  bool in_map() const noexcept {
    const std::size_t top = depth_ - 1;
    return depth_ != 0 && ((map_bits_[top / 64] >> (top % 64)) & 1U) != 0;
  }
  Derived& open(bool map) noexcept;
  Derived& close(bool map) noexcept;
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
  errc error_ = errc::none;
  msgpack::kind top_kind_ = msgpack::kind::nil;
  bool after_key_ = false;
};

/// Containers whose header size the measuring pass records (see msgpack_args_writer).

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

template <class D>
template <class F>
decltype(auto) basic_value_writer<D>::out(F&& f) noexcept {
  if (writer_ != nullptr) return f(*writer_);
  return f(*counter_);
}

template <class D>
inline bool basic_value_writer<D>::begin_value(msgpack::kind k) noexcept {
  if (error_ != errc::none) return false;
  if (depth_ == 0) {
    if (top_values_ != 0) {  // a payload is one value
      fail(errc::invalid_argument);
      return false;
    }
    ++top_values_;
    top_kind_ = k;
    return true;
  }
  if (in_map()) {
    if (!after_key_) {
      fail(errc::invalid_argument);
      return false;
    }
    after_key_ = false;
    return true;
  }
  if (counts_[depth_ - 1] == 0xFFFFFFFFu) {  // no array form holds more
    fail(errc::invalid_argument);
    return false;
  }
  ++counts_[depth_ - 1];
  return true;
}

template <class D>
inline D& basic_value_writer<D>::null() noexcept {
  if (begin_value(msgpack::kind::nil)) out([](auto& w) { msgpack::emit_nil(w); });
  return self();
}

template <class D>
inline D& basic_value_writer<D>::undefined() noexcept {
  if (begin_value(msgpack::kind::undefined)) out([](auto& w) { msgpack::emit_undefined(w); });
  return self();
}

template <class D>
inline D& basic_value_writer<D>::boolean(bool b) noexcept {
  if (begin_value(msgpack::kind::boolean)) out([b](auto& w) { msgpack::emit_bool(w, b); });
  return self();
}

template <class D>
inline D& basic_value_writer<D>::number(double d) noexcept {
  const bool integral = std::isfinite(d) && std::floor(d) == d;
  if (begin_value(integral ? msgpack::kind::integer : msgpack::kind::floating)) {
    out([d](auto& w) { msgpack::emit_number(w, d); });
  }
  return self();
}

template <class D>
template <class Int,
          std::enable_if_t<std::is_integral<Int>::value && !std::is_same<Int, bool>::value, int>>
D& basic_value_writer<D>::integer(Int v) noexcept {
  if (!begin_value(msgpack::kind::integer)) return self();
  if constexpr (std::is_signed<Int>::value) {
    out([v](auto& w) { msgpack::emit_int(w, static_cast<std::int64_t>(v)); });
  } else {
    out([v](auto& w) { msgpack::emit_uint(w, static_cast<std::uint64_t>(v)); });
  }
  return self();
}

template <class D>
inline D& basic_value_writer<D>::string(std::string_view utf8) noexcept {
  if (!begin_value(msgpack::kind::string)) return self();
  const errc e = out([utf8](auto& w) { return msgpack::emit_string(w, utf8); });
  if (e != errc::none) fail(e);
  return self();
}

template <class D>
inline D& basic_value_writer<D>::binary(byte_view bytes) noexcept {
  if (!begin_value(msgpack::kind::binary)) return self();
  const errc e = out([bytes](auto& w) { return msgpack::emit_binary(w, bytes); });
  if (e != errc::none) fail(e);
  ++binaries_;
  return self();
}

template <class D>
inline D& basic_value_writer<D>::raw_msgpack(const msgpack::value& v) noexcept {
  if (error_ != errc::none) return self();
  if (!v.exists()) {
    fail(errc::invalid_argument);
    return self();
  }
  if (begin_value(v.type())) out([&v](auto& w) { msgpack::emit_value(w, v); });
  return self();
}

template <class D>
inline D& basic_value_writer<D>::open(bool map) noexcept {
  if (!begin_value(map ? msgpack::kind::map : msgpack::kind::array)) return self();
  if (depth_ >= max_depth_) {
    fail(errc::nesting_too_deep);
    return self();
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
        fail(errc::invalid_argument);
        return self();
      }
      writer_->pos += h;
      reserved_[depth_] = static_cast<unsigned char>(h);
    }
  }
  ++depth_;
  after_key_ = false;
  return self();
}

template <class D>
inline D& basic_value_writer<D>::close(bool map) noexcept {
  if (error_ != errc::none) return self();
  if (depth_ == 0 || in_map() != map || after_key_) {
    fail(errc::invalid_argument);
    return self();
  }
  --depth_;
  const std::size_t n = counts_[depth_];
  const std::size_t h = msgpack::container_header_size(n);
  detail::mp_small head;
  (void)(map ? msgpack::emit_map_header(head, n) : msgpack::emit_array_header(head, n));
  if (writer_ == nullptr) {
    counter_->add(h);
    plan_->record(starts_[depth_], h);
    return self();
  }
  detail::mp_writer& w = *writer_;
  const std::size_t start = starts_[depth_];
  if (reserved_[depth_] != 0) {
    // A second run of the callbacks that changed the element count could need another size.
    if (reserved_[depth_] != h) {
      fail(errc::invalid_argument);
      return self();
    }
    std::memcpy(w.base + start, head.b, h);
    return self();
  }
  if (h > w.cap - w.pos) {
    fail(errc::invalid_argument);
    return self();
  }
  std::memmove(w.base + start + h, w.base + start, w.pos - start);
  std::memcpy(w.base + start, head.b, h);
  w.pos += h;
  return self();
}

template <class D>
inline D& basic_value_writer<D>::key(std::string_view utf8) noexcept {
  if (error_ != errc::none) return self();
  if (!in_map() || after_key_ || counts_[depth_ - 1] == 0xFFFFFFFFu) {
    fail(errc::invalid_argument);
    return self();
  }
  ++counts_[depth_ - 1];
  const errc e = out([utf8](auto& w) { return msgpack::emit_string(w, utf8); });
  if (e != errc::none) fail(e);
  after_key_ = true;
  return self();
}

// A JSON string (validated or trusted raw JSON) as a str, unescaped piece by piece into the
// output: no buffer. Pieces never split a UTF-8 sequence (they end at ASCII escapes), so each
// can be checked alone.
template <class D>
inline void basic_value_writer<D>::json_string(const json::value& s, bool as_key) noexcept {
  const std::string_view raw = s.string_raw();
  const std::size_t n = s.unescaped_size();
  bool bad = false;
  const auto write = [&](auto& w) {
    errc e = msgpack::emit_string_header(w, n);
    if (e != errc::none) return e;
    (void)json::detail::decode_string(
        raw.data(), raw.data() + raw.size(), [&w, &bad](const char* piece, std::size_t k) {
          if (::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(piece, k) != k) {
            bad = true;
          }
          w.append(piece, k);
          return true;
        });
    return bad ? errc::invalid_utf8 : errc::none;
  };
  if (as_key) {
    if (!in_map() || after_key_ || counts_[depth_ - 1] == 0xFFFFFFFFu) {
      fail(errc::invalid_argument);
      return;
    }
    ++counts_[depth_ - 1];
    after_key_ = true;
  } else if (!begin_value(msgpack::kind::string)) {
    return;
  }
  const errc e = out(write);
  if (e != errc::none) fail(e);
}

// Bounded recursion: every level opens a container first, and open() fails at max_depth_
// (at most depth_limit), which ends the descent.
template <class D>
inline void basic_value_writer<D>::transcode(const json::value& v) noexcept {
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
        fail(errc::invalid_argument);
        return;
      }
      number(*d);
      return;
    }
    case json::kind::string: json_string(v, false); return;
    case json::kind::array:
      begin_array();
      for (const json::value& e : v.elements()) {
        if (error_ != errc::none) return;
        transcode(e);
      }
      end_array();
      return;
    case json::kind::object:
      begin_object();
      for (const json::member& m : v.members()) {
        if (error_ != errc::none) return;
        json_string(m.key, true);
        transcode(m.val);
      }
      end_object();
      return;
  }
}

template <class D>
inline D& basic_value_writer<D>::raw(std::string_view json) noexcept {
  if (error_ != errc::none) return self();
  const json::value v = json::value::unchecked(json);
  if (!v.exists()) {
    fail(errc::invalid_argument);
    return self();
  }
  transcode(v);
  return self();
}

}  // namespace msgpack
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_MSGPACK_VALUE_WRITER_HPP

// SPDX-License-Identifier: BSL-1.0
// Optional adapter, nlohmann/json: J values as Socket.IO builder arguments, for either parser.
#ifndef SIOCODEC_ADAPTERS_NLOHMANN_FROM_JSON_HPP
#define SIOCODEC_ADAPTERS_NLOHMANN_FROM_JSON_HPP

#include <siocodec/adapters/nlohmann/basic_json.hpp>
#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/write.hpp>
#include <siocodec/socketio.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

SIOCODEC_BEGIN_NAMESPACE
namespace adapters {
namespace nlohmann_json {

// ---------------------------------------------------------------------------------------------
// nlohmann -> encoding
// ---------------------------------------------------------------------------------------------

// J values are builder arguments through socketio::arg_traits<J>, specialized at the end of
// this header (what is written, and the errors, are documented there).

/// A J array written as several arguments, the way `socket.emit(name, ...args)` spreads an
/// array: `sio::event("chat", sj::spread(args))` writes args[0], args[1]... as the event's
/// arguments, `sio::ack(id, sj::spread(args))` as the ack's, for either parser (encode() and
/// msgpack_parser::encode()). Elements before `first` are skipped (`spread(data, 1)` writes the
/// arguments of a `["name", args...]` array). A value that is not an array is written as one
/// argument. Holds `v` by reference.
template <class J>
class spread_arguments {
 public:
  spread_arguments(const J& v, std::size_t first) noexcept : v_(&v), first_(first) {}
  /// Writes the elements (called by the builders, twice per encode).
  template <class W>
  void operator()(W& w) const;

 private:
  const J* v_;
  std::size_t first_;
};

/// See spread_arguments.
template <class J>
[[nodiscard]] spread_arguments<J> spread(const J& v, std::size_t first = 0) noexcept {
  static_assert(is_basic_json<J>::value, "spread() takes a nlohmann::basic_json value");
  return spread_arguments<J>(v, first);
}

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

// --- writing ---

template <class J>
struct from_frame {
  const J* node;
  typename J::const_iterator it;
  bool object;
};

template <class W, class J>
void write_json(W& w, const J& root) {
  using value_t = typename J::value_t;
  std::vector<from_frame<J>> stack;
  const J* v = &root;
  while (v != nullptr) {
    // After the first error the writer ignores everything: stop, which also bounds the walk of
    // a tree deeper than max_depth.
    if (w.error() != errc::none) return;
    switch (v->type()) {
      case value_t::null: w.null(); break;
      case value_t::boolean:
        w.boolean(static_cast<bool>(*v->template get_ptr<const typename J::boolean_t*>()));
        break;
      case value_t::number_integer:
        w.integer(
            static_cast<std::int64_t>(*v->template get_ptr<const typename J::number_integer_t*>()));
        break;
      case value_t::number_unsigned:
        w.integer(static_cast<std::uint64_t>(
            *v->template get_ptr<const typename J::number_unsigned_t*>()));
        break;
      case value_t::number_float:
        w.number(static_cast<double>(*v->template get_ptr<const typename J::number_float_t*>()));
        break;
      case value_t::string: {
        const typename J::string_t& s = *v->template get_ptr<const typename J::string_t*>();
        w.string(std::string_view(s.data(), s.size()));
        break;
      }
      case value_t::binary: {
        const typename J::binary_t& b = *v->template get_ptr<const typename J::binary_t*>();
        w.binary(byte_view(static_cast<const void*>(b.data()), b.size()));
        break;
      }
      case value_t::array:
        w.begin_array();
        stack.push_back(from_frame<J>{v, v->cbegin(), false});
        break;
      case value_t::object:
        w.begin_object();
        stack.push_back(from_frame<J>{v, v->cbegin(), true});
        break;
      case value_t::discarded:
      default:
        w.raw(std::string_view());  // empty raw JSON: the writers' invalid_argument
        break;
    }
    v = nullptr;
    while (!stack.empty()) {
      from_frame<J>& f = stack.back();
      if (f.it == f.node->cend()) {
        if (f.object) {
          w.end_object();
        } else {
          w.end_array();
        }
        stack.pop_back();
        continue;
      }
      if (f.object) {
        const typename J::string_t& k = f.it.key();
        w.key(std::string_view(k.data(), k.size()));
      }
      v = &f.it.value();
      ++f.it;
      break;
    }
  }
}

}  // namespace detail

template <class J>
template <class W>
void spread_arguments<J>::operator()(W& w) const {
  if (!v_->is_array()) {
    detail::write_json(w, *v_);
    return;
  }
  std::size_t i = 0;
  for (auto it = v_->cbegin(); it != v_->cend(); ++it, ++i) {
    if (i >= first_) detail::write_json(w, *it);
  }
}

}  // namespace nlohmann_json
}  // namespace adapters

namespace socketio {

/// nlohmann::basic_json values (nlohmann::json, nlohmann::ordered_json, any other J) as builder
/// arguments, anywhere a value goes: `sio::event("chat", j1, j2)`, `sio::ack(id, j)`,
/// `sio::connect("/", auth)`, inside containers and sio::array() / sio::object(), and through
/// adapters::nlohmann_json::spread(). The same code serves socketio::args_writer (the default
/// parser: encode()) and socketio::msgpack_args_writer (msgpack_parser::encode()).
///
/// - null, booleans, strings, arrays as such; objects in J's iteration order (sorted keys for
///   nlohmann::json, insertion order for ordered_json; the reference, given a JavaScript object,
///   writes integer-like keys first);
/// - number_integer and number_unsigned with all their digits (args_writer::integer; a
///   JavaScript peer rounds those beyond 2^53); number_float as JSON.stringify writes a number
///   (args_writer::number: shortest round-trip digits, exponent form from 1e21 and below 1e-6,
///   NaN and infinities as `null`, -0 as `0`). msgpack: integers in their smallest form, all 64
///   bits kept; number_float as notepack.io writes a JavaScript number (an integral one as an
///   integer, -0 as 0, NaN and infinities as float 64: see msgpack_args_writer::number);
/// - binary_t: a binary value, numbered in the order written, which is the reference's
///   depth-first document order; the attachment list gets a view of the binary_t's bytes, not a
///   copy: keep the J alive and unchanged until the frames are sent. Its subtype is not written.
///   msgpack: a bin holding a copy of the bytes (the subtype is not written either: a binary_t
///   that to_json() made of an extension is written back as bin).
///
/// The walk is iterative and stops at the writer's first error, so a J of any depth is safe.
/// Errors (through the writer, which keeps the first one): invalid_utf8 (a string or key that is
/// not UTF-8), invalid_argument (a discarded value, the marker nlohmann's parser returns on
/// failure; default parser: a binary_t in a packet type that cannot carry one, such as CONNECT;
/// msgpack: an array or object of 2^32 elements or more, a string or binary_t of 2^32 bytes or
/// more), nesting_too_deep (deeper than encode_options::max_depth), too_many_attachments
/// (default parser: more binary_t than encode_options::max_attachments).
template <class J>
struct arg_traits<
    J, std::enable_if_t<::SIOCODEC_NAMESPACE::adapters::nlohmann_json::is_basic_json<J>::value>> {
  template <class W>
  static void write(W& w, const J& v) {
    ::SIOCODEC_NAMESPACE::adapters::nlohmann_json::detail::write_json(w, v);
  }
};

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ADAPTERS_NLOHMANN_FROM_JSON_HPP

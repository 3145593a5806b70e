// SPDX-License-Identifier: BSL-1.0
// How C++ values are written as Socket.IO arguments: arg_traits, the one value dispatch of both
// parsers' writers, and the value helpers array(), object() and raw_json.
#ifndef SIOCODEC_SOCKETIO_ARG_TRAITS_HPP
#define SIOCODEC_SOCKETIO_ARG_TRAITS_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/json/value.hpp>

#include <cstddef>
#include <cstring>
#include <iterator>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// Pre-serialized JSON, written verbatim wherever a value goes. Trusted like packet_view::data:
/// not validated, not scanned for placeholders (raw text must not contain any: the attachments
/// of a packet are numbered by the encoder). Empty text is an error (invalid_argument), since
/// it would leave a hole in the output.
struct raw_json {
  std::string_view text;
  constexpr explicit raw_json(std::string_view json) noexcept : text(json) {}
};

/// How a type is written as a value by a writer's value(): the one customization point of both
/// parsers. W is the writer: args_writer (JSON, the default parser) or msgpack_args_writer
/// (the msgpack parser); both have the same calls (null, boolean, number, integer, string,
/// binary, raw, begin_array / end_array, begin_object / end_object, key, value, values,
/// member). Specialize it for your own types (a full or an enable_if partial specialization of
/// the second parameter), generic over the writer, and the same code serves both parsers:
///
///     template <> struct siocodec::socketio::arg_traits<point> {
///       template <class W>
///       static void write(W& w, const point& p) {
///         w.begin_object().member("x", p.x).member("y", p.y).end_object();
///       }
///     };
///
/// A specialization whose write() takes `args_writer&` only serves the default parser: giving
/// such a type to the msgpack parser fails to compile with a static_assert naming arg_traits
/// (docs/design.md says why that is not silently another route).
///
/// The primary template knows, in this order of precedence:
/// - callables invocable as `f(w)` (write them `[&](auto& w) {...}` to serve both parsers):
///   called, and write whatever they write, in place (zero, one or several values: at the top
///   of an event they add arguments);
/// - bool; integers (not the character types char, wchar_t, char8/16/32_t: write those as text);
///   floating point (JSON: as JavaScript writes numbers, NaN and infinities become null, -0
///   becomes 0; msgpack: as notepack.io writes them);
/// - std::nullptr_t and std::nullopt_t: null; std::optional<T>: null or the value;
/// - byte_view and byte_span: a binary value (JSON: an attachment, a placeholder in the text;
///   msgpack: a bin);
/// - raw_json: verbatim (msgpack: converted);
/// - text: arrays of char (up to the first NUL), const char* (null pointer: null),
///   and anything convertible to std::string_view (std::string...): a string;
/// - contiguous ranges of unsigned char or std::byte (std::vector<std::uint8_t>,
///   std::array<std::byte, N>...): a binary value, like JavaScript's Buffer / Uint8Array;
/// - ranges whose elements have `first` and `second`, `first` convertible to std::string_view
///   (std::map<std::string, T>...): an object, in iteration order;
/// - other ranges (std::vector<T>, T[N], std::list<T>...): an array.
/// Specializations here: array(...) and object(...), json::value (its raw text, as raw_json);
/// msgpack_parser/args_writer.hpp adds msgpack::value (copied verbatim; msgpack parser only).
/// Anything else fails to compile with a message naming arg_traits.
template <class T, class = void>
struct arg_traits;

namespace detail {
template <class... A>
struct array_value {
  std::tuple<A...> items;
};
template <class... A>
struct object_value {
  std::tuple<A...> items;
};
}  // namespace detail

/// A JSON array of the given values, written by arg_traits; nests anywhere a value goes:
/// `sio::event("move", sio::array(1, 2.5, "x"))` gives `["move",[1,2.5,"x"]]`. Lvalue arguments
/// are held by reference (use the result in the same full expression, or keep them alive),
/// rvalues are moved in.
template <class... A>
detail::array_value<A...> array(A&&... items) {
  return {std::tuple<A...>(std::forward<A>(items)...)};
}

/// A JSON object from alternating keys and values: `sio::object("id", 7, "blob", bytes)` gives
/// `{"id":7,"blob":{"_placeholder":true,"num":0}}`. Keys must convert to std::string_view.
/// Arguments are held as by array().
template <class... A>
detail::object_value<A...> object(A&&... keys_and_values) {
  static_assert(sizeof...(A) % 2 == 0, "sio::object takes alternating keys and values");
  return {std::tuple<A...>(std::forward<A>(keys_and_values)...)};
}

/// Fixed-capacity storage for the attachments an encoder finds: no allocation. Any container

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

template <class T>
struct is_char_type
    : std::bool_constant<std::is_same<T, char>::value || std::is_same<T, wchar_t>::value ||
                         std::is_same<T, char16_t>::value || std::is_same<T, char32_t>::value
#if defined(__cpp_char8_t)
                         || std::is_same<T, char8_t>::value
#endif
                         > {
};

template <class T, class = void>
struct is_range : std::false_type {};
template <class T>
struct is_range<T, std::void_t<decltype(std::begin(std::declval<const T&>())),
                               decltype(std::end(std::declval<const T&>()))>> : std::true_type {};

template <class T>
using range_element_t =
    std::remove_cv_t<std::remove_reference_t<decltype(*std::begin(std::declval<const T&>()))>>;

template <class T, class = void>
struct is_byte_range : std::false_type {};
template <class T>
struct is_byte_range<T, std::void_t<decltype(std::data(std::declval<const T&>())),
                                    decltype(std::size(std::declval<const T&>()))>>
    : std::bool_constant<
          std::is_same<std::remove_cv_t<
                           std::remove_pointer_t<decltype(std::data(std::declval<const T&>()))>>,
                       unsigned char>::value ||
          std::is_same<std::remove_cv_t<
                           std::remove_pointer_t<decltype(std::data(std::declval<const T&>()))>>,
                       std::byte>::value> {};

template <class E, class = void>
struct is_key_value : std::false_type {};
template <class E>
struct is_key_value<E, std::void_t<decltype(std::declval<const E&>().first),
                                   decltype(std::declval<const E&>().second)>>
    : std::is_convertible<decltype(std::declval<const E&>().first), std::string_view> {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct dependent_false : std::false_type {};

template <class W, class Tuple, std::size_t... I>
void write_tuple(W& w, const Tuple& t, std::index_sequence<I...>) {
  (void)w;
  (void)t;
  (w.value(std::get<I>(t)), ...);
}
template <class W, class... A>
void write_all(W& w, const std::tuple<A...>& t) {
  write_tuple(w, t, std::index_sequence_for<A...>{});
}

template <class W, class Tuple, std::size_t... I>
void write_members(W& w, const Tuple& t, std::index_sequence<I...>) {
  (void)w;
  (void)t;
  (w.member(std::string_view(std::get<2 * I>(t)), std::get<2 * I + 1>(t)), ...);
}

// Whether arg_traits<T> can write through a writer of type W: false for a specialization whose
// write() takes another writer (the writers' value() turns that into a clear static_assert).
template <class T, class W, class = void>
struct writes_with : std::false_type {};
template <class T, class W>
struct writes_with<
    T, W, std::void_t<decltype(arg_traits<T>::write(std::declval<W&>(), std::declval<const T&>()))>>
    : std::true_type {};

}  // namespace detail

template <class T, class>
struct arg_traits {
  template <class W>
  static void write(W& w, const T& v) {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_invocable<const U&, W&>::value) {
      v(w);
    } else if constexpr (std::is_same<U, bool>::value) {
      w.boolean(v);
    } else if constexpr (detail::is_char_type<U>::value) {
      static_assert(detail::dependent_false<U>::value,
                    "siocodec: write characters as text (std::string_view), or cast to an int");
    } else if constexpr (std::is_integral<U>::value) {
      w.integer(v);
    } else if constexpr (std::is_floating_point<U>::value) {
      w.number(static_cast<double>(v));
    } else if constexpr (std::is_same<U, std::nullptr_t>::value ||
                         std::is_same<U, std::nullopt_t>::value) {
      w.null();
    } else if constexpr (std::is_same<U, byte_view>::value || std::is_same<U, byte_span>::value) {
      w.binary(byte_view(v));
    } else if constexpr (std::is_same<U, raw_json>::value) {
      w.raw(v.text);
    } else if constexpr (std::is_array<U>::value &&
                         detail::is_char_type<std::remove_cv_t<std::remove_extent_t<U>>>::value) {
      static_assert(std::is_same<std::remove_cv_t<std::remove_extent_t<U>>, char>::value,
                    "siocodec: only char text (UTF-8) can be written");
      // A char array is text up to its first NUL (a literal's terminator), never past its end.
      const void* nul = std::memchr(v, 0, std::extent<U>::value);
      const std::size_t n = nul == nullptr
                                ? std::extent<U>::value
                                : static_cast<std::size_t>(static_cast<const char*>(nul) - v);
      w.string(std::string_view(v, n));
    } else if constexpr (std::is_same<U, const char*>::value || std::is_same<U, char*>::value) {
      if (v == nullptr) {
        w.null();
      } else {
        w.string(std::string_view(v));
      }
    } else if constexpr (std::is_convertible<const U&, std::string_view>::value) {
      w.string(std::string_view(v));
    } else if constexpr (detail::is_optional<U>::value) {
      if (v) {
        w.value(*v);
      } else {
        w.null();
      }
    } else if constexpr (detail::is_byte_range<U>::value) {
      w.binary(byte_view(static_cast<const void*>(std::data(v)), std::size(v)));
    } else if constexpr (detail::is_range<U>::value) {
      using E = detail::range_element_t<U>;
      if constexpr (detail::is_key_value<E>::value) {
        w.begin_object();
        for (const auto& kv : v) w.member(std::string_view(kv.first), kv.second);
        w.end_object();
      } else {
        w.begin_array();
        if constexpr (std::is_same<typename std::iterator_traits<decltype(std::begin(
                                       std::declval<const U&>()))>::value_type,
                                   bool>::value) {
          for (const bool e : v) w.boolean(e);  // std::vector<bool> yields proxies
        } else {
          for (const auto& e : v) w.value(e);
        }
        w.end_array();
      }
    } else {
      static_assert(detail::dependent_false<U>::value,
                    "siocodec: no way to write this type; specialize "
                    "siocodec::socketio::arg_traits<T> with a "
                    "`template <class W> static void write(W&, const T&)`");
    }
  }
};

template <class... A>
struct arg_traits<detail::array_value<A...>> {
  template <class W>
  static void write(W& w, const detail::array_value<A...>& v) {
    w.begin_array();
    detail::write_all(w, v.items);
    w.end_array();
  }
};

template <class... A>
struct arg_traits<detail::object_value<A...>> {
  template <class W>
  static void write(W& w, const detail::object_value<A...>& v) {
    w.begin_object();
    detail::write_members(w, v.items, std::make_index_sequence<sizeof...(A) / 2>{});
    w.end_object();
  }
};

template <>
struct arg_traits<json::value> {
  template <class W>
  static void write(W& w, const json::value& v) {
    w.raw(v.raw());
  }
};

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_ARG_TRAITS_HPP

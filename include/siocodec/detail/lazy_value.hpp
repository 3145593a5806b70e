// SPDX-License-Identifier: BSL-1.0
// What json::value and msgpack::value share: the view itself (a pointer, a length, a kind), the
// lookups their element and member walks give, and the member struct (any_value's too).
#ifndef SIOCODEC_DETAIL_LAZY_VALUE_HPP
#define SIOCODEC_DETAIL_LAZY_VALUE_HPP

#include <siocodec/config.hpp>

#include <cstddef>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace detail {

/// One member of an object (a map): its key and its value. json::member, msgpack::member and
/// socketio::any_member are this struct for their value types.
template <class Value>
struct basic_member {
  Value key;
  Value val;
};

/// The base of json::value and msgpack::value (CRTP: `Value` is the view deriving from it, which
/// supplies elements(), members() and string_equals()). `Byte` is the format's byte, `Kind` its
/// kind enum (whose first enumerator, null / nil, is the absent value's kind) and `Raw` the view
/// raw() returns. The members are the derived view's own; see its documentation.
template <class Value, class Byte, class Kind, class Raw>
class lazy_value {
 public:
  /// The kind of the value.
  constexpr Kind type() const noexcept { return kind_; }
  /// The exact bytes of the value.
  constexpr Raw raw() const noexcept { return {data_, size_}; }
  /// False only for the absent value.
  constexpr bool exists() const noexcept { return size_ != 0; }

  /// The i-th element of an array, or the absent value when i is out of range or this is not an
  /// array. O(bytes before the element).
  Value operator[](std::size_t i) const noexcept {
    for (const Value& v : self().elements()) {
      if (i-- == 0) return v;
    }
    return Value();
  }
  /// Looks up `key` among the members of an object (a map), comparing each key with
  /// string_equals(): JSON keys after unescaping, msgpack str keys only (keys of other kinds
  /// never match). When the key occurs more than once the LAST occurrence wins, as with
  /// JSON.parse and notepack.io. O(bytes of the object).
  /// @return true and sets `out` when found; false (and `out` untouched) otherwise or for a
  ///   value that is not an object.
  bool find(std::string_view key, Value& out) const noexcept {
    bool found = false;
    for (const auto& m : self().members()) {
      if (m.key.string_equals(key)) {
        out = m.val;
        found = true;
      }
    }
    return found;
  }

 protected:
  constexpr lazy_value() noexcept = default;
  constexpr lazy_value(const Byte* data, std::size_t size, Kind k) noexcept
      : data_(data), size_(size), kind_(k) {}

  const Byte* data_ = nullptr;
  std::size_t size_ = 0;
  Kind kind_ = Kind();

 private:
  constexpr const Value& self() const noexcept { return static_cast<const Value&>(*this); }
};

}  // namespace detail
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_DETAIL_LAZY_VALUE_HPP

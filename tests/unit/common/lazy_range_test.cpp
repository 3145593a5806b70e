// SPDX-License-Identifier: BSL-1.0
// detail/lazy_range.hpp and detail/kernel_choice.hpp: the shapes json::value, msgpack::value,
// engineio::payload_reader and the Socket.IO reading API (arguments(), any_value) share, and the
// kernel choice json and base64 share, keep the contracts each family documented before they were
// written once (iterator categories, the stashing reference, msgpack's size() from the header, end
// iterators value-initialised, one independent kernel choice per family).
#include <siocodec/base64.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/socketio/any.hpp>
#include <siocodec/socketio/default_parser/args.hpp>

#include "support/catch.hpp"

#include <cstddef>
#include <iterator>
#include <string_view>
#include <type_traits>
#include <vector>

namespace json = siocodec::json;
namespace mp = siocodec::msgpack;
namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;

namespace {

template <class It>
using category = typename std::iterator_traits<It>::iterator_category;

template <class R, class = void>
struct has_size : std::false_type {};
template <class R>
struct has_size<R, std::void_t<decltype(std::declval<const R&>().size())>> : std::true_type {};

static_assert(std::is_same<category<json::array_iterator>, std::forward_iterator_tag>::value, "");
static_assert(std::is_same<category<json::object_iterator>, std::forward_iterator_tag>::value, "");
static_assert(std::is_same<category<mp::array_iterator>, std::forward_iterator_tag>::value, "");
static_assert(std::is_same<category<mp::map_iterator>, std::forward_iterator_tag>::value, "");
// The reader moves on with its iterator: one pass only.
static_assert(std::is_same<category<eio::payload_reader::iterator>, std::input_iterator_tag>::value,
              "");
static_assert(
    std::is_same<std::iterator_traits<json::array_iterator>::reference, const json::value&>::value,
    "");
static_assert(
    std::is_same<std::iterator_traits<json::object_iterator>::value_type, json::member>::value, "");
static_assert(std::is_same<std::iterator_traits<mp::map_iterator>::value_type, mp::member>::value,
              "");
// msgpack knows the count from the header; a JSON range would have to walk, so it has no size().
static_assert(has_size<mp::array_range>::value && has_size<mp::map_range>::value, "");
static_assert(!has_size<json::array_range>::value && !has_size<json::object_range>::value, "");
static_assert(std::is_nothrow_default_constructible<json::array_iterator>::value, "");
// The Socket.IO ranges are forward ranges of the same shape, and promise size() (a walk) for
// either parser.
static_assert(std::is_same<category<sio::argument_iterator>, std::forward_iterator_tag>::value, "");
static_assert(std::is_same<category<sio::any_object_iterator>, std::forward_iterator_tag>::value,
              "");
static_assert(std::is_same<std::iterator_traits<sio::any_array_iterator>::reference,
                           const sio::any_value&>::value,
              "");
static_assert(has_size<sio::argument_range>::value && has_size<sio::any_argument_range>::value &&
                  has_size<sio::any_array_range>::value && has_size<sio::any_object_range>::value,
              "");
static_assert(std::is_nothrow_default_constructible<sio::any_array_iterator>::value, "");

}  // namespace

TEST_CASE("lazy_range: a JSON array and object walk in order, end iterators compare equal") {
  const auto root = json::parse(R"([1, "two", [3], {"k": 4}])");
  REQUIRE(root);
  std::vector<std::string_view> raw;
  for (const json::value& v : root->elements()) raw.push_back(v.raw());
  CHECK(raw == std::vector<std::string_view>{"1", "\"two\"", "[3]", "{\"k\": 4}"});

  auto it = root->elements().begin();
  const json::value& first = *it;  // a reference into the iterator (stashing)
  CHECK(first.raw() == "1");
  auto old = it++;
  CHECK(old->raw() == "1");
  CHECK(it->raw() == "\"two\"");
  CHECK(old != it);
  CHECK(json::array_iterator() == root->elements().end());

  json::value obj = (*root)[3];
  std::size_t n = 0;
  for (const json::member& m : obj.members()) {
    CHECK(m.key.string_equals("k"));
    CHECK(m.val.raw() == "4");
    ++n;
  }
  CHECK(n == 1);
  CHECK(json::parse("[]")->elements().empty());
  CHECK(json::parse("{ }")->members().empty());
  CHECK(json::value().elements().empty());
  CHECK_FALSE(root->elements().empty());
}

TEST_CASE("lazy_range: a msgpack range's size() and empty() come from the header") {
  // [1, "a", {"b": nil}]
  const unsigned char bytes[] = {0x93, 0x01, 0xa1, 'a', 0x81, 0xa1, 'b', 0xc0};
  const auto root = mp::parse(siocodec::byte_view(bytes, sizeof bytes));
  REQUIRE(root);
  const mp::array_range r = root->elements();
  CHECK(r.size() == 3);
  CHECK_FALSE(r.empty());
  std::size_t n = 0;
  for (auto it = r.begin(); it != r.end(); ++it) ++n;
  CHECK(n == 3);
  const mp::map_range m = (*root)[2].members();
  CHECK(m.size() == 1);
  CHECK(m.begin()->key.string_equals("b"));
  CHECK(m.begin()->val.is_nil());
  CHECK(mp::array_range().empty());
  CHECK(mp::array_range().size() == 0);
}

TEST_CASE("lazy_range: a payload reader's iterator yields each packet once") {
  auto reader = eio::decode_payload("4hello\x1e"
                                    "2");
  std::vector<std::string_view> data;
  for (const eio::packet_view& p : reader) data.push_back(p.data);
  CHECK(data == std::vector<std::string_view>{"hello", ""});
  CHECK(reader.error() == siocodec::errc::none);
  CHECK(reader.begin() == reader.end());  // consumed
}

TEST_CASE("lazy_range: the Socket.IO argument ranges skip an event's name at every begin()") {
  using namespace std::string_view_literals;
  const auto p = sio::decode_header(R"(2["ev",1,[2,3],{"k":4}])"sv);
  REQUIRE(p);
  const sio::argument_range args = sio::arguments(*p);
  CHECK(args.size() == 3);
  CHECK_FALSE(args.empty());
  for (int pass = 0; pass < 2; ++pass) {  // begin() again starts over, after the name again
    std::vector<std::string_view> raw;
    for (const sio::argument& a : args) raw.push_back(a.json.raw());
    CHECK(raw == std::vector<std::string_view>{"1", "[2,3]", R"({"k":4})"});
  }
  CHECK(sio::argument_iterator() == args.end());
  auto it = args.begin();
  auto old = it++;
  CHECK(old->json.raw() == "1");
  CHECK(it->json.raw() == "[2,3]");

  const sio::any_packet any(*p);
  const sio::any_argument_range any_args = any.arguments();
  CHECK(any_args.size() == 3);
  std::size_t n = 0;
  for (const sio::any_value& a : any_args) {
    CHECK(a.exists());
    ++n;
  }
  CHECK(n == 3);
  const sio::any_value arr = *std::next(any_args.begin());
  CHECK(arr.elements().size() == 2);
  CHECK((*arr.elements().begin()).to_int64().value() == 2);
  const sio::any_value obj = *std::next(any_args.begin(), 2);
  REQUIRE(obj.members().size() == 1);
  CHECK(obj.members().begin()->key.string_equals("k"));
  CHECK(obj.members().begin()->val.to_int64().value() == 4);

  // Only the name: no arguments; no payload: none either.
  const auto name_only = sio::decode_header(R"(2["ev"])"sv);
  REQUIRE(name_only);
  CHECK(sio::arguments(*name_only).empty());
  CHECK(sio::arguments(*name_only).size() == 0);
  CHECK(sio::any_packet(*name_only).arguments().empty());
  CHECK(sio::any_argument_range().empty());
  CHECK(sio::any_value().elements().size() == 0);

  // msgpack: [1, "a"] walked through any_value, sized by walking.
  const unsigned char bytes[] = {0x92, 0x01, 0xa1, 'a'};
  const sio::any_value mp_arr(*mp::parse(siocodec::byte_view(bytes, sizeof bytes)));
  CHECK(mp_arr.elements().size() == 2);
  std::vector<bool> strings;
  for (const sio::any_value& v : mp_arr.elements()) strings.push_back(v.is_string());
  CHECK(strings == std::vector<bool>{false, true});
}

TEST_CASE("kernel_choice: json and base64 choose their kernels independently") {
  const json::kernel jk = json::active_kernel();
  const siocodec::base64::kernel bk = siocodec::base64::active_kernel();
  REQUIRE(json::set_kernel(json::kernel::scalar));
  CHECK(json::active_kernel() == json::kernel::scalar);
  CHECK(siocodec::base64::active_kernel() == bk);
  REQUIRE(siocodec::base64::set_kernel(siocodec::base64::kernel::scalar));
  CHECK(siocodec::base64::active_kernel() == siocodec::base64::kernel::scalar);
  CHECK(json::best_kernel() == (json::kernel_supported(json::kernel::avx512) ? json::kernel::avx512
                                : json::kernel_supported(json::kernel::avx2) ? json::kernel::avx2
                                : json::kernel_supported(json::kernel::sse2)
                                    ? json::kernel::sse2
                                    : json::kernel::scalar));
#if !defined(__aarch64__)
  CHECK_FALSE(siocodec::base64::set_kernel(siocodec::base64::kernel::neon));
  CHECK(siocodec::base64::active_kernel() == siocodec::base64::kernel::scalar);
#endif
  REQUIRE(json::set_kernel(jk));
  REQUIRE(siocodec::base64::set_kernel(bk));
}

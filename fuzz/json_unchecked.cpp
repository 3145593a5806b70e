// SPDX-License-Identifier: BSL-1.0
// json::value::unchecked over text that was never validated. value.hpp promises that the
// accessors "stay memory safe on any text (they never read outside raw() and always terminate)":
// unspecified answers, never undefined behaviour. Every accessor runs over the value and, breadth
// first, over what its navigation yields (bounded work); everything yielded lies inside the text.
//
// Input: the text.
#include "common.hpp"

#include <siocodec/json/value.hpp>

namespace json = siocodec::json;

namespace {

void poke(const json::value& v, std::string_view text) {
  FUZZ_CHECK(siocodec_fuzz::within(v.raw(), text));
  siocodec_fuzz::use(v.get_bool());
  const std::string_view s = v.string_raw();
  FUZZ_CHECK(siocodec_fuzz::within(s, text));
  siocodec_fuzz::use(v.has_escapes());
  const std::size_t n = v.unescaped_size();
  if (v.is_string()) {
    // Decoding never produces more than 3 bytes per input byte (U+FFFD for one character).
    FUZZ_CHECK(n <= 3 * s.size() + 3);
    std::unique_ptr<char[]> buf(new char[n + 1]);
    const auto w = v.unescape_to(buf.get(), n);
    FUZZ_CHECK(w.has_value() && *w == n);
    FUZZ_CHECK(v.string_equals(std::string_view(buf.get(), n)));
  } else {
    FUZZ_CHECK(n == 0 && !v.unescape_to(nullptr, 0));
  }
  siocodec_fuzz::use(v.string_equals("_placeholder"));
  siocodec_fuzz::use(v.is_integer());
  siocodec_fuzz::use(v.to_uint64().error());
  siocodec_fuzz::use(v.to_int64().error());
  siocodec_fuzz::use(v.to_double().error());
  json::value found;
  siocodec_fuzz::use(v.find("num", found));
  FUZZ_CHECK(siocodec_fuzz::within(found.raw(), text));
  FUZZ_CHECK(siocodec_fuzz::within(v[1].raw(), text));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const siocodec_fuzz::exact_bytes input(data, size);
  const std::string_view text = input.view();
  std::vector<json::value> queue{json::value::unchecked(text)};
  // Every step consumes at least one byte, so a value yields at most size + 1 children.
  for (std::size_t next = 0; next < queue.size() && next < 4096; ++next) {
    const json::value v = queue[next];
    poke(v, text);
    std::size_t count = 0;
    for (const json::value& e : v.elements()) {
      FUZZ_CHECK(++count <= v.raw().size() + 1);
      FUZZ_CHECK(siocodec_fuzz::within(e.raw(), v.raw()));
      if (queue.size() < 4096) queue.push_back(e);
    }
    FUZZ_CHECK(v.is_array() || count == 0);
    for (const json::member& m : v.members()) {
      FUZZ_CHECK(++count <= v.raw().size() + 1);
      FUZZ_CHECK(siocodec_fuzz::within(m.key.raw(), v.raw()));
      FUZZ_CHECK(siocodec_fuzz::within(m.val.raw(), v.raw()));
      if (queue.size() < 4096) queue.push_back(m.key);
      if (queue.size() < 4096 && m.val.exists()) queue.push_back(m.val);
    }
    FUZZ_CHECK(count == v.size());
  }
  return 0;
}

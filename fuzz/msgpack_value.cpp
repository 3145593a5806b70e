// SPDX-License-Identifier: BSL-1.0
// msgpack::validate and msgpack::parse, then every accessor of msgpack::value over what
// validates; and the accessors over bytes that were never validated (value.hpp: "memory safe on
// any bytes ... never undefined behaviour"). Over validated bytes: parse reports what validate
// reports; every value navigation yields lies inside the input and validates on its own with
// the kind it claims; size() (from the header), iteration and operator[] agree; find() returns
// the last str key that matches; integers and doubles agree; strings are UTF-8 when checked.
//
// Input: byte 0 chooses (bits 0-1 max_depth: the default, 1, 4, max_depth_limit; bit 2 no UTF-8
// check; bit 3 unvalidated bytes through value::unchecked); the rest is the message.
#include "common.hpp"

#include <siocodec/detail/utf8.hpp>
#include <siocodec/msgpack/msgpack.hpp>

#include <cmath>

namespace mp = siocodec::msgpack;
using siocodec::byte_view;

namespace {

bool inside(byte_view part, byte_view whole) {
  return siocodec_fuzz::within(part.as_chars(), whole.as_chars());
}

void check_scalar(const mp::value& v, const mp::options& o) {
  const auto i = v.to_int64();
  const auto u = v.to_uint64();
  const auto d = v.to_double();
  FUZZ_CHECK(d.has_value() == v.is_number());
  if (!v.is_integer()) {
    FUZZ_CHECK(!i && !u);
  } else {
    FUZZ_CHECK(i.has_value() || u.has_value());
    FUZZ_CHECK(v.is_negative_integer() == (i && *i < 0));
    if (u) FUZZ_CHECK(!v.is_negative_integer());
    if (i && u) FUZZ_CHECK(static_cast<std::uint64_t>(*i) == *u);
    if (i && *i >= -9007199254740992 && *i <= 9007199254740992) {
      FUZZ_CHECK(*d == static_cast<double>(*i));
    }
    if (u && *u <= 9007199254740992u) FUZZ_CHECK(*d == static_cast<double>(*u));
  }
  if (v.is_string()) {
    const std::string_view s = v.get_string();
    FUZZ_CHECK(inside(byte_view(s), v.raw()));
    FUZZ_CHECK(v.string_equals(s) && !v.string_equals(std::string(s) + "x"));
    if (o.check_utf8) {
      FUZZ_CHECK(siocodec::detail::utf8_find_invalid(s.data(), s.size()) == s.size());
    }
  } else {
    FUZZ_CHECK(v.get_string().empty() && !v.string_equals(""));
  }
  if (v.is_binary() || v.is_ext() || v.is_undefined()) {
    FUZZ_CHECK(inside(v.bytes(), v.raw()));
  } else {
    FUZZ_CHECK(v.bytes().empty());
  }
  if (v.is_bool()) FUZZ_CHECK(v.get_bool() == (v.raw()[0] == 0xc3));
  if (v.is_nil()) FUZZ_CHECK(v.raw().size() == 1 && v.raw()[0] == 0xc0);
}

void walk(byte_view input, const mp::value& root, const mp::options& o) {
  std::vector<mp::value> todo{root};
  mp::options whole = o;
  whole.max_depth = mp::max_depth_limit;
  std::size_t visited = 0;
  while (!todo.empty() && visited++ < 20000) {
    const mp::value v = todo.back();
    todo.pop_back();
    FUZZ_CHECK(v.exists() && inside(v.raw(), input));
    const siocodec_fuzz::exact_bytes alone(v.raw().as_chars());
    const auto k = mp::validate(byte_view(alone.view()), whole);
    FUZZ_CHECK(k.has_value() && *k == v.type());
    check_scalar(v, o);
    std::size_t count = 0;
    for (const mp::value& e : v.elements()) {
      if (count < 64) {  // operator[] walks from the start: keep the total linear
        const mp::value at = v[count];
        FUZZ_CHECK(at.raw() == e.raw() && at.raw().data() == e.raw().data());
      }
      todo.push_back(e);
      ++count;
    }
    FUZZ_CHECK(!v[count].exists());
    std::vector<mp::member> members;
    for (const mp::member& m : v.members()) {
      FUZZ_CHECK(m.key.exists() && m.val.exists());
      members.push_back(m);
      todo.push_back(m.key);
      todo.push_back(m.val);
      ++count;
    }
    FUZZ_CHECK(count == v.size());
    FUZZ_CHECK((v.is_array() || v.is_map()) || count == 0);
    for (std::size_t i = 0; i < members.size() && i < 16; ++i) {
      if (!members[i].key.is_string()) continue;
      const std::string_view key = members[i].key.get_string();
      const mp::value* last = nullptr;
      for (const mp::member& m : members) {
        if (m.key.string_equals(key)) last = &m.val;
      }
      mp::value found;
      FUZZ_CHECK(last != nullptr && v.find(key, found) && found.raw().data() == last->raw().data());
    }
  }
}

// Unvalidated bytes: everything must stay inside the input and terminate.
void poke(byte_view input) {
  std::vector<mp::value> queue{mp::value::unchecked(input)};
  for (std::size_t next = 0; next < queue.size() && next < 4096; ++next) {
    const mp::value v = queue[next];
    FUZZ_CHECK(inside(v.raw(), input));
    FUZZ_CHECK(inside(byte_view(v.get_string()), input));
    FUZZ_CHECK(inside(v.bytes(), input));
    siocodec_fuzz::use(v.to_int64().error());
    siocodec_fuzz::use(v.to_uint64().error());
    siocodec_fuzz::use(v.to_double().error());
    siocodec_fuzz::use(v.size());
    siocodec_fuzz::use(v.ext_type());
    mp::value found;
    siocodec_fuzz::use(v.find("type", found));
    FUZZ_CHECK(inside(found.raw(), input) && inside(v[1].raw(), input));
    std::size_t count = 0;
    for (const mp::value& e : v.elements()) {
      FUZZ_CHECK(++count <= input.size() + 1 && inside(e.raw(), input));
      if (queue.size() < 4096) queue.push_back(e);
    }
    for (const mp::member& m : v.members()) {
      FUZZ_CHECK(++count <= input.size() + 1);
      FUZZ_CHECK(inside(m.key.raw(), input) && inside(m.val.raw(), input));
      if (queue.size() < 4096 && m.key.exists()) queue.push_back(m.key);
      if (queue.size() < 4096 && m.val.exists()) queue.push_back(m.val);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t sel = data[0];
  const siocodec_fuzz::exact_bytes bytes(data + 1, size - 1);
  const byte_view input(bytes.data(), bytes.size());
  if ((sel & 8) != 0) {
    poke(input);
    return 0;
  }
  mp::options o;
  static constexpr std::size_t depths[4] = {SIOCODEC_DEFAULT_MAX_MSGPACK_DEPTH, 1, 4,
                                            mp::max_depth_limit};
  o.max_depth = depths[sel & 3];
  o.check_utf8 = (sel & 4) == 0;
  const auto k = mp::validate(input, o);
  const auto p = mp::parse(input, o);
  FUZZ_CHECK(k.error() == p.error() && k.offset() == p.offset());
  if (!k) {
    FUZZ_CHECK(k.offset() <= input.size());
    return 0;
  }
  FUZZ_CHECK(k.offset() == input.size() && p->type() == *k && p->raw() == input);
  walk(input, *p, o);
  return 0;
}

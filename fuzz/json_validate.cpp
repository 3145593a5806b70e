// SPDX-License-Identifier: BSL-1.0
// json::validate and json::parse, then every accessor of json::value over whatever validates:
// - parse reports exactly what validate reports;
// - every value the navigation yields lies inside the text, is valid JSON on its own, of the kind
//   it claims; size(), operator[] and iteration agree; find() returns the last equal key;
// - strings: unescaped_size == unescape_to == unescape, the result is UTF-8, string_equals holds
//   for it and for nothing one byte longer or shorter, an unescaped string's raw text is its
//   content, and json::encode_string writes it back to a string with the same content;
// - numbers: the integer and double conversions agree with each other, and a finite double
//   written by emit_number (JSON.stringify's shortest form) reads back as the same double.
//
// Input: byte 0 bits 0-1 choose max_depth (the default, 1, 4, json::max_depth_limit); the rest
// is the text.
#include "common.hpp"

#include <siocodec/json/json.hpp>

#include <cmath>

namespace json = siocodec::json;
using siocodec::errc;

namespace {

void check_string(const json::value& v) {
  const std::string_view raw = v.string_raw();
  FUZZ_CHECK(raw.size() + 2 == v.raw().size());
  FUZZ_CHECK(v.has_escapes() == (raw.find('\\') != std::string_view::npos));
  const std::size_t n = v.unescaped_size();
  std::unique_ptr<char[]> buf(new char[n + 1]);
  buf[n] = 'Z';
  const auto w = v.unescape_to(buf.get(), n);
  FUZZ_CHECK(w.has_value() && *w == n && buf[n] == 'Z');
  const std::string content(buf.get(), n);
  if (n != 0) FUZZ_CHECK(v.unescape_to(buf.get(), n - 1).error() == errc::output_too_small);
  std::string appended = "q";
  const auto a = v.unescape(appended);
  FUZZ_CHECK(a.has_value() && *a == n && appended.substr(1) == content);
  if (!v.has_escapes()) FUZZ_CHECK(content == raw);

  FUZZ_CHECK(v.string_equals(content));
  FUZZ_CHECK(!v.string_equals(content + "x"));
  if (n != 0) FUZZ_CHECK(!v.string_equals(std::string_view(content).substr(0, n - 1)));

  // The content is UTF-8 (lone surrogate escapes became U+FFFD), so it can be written back.
  const auto size = json::string_size(content);
  FUZZ_CHECK(size.has_value());
  std::string literal;
  const auto e = json::encode_string(content, literal);
  FUZZ_CHECK(e.has_value() && *e == *size && literal.size() == *size);
  const siocodec_fuzz::exact_bytes lit(literal);
  const auto back = json::parse(lit.view());
  FUZZ_CHECK(back.has_value() && back->is_string() && back->string_equals(content));
  FUZZ_CHECK(back->unescaped_size() == n);
}

void check_number(const json::value& v) {
  const std::string_view raw = v.raw();
  const bool integer = raw.find_first_of(".eE") == std::string_view::npos;
  FUZZ_CHECK(v.is_integer() == integer);
  const auto d = v.to_double();
  FUZZ_CHECK(d.has_value() && d.offset() == raw.size());
  FUZZ_CHECK(!std::isnan(*d));
  const auto u = v.to_uint64();
  const auto i = v.to_int64();
  if (!integer) {
    FUZZ_CHECK(!u && !i);
  } else {
    if (u && i) FUZZ_CHECK(*i >= 0 && static_cast<std::uint64_t>(*i) == *u);
    if (u && *u <= 9007199254740992u) FUZZ_CHECK(*d == static_cast<double>(*u));
    if (i && *i >= -9007199254740992 && *i <= 9007199254740992) {
      FUZZ_CHECK(*d == static_cast<double>(*i));
    }
    if (raw[0] == '-') {
      FUZZ_CHECK(!u || *u == 0);
    } else {
      // A non-negative integer fits u64 exactly when it has at most 20 digits and is small enough.
      FUZZ_CHECK(u.has_value() ==
                 (raw.size() < 20 || (raw.size() == 20 && raw <= "18446744073709551615")));
    }
  }
  if (std::isfinite(*d)) {
    std::string text;
    siocodec::detail::size_counter c;
    json::emit_number(c, *d);
    text.resize(c.n);
    siocodec::detail::buffer_writer bw{&text[0]};
    json::emit_number(bw, *d);
    FUZZ_CHECK(bw.p == text.data() + text.size() && text.size() <= 25);
    const siocodec_fuzz::exact_bytes t(text);
    const auto back = json::parse(t.view());
    FUZZ_CHECK(back.has_value() && back->is_number());
    const auto d2 = back->to_double();
    FUZZ_CHECK(d2.has_value() && *d2 == *d);
  }
}

void walk(std::string_view text, const json::value& root) {
  std::vector<json::value> todo{root};
  json::options whole;
  whole.max_depth = json::max_depth_limit;
  while (!todo.empty()) {
    const json::value v = todo.back();
    todo.pop_back();
    FUZZ_CHECK(v.exists() && siocodec_fuzz::within(v.raw(), text));
    const siocodec_fuzz::exact_bytes alone(v.raw());
    const auto k = json::validate(alone.view(), whole);
    FUZZ_CHECK(k.has_value() && *k == v.type());
    switch (v.type()) {
      case json::kind::null: FUZZ_CHECK(v.raw() == "null"); break;
      case json::kind::boolean:
        FUZZ_CHECK(v.is_bool() && v.get_bool() == (v.raw() == "true"));
        break;
      case json::kind::number: check_number(v); break;
      case json::kind::string: check_string(v); break;
      case json::kind::array: {
        std::size_t count = 0;
        for (const json::value& e : v.elements()) {
          if (count < 64) {  // operator[] walks from the start: keep the total linear
            const json::value at = v[count];
            FUZZ_CHECK(at.raw().data() == e.raw().data() && at.raw().size() == e.raw().size());
          }
          todo.push_back(e);
          ++count;
        }
        FUZZ_CHECK(count == v.size());
        FUZZ_CHECK(!v[count].exists());
        FUZZ_CHECK(v.elements().empty() == (count == 0));
        FUZZ_CHECK(v.members().empty());
        break;
      }
      case json::kind::object: {
        std::size_t count = 0;
        std::vector<json::member> members;
        for (const json::member& m : v.members()) {
          FUZZ_CHECK(m.key.is_string() && m.val.exists());
          members.push_back(m);
          todo.push_back(m.key);
          todo.push_back(m.val);
          ++count;
        }
        FUZZ_CHECK(count == v.size());
        FUZZ_CHECK(v.members().empty() == (count == 0));
        FUZZ_CHECK(v.elements().empty() && !v[0].exists());
        // find() returns the last member whose key has the same content (only the first few
        // keys are looked up: each lookup walks the whole object).
        for (std::size_t i = 0; i < members.size() && i < 16; ++i) {
          std::string key;
          FUZZ_CHECK(members[i].key.unescape(key).has_value());
          const json::value* last = nullptr;
          for (const json::member& m : members) {
            if (m.key.string_equals(key)) last = &m.val;
          }
          json::value found;
          FUZZ_CHECK(last != nullptr && v.find(key, found));
          FUZZ_CHECK(found.raw().data() == last->raw().data());
        }
        json::value untouched;
        FUZZ_CHECK(!v.find("\xff not a key", untouched) && !untouched.exists());
        break;
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  json::options opts;
  static constexpr std::size_t depths[4] = {SIOCODEC_DEFAULT_MAX_JSON_DEPTH, 1, 4,
                                            json::max_depth_limit};
  opts.max_depth = depths[data[0] & 3];
  const siocodec_fuzz::exact_bytes text(data + 1, size - 1);
  const auto k = json::validate(text.view(), opts);
  const auto p = json::parse(text.view(), opts);
  FUZZ_CHECK(k.error() == p.error() && k.offset() == p.offset());
  if (!k) {
    FUZZ_CHECK(k.offset() <= text.size());
    return 0;
  }
  FUZZ_CHECK(k.offset() == text.size());
  FUZZ_CHECK(p->type() == *k);
  // The root is the text without its surrounding whitespace.
  const std::size_t first = text.view().find_first_not_of(" \t\r\n");
  const std::size_t last = text.view().find_last_not_of(" \t\r\n");
  FUZZ_CHECK(p->raw() == text.view().substr(first, last - first + 1));
  walk(text.view(), *p);
  return 0;
}

// SPDX-License-Identifier: BSL-1.0
#include <siocodec/json/value.hpp>
#include <siocodec/json/write.hpp>

#include "support/catch.hpp"
#include "unit/json/cases.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using siocodec::errc;
using siocodec::json::kind;
using siocodec::json::member;
using siocodec::json::parse;
using siocodec::json::value;

namespace {

value must_parse(std::string_view text) {
  auto r = parse(text);
  REQUIRE(r.has_value());
  return *r;
}

std::string unescaped(const value& v) {
  std::string s;
  const auto r = v.unescape(s);
  REQUIRE(r.has_value());
  return s;
}

std::uint64_t bits_of(double d) {
  std::uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

std::uint64_t parse_hex64(const std::string& h) {
  std::uint64_t v = 0;
  for (const char c : h)
    v = (v << 4) | static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  return v;
}

// JavaScript orders an object's own keys: array indices (canonical decimal below 2^32 - 1)
// ascending first, then the other keys in first-insertion order.
bool is_array_index(const std::string& k, std::uint64_t& n) {
  if (k.empty() || k.size() > 10 || (k.size() > 1 && k[0] == '0')) return false;
  n = 0;
  for (const char c : k) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n < 4294967295u;
}

// What JSON.stringify(JSON.parse(text)) gives in node (strings made well-formed), rebuilt from
// our value API alone: iteration, find (last duplicate wins), unescape, to_double, the writer.
void canonical(const value& v, std::string& out) {
  switch (v.type()) {
    case kind::null: out += "null"; return;
    case kind::boolean: out += v.get_bool() ? "true" : "false"; return;
    case kind::number: {
      const auto d = v.to_double();
      REQUIRE(d.has_value());
      REQUIRE(siocodec::detail::write_append(out, [&](auto& w) {
                siocodec::json::emit_number(w, *d);
                return errc::none;
              }).has_value());
      return;
    }
    case kind::string: {
      REQUIRE(siocodec::json::encode_string(unescaped(v), out).has_value());
      return;
    }
    case kind::array: {
      out += '[';
      bool first = true;
      for (const value& e : v.elements()) {
        if (!first) out += ',';
        first = false;
        canonical(e, out);
      }
      out += ']';
      return;
    }
    case kind::object: {
      std::vector<std::pair<std::uint64_t, std::string>> index_keys;
      std::vector<std::string> other_keys;
      std::vector<std::string> seen;
      for (const member& m : v.members()) {
        std::string k = unescaped(m.key);
        if (std::find(seen.begin(), seen.end(), k) != seen.end()) continue;
        seen.push_back(k);
        std::uint64_t n = 0;
        if (is_array_index(k, n)) {
          index_keys.emplace_back(n, k);
        } else {
          other_keys.push_back(k);
        }
      }
      std::sort(index_keys.begin(), index_keys.end());
      std::vector<std::string> keys;
      for (auto& p : index_keys) keys.push_back(p.second);
      keys.insert(keys.end(), other_keys.begin(), other_keys.end());
      out += '{';
      bool first = true;
      for (const std::string& k : keys) {
        if (!first) out += ',';
        first = false;
        value val;
        REQUIRE(v.find(k, val));
        REQUIRE(siocodec::json::encode_string(k, out).has_value());
        out += ':';
        canonical(val, out);
      }
      out += '}';
      return;
    }
  }
}

// Calls every accessor on v and everything under it, on text that may not be JSON at all.
// Under AddressSanitizer this is the memory-safety check of the "trust but stay safe" promise.
std::size_t touch_everything(const value& v, int depth = 0) {
  std::size_t n = v.raw().size() + v.string_raw().size();
  n += v.has_escapes() ? 1u : 0u;
  n += v.unescaped_size();
  std::string s;
  if (v.is_string()) {
    (void)v.unescape(s);
    n += v.string_equals(s) ? 1u : 0u;
  }
  char small[3];
  (void)v.unescape_to(small, sizeof small);
  n += v.is_integer() ? 1u : 0u;
  (void)v.to_uint64();
  (void)v.to_int64();
  (void)v.to_double();
  n += v.get_bool() ? 1u : 0u;
  n += v.size();
  value found;
  n += v.find("a", found) ? 1u : 0u;
  (void)v[1];
  if (depth > 200) return n;
  for (const value& e : v.elements()) n += touch_everything(e, depth + 1);
  for (const member& m : v.members()) {
    n += touch_everything(m.key, depth + 1);
    n += touch_everything(m.val, depth + 1);
  }
  return n;
}

}  // namespace

TEST_CASE("parse gives the root value without the surrounding whitespace") {
  const value v = must_parse(" \t\n[1, 2]\r\n ");
  CHECK(v.type() == kind::array);
  CHECK(v.raw() == "[1, 2]");
  CHECK(v.exists());
  const auto bad = parse("[1,]");
  CHECK(bad.error() == errc::invalid_json);
  CHECK(bad.offset() == 3);
  siocodec::json::options o;
  o.max_depth = 1;
  CHECK(parse("[[]]", o).error() == errc::nesting_too_deep);
  CHECK(parse("[]", o).offset() == 2);
}

TEST_CASE("value kinds and predicates") {
  struct c {
    const char* text;
    kind k;
  };
  for (const c& t : {c{"null", kind::null}, c{"true", kind::boolean}, c{"false", kind::boolean},
                     c{"-1.5e3", kind::number}, c{"\"s\"", kind::string}, c{"[]", kind::array},
                     c{"{}", kind::object}}) {
    const value v = must_parse(t.text);
    CHECK(v.type() == t.k);
    CHECK(v.raw() == t.text);
    CHECK(v.is_null() == (t.k == kind::null));
    CHECK(v.is_bool() == (t.k == kind::boolean));
    CHECK(v.is_number() == (t.k == kind::number));
    CHECK(v.is_string() == (t.k == kind::string));
    CHECK(v.is_array() == (t.k == kind::array));
    CHECK(v.is_object() == (t.k == kind::object));
  }
  CHECK(must_parse("true").get_bool());
  CHECK_FALSE(must_parse("false").get_bool());
  CHECK(std::string(siocodec::json::to_string(kind::boolean)) == "boolean");
  CHECK(std::string(siocodec::json::to_string(kind::object)) == "object");
  const value absent;
  CHECK(absent.is_null());
  CHECK_FALSE(absent.exists());
  CHECK(absent.raw().empty());
}

TEST_CASE("strings: raw view, escapes, comparison, unescaping") {
  const value plain = must_parse(R"("hello")");
  CHECK(plain.string_raw() == "hello");
  CHECK_FALSE(plain.has_escapes());
  CHECK(plain.string_equals("hello"));
  CHECK_FALSE(plain.string_equals("hell"));
  CHECK_FALSE(plain.string_equals("hello!"));
  CHECK(plain.unescaped_size() == 5);

  const value esc = must_parse(R"("a\"b\\c\/d\be\ff\ng\rh\ti\u0041\u00e9\u20AC")");
  CHECK(esc.has_escapes());
  const std::string expect = "a\"b\\c/d\be\ff\ng\rh\tiA\xC3\xA9\xE2\x82\xAC";
  CHECK(unescaped(esc) == expect);
  CHECK(esc.unescaped_size() == expect.size());
  CHECK(esc.string_equals(expect));
  CHECK_FALSE(esc.string_equals(expect.substr(0, expect.size() - 1)));
  CHECK_FALSE(esc.string_equals(expect + "x"));

  // \u0000 is a real NUL byte.
  const value nul = must_parse(R"("a\u0000b")");
  CHECK(unescaped(nul) == std::string("a\0b", 3));
  CHECK(nul.string_equals(std::string_view("a\0b", 3)));

  // The empty string.
  const value empty = must_parse(R"("")");
  CHECK(empty.string_raw().empty());
  CHECK(empty.unescaped_size() == 0);
  CHECK(empty.string_equals(""));
  CHECK(unescaped(empty).empty());

  // Non-strings.
  const value num = must_parse("12");
  CHECK(num.string_raw().empty());
  CHECK_FALSE(num.string_equals("12"));
  CHECK(num.unescaped_size() == 0);
  char buf[8];
  CHECK(num.unescape_to(buf, sizeof buf).error() == errc::invalid_argument);
  std::string s;
  CHECK(num.unescape(s).error() == errc::invalid_argument);
}

TEST_CASE("strings: surrogate pairs decode, lone surrogates become U+FFFD") {
  CHECK(unescaped(must_parse(R"("\ud83d\ude00")")) == "\xF0\x9F\x98\x80");
  CHECK(unescaped(must_parse(R"("\uD834\uDD1E")")) == "\xF0\x9D\x84\x9E");
  CHECK(unescaped(must_parse(R"("\udbff\udfff")")) == "\xF4\x8F\xBF\xBF");
  CHECK(unescaped(must_parse(R"("\ud800\udc00")")) == "\xF0\x90\x80\x80");
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(unescaped(must_parse(R"("\ud800")")) == fffd);
  CHECK(unescaped(must_parse(R"("\udc00")")) == fffd);
  CHECK(unescaped(must_parse(R"("\udc00\ud800")")) == fffd + fffd);
  CHECK(unescaped(must_parse(R"("\ud800\ud800\udc00")")) == fffd + "\xF0\x90\x80\x80");
  CHECK(unescaped(must_parse(R"("\ud800x")")) == fffd + "x");
  CHECK(unescaped(must_parse(R"("\ud800\n")")) == fffd + "\n");
  CHECK(unescaped(must_parse(R"("\ud83d\u0041")")) == fffd + "A");
  const value v = must_parse(R"("a\ud83d")");
  CHECK(v.unescaped_size() == 4);
  CHECK(v.string_equals("a" + fffd));
  CHECK(must_parse(R"("\ud83d\ude00")").string_equals("\xF0\x9F\x98\x80"));
}

TEST_CASE("unescape_to: exact capacity works, one byte less writes nothing") {
  const value v = must_parse(R"("x\u00e9\ud83d\ude00")");
  const std::size_t n = v.unescaped_size();
  REQUIRE(n == 7);
  std::string buf(n + 4, '#');
  const auto ok = v.unescape_to(&buf[0], n);
  REQUIRE(ok.has_value());
  CHECK(*ok == n);
  CHECK(ok.offset() == n);
  CHECK(buf == "x\xC3\xA9\xF0\x9F\x98\x80####");
  std::string small(n, '#');
  const auto r = v.unescape_to(&small[0], n - 1);
  CHECK(r.error() == errc::output_too_small);
  CHECK(r.offset() == n - 1);
  CHECK(small == std::string(n, '#'));
  // unescape appends to any byte container.
  std::vector<unsigned char> bytes = {'>'};
  const auto a = v.unescape(bytes);
  REQUIRE(a.has_value());
  CHECK(bytes.size() == n + 1);
  CHECK(bytes[0] == '>');
  CHECK(bytes[1] == 'x');
  CHECK(bytes.back() == 0x80);
}

TEST_CASE("unescape and string_equals agree with node on every line of json_value_cases.txt") {
  std::size_t count = 0;
  for (const auto& l : json_cases::read("json_value_cases.txt")) {
    if (l[0] != "u") continue;
    ++count;
    const std::string lit = json_cases::unhex(l[1]);
    const std::string expect = json_cases::unhex(l.size() > 2 ? l[2] : "");
    INFO("literal: " << lit);
    const json_cases::exact_copy copy(lit);
    const value v = must_parse(copy.view());
    CHECK(unescaped(v) == expect);
    CHECK(v.unescaped_size() == expect.size());
    CHECK(v.string_equals(expect));
    CHECK_FALSE(v.string_equals(expect + "\x01"));
    if (!expect.empty()) {
      std::string changed = expect;
      changed.back() = static_cast<char>(changed.back() ^ 1);
      CHECK_FALSE(v.string_equals(changed));
    }
  }
  CHECK(count >= 300);
}

TEST_CASE("integers: to_uint64 and to_int64 at the limits") {
  const auto u = [](const char* t) { return must_parse(t).to_uint64(); };
  const auto i = [](const char* t) { return must_parse(t).to_int64(); };
  CHECK(*u("0") == 0);
  CHECK(*u("-0") == 0);
  CHECK(*u("42") == 42);
  CHECK(u("42").offset() == 2);
  CHECK(*u("18446744073709551615") == std::numeric_limits<std::uint64_t>::max());
  const auto over = u("18446744073709551616");
  CHECK(over.error() == errc::invalid_argument);
  CHECK(over.offset() == 19);
  CHECK(u("99999999999999999999").error() == errc::invalid_argument);
  CHECK(u("184467440737095516150").offset() == 20);
  CHECK(u("-1").error() == errc::invalid_argument);
  CHECK(u("-1").offset() == 0);
  CHECK(u("1.0").error() == errc::invalid_argument);
  CHECK(u("1.0").offset() == 1);
  CHECK(u("1e3").offset() == 1);
  CHECK(u("\"1\"").error() == errc::invalid_argument);
  CHECK(u("true").error() == errc::invalid_argument);

  CHECK(*i("0") == 0);
  CHECK(*i("-0") == 0);
  CHECK(*i("-42") == -42);
  CHECK(*i("9223372036854775807") == std::numeric_limits<std::int64_t>::max());
  CHECK(*i("-9223372036854775808") == std::numeric_limits<std::int64_t>::min());
  CHECK(i("9223372036854775808").error() == errc::invalid_argument);
  CHECK(i("9223372036854775808").offset() == 18);
  CHECK(i("-9223372036854775809").error() == errc::invalid_argument);
  CHECK(i("-9223372036854775809").offset() == 19);
  CHECK(i("-1.5").offset() == 2);
  CHECK(i("null").error() == errc::invalid_argument);

  CHECK(must_parse("-12").is_integer());
  CHECK(must_parse("0").is_integer());
  CHECK_FALSE(must_parse("1.0").is_integer());
  CHECK_FALSE(must_parse("1e0").is_integer());
  CHECK_FALSE(must_parse("1E0").is_integer());
  CHECK_FALSE(must_parse("\"1\"").is_integer());
}

TEST_CASE("to_double: the special cases JavaScript defines") {
  const auto d = [](const char* t) {
    const auto r = must_parse(t).to_double();
    REQUIRE(r.has_value());
    return *r;
  };
  CHECK(d("0") == 0);
  CHECK_FALSE(std::signbit(d("0")));
  CHECK(std::signbit(d("-0")));
  CHECK(std::signbit(d("-0.0e5")));
  CHECK(d("1e400") == std::numeric_limits<double>::infinity());
  CHECK(d("-1e400") == -std::numeric_limits<double>::infinity());
  CHECK(d("1e-400") == 0);
  CHECK_FALSE(std::signbit(d("1e-400")));
  CHECK(std::signbit(d("-1e-400")));
  CHECK(d("0.000001e-99999999999999999999") == 0);
  CHECK(d("123456789e99999999999999999999") == std::numeric_limits<double>::infinity());
  CHECK(d("0e99999999999") == 0);
  CHECK(d("1.5") == 1.5);
  CHECK(d("9007199254740993") == 9007199254740992.0);  // ties to even
  CHECK(d("4.9406564584124654e-324") == std::numeric_limits<double>::denorm_min());
  CHECK(d("2.4703282292062328e-324") == std::numeric_limits<double>::denorm_min());
  CHECK(d("2.4703282292062327e-324") == 0);
  CHECK(d("1.7976931348623158e308") == std::numeric_limits<double>::max());
  CHECK(d("1.7976931348623159e308") == std::numeric_limits<double>::infinity());
  CHECK(must_parse("\"1\"").to_double().error() == errc::invalid_argument);
  // unchecked() text that is not a JSON number is refused, not guessed at.
  CHECK(value::unchecked("-inf").to_double().error() == errc::invalid_argument);
  CHECK(value::unchecked("1.").to_double().error() == errc::invalid_argument);
  CHECK(value::unchecked("1.").to_double().offset() == 2);
  CHECK(value::unchecked("0x1p3").to_double().error() == errc::invalid_argument);
}

TEST_CASE("to_double matches Number() bit for bit on every line of json_value_cases.txt") {
  std::size_t count = 0;
  for (const auto& l : json_cases::read("json_value_cases.txt")) {
    if (l[0] != "p") continue;
    ++count;
    INFO("text: " << l[1]);
    const json_cases::exact_copy copy(l[1]);
    const auto r = must_parse(copy.view()).to_double();
    REQUIRE(r.has_value());
    CHECK(bits_of(*r) == parse_hex64(l[2]));
  }
  CHECK(count >= 1000);
}

TEST_CASE("arrays: iteration, size, operator[]") {
  const value v = must_parse(R"( [ 1 , "two" , [3, [4]] , {"five":5} , true , null ] )");
  REQUIRE(v.is_array());
  std::vector<std::string> raws;
  std::vector<kind> kinds;
  for (const value& e : v.elements()) {
    raws.emplace_back(e.raw());
    kinds.push_back(e.type());
  }
  CHECK(raws ==
        std::vector<std::string>{"1", "\"two\"", "[3, [4]]", "{\"five\":5}", "true", "null"});
  CHECK(kinds == std::vector<kind>{kind::number, kind::string, kind::array, kind::object,
                                   kind::boolean, kind::null});
  CHECK(v.size() == 6);
  CHECK(v[0].raw() == "1");
  CHECK(v[2][1][0].raw() == "4");
  CHECK(v[3].raw() == "{\"five\":5}");
  CHECK(v[5].is_null());
  CHECK(v[5].exists());
  CHECK_FALSE(v[6].exists());
  CHECK(v[6].is_null());
  CHECK_FALSE(v[1000].exists());
  CHECK_FALSE(v[0][0].exists());  // not an array

  const value empty = must_parse("[ ]");
  CHECK(empty.size() == 0);
  CHECK(empty.elements().empty());
  CHECK(empty.elements().begin() == empty.elements().end());
  CHECK_FALSE(empty[0].exists());
  CHECK(must_parse("{}").elements().empty());
  CHECK(must_parse("1").elements().empty());
  CHECK(must_parse("[[]]").size() == 1);

  // Post-increment, multi-pass, and strings holding brackets and escaped quotes.
  const value tricky = must_parse(R"(["]", "[", "\"]", "\\", {"}":"{"}, 2])");
  auto it = tricky.elements().begin();
  const auto first = it++;
  CHECK(first->raw() == R"("]")");
  CHECK(it->raw() == R"("[")");
  CHECK(tricky.size() == 6);
  CHECK(tricky[2].raw() == R"("\"]")");
  CHECK(tricky[3].raw() == R"("\\")");
  CHECK(tricky[4].raw() == R"({"}":"{"})");
  CHECK(tricky[5].raw() == "2");
}

TEST_CASE("nested arrays: a full walk sees every element") {
  // [[0],[0,1],[0,1,2],...] nested 3 levels.
  std::string text = "[";
  for (int a = 0; a < 20; ++a) {
    text += a ? "," : "";
    text += "[";
    for (int b = 0; b <= a; ++b) {
      text += b ? "," : "";
      text += "[" + std::to_string(a) + "," + std::to_string(b) + "]";
    }
    text += "]";
  }
  text += "]";
  const value v = must_parse(text);
  int a = 0;
  for (const value& row : v.elements()) {
    int b = 0;
    for (const value& cell : row.elements()) {
      CHECK(*cell[0].to_int64() == a);
      CHECK(*cell[1].to_int64() == b);
      ++b;
    }
    CHECK(b == a + 1);
    CHECK(row.size() == static_cast<std::size_t>(a + 1));
    ++a;
  }
  CHECK(a == 20);
}

TEST_CASE("objects: members in text order, find with duplicate keys and escaped keys") {
  const value v = must_parse(R"({"a":1, "b":[1,2], "a":2, "c":{"a":3}, "\u0061":4, "d":null})");
  REQUIRE(v.is_object());
  std::vector<std::string> keys, vals;
  for (const member& m : v.members()) {
    keys.emplace_back(m.key.raw());
    vals.emplace_back(m.val.raw());
  }
  CHECK(keys ==
        std::vector<std::string>{"\"a\"", "\"b\"", "\"a\"", "\"c\"", "\"\\u0061\"", "\"d\""});
  CHECK(vals == std::vector<std::string>{"1", "[1,2]", "2", "{\"a\":3}", "4", "null"});
  CHECK(v.size() == 6);
  value out;
  REQUIRE(v.find("a", out));
  CHECK(out.raw() == "4");  // the last occurrence wins, escaped or not
  REQUIRE(v.find("b", out));
  CHECK(out.size() == 2);
  REQUIRE(v.find("d", out));
  CHECK(out.is_null());
  REQUIRE(v.find("c", out));
  value inner;
  REQUIRE(out.find("a", inner));
  CHECK(inner.raw() == "3");
  value untouched = must_parse("7");
  CHECK_FALSE(v.find("e", untouched));
  CHECK_FALSE(v.find("", untouched));
  CHECK_FALSE(v.find("A", untouched));
  CHECK(untouched.raw() == "7");
  CHECK_FALSE(must_parse("[\"a\"]").find("a", untouched));
  CHECK(must_parse("{}").members().empty());
  CHECK(must_parse("{}").size() == 0);
  CHECK(must_parse("[]").members().empty());

  // Keys with escapes and non-ASCII; the empty key.
  const value u = must_parse(R"({"\u00e9t\u00e9":1,"été":2,"":3,"\ud83d\ude00":4})");
  REQUIRE(u.find("\xC3\xA9t\xC3\xA9", out));
  CHECK(out.raw() == "2");
  REQUIRE(u.find("", out));
  CHECK(out.raw() == "3");
  REQUIRE(u.find("\xF0\x9F\x98\x80", out));
  CHECK(out.raw() == "4");
}

TEST_CASE("iteration over a value from the canonical rebuild matches node on json_cases.txt") {
  std::size_t compared = 0;
  for (const auto& l : json_cases::read("json_cases.txt")) {
    if (l.size() < 3) continue;
    const std::string input = json_cases::unhex(l[0]);
    const std::string expect = json_cases::unhex(l[2]);
    INFO("input: " << input);
    const json_cases::exact_copy copy(input);
    std::string got;
    canonical(must_parse(copy.view()), got);
    CHECK(got == expect);
    ++compared;
  }
  CHECK(compared >= 1000);
}

TEST_CASE("accessors stay memory safe and terminate on text that was never validated") {
  // Every input of the differential file, valid or not, through unchecked() and every accessor;
  // the answer is unspecified, but ASan and the loop bound check it is safe.
  std::size_t total = 0;
  for (const auto& l : json_cases::read("json_cases.txt")) {
    const std::string input = json_cases::unhex(l[0]);
    for (std::size_t cut = 0; cut <= input.size(); cut += 1 + input.size() / 4) {
      const json_cases::exact_copy copy(std::string_view(input).substr(cut));
      total += touch_everything(value::unchecked(copy.view()));
    }
  }
  const char* const hostile[] = {
      "[",        "{",   "\"",    "\"\\",          "[\"\\",       "{\"a\"",      "{\"a\":",
      "{\"a\" 1", "[1,", "[,",    "[,,,]",         "{,}",         "{:}",         "]]]",
      "}",        "[}",  "\"\\u", "\"\\ud800\\u",  "\"\\ud800\\", "\"\\uZZZZ\"", "{\"a\":1,\"a\"",
      "[[[[[[",   "-",   "tru",   "{\"a\":1 2 3}", "[1 2 3]",     "\"\\q\""};
  for (const char* h : hostile) {
    const json_cases::exact_copy copy(h);
    total += touch_everything(value::unchecked(copy.view()));
  }
  CHECK(total > 0);
  // A few that have an answer worth pinning.
  CHECK(value::unchecked("  [1]  ").raw() == "[1]");
  CHECK_FALSE(value::unchecked("   ").exists());
  CHECK(value::unchecked("\"\\uZZ\"").unescaped_size() == 5);  // U+FFFD, then "ZZ"
}

TEST_CASE("the SWAR skipping helpers match their byte-by-byte definitions at every alignment") {
  const auto naive = [](const char* p, const char* end, std::string_view set) {
    for (; p != end; ++p) {
      if (set.find(*p) != std::string_view::npos) return p;
    }
    return end;
  };
  std::mt19937 gen(4242);
  const char interesting[] = {'"', '\\', '[',    ']',    '{',    '}',    ';', '=',
                              'K', 'M',  '\xdb', '\xfd', '\x00', '\xff', 'a', ' '};
  for (int round = 0; round < 3000; ++round) {
    std::string buf(static_cast<std::size_t>(gen() % 40), 'a');
    for (char& ch : buf) {
      ch = (round % 2 == 1) ? static_cast<char>(gen()) : interesting[gen() % sizeof interesting];
    }
    const json_cases::exact_copy copy(buf);
    const std::string_view v = copy.view();
    for (std::size_t start = 0; start <= v.size(); ++start) {
      const char* b = v.data() + start;
      const char* e = v.data() + v.size();
      REQUIRE(siocodec::json::detail::find_structural(b, e) == naive(b, e, "\"[]{}"));
      REQUIRE(siocodec::json::detail::find_quote_or_backslash(b, e) == naive(b, e, "\"\\"));
    }
  }
}

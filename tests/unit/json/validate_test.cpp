// SPDX-License-Identifier: BSL-1.0
#include <siocodec/json/validate.hpp>

#include "support/catch.hpp"
#include "unit/json/cases.hpp"

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

using siocodec::errc;
using siocodec::json::kind;
using siocodec::json::options;
using siocodec::json::validate;
using namespace std::string_view_literals;

namespace {

struct y_case {
  std::string_view text;
  kind k;
};

struct n_case {
  std::string_view text;
  errc e;
  std::size_t offset;
};

// Must accept: every production of RFC 8259 and the UTF-8 boundaries (RFC 3629 table).
constexpr y_case y_cases[] = {
    // numbers
    {"0", kind::number},
    {"-0", kind::number},
    {"1", kind::number},
    {"-1", kind::number},
    {"123", kind::number},
    {"0.5", kind::number},
    {"-0.5e10", kind::number},
    {"1E5", kind::number},
    {"1e+5", kind::number},
    {"1e-5", kind::number},
    {"1E-0", kind::number},
    {"0e0", kind::number},
    {"0E+00", kind::number},
    {"12.34E+56", kind::number},
    {"1e400", kind::number},
    {"-1e-400", kind::number},
    {"123456789012345678901234567890", kind::number},
    {"-0.0", kind::number},
    {"18446744073709551616", kind::number},
    {"1.000000000000000000000000001", kind::number},
    // literals
    {"true", kind::boolean},
    {"false", kind::boolean},
    {"null", kind::null},
    // strings and escapes
    {R"("")", kind::string},
    {R"("abc")", kind::string},
    {R"("\"\\\/\b\f\n\r\t")", kind::string},
    {R"("\u0000")", kind::string},
    {R"("\uabcd\uABCD\uAbCd")", kind::string},
    {R"("\u0123\u4567\u89aB\ucDeF")", kind::string},
    {R"("\ud800")", kind::string},
    {R"("\udfff")", kind::string},
    {R"("\udc00\ud800")", kind::string},
    {R"("\ud83d\ude00")", kind::string},
    {R"("/")", kind::string},
    {"\"\x7f\"", kind::string},
    {"\"'\"", kind::string},
    {"\" \"", kind::string},
    // UTF-8 at the limits of every sequence length
    {"\"\xC2\x80\"", kind::string},                  // U+0080
    {"\"\xDF\xBF\"", kind::string},                  // U+07FF
    {"\"\xE0\xA0\x80\"", kind::string},              // U+0800
    {"\"\xED\x9F\xBF\"", kind::string},              // U+D7FF, last before the surrogates
    {"\"\xEE\x80\x80\"", kind::string},              // U+E000, first after them
    {"\"\xEF\xBF\xBF\"", kind::string},              // U+FFFF
    {"\"\xEF\xBB\xBF\"", kind::string},              // U+FEFF inside a string is content
    {"\"\xE2\x80\xA8\xE2\x80\xA9\"", kind::string},  // U+2028 U+2029
    {"\"\xF0\x90\x80\x80\"", kind::string},          // U+10000
    {"\"\xF4\x8F\xBF\xBF\"", kind::string},          // U+10FFFF
    {"\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"", kind::string},
    {"\"abcdefghijklmnop\xC3\xA9qrstuvwxyz\"", kind::string},  // after an 8-byte SWAR step
    // arrays and objects
    {"[]", kind::array},
    {"[ ]", kind::array},
    {"{}", kind::object},
    {"{ }", kind::object},
    {"[1,2,3]", kind::array},
    {"[[],[[]],{}]", kind::array},
    {R"({"a":{}})", kind::object},
    {R"({"a":1,"a":2})", kind::object},
    {R"({"":0})", kind::object},
    {R"([1e1,0.1e1,-0,true,false,null,""])", kind::array},
    {R"({"a":[1,{"b":null}],"c":"d"})", kind::object},
    {R"({"\u0061\n":1})", kind::object},
    // whitespace wherever the grammar allows it, all four kinds of it
    {" \t\r\n[ \t\r\n1 \t\r\n, \t\r\n2 \t\r\n] \t\r\n", kind::array},
    {" \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n1 \t\r\n, \t\r\n\"b\" \t\r\n: \t\r\n[ ] \t\r\n} \t\r\n",
     kind::object},
    {"\n\"x\"\n", kind::string},
    {" 0 ", kind::number},
};

// Must reject, with this error at this offset.
constexpr n_case n_cases[] = {
    // structure
    {"", errc::invalid_json, 0},
    {"   ", errc::invalid_json, 3},
    {"x", errc::invalid_json, 0},
    {"[", errc::invalid_json, 1},
    {"[1", errc::invalid_json, 2},
    {"[1,", errc::invalid_json, 3},
    {"[1,]", errc::invalid_json, 3},
    {"[,1]", errc::invalid_json, 1},
    {"[,]", errc::invalid_json, 1},
    {"[1 2]", errc::invalid_json, 3},
    {"[1:2]", errc::invalid_json, 2},
    {"]", errc::invalid_json, 0},
    {"}", errc::invalid_json, 0},
    {",", errc::invalid_json, 0},
    {":", errc::invalid_json, 0},
    {"[}", errc::invalid_json, 1},
    {"{]", errc::invalid_json, 1},
    {"[1}", errc::invalid_json, 2},
    {R"({"a":1])", errc::invalid_json, 6},
    {"{", errc::invalid_json, 1},
    {"{ ", errc::invalid_json, 2},
    {R"({"a")", errc::invalid_json, 4},
    {R"({"a" 1})", errc::invalid_json, 5},
    {R"({"a":})", errc::invalid_json, 5},
    {R"({"a":)", errc::invalid_json, 5},
    {R"({"a":1)", errc::invalid_json, 6},
    {R"({"a":1,})", errc::invalid_json, 7},
    {R"({"a":1,)", errc::invalid_json, 7},
    {R"({,"a":1})", errc::invalid_json, 1},
    {R"({"a"::1})", errc::invalid_json, 5},
    {R"({"a";1})", errc::invalid_json, 4},
    {"{1:2}", errc::invalid_json, 1},
    {"{'a':1}", errc::invalid_json, 1},
    {"{a:1}", errc::invalid_json, 1},
    {"{null:1}", errc::invalid_json, 1},
    {R"({"a":1 "b":2})", errc::invalid_json, 7},
    {R"(["a":1])", errc::invalid_json, 4},
    {"1 2", errc::invalid_json, 2},
    {"[] []", errc::invalid_json, 3},
    {"[]]", errc::invalid_json, 2},
    {"[1]x", errc::invalid_json, 3},
    {R"("a""b")", errc::invalid_json, 3},
    {"/*c*/1", errc::invalid_json, 0},
    {"1//c", errc::invalid_json, 1},
    // literals
    {"t", errc::invalid_json, 1},
    {"tru", errc::invalid_json, 3},
    {"trUe", errc::invalid_json, 2},
    {"truex", errc::invalid_json, 4},
    {"true1", errc::invalid_json, 4},
    {"nul", errc::invalid_json, 3},
    {"nulll", errc::invalid_json, 4},
    {"fals", errc::invalid_json, 4},
    {"falsE", errc::invalid_json, 4},
    {"True", errc::invalid_json, 0},
    {"NULL", errc::invalid_json, 0},
    {"NaN", errc::invalid_json, 0},
    {"Infinity", errc::invalid_json, 0},
    {"undefined", errc::invalid_json, 0},
    {"[nan]", errc::invalid_json, 2},
    // bytes that are not JSON whitespace, ASCII or not
    {"\xEF\xBB\xBF"
     "1",
     errc::invalid_json, 0},                    // a byte order mark
    {"1\xC2\xA0", errc::invalid_json, 1},       // U+00A0
    {"[\xE2\x80\xA8]", errc::invalid_json, 1},  // U+2028
    {"\xC3\xA9", errc::invalid_json, 0},
    {"[\xC3\xA9]", errc::invalid_json, 1},
    {"\x0b"
     "1",
     errc::invalid_json, 0},  // VT
    {"\x0c"
     "1",
     errc::invalid_json, 0},  // FF
    {"1\x00"sv, errc::invalid_json, 1},
    {"\x00"sv, errc::invalid_json, 0},
    {"[1,\x1f"
     "2]",
     errc::invalid_json, 3},
    // numbers
    {"-", errc::invalid_json_number, 1},
    {"-a", errc::invalid_json_number, 1},
    {"--1", errc::invalid_json_number, 1},
    {"- 1", errc::invalid_json_number, 1},
    {"01", errc::invalid_json_number, 1},
    {"-01", errc::invalid_json_number, 2},
    {"00", errc::invalid_json_number, 1},
    {"[01]", errc::invalid_json_number, 2},
    {"1.", errc::invalid_json_number, 2},
    {"1.e5", errc::invalid_json_number, 2},
    {"1.x", errc::invalid_json_number, 2},
    {"[1.]", errc::invalid_json_number, 3},
    {".5", errc::invalid_json_number, 0},
    {"[.5]", errc::invalid_json_number, 1},
    {"+1", errc::invalid_json_number, 0},
    {"1e", errc::invalid_json_number, 2},
    {"1E", errc::invalid_json_number, 2},
    {"1e+", errc::invalid_json_number, 3},
    {"1e-x", errc::invalid_json_number, 3},
    {"1e+-1", errc::invalid_json_number, 3},
    {"1.5e", errc::invalid_json_number, 4},
    {"1.5.3", errc::invalid_json_number, 3},
    {"0.0.0", errc::invalid_json_number, 3},
    {"1e5e3", errc::invalid_json_number, 3},
    {"1e5.3", errc::invalid_json_number, 3},
    {"1E5E", errc::invalid_json_number, 3},
    {"[1-2]", errc::invalid_json_number, 2},
    {"1+2", errc::invalid_json_number, 1},
    {"-Infinity", errc::invalid_json_number, 1},
    {"0x10", errc::invalid_json, 1},
    {"1_000", errc::invalid_json, 1},
    {"[-]", errc::invalid_json_number, 2},
    {"{\"a\":-}", errc::invalid_json_number, 6},
    // strings
    {"\"", errc::invalid_json_string, 1},
    {"\"abc", errc::invalid_json_string, 4},
    {"\"abcdefghijklmnopqrstuvwxyz", errc::invalid_json_string, 27},
    {"\"\\", errc::invalid_json_string, 2},
    {R"("\x")", errc::invalid_json_string, 2},
    {R"("\U0041")", errc::invalid_json_string, 2},
    {R"("\u")", errc::invalid_json_string, 3},
    {R"("\u12")", errc::invalid_json_string, 5},
    {R"("\u12G4")", errc::invalid_json_string, 5},
    {R"("\u 123")", errc::invalid_json_string, 3},
    {"\"\\u123", errc::invalid_json_string, 6},
    {R"("\'")", errc::invalid_json_string, 2},
    {R"("\0")", errc::invalid_json_string, 2},
    {R"("\a")", errc::invalid_json_string, 2},
    {R"("\v")", errc::invalid_json_string, 2},
    {R"("\ ")", errc::invalid_json_string, 2},
    {"\"\\\xC3\xA9\"", errc::invalid_json_string, 2},
    {"\"a\tb\"", errc::invalid_json_string, 2},
    {"\"\n\"", errc::invalid_json_string, 1},
    {"\"\x00\""sv, errc::invalid_json_string, 1},
    {"\"\x1f\"", errc::invalid_json_string, 1},
    {"\"abcdefghijk\x01\"", errc::invalid_json_string, 12},
    {"'a'", errc::invalid_json, 0},
    {R"(["a","b])", errc::invalid_json_string, 8},
    {R"({"a\q":1})", errc::invalid_json_string, 4},
    {"{\"\x01\":1}", errc::invalid_json_string, 2},
    {R"({"a)", errc::invalid_json_string, 3},
    // UTF-8 inside strings (offset: first byte of the bad sequence)
    {"\"\x80\"", errc::invalid_utf8, 1},  // lone continuation byte
    {"\"\xBF\"", errc::invalid_utf8, 1},
    {"\"\xC0\x80\"", errc::invalid_utf8, 1},      // overlong NUL
    {"\"\xC1\xBF\"", errc::invalid_utf8, 1},      // overlong 2-byte
    {"\"\xE0\x80\x80\"", errc::invalid_utf8, 1},  // overlong 3-byte
    {"\"\xE0\x9F\xBF\"", errc::invalid_utf8, 1},
    {"\"\xF0\x80\x80\x80\"", errc::invalid_utf8, 1},  // overlong 4-byte
    {"\"\xF0\x8F\xBF\xBF\"", errc::invalid_utf8, 1},
    {"\"\xED\xA0\x80\"", errc::invalid_utf8, 1},              // U+D800 encoded
    {"\"\xED\xBF\xBF\"", errc::invalid_utf8, 1},              // U+DFFF encoded
    {"\"\xED\xA0\xBD\xED\xB8\x80\"", errc::invalid_utf8, 1},  // CESU-8 pair
    {"\"\xF4\x90\x80\x80\"", errc::invalid_utf8, 1},          // U+110000
    {"\"\xF5\x80\x80\x80\"", errc::invalid_utf8, 1},
    {"\"\xF8\x88\x80\x80\x80\"", errc::invalid_utf8, 1},  // 5-byte form
    {"\"\xFC\x84\x80\x80\x80\x80\"", errc::invalid_utf8, 1},
    {"\"\xFE\"", errc::invalid_utf8, 1},
    {"\"\xFF\"", errc::invalid_utf8, 1},
    {"\"\xC2\"", errc::invalid_utf8, 1},  // cut by the closing quote
    {"\"\xE2\x82\"", errc::invalid_utf8, 1},
    {"\"\xF0\x9F\x98\"", errc::invalid_utf8, 1},
    {"\"\xE2\x82"
     "a\"",
     errc::invalid_utf8, 1},
    {"\"ab\xE2\x82", errc::invalid_utf8, 3},  // cut by the end of the input
    {"\"\xF0\x9F\x98", errc::invalid_utf8, 1},
    {"\"\xC3\xA9\xC3\"", errc::invalid_utf8, 3},
    {"\"abcdefgh\x80\"", errc::invalid_utf8, 9},
    {"\"\xC3\xA9\x80\"", errc::invalid_utf8, 3},  // one continuation too many
    {"{\"k\xFF\":1}", errc::invalid_utf8, 3},
};

std::string nested_arrays(std::size_t n) { return std::string(n, '[') + std::string(n, ']'); }

std::string nested_objects(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += R"({"a":)";
  s += "0";
  s += std::string(n, '}');
  return s;
}

// The plain byte-by-byte definition scan_string must match.
const char* naive_scan(const char* p, const char* end) {
  for (; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return p;
  }
  return end;
}

}  // namespace

TEST_CASE("validate accepts every y_ case and reports its kind") {
  for (const y_case& c : y_cases) {
    INFO("text: " << std::string(c.text));
    const json_cases::exact_copy copy(c.text);
    const auto r = validate(copy.view());
    REQUIRE(r.has_value());
    CHECK(*r == c.k);
    CHECK(r.offset() == c.text.size());
  }
}

TEST_CASE("validate rejects every n_ case with the exact error and offset") {
  for (const n_case& c : n_cases) {
    INFO("text: " << std::string(c.text));
    const json_cases::exact_copy copy(c.text);
    const auto r = validate(copy.view());
    REQUIRE_FALSE(r.has_value());
    CHECK(siocodec::to_string(r.error()) == std::string(siocodec::to_string(c.e)));
    CHECK(r.offset() == c.offset);
  }
}

TEST_CASE("validate reads nothing past the end of the view") {
  // The bytes after the view would complete or change the value; they must not be seen.
  CHECK(validate(std::string_view("truex", 4)).has_value());
  CHECK(validate(std::string_view("123e5", 3)).has_value());
  CHECK(validate(std::string_view("[1]]", 3)).has_value());
  const auto r = validate(std::string_view("\"abc\"", 4));
  CHECK(r.error() == errc::invalid_json_string);
  CHECK(r.offset() == 4);
  const auto n = validate(std::string_view("-1", 1));
  CHECK(n.error() == errc::invalid_json_number);
  CHECK(n.offset() == 1);
  const auto u = validate(std::string_view("\"\xC3\xA9\"", 2));
  CHECK(u.error() == errc::invalid_utf8);
  CHECK(u.offset() == 1);
}

TEST_CASE("validate: depth limit boundary") {
  for (const std::size_t d :
       {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{63},
        std::size_t{64}, std::size_t{65}, std::size_t{127}, std::size_t{128}, std::size_t{129},
        std::size_t{4095}, std::size_t{4096}}) {
    INFO("max_depth " << d);
    options o;
    o.max_depth = d;
    if (d != 0) CHECK(validate(nested_arrays(d), o).has_value());
    const auto a = validate(nested_arrays(d + 1), o);
    CHECK(a.error() == errc::nesting_too_deep);
    CHECK(a.offset() == d);
    CHECK(validate(nested_objects(d), o).has_value());  // d == 0: the scalar "0"
    const auto b = validate(nested_objects(d + 1), o);
    CHECK(b.error() == errc::nesting_too_deep);
    CHECK(b.offset() == d * 5);
  }
  // The default is SIOCODEC_DEFAULT_MAX_JSON_DEPTH.
  CHECK(validate(nested_arrays(SIOCODEC_DEFAULT_MAX_JSON_DEPTH)).has_value());
  CHECK(validate(nested_arrays(SIOCODEC_DEFAULT_MAX_JSON_DEPTH + 1)).error() ==
        errc::nesting_too_deep);
  // Scalars have depth 0 even with max_depth 0.
  options zero;
  zero.max_depth = 0;
  CHECK(validate("1", zero).has_value());
  CHECK(validate("\"[\"", zero).has_value());
  CHECK(validate("{}", zero).error() == errc::nesting_too_deep);
}

TEST_CASE("validate: depth is tracked per container, mixing arrays and objects") {
  options o;
  o.max_depth = 3;
  CHECK(validate(R"([{"a":[1]},{"b":[2]},[[3]]])", o).has_value());
  const auto r = validate(R"([{"a":[1]},{"b":[[2]]}])", o);
  CHECK(r.error() == errc::nesting_too_deep);
  CHECK(r.offset() == 17);
  // Closing must match the container kind at every depth of the bit stack (word boundaries).
  for (const std::size_t n :
       {std::size_t{63}, std::size_t{64}, std::size_t{65}, std::size_t{200}}) {
    options big;
    big.max_depth = 1000;
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += (i % 3 == 0) ? R"({"k":)" : "[";
    s += "1";
    for (std::size_t i = n; i-- > 0;) s += (i % 3 == 0) ? "}" : "]";
    CHECK(validate(s, big).has_value());
    // Swap one closer deep inside: must fail exactly there.
    const std::size_t pos = s.size() - n + 7;
    std::string bad = s;
    bad[pos] = bad[pos] == ']' ? '}' : ']';
    const auto e = validate(bad, big);
    CHECK(e.error() == errc::invalid_json);
    CHECK(e.offset() == pos);
  }
}

TEST_CASE("validate: a million nested arrays fail fast with nesting_too_deep, no recursion") {
  const std::string deep = nested_arrays(1000000);
  const auto r = validate(deep);
  CHECK(r.error() == errc::nesting_too_deep);
  CHECK(r.offset() == SIOCODEC_DEFAULT_MAX_JSON_DEPTH);
  // Even when the caller asks for no limit, the fixed stack caps it.
  options o;
  o.max_depth = static_cast<std::size_t>(-1);
  const auto c = validate(deep, o);
  CHECK(c.error() == errc::nesting_too_deep);
  CHECK(c.offset() == siocodec::json::max_depth_limit);
  CHECK(validate(nested_arrays(siocodec::json::max_depth_limit), o).has_value());
  std::string objs;
  for (int i = 0; i < 1000000; ++i) objs += R"({"":)";
  const auto d = validate(objs, o);
  CHECK(d.error() == errc::nesting_too_deep);
  CHECK(d.offset() == siocodec::json::max_depth_limit * 4);
}

TEST_CASE("validate: every escape letter and every byte as a raw string character") {
  for (int c = 0; c < 256; ++c) {
    INFO("byte " << c);
    const char ch = static_cast<char>(c);
    // As the letter of an escape.
    const std::string esc = std::string("\"\\") + ch + "\"";
    const bool esc_ok = std::string_view("\"\\/bfnrt").find(ch) != std::string_view::npos;
    const auto r = validate(esc);
    CHECK(r.has_value() == esc_ok);
    if (!esc_ok) {
      CHECK(r.error() == errc::invalid_json_string);
      CHECK(r.offset() == (c == 'u' ? 3u : 2u));  // `\u` fails at its first missing hex digit
    }
    // As a raw byte inside a string.
    if (c == '"' || c == '\\') continue;
    const std::string raw = std::string("\"") + ch + "\"";
    const auto s = validate(raw);
    if (c < 0x20) {
      CHECK(s.error() == errc::invalid_json_string);
      CHECK(s.offset() == 1);
    } else if (c >= 0x80) {
      CHECK(s.error() == errc::invalid_utf8);  // a lone lead or continuation byte
      CHECK(s.offset() == 1);
    } else {
      CHECK(s.has_value());
    }
  }
  // Every hex digit position of \u checks its digit.
  for (int pos = 0; pos < 4; ++pos) {
    std::string s = R"("\u0000")";
    s[static_cast<std::size_t>(3 + pos)] = 'g';
    const auto r = validate(s);
    CHECK(r.error() == errc::invalid_json_string);
    CHECK(r.offset() == static_cast<std::size_t>(3 + pos));
  }
}

TEST_CASE("validate: object strings stop at the right byte on either side of the byte loop") {
  // Keys and member values are checked one byte at a time for their first 16 bytes and by the
  // vector step after that, or by the tail window when fewer than 16 bytes are left: put each
  // kind of stop byte at every position of strings of up to 40 bytes, with 0 to 20 bytes of
  // trailing whitespace, and check the outcome against the grammar and against the same string
  // as an array element (which has no byte loop).
  struct stop {
    std::string_view bytes;
    errc e;            // errc::none: the string stays valid
    std::size_t skip;  // offset of the error from the stop byte
  };
  const stop stops[] = {
      {R"(\n)", errc::none, 0},
      {R"(\u00e9)", errc::none, 0},
      {R"(\x)", errc::invalid_json_string, 1},
      {"\xC3\xA9", errc::none, 0},
      {"\xF0\x9F\x98\x80", errc::none, 0},
      {"\x01", errc::invalid_json_string, 0},
      {"\x1f", errc::invalid_json_string, 0},
      {"\xff", errc::invalid_utf8, 0},
      {"\xC3(", errc::invalid_utf8, 0},
      {"\"", errc::invalid_json, 1},
  };

  for (std::size_t len = 0; len <= 40; ++len) {
    for (std::size_t at = 0; at <= len; ++at) {
      for (const stop& st : stops) {
        if (at == len && st.e == errc::invalid_json) continue;  // that is the closing quote
        std::string content(at, 'a');
        content += st.bytes;
        content += std::string(len - at, 'b');
        for (std::size_t pad = 0; pad <= 20; pad += 4) {
          INFO("len " << len << " at " << at << " stop "
                      << int(static_cast<unsigned char>(st.bytes[0])) << " pad " << pad);
          const std::string tail(pad, ' ');
          const std::string as_key = "{\"" + content + "\":1}" + tail;
          const std::string as_value = "{\"k\":\"" + content + "\"}" + tail;
          const std::string as_element = "[\"" + content + "\"]" + tail;
          const auto k = validate(as_key);
          const auto v = validate(as_value);
          const auto a = validate(as_element);
          CHECK(k.error() == st.e);
          CHECK(v.error() == st.e);
          CHECK(a.error() == st.e);
          if (st.e != errc::none) {
            CHECK(k.offset() == 2 + at + st.skip);
            CHECK(v.offset() == 6 + at + st.skip);
            CHECK(a.offset() == 2 + at + st.skip);
          } else {
            CHECK(k.value() == kind::object);
            CHECK(v.value() == kind::object);
          }
        }
      }
    }
  }
}

TEST_CASE("validate agrees with UTF-8 decoding for every 2-, 3- and 4-byte lead") {
  // For each lead byte and a second byte, build a string with valid continuation bytes after
  // it; the answer must match the RFC 3629 table.
  for (int lead = 0x80; lead < 0x100; ++lead) {
    for (int second = 0x80; second < 0xC0; ++second) {
      std::string s = "\"";
      s += static_cast<char>(lead);
      s += static_cast<char>(second);
      s += "\x80\x80";  // enough continuation bytes for any length; extras make it invalid
      const int len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
      s.resize(static_cast<std::size_t>(1 + (len == 0 ? 1 : len)));
      s += '"';
      bool ok = false;
      if (lead >= 0xC2 && lead <= 0xDF) ok = true;
      if (lead == 0xE0) ok = second >= 0xA0;
      if (lead >= 0xE1 && lead <= 0xEC) ok = true;
      if (lead == 0xED) ok = second <= 0x9F;
      if (lead >= 0xEE && lead <= 0xEF) ok = true;
      if (lead == 0xF0) ok = second >= 0x90;
      if (lead >= 0xF1 && lead <= 0xF3) ok = true;
      if (lead == 0xF4) ok = second <= 0x8F;
      INFO("lead " << lead << " second " << second);
      const auto r = validate(s);
      CHECK(r.has_value() == ok);
      if (!ok) {
        CHECK(r.error() == errc::invalid_utf8);
        CHECK(r.offset() == 1);
      }
    }
  }
}

TEST_CASE("scan_string matches the byte-by-byte definition at every alignment") {
  std::mt19937 gen(12345);
  const char interesting[] = {'"', '\\', '\x00', '\x1f', '\x20', '\x7f', '\x80', '\xff',
                              'a', '!',  '#',    '[',    ']',    '\x21', '\x5b', '\x5d'};
  for (int round = 0; round < 4000; ++round) {
    std::string buf(static_cast<std::size_t>(gen() % 40), 'a');
    const std::size_t specials = gen() % 3;
    for (std::size_t i = 0; i < specials && !buf.empty(); ++i) {
      buf[gen() % buf.size()] = interesting[gen() % sizeof interesting];
    }
    if (round % 2 == 1) {  // fully random bytes, too
      for (char& ch : buf) ch = static_cast<char>(gen());
    }
    const json_cases::exact_copy copy(buf);
    const std::string_view v = copy.view();
    for (std::size_t start = 0; start <= v.size(); ++start) {
      const char* b = v.data() + start;
      const char* e = v.data() + v.size();
      REQUIRE(siocodec::json::detail::scan_string(b, e) == naive_scan(b, e));
    }
  }
}

TEST_CASE("validate agrees with node's JSON.parse on every line of json_cases.txt") {
  const auto lines = json_cases::read("json_cases.txt");
  REQUIRE(lines.size() >= 3000);
  std::size_t accepted = 0;
  for (const auto& l : lines) {
    REQUIRE(l.size() >= 2);
    const std::string input = json_cases::unhex(l[0]);
    const bool expect = l[1] == "1";
    const json_cases::exact_copy copy(input);
    const auto r = validate(copy.view());
    INFO("input hex: " << l[0]);
    REQUIRE(r.has_value() == expect);
    if (expect) {
      ++accepted;
      CHECK(r.offset() == input.size());
      continue;
    }
    // The offset is the first byte that makes the text impossible to complete:
    // - every shorter prefix is still viable (accepted, or failing only at its end; a UTF-8
    //   sequence cut by the end is reported at its lead byte, up to 3 bytes back);
    // - the prefix that includes the offending byte fails at exactly that byte.
    REQUIRE(r.offset() <= input.size());
    if (r.error() == errc::nesting_too_deep) continue;
    for (std::size_t k = 0; k < r.offset(); ++k) {
      const json_cases::exact_copy prefix(std::string_view(input).substr(0, k));
      const auto p = validate(prefix.view());
      if (p.has_value()) continue;
      INFO("prefix " << k << " fails at " << p.offset() << " " << siocodec::to_string(p.error()));
      if (p.error() == errc::invalid_utf8) {
        CHECK(p.offset() + 4 > k);
      } else {
        CHECK(p.offset() == k);
      }
    }
    if (r.offset() < input.size()) {
      const json_cases::exact_copy prefix(std::string_view(input).substr(0, r.offset() + 1));
      const auto p = validate(prefix.view());
      CHECK(p.error() == r.error());
      CHECK(p.offset() == r.offset());
    }
  }
  CHECK(accepted >= 1000);
}

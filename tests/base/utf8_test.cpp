#include "base/utf8.hpp"

#include <lmc/error.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace std::string_literals;

TEST(Utf8, CountsCodePointsLikePython) {
  EXPECT_EQ(lmc::base::utf8::count_code_points(""), 0u);
  EXPECT_EQ(lmc::base::utf8::count_code_points("abc"), 3u);
  EXPECT_EQ(lmc::base::utf8::count_code_points("caf\xC3\xA9"), 4u);        // café
  EXPECT_EQ(lmc::base::utf8::count_code_points("\xE2\x80\x94"), 1u);       // em dash
  EXPECT_EQ(lmc::base::utf8::count_code_points("\xF0\x9F\x98\x80!"), 2u);  // 😀!
  EXPECT_EQ(lmc::base::utf8::count_code_points("e\xCC\x81"), 2u);          // e + combining acute
  EXPECT_EQ(lmc::base::utf8::count_code_points("\xE4\xB8\xAD\xE6\x96\x87"), 2u);  // 中文
}

TEST(Utf8, FindsInvalidSequences) {
  EXPECT_FALSE(lmc::base::utf8::find_invalid("plain \xC3\xA9\xF0\x9F\x98\x80").has_value());
  EXPECT_EQ(lmc::base::utf8::find_invalid("ab\x80"), 2u);            // lone continuation byte
  EXPECT_EQ(lmc::base::utf8::find_invalid("a\xC0\xAF"), 1u);         // overlong '/'
  EXPECT_EQ(lmc::base::utf8::find_invalid("\xE0\x80\xAF"), 0u);      // overlong 3-byte
  EXPECT_EQ(lmc::base::utf8::find_invalid("x\xED\xA0\x80"), 1u);     // surrogate U+D800
  EXPECT_EQ(lmc::base::utf8::find_invalid("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(lmc::base::utf8::find_invalid("ok\xE2\x82"), 2u);        // truncated
  EXPECT_EQ(lmc::base::utf8::find_invalid("\xFF"), 0u);
  EXPECT_FALSE(lmc::base::utf8::find_invalid("nul\0inside"s).has_value());
}

TEST(Utf8, DecodesAndEncodes) {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // a é € 😀
  std::size_t pos = 0;
  EXPECT_EQ(lmc::base::utf8::decode(text, pos), U'a');
  EXPECT_EQ(lmc::base::utf8::decode(text, pos), U'\u00E9');
  EXPECT_EQ(lmc::base::utf8::decode(text, pos), U'\u20AC');
  EXPECT_EQ(lmc::base::utf8::decode(text, pos), U'\U0001F600');
  EXPECT_EQ(pos, text.size());

  std::string out;
  for (char32_t cp : {U'a', U'\u00E9', U'\u20AC', U'\U0001F600'}) lmc::base::utf8::append(out, cp);
  EXPECT_EQ(out, text);
  EXPECT_THROW(lmc::base::utf8::append(out, 0xD800), lmc::Error);
  EXPECT_THROW(lmc::base::utf8::append(out, 0x110000), lmc::Error);
}

TEST(Utf8, InvalidBytesDecodeToReplacementOneByOne) {
  const std::string text = "\xFF\xC3";
  std::size_t pos = 0;
  EXPECT_EQ(lmc::base::utf8::decode(text, pos), U'\uFFFD');
  EXPECT_EQ(pos, 1u);
  EXPECT_EQ(lmc::base::utf8::decode(text, pos), U'\uFFFD');
  EXPECT_EQ(pos, 2u);
  EXPECT_EQ(lmc::base::utf8::count_code_points(text), 2u);
}

}  // namespace

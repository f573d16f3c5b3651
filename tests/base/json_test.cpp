// The JSON door: parse_json's limits and errors, through every loader that reads JSON, and
// JsonWriter's output against RapidJSON's writers (an independent implementation of the same
// layouts) and its escaping and misuse checks.
#include "base/json.hpp"

#include <lmc/corpus.hpp>
#include <lmc/error.hpp>
#include <lmc/eval.hpp>
#include <lmc/hf_config.hpp>
#include <lmc/json.hpp>
#include <lmc/tokenizer.hpp>

#include <gtest/gtest.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const lmc::Error& e) {
    EXPECT_EQ(e.code(), lmc::ErrorCode::format) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no lmc::Error";
  return {};
}

class TempFile {
 public:
  TempFile(const std::string& name, const std::string& contents)
      : path_(fs::temp_directory_path() / ("lmc_json_test_" + std::to_string(::getpid())) / name) {
    fs::create_directories(path_.parent_path());
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() {
    std::error_code ignored;
    fs::remove_all(path_.parent_path(), ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(JsonDoor, NestingIsLimitedWithoutRecursion) {
  EXPECT_NO_THROW(lmc::base::parse_json(nested(lmc::base::kMaxJsonDepth), "t"));
  const std::string too_deep =
      message_of([] { lmc::base::parse_json(nested(lmc::base::kMaxJsonDepth + 1), "deep.json"); });
  EXPECT_NE(too_deep.find("deep.json: invalid JSON at offset 128: nested deeper than 128"),
            std::string::npos)
      << too_deep;
  // A million levels: refused at once, no stack used.
  EXPECT_NE(message_of([] {
              lmc::base::parse_json(std::string(1000000, '{'), "x");
            }).find("nested deeper"),
            std::string::npos);
  // Brackets inside strings, escaped quotes included, are text.
  const std::string in_string = "{\"a\": \"\\\"" + std::string(1000, '[') + "\"}";
  EXPECT_EQ(lmc::base::parse_json(in_string, "t")["a"].GetStringLength(), 1001u);
}

// Found by fuzzing: rapidjson's full-precision parser hit undefined behaviour (clz of zero) on a
// zero with an exponent or many fraction digits. Such numbers read as zero (the door converts
// numbers itself, see NumbersAreTheClosestDouble); malformed ones stay errors.
TEST(JsonDoor, ZeroWithAnExponentIsZero) {
  const std::string many_zeros = "0." + std::string(400, '0');
  const auto doc = lmc::base::parse_json(
      R"({"a": 0e101, "b": -0.000E-50, "c": [0e+9, 1e2], "d": "0e5", "e": 0.0e0, "f": )" +
          many_zeros + "}",
      "zeros");
  EXPECT_EQ(doc["a"].GetDouble(), 0.0);
  EXPECT_EQ(doc["b"].GetDouble(), 0.0);
  EXPECT_TRUE(std::signbit(doc["b"].GetDouble()));
  EXPECT_EQ(doc["c"][0].GetDouble(), 0.0);
  EXPECT_EQ(doc["c"][1].GetDouble(), 100.0);
  EXPECT_STREQ(doc["d"].GetString(), "0e5");
  EXPECT_EQ(doc["e"].GetDouble(), 0.0);
  EXPECT_TRUE(doc["f"].IsDouble());
  EXPECT_EQ(doc["f"].GetDouble(), 0.0);
  for (const char* bad : {"[0e]", "[0e+]", "[00e5]", "[0.e5]"}) {
    EXPECT_THROW((void)lmc::base::parse_json(bad, "bad"), lmc::Error) << bad;
  }
}

// Found by fuzzing: rapidjson 1.1's full-precision conversion read long or tiny numbers wrongly
// ("-0.9287e-327" as 1.7e305, "1.000...0e-340" as -2e292) or indexed its table of powers out of
// bounds ("0." and 400 zeros and "1967"). The door converts numbers itself: each must be the
// double that glibc's strtod (an independent, correctly rounded conversion) gives.
TEST(JsonDoor, NumbersAreTheClosestDouble) {
  std::vector<std::string> numbers = {"-0.9287e-327",
                                      "1." + std::string(400, '0') + "e-340",
                                      "0." + std::string(400, '0') + "1967",
                                      "0." + std::string(400, '0') + "196e700",

                                      "12345678901234567890123e-360",
                                      "12345678901234567890123e-340",
                                      "4.9406564584124654e-324",
                                      "2.4703282292062328e-324",
                                      "2.4703282292062327e-324",
                                      "1.7976931348623157e308",
                                      "0.1",
                                      "-0.0",
                                      "1e-5",
                                      "123456789012345678901234567890",
                                      "9" + std::string(300, '9'),
                                      "0." + std::string(3000, '0') + "1e3000",
                                      "1.5e-400",
                                      "-1e-400"};
  // Generated: an integer part, leading zeros in the fraction, digits, an exponent.
  std::uint64_t state = 1;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  for (int n = 0; n < 20000; ++n) {
    std::string x = next() % 2 ? "-" : "";
    const auto int_digits = next() % 4;
    x += int_digits == 0 ? "0" : std::to_string(1 + next() % 9);
    for (std::uint64_t i = 1; i < int_digits; ++i) x += static_cast<char>('0' + next() % 10);
    if (next() % 2) {
      x += '.' + std::string(next() % 3 == 0 ? next() % 40 : 0, '0');
      for (auto i = 1 + next() % 25; i > 0; --i) x += static_cast<char>('0' + next() % 10);
    }
    if (next() % 2) x += (next() % 2 ? "e-" : "E") + std::to_string(next() % 400);
    numbers.push_back(x);
  }
  // (rapidjson's grammar itself refuses an integer part beyond 10^308 as too big, whatever the
  // exponent after it: "1" and 400 zeros and "e-700" is an error, not 1e-300.)
  for (const std::string& x : numbers) {
    const double expected = std::strtod(x.c_str(), nullptr);
    if (std::isinf(expected)) continue;
    SCOPED_TRACE(x);
    rapidjson::Document doc;
    std::string problem;
    ASSERT_TRUE(lmc::base::try_parse_json("[" + x + "]", doc, problem)) << problem;
    ASSERT_TRUE(doc[0].IsNumber());
    EXPECT_EQ(doc[0].GetDouble(), expected);
    // "-0" is the integer 0 (rapidjson's type for it); -0.0 and -0e0 keep the sign.
    if (x.find_first_of(".eE") != std::string::npos) {
      EXPECT_EQ(std::signbit(doc[0].GetDouble()), std::signbit(expected));
    }
  }
  // Integers keep rapidjson's types: the narrowest that holds them, a double beyond 64 bits.
  const auto ints = lmc::base::parse_json(
      "[4294967295, 4294967296, -2147483648, -2147483649, 18446744073709551615, "
      "18446744073709551616, -9223372036854775808, -9223372036854775809, -0, 7]",
      "ints");
  EXPECT_TRUE(ints[0].IsUint() && !ints[0].IsInt());
  EXPECT_TRUE(ints[1].IsUint64() && !ints[1].IsUint());
  EXPECT_TRUE(ints[2].IsInt());
  EXPECT_EQ(ints[2].GetInt(), std::numeric_limits<int>::min());
  EXPECT_TRUE(ints[3].IsInt64() && !ints[3].IsInt());
  EXPECT_EQ(ints[4].GetUint64(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_TRUE(ints[5].IsDouble());
  EXPECT_EQ(ints[6].GetInt64(), std::numeric_limits<std::int64_t>::min());
  EXPECT_TRUE(ints[7].IsDouble());
  EXPECT_TRUE(ints[8].IsInt() && ints[8].GetInt() == 0);
  EXPECT_TRUE(ints[9].IsInt() && ints[9].IsUint());
  // Beyond the largest double: refused, with the number's offset.
  for (const std::string& big : {std::string("1e309"), std::string("1.9e308"),
                                 "-" + std::string(400, '9'), std::string("0.5e99999999999")}) {
    const std::string message =
        message_of([&] { (void)lmc::base::parse_json("[1, " + big + "]", "big.json"); });
    EXPECT_NE(message.find("big.json: invalid JSON at offset 4: Number too big"), std::string::npos)
        << big << ": " << message;
  }
}

TEST(JsonDoor, OneRuleSet) {
  // Invalid UTF-8, a lone surrogate escape and trailing garbage are refused with the offset.
  EXPECT_NE(message_of([] {
              lmc::base::parse_json("{\"a\": \"\xC3\x28\"}", "f");
            }).find("f: invalid JSON at offset"),
            std::string::npos);
  EXPECT_THROW(lmc::base::parse_json("\"\\ud800\"", "f"), lmc::Error);
  EXPECT_THROW(lmc::base::parse_json("{} x", "f"), lmc::Error);
  // Numbers are correctly rounded (full precision): the closest double to the decimal.
  EXPECT_EQ(lmc::base::parse_json("[2.2250738585072011e-308]", "f")[0].GetDouble(),
            2.2250738585072011e-308);
  EXPECT_EQ(lmc::base::parse_json("[0.1000000000000000055511151231257827]", "f")[0].GetDouble(),
            0.1);
  std::string problem;
  rapidjson::Document document;
  EXPECT_FALSE(lmc::base::try_parse_json("[", document, problem));
  EXPECT_EQ(problem.rfind("invalid JSON at offset 1: ", 0), 0u) << problem;
}

// Every loader of untrusted JSON refuses hostile nesting with an lmc::Error naming the file.
TEST(JsonDoor, EveryLoaderRefusesDeepNesting) {
  const std::string deep = "{\"model\": " + std::string(200000, '[') + "}";
  {
    TempFile file("tokenizer.json", deep);
    const std::string message =
        message_of([&] { (void)lmc::Tokenizer::from_tokenizer_json(file.path()); });
    EXPECT_NE(message.find("tokenizer.json: invalid JSON at offset 137: nested deeper"),
              std::string::npos)
        << message;
  }
  EXPECT_NE(message_of([&] {
              (void)lmc::HfConfig::parse(deep, "config.json");
            }).find("config.json: invalid JSON"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              (void)lmc::BpcResult::from_json(deep, "result.json");
            }).find("result.json: invalid JSON"),
            std::string::npos);
  {
    TempFile file("corpus.jsonl", "{\"content\": \"fine\"}\n" + deep + "\n");
    lmc::Corpus corpus = lmc::Corpus::open(file.path().string());
    lmc::Document document;
    ASSERT_TRUE(corpus.next(document));
    const std::string message = message_of([&] { corpus.next(document); });
    EXPECT_NE(message.find("corpus.jsonl: line 2: invalid JSON at offset 137: nested deeper"),
              std::string::npos)
        << message;
  }
}

// Writes the same values through lmc::JsonWriter and a RapidJSON writer.
template <typename Rapid>
void write_both(lmc::JsonWriter& mine, Rapid& theirs) {
  const std::string text = "quote \" backslash \\ \b\f\n\r\t \x01\x1f\x7f é €";
  mine.begin_object();
  theirs.StartObject();
  mine.key("text").value(text);
  theirs.Key("text");
  theirs.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  mine.key("numbers").begin_array();
  theirs.Key("numbers");
  theirs.StartArray();
  for (double v : {0.0, -0.0, 1.0, 0.1, 1e-7, 123456789012345680000.0, 5e-324,
                   1.7976931348623157e308, -2.5, 3.14159265358979}) {
    mine.value(v);
    theirs.Double(v);
  }
  mine.end_array();
  theirs.EndArray();
  mine.key("ints")
      .begin_array()
      .value(std::int64_t{-9007199254740993})
      .value(std::numeric_limits<std::uint64_t>::max());
  theirs.Key("ints");
  theirs.StartArray();
  theirs.Int64(-9007199254740993);
  theirs.Uint64(std::numeric_limits<std::uint64_t>::max());
  mine.end_array();
  theirs.EndArray();
  mine.key("empty_object").begin_object().end_object();
  theirs.Key("empty_object");
  theirs.StartObject();
  theirs.EndObject();
  mine.key("empty_array").begin_array().end_array();
  theirs.Key("empty_array");
  theirs.StartArray();
  theirs.EndArray();
  mine.key("objects").begin_array();
  theirs.Key("objects");
  theirs.StartArray();
  for (int i = 0; i < 2; ++i) {
    mine.begin_object().member("i", i).member("flag", i == 1).key("none").null().end_object();
    theirs.StartObject();
    theirs.Key("i");
    theirs.Int(i);
    theirs.Key("flag");
    theirs.Bool(i == 1);
    theirs.Key("none");
    theirs.Null();
    theirs.EndObject();
  }
  mine.end_array().end_object();
  theirs.EndArray();
  theirs.EndObject();
}

TEST(JsonWriter, CompactMatchesRapidJsonWriter) {
  lmc::JsonWriter mine(lmc::JsonWriter::Style::compact);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> theirs(buffer);
  write_both(mine, theirs);
  EXPECT_EQ(mine.str(), std::string(buffer.GetString(), buffer.GetSize()));
  EXPECT_TRUE(mine.complete());
}

TEST(JsonWriter, IndentedMatchesRapidJsonPrettyWriterWithSingleLineArrays) {
  lmc::JsonWriter mine(lmc::JsonWriter::Style::indented, 2);
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> theirs(buffer);
  theirs.SetIndent(' ', 2);
  theirs.SetFormatOptions(rapidjson::kFormatSingleLineArray);
  write_both(mine, theirs);
  EXPECT_EQ(mine.str(), std::string(buffer.GetString(), buffer.GetSize()));
}

TEST(JsonWriter, SpacedStyleAndWhatJsonCannotHold) {
  lmc::JsonWriter json;
  json.begin_object().member("a", 1).key("b").begin_array().value(2).value("x").end_array();
  json.member("nan", std::nan("")).member("inf", -HUGE_VAL);
  json.key("text").number_text("-1.5e-05").key("g").number_text("nan");
  json.member("bad", std::string("a\xff"
                                 "b\xc3",
                                 4))
      .end_object();
  EXPECT_EQ(json.str(),
            "{\"a\": 1, \"b\": [2, \"x\"], \"nan\": null, \"inf\": null, \"text\": -1.5e-05, "
            "\"g\": null, \"bad\": \"a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\"}");
  // What it writes is valid JSON that the door reads back.
  EXPECT_EQ(lmc::base::parse_json(json.str(), "t")["b"][1].GetString(), std::string("x"));
}

TEST(JsonWriter, RefusesMisuse) {
  using Style = lmc::JsonWriter::Style;
  auto expect_misuse = [](const std::function<void(lmc::JsonWriter&)>& f) {
    lmc::JsonWriter json(Style::compact);
    try {
      f(json);
      ADD_FAILURE() << "accepted: " << json.str();
    } catch (const lmc::Error& e) {
      EXPECT_EQ(e.code(), lmc::ErrorCode::invalid_argument) << e.what();
    }
  };
  expect_misuse([](lmc::JsonWriter& j) { j.begin_object().value(1); });
  expect_misuse([](lmc::JsonWriter& j) { j.begin_object().key("a").key("b"); });
  expect_misuse([](lmc::JsonWriter& j) { j.begin_array().key("a"); });
  expect_misuse([](lmc::JsonWriter& j) { j.begin_array().end_object(); });
  expect_misuse([](lmc::JsonWriter& j) { j.begin_object().key("a").end_object(); });
  expect_misuse([](lmc::JsonWriter& j) { j.end_array(); });
  expect_misuse([](lmc::JsonWriter& j) { j.value(1).value(2); });
  expect_misuse([](lmc::JsonWriter& j) { j.number_text("01"); });
  expect_misuse([](lmc::JsonWriter& j) { j.number_text("1."); });
  expect_misuse([](lmc::JsonWriter& j) { j.number_text("1,2"); });
}

}  // namespace

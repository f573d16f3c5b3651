#include "base/json.hpp"

#include "base/fail.hpp"
#include "base/mapped_file.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>

#include <optional>
#include <string>

LMC_BEGIN_NAMESPACE
namespace base {
namespace {

// The byte offset of the first '[' or '{' that opens level kMaxJsonDepth + 1, or npos. A scan
// that only tracks strings: it does not validate (the parser does), it only bounds the nesting
// before the parser sees the text.
std::size_t find_too_deep(std::string_view text) noexcept {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

// rapidjson's grammar refuses a zero with an exponent above 308 ("0e400") as too big, and its
// full-precision conversion counted the leading zeros of a zero significand (undefined
// behaviour, found by fuzzing) for "0e5", "-0.00E-7", "0.000...0". Every well-formed zero with a
// fraction or an exponent is rewritten as "0.0" (or "-0.0", the same value and type) padded
// with spaces:
// whitespace after a number is valid JSON, and offsets stay the same. Malformed numbers are left
// for the parser to report. Returns the rewritten text, or nothing when no number needs it.
std::optional<std::string> rewrite_long_zeros(std::string_view text) {
  std::optional<std::string> out;
  auto digit = [&](std::size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != '-' && !digit(i)) continue;
    // A number starts here: [-] int [. digits] [e [+-] digits].
    std::size_t j = i + (c == '-' ? 1 : 0);
    const std::size_t int_begin = j;
    while (digit(j)) ++j;
    bool zero = j == int_begin + 1 && text[int_begin] == '0';
    bool well_formed = j > int_begin, tail = false;
    if (j < text.size() && text[j] == '.') {
      const std::size_t fraction = ++j;
      for (; digit(j); ++j) {
        if (text[j] != '0') zero = false;
      }
      well_formed = well_formed && j > fraction;
      tail = true;
    }
    if (j < text.size() && (text[j] == 'e' || text[j] == 'E')) {
      ++j;
      if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
      const std::size_t exponent = j;
      while (digit(j)) ++j;
      well_formed = well_formed && j > exponent;
      tail = true;
    }
    const std::string_view replacement = c == '-' ? "-0.0" : "0.0";
    if (zero && well_formed && tail && j - i > replacement.size()) {
      if (!out) out.emplace(text);
      out->replace(i, replacement.size(), replacement);
      for (std::size_t k = i + replacement.size(); k < j; ++k) (*out)[k] = ' ';
    }
    i = j - 1;
  }
  return out;
}

// The decimal exponent of the first significant digit of a JSON number (valid grammar, as
// rapidjson checked it), counting its exponent part (saturated far beyond any double), or
// nothing for a zero: tells an underflow from an overflow.
std::optional<long long> leading_exponent(std::string_view number) noexcept {
  auto digit = [&](std::size_t k) {
    return k < number.size() && number[k] >= '0' && number[k] <= '9';
  };
  std::size_t i = number.empty() || number[0] != '-' ? 0 : 1;
  const std::size_t int_begin = i;
  while (digit(i)) ++i;
  std::optional<long long> leading;
  for (std::size_t k = int_begin; k < i && !leading; ++k) {
    if (number[k] != '0') leading = static_cast<long long>(i - k) - 1;
  }
  if (i < number.size() && number[i] == '.') {
    const std::size_t point = i++;
    for (; digit(i); ++i) {
      if (!leading && number[i] != '0') leading = -static_cast<long long>(i - point);
    }
  }
  if (!leading) return std::nullopt;
  if (i < number.size() && (number[i] == 'e' || number[i] == 'E')) {
    ++i;
    const bool negative = i < number.size() && number[i] == '-';
    if (i < number.size() && (number[i] == '-' || number[i] == '+')) ++i;
    long long exponent = 0;
    for (; digit(i); ++i) exponent = std::min(exponent * 10 + (number[i] - '0'), 1'000'000'000LL);
    *leading += negative ? -exponent : exponent;
  }
  return leading;
}

// Hands every SAX event to the document, except numbers, which rapidjson gives as text
// (kParseNumbersAsStringsFlag) and this converts: rapidjson 1.1's own conversion of long or
// tiny numbers is wrong or undefined (found by fuzzing: zeros with an exponent counted the
// leading zeros of 0; "0.000...0196" with hundreds of zeros indexed its power table out of
// bounds; "-0.9287e-327" read as 1.7e305). std::from_chars rounds correctly; the types are the
// ones rapidjson gives (Int, Uint, Int64, Uint64 for integers that fit, Double otherwise), and a
// number beyond the doubles is refused as rapidjson refuses one.
class NumberConverter {
 public:
  explicit NumberConverter(rapidjson::Document& document) : document_(document) {}

  bool Null() { return document_.Null(); }
  bool Bool(bool b) { return document_.Bool(b); }
  bool Int(int i) { return document_.Int(i); }
  bool Uint(unsigned u) { return document_.Uint(u); }
  bool Int64(std::int64_t i) { return document_.Int64(i); }
  bool Uint64(std::uint64_t u) { return document_.Uint64(u); }
  bool Double(double d) { return document_.Double(d); }
  bool String(const char* text, rapidjson::SizeType length, bool copy) {
    return document_.String(text, length, copy);
  }
  bool Key(const char* text, rapidjson::SizeType length, bool copy) {
    return document_.Key(text, length, copy);
  }
  bool StartObject() { return document_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) { return document_.EndObject(members); }
  bool StartArray() { return document_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) { return document_.EndArray(elements); }

  bool RawNumber(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    const char* end = text + length;
    const bool negative = length > 0 && text[0] == '-';
    if (std::find_if(text, end, [](char c) { return c == '.' || c == 'e' || c == 'E'; }) == end) {
      if (negative) {
        std::int64_t value = 0;
        if (const auto r = std::from_chars(text, end, value); r.ec == std::errc() && r.ptr == end) {
          return value >= std::numeric_limits<int>::min() ? Int(static_cast<int>(value))
                                                          : Int64(value);
        }
      } else {
        std::uint64_t value = 0;
        if (const auto r = std::from_chars(text, end, value); r.ec == std::errc() && r.ptr == end) {
          return value <= std::numeric_limits<unsigned>::max() ? Uint(static_cast<unsigned>(value))
                                                               : Uint64(value);
        }
      }
    }
    double value = 0;
    const auto r = std::from_chars(text, end, value);
    if (r.ec == std::errc() && r.ptr == end) return Double(value);
    const std::optional<long long> leading = leading_exponent(std::string_view(text, length));
    if (r.ec == std::errc::result_out_of_range && (!leading || *leading < 0)) {
      return Double(negative ? -0.0 : 0.0);  // below the smallest double: rounds to zero
    }
    too_big_ = true;
    return false;
  }

  bool too_big() const noexcept { return too_big_; }

 private:
  rapidjson::Document& document_;
  bool too_big_ = false;
};

}  // namespace

bool try_parse_json(std::string_view text, rapidjson::Document& document, std::string& problem) {
  if (const std::size_t at = find_too_deep(text); at != std::string_view::npos) {
    problem =
        fmt::format("invalid JSON at offset {}: nested deeper than {} levels", at, kMaxJsonDepth);
    return false;
  }
  constexpr unsigned flags = rapidjson::kParseIterativeFlag |
                             rapidjson::kParseValidateEncodingFlag |
                             rapidjson::kParseNumbersAsStringsFlag;
  rapidjson::ParseResult result;
  bool too_big = false;
  // Populate hands the document to the generator as the SAX handler and keeps the value built.
  const std::optional<std::string> rewritten = rewrite_long_zeros(text);
  const std::string_view parsed = rewritten ? std::string_view(*rewritten) : text;
  auto generator = [&](rapidjson::Document& handler) {
    NumberConverter converter(handler);
    rapidjson::MemoryStream memory(parsed.data(), parsed.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> stream(memory);
    rapidjson::Reader reader;
    result = reader.Parse<flags>(stream, converter);
    too_big = converter.too_big();
    return !result.IsError();
  };
  document.Populate(generator);
  if (result.IsError()) {
    problem = fmt::format(
        "invalid JSON at offset {}: {}", result.Offset(),
        rapidjson::GetParseError_En(too_big ? rapidjson::kParseErrorNumberTooBig : result.Code()));
    return false;
  }
  return true;
}

rapidjson::Document parse_json(std::string_view text, std::string_view source) {
  rapidjson::Document document;
  std::string problem;
  if (!try_parse_json(text, document, problem)) fail(ErrorCode::format, "{}: {}", source, problem);
  return document;
}

rapidjson::Document load_json_object(const std::filesystem::path& path) {
  const MappedFile file = MappedFile::open(path);
  const auto bytes = file.bytes();
  rapidjson::Document document = parse_json(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path.string());
  if (!document.IsObject()) fail(ErrorCode::format, "{}: not a JSON object", path.string());
  return document;
}

std::string_view json_type_name(const rapidjson::Value& value) noexcept {
  switch (value.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "a boolean";
    case rapidjson::kObjectType: return "an object";
    case rapidjson::kArrayType: return "an array";
    case rapidjson::kStringType: return "a string";
    case rapidjson::kNumberType: return "a number";
  }
  return "unknown";
}

}  // namespace base
LMC_END_NAMESPACE

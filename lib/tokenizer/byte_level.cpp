#include "tokenizer/byte_level.hpp"

#include "base/utf8.hpp"

#include <array>

LMC_BEGIN_NAMESPACE
namespace tokenizer::byte_level {
namespace {

struct Tables {
  std::array<char32_t, 256> char_of{};
  std::array<int, 0x144> byte_of{};  // every mapped character is below U+0144
};

const Tables& tables() {
  static const Tables t = [] {
    Tables result;
    result.byte_of.fill(-1);
    auto printable = [](int b) {
      return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    };
    int next = 0;
    for (int b = 0; b < 256; ++b) {
      const char32_t c =
          printable(b) ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + next++);
      result.char_of[static_cast<std::size_t>(b)] = c;
      result.byte_of[c] = b;
    }
    return result;
  }();
  return t;
}

}  // namespace

char32_t char_of_byte(unsigned char byte) noexcept { return tables().char_of[byte]; }

std::optional<unsigned char> byte_of_char(char32_t c) noexcept {
  if (c >= tables().byte_of.size()) return std::nullopt;
  const int b = tables().byte_of[c];
  if (b < 0) return std::nullopt;
  return static_cast<unsigned char>(b);
}

std::string encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char b : bytes) base::utf8::append(out, char_of_byte(static_cast<unsigned char>(b)));
  return out;
}

std::optional<std::string> decode(std::string_view mapped) {
  std::string out;
  out.reserve(mapped.size());
  std::size_t pos = 0;
  while (pos < mapped.size()) {
    if (base::utf8::sequence_length(mapped, pos) == 0) return std::nullopt;
    auto b = byte_of_char(base::utf8::decode(mapped, pos));
    if (!b) return std::nullopt;
    out.push_back(static_cast<char>(*b));
  }
  return out;
}

}  // namespace tokenizer::byte_level
LMC_END_NAMESPACE

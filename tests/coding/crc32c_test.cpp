#include "coding/crc32c.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace {

std::span<const std::byte> bytes_of(std::string_view text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

// Check values from RFC 3720 (iSCSI), appendix B.4, and the common "123456789" check value.
TEST(Crc32c, MatchesPublishedCheckValues) {
  EXPECT_EQ(lmc::coding::crc32c(bytes_of("123456789")), 0xE3069283u);
  std::vector<std::byte> zeros(32, std::byte{0});
  EXPECT_EQ(lmc::coding::crc32c(zeros), 0x8A9136AAu);
  std::vector<std::byte> ones(32, std::byte{0xFF});
  EXPECT_EQ(lmc::coding::crc32c(ones), 0x62A8AB43u);
  std::vector<std::byte> ascending(32);
  for (int i = 0; i < 32; ++i) ascending[static_cast<std::size_t>(i)] = static_cast<std::byte>(i);
  EXPECT_EQ(lmc::coding::crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(lmc::coding::crc32c({}), 0u);
}

TEST(Crc32c, ContinuesAcrossPieces) {
  std::string_view text = "The quick brown fox jumps over the lazy dog, twice over.";
  std::uint32_t whole = lmc::coding::crc32c(bytes_of(text));
  for (std::size_t split = 0; split <= text.size(); ++split) {
    std::uint32_t first = lmc::coding::crc32c(bytes_of(text.substr(0, split)));
    EXPECT_EQ(lmc::coding::crc32c(bytes_of(text.substr(split)), first), whole) << split;
  }
}

}  // namespace

#include "base/byte_reader.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace {

std::array<std::byte, 11> sample() {
  return {std::byte{0x01}, std::byte{0x02}, std::byte{0x03}, std::byte{0x04},  // u32
          std::byte{0xFF}, std::byte{0xFF},                                    // i16 = -1
          std::byte{'a'},  std::byte{'b'},  std::byte{'c'},  std::byte{0x00}, std::byte{0x80}};
}

TEST(ByteReader, ReadsLittleEndian) {
  auto data = sample();
  lmc::base::ByteReader reader(data, "sample");
  EXPECT_EQ(reader.read<std::uint32_t>("u32"), 0x04030201u);
  EXPECT_EQ(reader.read<std::int16_t>("i16"), -1);
  EXPECT_EQ(reader.take_string(3, "text"), "abc");
  EXPECT_EQ(reader.offset(), 9u);
  EXPECT_EQ(reader.remaining(), 2u);
  EXPECT_EQ(reader.read<std::uint16_t>("u16"), 0x8000u);
  EXPECT_EQ(reader.remaining(), 0u);
}

TEST(ByteReader, RefusesToReadPastTheEnd) {
  auto data = sample();
  lmc::base::ByteReader reader(data, "sample.bin");
  reader.skip(8, "head");
  try {
    reader.read<std::uint32_t>("tensor count");
    FAIL() << "read past the end";
  } catch (const lmc::Error& error) {
    EXPECT_EQ(error.code(), lmc::ErrorCode::format);
    const std::string message = error.what();
    EXPECT_NE(message.find("sample.bin"), std::string::npos) << message;
    EXPECT_NE(message.find("offset 8"), std::string::npos) << message;
    EXPECT_NE(message.find("tensor count"), std::string::npos) << message;
  }
  EXPECT_EQ(reader.offset(), 8u) << "a failed read must not move the cursor";
}

TEST(ByteReader, HugeLengthsDoNotWrap) {
  auto data = sample();
  lmc::base::ByteReader reader(data, "sample");
  reader.skip(1, "x");
  EXPECT_THROW(reader.take(~std::uint64_t{0}, "string"), lmc::Error);
  EXPECT_THROW(reader.seek(12, "tensor data"), lmc::Error);
  reader.seek(11, "end");
  EXPECT_EQ(reader.remaining(), 0u);
}

}  // namespace

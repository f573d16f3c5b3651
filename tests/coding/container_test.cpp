#include <lmc/compressor.hpp>

#include "coding/container.hpp"
#include "coding/crc32c.hpp"
#include "support/fake_model.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace {

using lmc_test::as_bytes;
using lmc_test::english_sample;
using lmc_test::FakeModel;

std::uint32_t read_u32(const std::vector<std::byte>& data, std::size_t offset) {
  std::uint32_t value = 0;
  std::memcpy(&value, data.data() + offset, 4);
  return value;
}

void write_u32(std::vector<std::byte>& data, std::size_t offset, std::uint32_t value) {
  std::memcpy(data.data() + offset, &value, 4);
}

// Recomputes every checksum, so that a deliberately edited container passes them.
void reseal(std::vector<std::byte>& data) {
  std::size_t header =
      46 + static_cast<std::size_t>(data[44]) + (static_cast<std::size_t>(data[45]) << 8);
  write_u32(data, header, lmc::coding::crc32c(std::span(data).first(header)));
  std::size_t chunks = read_u32(data, 40);
  std::size_t table = header + 4;
  if (table + 16 * chunks + 4 <= data.size()) {
    write_u32(data, table + 16 * chunks,
              lmc::coding::crc32c(std::span(data).subspan(table, 16 * chunks)));
  }
  std::size_t trailer = data.size() - 12;
  write_u32(data, trailer, lmc::coding::crc32c(std::span(data).first(trailer)));
}

class Container : public ::testing::Test {
 protected:
  FakeModel model{english_sample()};
  lmc::Compressor compressor{model, {.threads = 1, .chunk_bytes = 16}};
  std::string text = "Alice was \xff here.\r\n And then again.";  // 3 chunks, escapes included
  std::vector<std::byte> container = compressor.compress(as_bytes(text));
};

TEST_F(Container, LayoutAndInspect) {
  const unsigned char magic[] = {0x89, 'L', 'M', 'C', 'Z', '\r', '\n', 0x1A};
  ASSERT_GT(container.size(), 80u);
  EXPECT_EQ(std::memcmp(container.data(), magic, 8), 0);
  EXPECT_EQ(std::memcmp(container.data() + container.size() - 8, "LMCZEND\n", 8), 0);
  auto info = lmc::inspect(container);
  EXPECT_EQ(info.format_version, 1u);
  EXPECT_EQ(info.fingerprint, "fake-bigram-v1");
  EXPECT_EQ(info.numeric_profile, 7u);
  EXPECT_EQ(info.vocab_size, model.vocab_size());
  EXPECT_EQ(info.context, model.context());
  EXPECT_EQ(info.chunk_bytes, 16u);
  EXPECT_EQ(info.original_size, text.size());
  EXPECT_EQ(info.container_size, container.size());
  ASSERT_EQ(info.chunks.size(), 3u);
  EXPECT_EQ(info.chunks[2].original_offset, 32u);
  EXPECT_EQ(info.chunks[2].original_size, text.size() - 32);
  EXPECT_EQ(info.chunks[1].original_crc32c, lmc::coding::crc32c(as_bytes(text.substr(16, 16))));
  std::uint64_t end = info.chunks[2].compressed_offset + info.chunks[2].compressed_size;
  EXPECT_EQ(end + 12, container.size());
}

TEST_F(Container, EverySingleByteChangeIsRejected) {
  for (std::size_t offset = 0; offset < container.size(); ++offset) {
    for (int delta = 1; delta < 256; ++delta) {
      auto damaged = container;
      damaged[offset] = static_cast<std::byte>(static_cast<int>(damaged[offset]) ^ delta);
      EXPECT_THROW(compressor.decompress(damaged), lmc::Error) << offset << " ^ " << delta;
      EXPECT_THROW(lmc::inspect(damaged), lmc::Error) << offset << " ^ " << delta;
    }
  }
}

TEST_F(Container, EveryTruncationAndExtensionIsRejected) {
  for (std::size_t size = 0; size < container.size(); ++size) {
    std::span<const std::byte> prefix(container.data(), size);
    try {
      compressor.decompress(prefix, "cut.lmcz");
      ADD_FAILURE() << "decoded a container cut to " << size << " bytes";
    } catch (const lmc::Error& error) {
      EXPECT_NE(std::string(error.what()).find("cut.lmcz"), std::string::npos);
      EXPECT_TRUE(error.code() == lmc::ErrorCode::format ||
                  error.code() == lmc::ErrorCode::corrupt_data)
          << error.what();
    }
  }
  auto longer = container;
  longer.push_back(std::byte{0});
  EXPECT_THROW(compressor.decompress(longer), lmc::Error);
}

TEST_F(Container, FutureVersionAndUnknownFlagsAreUnsupported) {
  auto future = container;
  future[8] = std::byte{2};
  try {
    lmc::inspect(future);
    FAIL();
  } catch (const lmc::Error& error) {
    EXPECT_EQ(error.code(), lmc::ErrorCode::unsupported);
    EXPECT_NE(std::string(error.what()).find("version 2"), std::string::npos) << error.what();
  }
  auto flagged = container;
  flagged[12] = std::byte{1};
  reseal(flagged);
  try {
    lmc::inspect(flagged);
    FAIL();
  } catch (const lmc::Error& error) {
    EXPECT_EQ(error.code(), lmc::ErrorCode::unsupported) << error.what();
  }
}

TEST_F(Container, LyingSizesWithValidChecksumsAreRejectedBeforeAllocating) {
  auto huge = container;
  write_u32(huge, 40, 0xFFFFFFFF);  // chunk count
  std::uint64_t size = std::uint64_t{0xFFFFFFFF} * 16;
  std::memcpy(huge.data() + 32, &size, 8);  // original size to match
  reseal(huge);
  EXPECT_THROW(lmc::inspect(huge), lmc::Error);

  auto wrong_chunk = container;
  write_u32(wrong_chunk, 28, 17);  // chunk bytes no longer match the chunk table
  reseal(wrong_chunk);
  EXPECT_THROW(lmc::inspect(wrong_chunk), lmc::Error);
}

TEST_F(Container, ResealedStreamDamageNeverDecodesToWrongOutput) {
  auto info = lmc::inspect(container);
  for (std::size_t chunk = 0; chunk < info.chunks.size(); ++chunk) {
    for (std::size_t i = 0; i < info.chunks[chunk].compressed_size; ++i) {
      auto damaged = container;
      std::size_t offset = info.chunks[chunk].compressed_offset + i;
      damaged[offset] ^= std::byte{0x10};
      // Make the stream checksum agree, so only the decoder and the original checksum remain.
      std::size_t entry = 46 + info.fingerprint.size() + 4 + 16 * chunk;
      write_u32(damaged, entry + 12,
                lmc::coding::crc32c(std::span(damaged).subspan(
                    info.chunks[chunk].compressed_offset, info.chunks[chunk].compressed_size)));
      reseal(damaged);
      // The last bytes of a range-coder stream have slack: a change there may still decode to
      // the same data. What must never happen is different data.
      try {
        EXPECT_EQ(compressor.decompress(damaged), as_bytes(text)) << chunk << ":" << i;
      } catch (const lmc::Error&) {
      }
    }
  }
}

}  // namespace

// Damaged GGUF files get lmc::Error, one test per class of damage.
#include <lmc/gguf.hpp>

#include "format/raw_bytes.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using lmc_test::patch;
using lmc_test::RawBytes;

// GGUF header: magic, version, tensor count, metadata count.
RawBytes header(std::uint64_t n_tensors, std::uint64_t n_kv, std::uint32_t version = 3) {
  RawBytes b;
  b.u32(0x46554747).u32(version).u64(n_tensors).u64(n_kv);
  return b;
}

// One tensor-info record.
void tensor_info(RawBytes& b, std::string_view name, std::vector<std::uint64_t> ne,
                 std::uint32_t type, std::uint64_t offset) {
  b.str(name).u32(static_cast<std::uint32_t>(ne.size()));
  for (auto d : ne) b.u64(d);
  b.u32(type).u64(offset);
}

// Expects Error with `code` whose message contains `fragment`.
void expect_error(const std::vector<std::byte>& bytes, lmc::ErrorCode code,
                  const std::string& fragment) {
  try {
    (void)lmc::GgufFile::parse(bytes, "bad.gguf");
    ADD_FAILURE() << "no error; expected one mentioning '" << fragment << "'";
  } catch (const lmc::Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("bad.gguf", 0), 0u) << "names the file: " << e.what();
  }
}

std::vector<std::byte> small_valid_file() {
  lmc::GgufWriter writer;
  writer.set_string("general.architecture", "testarch");
  const std::vector<std::string> tokens{"a", "bc", "def"};
  writer.set_strings("tokenizer.ggml.tokens", tokens);
  const std::vector<std::int64_t> shape{2, 32};
  const std::vector<float> values(64, 0.5f);
  writer.add_tensor_f32("t0", shape, values);
  writer.add_tensor_f32("t1", shape, values, lmc::DType::q8_0);
  return writer.to_bytes();
}

TEST(GgufCorruption, ValidBaseline) {
  const auto file = lmc::GgufFile::parse(small_valid_file(), "ok.gguf");
  EXPECT_EQ(file.tensors().size(), 2u);
}

TEST(GgufCorruption, EveryTruncationIsAnError) {
  const auto bytes = small_valid_file();
  // The last tensor (Q8_0 codes of 0.5: non-zero bytes) ends at the last non-zero byte; only the
  // zero padding after it may be cut without harm.
  std::size_t data_end = bytes.size();
  while (data_end > 0 && bytes[data_end - 1] == std::byte{0}) --data_end;
  for (std::size_t length = 0; length < data_end; ++length) {
    std::vector<std::byte> prefix(bytes.begin(), bytes.begin() + static_cast<long>(length));
    try {
      (void)lmc::GgufFile::parse(prefix, "cut.gguf");
      ADD_FAILURE() << "a prefix of " << length << " of " << bytes.size() << " bytes opened";
    } catch (const lmc::Error& e) {
      EXPECT_EQ(e.code(), lmc::ErrorCode::format) << e.what();
    }
  }
}

TEST(GgufCorruption, BadMagicAndVersions) {
  auto bytes = header(0, 0).bytes();
  patch<std::uint32_t>(bytes, 0, 0x46554746);
  expect_error(bytes, lmc::ErrorCode::format, "not a GGUF file");
  expect_error(header(0, 0, 1).bytes(), lmc::ErrorCode::unsupported, "version 1");
  expect_error(header(0, 0, 0x03000000).bytes(), lmc::ErrorCode::unsupported, "big-endian");
  expect_error(header(0, 0, 77).bytes(), lmc::ErrorCode::format, "unknown GGUF version 77");
  EXPECT_NO_THROW((void)lmc::GgufFile::parse(header(0, 0, 2).bytes(), "v2.gguf"));
}

TEST(GgufCorruption, AbsurdCounts) {
  expect_error(header(0, 1ull << 60).bytes(), lmc::ErrorCode::format, "metadata count");
  expect_error(header(1ull << 62, 0).bytes(), lmc::ErrorCode::format, "tensor count");
  // An array claiming 2^62 strings, 2^61 u32s, 2^61 nested arrays.
  for (std::uint32_t element : {8u, 4u, 9u}) {
    RawBytes b = header(0, 1);
    b.str("k").u32(9).u32(element).u64(element == 4 ? (1ull << 61) : (1ull << 62));
    b.zeros(64);
    expect_error(b.bytes(), lmc::ErrorCode::format, "k");
  }
  // Array byte size overflowing 64 bits.
  RawBytes overflow = header(0, 1);
  overflow.str("k").u32(9).u32(10).u64(1ull << 62);
  expect_error(overflow.bytes(), lmc::ErrorCode::format, "overflows");
}

TEST(GgufCorruption, AbsurdStringLengths) {
  RawBytes key = header(0, 1);
  key.u64(1ull << 63).text("k").zeros(64);
  expect_error(key.bytes(), lmc::ErrorCode::format, "metadata key needs");
  RawBytes value = header(0, 1);
  value.str("k").u32(8).u64(~0ull).text("abc");
  expect_error(value.bytes(), lmc::ErrorCode::format, "truncated");
  RawBytes name = header(1, 0);
  name.u64(1ull << 40).zeros(64);
  expect_error(name.bytes(), lmc::ErrorCode::format, "tensor name");
}

TEST(GgufCorruption, UnknownTypes) {
  RawBytes value = header(0, 1);
  value.str("k").u32(13).u32(0);
  expect_error(value.bytes(), lmc::ErrorCode::format, "unknown value type 13");
  RawBytes element = header(0, 1);
  element.str("k").u32(9).u32(99).u64(0);
  expect_error(element.bytes(), lmc::ErrorCode::format, "unknown value type 99");
  RawBytes boolean = header(0, 1);
  boolean.str("k").u32(7).u8(2);
  expect_error(boolean.bytes(), lmc::ErrorCode::format, "boolean");
  RawBytes tensor = header(1, 0);
  tensor_info(tensor, "t", {32}, 99, 0);
  tensor.pad_to(32).zeros(128);
  expect_error(tensor.bytes(), lmc::ErrorCode::unsupported, "ggml type 99");
  RawBytes iq = header(1, 0);
  tensor_info(iq, "t", {256}, 16, 0);  // IQ2_XXS: valid in ggml, not read by lmc
  iq.pad_to(32).zeros(256);
  expect_error(iq.bytes(), lmc::ErrorCode::unsupported, "ggml type 16");
}

TEST(GgufCorruption, DuplicateNames) {
  RawBytes keys = header(0, 2);
  keys.str("k").u32(4).u32(1).str("k").u32(4).u32(2);
  expect_error(keys.bytes(), lmc::ErrorCode::format, "duplicate metadata key 'k'");
  RawBytes tensors = header(2, 0);
  tensor_info(tensors, "t", {4}, 0, 0);
  tensor_info(tensors, "t", {4}, 0, 32);
  tensors.pad_to(32).zeros(64);
  expect_error(tensors.bytes(), lmc::ErrorCode::format, "duplicate tensor name 't'");
}

TEST(GgufCorruption, OffsetsAndSizesPastTheEnd) {
  RawBytes offset = header(1, 0);
  tensor_info(offset, "t", {4}, 0, 1ull << 40);
  offset.pad_to(32).zeros(16);
  expect_error(offset.bytes(), lmc::ErrorCode::format, "run past");
  RawBytes size = header(1, 0);
  tensor_info(size, "t", {1ull << 20, 1ull << 20}, 0, 0);
  size.pad_to(32).zeros(16);
  expect_error(size.bytes(), lmc::ErrorCode::format, "run past");
  RawBytes overflow = header(1, 0);
  tensor_info(overflow, "t", {1ull << 40, 1ull << 40}, 0, 0);
  overflow.pad_to(32);
  expect_error(overflow.bytes(), lmc::ErrorCode::format, "overflows");
  RawBytes hidden_overflow = header(1, 0);  // 0 elements, but 2^40 * 2^40 rows
  tensor_info(hidden_overflow, "t", {0, 1ull << 40, 1ull << 40}, 0, 0);
  hidden_overflow.pad_to(32);
  expect_error(hidden_overflow.bytes(), lmc::ErrorCode::format, "overflows");
  RawBytes end_overflow = header(1, 0);
  tensor_info(end_overflow, "t", {4}, 0, ~0ull - 31);
  end_overflow.pad_to(32).zeros(16);
  expect_error(end_overflow.bytes(), lmc::ErrorCode::format, "run past");
  RawBytes misaligned = header(1, 0);
  tensor_info(misaligned, "t", {4}, 0, 4);
  misaligned.pad_to(32).zeros(32);
  expect_error(misaligned.bytes(), lmc::ErrorCode::format, "not a multiple of the alignment");
  RawBytes partial_block = header(1, 0);
  tensor_info(partial_block, "t", {33}, 8, 0);  // Q8_0 rows must be multiples of 32
  partial_block.pad_to(32).zeros(128);
  expect_error(partial_block.bytes(), lmc::ErrorCode::format, "not a multiple of 32");
  RawBytes dims = header(1, 0);
  tensor_info(dims, "t", {1, 1, 1, 1, 1}, 0, 0);
  dims.pad_to(32).zeros(32);
  expect_error(dims.bytes(), lmc::ErrorCode::format, "5 dimensions");
}

// Every block-quantized type lmc computes with: rows that are not whole blocks, and data that
// stops before the tensor's last block, are refused naming the tensor (the kernels read
// rows · row bytes from the mapping and must never run past it).
TEST(GgufCorruption, QuantizedTensorsWithPartialBlocksOrMissingBytesNameTheTensor) {
  const std::string name = "blk.0.ffn_up.weight";
  for (lmc::DType type :
       {lmc::DType::q4_0, lmc::DType::q4_1, lmc::DType::q5_0, lmc::DType::q5_1, lmc::DType::q8_0,
        lmc::DType::q2_k, lmc::DType::q3_k, lmc::DType::q4_k, lmc::DType::q5_k, lmc::DType::q6_k,
        lmc::DType::iq4_nl, lmc::DType::iq4_xs}) {
    SCOPED_TRACE(lmc::dtype_name(type));
    const std::uint32_t id = *lmc::gguf_type_id(type);
    const auto block = static_cast<std::uint64_t>(lmc::dtype_block_size(type));
    const auto block_bytes = static_cast<std::uint64_t>(lmc::dtype_block_bytes(type));
    // Two rows of one block and a half (the bytes of four whole blocks are present).
    RawBytes partial = header(1, 0);
    tensor_info(partial, name, {block + block / 2, 2}, id, 0);
    partial.pad_to(32).zeros(4 * block_bytes);
    expect_error(partial.bytes(), lmc::ErrorCode::format, "tensor '" + name + "'");
    expect_error(partial.bytes(), lmc::ErrorCode::format,
                 "not a multiple of " + std::to_string(block));
    // Three rows of two blocks, the file one byte short of the sixth block.
    RawBytes short_data = header(1, 0);
    tensor_info(short_data, name, {2 * block, 3}, id, 0);
    short_data.pad_to(32).zeros(6 * block_bytes - 1);
    expect_error(short_data.bytes(), lmc::ErrorCode::format, "tensor '" + name + "'");
    expect_error(short_data.bytes(), lmc::ErrorCode::format, "run past");
    // The same tensor whole opens.
    RawBytes whole = header(1, 0);
    tensor_info(whole, name, {2 * block, 3}, id, 0);
    whole.pad_to(32).zeros(6 * block_bytes);
    EXPECT_NO_THROW((void)lmc::GgufFile::parse(whole.bytes(), "whole.gguf"));
  }
}

TEST(GgufCorruption, OverlappingTensors) {
  RawBytes b = header(2, 0);
  tensor_info(b, "a", {16}, 0, 0);   // bytes [0, 64)
  tensor_info(b, "b", {16}, 0, 32);  // bytes [32, 96)
  b.pad_to(32).zeros(96);
  expect_error(b.bytes(), lmc::ErrorCode::format, "overlap");
}

TEST(GgufCorruption, BadAlignment) {
  RawBytes b = header(0, 1);
  b.str("general.alignment").u32(4).u32(24);
  expect_error(b.bytes(), lmc::ErrorCode::format, "general.alignment 24");
  RawBytes wrong_type = header(0, 1);
  wrong_type.str("general.alignment").u32(8).str("32");
  expect_error(wrong_type.bytes(), lmc::ErrorCode::format, "general.alignment");
}

TEST(GgufCorruption, DeeplyNestedArrays) {
  RawBytes b = header(0, 1);
  b.str("k").u32(9);
  for (int i = 0; i < 100; ++i) b.u32(9).u64(1);
  b.u32(4).u64(0);
  expect_error(b.bytes(), lmc::ErrorCode::format, "nested deeper");
}

}  // namespace

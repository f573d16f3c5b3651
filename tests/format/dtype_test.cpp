// The dtype table and the scalar and row conversions, against hand-computed values.
#include <lmc/dtype.hpp>
#include <lmc/error.hpp>

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace {

TEST(DType, NamesRoundTrip) {
  for (int i = 0; i < lmc::dtype_count; ++i) {
    const auto type = static_cast<lmc::DType>(i);
    EXPECT_EQ(lmc::dtype_from_name(lmc::dtype_name(type)), type);
  }
  EXPECT_EQ(lmc::dtype_name(lmc::DType::q4_k), "Q4_K");
  EXPECT_EQ(lmc::dtype_name(lmc::DType::bf16), "BF16");
  EXPECT_FALSE(lmc::dtype_from_name("IQ2_XXS").has_value());
}

TEST(DType, BlockSizes) {
  // From the block layouts: e.g. Q4_K = 2 halves + 12 scale bytes + 128 nibble bytes.
  EXPECT_EQ(lmc::dtype_block_size(lmc::DType::f32), 1);
  EXPECT_EQ(lmc::dtype_block_bytes(lmc::DType::f32), 4);
  EXPECT_EQ(lmc::dtype_block_size(lmc::DType::q8_0), 32);
  EXPECT_EQ(lmc::dtype_block_bytes(lmc::DType::q8_0), 2 + 32);
  EXPECT_EQ(lmc::dtype_block_bytes(lmc::DType::q4_0), 2 + 16);
  EXPECT_EQ(lmc::dtype_block_bytes(lmc::DType::q5_1), 2 + 2 + 4 + 16);
  EXPECT_EQ(lmc::dtype_block_size(lmc::DType::q4_k), 256);
  EXPECT_EQ(lmc::dtype_block_bytes(lmc::DType::q4_k), 2 + 2 + 12 + 128);
  EXPECT_EQ(lmc::dtype_block_bytes(lmc::DType::q6_k), 128 + 64 + 16 + 2);
  EXPECT_EQ(lmc::dtype_row_bytes(lmc::DType::q4_k, 512), 288u);
  EXPECT_EQ(lmc::dtype_row_bytes(lmc::DType::bf16, 3), 6u);
  EXPECT_THROW((void)lmc::dtype_row_bytes(lmc::DType::q8_0, 33), lmc::Error);
  EXPECT_THROW((void)lmc::dtype_row_bytes(lmc::DType::f32, -1), lmc::Error);
  try {
    (void)lmc::dtype_row_bytes(lmc::DType::q8_0, 33);
  } catch (const lmc::Error& e) {
    EXPECT_EQ(e.code(), lmc::ErrorCode::invalid_argument);
  }
}

TEST(DType, HalfConversions) {
  EXPECT_EQ(lmc::fp16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(lmc::fp16_to_f32(0xc000), -2.0f);
  EXPECT_EQ(lmc::fp16_to_f32(0x7bff), 65504.0f);
  EXPECT_EQ(lmc::fp16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(lmc::fp16_to_f32(0x03ff), std::ldexp(1023.0f, -24));
  EXPECT_TRUE(std::isinf(lmc::fp16_to_f32(0x7c00)));
  EXPECT_TRUE(std::isnan(lmc::fp16_to_f32(0x7e00)));
  EXPECT_EQ(std::bit_cast<std::uint32_t>(lmc::fp16_to_f32(0x8000)), 0x80000000u);

  EXPECT_EQ(lmc::f32_to_fp16(1.0f), 0x3c00);
  EXPECT_EQ(lmc::f32_to_fp16(65504.0f), 0x7bff);
  EXPECT_EQ(lmc::f32_to_fp16(65520.0f), 0x7c00);  // halfway to the next: rounds to even = inf
  EXPECT_EQ(lmc::f32_to_fp16(1e10f), 0x7c00);
  EXPECT_EQ(lmc::f32_to_fp16(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(lmc::f32_to_fp16(std::ldexp(1.0f, -25)), 0x0000);         // tie, rounds to even 0
  EXPECT_EQ(lmc::f32_to_fp16(std::ldexp(3.0f, -25)), 0x0002);         // tie 1.5, rounds to even 2
  EXPECT_EQ(lmc::f32_to_fp16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie, to even
  EXPECT_EQ(lmc::f32_to_fp16(1.0f + std::ldexp(3.0f, -11)), 0x3c02);  // tie, to even (up)
  EXPECT_EQ(lmc::f32_to_fp16(-0.0f), 0x8000);
  EXPECT_EQ(lmc::f32_to_fp16(std::numeric_limits<float>::quiet_NaN()) & 0x7e00, 0x7e00);
  // Every finite half converts to float and back unchanged.
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;
    ASSERT_EQ(lmc::f32_to_fp16(lmc::fp16_to_f32(static_cast<std::uint16_t>(h))), h) << h;
  }
}

TEST(DType, BFloatConversions) {
  EXPECT_EQ(lmc::bf16_to_f32(0x3f80), 1.0f);
  EXPECT_EQ(lmc::f32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(lmc::f32_to_bf16(std::bit_cast<float>(0x3f808000u)), 0x3f80);  // tie, to even
  EXPECT_EQ(lmc::f32_to_bf16(std::bit_cast<float>(0x3f818000u)), 0x3f82);  // tie, to even
  EXPECT_EQ(lmc::f32_to_bf16(std::bit_cast<float>(0x3f808001u)), 0x3f81);
  EXPECT_TRUE(std::isnan(lmc::bf16_to_f32(lmc::f32_to_bf16(std::nanf("")))));
}

TEST(DType, Q8_0RoundTrip) {
  // One block: values k/127 * 2 for k in -16..15, so amax = 32/127, d = 32/127/127 ... the
  // quantized codes are exactly 4*k (|4k| <= 64 < 127) up to the rounding of d to half.
  std::vector<float> values(32);
  for (int i = 0; i < 32; ++i) values[static_cast<std::size_t>(i)] = static_cast<float>(i - 16);
  std::vector<std::byte> block(34);
  lmc::quantize_row(lmc::DType::q8_0, values.data(), block.data(), 32);
  // amax 16, d = 16/127; codes round(x * 127/16): -16 -> -127, 0 -> 0, 15 -> round(119.06) = 119.
  EXPECT_EQ(static_cast<std::int8_t>(block[2]), -127);
  EXPECT_EQ(static_cast<std::int8_t>(block[2 + 16]), 0);
  EXPECT_EQ(static_cast<std::int8_t>(block[2 + 31]), 119);
  std::vector<float> back(32);
  lmc::dequantize_row(lmc::DType::q8_0, block.data(), back.data(), 32);
  for (int i = 0; i < 32; ++i) {
    EXPECT_NEAR(back[static_cast<std::size_t>(i)], values[static_cast<std::size_t>(i)], 0.07);
  }
  EXPECT_THROW(lmc::quantize_row(lmc::DType::q4_k, values.data(), block.data(), 32), lmc::Error);
  EXPECT_THROW(lmc::quantize_row(lmc::DType::q8_0, values.data(), block.data(), 31), lmc::Error);
}

TEST(DType, IntegerRows) {
  const std::int16_t raw[3] = {-5, 0, 32767};
  float out[3];
  lmc::dequantize_row(lmc::DType::i16, reinterpret_cast<const std::byte*>(raw), out, 3);
  EXPECT_EQ(out[0], -5.0f);
  EXPECT_EQ(out[2], 32767.0f);
}

}  // namespace

// Hand-built blocks against ggml's published iq4 level table (kvalues_iq4nl): level[0] = -127,
// level[7] = -10, level[8] = 1, level[15] = 113.
TEST(DType, Iq4NlBlock) {
  std::vector<std::uint8_t> block(18, 0x88);  // every other code is 8: level 1
  block[0] = 0x00;
  block[1] = 0x38;   // d = 0.5
  block[2] = 0x8f;   // element 0: code 15, element 16: code 8
  block[17] = 0x07;  // element 15: code 7, element 31: code 0
  std::vector<float> out(32);
  lmc::dequantize_row(lmc::DType::iq4_nl, reinterpret_cast<const std::byte*>(block.data()),
                      out.data(), 32);
  EXPECT_EQ(out[0], 56.5f);
  EXPECT_EQ(out[16], 0.5f);
  EXPECT_EQ(out[15], -5.0f);
  EXPECT_EQ(out[31], -63.5f);
  EXPECT_EQ(out[1], 0.5f);
  EXPECT_EQ(lmc::dtype_block_bytes(lmc::DType::iq4_nl), 2 + 16);
}

TEST(DType, Iq4XsBlock) {
  std::vector<std::uint8_t> block(136, 0x88);
  block[0] = 0x00;
  block[1] = 0x3c;  // d = 1
  // Scale of group g: low 4 bits from nibble g of scales_l, high 2 bits from bits 2g of scales_h;
  // the group's multiplier is scale - 32. Group 0: 0b10'0011 = 35 -> 3; group 1: 0 -> -32;
  // groups 2..7: 0b10'0000 = 32 -> 0.
  const std::uint16_t scales_high = 0b1010'1010'1010'0010;
  block[2] = static_cast<std::uint8_t>(scales_high & 0xff);
  block[3] = static_cast<std::uint8_t>(scales_high >> 8);
  block[4] = 0x03;
  block[5] = block[6] = block[7] = 0x00;
  block[8] = 0x70;       // element 0: code 0, element 16: code 7
  block[8 + 16] = 0x08;  // element 32: code 8, element 48: code 0
  std::vector<float> out(256);
  lmc::dequantize_row(lmc::DType::iq4_xs, reinterpret_cast<const std::byte*>(block.data()),
                      out.data(), 256);
  EXPECT_EQ(out[0], -381.0f);
  EXPECT_EQ(out[16], -30.0f);
  EXPECT_EQ(out[1], 3.0f);
  EXPECT_EQ(out[32], -32.0f);
  EXPECT_EQ(out[48], 4064.0f);
  EXPECT_EQ(out[100], 0.0f);
  EXPECT_EQ(lmc::dtype_block_bytes(lmc::DType::iq4_xs), 2 + 2 + 4 + 128);
}

// How the forward pass sees a weight matrix: a row-major [rows][cols] view over bytes that
// usually live in a memory-mapped model file, in one of the element types the kernels read
// directly. nn knows nothing of files; lib/model builds these views.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

LMC_BEGIN_NAMESPACE
namespace nn {

/// Element types the matrix kernels compute from without a dequantized copy. The block
/// layouts are ggml's (lib/format/quantization.cpp states them); docs/forward_pass.md gives the
/// integer recipe each quantized type is multiplied with.
enum class WeightType : std::uint8_t {
  f32,
  f16,
  bf16,
  q8_0,    ///< blocks of 32: an fp16 scale d, then 32 int8 q; value = d · q
  q4_0,    ///< blocks of 32 / 18 bytes: d, 16 bytes of nibbles; value = d · (q − 8)
  q4_1,    ///< blocks of 32 / 20 bytes: d, m, nibbles; value = d · q + m
  q5_0,    ///< blocks of 32 / 22 bytes: d, 32 high bits, nibbles; value = d · (q − 16)
  q5_1,    ///< blocks of 32 / 24 bytes: d, m, 32 high bits, nibbles; value = d · q + m
  q2_k,    ///< super-blocks of 256 / 84 bytes
  q3_k,    ///< super-blocks of 256 / 110 bytes
  q4_k,    ///< super-blocks of 256 / 144 bytes
  q5_k,    ///< super-blocks of 256 / 176 bytes
  q6_k,    ///< super-blocks of 256 / 210 bytes
  iq4_nl,  ///< blocks of 32 / 18 bytes: d, nibbles; value = d · level[q] (16 fixed levels)
  iq4_xs,  ///< super-blocks of 256 / 136 bytes: d, 6-bit group scales, nibbles as iq4_nl
};

inline constexpr std::size_t q8_0_block_values = 32;
inline constexpr std::size_t q8_0_block_bytes = 2 + q8_0_block_values;

/// Values per block: 1 for f32/f16/bf16, 32 for q4_0..q8_0, 256 for the K-quants.
constexpr std::size_t weight_block_values(WeightType type) {
  switch (type) {
    case WeightType::f32:
    case WeightType::f16:
    case WeightType::bf16: return 1;
    case WeightType::q8_0:
    case WeightType::q4_0:
    case WeightType::q4_1:
    case WeightType::q5_0:
    case WeightType::q5_1:
    case WeightType::iq4_nl: return 32;
    case WeightType::q2_k:
    case WeightType::q3_k:
    case WeightType::q4_k:
    case WeightType::q5_k:
    case WeightType::q6_k:
    case WeightType::iq4_xs: return 256;
  }
  return 1;
}

/// Bytes per block (4 for f32, 34 for q8_0, 210 for q6_k, ...).
constexpr std::size_t weight_block_bytes(WeightType type) {
  switch (type) {
    case WeightType::f32: return 4;
    case WeightType::f16:
    case WeightType::bf16: return 2;
    case WeightType::q8_0: return q8_0_block_bytes;
    case WeightType::q4_0: return 18;
    case WeightType::q4_1: return 20;
    case WeightType::q5_0: return 22;
    case WeightType::q5_1: return 24;
    case WeightType::q2_k: return 84;
    case WeightType::q3_k: return 110;
    case WeightType::q4_k: return 144;
    case WeightType::q5_k: return 176;
    case WeightType::q6_k: return 210;
    case WeightType::iq4_nl: return 18;
    case WeightType::iq4_xs: return 136;
  }
  return 4;
}

/// True for the block-quantized types, which matmul multiplies with integer dot products
/// against activations quantized per block (see matmul.hpp).
constexpr bool weight_is_quantized(WeightType type) { return weight_block_values(type) > 1; }

/// Bytes of one row of `cols` values (cols must be a multiple of the block size).
constexpr std::size_t weight_row_bytes(WeightType type, std::size_t cols) {
  return cols / weight_block_values(type) * weight_block_bytes(type);
}

/// How matmul multiplies a block-quantized matrix (matmul.hpp gives both recipes).
enum class QuantRecipe : std::uint8_t {
  /// Blocks decoded exactly to float a small tile at a time, F32 activations, the 16-lane
  /// order: the F32 product of the dequantized matrix, bit for bit.
  float_exact,
  /// Activations quantized per block to int8 as ggml does, exact int32 block sums, a fixed
  /// float combination: as llama.cpp computes on quantized weights, and faster.
  integer,
};

/// A row-major matrix W[rows][cols]; y = W·x reads row n for output n.
struct WeightMatrix {
  WeightType type = WeightType::f32;
  std::size_t rows = 0;
  std::size_t cols = 0;
  const std::byte* data = nullptr;
  std::size_t stride = 0;  ///< bytes from one row to the next; 0 means packed rows
  QuantRecipe recipe = QuantRecipe::float_exact;  ///< for quantized types only

  std::size_t row_bytes() const { return weight_row_bytes(type, cols); }
  std::size_t row_stride() const { return stride != 0 ? stride : row_bytes(); }
  const std::byte* row(std::size_t n) const { return data + n * row_stride(); }
  explicit operator bool() const { return data != nullptr; }
};

/// IEEE half → float, exact (every half is a float).
inline float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  std::uint32_t exponent = (h >> 10) & 0x1fu;
  std::uint32_t mantissa = h & 0x3ffu;
  std::uint32_t bits = 0;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa != 0) {
    // Subnormal half: normalize.
    exponent = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  } else {
    bits = sign;
  }
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

/// float → IEEE half, rounded to nearest, ties to even (overflow to ±inf, NaN kept a NaN).
inline std::uint16_t float_to_half(float f) {
  std::uint32_t x;
  std::memcpy(&x, &f, 4);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const std::uint32_t ax = x & 0x7fffffffu;
  if (ax >= 0x7f800000u)
    return static_cast<std::uint16_t>(sign | 0x7c00u | (ax > 0x7f800000u ? 0x200u : 0u));
  if (ax >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // ≥ 65520: to inf
  if (ax < 0x38800000u) {  // below 2^-14: a subnormal half (units of 2^-24) or zero
    const std::uint32_t exponent = ax >> 23;
    if (exponent < 102) return static_cast<std::uint16_t>(sign);
    const std::uint32_t mantissa = (ax & 0x7fffffu) | 0x800000u;
    const std::uint32_t shift = 126 - exponent;
    std::uint32_t h = mantissa >> shift;
    const std::uint32_t rest = mantissa & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rest > half || (rest == half && (h & 1u))) ++h;
    return static_cast<std::uint16_t>(sign | h);
  }
  std::uint32_t h = (ax >> 13) - (112u << 10);
  const std::uint32_t rest = ax & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return static_cast<std::uint16_t>(sign | h);
}

/// bfloat16 → float, exact.
inline float bf16_to_float(std::uint16_t b) {
  const std::uint32_t bits = static_cast<std::uint32_t>(b) << 16;
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

inline std::uint16_t load_u16(const std::byte* p) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

/// Row n of `w` as floats, computed as ggml's reference dequantizers do (bit for bit the values
/// lmc::dequantize_row gives for the same blocks).
void dequantize_row(const WeightMatrix& w, std::size_t n, float* out);

}  // namespace nn
LMC_END_NAMESPACE

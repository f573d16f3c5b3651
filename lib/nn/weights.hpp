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

/// Element types the matrix kernels compute from without a dequantized copy.
enum class WeightType : std::uint8_t {
  f32,
  f16,
  bf16,
  q8_0,  ///< blocks of 32: an fp16 scale d, then 32 int8 q; value = d · q
};

inline constexpr std::size_t q8_0_block_values = 32;
inline constexpr std::size_t q8_0_block_bytes = 2 + q8_0_block_values;

/// Bytes of one row of `cols` values (cols must be a multiple of 32 for q8_0).
constexpr std::size_t weight_row_bytes(WeightType type, std::size_t cols) {
  switch (type) {
    case WeightType::f32: return cols * 4;
    case WeightType::f16:
    case WeightType::bf16: return cols * 2;
    case WeightType::q8_0: return cols / q8_0_block_values * q8_0_block_bytes;
  }
  return 0;
}

/// A row-major matrix W[rows][cols]; y = W·x reads row n for output n.
struct WeightMatrix {
  WeightType type = WeightType::f32;
  std::size_t rows = 0;
  std::size_t cols = 0;
  const std::byte* data = nullptr;
  std::size_t stride = 0;  ///< bytes from one row to the next; 0 means packed rows

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

/// Row n of `w` as floats (exact for every type: q8_0's d·q fits a float mantissa).
void dequantize_row(const WeightMatrix& w, std::size_t n, float* out);

}  // namespace nn
LMC_END_NAMESPACE

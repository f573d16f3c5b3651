// The table of element types and the scalar float conversions.
#include <lmc/dtype.hpp>

#include "base/fail.hpp"

#include <array>
#include <bit>
#include <cstring>

LMC_BEGIN_NAMESPACE

namespace {

struct DTypeInfo {
  DType type;
  std::string_view name;
  std::int64_t block_size;
  std::int64_t block_bytes;
};

// One row per DType, in enum order. Block layouts are ggml's (see quantization.cpp).
constexpr std::array<DTypeInfo, dtype_count> dtype_table{{
    {DType::f32, "F32", 1, 4},
    {DType::f16, "F16", 1, 2},
    {DType::bf16, "BF16", 1, 2},
    {DType::f64, "F64", 1, 8},
    {DType::i8, "I8", 1, 1},
    {DType::u8, "U8", 1, 1},
    {DType::i16, "I16", 1, 2},
    {DType::i32, "I32", 1, 4},
    {DType::i64, "I64", 1, 8},
    {DType::q4_0, "Q4_0", 32, 18},
    {DType::q4_1, "Q4_1", 32, 20},
    {DType::q5_0, "Q5_0", 32, 22},
    {DType::q5_1, "Q5_1", 32, 24},
    {DType::q8_0, "Q8_0", 32, 34},
    {DType::q2_k, "Q2_K", 256, 84},
    {DType::q3_k, "Q3_K", 256, 110},
    {DType::q4_k, "Q4_K", 256, 144},
    {DType::q5_k, "Q5_K", 256, 176},
    {DType::q6_k, "Q6_K", 256, 210},
    {DType::iq4_nl, "IQ4_NL", 32, 18},
    {DType::iq4_xs, "IQ4_XS", 256, 136},
}};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < dtype_table.size(); ++i) {
    if (static_cast<std::size_t>(dtype_table[i].type) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "dtype_table rows must follow the DType enum order");

const DTypeInfo& info(DType type) noexcept {
  auto index = static_cast<std::size_t>(type);
  return dtype_table[index < dtype_table.size() ? index : 0];
}

}  // namespace

std::string_view dtype_name(DType type) noexcept { return info(type).name; }

std::optional<DType> dtype_from_name(std::string_view name) noexcept {
  for (const auto& row : dtype_table) {
    if (row.name == name) return row.type;
  }
  return std::nullopt;
}

std::int64_t dtype_block_size(DType type) noexcept { return info(type).block_size; }

std::int64_t dtype_block_bytes(DType type) noexcept { return info(type).block_bytes; }

bool dtype_is_quantized(DType type) noexcept { return info(type).block_size > 1; }

std::uint64_t dtype_row_bytes(DType type, std::int64_t n_elements) {
  const auto& row = info(type);
  if (n_elements < 0 || n_elements % row.block_size != 0) {
    base::fail(ErrorCode::invalid_argument,
               "{} elements of type {}: not a multiple of its block size {}", n_elements, row.name,
               row.block_size);
  }
  std::uint64_t product = 0;
  if (__builtin_mul_overflow(static_cast<std::uint64_t>(n_elements / row.block_size),
                             static_cast<std::uint64_t>(row.block_bytes), &product)) {
    base::fail(ErrorCode::invalid_argument, "{} elements of type {}: size overflows 64 bits",
               n_elements, row.name);
  }
  return product;
}

float fp16_to_f32(std::uint16_t bits) noexcept {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1fu;
  const std::uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float32 (it is a normal float32 there).
    float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return std::bit_cast<float>(std::bit_cast<std::uint32_t>(magnitude) | sign);
  }
  if (exponent == 0x1f) {
    return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  }
  return std::bit_cast<float>(sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13));
}

std::uint16_t f32_to_fp16(float value) noexcept {
  std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
  bits &= 0x7fffffffu;
  if (bits > 0x7f800000u) return sign | 0x7e00u;   // NaN: a quiet NaN
  if (bits >= 0x477ff000u) return sign | 0x7c00u;  // rounds to or beyond 65536: infinity
  if (bits < 0x38800000u) {
    // Below the smallest normal half (2^-14): adding 0.5 leaves the value in units of 2^-24
    // in the low mantissa bits of 0.5, rounded to nearest even by the float addition itself.
    float shifted = std::bit_cast<float>(bits) + 0.5f;
    return static_cast<std::uint16_t>(sign | (std::bit_cast<std::uint32_t>(shifted) - 0x3f000000u));
  }
  // Normal: rebias the exponent and round the 13 dropped mantissa bits to nearest even.
  const std::uint32_t odd = (bits >> 13) & 1u;
  bits += 0xc8000fffu + odd;  // (15 - 127) << 23, plus the rounding bias
  return static_cast<std::uint16_t>(sign | (bits >> 13));
}

float bf16_to_f32(std::uint16_t bits) noexcept {
  return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

std::uint16_t f32_to_bf16(float value) noexcept {
  std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) {
    return static_cast<std::uint16_t>((bits >> 16) | 0x40u);  // keep NaN, make it quiet
  }
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<std::uint16_t>(bits >> 16);
}

LMC_END_NAMESPACE

// Element types of model tensors (GGUF and safetensors), their storage sizes, and conversion of
// rows of stored values to and from float32.
#pragma once

#include <lmc/error.hpp>
#include <lmc/export.hpp>
#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

LMC_BEGIN_NAMESPACE

/// A tensor element type. Plain types store one value per element; the quantized types (q*)
/// store blocks of 32 or 256 elements with shared scales, laid out exactly as ggml does; the iq4
/// types map 4-bit codes through ggml's fixed non-linear table of 16 levels.
enum class DType : std::uint8_t {
  f32,
  f16,
  bf16,
  f64,
  i8,
  u8,
  i16,
  i32,
  i64,
  q4_0,
  q4_1,
  q5_0,
  q5_1,
  q8_0,
  q2_k,
  q3_k,
  q4_k,
  q5_k,
  q6_k,
  iq4_nl,
  iq4_xs,
};

/// Number of DType values (for tables and loops).
inline constexpr int dtype_count = 21;

/// Upper-case name as GGUF and safetensors spell it: "F32", "BF16", "Q8_0", "Q4_K", "U8".
LMC_EXPORT std::string_view dtype_name(DType type) noexcept;

/// Inverse of dtype_name (case-sensitive); nullopt for names lmc does not know.
LMC_EXPORT std::optional<DType> dtype_from_name(std::string_view name) noexcept;

/// Elements per block: 1 for plain types, 32 for q4_0..q8_0 and iq4_nl, 256 for the k-quants and
/// iq4_xs.
LMC_EXPORT std::int64_t dtype_block_size(DType type) noexcept;

/// Bytes per block (4 for f32, 34 for q8_0, 210 for q6_k, ...).
LMC_EXPORT std::int64_t dtype_block_bytes(DType type) noexcept;

/// True for the block-quantized types (q4_0 ... q6_k, iq4_nl, iq4_xs).
LMC_EXPORT bool dtype_is_quantized(DType type) noexcept;

/// Bytes that `n_elements` consecutive elements occupy. Throws Error(invalid_argument) when
/// n_elements is negative or not a multiple of dtype_block_size(type), or the size overflows.
LMC_EXPORT std::uint64_t dtype_row_bytes(DType type, std::int64_t n_elements);

/// Converts `n` stored elements at `src` (dtype_row_bytes(type, n) bytes, any alignment) to
/// float32 in `dst`. Bit-exact with ggml's reference dequantizers. Integer types convert by
/// value (exact up to 2^24), f64 rounds to nearest. Throws Error(invalid_argument) when n is not
/// a multiple of the block size.
LMC_EXPORT void dequantize_row(DType type, const std::byte* src, float* dst, std::int64_t n);

/// Stores `n` floats from `src` as `type` in `dst` (dtype_row_bytes(type, n) bytes). Supported:
/// f32, f16 and bf16 (round to nearest even, as ggml and PyTorch do) and q8_0 (ggml's reference
/// quantizer, bit-identical). Other types throw Error(unsupported); a bad n throws
/// Error(invalid_argument).
LMC_EXPORT void quantize_row(DType type, const float* src, std::byte* dst, std::int64_t n);

/// IEEE binary16 bits to float32, exact (subnormals included).
LMC_EXPORT float fp16_to_f32(std::uint16_t bits) noexcept;
/// float32 to IEEE binary16 bits, round to nearest even; overflow gives infinity, NaN stays NaN.
LMC_EXPORT std::uint16_t f32_to_fp16(float value) noexcept;
/// bfloat16 bits (the upper half of a float32) to float32, exact.
LMC_EXPORT float bf16_to_f32(std::uint16_t bits) noexcept;
/// float32 to bfloat16 bits, round to nearest even; NaN stays (quiet) NaN.
LMC_EXPORT std::uint16_t f32_to_bf16(float value) noexcept;

LMC_END_NAMESPACE

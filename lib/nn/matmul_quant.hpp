// Integer matrix products for block-quantized weights (see matmul.hpp for the recipe): the
// activations are quantized once per call, per token and per block, to int8 (as ggml's Q8_0
// for weights in blocks of 32, as its Q8_K for the K-quants); each SIMD path then multiplies
// them with the weight codes decoded chunk by chunk from the mapped blocks.
#pragma once

#include "base/thread_pool.hpp"
#include "nn/weights.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace nn::detail {

/// `tokens` rows of `cols` activations quantized in blocks of `block` (32 or 256) values.
struct QuantizedActivations {
  std::size_t cols = 0;
  std::size_t tokens = 0;
  std::size_t block = 0;
  std::vector<std::int8_t> q;       ///< [tokens][cols] codes in −127..127
  std::vector<float> d;             ///< [tokens][cols / block] scales: value ≈ d · q
  std::vector<std::int16_t> sum16;  ///< [tokens][cols / 16] Σ q over each 16 values
  std::vector<std::int32_t> sum32;  ///< [tokens][cols / 32] Σ q over each 32 values
  /// [tokens][cols / 32] blocks of 32 only: fp16(d′ · Σ q), d′ = amax / 127 before its fp16
  /// rounding, as ggml's Q8_1 stores it for the weights with a min (q4_1, q5_1).
  std::vector<float> s32;

  const std::int8_t* row_q(std::size_t t) const { return q.data() + t * cols; }
  const float* row_d(std::size_t t) const { return d.data() + t * (cols / block); }
  const std::int16_t* row_sum16(std::size_t t) const { return sum16.data() + t * (cols / 16); }
  const std::int32_t* row_sum32(std::size_t t) const { return sum32.data() + t * (cols / 32); }
  const float* row_s32(std::size_t t) const { return s32.data() + t * (cols / 32); }
};

/// The activation block the kernels of `type` expect: 32 for q4_0 … q8_0, 256 for K-quants.
std::size_t activation_block(WeightType type);

/// Quantizes X (rows `x_stride` floats apart) into `out`: per block, amax = max |x|; blocks of
/// 32: d = amax / 127 stored rounded to fp16, q = round(x · 127 / amax), and s32 as above; blocks
/// of 256:
/// q = round(x · s) with s = 127 / amax, d = 1 / s. Rounding is to nearest, ties to even;
/// codes are clamped to ±127 (a NaN becomes 0); an all-zero block has d = 0, q = 0. One
/// implementation serves every SIMD path (on the SIMD paths its per-value loops run as
/// block_amax_avx2 and block_codes_avx2, with the same results). Tokens are split over `pool`
/// (may be null).
void quantize_activations(const float* x, std::size_t x_stride, std::size_t tokens,
                          std::size_t cols, std::size_t block, QuantizedActivations& out,
                          base::ThreadPool* pool);

/// AVX2 copies of quantize_activations' two loops over the values of a block (the same IEEE
/// operations per value, so the same results; used on the SIMD paths): the largest |x| of `n`
/// values (a multiple of 8; NaNs skipped, 0 if none), and the codes round(x · scale) of `n`
/// values (a multiple of 32) in the current rounding mode, clamped to ±127, NaN → 0.
float block_amax_avx2(const float* x, std::size_t n);
void block_codes_avx2(const float* x, std::size_t n, float scale, std::int8_t* q);

/// One SIMD path's integer kernel: Y[t][n] for rows [n_begin, n_end) of W and every token.
using QuantRowsKernel = void (*)(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                                 const QuantizedActivations& x, float* y, std::size_t y_stride);

void quant_rows_scalar(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                       const QuantizedActivations& x, float* y, std::size_t y_stride);
void quant_rows_avx2(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                     const QuantizedActivations& x, float* y, std::size_t y_stride);
/// Needs AVX-512 VNNI besides the avx512 path's instructions (cpu_has_avx512_vnni()).
void quant_rows_avx512(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                       const QuantizedActivations& x, float* y, std::size_t y_stride);

/// The float recipe (matmul.hpp) on the AVX-512 path for 1 to 5 tokens and every quantized type
/// but q8_0: each group of 16 decoded values, computed as chunk_to_float computes them, goes
/// straight into the 16-lane fused multiply-adds, so the result is the tiles' bit for bit.
void float_rows_avx512(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                       const float* x, std::size_t x_stride, std::size_t tokens, float* y,
                       std::size_t y_stride);

/// The float recipe with AVX2 for 1 to 5 tokens and every quantized type (q8_0 read straight
/// from its blocks; float_rows_avx2.cpp): each group of 8 decoded values, computed as
/// chunk_to_float computes them, goes straight into the fused multiply-adds of its 8 lanes
/// (lanes 0–7 or 8–15 of the 16-lane order), so the result is the tiles' bit for bit. Each
/// weight is read once for all the tokens; for 1 or 2 tokens several rows side by side, taken
/// from as many long runs of [n_begin, n_end).
void float_rows_avx2(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end, const float* x,
                     std::size_t x_stride, std::size_t tokens, float* y, std::size_t y_stride);

/// Rows [n_begin, n_end) of a quantized W decoded to float, row-major at `out`, 16 values at a
/// time with the floats of dequantize_row (the float recipe's tiles on the AVX-512 VNNI path).
void dequantize_rows_avx512(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                            float* out);

/// Whether this CPU has AVX-512 VNNI (vpdpbusd, vpdpwssd on zmm registers).
bool cpu_has_avx512_vnni() noexcept;

}  // namespace nn::detail
LMC_END_NAMESPACE

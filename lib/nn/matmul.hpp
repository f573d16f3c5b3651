// Matrix products Y = X·Wᵀ between float activations and a weight matrix in its stored type.
//
// Every output element is one dot product with a fixed reduction order that does not depend
// on the number of rows of X, the thread count or the SIMD path (the contract below), so
// batched scoring and one-token decoding give bit-identical results.
//
// Dot-product order (the "16-lane order"), for a row x and a weight row w of K values:
//   lane[j] = +0 for j < 16; for k = 0..K-1 in increasing order: lane[k % 16] =
//   fma(x[k], w[k], lane[k % 16]) (exactly rounded fused multiply-add; a missing tail lane
//   counts as fma(0, 0, lane) = lane); then the fixed tree s8[j] = lane[j] + lane[j+8],
//   s4[j] = s8[j] + s8[j+4], s2[j] = s4[j] + s4[j+2], result = s2[0] + s2[1].
// Weights are decoded exactly to float before the fma (f16, bf16 are exact in float).
//
// Quantized weights (q4_0 … q8_0, q2_k … q6_k, iq4_nl, iq4_xs) with QuantRecipe::float_exact
// (the default): rows decoded exactly to float (a tile at a time, or for q8_0 in registers),
// then the 16-lane order above, bit for bit the product of the dequantized matrix. With
// QuantRecipe::integer: each row of X is first quantized per block (matmul_quant.hpp: blocks
// of 32 with an fp16-rounded scale dx for the types in blocks of 32, as ggml's Q8_0; blocks of
// 256 with a float scale for the K-quants and iq4_xs, as ggml's Q8_K), then every output is:
//   blocks of 32: lane[j] = +0 for j < 8; for each weight block b in increasing order, with
//     isum = Σ (q_w − offset) · q_x over its 32 values (exact int32; q_w is the int8 level for
//     iq4_nl), lane[b % 8] = fma(d_w · d_x, float(isum), lane[b % 8]), and for q4_1/q5_1 then
//     lane[b % 8] = fma(m_w, s_x, lane[b % 8]) with s_x = fp16(d′_x · Σ q_x) as ggml's Q8_1
//     stores it (d′_x the scale before its fp16 rounding); the tree (j, j+4), (j, j+2), (0, 1).
//   super-blocks of 256: acc = +0; for each super-block in increasing order, with the exact
//     int32 sums isum = Σ_g scale_g · Σ_{i∈g} (q_w − offset) · q_x and imin = Σ_g min_g ·
//     Σ_{i∈g} q_x over its groups g of 16 values (iq4_xs: q_w its level, scale_g its 6-bit
//     group scale − 32): acc = fma(d_w · d_x, float(isum), acc), and for q2_k/q4_k/q5_k then
//     acc = fma(dmin_w · d_x, float(−imin), acc).
// Every product d_w · d_x is one float multiply; integer sums are exact in any order, so each
// SIMD path may form them as it likes.
#pragma once

#include "base/thread_pool.hpp"
#include "nn/weights.hpp"

#include <cstddef>
#include <span>

LMC_BEGIN_NAMESPACE
namespace nn {

/// Y[t][n] = dot(X[t], W[n]) (+ bias[n]) for t < tokens, n < w.rows, in the 16-lane order.
/// X rows hold w.cols floats, `x_stride` floats apart; Y rows are `y_stride` floats apart.
/// Quantized W follows w.recipe (integer: X is quantized once per call).
/// Rows of W are split over `pool` (may be null: run on the caller).
void matmul(const WeightMatrix& w, const float* x, std::size_t x_stride, std::size_t tokens,
            float* y, std::size_t y_stride, const float* bias, base::ThreadPool* pool);

/// One product of matmul_set: Y = X·Wᵀ (+ bias[n]) into `y`, rows `y_stride` floats apart.
struct MatmulOutput {
  const WeightMatrix* w;
  float* y;
  std::size_t y_stride;
  const float* bias;  ///< may be null
};

/// matmul of the same X with several matrices of w->cols = X's width (q, k and v; gate and up),
/// each output bit for bit what matmul gives. For fewer than 6 tokens on a pool of several
/// threads the rows of all the matrices are split into tasks of one loop, so the threads meet
/// once for all of them, and the integer recipe quantizes X once per activation block; otherwise
/// it is matmul for each.
void matmul_set(std::span<const MatmulOutput> outputs, const float* x, std::size_t x_stride,
                std::size_t tokens, base::ThreadPool* pool);

/// Dot product of two float vectors of length n in the 16-lane order.
float dot(const float* a, const float* b, std::size_t n);

namespace detail {

/// One SIMD path's kernel: rows [n_begin, n_end) of W against all `tokens` rows of X.
using MatmulRowsKernel = void (*)(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                                  const float* x, std::size_t x_stride, std::size_t tokens,
                                  float* y, std::size_t y_stride);

void matmul_rows_scalar(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                        const float* x, std::size_t x_stride, std::size_t tokens, float* y,
                        std::size_t y_stride);
void matmul_rows_avx2(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end, const float* x,
                      std::size_t x_stride, std::size_t tokens, float* y, std::size_t y_stride);
void matmul_rows_avx512(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                        const float* x, std::size_t x_stride, std::size_t tokens, float* y,
                        std::size_t y_stride);

}  // namespace detail
}  // namespace nn
LMC_END_NAMESPACE

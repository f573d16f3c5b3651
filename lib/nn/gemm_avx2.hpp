// The AVX2 path's matrix product for many tokens: packed operands, two passes over K per output
// (lanes 0–7, then lanes 8–15 of the 16-lane order of matmul.hpp), bit for bit the result of
// matmul_rows_avx2 and of the scalar reference. matmul.cpp uses it from gemm_avx2_min_tokens
// tokens on, for every weight type of the float recipe.
#pragma once

#include "nn/weights.hpp"

#include <cstddef>

LMC_BEGIN_NAMESPACE
namespace nn::detail {

/// From this many tokens on, the AVX2 path runs gemm_avx2_rows.
inline constexpr std::size_t gemm_avx2_min_tokens = 6;
/// Tokens per group of the packed activations.
inline constexpr std::size_t gemm_avx2_group_tokens = 4;
/// Weight rows per panel: a task of rows [n_begin, n_end) runs fastest when its row count is a
/// multiple of this.
inline constexpr std::size_t gemm_avx2_panel_rows = 3;

/// Floats of the packed activations of `tokens` rows of `cols` values.
std::size_t gemm_avx2_packed_floats(std::size_t tokens, std::size_t cols);

/// Packs the token groups [group_begin, group_end) (gemm_avx2_group_tokens tokens each, the
/// last one the rest) of X (`tokens` rows of `cols` floats, `x_stride` apart) into `out`, which
/// holds gemm_avx2_packed_floats(tokens, cols) floats and is 32-byte aligned. Groups are
/// independent, so they may be packed by different threads.
void gemm_avx2_pack_activations(const float* x, std::size_t x_stride, std::size_t tokens,
                                std::size_t cols, std::size_t group_begin, std::size_t group_end,
                                float* out);

/// Y[t][n] = dot(X[t], W[n]) in the 16-lane order for rows [n_begin, n_end) of W (any type of
/// the float recipe, decoded exactly) and all `tokens` rows of X, packed by
/// gemm_avx2_pack_activations.
void gemm_avx2_rows(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                    const float* packed_x, std::size_t tokens, float* y, std::size_t y_stride);

}  // namespace nn::detail
LMC_END_NAMESPACE

// The per-path kernels of causal_attention (attention.cpp). Each follows the order that
// attention.hpp documents, so every path gives the same bits as the scalar one.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>

LMC_BEGIN_NAMESPACE
namespace nn::detail {

/// out[j] = dot(q, keys + j·key_stride) · scale for j < count, each dot product of key_dim
/// floats in the 16-lane order of matmul.hpp, then one float multiply by `scale`.
using AttentionScoresKernel = void (*)(const float* q, const float* keys, std::size_t key_stride,
                                       std::size_t count, std::size_t key_dim, float scale,
                                       float* out);

/// One row of P·V: out[d] = fma(w[n-1], v_{begin+n-1}[d], … fma(w[0], v_begin[d], a)) for
/// d < value_dim, n = end − begin, value row j at values + j·value_stride, where a = +0, or
/// out[d] itself when `accumulate` (a chain over keys split into ranges continues where the
/// previous range left it, with the bits of one call over all of them).
struct WeightedRow {
  const float* weights;  ///< weights[i] multiplies value row begin + i
  std::size_t begin;
  std::size_t end;
  float* out;
  bool accumulate = false;
};

/// Every row of `rows` (n_rows of them, all against the same value rows); rows are
/// independent, so a kernel may interleave them but keeps each row's key order.
using WeightedRowsKernel = void (*)(const WeightedRow* rows, std::size_t n_rows,
                                    const float* values, std::size_t value_stride,
                                    std::size_t value_dim);

/// The value of *std::max_element(x, x + n) (n ≥ 1), except that when the maximum is zero
/// its sign may differ (softmax maps x − (+0) and x − (−0) to the same exp for every x). The
/// SIMD paths fall back to the scalar scan when a row holds a NaN, whose position decides
/// the scan's result.
using RowMaxKernel = float (*)(const float* x, std::size_t n);

float row_max_scalar(const float* x, std::size_t n);
float row_max_avx2(const float* x, std::size_t n);
float row_max_avx512(const float* x, std::size_t n);

/// attention_scores_avx512 for n_q queries against the same keys (out rows outs[r]).
void attention_scores_rows_avx512(const float* const* qs, std::size_t n_q, const float* keys,
                                  std::size_t key_stride, std::size_t count, std::size_t key_dim,
                                  float scale, float* const* outs);

/// Floats per tile of pack_key_tiles: 8 keys of key_dim values.
inline std::size_t key_tile_floats(std::size_t key_dim) { return 8 * key_dim; }

/// The keys j < count (rows of key_dim floats, key_stride apart) transposed into tiles of 8
/// keys: value d of key j at out[(j / 8)·key_tile_floats + 8·d + j % 8]; the last tile's
/// missing keys are zero. out holds ⌈count / 8⌉ tiles.
void pack_key_tiles(const float* keys, std::size_t key_stride, std::size_t count,
                    std::size_t key_dim, float* out);

/// outs[r][j − 8·tile_begin] for r < n_q and every key j of the tiles [tile_begin, tile_end)
/// packed by pack_key_tiles: the score of query qs[r] and key j, the bits of
/// attention_scores_scalar (a key past the packed count gives an unspecified value). Lane i of
/// a dot product is one chain of fused multiply-adds in increasing k, vectorized across the 8
/// keys of a tile, and the tree adds whole lane vectors, so no shuffle is needed.
using ScoresTilesKernel = void (*)(const float* const* qs, std::size_t n_q, const float* tiles,
                                   std::size_t tile_begin, std::size_t tile_end,
                                   std::size_t key_dim, float scale, float* const* outs);

void attention_scores_tiles_avx2(const float* const* qs, std::size_t n_q, const float* tiles,
                                 std::size_t tile_begin, std::size_t tile_end, std::size_t key_dim,
                                 float scale, float* const* outs);

/// x[i] = exp_in_place(x[i] − max) for i < n (one float subtraction, then exp).
using ExpShiftedKernel = void (*)(float* x, std::size_t n, float max);
/// x[i] = x[i] · factor for i < n.
using ScaleKernel = void (*)(float* x, std::size_t n, float factor);

void exp_shifted_scalar(float* x, std::size_t n, float max);
void exp_shifted_avx2(float* x, std::size_t n, float max);
void exp_shifted_avx512(float* x, std::size_t n, float max);
void scale_scalar(float* x, std::size_t n, float factor);
void scale_avx2(float* x, std::size_t n, float factor);
void scale_avx512(float* x, std::size_t n, float factor);

void attention_scores_scalar(const float* q, const float* keys, std::size_t key_stride,
                             std::size_t count, std::size_t key_dim, float scale, float* out);
void attention_scores_avx2(const float* q, const float* keys, std::size_t key_stride,
                           std::size_t count, std::size_t key_dim, float scale, float* out);
void attention_scores_avx512(const float* q, const float* keys, std::size_t key_stride,
                             std::size_t count, std::size_t key_dim, float scale, float* out);

void weighted_rows_scalar(const WeightedRow* rows, std::size_t n_rows, const float* values,
                          std::size_t value_stride, std::size_t value_dim);
void weighted_rows_avx2(const WeightedRow* rows, std::size_t n_rows, const float* values,
                        std::size_t value_stride, std::size_t value_dim);
void weighted_rows_avx512(const WeightedRow* rows, std::size_t n_rows, const float* values,
                          std::size_t value_stride, std::size_t value_dim);

}  // namespace nn::detail
LMC_END_NAMESPACE

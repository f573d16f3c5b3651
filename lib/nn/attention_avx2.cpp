// The AVX2 attention kernels: as attention_avx512.cpp with the 16 lanes of a dot product in
// two ymm registers (as matmul_avx2.cpp holds them) and 8 keys reduced at once.
#include "nn/attention_kernels.hpp"
#include "nn/exp_simd.hpp"

#include "nn/simd.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

LMC_NN_TARGET_AVX2_BEGIN

LMC_BEGIN_NAMESPACE
namespace nn::detail {
namespace {

// Lanes i < n on (all bits set), the rest off, for maskload/maskstore.
inline __m256i low_mask(std::size_t n) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<std::int32_t>(n)), index);
}

// s8 of dot(q, k): the 16 lanes in two ymm (zero-filled tail, as matmul_avx2.cpp), then
// lane[j] + lane[j+8].
inline __m256 s8_lanes(const float* q, const float* k, std::size_t key_dim) {
  if (key_dim <= 8) {
    // The high lanes stay fma(0, 0, +0) = +0.
    const __m256i m = low_mask(key_dim);
    const __m256 zero = _mm256_setzero_ps();
    return _mm256_add_ps(_mm256_fmadd_ps(_mm256_maskload_ps(q, m), _mm256_maskload_ps(k, m), zero),
                         zero);
  }
  __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
  std::size_t c = 0;
  for (; c + 16 <= key_dim; c += 16) {
    lo = _mm256_fmadd_ps(_mm256_loadu_ps(q + c), _mm256_loadu_ps(k + c), lo);
    hi = _mm256_fmadd_ps(_mm256_loadu_ps(q + c + 8), _mm256_loadu_ps(k + c + 8), hi);
  }
  if (c < key_dim) {
    const std::size_t rest = key_dim - c;
    const __m256i m_lo = low_mask(std::min<std::size_t>(rest, 8));
    const __m256i m_hi = low_mask(rest > 8 ? rest - 8 : 0);
    lo = _mm256_fmadd_ps(_mm256_maskload_ps(q + c, m_lo), _mm256_maskload_ps(k + c, m_lo), lo);
    hi = _mm256_fmadd_ps(_mm256_maskload_ps(q + c + 8, m_hi), _mm256_maskload_ps(k + c + 8, m_hi),
                         hi);
  }
  return _mm256_add_ps(lo, hi);
}

// result[i] = rest of the tree for the s8 vectors of 8 keys: s4, s2, s1.
inline __m256 reduce_8_keys(const __m256 (&s8)[8]) {
  __m256 s4[4], s2[2];
  for (int i = 0; i < 4; ++i) {
    const __m256 lo = _mm256_permute2f128_ps(s8[2 * i], s8[2 * i + 1], 0x20);
    const __m256 hi = _mm256_permute2f128_ps(s8[2 * i], s8[2 * i + 1], 0x31);
    s4[i] = _mm256_add_ps(lo, hi);  // 128-bit half c: s4 of key 2i + c
  }
  for (int i = 0; i < 2; ++i) {
    const __m256 lo = _mm256_shuffle_ps(s4[2 * i], s4[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 hi = _mm256_shuffle_ps(s4[2 * i], s4[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2));
    s2[i] = _mm256_add_ps(lo, hi);  // half c: s2 of keys 4i + c and 4i + 2 + c
  }
  const __m256 lo = _mm256_shuffle_ps(s2[0], s2[1], _MM_SHUFFLE(2, 0, 2, 0));
  const __m256 hi = _mm256_shuffle_ps(s2[0], s2[1], _MM_SHUFFLE(3, 1, 3, 1));
  const __m256 r = _mm256_add_ps(lo, hi);  // position 4c + e holds key c + 2e
  return _mm256_permutevar8x32_ps(r, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// NV vectors of value row j from d0 on; the last one masked unless the chunk is Full.
template <int NV, bool Full>
inline void load_values(const float* row, __m256i last, __m256 (&vv)[NV]) {
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) {
    vv[v] =
        !Full && v == NV - 1 ? _mm256_maskload_ps(row + 8 * v, last) : _mm256_loadu_ps(row + 8 * v);
  }
}

// acc[v] = fma(w_j, v_j, acc[v]) for the value rows j in [from, to) of one row, in registers.
template <int NV, bool Full>
inline void run_row(const WeightedRow& row, const float* values, std::size_t stride, std::size_t d0,
                    __m256i last, std::size_t from, std::size_t to, __m256 (&acc)[NV]) {
  __m256 a[NV];
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) a[v] = acc[v];
  const float* w = row.weights + (from - row.begin);
  const float* vrow = values + from * stride + d0;
  for (std::size_t j = from; j < to; ++j, ++w, vrow += stride) {
    const __m256 wv = _mm256_broadcast_ss(w);
    __m256 vv[NV];
    load_values<NV, Full>(vrow, last, vv);
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) a[v] = _mm256_fmadd_ps(wv, vv[v], a[v]);
  }
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) acc[v] = a[v];
}

// Q rows × NV vectors of values from d0 on. Each output keeps its own fma chain in key order;
// over the keys the rows share, each value vector is loaded once for all Q rows. Accumulators
// are indexed by constants only, so that they stay in registers (with a lambda indexing them
// by a run-time row, GCC kept them in memory and stored all of them after every key: 8 ymm
// stores per 8 FMAs).
template <int NV, int Q, bool Full>
void weighted_block(const WeightedRow* rows, const float* values, std::size_t stride,
                    std::size_t d0, __m256i last) {
  __m256 acc[Q][NV];
#pragma GCC unroll 8
  for (int q = 0; q < Q; ++q) {
    if (rows[q].accumulate) {
      load_values<NV, Full>(rows[q].out + d0, last, acc[q]);
    } else {
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[q][v] = _mm256_setzero_ps();
    }
  }
  std::size_t shared_begin = rows[0].begin, shared_end = rows[0].end;
#pragma GCC unroll 8
  for (int q = 1; q < Q; ++q) {
    shared_begin = std::max(shared_begin, rows[q].begin);
    shared_end = std::min(shared_end, rows[q].end);
  }
  if (shared_begin >= shared_end) {
#pragma GCC unroll 8
    for (int q = 0; q < Q; ++q) {
      run_row<NV, Full>(rows[q], values, stride, d0, last, rows[q].begin, rows[q].end, acc[q]);
    }
  } else {
#pragma GCC unroll 8
    for (int q = 0; q < Q; ++q) {
      run_row<NV, Full>(rows[q], values, stride, d0, last, rows[q].begin, shared_begin, acc[q]);
    }
    const float* w[Q];
#pragma GCC unroll 8
    for (int q = 0; q < Q; ++q) w[q] = rows[q].weights + (shared_begin - rows[q].begin);
    const float* vrow = values + shared_begin * stride + d0;
    for (std::size_t j = 0; j < shared_end - shared_begin; ++j, vrow += stride) {
      __m256 vv[NV];
      load_values<NV, Full>(vrow, last, vv);
#pragma GCC unroll 8
      for (int q = 0; q < Q; ++q) {
        const __m256 wv = _mm256_broadcast_ss(w[q] + j);
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) acc[q][v] = _mm256_fmadd_ps(wv, vv[v], acc[q][v]);
      }
    }
#pragma GCC unroll 8
    for (int q = 0; q < Q; ++q) {
      run_row<NV, Full>(rows[q], values, stride, d0, last, shared_end, rows[q].end, acc[q]);
    }
  }
#pragma GCC unroll 8
  for (int q = 0; q < Q; ++q) {
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      float* o = rows[q].out + d0 + 8 * v;
      if (!Full && v == NV - 1) {
        _mm256_maskstore_ps(o, last, acc[q][v]);
      } else {
        _mm256_storeu_ps(o, acc[q][v]);
      }
    }
  }
}

template <int NV, int Q, bool Full = false>
void weighted_chunk(const WeightedRow* rows, std::size_t n_rows, const float* values,
                    std::size_t stride, std::size_t d0, __m256i last) {
  std::size_t r = 0;
  for (; r + Q <= n_rows; r += Q) {
    weighted_block<NV, Q, Full>(rows + r, values, stride, d0, last);
  }
  if constexpr (Q > 1) {
    if (r < n_rows) {
      weighted_chunk<NV, Q / 2, Full>(rows + r, n_rows - r, values, stride, d0, last);
    }
  }
}

// The last `rest` (< 32) values from d0 on: one to three vectors, the last masked unless
// whole; `QOne` rows side by side when a single vector is left.
template <int QOne>
void weighted_rest(const WeightedRow* rows, std::size_t n_rows, const float* values,
                   std::size_t stride, std::size_t d0, std::size_t rest) {
  if (rest == 0) return;
  const std::size_t nv = (rest + 7) / 8;
  const __m256i last = low_mask(rest - 8 * (nv - 1));
  const bool full = rest % 8 == 0;
  switch (nv) {
    case 1:
      return full ? weighted_chunk<1, QOne, true>(rows, n_rows, values, stride, d0, last)
                  : weighted_chunk<1, QOne>(rows, n_rows, values, stride, d0, last);
    case 2:
      return full ? weighted_chunk<2, 4, true>(rows, n_rows, values, stride, d0, last)
                  : weighted_chunk<2, 4>(rows, n_rows, values, stride, d0, last);
    default:
      return full ? weighted_chunk<3, 4, true>(rows, n_rows, values, stride, d0, last)
                  : weighted_chunk<3, 4>(rows, n_rows, values, stride, d0, last);
  }
}

// Scores of Q queries against KT tiles of 8 packed keys (pack_key_tiles), written at
// outs[q] + 8·kt. Lane i of every (query, key) pair is one accumulator chain over
// k = i, i + 16, … (fma(q[k], key[k], lane), as the scalar order), 8 keys per ymm; Q·KT chains
// run side by side (8 for 4 × 2: enough for 2 pipes of 4-cycle FMAs, in 11 registers), then
// the 16 lane vectors of each pair go through the tree (lane[j] + lane[j + width]) as whole
// vectors, and the product with the scale.
template <int Q, int KT>
void score_tiles(const float* const* qs, const float* tiles, std::size_t key_dim, float scale,
                 float* const* outs) {
  const std::size_t tile = key_tile_floats(key_dim);
  alignas(32) float lanes[Q][KT][16][8];
  for (std::size_t i = 0; i < 16; ++i) {
    __m256 acc[Q][KT];
    for (int q = 0; q < Q; ++q) {
      for (int t = 0; t < KT; ++t) acc[q][t] = _mm256_setzero_ps();
    }
    for (std::size_t c = i; c < key_dim; c += 16) {
      __m256 kv[KT];
      for (int t = 0; t < KT; ++t) kv[t] = _mm256_loadu_ps(tiles + t * tile + 8 * c);
      for (int q = 0; q < Q; ++q) {
        const __m256 b = _mm256_broadcast_ss(qs[q] + c);
        for (int t = 0; t < KT; ++t) acc[q][t] = _mm256_fmadd_ps(b, kv[t], acc[q][t]);
      }
    }
    for (int q = 0; q < Q; ++q) {
      for (int t = 0; t < KT; ++t) _mm256_store_ps(lanes[q][t][i], acc[q][t]);
    }
  }
  const __m256 scale_v = _mm256_set1_ps(scale);
  for (int q = 0; q < Q; ++q) {
    for (int t = 0; t < KT; ++t) {
      const float(&l)[16][8] = lanes[q][t];
      __m256 s8[8], s4[4];
      for (int j = 0; j < 8; ++j)
        s8[j] = _mm256_add_ps(_mm256_load_ps(l[j]), _mm256_load_ps(l[j + 8]));
      for (int j = 0; j < 4; ++j) s4[j] = _mm256_add_ps(s8[j], s8[j + 4]);
      const __m256 s2_0 = _mm256_add_ps(s4[0], s4[2]), s2_1 = _mm256_add_ps(s4[1], s4[3]);
      _mm256_storeu_ps(outs[q] + 8 * t, _mm256_mul_ps(_mm256_add_ps(s2_0, s2_1), scale_v));
    }
  }
}

// All n_q queries against KT tiles, in groups of at most 4 queries.
template <int KT>
void score_tiles_all(const float* const* qs, std::size_t n_q, const float* tiles,
                     std::size_t key_dim, float scale, float* const* outs, std::size_t offset) {
  std::size_t r = 0;
  float* o[4];
  auto rows = [&](std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) o[i] = outs[r + i] + offset;
  };
  for (; r + 4 <= n_q; r += 4) {
    rows(4);
    score_tiles<4, KT>(qs + r, tiles, key_dim, scale, o);
  }
  rows(n_q - r);
  switch (n_q - r) {
    case 3: return score_tiles<3, KT>(qs + r, tiles, key_dim, scale, o);
    case 2: return score_tiles<2, KT>(qs + r, tiles, key_dim, scale, o);
    case 1: return score_tiles<1, KT>(qs + r, tiles, key_dim, scale, o);
    default: return;
  }
}

}  // namespace

void attention_scores_tiles_avx2(const float* const* qs, std::size_t n_q, const float* tiles,
                                 std::size_t tile_begin, std::size_t tile_end, std::size_t key_dim,
                                 float scale, float* const* outs) {
  const std::size_t tile = key_tile_floats(key_dim);
  std::size_t t = tile_begin;
  // Two tiles at a time, every query group passing them while they are in L1.
  for (; t + 2 <= tile_end; t += 2) {
    score_tiles_all<2>(qs, n_q, tiles + t * tile, key_dim, scale, outs, 8 * (t - tile_begin));
  }
  if (t < tile_end) {
    score_tiles_all<1>(qs, n_q, tiles + t * tile, key_dim, scale, outs, 8 * (t - tile_begin));
  }
}

void attention_scores_avx2(const float* q, const float* keys, std::size_t key_stride,
                           std::size_t count, std::size_t key_dim, float scale, float* out) {
  const __m256 scale_v = _mm256_set1_ps(scale);
  for (std::size_t j = 0; j < count; j += 8) {
    const std::size_t n = std::min<std::size_t>(8, count - j);
    __m256 s8[8];
    for (std::size_t i = 0; i < 8; ++i) {
      s8[i] = i < n ? s8_lanes(q, keys + (j + i) * key_stride, key_dim) : _mm256_setzero_ps();
    }
    const __m256 s = _mm256_mul_ps(reduce_8_keys(s8), scale_v);
    if (n == 8) {
      _mm256_storeu_ps(out + j, s);
    } else {
      _mm256_maskstore_ps(out + j, low_mask(n), s);
    }
  }
}

void exp_shifted_avx2(float* x, std::size_t n, float max) {
  const __m256 m = _mm256_set1_ps(max);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(x + i, exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(x + i), m)));
  }
  if (i < n) {
    const __m256i k = low_mask(n - i);
    _mm256_maskstore_ps(x + i, k, exp_avx2(_mm256_sub_ps(_mm256_maskload_ps(x + i, k), m)));
  }
}

void scale_avx2(float* x, std::size_t n, float factor) {
  const __m256 f = _mm256_set1_ps(factor);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), f));
  for (; i < n; ++i) x[i] = x[i] * factor;
}

float row_max_avx2(const float* x, std::size_t n) {
  __m256 m = _mm256_set1_ps(x[0]);
  __m256 nan = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    m = _mm256_max_ps(m, v);
  }
  float best = x[0];
  bool has_nan = _mm256_movemask_ps(nan) != 0;
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, m);
  for (float v : lanes) best = std::max(best, v);
  for (; i < n; ++i) {
    has_nan = has_nan || x[i] != x[i];
    best = std::max(best, x[i]);
  }
  // See row_max_avx512 for why the sign of a zero maximum does not matter.
  return has_nan ? row_max_scalar(x, n) : best;
}

void weighted_rows_avx2(const WeightedRow* rows, std::size_t n_rows, const float* values,
                        std::size_t value_stride, std::size_t value_dim) {
  const __m256i all = _mm256_set1_epi32(-1);
  std::size_t d0 = 0;
  if (n_rows >= 4) {
    // Batched rows: tiles of 4 rows × 24 values (12 accumulators, 3 value vectors and one
    // weight, as the 4 × 3 tile of gemm_avx2.cpp), so that each value vector loaded serves 4
    // rows instead of 2.
    for (; d0 + 24 <= value_dim; d0 += 24) {
      weighted_chunk<3, 4, true>(rows, n_rows, values, value_stride, d0, all);
    }
    return weighted_rest<4>(rows, n_rows, values, value_stride, d0, value_dim - d0);
  }
  if (n_rows == 1) {
    // One row (a few-query pass): 8 independent chains of 8 values, enough to keep both FMA
    // pipes busy with one weight broadcast per key.
    for (; d0 + 64 <= value_dim; d0 += 64) {
      weighted_chunk<8, 1, true>(rows, n_rows, values, value_stride, d0, all);
    }
  }
  for (; d0 + 32 <= value_dim; d0 += 32) {
    weighted_chunk<4, 2, true>(rows, n_rows, values, value_stride, d0, all);
  }
  weighted_rest<8>(rows, n_rows, values, value_stride, d0, value_dim - d0);
}

}  // namespace nn::detail
LMC_END_NAMESPACE

LMC_NN_TARGET_END

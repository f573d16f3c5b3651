// The AVX-512 attention kernels. Scores: each key's 16 lanes are one zmm of products (as in
// matmul_avx512.cpp), and the fixed tree of matmul.hpp runs on 16 keys at once through
// shuffles, so that every add pairs lane j with lane j + width of one key, as the tree says.
// P·V: rows are interleaved over the keys they share; each output element keeps its own fma
// chain in key order.
#include "nn/attention_kernels.hpp"
#include "nn/exp_simd.hpp"

#include "nn/simd.hpp"

#include <immintrin.h>

#include <algorithm>

LMC_NN_TARGET_AVX512_BEGIN

LMC_BEGIN_NAMESPACE
namespace nn::detail {
namespace {

inline __mmask16 low_mask(std::size_t n) { return static_cast<__mmask16>((1u << n) - 1u); }

// The 16 lanes of dot(q, k) before the tree: a zmm per 16 columns, tail lanes zero.
inline __m512 lanes(const float* q, const float* k, std::size_t key_dim) {
  __m512 acc = _mm512_setzero_ps();
  std::size_t c = 0;
  for (; c + 16 <= key_dim; c += 16) {
    acc = _mm512_fmadd_ps(_mm512_loadu_ps(q + c), _mm512_loadu_ps(k + c), acc);
  }
  if (c < key_dim) {
    const __mmask16 m = low_mask(key_dim - c);
    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q + c), _mm512_maskz_loadu_ps(m, k + c), acc);
  }
  return acc;
}

// Steps s4, s2, s1 of the tree from s8[i] = [s8 of key 2i | s8 of key 2i+1].
inline __m512 reduce_from_s8(const __m512 (&s8)[8]) {
  __m512 s4[4], s2[2];
  for (int i = 0; i < 4; ++i) {
    const __m512 lo = _mm512_shuffle_f32x4(s8[2 * i], s8[2 * i + 1], _MM_SHUFFLE(2, 0, 2, 0));
    const __m512 hi = _mm512_shuffle_f32x4(s8[2 * i], s8[2 * i + 1], _MM_SHUFFLE(3, 1, 3, 1));
    s4[i] = _mm512_add_ps(lo, hi);  // 128-bit chunk c: s4 of key 4i + c
  }
  for (int i = 0; i < 2; ++i) {
    const __m512 lo = _mm512_shuffle_ps(s4[2 * i], s4[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0));
    const __m512 hi = _mm512_shuffle_ps(s4[2 * i], s4[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2));
    s2[i] = _mm512_add_ps(lo, hi);  // chunk c: s2 of keys 8i + c and 8i + 4 + c
  }
  const __m512 lo = _mm512_shuffle_ps(s2[0], s2[1], _MM_SHUFFLE(2, 0, 2, 0));
  const __m512 hi = _mm512_shuffle_ps(s2[0], s2[1], _MM_SHUFFLE(3, 1, 3, 1));
  const __m512 r = _mm512_add_ps(lo, hi);  // position 4c + e holds key c + 4e
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  return _mm512_permutexvar_ps(order, r);
}

// result[i] = tree(p[i]) for 16 lane vectors: s8 = lane[j] + lane[j+8], s4, s2, s1, each add
// with the lower lane first.
inline __m512 reduce_16_keys(const __m512 (&p)[16]) {
  __m512 s8[8];
  for (int i = 0; i < 8; ++i) {
    const __m512 lo = _mm512_shuffle_f32x4(p[2 * i], p[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0));
    const __m512 hi = _mm512_shuffle_f32x4(p[2 * i], p[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2));
    s8[i] = _mm512_add_ps(lo, hi);  // [s8 of key 2i | s8 of key 2i+1]
  }
  return reduce_from_s8(s8);
}

template <int NV, int Q>
void weighted_block(const WeightedRow* rows, const float* values, std::size_t stride,
                    std::size_t d0, __mmask16 last) {
  __m512 acc[Q][NV];
  for (int q = 0; q < Q; ++q) {
    for (int v = 0; v < NV; ++v) {
      const float* o = rows[q].out + d0 + 16 * v;
      acc[q][v] = !rows[q].accumulate ? _mm512_setzero_ps()
                  : v == NV - 1       ? _mm512_maskz_loadu_ps(last, o)
                                      : _mm512_loadu_ps(o);
    }
  }
  auto load = [&](std::size_t j, int v) {
    const float* p = values + j * stride + d0 + 16 * v;
    return v == NV - 1 ? _mm512_maskz_loadu_ps(last, p) : _mm512_loadu_ps(p);
  };
  auto run_one = [&](int q, std::size_t from, std::size_t to) {
    for (std::size_t j = from; j < to; ++j) {
      const __m512 w = _mm512_set1_ps(rows[q].weights[j - rows[q].begin]);
      for (int v = 0; v < NV; ++v) acc[q][v] = _mm512_fmadd_ps(w, load(j, v), acc[q][v]);
    }
  };
  std::size_t shared_begin = rows[0].begin, shared_end = rows[0].end;
  for (int q = 1; q < Q; ++q) {
    shared_begin = std::max(shared_begin, rows[q].begin);
    shared_end = std::min(shared_end, rows[q].end);
  }
  if (shared_begin >= shared_end) {
    for (int q = 0; q < Q; ++q) run_one(q, rows[q].begin, rows[q].end);
  } else {
    for (int q = 0; q < Q; ++q) run_one(q, rows[q].begin, shared_begin);
    for (std::size_t j = shared_begin; j < shared_end; ++j) {
      __m512 vv[NV];
      for (int v = 0; v < NV; ++v) vv[v] = load(j, v);
      for (int q = 0; q < Q; ++q) {
        const __m512 w = _mm512_set1_ps(rows[q].weights[j - rows[q].begin]);
        for (int v = 0; v < NV; ++v) acc[q][v] = _mm512_fmadd_ps(w, vv[v], acc[q][v]);
      }
    }
    for (int q = 0; q < Q; ++q) run_one(q, shared_end, rows[q].end);
  }
  for (int q = 0; q < Q; ++q) {
    for (int v = 0; v < NV; ++v) {
      float* o = rows[q].out + d0 + 16 * v;
      if (v == NV - 1) {
        _mm512_mask_storeu_ps(o, last, acc[q][v]);
      } else {
        _mm512_storeu_ps(o, acc[q][v]);
      }
    }
  }
}

template <int NV, int Q>
void weighted_chunk(const WeightedRow* rows, std::size_t n_rows, const float* values,
                    std::size_t stride, std::size_t d0, __mmask16 last) {
  std::size_t r = 0;
  for (; r + Q <= n_rows; r += Q) weighted_block<NV, Q>(rows + r, values, stride, d0, last);
  if constexpr (Q > 1) {
    if (r < n_rows) weighted_chunk<NV, Q / 2>(rows + r, n_rows - r, values, stride, d0, last);
  }
}

// key_dim ≤ 8: lanes 8..15 of every key stay +0, so s8[j] = lane[j] + 0, and two keys'
// lanes fit one zmm: one fma gives [lanes of key a | lanes of key b], the layout the tree's
// second step expects.
void scores_up_to_8(const float* q, const float* keys, std::size_t key_stride, std::size_t count,
                    std::size_t key_dim, float scale, float* out) {
  const __m512 scale_v = _mm512_set1_ps(scale);
  const __m512 zero = _mm512_setzero_ps();
  const auto m8 = static_cast<__mmask8>((1u << key_dim) - 1u);
  const __m256 q8 = _mm256_maskz_loadu_ps(m8, q);
  const __m512 qq = _mm512_insertf32x8(_mm512_castps256_ps512(q8), q8, 1);
  auto key = [&](std::size_t j) { return _mm256_maskz_loadu_ps(m8, keys + j * key_stride); };
  for (std::size_t j = 0; j < count; j += 16) {
    const std::size_t n = std::min<std::size_t>(16, count - j);
    __m512 s8[8];
    for (std::size_t i = 0; i < 8; ++i) {
      const std::size_t a = 2 * i, b = 2 * i + 1;
      const __m256 ka = a < n ? key(j + a) : _mm256_setzero_ps();
      const __m256 kb = b < n ? key(j + b) : _mm256_setzero_ps();
      const __m512 kk = _mm512_insertf32x8(_mm512_castps256_ps512(ka), kb, 1);
      s8[i] = _mm512_add_ps(_mm512_fmadd_ps(qq, kk, zero), zero);
    }
    const __m512 s = _mm512_mul_ps(reduce_from_s8(s8), scale_v);
    if (n == 16) {
      _mm512_storeu_ps(out + j, s);
    } else {
      _mm512_mask_storeu_ps(out + j, low_mask(n), s);
    }
  }
}

}  // namespace

void attention_scores_rows_avx512(const float* const* qs, std::size_t n_q, const float* keys,
                                  std::size_t key_stride, std::size_t count, std::size_t key_dim,
                                  float scale, float* const* outs) {
  if (key_dim > 8) {
    for (std::size_t r = 0; r < n_q; ++r) {
      attention_scores_avx512(qs[r], keys, key_stride, count, key_dim, scale, outs[r]);
    }
    return;
  }
  // As scores_up_to_8, with each block of 16 keys loaded once for every query.
  const __m512 scale_v = _mm512_set1_ps(scale);
  const __m512 zero = _mm512_setzero_ps();
  const auto m8 = static_cast<__mmask8>((1u << key_dim) - 1u);
  auto key = [&](std::size_t j) { return _mm256_maskz_loadu_ps(m8, keys + j * key_stride); };
  for (std::size_t j = 0; j < count; j += 16) {
    const std::size_t n = std::min<std::size_t>(16, count - j);
    __m512 kk[8];
    for (std::size_t i = 0; i < 8; ++i) {
      const std::size_t a = 2 * i, b = 2 * i + 1;
      const __m256 ka = a < n ? key(j + a) : _mm256_setzero_ps();
      const __m256 kb = b < n ? key(j + b) : _mm256_setzero_ps();
      kk[i] = _mm512_insertf32x8(_mm512_castps256_ps512(ka), kb, 1);
    }
    for (std::size_t r = 0; r < n_q; ++r) {
      const __m256 q8 = _mm256_maskz_loadu_ps(m8, qs[r]);
      const __m512 qq = _mm512_insertf32x8(_mm512_castps256_ps512(q8), q8, 1);
      __m512 s8[8];
      for (std::size_t i = 0; i < 8; ++i) {
        s8[i] = _mm512_add_ps(_mm512_fmadd_ps(qq, kk[i], zero), zero);
      }
      const __m512 s = _mm512_mul_ps(reduce_from_s8(s8), scale_v);
      if (n == 16) {
        _mm512_storeu_ps(outs[r] + j, s);
      } else {
        _mm512_mask_storeu_ps(outs[r] + j, low_mask(n), s);
      }
    }
  }
}

void attention_scores_avx512(const float* q, const float* keys, std::size_t key_stride,
                             std::size_t count, std::size_t key_dim, float scale, float* out) {
  if (key_dim <= 8) return scores_up_to_8(q, keys, key_stride, count, key_dim, scale, out);
  const __m512 scale_v = _mm512_set1_ps(scale);
  for (std::size_t j = 0; j < count; j += 16) {
    const std::size_t n = std::min<std::size_t>(16, count - j);
    __m512 p[16];
    for (std::size_t i = 0; i < 16; ++i) {
      p[i] = i < n ? lanes(q, keys + (j + i) * key_stride, key_dim) : _mm512_setzero_ps();
    }
    const __m512 s = _mm512_mul_ps(reduce_16_keys(p), scale_v);
    if (n == 16) {
      _mm512_storeu_ps(out + j, s);
    } else {
      _mm512_mask_storeu_ps(out + j, low_mask(n), s);
    }
  }
}

void exp_shifted_avx512(float* x, std::size_t n, float max) {
  const __m512 m = _mm512_set1_ps(max);
  for (std::size_t i = 0; i < n; i += 16) {
    const __mmask16 k = n - i >= 16 ? __mmask16{0xFFFF} : low_mask(n - i);
    const __m512 v = _mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), m);
    _mm512_mask_storeu_ps(x + i, k, exp_avx512(v));
  }
}

void scale_avx512(float* x, std::size_t n, float factor) {
  const __m512 f = _mm512_set1_ps(factor);
  for (std::size_t i = 0; i < n; i += 16) {
    const __mmask16 k = n - i >= 16 ? __mmask16{0xFFFF} : low_mask(n - i);
    _mm512_mask_storeu_ps(x + i, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, x + i), f));
  }
}

float row_max_avx512(const float* x, std::size_t n) {
  __m512 m = _mm512_set1_ps(x[0]);
  __mmask16 nan = 0;
  for (std::size_t i = 0; i < n; i += 16) {
    const __mmask16 k = n - i >= 16 ? __mmask16{0xFFFF} : low_mask(n - i);
    const __m512 v = _mm512_maskz_loadu_ps(k, x + i);
    nan |= _mm512_mask_cmp_ps_mask(k, v, v, _CMP_UNORD_Q);
    m = _mm512_mask_max_ps(m, k, m, v);
  }
  if (nan) return row_max_scalar(x, n);
  // Without NaNs the maximum is one value up to the sign of a zero, and softmax maps x − 0
  // and x + 0 to the same exp for every x (e^±0 = 1 from exp_in_place).
  return _mm512_reduce_max_ps(m);
}

void weighted_rows_avx512(const WeightedRow* rows, std::size_t n_rows, const float* values,
                          std::size_t value_stride, std::size_t value_dim) {
  std::size_t d0 = 0;
  for (; d0 + 64 <= value_dim; d0 += 64) {
    weighted_chunk<4, 4>(rows, n_rows, values, value_stride, d0, 0xFFFF);
  }
  const std::size_t rest = value_dim - d0;
  if (rest == 0) return;
  const std::size_t nv = (rest + 15) / 16;
  const __mmask16 last = low_mask(rest - 16 * (nv - 1));
  switch (nv) {
    case 1: return weighted_chunk<1, 8>(rows, n_rows, values, value_stride, d0, last);
    case 2: return weighted_chunk<2, 8>(rows, n_rows, values, value_stride, d0, last);
    default: return weighted_chunk<3, 4>(rows, n_rows, values, value_stride, d0, last);
  }
}

}  // namespace nn::detail
LMC_END_NAMESPACE

LMC_NN_TARGET_END

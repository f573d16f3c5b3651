// The AVX-512 VNNI path of the integer recipe (matmul.hpp): u8 × s8 products summed four at a
// time into int32 by vpdpbusd (blocks of 32) or u8 × s8 pairs by vpmaddubsw, scaled and summed
// by vpdpwssd (K-quants). Integer sums are exact in any order, and the float steps are the
// scalar reference's multiplies and fused multiply-adds, so every result is the scalar bits.
//
// vpdpbusd needs one unsigned operand. Weights with signed codes (q8_0, iq4_nl) are multiplied
// with the activations shifted to unsigned, q + 128, and 128 · Σ w is subtracted again; the
// other blocks of 32 have unsigned codes. vpmaddubsw saturates at ±32767, which no pair reaches
// (K-quant codes ≤ 63, |q_x| ≤ 127: 2 · 63 · 127 = 16002). iq4_xs (signed levels with group
// scales) runs the AVX2 kernel.
#include "nn/matmul_quant.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cmath>

#if defined(__clang__)
#pragma clang attribute push(                                                               \
    __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c"))), \
    apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c")
#endif
// GCC 12's avx512fintrin.h builds "undefined" vectors by self-initialization, which its own
// -Wuninitialized then reports inside the intrinsics; the warning says nothing about this file.
#pragma GCC diagnostic ignored "-Wuninitialized"
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "nn/quant_blocks.hpp"

LMC_BEGIN_NAMESPACE
namespace nn::detail {
namespace {

constexpr std::size_t tile_rows = 4;

inline __m512i load512(const void* p) { return _mm512_loadu_si512(p); }
inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// Four vectors of 16 int32, vector i holding block 2i in lanes 0–7 and block 2i + 1 in lanes
// 8–15 → the 8 block sums in block order (exact).
inline __m256i block_sums(__m512i a0, __m512i a1, __m512i a2, __m512i a3) {
  const __m512i x = _mm512_add_epi32(_mm512_unpacklo_epi32(a0, a1), _mm512_unpackhi_epi32(a0, a1));
  const __m512i y = _mm512_add_epi32(_mm512_unpacklo_epi32(a2, a3), _mm512_unpackhi_epi32(a2, a3));
  // Per 128-bit lane k: the sums of that lane of a0, a1, a2, a3.
  const __m512i z = _mm512_add_epi32(_mm512_unpacklo_epi64(x, y), _mm512_unpackhi_epi64(x, y));
  // 128-bit lanes 0+1 hold blocks 0, 2, 4, 6; lanes 2+3 blocks 1, 3, 5, 7.
  const __m512i p = _mm512_add_epi32(z, _mm512_shuffle_i32x4(z, z, _MM_SHUFFLE(2, 3, 0, 1)));
  const __m512i order = _mm512_setr_epi32(0, 8, 1, 9, 2, 10, 3, 11, 0, 0, 0, 0, 0, 0, 0, 0);
  return _mm512_castsi512_si256(_mm512_permutexvar_epi32(order, p));
}

// The sum of eight int32 (exact).
inline std::int32_t sum_8(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
  return _mm_cvtsi128_si32(s) + _mm_extract_epi32(s, 1);
}

// The fixed tree of the 8 lanes: (j, j+4), (j, j+2), (0, 1).
inline float reduce_8(__m256 v) {
  const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}

// Two blocks of 32 codes, 32 bytes each at p and q, as one vector.
inline __m512i two_blocks(const void* p, const void* q) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(load256(p)), load256(q), 1);
}

// The codes and scales of one chunk of one row, for the kernels of blocks of 32: q8_0 is read
// straight from the mapped blocks, the other types from a decoded Chunk.
struct Block32Row {
  __m512i w[4];      // codes of blocks (0, 1), (2, 3), (4, 5), (6, 7)
  __m256i w_sum128;  // signed codes: 128 · Σ w per block
  __m256 d, m;       // per block
};

template <bool is_signed, bool has_min>
void rows_block32(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                  const QuantizedActivations& x, float* y, std::size_t y_stride, int offset) {
  const std::size_t chunks = (w.cols + chunk_values - 1) / chunk_values;
  const std::size_t row_blocks = w.cols / 32;
  const std::size_t tokens = x.tokens;
  const bool q8 = w.type == WeightType::q8_0;
  std::vector<float> state(tile_rows * tokens * 8);
  Chunk c;
  Block32Row rw[tile_rows];
  const __m512i bias128 = _mm512_set1_epi8(static_cast<char>(0x80));
  const __m256i offsets = _mm256_set1_epi32(offset);
  for (std::size_t n0 = n_begin; n0 < n_end; n0 += tile_rows) {
    const std::size_t rows = std::min(tile_rows, n_end - n0);
    std::fill(state.begin(), state.end(), 0.0f);
    for (std::size_t ci = 0; ci < chunks; ++ci) {
      const std::size_t blocks = std::min<std::size_t>(8, row_blocks - ci * 8);
      for (std::size_t r = 0; r < rows; ++r) {
        Block32Row& b = rw[r];
        if (q8) {
          // 34-byte blocks: the codes follow the fp16 scale.
          const auto* base =
              reinterpret_cast<const std::uint8_t*>(w.row(n0 + r)) + ci * 8 * q8_0_block_bytes;
          alignas(16) std::uint16_t h[8] = {};
          alignas(32) std::uint8_t tail[2][32] = {};
          for (std::size_t j = 0; j < blocks; ++j) std::memcpy(h + j, base + j * 34, 2);
          for (std::size_t j = 0; j < 4; ++j) {
            const std::uint8_t* p0 = 2 * j < blocks ? base + 2 * j * 34 + 2 : tail[0];
            const std::uint8_t* p1 = 2 * j + 1 < blocks ? base + (2 * j + 1) * 34 + 2 : tail[1];
            b.w[j] = two_blocks(p0, p1);
          }
          b.d = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(h)));
          b.m = _mm256_setzero_ps();
        } else {
          decode_chunk(w, w.row(n0 + r), ci, c);
          for (std::size_t j = 0; j < 4; ++j) b.w[j] = load512(c.q + 64 * j);
          b.d = _mm256_load_ps(c.d);
          b.m = _mm256_load_ps(c.m);
        }
        if (is_signed) {
          __m512i s[4];
          for (std::size_t j = 0; j < 4; ++j) {
            s[j] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), bias128, b.w[j]);
          }
          b.w_sum128 = block_sums(s[0], s[1], s[2], s[3]);
        }
      }
      for (std::size_t t = 0; t < tokens; ++t) {
        const std::int8_t* xq = x.row_q(t) + ci * chunk_values;
        alignas(32) float dx_pad[8] = {};
        alignas(32) std::int32_t xsum_pad[8] = {};
        alignas(64) std::int8_t xq_pad[chunk_values] = {};
        std::copy_n(x.row_d(t) + ci * 8, blocks, dx_pad);
        std::copy_n(x.row_sum32(t) + ci * 8, blocks, xsum_pad);
        alignas(32) float s_pad[8] = {};
        if (has_min) std::copy_n(x.row_s32(t) + ci * 8, blocks, s_pad);
        if (blocks < 8) {
          std::copy_n(xq, 32 * blocks, xq_pad);
          xq = xq_pad;
        }
        const __m256 dx = _mm256_load_ps(dx_pad);
        const __m256i xsum = _mm256_load_si256(reinterpret_cast<const __m256i*>(xsum_pad));
        __m512i xv[4];
        for (std::size_t j = 0; j < 4; ++j) {
          xv[j] = load512(xq + 64 * j);
          if (is_signed) xv[j] = _mm512_xor_si512(xv[j], bias128);  // q + 128 as unsigned
        }
        for (std::size_t r = 0; r < rows; ++r) {
          const Block32Row& b = rw[r];
          __m512i s[4];
          for (std::size_t j = 0; j < 4; ++j) {
            s[j] = is_signed ? _mm512_dpbusd_epi32(_mm512_setzero_si512(), xv[j], b.w[j])
                             : _mm512_dpbusd_epi32(_mm512_setzero_si512(), b.w[j], xv[j]);
          }
          __m256i total = block_sums(s[0], s[1], s[2], s[3]);
          total = is_signed ? _mm256_sub_epi32(total, b.w_sum128)
                            : _mm256_sub_epi32(total, _mm256_mullo_epi32(offsets, xsum));
          float* lanes = state.data() + (r * tokens + t) * 8;
          __m256 lane = _mm256_loadu_ps(lanes);
          lane = _mm256_fmadd_ps(_mm256_mul_ps(b.d, dx), _mm256_cvtepi32_ps(total), lane);
          if (has_min) {
            lane = _mm256_fmadd_ps(b.m, _mm256_load_ps(s_pad), lane);
          }
          _mm256_storeu_ps(lanes, lane);
        }
      }
    }
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t t = 0; t < tokens; ++t) {
        y[t * y_stride + n0 + r] = reduce_8(_mm256_loadu_ps(state.data() + (r * tokens + t) * 8));
      }
    }
  }
}

// Q4_K and Q6_K codes straight from the blocks into element order (as decode_q4_k and
// decode_q6_k write them), the other K-quants through decode_chunk.
inline void decode_k_codes(WeightType type, const std::uint8_t* b, Chunk& c) {
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  if (type == WeightType::q4_k) {
    c.dk = block_half(b);
    c.dmink = block_half(b + 2);
    k4_scales(b + 4, c);
    for (int g = 0; g < 4; ++g) {
      const __m256i q = load256(b + 16 + 32 * g);
      _mm256_store_si256(reinterpret_cast<__m256i*>(c.q + 64 * g), _mm256_and_si256(q, low4));
      _mm256_store_si256(reinterpret_cast<__m256i*>(c.q + 64 * g + 32),
                         _mm256_and_si256(_mm256_srli_epi16(q, 4), low4));
    }
    return;
  }
  // q6_k
  const __m256i low2 = _mm256_set1_epi8(0x03);
  for (int g = 0; g < 16; ++g) {
    c.sc[g] = static_cast<std::int16_t>(static_cast<std::int8_t>(b[192 + g]));
    c.mn[g] = 0;
  }
  for (int h = 0; h < 2; ++h) {
    const __m256i l0 = load256(b + 64 * h), l1 = load256(b + 64 * h + 32);
    const __m256i hb = load256(b + 128 + 32 * h);
    auto high = [&](int shift) {
      return _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, shift), low2), 4);
    };
    std::uint8_t* q = c.q + 128 * h;
    auto store = [](std::uint8_t* p, __m256i v) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(p), v);
    };
    store(q, _mm256_or_si256(_mm256_and_si256(l0, low4), high(0)));
    store(q + 32, _mm256_or_si256(_mm256_and_si256(l1, low4), high(2)));
    store(q + 64, _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4), high(4)));
    store(q + 96, _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4), high(6)));
  }
  c.dk = block_half(b + 208);
  c.dmink = 0;
}

// K-quants with unsigned codes: one accumulator per (row, token), one super-block per chunk.
template <bool has_min>
void rows_k(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
            const QuantizedActivations& x, float* y, std::size_t y_stride, int offset) {
  const std::size_t chunks = w.cols / chunk_values;
  const std::size_t tokens = x.tokens;
  const bool fast = w.type == WeightType::q4_k || w.type == WeightType::q6_k;
  std::vector<float> state(tile_rows * tokens);
  Chunk c[tile_rows];
  __m512i scales[tile_rows][4];  // per int16 pair lane of each 64 codes: its group's scale
  __m256i sc16[tile_rows], mn16[tile_rows];
  // Pair lane i of the 64 codes 64j … covers codes 64j + 2i, +1: group 4j + i / 8.
  __m512i group_of[4];
  for (int j = 0; j < 4; ++j) {
    alignas(64) std::int16_t idx[32];
    for (int i = 0; i < 32; ++i) idx[i] = static_cast<std::int16_t>(4 * j + i / 8);
    group_of[j] = _mm512_load_si512(idx);
  }
  for (std::size_t n0 = n_begin; n0 < n_end; n0 += tile_rows) {
    const std::size_t rows = std::min(tile_rows, n_end - n0);
    std::fill(state.begin(), state.end(), 0.0f);
    for (std::size_t ci = 0; ci < chunks; ++ci) {
      for (std::size_t r = 0; r < rows; ++r) {
        if (fast) {
          decode_k_codes(w.type,
                         reinterpret_cast<const std::uint8_t*>(w.row(n0 + r)) +
                             ci * weight_block_bytes(w.type),
                         c[r]);
        } else {
          decode_chunk(w, w.row(n0 + r), ci, c[r]);
        }
        sc16[r] = load256(c[r].sc);
        mn16[r] = load256(c[r].mn);
        const __m512i sc = _mm512_castsi256_si512(sc16[r]);
        for (int j = 0; j < 4; ++j) scales[r][j] = _mm512_permutexvar_epi16(group_of[j], sc);
      }
      for (std::size_t t = 0; t < tokens; ++t) {
        const std::int8_t* xq = x.row_q(t) + ci * chunk_values;
        const float dx = x.row_d(t)[ci];
        const __m256i bsum = load256(x.row_sum16(t) + ci * 16);
        __m512i xv[4];
        for (int j = 0; j < 4; ++j) xv[j] = load512(xq + 64 * j);
        for (std::size_t r = 0; r < rows; ++r) {
          __m512i dot = _mm512_setzero_si512();
          for (int j = 0; j < 4; ++j) {
            const __m512i p = _mm512_maddubs_epi16(load512(c[r].q + 64 * j), xv[j]);
            dot = _mm512_dpwssd_epi32(dot, p, scales[r][j]);
          }
          std::int32_t total = _mm512_reduce_add_epi32(dot);
          if (offset != 0) total -= offset * sum_8(_mm256_madd_epi16(sc16[r], bsum));
          float& acc = state[r * tokens + t];
          acc = std::fma(c[r].dk * dx, static_cast<float>(total), acc);
          if (has_min) {
            const std::int32_t min = sum_8(_mm256_madd_epi16(mn16[r], bsum));
            acc = std::fma(c[r].dmink * dx, static_cast<float>(-min), acc);
          }
        }
      }
    }
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t t = 0; t < tokens; ++t) y[t * y_stride + n0 + r] = state[r * tokens + t];
    }
  }
}

}  // namespace

void quant_rows_avx512(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                       const QuantizedActivations& x, float* y, std::size_t y_stride) {
  const QuantTraits t = quant_traits(w.type);
  if (t.k_quant) {
    if (t.is_signed) return quant_rows_avx2(w, n_begin, n_end, x, y, y_stride);
    if (t.has_min) return rows_k<true>(w, n_begin, n_end, x, y, y_stride, t.offset);
    return rows_k<false>(w, n_begin, n_end, x, y, y_stride, t.offset);
  }
  if (t.is_signed) return rows_block32<true, false>(w, n_begin, n_end, x, y, y_stride, 0);
  if (t.has_min) return rows_block32<false, true>(w, n_begin, n_end, x, y, y_stride, t.offset);
  return rows_block32<false, false>(w, n_begin, n_end, x, y, y_stride, t.offset);
}

}  // namespace nn::detail
LMC_END_NAMESPACE

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

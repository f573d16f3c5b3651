// The AVX2 path of the integer recipe (matmul.hpp): u8 × s8 products by vpmaddubsw, widened and
// (for K-quants) scaled by vpmaddwd, integer sums exact in any order; the float steps are the
// same multiplies and fused multiply-adds as the scalar reference, per lane.
//
// vpmaddubsw saturates at ±32767; no sum of two products can reach it: codes are at most 63
// (q8_0's and the iq4 levels' |q| at most 128) and activations at most 127 in magnitude (2 · 128 ·
// 127 = 32512).
#include "nn/matmul_quant.hpp"

#include "nn/simd.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cmath>

LMC_NN_TARGET_AVX2_BEGIN

#include "nn/quant_blocks.hpp"

LMC_BEGIN_NAMESPACE
namespace nn::detail {
namespace {

constexpr std::size_t tile_rows = 4;

inline __m256i load(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// Eight vectors of eight int32 → the vector of their eight sums (exact).
inline __m256i sum_each(const __m256i s[8]) {
  const __m256i h01 = _mm256_hadd_epi32(s[0], s[1]);
  const __m256i h23 = _mm256_hadd_epi32(s[2], s[3]);
  const __m256i h45 = _mm256_hadd_epi32(s[4], s[5]);
  const __m256i h67 = _mm256_hadd_epi32(s[6], s[7]);
  const __m256i h0123 = _mm256_hadd_epi32(h01, h23);
  const __m256i h4567 = _mm256_hadd_epi32(h45, h67);
  return _mm256_add_epi32(_mm256_permute2x128_si256(h0123, h4567, 0x20),
                          _mm256_permute2x128_si256(h0123, h4567, 0x31));
}

// The sums of two vectors of eight int32 (exact).
inline void sum_two(__m256i a, __m256i b, std::int32_t& sa, std::int32_t& sb) {
  const __m256i h = _mm256_hadd_epi32(a, b);  // a01 a23 b01 b23 | a45 a67 b45 b67
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
  s = _mm_hadd_epi32(s, s);  // a b a b
  sa = _mm_cvtsi128_si32(s);
  sb = _mm_extract_epi32(s, 1);
}

// Weights in blocks of 32: 8 lanes per (row, token), lane j holding block j of each chunk.
template <bool is_signed, bool has_min>
void rows_block32(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                  const QuantizedActivations& x, float* y, std::size_t y_stride, int offset) {
  const std::size_t chunks = (w.cols + chunk_values - 1) / chunk_values;
  const std::size_t tokens = x.tokens;
  std::vector<float> state(tile_rows * tokens * 8);  // 8 lanes per (row, token)
  Chunk c[tile_rows];
  const __m256i ones = _mm256_set1_epi16(1);
  const __m256i offsets = _mm256_set1_epi32(offset);
  // One token: a row at a time, so that each row's blocks stream in order (measured faster).
  const std::size_t tile = tokens == 1 ? 1 : tile_rows;
  for (std::size_t n0 = n_begin; n0 < n_end; n0 += tile) {
    const std::size_t rows = std::min(tile, n_end - n0);
    std::fill(state.begin(), state.end(), 0.0f);
    for (std::size_t ci = 0; ci < chunks; ++ci) {
      for (std::size_t r = 0; r < rows; ++r) decode_chunk_avx2(w, w.row(n0 + r), ci, c[r]);
      const std::size_t blocks = c[0].blocks;
      for (std::size_t t = 0; t < tokens; ++t) {
        const std::int8_t* xq = x.row_q(t) + ci * chunk_values;
        alignas(32) float dx_pad[8] = {};
        alignas(32) std::int32_t xsum_pad[8] = {};
        std::copy_n(x.row_d(t) + ci * 8, blocks, dx_pad);
        std::copy_n(x.row_sum32(t) + ci * 8, blocks, xsum_pad);
        alignas(32) float s_pad[8] = {};
        if (has_min) std::copy_n(x.row_s32(t) + ci * 8, blocks, s_pad);
        const __m256 dx = _mm256_load_ps(dx_pad);
        const __m256i xsum = _mm256_load_si256(reinterpret_cast<const __m256i*>(xsum_pad));
        __m256i xv[8];
        for (std::size_t j = 0; j < 8; ++j) xv[j] = j < blocks ? load(xq + 32 * j) : __m256i{};
        for (std::size_t r = 0; r < rows; ++r) {
          __m256i s[8];
          for (std::size_t j = 0; j < 8; ++j) {
            const __m256i q = load(c[r].q + 32 * j);
            const __m256i p =
                is_signed ? _mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(xv[j], q))
                          : _mm256_maddubs_epi16(q, xv[j]);
            s[j] = _mm256_madd_epi16(p, ones);
          }
          __m256i total = sum_each(s);
          if (!is_signed) total = _mm256_sub_epi32(total, _mm256_mullo_epi32(offsets, xsum));
          float* lanes = state.data() + (r * tokens + t) * 8;
          __m256 lane = _mm256_loadu_ps(lanes);
          lane = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_load_ps(c[r].d), dx),
                                 _mm256_cvtepi32_ps(total), lane);
          if (has_min) {
            lane = _mm256_fmadd_ps(_mm256_load_ps(c[r].m), _mm256_load_ps(s_pad), lane);
          }
          _mm256_storeu_ps(lanes, lane);
        }
      }
    }
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t t = 0; t < tokens; ++t) {
        y[t * y_stride + n0 + r] =
            reduce_tree_8(_mm256_loadu_ps(state.data() + (r * tokens + t) * 8));
      }
    }
  }
}

// K-quants (and iq4_xs, whose codes are signed): one accumulator per (row, token), one
// super-block per chunk.
template <bool has_min, bool is_signed>
void rows_k(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
            const QuantizedActivations& x, float* y, std::size_t y_stride, int offset) {
  const std::size_t chunks = w.cols / chunk_values;
  const std::size_t tokens = x.tokens;
  std::vector<float> state(tile_rows * tokens);
  Chunk c[tile_rows];
  __m256i scales[tile_rows][8];  // per 32 values: lanes 0..7 scale of the first 16, 8..15 next
  __m256i sc16[tile_rows], mn16[tile_rows];
  const __m256i offsets = _mm256_set1_epi32(offset);
  for (std::size_t n0 = n_begin; n0 < n_end; n0 += tile_rows) {
    const std::size_t rows = std::min(tile_rows, n_end - n0);
    std::fill(state.begin(), state.end(), 0.0f);
    for (std::size_t ci = 0; ci < chunks; ++ci) {
      for (std::size_t r = 0; r < rows; ++r) {
        decode_chunk_avx2(w, w.row(n0 + r), ci, c[r]);
        for (std::size_t j = 0; j < 8; ++j) {
          scales[r][j] =
              _mm256_set_m128i(_mm_set1_epi16(c[r].sc[2 * j + 1]), _mm_set1_epi16(c[r].sc[2 * j]));
        }
        sc16[r] = load(c[r].sc);
        mn16[r] = load(c[r].mn);
      }
      for (std::size_t t = 0; t < tokens; ++t) {
        const std::int8_t* xq = x.row_q(t) + ci * chunk_values;
        const float dx = x.row_d(t)[ci];
        const __m256i bsum = load(x.row_sum16(t) + ci * 16);
        __m256i xv[8];
        for (std::size_t j = 0; j < 8; ++j) xv[j] = load(xq + 32 * j);
        for (std::size_t r = 0; r < rows; ++r) {
          __m256i dot = _mm256_setzero_si256();
          for (std::size_t j = 0; j < 8; ++j) {
            const __m256i q = load(c[r].q + 32 * j);
            const __m256i p =
                is_signed ? _mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(xv[j], q))
                          : _mm256_maddubs_epi16(q, xv[j]);
            dot = _mm256_add_epi32(dot, _mm256_madd_epi16(p, scales[r][j]));
          }
          dot =
              _mm256_sub_epi32(dot, _mm256_mullo_epi32(offsets, _mm256_madd_epi16(sc16[r], bsum)));
          std::int32_t total = 0, min = 0;
          sum_two(dot, _mm256_madd_epi16(mn16[r], bsum), total, min);
          float& acc = state[r * tokens + t];
          acc = std::fma(c[r].dk * dx, static_cast<float>(total), acc);
          if (has_min) acc = std::fma(c[r].dmink * dx, static_cast<float>(-min), acc);
        }
      }
    }
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t t = 0; t < tokens; ++t) y[t * y_stride + n0 + r] = state[r * tokens + t];
    }
  }
}

}  // namespace

void quant_rows_avx2(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                     const QuantizedActivations& x, float* y, std::size_t y_stride) {
  const QuantTraits t = quant_traits(w.type);
  if (t.k_quant) {
    if (t.has_min) return rows_k<true, false>(w, n_begin, n_end, x, y, y_stride, t.offset);
    if (t.is_signed) return rows_k<false, true>(w, n_begin, n_end, x, y, y_stride, 0);
    return rows_k<false, false>(w, n_begin, n_end, x, y, y_stride, t.offset);
  }
  if (t.is_signed) return rows_block32<true, false>(w, n_begin, n_end, x, y, y_stride, 0);
  if (t.has_min) return rows_block32<false, true>(w, n_begin, n_end, x, y, y_stride, t.offset);
  return rows_block32<false, false>(w, n_begin, n_end, x, y, y_stride, t.offset);
}

}  // namespace nn::detail
LMC_END_NAMESPACE

LMC_NN_TARGET_END

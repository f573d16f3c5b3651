// The AVX2 path of the integer recipe (matmul.hpp): u8 × s8 products by vpmaddubsw, widened and
// (for K-quants) scaled by vpmaddwd, integer sums exact in any order; the float steps are the
// same multiplies and fused multiply-adds as the scalar reference, per lane.
//
// Q8_0, Q4_K, Q5_K and Q6_K are read straight from the mapped blocks (their codes and scales
// unpacked in registers, as llama.cpp's AVX2 dot products do), four rows side by side: the integer
// sums of the four rows (and their min terms) are reduced together into one vector, whose lane r
// takes the float steps of row r, so each lane computes what the scalar reference computes for its
// row. For one token the rows come from four long runs of the task's rows (nn/row_runs.hpp) and
// nothing is stored; for more tokens each super-block's unpacked codes and scale vectors are
// kept in a small buffer and serve every token. The other types decode each chunk into a Chunk
// first (nn/quant_blocks.hpp).
//
// vpmaddubsw saturates at ±32767; no sum of two products can reach it: codes are at most 63
// (q8_0's and the iq4 levels' |q| at most 128, taken as the unsigned |q| by the vpsignb trick)
// and activations at most 127 in magnitude (2 · 128 · 127 = 32512; Q6_K 2 · 63 · 127 = 16002).
// vpmaddwd then multiplies pair sums by scales of at most 63 (Q4_K) or 128 (Q6_K) in magnitude,
// and no int32 sum of a super-block comes near 2^31 (Q6_K: 256 · 63 · 127 · 128 < 2^28).
#include "nn/matmul_quant.hpp"

#include "nn/simd.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cmath>

LMC_NN_TARGET_AVX2_BEGIN

#include "nn/quant_blocks.hpp"
#include "nn/row_runs.hpp"

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

// --- Q4_K and Q6_K straight from the blocks -----------------------------------------------------

constexpr std::size_t q4_k_bytes = 144;  // d, dmin, 12 bytes of scales and mins, 128 of nibbles
constexpr std::size_t q5_k_bytes = 176;  // as Q4_K, with 32 bytes of fifth bits before the nibbles
constexpr std::size_t q6_k_bytes = 210;  // 128 low nibbles, 64 of high bit pairs, 16 scales, d

template <WeightType type>
constexpr std::size_t k_bytes = type == WeightType::q4_k   ? q4_k_bytes
                                : type == WeightType::q5_k ? q5_k_bytes
                                                           : q6_k_bytes;
// Q4_K and Q5_K have a min per 32 values, Q6_K the offset 32 instead.
template <WeightType type>
constexpr bool k_has_min = type != WeightType::q6_k;

// vpshufb mask that copies int16 word `lo` of the low 128-bit lane into all of that lane and word
// `hi` of the high lane into all of that one.
inline __m256i broadcast_words(int lo, int hi) {
  return _mm256_set_m128i(_mm_set1_epi16(static_cast<short>(0x0100 + 0x0202 * hi)),
                          _mm_set1_epi16(static_cast<short>(0x0100 + 0x0202 * lo)));
}

// One row's super-block unpacked: q[j] the unsigned codes of values 32j … 32j + 31, sc[j] their
// scales as int16 (low lane: values 32j … 32j + 15, high lane the next 16), and corr the int16
// vector that the activations' block sums multiply: Q4_K [scales | mins] per 32 values (its low
// lane meets zeros), Q6_K the 16 scales (for the offset 32).
struct KBlock {
  __m256i q[8];
  __m256i sc[8];
  __m256i corr;
};

template <WeightType type>
inline void unpack_k(const std::uint8_t* b, KBlock& k) {
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  if constexpr (k_has_min<type>) {
    std::uint64_t scales = 0, mins = 0;
    k4_scales_mins(b + 4, scales, mins);
    k.corr = _mm256_cvtepu8_epi16(
        _mm_set_epi64x(static_cast<long long>(mins), static_cast<long long>(scales)));
    const __m256i s = _mm256_permute2x128_si256(k.corr, k.corr, 0x00);  // [scales | scales]
    constexpr std::size_t nibbles = type == WeightType::q4_k ? 16 : 48;
    for (int g = 0; g < 4; ++g) {
      // 64 values per 32 bytes: low nibbles first (scale 2g), then high nibbles (scale 2g + 1).
      const __m256i bits = load(b + nibbles + 32 * g);
      k.q[2 * g] = _mm256_and_si256(bits, low4);
      k.q[2 * g + 1] = _mm256_and_si256(_mm256_srli_epi16(bits, 4), low4);
      if constexpr (type == WeightType::q5_k) {
        // Q5_K: bit 2g (2g + 1) of byte l of qh is bit 4 of value 64g + l (64g + 32 + l).
        const __m256i qh = load(b + 16), bit4 = _mm256_set1_epi8(0x10);
        for (int i = 0; i < 2; ++i) {
          const __m256i m = _mm256_set1_epi8(static_cast<char>(1 << (2 * g + i)));
          const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(qh, m), m);
          k.q[2 * g + i] = _mm256_or_si256(k.q[2 * g + i], _mm256_and_si256(set, bit4));
        }
      }
      k.sc[2 * g] = _mm256_shuffle_epi8(s, broadcast_words(2 * g, 2 * g));
      k.sc[2 * g + 1] = _mm256_shuffle_epi8(s, broadcast_words(2 * g + 1, 2 * g + 1));
    }
  } else {
    static_assert(type == WeightType::q6_k);
    k.corr = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 192)));
    const __m256i s[2] = {_mm256_permute2x128_si256(k.corr, k.corr, 0x00),   // scales 0–7
                          _mm256_permute2x128_si256(k.corr, k.corr, 0x11)};  // scales 8–15
    for (int h = 0; h < 2; ++h) {
      // Values 128h + 32s + l: a nibble of l0 or l1 below bits 2s, 2s + 1 of hb.
      const __m256i l0 = load(b + 64 * h), l1 = load(b + 64 * h + 32);
      const __m256i hb = load(b + 128 + 32 * h);
      const __m256i high[4] = {
          _mm256_slli_epi16(_mm256_and_si256(hb, _mm256_set1_epi8(0x03)), 4),
          _mm256_slli_epi16(_mm256_and_si256(hb, _mm256_set1_epi8(0x0c)), 2),
          _mm256_and_si256(hb, _mm256_set1_epi8(0x30)),
          _mm256_srli_epi16(_mm256_and_si256(hb, _mm256_set1_epi8(static_cast<char>(0xc0))), 2)};
      const __m256i low[4] = {_mm256_and_si256(l0, low4), _mm256_and_si256(l1, low4),
                              _mm256_and_si256(_mm256_srli_epi16(l0, 4), low4),
                              _mm256_and_si256(_mm256_srli_epi16(l1, 4), low4)};
      for (int j = 0; j < 4; ++j) {
        k.q[4 * h + j] = _mm256_or_si256(low[j], high[j]);
        k.sc[4 * h + j] = _mm256_shuffle_epi8(s[h], broadcast_words(2 * j, 2 * j + 1));
      }
    }
  }
}

// Σ_j sc_j · Σ code · q_x over one super-block, as 8 int32 partial sums (the activation codes
// xv in registers).
inline __m256i dot_k(const KBlock& k, const __m256i xv[8]) {
  __m256i sum = _mm256_madd_epi16(_mm256_maddubs_epi16(k.q[0], xv[0]), k.sc[0]);
  for (int j = 1; j < 8; ++j) {
    sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(k.q[j], xv[j]), k.sc[j]));
  }
  return sum;
}

inline void load_x(const std::int8_t* xq, __m256i xv[8]) {
  for (int j = 0; j < 8; ++j) xv[j] = load(xq + 32 * j);
}

// The float scales of four rows' super-blocks: [d0 d1 d2 d3 | dmin0 … dmin3] (Q4_K, Q5_K) or
// [d0 … d3 | 0 …] (Q6_K).
template <WeightType type>
inline __m256 k_scales(const std::uint8_t* const b[4]) {
  if constexpr (k_has_min<type>) {
    const __m256 dm = _mm256_cvtph_ps(
        _mm_setr_epi32(static_cast<int>(block_u32(b[0])), static_cast<int>(block_u32(b[1])),
                       static_cast<int>(block_u32(b[2])), static_cast<int>(block_u32(b[3]))));
    return _mm256_permutevar8x32_ps(dm, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
  } else {
    return _mm256_cvtph_ps(_mm_setr_epi16(static_cast<short>(block_u16(b[0] + 208)),
                                          static_cast<short>(block_u16(b[1] + 208)),
                                          static_cast<short>(block_u16(b[2] + 208)),
                                          static_cast<short>(block_u16(b[3] + 208)), 0, 0, 0, 0));
  }
}

// What one token of a super-block contributes to four rows' accumulators (lane r row r), from
// their dot sums: the scalar reference's acc = fma(d·d_x, total, acc), then for Q4_K acc =
// fma(dmin·d_x, −min, acc), each lane on its own.
template <WeightType type>
inline __m128 k_step(const __m256i dot[4], const __m256i corr[4], const QuantizedActivations& x,
                     std::size_t t, std::size_t ci, __m256 scales, __m128 acc) {
  const __m256 dx = _mm256_mul_ps(scales, _mm256_set1_ps(x.row_d(t)[ci]));
  const __m256i bsum = load(x.row_sum16(t) + 16 * ci);
  if constexpr (k_has_min<type>) {
    // Σ q_x over each 32 values in the high lane, against the mins (the scales meet zeros).
    const __m128i b32 =
        _mm_hadd_epi16(_mm256_castsi256_si128(bsum), _mm256_extracti128_si256(bsum, 1));
    const __m256i xs = _mm256_inserti128_si256(_mm256_setzero_si256(), b32, 1);
    __m256i s[8];
    for (int r = 0; r < 4; ++r) {
      s[r] = dot[r];
      s[4 + r] = _mm256_madd_epi16(corr[r], xs);
    }
    const __m256i all = sum_each(s);
    // [total0 … total3 | −min0 … −min3]
    const __m256 v =
        _mm256_cvtepi32_ps(_mm256_sign_epi32(all, _mm256_setr_epi32(1, 1, 1, 1, -1, -1, -1, -1)));
    acc = _mm_fmadd_ps(_mm256_castps256_ps128(dx), _mm256_castps256_ps128(v), acc);
    return _mm_fmadd_ps(_mm256_extractf128_ps(dx, 1), _mm256_extractf128_ps(v, 1), acc);
  } else {
    // The offset 32: Σ_g sc_g · 32 · Σ_g q_x comes off before the reduction (exact).
    __m256i d[4];
    for (int r = 0; r < 4; ++r) {
      d[r] = _mm256_sub_epi32(dot[r], _mm256_slli_epi32(_mm256_madd_epi16(corr[r], bsum), 5));
    }
    const __m256i h =
        _mm256_hadd_epi32(_mm256_hadd_epi32(d[0], d[1]), _mm256_hadd_epi32(d[2], d[3]));
    const __m128i total = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    return _mm_fmadd_ps(_mm256_castps256_ps128(dx), _mm_cvtepi32_ps(total), acc);
  }
}

// How a kernel walks its rows, R at a time: for few tokens from R long runs (nn/row_runs.hpp), so
// that the weights stream; for many tokens R neighbours, so that each token's R outputs share a
// cache line of Y (runs scattered them over R lines, about a tenth of the batched time).
constexpr std::size_t few_tokens = 6;

template <int R, typename Tile>
inline void for_each_tile(std::size_t tokens, std::size_t n_begin, std::size_t n_end, Tile&& tile) {
  if (tokens < few_tokens) return for_each_run_tile<R>(n_begin, n_end, tile);
  std::size_t n = n_begin;
  for (; n + R <= n_end; n += R) {
    std::size_t rows[R];
    for (int j = 0; j < R; ++j) rows[j] = n + j;
    tile.template operator()<R>(static_cast<const std::size_t*>(rows));
  }
  for (; n < n_end; ++n) tile.template operator()<1>(static_cast<const std::size_t*>(&n));
}

// Super-blocks unpacked at a time for several tokens: 8 of 4 rows are 17 KiB, which stay in L1
// while every token passes.
constexpr std::size_t k_block_chunks = 8;

// Rows n[0 … 3] (repeated where fewer are real: only `real` outputs are written).
template <WeightType type>
void k_tile(const WeightMatrix& w, const std::size_t* n, int real, const QuantizedActivations& x,
            float* y, std::size_t y_stride, std::vector<float>& state) {
  constexpr std::size_t bytes = k_bytes<type>;
  const std::size_t chunks = w.cols / chunk_values;
  const std::size_t tokens = x.tokens;
  const std::uint8_t* rows[4];
  for (int r = 0; r < 4; ++r) rows[r] = reinterpret_cast<const std::uint8_t*>(w.row(n[r]));
  auto write = [&](std::size_t t, __m128 acc) {
    alignas(16) float out[4];
    _mm_store_ps(out, acc);
    for (int r = 0; r < real; ++r) y[t * y_stride + n[r]] = out[r];
  };
  if (tokens == 1) {
    __m128 acc = _mm_setzero_ps();
    for (std::size_t ci = 0; ci < chunks; ++ci) {
      const std::uint8_t* b[4];
      for (int r = 0; r < 4; ++r) b[r] = rows[r] + ci * bytes;
      __m256i xv[8];
      load_x(x.row_q(0) + ci * chunk_values, xv);
      __m256i dot[4], corr[4];
      for (int r = 0; r < 4; ++r) {
        KBlock k;
        unpack_k<type>(b[r], k);
        dot[r] = dot_k(k, xv);
        corr[r] = k.corr;
      }
      acc = k_step<type>(dot, corr, x, 0, ci, k_scales<type>(b), acc);
    }
    return write(0, acc);
  }
  // Several tokens: up to k_block_chunks super-blocks unpacked once for all of them; each
  // token's four accumulators stay in a register through them (in `state` between blocks).
  state.resize(4 * tokens);
  KBlock k[k_block_chunks][4];
  __m256i corr[k_block_chunks][4];
  __m256 scales[k_block_chunks];
  for (std::size_t c0 = 0; c0 < chunks; c0 += k_block_chunks) {
    const std::size_t nc = std::min(k_block_chunks, chunks - c0);
    for (std::size_t c = 0; c < nc; ++c) {
      const std::uint8_t* b[4];
      for (int r = 0; r < 4; ++r) {
        b[r] = rows[r] + (c0 + c) * bytes;
        unpack_k<type>(b[r], k[c][r]);
        corr[c][r] = k[c][r].corr;
      }
      scales[c] = k_scales<type>(b);
    }
    const bool last = c0 + nc == chunks;
    for (std::size_t t = 0; t < tokens; ++t) {
      float* s = state.data() + 4 * t;
      __m128 acc = c0 == 0 ? _mm_setzero_ps() : _mm_loadu_ps(s);
      const std::int8_t* xq = x.row_q(t) + c0 * chunk_values;
      for (std::size_t c = 0; c < nc; ++c) {
        __m256i xv[8], dot[4];
        load_x(xq + c * chunk_values, xv);
#pragma GCC unroll 4
        for (int r = 0; r < 4; ++r) dot[r] = dot_k(k[c][r], xv);
        acc = k_step<type>(dot, corr[c], x, t, c0 + c, scales[c], acc);
      }
      if (last) {
        write(t, acc);
      } else {
        _mm_storeu_ps(s, acc);
      }
    }
  }
}

template <WeightType type>
void rows_k_direct(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                   const QuantizedActivations& x, float* y, std::size_t y_stride) {
  std::vector<float> state;
  for_each_tile<4>(x.tokens, n_begin, n_end, [&]<int R>(const std::size_t* n) {
    if constexpr (R == 4) {
      k_tile<type>(w, n, 4, x, y, y_stride, state);
    } else {
      const std::size_t same[4] = {n[0], n[0], n[0], n[0]};
      k_tile<type>(w, same, 1, x, y, y_stride, state);
    }
  });
}

// --- Q8_0 straight from the blocks --------------------------------------------------------------

// One chunk of R rows for one token: lane j of lanes[r] takes block j's float step. The codes'
// magnitudes come from `mag` (unpacked once per K-block; null: taken here from the codes), their
// signs from the blocks; `blocks` is 8 but in a row's last chunk, whose missing blocks count as
// zeros (scale 0).
template <int R, bool full>
inline void q8_0_chunk(const std::uint8_t* const b[R], const __m256i* const mag[R],
                       const __m256 dw[R], const std::int8_t* xq, __m256 dx, std::size_t blocks,
                       __m256 lanes[R]) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i xv[8];
  for (std::size_t j = 0; j < 8; ++j) {
    xv[j] = full || j < blocks ? load(xq + 32 * j) : _mm256_setzero_si256();
  }
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    __m256i sums[8];
    for (std::size_t j = 0; j < 8; ++j) {
      if (full || j < blocks) {
        const __m256i q = load(b[r] + j * q8_0_block_bytes);
        const __m256i m = mag[r] ? mag[r][j] : _mm256_sign_epi8(q, q);
        sums[j] = _mm256_madd_epi16(_mm256_maddubs_epi16(m, _mm256_sign_epi8(xv[j], q)), ones);
      } else {
        sums[j] = _mm256_setzero_si256();
      }
    }
    lanes[r] =
        _mm256_fmadd_ps(_mm256_mul_ps(dw[r], dx), _mm256_cvtepi32_ps(sum_each(sums)), lanes[r]);
  }
}

// Rows n[0 … R−1], 8 lanes per (row, token) as rows_block32 keeps them: up to k_block_chunks
// chunks of 8 blocks at a time, their |codes| unpacked once into `mag` and all of it in L1
// while every token passes, each token's lanes in registers through them (in `state` between
// such blocks).
template <int R>
void q8_0_tile(const WeightMatrix& w, const std::size_t* n, const QuantizedActivations& x, float* y,
               std::size_t y_stride, std::vector<float>& state) {
  const std::size_t row_blocks = w.cols / 32;
  const std::size_t chunks = (row_blocks + 7) / 8;
  const std::size_t tokens = x.tokens;
  const std::uint8_t* rows[R];
  for (int r = 0; r < R; ++r) rows[r] = reinterpret_cast<const std::uint8_t*>(w.row(n[r]));
  // The 8 block scales of chunk ci of each row (0 past the row's end), gathered in a register:
  // stores of 16 bits read back by one vector load would stall store forwarding.
  auto row_scales = [&](std::size_t ci, __m256 dw[R]) {
    const std::size_t blocks = std::min<std::size_t>(8, row_blocks - 8 * ci);
    for (int r = 0; r < R; ++r) {
      const std::uint8_t* b = rows[r] + 8 * ci * q8_0_block_bytes;
      auto h = [&](std::size_t j) {
        return static_cast<short>(j < blocks ? block_u16(b + j * q8_0_block_bytes) : 0);
      };
      dw[r] = _mm256_cvtph_ps(_mm_setr_epi16(h(0), h(1), h(2), h(3), h(4), h(5), h(6), h(7)));
    }
  };
  // Chunk ci of token t into its lanes.
  auto chunk = [&](std::size_t t, std::size_t ci, const __m256 dw[R], const __m256i* const m[R],
                   __m256 lanes[R]) {
    const std::size_t first = 8 * ci, blocks = std::min<std::size_t>(8, row_blocks - first);
    const std::int8_t* xq = x.row_q(t) + first * 32;
    const std::uint8_t* b[R];
    for (int r = 0; r < R; ++r) b[r] = rows[r] + first * q8_0_block_bytes + 2;
    if (blocks == 8) {
      q8_0_chunk<R, true>(b, m, dw, xq, _mm256_loadu_ps(x.row_d(t) + first), 8, lanes);
    } else {
      alignas(32) float pad[8] = {};
      std::copy_n(x.row_d(t) + first, blocks, pad);
      q8_0_chunk<R, false>(b, m, dw, xq, _mm256_load_ps(pad), blocks, lanes);
    }
  };
  if (tokens == 1) {
    __m256 lanes[R];
    for (int r = 0; r < R; ++r) lanes[r] = _mm256_setzero_ps();
    const __m256i* const none[R] = {};
    for (std::size_t ci = 0; ci < chunks; ++ci) {
      __m256 dw[R];
      row_scales(ci, dw);
      chunk(0, ci, dw, none, lanes);
    }
    for (int r = 0; r < R; ++r) y[n[r]] = reduce_tree_8(lanes[r]);
    return;
  }
  state.resize(R * tokens * 8);
  __m256 dw[k_block_chunks][R];
  __m256i mag[k_block_chunks][R][8];
  for (std::size_t c0 = 0; c0 < chunks; c0 += k_block_chunks) {
    const std::size_t nc = std::min(k_block_chunks, chunks - c0);
    for (std::size_t c = 0; c < nc; ++c) {
      const std::size_t first = (c0 + c) * 8, blocks = std::min<std::size_t>(8, row_blocks - first);
      row_scales(c0 + c, dw[c]);
      for (int r = 0; r < R; ++r) {
        const std::uint8_t* b = rows[r] + first * q8_0_block_bytes + 2;
        for (std::size_t j = 0; j < blocks; ++j) {
          const __m256i q = load(b + j * q8_0_block_bytes);
          mag[c][r][j] = _mm256_sign_epi8(q, q);  // −128 stays 0x80: 128 as unsigned
        }
      }
    }
    const bool last = c0 + nc == chunks;
    for (std::size_t t = 0; t < tokens; ++t) {
      float* s = state.data() + t * R * 8;
      __m256 lanes[R];
      for (int r = 0; r < R; ++r) {
        lanes[r] = c0 == 0 ? _mm256_setzero_ps() : _mm256_loadu_ps(s + 8 * r);
      }
      for (std::size_t c = 0; c < nc; ++c) {
        const __m256i* m[R];
        for (int r = 0; r < R; ++r) m[r] = mag[c][r];
        chunk(t, c0 + c, dw[c], m, lanes);
      }
      for (int r = 0; r < R; ++r) {
        if (last) {
          y[t * y_stride + n[r]] = reduce_tree_8(lanes[r]);
        } else {
          _mm256_storeu_ps(s + 8 * r, lanes[r]);
        }
      }
    }
  }
}

void rows_q8_0(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
               const QuantizedActivations& x, float* y, std::size_t y_stride) {
  std::vector<float> state;
  for_each_tile<4>(x.tokens, n_begin, n_end,
                   [&]<int R>(const std::size_t* n) { q8_0_tile<R>(w, n, x, y, y_stride, state); });
}

}  // namespace

float block_amax_avx2(const float* x, std::size_t n) {
  // max(|v|, m) keeps m where |v| is a NaN, as std::max(amax, |v|) does; the maximum of the
  // other values does not depend on the order.
  const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  __m256 m = _mm256_setzero_ps();
  for (std::size_t i = 0; i < n; i += 8) {
    m = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + i), magnitude), m);
  }
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  return _mm_cvtss_f32(_mm_max_ss(h, _mm_movehdup_ps(h)));
}

void block_codes_avx2(const float* x, std::size_t n, float scale, std::int8_t* q) {
  const __m256 s = _mm256_set1_ps(scale);
  const __m256 high = _mm256_set1_ps(127.0f), low = _mm256_set1_ps(-127.0f);
  for (std::size_t i = 0; i < n; i += 32) {
    __m256i c[4];
    for (int k = 0; k < 4; ++k) {
      const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i + 8 * k), s);
      // std::nearbyint: the current rounding mode, no exception.
      const __m256 r = _mm256_round_ps(v, _MM_FROUND_CUR_DIRECTION | _MM_FROUND_NO_EXC);
      const __m256 clamped = _mm256_min_ps(_mm256_max_ps(r, low), high);
      c[k] = _mm256_cvtps_epi32(_mm256_and_ps(clamped, _mm256_cmp_ps(v, v, _CMP_ORD_Q)));
    }
    // packs interleave the 128-bit lanes: dwords c0[0–3] c1[0–3] c2 c3 | c0[4–7] c1 c2 c3.
    const __m256i p =
        _mm256_packs_epi16(_mm256_packs_epi32(c[0], c[1]), _mm256_packs_epi32(c[2], c[3]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + i),
                        _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
  }
}

void quant_rows_avx2(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                     const QuantizedActivations& x, float* y, std::size_t y_stride) {
  switch (w.type) {
    case WeightType::q8_0: return rows_q8_0(w, n_begin, n_end, x, y, y_stride);
    case WeightType::q4_k:
      return rows_k_direct<WeightType::q4_k>(w, n_begin, n_end, x, y, y_stride);
    case WeightType::q5_k:
      return rows_k_direct<WeightType::q5_k>(w, n_begin, n_end, x, y, y_stride);
    case WeightType::q6_k:
      return rows_k_direct<WeightType::q6_k>(w, n_begin, n_end, x, y, y_stride);
    default: break;
  }
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

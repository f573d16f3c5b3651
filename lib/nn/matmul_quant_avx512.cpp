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

#include "nn/simd.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cmath>

LMC_NN_TARGET_AVX512_VNNI_BEGIN

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

// The tiles walk four rows side by side, a chunk of each at a time, which the hardware
// prefetchers follow poorly: fetch the same chunk of the row one tile ahead.
inline void prefetch_ahead(const WeightMatrix& w, std::size_t n, std::size_t chunk,
                           std::size_t n_end) {
  if (n + tile_rows >= n_end) return;
  const std::size_t bytes =
      weight_block_bytes(w.type) * (chunk_values / weight_block_values(w.type));
  const char* p = reinterpret_cast<const char*>(w.row(n + tile_rows)) + chunk * bytes;
  for (std::size_t at = 0; at < bytes; at += 64) _mm_prefetch(p + at, _MM_HINT_T0);
}

// Two blocks of 32 codes, 32 bytes each at p and q, as one vector.
inline __m512i two_blocks(const void* p, const void* q) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(load256(p)), load256(q), 1);
}

// The codes and scales of one chunk of one row, for the kernels of blocks of 32: q8_0 is read
// straight from the mapped blocks, the other types from a decoded Chunk.
// Rearranges 8 blocks of 32 bytes (v[j]: blocks 2j, 2j + 1) so that lane L of every vector s
// holds bytes 4q … 4q + 3 of block L mod 8, q = 2s + L / 8: vpdpbusd of four such vectors into
// one accumulator leaves block b's sum in lanes b and b + 8, and one add finishes it. Costs 12
// shuffles, so it pays where a chunk meets many tokens (block_sums costs 8 per product).
inline void interleave_blocks(__m512i v[4]) {
  __m512i out[4];
  for (int s = 0; s < 4; ++s) {
    alignas(64) std::int32_t idx[16];
    for (int lane = 0; lane < 16; ++lane) idx[lane] = (lane % 4) * 8 + 2 * s + lane / 8;
    const __m512i i = _mm512_load_si512(idx);
    out[s] = _mm512_mask_blend_epi32(0xf0f0, _mm512_permutex2var_epi32(v[0], i, v[1]),
                                     _mm512_permutex2var_epi32(v[2], i, v[3]));
  }
  for (int s = 0; s < 4; ++s) v[s] = out[s];
}

// The 8 block sums of an accumulator of interleaved products (exact).
inline __m256i fold_blocks(__m512i acc) {
  return _mm256_add_epi32(_mm512_castsi512_si256(acc), _mm512_extracti64x4_epi64(acc, 1));
}

// One token's chunk of interleaved activation codes.
struct alignas(64) XChunk {
  std::int8_t q[chunk_values];
};

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
  // One token: a row at a time, so that each row's blocks stream in order.
  const std::size_t tile = tokens == 1 ? 1 : tile_rows;
  // Many tokens: weights and activations interleaved (interleave_blocks), the activations
  // once per call into `xi` (zeros past a row's last block).
  const bool many = tokens >= 4;
  thread_local std::vector<XChunk> xi;
  if (many) {
    xi.resize(tokens * chunks);
    for (std::size_t t = 0; t < tokens; ++t) {
      for (std::size_t ci = 0; ci < chunks; ++ci) {
        const std::size_t blocks = std::min<std::size_t>(8, row_blocks - ci * 8);
        alignas(64) std::int8_t pad[chunk_values] = {};
        std::copy_n(x.row_q(t) + ci * chunk_values, 32 * blocks, pad);
        __m512i v[4];
        for (std::size_t j = 0; j < 4; ++j) v[j] = _mm512_load_si512(pad + 64 * j);
        interleave_blocks(v);
        for (std::size_t j = 0; j < 4; ++j) {
          if (is_signed) v[j] = _mm512_xor_si512(v[j], bias128);
          _mm512_store_si512(xi[t * chunks + ci].q + 64 * j, v[j]);
        }
      }
    }
  }
  for (std::size_t n0 = n_begin; n0 < n_end; n0 += tile) {
    const std::size_t rows = std::min(tile, n_end - n0);
    std::fill(state.begin(), state.end(), 0.0f);
    for (std::size_t ci = 0; ci < chunks; ++ci) {
      const std::size_t blocks = std::min<std::size_t>(8, row_blocks - ci * 8);
      for (std::size_t r = 0; r < rows; ++r) {
        Block32Row& b = rw[r];
        if (q8) {
          // 34-byte blocks: the codes follow the fp16 scale.
          const auto* base =
              reinterpret_cast<const std::uint8_t*>(w.row(n0 + r)) + ci * 8 * q8_0_block_bytes;
          b.m = _mm256_setzero_ps();
          if (blocks == 8) {
            for (std::size_t j = 0; j < 4; ++j) {
              b.w[j] = two_blocks(base + 68 * j + 2, base + 68 * j + 36);
            }
            b.d = _mm256_cvtph_ps(_mm_setr_epi16(
                static_cast<short>(block_u16(base)), static_cast<short>(block_u16(base + 34)),
                static_cast<short>(block_u16(base + 68)), static_cast<short>(block_u16(base + 102)),
                static_cast<short>(block_u16(base + 136)),
                static_cast<short>(block_u16(base + 170)),
                static_cast<short>(block_u16(base + 204)),
                static_cast<short>(block_u16(base + 238))));
          } else {
            // A row's last, partial chunk: missing blocks are zero codes with a zero scale.
            alignas(16) std::uint16_t h[8] = {};
            alignas(32) std::uint8_t zeros[32] = {};
            for (std::size_t j = 0; j < blocks; ++j) std::memcpy(h + j, base + j * 34, 2);
            for (std::size_t j = 0; j < 4; ++j) {
              const std::uint8_t* p0 = 2 * j < blocks ? base + 2 * j * 34 + 2 : zeros;
              const std::uint8_t* p1 = 2 * j + 1 < blocks ? base + (2 * j + 1) * 34 + 2 : zeros;
              b.w[j] = two_blocks(p0, p1);
            }
            b.d = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(h)));
          }
        } else {
          decode_chunk(w, w.row(n0 + r), ci, c);
          for (std::size_t j = 0; j < 4; ++j) b.w[j] = load512(c.q + 64 * j);
          b.d = _mm256_load_ps(c.d);
          b.m = _mm256_load_ps(c.m);
        }
        if (many) {
          interleave_blocks(b.w);
          if (is_signed) {
            __m512i acc = _mm512_setzero_si512();
            for (std::size_t j = 0; j < 4; ++j) acc = _mm512_dpbusd_epi32(acc, bias128, b.w[j]);
            b.w_sum128 = fold_blocks(acc);
          }
        } else if (is_signed) {
          __m512i s[4];
          for (std::size_t j = 0; j < 4; ++j) {
            s[j] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), bias128, b.w[j]);
          }
          b.w_sum128 = block_sums(s[0], s[1], s[2], s[3]);
        }
      }
      for (std::size_t t = 0; t < tokens; ++t) {
        const std::int8_t* xq = x.row_q(t) + ci * chunk_values;
        __m256 dx, xs;
        __m256i xsum;
        alignas(64) std::int8_t xq_pad[chunk_values];
        if (blocks == 8) {
          dx = _mm256_loadu_ps(x.row_d(t) + ci * 8);
          xsum = load256(x.row_sum32(t) + ci * 8);
          xs = has_min ? _mm256_loadu_ps(x.row_s32(t) + ci * 8) : _mm256_setzero_ps();
        } else {
          // Missing blocks: zero activations with zero scales and sums.
          alignas(32) float dx_pad[8] = {}, s_pad[8] = {};
          alignas(32) std::int32_t xsum_pad[8] = {};
          std::copy_n(x.row_d(t) + ci * 8, blocks, dx_pad);
          std::copy_n(x.row_sum32(t) + ci * 8, blocks, xsum_pad);
          if (has_min) std::copy_n(x.row_s32(t) + ci * 8, blocks, s_pad);
          std::fill(std::copy_n(xq, 32 * blocks, xq_pad), xq_pad + chunk_values, std::int8_t{0});
          xq = xq_pad;
          dx = _mm256_load_ps(dx_pad);
          xs = _mm256_load_ps(s_pad);
          xsum = _mm256_load_si256(reinterpret_cast<const __m256i*>(xsum_pad));
        }
        __m512i xv[4];
        if (many) {
          // Interleaved once per call (and already + 128 for signed codes).
          for (std::size_t j = 0; j < 4; ++j) {
            xv[j] = _mm512_load_si512(xi[t * chunks + ci].q + 64 * j);
          }
        } else {
          for (std::size_t j = 0; j < 4; ++j) {
            xv[j] = load512(xq + 64 * j);
            if (is_signed) xv[j] = _mm512_xor_si512(xv[j], bias128);  // q + 128 as unsigned
          }
        }
        for (std::size_t r = 0; r < rows; ++r) {
          const Block32Row& b = rw[r];
          __m256i total;
          if (many) {
            __m512i acc = _mm512_setzero_si512();
            for (std::size_t j = 0; j < 4; ++j) {
              acc = is_signed ? _mm512_dpbusd_epi32(acc, xv[j], b.w[j])
                              : _mm512_dpbusd_epi32(acc, b.w[j], xv[j]);
            }
            total = fold_blocks(acc);
          } else {
            __m512i s[4];
            for (std::size_t j = 0; j < 4; ++j) {
              s[j] = is_signed ? _mm512_dpbusd_epi32(_mm512_setzero_si512(), xv[j], b.w[j])
                               : _mm512_dpbusd_epi32(_mm512_setzero_si512(), b.w[j], xv[j]);
            }
            total = block_sums(s[0], s[1], s[2], s[3]);
          }
          total = is_signed ? _mm256_sub_epi32(total, b.w_sum128)
                            : _mm256_sub_epi32(total, _mm256_mullo_epi32(offsets, xsum));
          float* lanes = state.data() + (r * tokens + t) * 8;
          __m256 lane = _mm256_loadu_ps(lanes);
          lane = _mm256_fmadd_ps(_mm256_mul_ps(b.d, dx), _mm256_cvtepi32_ps(total), lane);
          if (has_min) {
            lane = _mm256_fmadd_ps(b.m, xs, lane);
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

// The sums of four vectors of int32, in order (exact).
inline __m128i sums_4(__m512i a, __m512i b, __m512i c, __m512i d) {
  const __m512i ab = _mm512_add_epi32(_mm512_unpacklo_epi32(a, b), _mm512_unpackhi_epi32(a, b));
  const __m512i cd = _mm512_add_epi32(_mm512_unpacklo_epi32(c, d), _mm512_unpackhi_epi32(c, d));
  const __m512i abcd =
      _mm512_add_epi32(_mm512_unpacklo_epi64(ab, cd), _mm512_unpackhi_epi64(ab, cd));
  const __m256i s =
      _mm256_add_epi32(_mm512_castsi512_si256(abcd), _mm512_extracti64x4_epi64(abcd, 1));
  return _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
}

inline __m128i sums_4(__m256i a, __m256i b, __m256i c, __m256i d) {
  const __m256i ab = _mm256_add_epi32(_mm256_unpacklo_epi32(a, b), _mm256_unpackhi_epi32(a, b));
  const __m256i cd = _mm256_add_epi32(_mm256_unpacklo_epi32(c, d), _mm256_unpackhi_epi32(c, d));
  const __m256i abcd =
      _mm256_add_epi32(_mm256_unpacklo_epi64(ab, cd), _mm256_unpackhi_epi64(ab, cd));
  return _mm_add_epi32(_mm256_castsi256_si128(abcd), _mm256_extracti128_si256(abcd, 1));
}

// K-quants with unsigned codes: one accumulator per (row, token), one super-block per chunk.
// The four rows of a tile are reduced together and their float steps taken side by side, each
// lane the scalar reference's operations for its row.
template <bool has_min>
void rows_k(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
            const QuantizedActivations& x, float* y, std::size_t y_stride, int offset) {
  static_assert(tile_rows == 4);
  const std::size_t chunks = w.cols / chunk_values;
  const std::size_t tokens = x.tokens;
  std::vector<float> state(tokens * 4);  // [token][row of the tile]
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
  const __m128i offsets = _mm_set1_epi32(offset);
  // Lanes of rows a tile lacks compute on zeros (or a previous tile's scales) and are dropped.
  for (std::size_t r = 0; r < tile_rows; ++r) sc16[r] = mn16[r] = _mm256_setzero_si256();
  // Unlike q8_0's, four rows side by side decode faster than one at a time (measured), even
  // for one token: the scale unpacking of one row is a chain of dependent steps.
  for (std::size_t n0 = n_begin; n0 < n_end; n0 += tile_rows) {
    const std::size_t rows = std::min(tile_rows, n_end - n0);
    std::fill(state.begin(), state.end(), 0.0f);
    for (std::size_t ci = 0; ci < chunks; ++ci) {
      for (std::size_t r = 0; r < rows; ++r) {
        prefetch_ahead(w, n0 + r, ci, n_end);
        decode_chunk_avx2(w, w.row(n0 + r), ci, c[r]);
        sc16[r] = load256(c[r].sc);
        mn16[r] = load256(c[r].mn);
        const __m512i sc = _mm512_castsi256_si512(sc16[r]);
        for (int j = 0; j < 4; ++j) scales[r][j] = _mm512_permutexvar_epi16(group_of[j], sc);
      }
      const __m128 dk = _mm_setr_ps(c[0].dk, c[1].dk, c[2].dk, c[3].dk);
      const __m128 dmink = _mm_setr_ps(c[0].dmink, c[1].dmink, c[2].dmink, c[3].dmink);
      for (std::size_t t = 0; t < tokens; ++t) {
        const std::int8_t* xq = x.row_q(t) + ci * chunk_values;
        const __m128 dx = _mm_set1_ps(x.row_d(t)[ci]);
        const __m256i bsum = load256(x.row_sum16(t) + ci * 16);
        __m512i xv[4];
        for (int j = 0; j < 4; ++j) xv[j] = load512(xq + 64 * j);
        __m512i dot[tile_rows];
        for (std::size_t r = 0; r < tile_rows; ++r) {
          dot[r] = _mm512_setzero_si512();
          if (r >= rows) continue;
          for (int j = 0; j < 4; ++j) {
            const __m512i p = _mm512_maddubs_epi16(load512(c[r].q + 64 * j), xv[j]);
            dot[r] = _mm512_dpwssd_epi32(dot[r], p, scales[r][j]);
          }
        }
        __m128i total = sums_4(dot[0], dot[1], dot[2], dot[3]);
        if (offset != 0) {
          const __m128i o =
              sums_4(_mm256_madd_epi16(sc16[0], bsum), _mm256_madd_epi16(sc16[1], bsum),
                     _mm256_madd_epi16(sc16[2], bsum), _mm256_madd_epi16(sc16[3], bsum));
          total = _mm_sub_epi32(total, _mm_mullo_epi32(offsets, o));
        }
        float* acc_at = state.data() + 4 * t;
        __m128 acc = _mm_loadu_ps(acc_at);
        acc = _mm_fmadd_ps(_mm_mul_ps(dk, dx), _mm_cvtepi32_ps(total), acc);
        if (has_min) {
          const __m128i min =
              sums_4(_mm256_madd_epi16(mn16[0], bsum), _mm256_madd_epi16(mn16[1], bsum),
                     _mm256_madd_epi16(mn16[2], bsum), _mm256_madd_epi16(mn16[3], bsum));
          acc = _mm_fmadd_ps(_mm_mul_ps(dmink, dx),
                             _mm_cvtepi32_ps(_mm_sub_epi32(_mm_setzero_si128(), min)), acc);
        }
        _mm_storeu_ps(acc_at, acc);
      }
    }
    for (std::size_t t = 0; t < tokens; ++t) {
      for (std::size_t r = 0; r < rows; ++r) y[t * y_stride + n0 + r] = state[4 * t + r];
    }
  }
}

// Sixteen codes at p as float values code − offset (int8 for the signed types), exactly.
inline __m512 code_values_16(const std::uint8_t* p, const QuantTraits& t) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m512i wide = t.is_signed
                           ? _mm512_cvtepi8_epi32(v)
                           : _mm512_sub_epi32(_mm512_cvtepu8_epi32(v), _mm512_set1_epi32(t.offset));
  return _mm512_cvtepi32_ps(wide);
}

// Values 16g … 16g + 15 of a decoded chunk as chunk_to_float computes them: d · v (+ m) per
// block of 32, dl · v (− ml) per group of 16 with dl = d · scale, ml = dmin · min.
inline __m512 chunk_values_16(const Chunk& c, std::size_t g, const QuantTraits& t) {
  if (t.k_quant) {
    const __m512 v = _mm512_mul_ps(_mm512_set1_ps(c.dk * static_cast<float>(c.sc[g])),
                                   code_values_16(c.q + 16 * g, t));
    return t.has_min ? _mm512_sub_ps(v, _mm512_set1_ps(c.dmink * static_cast<float>(c.mn[g]))) : v;
  }
  const __m512 v = _mm512_mul_ps(code_values_16(c.q + 16 * g, t), _mm512_set1_ps(c.d[g / 2]));
  return t.has_min ? _mm512_add_ps(v, _mm512_set1_ps(c.m[g / 2])) : v;
}

}  // namespace

void dequantize_rows_avx512(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                            float* out) {
  const QuantTraits t = quant_traits(w.type);
  Chunk c;
  for (std::size_t n = n_begin; n < n_end; ++n) {
    const std::byte* row = w.row(n);
    float* o = out + (n - n_begin) * w.cols;
    for (std::size_t ci = 0; ci * chunk_values < w.cols; ++ci) {
      decode_chunk_avx2(w, row, ci, c);
      const std::size_t groups = t.k_quant ? 16 : 2 * c.blocks;
      for (std::size_t g = 0; g < groups; ++g) {
        _mm512_storeu_ps(o + ci * chunk_values + 16 * g, chunk_values_16(c, g, t));
      }
    }
  }
}

void float_rows_avx512(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                       const float* x, std::size_t x_stride, std::size_t tokens, float* y,
                       std::size_t y_stride) {
  const QuantTraits t = quant_traits(w.type);
  const std::size_t chunks = (w.cols + chunk_values - 1) / chunk_values;
  constexpr std::size_t max_tokens = 5;
  Chunk c;
  for (std::size_t n = n_begin; n < n_end; ++n) {
    __m512 acc[max_tokens];
    for (std::size_t i = 0; i < tokens; ++i) acc[i] = _mm512_setzero_ps();
    for (std::size_t ci = 0; ci < chunks; ++ci) {
      decode_chunk_avx2(w, w.row(n), ci, c);
      const std::size_t groups = t.k_quant ? 16 : 2 * c.blocks;
      for (std::size_t g = 0; g < groups; ++g) {
        const __m512 wv = chunk_values_16(c, g, t);
        const std::size_t k = ci * chunk_values + 16 * g;
        for (std::size_t i = 0; i < tokens; ++i) {
          acc[i] = _mm512_fmadd_ps(_mm512_loadu_ps(x + i * x_stride + k), wv, acc[i]);
        }
      }
    }
    for (std::size_t i = 0; i < tokens; ++i) {
      // The 16-lane tree of matmul.hpp: (j, j+8), then the 8-lane tree.
      y[i * y_stride + n] = reduce_tree_8(
          _mm256_add_ps(_mm512_castps512_ps256(acc[i]), _mm512_extractf32x8_ps(acc[i], 1)));
    }
  }
}

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

LMC_NN_TARGET_END

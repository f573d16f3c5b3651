// The float recipe (matmul.hpp) on quantized weights with AVX2 for 1 to 5 tokens (decoding):
// each group of 8 decoded values, computed as chunk_to_float computes them, goes straight into
// the fused multiply-adds of its 8 lanes (lanes 0–7 or 8–15 of the 16-lane order), so the
// result is the tiles' bit for bit.
//
// Every weight is read once for all the tokens. One tile holds all the tokens and, for one or
// two tokens, several rows, which are not neighbours: the task's rows are cut into as many runs
// and a tile takes the i-th row of every run, so that the blocks stream through a few long
// sequential runs, which the hardware prefetchers follow (nn/row_runs.hpp).
//
// Per 8 values the work is one widening load of the codes, a conversion, the scale's multiply
// (and the min's add), and the FMA: the type is a template parameter, so a code offset (q4_0,
// q5_0, q3_k, q6_k) is subtracted from the codes of a whole chunk as bytes, 32 at a time,
// rather than from every 8 values, and the min steps exist only where the type has a min.
// Q8_0, Q4_K and Q6_K (the types of the common files) skip the Chunk: their tiles read the
// blocks themselves (q8_0_tile, q4_k_tile, q6_k_tile).
#include "nn/matmul_quant.hpp"

#include "nn/simd.hpp"

#include <immintrin.h>

#include <cstdint>

LMC_NN_TARGET_AVX2_BEGIN

#include "nn/quant_blocks.hpp"
#include "nn/row_runs.hpp"

LMC_BEGIN_NAMESPACE
namespace nn::detail {
namespace {

// The 16-lane tree of matmul.hpp: (j, j+8), then the 8-lane tree.
inline float reduce_16(__m256 lo, __m256 hi) { return reduce_tree_8(_mm256_add_ps(lo, hi)); }

// Eight codes at p as floats: int8 codes, or unsigned codes without an offset.
template <bool is_signed>
inline __m256 codes_8(const std::uint8_t* p) {
  const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  return _mm256_cvtepi32_ps(is_signed ? _mm256_cvtepi8_epi32(bytes) : _mm256_cvtepu8_epi32(bytes));
}

// A chunk's codes as the values code − offset, int8 (|value| ≤ 32 for every type with an
// offset), 32 bytes at a time.
template <int offset>
inline void subtract_offset(Chunk& c) {
  const __m256i o = _mm256_set1_epi8(static_cast<char>(offset));
  for (std::size_t i = 0; i < chunk_values; i += 32) {
    auto* p = reinterpret_cast<__m256i*>(c.q + i);
    _mm256_store_si256(p, _mm256_sub_epi8(_mm256_load_si256(p), o));
  }
}

// dl[g] = dk · scale_g and ml[g] = dmink · min_g of a K-quant chunk (one float multiply each,
// as chunk_to_float forms them).
template <bool has_min>
inline void group_scales(const Chunk& c, float* dl, float* ml) {
  const __m256 dk = _mm256_set1_ps(c.dk), dmink = _mm256_set1_ps(c.dmink);
  for (int h = 0; h < 2; ++h) {
    const __m256 sc = _mm256_cvtepi32_ps(
        _mm256_cvtepi16_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(c.sc + 8 * h))));
    _mm256_store_ps(dl + 8 * h, _mm256_mul_ps(dk, sc));
    if (has_min) {
      const __m256 mn = _mm256_cvtepi32_ps(
          _mm256_cvtepi16_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(c.mn + 8 * h))));
      _mm256_store_ps(ml + 8 * h, _mm256_mul_ps(dmink, mn));
    }
  }
}

// Y[0..T)[n[r]] (r < R) of W of type `type`, T tokens and the R rows n[] side by side: each
// row's chunks are decoded to codes (decode_chunk_avx2) and their values go straight into the
// FMAs: v · d (+ m) per block of 32, dl · v (− ml) per group of 16 for the K-quants.
template <WeightType type, int T, int R>
void float_tile(const WeightMatrix& w, const std::size_t* n, const float* x, std::size_t x_stride,
                float* y, std::size_t y_stride) {
  constexpr QuantTraits traits = quant_traits(type);
  constexpr bool k_quant = traits.k_quant, has_min = traits.has_min;
  constexpr bool is_signed = traits.is_signed || traits.offset != 0;
  const std::size_t chunks = (w.cols + chunk_values - 1) / chunk_values;
  __m256 acc[R][T][2];
  for (int r = 0; r < R; ++r) {
    for (int i = 0; i < T; ++i) acc[r][i][0] = acc[r][i][1] = _mm256_setzero_ps();
  }
  Chunk c[R];
  alignas(32) float dl[R][16], ml[R][16];
  for (std::size_t ci = 0; ci < chunks; ++ci) {
    for (int r = 0; r < R; ++r) {
      decode_chunk_avx2(w, w.row(n[r]), ci, c[r]);
      if constexpr (traits.offset != 0) subtract_offset<traits.offset>(c[r]);
      if constexpr (k_quant) group_scales<has_min>(c[r], dl[r], ml[r]);
    }
    const std::size_t groups = k_quant ? 16 : 2 * c[0].blocks;
    const float* xc = x + ci * chunk_values;
    // The accumulators of this chunk as locals, so that the compiler keeps them in registers
    // through the loop (it stored the array after every group otherwise).
    __m256 a[R][T][2];
    for (int r = 0; r < R; ++r) {
      for (int i = 0; i < T; ++i) a[r][i][0] = acc[r][i][0], a[r][i][1] = acc[r][i][1];
    }
    for (std::size_t g = 0; g < groups; ++g) {
      for (int r = 0; r < R; ++r) {
        __m256 lo = codes_8<is_signed>(c[r].q + 16 * g);
        __m256 hi = codes_8<is_signed>(c[r].q + 16 * g + 8);
        if constexpr (k_quant) {
          const __m256 d = _mm256_broadcast_ss(dl[r] + g);
          lo = _mm256_mul_ps(d, lo);
          hi = _mm256_mul_ps(d, hi);
          if constexpr (has_min) {
            const __m256 m = _mm256_broadcast_ss(ml[r] + g);
            lo = _mm256_sub_ps(lo, m);
            hi = _mm256_sub_ps(hi, m);
          }
        } else {
          const __m256 d = _mm256_broadcast_ss(c[r].d + g / 2);
          lo = _mm256_mul_ps(lo, d);
          hi = _mm256_mul_ps(hi, d);
          if constexpr (has_min) {
            const __m256 m = _mm256_broadcast_ss(c[r].m + g / 2);
            lo = _mm256_add_ps(lo, m);
            hi = _mm256_add_ps(hi, m);
          }
        }
        for (int i = 0; i < T; ++i) {
          const float* xi = xc + i * x_stride + 16 * g;
          a[r][i][0] = _mm256_fmadd_ps(_mm256_loadu_ps(xi), lo, a[r][i][0]);
          a[r][i][1] = _mm256_fmadd_ps(_mm256_loadu_ps(xi + 8), hi, a[r][i][1]);
        }
      }
    }
    for (int r = 0; r < R; ++r) {
      for (int i = 0; i < T; ++i) acc[r][i][0] = a[r][i][0], acc[r][i][1] = a[r][i][1];
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int i = 0; i < T; ++i) y[i * y_stride + n[r]] = reduce_16(acc[r][i][0], acc[r][i][1]);
  }
}

// Q8_0 straight from the blocks: per block one scale, 32 codes in four groups of 8 (lanes
// 0–7, 8–15, 0–7, 8–15), each value d · q as chunk_to_float computes it.
template <int T, int R>
void q8_0_tile(const WeightMatrix& w, const std::size_t* n, const float* x, std::size_t x_stride,
               float* y, std::size_t y_stride) {
  const std::size_t blocks = w.cols / q8_0_block_values;
  __m256 acc[R][T][2];
  for (int r = 0; r < R; ++r) {
    for (int i = 0; i < T; ++i) acc[r][i][0] = acc[r][i][1] = _mm256_setzero_ps();
  }
  const std::byte* rows[R];
  for (int r = 0; r < R; ++r) rows[r] = w.row(n[r]);
  for (std::size_t b = 0; b < blocks; ++b) {
    const float* xb = x + b * q8_0_block_values;
    for (int r = 0; r < R; ++r) {
      const std::byte* block = rows[r] + b * q8_0_block_bytes;
      const __m256 d = _mm256_set1_ps(_cvtsh_ss(load_u16(block)));
      for (int j = 0; j < 4; ++j) {
        const __m128i q = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(block + 2 + 8 * j));
        const __m256 v = _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q)));
        for (int i = 0; i < T; ++i) {
          acc[r][i][j % 2] =
              _mm256_fmadd_ps(_mm256_loadu_ps(xb + i * x_stride + 8 * j), v, acc[r][i][j % 2]);
        }
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int i = 0; i < T; ++i) y[i * y_stride + n[r]] = reduce_16(acc[r][i][0], acc[r][i][1]);
  }
}

// --- Q4_K and Q6_K straight from their super-blocks ----------------------------------------
//
// The tiles above decode a chunk into a Chunk (codes, then integer scales) and read it back 8
// codes at a time; for the two K-quants of the common files that round trip through memory,
// the per-chunk type dispatch and the int16 scales cost about as many instructions as the
// multiply-adds themselves. These tiles form the same values from the blocks: Q4_K's codes
// widened from the block's bytes into registers, Q6_K's assembled as int8 values 32 at a time
// into a small buffer (its 6-bit codes need a dozen byte operations per 32, which only pay off
// at 32 bytes a time), and the scales dk · scale and dmin · min as float vectors, one multiply
// each as chunk_to_float forms them.

// Q4_K super-block (144 bytes): fp16 d and dmin, 12 bytes of 6-bit scales and mins, 128 bytes
// of nibbles. dl[j] = d · scale_j and ml[j] = dmin · min_j, j < 8, each for 32 values.
inline void q4_k_scales(const std::uint8_t* b, float* dl, float* ml) {
  std::uint64_t scales = 0, mins = 0;
  k4_scales_mins(b + 4, scales, mins);
  const __m256 dk = _mm256_set1_ps(_cvtsh_ss(block_u16(b)));
  const __m256 dmink = _mm256_set1_ps(_cvtsh_ss(block_u16(b + 2)));
  const __m256 sc =
      _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128(static_cast<long long>(scales))));
  const __m256 mn =
      _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128(static_cast<long long>(mins))));
  _mm256_store_ps(dl, _mm256_mul_ps(dk, sc));
  _mm256_store_ps(ml, _mm256_mul_ps(dmink, mn));
}

// Q4_K: per 32 bytes q of nibbles, values 64g … 64g + 31 are their low nibbles (scale 2g),
// 64g + 32 … 64g + 63 their high nibbles (scale 2g + 1). Each 8 bytes are widened to int32 once
// and serve both nibbles; the FMAs of every accumulator still come in element order.
template <int T, int R>
void q4_k_tile(const WeightMatrix& w, const std::size_t* n, const float* x, std::size_t x_stride,
               float* y, std::size_t y_stride) {
  constexpr std::size_t block_bytes = 144;
  const std::size_t blocks = w.cols / chunk_values;
  __m256 acc[R][T][2];
  for (int r = 0; r < R; ++r) {
    for (int i = 0; i < T; ++i) acc[r][i][0] = acc[r][i][1] = _mm256_setzero_ps();
  }
  const std::uint8_t* rows[R];
  for (int r = 0; r < R; ++r) rows[r] = reinterpret_cast<const std::uint8_t*>(w.row(n[r]));
  const __m256i low4 = _mm256_set1_epi32(0x0f);
  for (std::size_t b = 0; b < blocks; ++b) {
    alignas(32) float dl[R][8], ml[R][8];
    for (int r = 0; r < R; ++r) q4_k_scales(rows[r] + b * block_bytes, dl[r], ml[r]);
    const float* xb = x + b * chunk_values;
    __m256 a[R][T][2];
    for (int r = 0; r < R; ++r) {
      for (int i = 0; i < T; ++i) a[r][i][0] = acc[r][i][0], a[r][i][1] = acc[r][i][1];
    }
    for (int g = 0; g < 4; ++g) {
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        const std::uint8_t* q = rows[r] + b * block_bytes + 16 + 32 * g;
        // Lanes 0–7 (p = 0), then 8–15 (p = 1): bytes 8p … 8p + 7 and 16 + 8p … 23 + 8p give
        // values 8p …, 16 + 8p … (low nibbles) and 32 + 8p …, 48 + 8p … (high nibbles).
#pragma GCC unroll 2
        for (int p = 0; p < 2; ++p) {
          const __m256i v0 =
              _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(q + 8 * p)));
          const __m256i v1 = _mm256_cvtepu8_epi32(
              _mm_loadl_epi64(reinterpret_cast<const __m128i*>(q + 16 + 8 * p)));
#pragma GCC unroll 2
          for (int h = 0; h < 2; ++h) {
            const __m256 d = _mm256_broadcast_ss(dl[r] + 2 * g + h);
            const __m256 m = _mm256_broadcast_ss(ml[r] + 2 * g + h);
            const __m256i c0 = h == 0 ? _mm256_and_si256(v0, low4) : _mm256_srli_epi32(v0, 4);
            const __m256i c1 = h == 0 ? _mm256_and_si256(v1, low4) : _mm256_srli_epi32(v1, 4);
            const __m256 w0 = _mm256_sub_ps(_mm256_mul_ps(d, _mm256_cvtepi32_ps(c0)), m);
            const __m256 w1 = _mm256_sub_ps(_mm256_mul_ps(d, _mm256_cvtepi32_ps(c1)), m);
#pragma GCC unroll 8
            for (int i = 0; i < T; ++i) {
              const float* xi = xb + i * x_stride + 64 * g + 32 * h + 8 * p;
              a[r][i][p] = _mm256_fmadd_ps(_mm256_loadu_ps(xi), w0, a[r][i][p]);
              a[r][i][p] = _mm256_fmadd_ps(_mm256_loadu_ps(xi + 16), w1, a[r][i][p]);
            }
          }
        }
      }
    }
    for (int r = 0; r < R; ++r) {
      for (int i = 0; i < T; ++i) acc[r][i][0] = a[r][i][0], acc[r][i][1] = a[r][i][1];
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int i = 0; i < T; ++i) y[i * y_stride + n[r]] = reduce_16(acc[r][i][0], acc[r][i][1]);
  }
}

// Q6_K super-block (210 bytes): 128 bytes ql of low nibbles, 64 bytes qh of 2-bit high parts,
// 16 int8 scales, fp16 d. Writes the 256 values code − 32 as int8 in element order (the codes
// decode_q6_k forms: value 128h + 32s + l has the low or high nibble of ql[64h + 32(s % 2) + l]
// and bits 2s, 2s + 1 of qh[32h + l] above it) and dl[g] = d · scale_g, g < 16.
inline void q6_k_values(const std::uint8_t* b, std::int8_t* values, float* dl) {
  const __m256i low4 = _mm256_set1_epi8(0x0f), high2 = _mm256_set1_epi8(0x30);
  const __m256i offset = _mm256_set1_epi8(32);
  for (int h = 0; h < 2; ++h) {
    const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 64 * h));
    const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 64 * h + 32));
    const __m256i hb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 128 + 32 * h));
    // Bits 2s, 2s + 1 of each qh byte moved to bits 4, 5 (16-bit shifts: the mask drops what
    // crossed from the neighbouring byte).
    const __m256i code[4] = {_mm256_or_si256(_mm256_and_si256(l0, low4),
                                             _mm256_and_si256(_mm256_slli_epi16(hb, 4), high2)),
                             _mm256_or_si256(_mm256_and_si256(l1, low4),
                                             _mm256_and_si256(_mm256_slli_epi16(hb, 2), high2)),
                             _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4),
                                             _mm256_and_si256(hb, high2)),
                             _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4),
                                             _mm256_and_si256(_mm256_srli_epi16(hb, 2), high2))};
    for (int s = 0; s < 4; ++s) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(values + 128 * h + 32 * s),
                         _mm256_sub_epi8(code[s], offset));
    }
  }
  const __m256 dk = _mm256_set1_ps(_cvtsh_ss(block_u16(b + 208)));
  for (int h = 0; h < 2; ++h) {
    const __m256 sc = _mm256_cvtepi32_ps(
        _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(b + 192 + 8 * h))));
    _mm256_store_ps(dl + 8 * h, _mm256_mul_ps(dk, sc));
  }
}

template <int T, int R>
void q6_k_tile(const WeightMatrix& w, const std::size_t* n, const float* x, std::size_t x_stride,
               float* y, std::size_t y_stride) {
  constexpr std::size_t block_bytes = 210;
  const std::size_t blocks = w.cols / chunk_values;
  __m256 acc[R][T][2];
  for (int r = 0; r < R; ++r) {
    for (int i = 0; i < T; ++i) acc[r][i][0] = acc[r][i][1] = _mm256_setzero_ps();
  }
  const std::uint8_t* rows[R];
  for (int r = 0; r < R; ++r) rows[r] = reinterpret_cast<const std::uint8_t*>(w.row(n[r]));
  for (std::size_t b = 0; b < blocks; ++b) {
    alignas(32) std::int8_t values[R][chunk_values];
    alignas(32) float dl[R][16];
    for (int r = 0; r < R; ++r) q6_k_values(rows[r] + b * block_bytes, values[r], dl[r]);
    const float* xb = x + b * chunk_values;
    __m256 a[R][T][2];
    for (int r = 0; r < R; ++r) {
      for (int i = 0; i < T; ++i) a[r][i][0] = acc[r][i][0], a[r][i][1] = acc[r][i][1];
    }
    for (int g = 0; g < 16; ++g) {
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        const __m256 d = _mm256_broadcast_ss(dl[r] + g);
        const std::int8_t* v = values[r] + 16 * g;
        const __m256 lo = _mm256_mul_ps(d, codes_8<true>(reinterpret_cast<const std::uint8_t*>(v)));
        const __m256 hi =
            _mm256_mul_ps(d, codes_8<true>(reinterpret_cast<const std::uint8_t*>(v + 8)));
#pragma GCC unroll 8
        for (int i = 0; i < T; ++i) {
          const float* xi = xb + i * x_stride + 16 * g;
          a[r][i][0] = _mm256_fmadd_ps(_mm256_loadu_ps(xi), lo, a[r][i][0]);
          a[r][i][1] = _mm256_fmadd_ps(_mm256_loadu_ps(xi + 8), hi, a[r][i][1]);
        }
      }
    }
    for (int r = 0; r < R; ++r) {
      for (int i = 0; i < T; ++i) acc[r][i][0] = a[r][i][0], acc[r][i][1] = a[r][i][1];
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int i = 0; i < T; ++i) y[i * y_stride + n[r]] = reduce_16(acc[r][i][0], acc[r][i][1]);
  }
}

// Rows [n_begin, n_end) for T tokens, R rows side by side from as many runs (nn/row_runs.hpp).
template <WeightType type, int T, int R>
void runs(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end, const float* x,
          std::size_t x_stride, float* y, std::size_t y_stride) {
  for_each_run_tile<R>(n_begin, n_end, [&]<int rows>(const std::size_t* n) {
    if constexpr (type == WeightType::q8_0) {
      q8_0_tile<T, rows>(w, n, x, x_stride, y, y_stride);
    } else if constexpr (type == WeightType::q4_k) {
      q4_k_tile<T, rows>(w, n, x, x_stride, y, y_stride);
    } else if constexpr (type == WeightType::q6_k) {
      q6_k_tile<T, rows>(w, n, x, x_stride, y, y_stride);
    } else {
      float_tile<type, T, rows>(w, n, x, x_stride, y, y_stride);
    }
  });
}

// Rows side by side per token count: 8 accumulators for one or two tokens (enough independent
// chains to hide the FMA latency), one row for more tokens.
template <WeightType type>
void float_rows_typed(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end, const float* x,
                      std::size_t x_stride, std::size_t tokens, float* y, std::size_t y_stride) {
  switch (tokens) {
    case 1: return runs<type, 1, 4>(w, n_begin, n_end, x, x_stride, y, y_stride);
    case 2: return runs<type, 2, 2>(w, n_begin, n_end, x, x_stride, y, y_stride);
    case 3: return runs<type, 3, 1>(w, n_begin, n_end, x, x_stride, y, y_stride);
    case 4: return runs<type, 4, 1>(w, n_begin, n_end, x, x_stride, y, y_stride);
    default: return runs<type, 5, 1>(w, n_begin, n_end, x, x_stride, y, y_stride);
  }
}

}  // namespace

void float_rows_avx2(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end, const float* x,
                     std::size_t x_stride, std::size_t tokens, float* y, std::size_t y_stride) {
  switch (w.type) {
#define LMC_NN_FLOAT_ROWS(type) \
  case WeightType::type:        \
    return float_rows_typed<WeightType::type>(w, n_begin, n_end, x, x_stride, tokens, y, y_stride);
    LMC_NN_FLOAT_ROWS(q4_0)
    LMC_NN_FLOAT_ROWS(q4_1)
    LMC_NN_FLOAT_ROWS(q5_0)
    LMC_NN_FLOAT_ROWS(q5_1)
    LMC_NN_FLOAT_ROWS(q8_0)
    LMC_NN_FLOAT_ROWS(q2_k)
    LMC_NN_FLOAT_ROWS(q3_k)
    LMC_NN_FLOAT_ROWS(q4_k)
    LMC_NN_FLOAT_ROWS(q5_k)
    LMC_NN_FLOAT_ROWS(q6_k)
    LMC_NN_FLOAT_ROWS(iq4_nl)
    LMC_NN_FLOAT_ROWS(iq4_xs)
#undef LMC_NN_FLOAT_ROWS
    default: return;
  }
}

}  // namespace nn::detail
LMC_END_NAMESPACE

LMC_NN_TARGET_END

// The AVX-512 path of matmul (see matmul.hpp for the 16-lane order it must follow): one zmm
// register holds the 16 lanes of one dot product, so lane j sees exactly k ≡ j (mod 16).
#include "nn/matmul.hpp"

#include "nn/simd.hpp"

#include <immintrin.h>

#include <algorithm>

LMC_NN_TARGET_AVX512_BEGIN

LMC_BEGIN_NAMESPACE
namespace nn::detail {
namespace {

template <WeightType type>
struct Load16;

template <>
struct Load16<WeightType::f32> {
  static __m512 at(const std::byte* row, std::size_t k) {
    return _mm512_loadu_ps(reinterpret_cast<const float*>(row) + k);
  }
  static float one(const std::byte* row, std::size_t k) {
    return reinterpret_cast<const float*>(row)[k];
  }
};

template <>
struct Load16<WeightType::f16> {
  static __m512 at(const std::byte* row, std::size_t k) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 2 * k)));
  }
  static float one(const std::byte* row, std::size_t k) { return _cvtsh_ss(load_u16(row + 2 * k)); }
};

template <>
struct Load16<WeightType::bf16> {
  static __m512 at(const std::byte* row, std::size_t k) {
    const __m512i wide =
        _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 2 * k)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16));
  }
  static float one(const std::byte* row, std::size_t k) {
    return bf16_to_float(load_u16(row + 2 * k));
  }
};

template <>
struct Load16<WeightType::q8_0> {
  // k is a multiple of 16, so the 16 values lie in one block.
  static __m512 at(const std::byte* row, std::size_t k) {
    const std::byte* block = row + (k / q8_0_block_values) * q8_0_block_bytes;
    const __m512 d = _mm512_set1_ps(_cvtsh_ss(load_u16(block)));
    const __m128i q =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 2 + k % q8_0_block_values));
    return _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q)));
  }
  static float one(const std::byte* row, std::size_t k) {
    const std::byte* block = row + (k / q8_0_block_values) * q8_0_block_bytes;
    return _cvtsh_ss(load_u16(block)) *
           static_cast<float>(static_cast<std::int8_t>(block[2 + k % q8_0_block_values]));
  }
};

// The fixed tree of matmul.hpp: s8 = lane[j] + lane[j+8], s4, s2, s1.
inline float reduce_lanes(__m512 v) {
  return reduce_tree_8(_mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1)));
}

// Y[t0..t0+MT)[n0..n0+NT) over the whole of K.
template <WeightType type, int MT, int NT>
void tile(const WeightMatrix& w, std::size_t n0, const float* x, std::size_t x_stride,
          std::size_t t0, float* y, std::size_t y_stride) {
  __m512 acc[MT][NT];
  const std::byte* rows[NT];
  const float* xs[MT];
  for (int n = 0; n < NT; ++n) rows[n] = w.row(n0 + n);
  for (int t = 0; t < MT; ++t) {
    xs[t] = x + (t0 + t) * x_stride;
    for (int n = 0; n < NT; ++n) acc[t][n] = _mm512_setzero_ps();
  }
  const std::size_t cols = w.cols;
  const std::size_t full = cols / 16 * 16;
  for (std::size_t k = 0; k < full; k += 16) {
    __m512 wv[NT];
    for (int n = 0; n < NT; ++n) wv[n] = Load16<type>::at(rows[n], k);
    for (int t = 0; t < MT; ++t) {
      const __m512 xv = _mm512_loadu_ps(xs[t] + k);
      for (int n = 0; n < NT; ++n) acc[t][n] = _mm512_fmadd_ps(xv, wv[n], acc[t][n]);
    }
  }
  if (full < cols) {
    // Tail: missing lanes are fma(0, 0, lane) = lane.
    alignas(64) float wt[NT][16] = {};
    alignas(64) float xt[16] = {};
    for (int n = 0; n < NT; ++n) {
      for (std::size_t k = full; k < cols; ++k) wt[n][k - full] = Load16<type>::one(rows[n], k);
    }
    for (int t = 0; t < MT; ++t) {
      for (std::size_t k = full; k < cols; ++k) xt[k - full] = xs[t][k];
      const __m512 xv = _mm512_load_ps(xt);
      for (int n = 0; n < NT; ++n)
        acc[t][n] = _mm512_fmadd_ps(xv, _mm512_load_ps(wt[n]), acc[t][n]);
    }
  }
  for (int t = 0; t < MT; ++t) {
    for (int n = 0; n < NT; ++n) y[(t0 + t) * y_stride + n0 + n] = reduce_lanes(acc[t][n]);
  }
}

constexpr int tile_tokens = 6;
constexpr int tile_rows = 4;

template <WeightType type>
void rows_kernel(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end, const float* x,
                 std::size_t x_stride, std::size_t tokens, float* y, std::size_t y_stride) {
  // Rows are taken in blocks that stay in L2 while every token tile streams past them.
  const std::size_t block_rows =
      std::clamp<std::size_t>((std::size_t{192} << 10) / std::max<std::size_t>(1, w.row_bytes()), 4,
                              512) /
      4 * 4;
  for (std::size_t nb = n_begin; nb < n_end; nb += block_rows) {
    const std::size_t ne = std::min(n_end, nb + block_rows);
    std::size_t t = 0;
    for (; t + tile_tokens <= tokens; t += tile_tokens) {
      std::size_t n = nb;
      for (; n + tile_rows <= ne; n += tile_rows) {
        tile<type, tile_tokens, tile_rows>(w, n, x, x_stride, t, y, y_stride);
      }
      for (; n < ne; ++n) tile<type, tile_tokens, 1>(w, n, x, x_stride, t, y, y_stride);
    }
    for (; t < tokens; ++t) {
      std::size_t n = nb;
      for (; n + 8 <= ne; n += 8) tile<type, 1, 8>(w, n, x, x_stride, t, y, y_stride);
      for (; n < ne; ++n) tile<type, 1, 1>(w, n, x, x_stride, t, y, y_stride);
    }
  }
}

}  // namespace

void matmul_rows_avx512(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                        const float* x, std::size_t x_stride, std::size_t tokens, float* y,
                        std::size_t y_stride) {
  switch (w.type) {
    case WeightType::f32:
      return rows_kernel<WeightType::f32>(w, n_begin, n_end, x, x_stride, tokens, y, y_stride);
    case WeightType::f16:
      return rows_kernel<WeightType::f16>(w, n_begin, n_end, x, x_stride, tokens, y, y_stride);
    case WeightType::bf16:
      return rows_kernel<WeightType::bf16>(w, n_begin, n_end, x, x_stride, tokens, y, y_stride);
    case WeightType::q8_0:
      return rows_kernel<WeightType::q8_0>(w, n_begin, n_end, x, x_stride, tokens, y, y_stride);
    // The other block-quantized types: matmul.cpp decodes them a tile at a time, or runs the
    // integer kernels of matmul_quant.hpp.
    default: return;
  }
}

}  // namespace nn::detail
LMC_END_NAMESPACE

LMC_NN_TARGET_END

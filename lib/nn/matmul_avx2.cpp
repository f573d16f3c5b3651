// The AVX2 path of matmul (see matmul.hpp for the 16-lane order it must follow): two ymm
// registers hold the 16 lanes of one dot product, lanes 0–7 and 8–15.
//
// Each output needs two accumulators, so a tile holds at most 6 outputs (12 of the 16 ymm
// registers), and the loop walks K in halves of 8 so that only one half of the weights of each
// row is live at a time: 3 tokens × 2 rows is 12 accumulators + 2 weight vectors + 1 activation
// vector, 5 loads per 6 fused multiply-adds. F16/BF16/Q8_0 weights are converted 8 values at a
// time in registers, exactly. For 1 to 5 tokens (decoding) one tile holds every token, so each
// weight is read once, and the rows side by side are taken from as many long runs of the task's
// rows (see runs_kernel). nn::matmul runs this kernel for fewer than gemm_avx2_min_tokens tokens
// (and nn::dot for one); from there on it runs the packed product of gemm_avx2.hpp, whose
// results are the same bit for bit.
#include "nn/matmul.hpp"

#include "nn/simd.hpp"

#include <immintrin.h>

LMC_NN_TARGET_AVX2_BEGIN

#include "nn/row_runs.hpp"

LMC_BEGIN_NAMESPACE
namespace nn::detail {
namespace {

template <WeightType type>
struct Load8;

template <>
struct Load8<WeightType::f32> {
  static __m256 at(const std::byte* row, std::size_t k) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(row) + k);
  }
  static float one(const std::byte* row, std::size_t k) {
    return reinterpret_cast<const float*>(row)[k];
  }
};

template <>
struct Load8<WeightType::f16> {
  static __m256 at(const std::byte* row, std::size_t k) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * k)));
  }
  static float one(const std::byte* row, std::size_t k) { return _cvtsh_ss(load_u16(row + 2 * k)); }
};

template <>
struct Load8<WeightType::bf16> {
  static __m256 at(const std::byte* row, std::size_t k) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * k));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
  static float one(const std::byte* row, std::size_t k) {
    return bf16_to_float(load_u16(row + 2 * k));
  }
};

template <>
struct Load8<WeightType::q8_0> {
  // k is a multiple of 8, so the 8 values lie in one block.
  static __m256 at(const std::byte* row, std::size_t k) {
    const std::byte* block = row + (k / q8_0_block_values) * q8_0_block_bytes;
    const __m256 d = _mm256_set1_ps(_cvtsh_ss(load_u16(block)));
    const __m128i q =
        _mm_loadl_epi64(reinterpret_cast<const __m128i*>(block + 2 + k % q8_0_block_values));
    return _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q)));
  }
  static float one(const std::byte* row, std::size_t k) {
    const std::byte* block = row + (k / q8_0_block_values) * q8_0_block_bytes;
    return _cvtsh_ss(load_u16(block)) *
           static_cast<float>(static_cast<std::int8_t>(block[2 + k % q8_0_block_values]));
  }
};

// The fixed tree of matmul.hpp.
inline float reduce_lanes(__m256 low, __m256 high) {
  return reduce_tree_8(_mm256_add_ps(low, high));
}

// Y[t][out[n]] for tokens t < MT and n < NT over the whole of K; `rows` are the NT weight rows
// of type `type`, `out` their row numbers.
template <WeightType type, int MT, int NT>
inline void tile(const std::byte* const* rows, std::size_t cols, const float* x,
                 std::size_t x_stride, float* y, std::size_t y_stride, const std::size_t* out) {
  __m256 acc[MT][NT][2];
  const float* xs[MT];
  for (int t = 0; t < MT; ++t) {
    xs[t] = x + t * x_stride;
    for (int n = 0; n < NT; ++n) acc[t][n][0] = acc[t][n][1] = _mm256_setzero_ps();
  }
  const std::size_t full = cols / 16 * 16;
  for (std::size_t k = 0; k < full; k += 16) {
    for (int h = 0; h < 2; ++h) {
      __m256 wv[NT];
      for (int n = 0; n < NT; ++n) wv[n] = Load8<type>::at(rows[n], k + 8 * h);
      for (int t = 0; t < MT; ++t) {
        const __m256 xv = _mm256_loadu_ps(xs[t] + k + 8 * h);
        for (int n = 0; n < NT; ++n) acc[t][n][h] = _mm256_fmadd_ps(xv, wv[n], acc[t][n][h]);
      }
    }
  }
  if (full < cols) {
    // Tail: missing lanes are fma(0, 0, lane) = lane.
    alignas(32) float wt[NT][16] = {};
    alignas(32) float xt[16] = {};
    for (int n = 0; n < NT; ++n) {
      for (std::size_t k = full; k < cols; ++k) wt[n][k - full] = Load8<type>::one(rows[n], k);
    }
    for (int t = 0; t < MT; ++t) {
      for (std::size_t k = full; k < cols; ++k) xt[k - full] = xs[t][k];
      for (int h = 0; h < 2; ++h) {
        const __m256 xv = _mm256_load_ps(xt + 8 * h);
        for (int n = 0; n < NT; ++n) {
          acc[t][n][h] = _mm256_fmadd_ps(xv, _mm256_load_ps(wt[n] + 8 * h), acc[t][n][h]);
        }
      }
    }
  }
  for (int t = 0; t < MT; ++t) {
    for (int n = 0; n < NT; ++n) {
      y[t * y_stride + out[n]] = reduce_lanes(acc[t][n][0], acc[t][n][1]);
    }
  }
}

constexpr int tile_tokens = 3;
constexpr int tile_rows = 2;

// Rows [n_begin, n_end) against MT tokens, each weight read once, NT rows side by side taken
// from as many long runs of the rows (nn/row_runs.hpp): F16 decoding on Zen 3 (Generate128, 1
// thread) ran at about 45 tokens per CPU-second with NT neighbouring rows and at 77 or more
// this way.
template <WeightType type, int MT, int NT, typename RowAt>
void runs_kernel(RowAt row, std::size_t cols, std::size_t n_begin, std::size_t n_end,
                 const float* x, std::size_t x_stride, float* y, std::size_t y_stride) {
  for_each_run_tile<NT>(n_begin, n_end, [&]<int rows>(const std::size_t* out) {
    const std::byte* r[rows];
    for (int j = 0; j < rows; ++j) r[j] = row(out[j]);
    tile<type, MT, rows>(r, cols, x, x_stride, y, y_stride, out);
  });
}

// 1 to 5 tokens in one pass over the weights: enough rows side by side for 8 to 12
// accumulators (independent chains that hide the FMA latency).
template <WeightType type, typename RowAt>
void few_tokens_kernel(RowAt row, std::size_t cols, std::size_t n_begin, std::size_t n_end,
                       const float* x, std::size_t x_stride, std::size_t tokens, float* y,
                       std::size_t y_stride) {
  switch (tokens) {
    case 1: return runs_kernel<type, 1, 4>(row, cols, n_begin, n_end, x, x_stride, y, y_stride);
    case 2: return runs_kernel<type, 2, 2>(row, cols, n_begin, n_end, x, x_stride, y, y_stride);
    case 3: return runs_kernel<type, 3, 2>(row, cols, n_begin, n_end, x, x_stride, y, y_stride);
    case 4: return runs_kernel<type, 4, 1>(row, cols, n_begin, n_end, x, x_stride, y, y_stride);
    default: return runs_kernel<type, 5, 1>(row, cols, n_begin, n_end, x, x_stride, y, y_stride);
  }
}

// Rows [n_begin, n_end) of a matrix whose row n starts at row(n), against every token.
template <WeightType type, typename RowAt>
void rows_kernel(RowAt row, std::size_t cols, std::size_t n_begin, std::size_t n_end,
                 const float* x, std::size_t x_stride, std::size_t tokens, float* y,
                 std::size_t y_stride) {
  if (tokens <= 5) {
    few_tokens_kernel<type>(row, cols, n_begin, n_end, x, x_stride, tokens, y, y_stride);
    return;
  }
  std::size_t t = 0;
  for (; t + tile_tokens <= tokens; t += tile_tokens) {
    const float* xt = x + t * x_stride;
    float* yt = y + t * y_stride;
    std::size_t n = n_begin;
    for (; n + tile_rows <= n_end; n += tile_rows) {
      const std::byte* r[tile_rows] = {row(n), row(n + 1)};
      const std::size_t out[tile_rows] = {n, n + 1};
      tile<type, tile_tokens, tile_rows>(r, cols, xt, x_stride, yt, y_stride, out);
    }
    for (; n < n_end; ++n) {
      const std::byte* r[1] = {row(n)};
      tile<type, tile_tokens, 1>(r, cols, xt, x_stride, yt, y_stride, &n);
    }
  }
  // The last one or two tokens.
  if (t < tokens) {
    few_tokens_kernel<type>(row, cols, n_begin, n_end, x + t * x_stride, x_stride, tokens - t,
                            y + t * y_stride, y_stride);
  }
}

template <WeightType type>
void matmul_rows(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end, const float* x,
                 std::size_t x_stride, std::size_t tokens, float* y, std::size_t y_stride) {
  rows_kernel<type>([&w](std::size_t n) { return w.row(n); }, w.cols, n_begin, n_end, x, x_stride,
                    tokens, y, y_stride);
}

}  // namespace

void matmul_rows_avx2(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end, const float* x,
                      std::size_t x_stride, std::size_t tokens, float* y, std::size_t y_stride) {
  switch (w.type) {
    case WeightType::f32:
      return matmul_rows<WeightType::f32>(w, n_begin, n_end, x, x_stride, tokens, y, y_stride);
    case WeightType::f16:
      return matmul_rows<WeightType::f16>(w, n_begin, n_end, x, x_stride, tokens, y, y_stride);
    case WeightType::bf16:
      return matmul_rows<WeightType::bf16>(w, n_begin, n_end, x, x_stride, tokens, y, y_stride);
    case WeightType::q8_0:
      return matmul_rows<WeightType::q8_0>(w, n_begin, n_end, x, x_stride, tokens, y, y_stride);
    // The other block-quantized types: matmul.cpp runs float_rows_avx2 or gemm_avx2_rows for
    // them, or the integer kernels of matmul_quant.hpp.
    default: return;
  }
}

}  // namespace nn::detail
LMC_END_NAMESPACE

LMC_NN_TARGET_END

#include "nn/matmul.hpp"

#include "nn/cpu_features.hpp"
#include "nn/gemm_avx2.hpp"
#include "nn/matmul_quant.hpp"
#include "nn/quant_blocks.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace nn {

void dequantize_row(const WeightMatrix& w, std::size_t n, float* out) {
  const std::byte* row = w.row(n);
  switch (w.type) {
    case WeightType::f32: std::memcpy(out, row, w.cols * 4); return;
    case WeightType::f16:
      for (std::size_t k = 0; k < w.cols; ++k) out[k] = half_to_float(load_u16(row + 2 * k));
      return;
    case WeightType::bf16:
      for (std::size_t k = 0; k < w.cols; ++k) out[k] = bf16_to_float(load_u16(row + 2 * k));
      return;
    default: {
      detail::Chunk c;
      for (std::size_t ci = 0; ci * detail::chunk_values < w.cols; ++ci) {
        detail::decode_chunk(w, row, ci, c);
        detail::chunk_to_float(w.type, c, out + ci * detail::chunk_values);
      }
      return;
    }
  }
}

float dot(const float* a, const float* b, std::size_t n) {
  WeightMatrix w{WeightType::f32,         1, n, reinterpret_cast<const std::byte*>(b), 0,
                 QuantRecipe::float_exact};
  float y = 0;
  switch (active_kernel_path()) {
    case KernelPath::avx512: detail::matmul_rows_avx512(w, 0, 1, a, n, 1, &y, 1); break;
    case KernelPath::avx2: detail::matmul_rows_avx2(w, 0, 1, a, n, 1, &y, 1); break;
    case KernelPath::scalar: detail::matmul_rows_scalar(w, 0, 1, a, n, 1, &y, 1); break;
  }
  return y;
}

namespace detail {

namespace {

// Storage aligned for ymm loads (the packed activations of gemm_avx2.hpp).
struct alignas(32) Lanes8 {
  float v[8];
};

// The reference implementation of the 16-lane order (see matmul.hpp).
float dot_16_lanes(const float* x, const float* w, std::size_t n) {
  float lane[16] = {};
  std::size_t k = 0;
  for (; k + 16 <= n; k += 16) {
    for (std::size_t j = 0; j < 16; ++j) lane[j] = std::fma(x[k + j], w[k + j], lane[j]);
  }
  for (std::size_t j = 0; k + j < n; ++j) lane[j] = std::fma(x[k + j], w[k + j], lane[j]);
  for (std::size_t width = 8; width >= 1; width /= 2) {
    for (std::size_t j = 0; j < width; ++j) lane[j] = lane[j] + lane[j + width];
  }
  return lane[0];
}

}  // namespace

void matmul_rows_scalar(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                        const float* x, std::size_t x_stride, std::size_t tokens, float* y,
                        std::size_t y_stride) {
  std::vector<float> row(w.cols);
  for (std::size_t n = n_begin; n < n_end; ++n) {
    dequantize_row(w, n, row.data());
    for (std::size_t t = 0; t < tokens; ++t) {
      y[t * y_stride + n] = dot_16_lanes(x + t * x_stride, row.data(), w.cols);
    }
  }
}

}  // namespace detail

void matmul(const WeightMatrix& w, const float* x, std::size_t x_stride, std::size_t tokens,
            float* y, std::size_t y_stride, const float* bias, base::ThreadPool* pool) {
  if (w.rows == 0 || tokens == 0) return;
  const KernelPath path = active_kernel_path();
  detail::MatmulRowsKernel kernel = detail::matmul_rows_scalar;
  detail::QuantRowsKernel quant_kernel = detail::quant_rows_scalar;
  switch (path) {
    // Without VNNI the AVX-512 path runs the AVX2 integer kernels (the results are the same).
    case KernelPath::avx512:
      kernel = detail::matmul_rows_avx512;
      quant_kernel =
          detail::cpu_has_avx512_vnni() ? detail::quant_rows_avx512 : detail::quant_rows_avx2;
      break;
    case KernelPath::avx2:
      kernel = detail::matmul_rows_avx2;
      quant_kernel = detail::quant_rows_avx2;
      break;
    case KernelPath::scalar: break;
  }
  const bool quantized = weight_is_quantized(w.type);
  const bool integer = quantized && (w.recipe == QuantRecipe::integer);
  // The decoded tiles below serve the scalar and AVX-512 paths only: the AVX2 path decodes every
  // type inside its kernels (float_rows_avx2 below 6 tokens, gemm_avx2_rows from there on).
  // Q8_0's float recipe is read by the SIMD kernels themselves, which convert 8 values at a
  // time in registers with the same result as the tiles and less traffic; the AVX-512 kernel
  // converts Q8_0 inside every token tile, so for many tokens the tiles cost less (measured).
  const bool tiled = quantized && !integer && path != KernelPath::avx2 &&
                     (w.type != WeightType::q8_0 || (path == KernelPath::avx512 && tokens >= 6));
  // Few tokens (decoding) on the AVX2 kernels: decoded values straight into the FMAs.
  const bool few_avx2 = quantized && !integer && tokens < 6 &&
                        (path == KernelPath::avx2 ||
                         (path == KernelPath::avx512 && tiled && !detail::cpu_has_avx512_vnni()));
  detail::QuantizedActivations qx;
  if (integer) {
    detail::quantize_activations(x, x_stride, tokens, w.cols, detail::activation_block(w.type), qx,
                                 pool);
  }
  // The float recipe on quantized weights: rows decoded a tile at a time, each tile multiplied
  // as an F32 matrix; decoding is exact, so this equals the F32 product of the dequantized
  // matrix bit for bit. A tile is as large as the L2 block of the F32 kernels (192 KiB of
  // floats), so every decoded value serves all tokens and the activations stream past the
  // weights as often as for F32; smaller tiles streamed them more often and cost more than the
  // decoding saved (measured).
  const std::size_t max_tile_rows =
      std::clamp<std::size_t>((std::size_t{192} << 10) / (4 * std::max<std::size_t>(1, w.cols)), 4,
                              512) /
      4 * 4;
  // Work is split by weight rows only, never along K, so the split cannot change a result.
  const std::size_t threads = pool ? pool->size() : 1;
  const std::size_t work = w.rows * tokens * w.cols;
  std::size_t n_tasks = 1;
  if (threads > 1 && work >= (1u << 16)) {
    n_tasks = std::min<std::size_t>((w.rows + 15) / 16, threads * 8);
  }
  // Many tokens on the AVX2 path: the packed two-pass product of gemm_avx2.hpp for every type
  // of the float recipe, with the activations packed once here for all tasks.
  const bool gemm = path == KernelPath::avx2 && !integer && tokens >= detail::gemm_avx2_min_tokens;
  const float* packed_x = nullptr;
  if (gemm) {
    // Reused across calls, like the tiles below.
    thread_local std::vector<detail::Lanes8> packed;
    packed.resize((detail::gemm_avx2_packed_floats(tokens, w.cols) + 7) / 8);
    float* out = packed.front().v;
    const std::size_t groups =
        (tokens + detail::gemm_avx2_group_tokens - 1) / detail::gemm_avx2_group_tokens;
    const std::size_t pack_tasks = std::min(n_tasks, groups);
    auto pack = [&](std::size_t task) {
      detail::gemm_avx2_pack_activations(x, x_stride, tokens, w.cols, groups * task / pack_tasks,
                                         groups * (task + 1) / pack_tasks, out);
    };
    if (pack_tasks > 1) {
      pool->parallel_for(pack_tasks, pack);
    } else {
      pack(0);
    }
    packed_x = out;
  }
  // Tasks of whole tiles: 4 rows for the row kernels, whole panels (3 rows) for the product of
  // gemm_avx2.hpp, whose tasks would otherwise each end in a short panel.
  const std::size_t task_unit = gemm ? detail::gemm_avx2_panel_rows : 4;
  const std::size_t rows_per_task =
      ((w.rows + n_tasks - 1) / n_tasks + task_unit - 1) / task_unit * task_unit;
  n_tasks = (w.rows + rows_per_task - 1) / rows_per_task;
  auto run = [&](std::size_t task) {
    const std::size_t begin = task * rows_per_task;
    const std::size_t end = std::min(w.rows, begin + rows_per_task);
    if (integer) {
      quant_kernel(w, begin, end, qx, y, y_stride);
    } else if (gemm) {
      detail::gemm_avx2_rows(w, begin, end, packed_x, tokens, y, y_stride);
    } else if (tiled && path == KernelPath::avx512 && tokens < 6 && detail::cpu_has_avx512_vnni()) {
      // Few tokens: the decoded values go straight into the fused multiply-adds.
      detail::float_rows_avx512(w, begin, end, x, x_stride, tokens, y, y_stride);
    } else if (few_avx2) {
      // The same with AVX2 (also Q8_0, and AVX-512 CPUs without VNNI).
      detail::float_rows_avx2(w, begin, end, x, x_stride, tokens, y, y_stride);
    } else if (tiled) {
      // A task's rows in tiles of even size, so that no task ends in a sliver of a few rows.
      const std::size_t n_tiles = (end - begin + max_tile_rows - 1) / max_tile_rows;
      const std::size_t tile_rows = ((end - begin + n_tiles - 1) / n_tiles + 3) / 4 * 4;
      // Reused across calls: a fresh 192 KiB vector would be zeroed (and often mapped) each time.
      thread_local std::vector<float> tile;
      tile.resize(std::min(tile_rows, end - begin) * w.cols);
      for (std::size_t n0 = begin; n0 < end; n0 += tile_rows) {
        const std::size_t rows = std::min(tile_rows, end - n0);
        if (path == KernelPath::avx512 && detail::cpu_has_avx512_vnni()) {
          detail::dequantize_rows_avx512(w, n0, n0 + rows, tile.data());
        } else {
          for (std::size_t r = 0; r < rows; ++r) {
            float* out = tile.data() + r * w.cols;
            if (path == KernelPath::scalar) {
              dequantize_row(w, n0 + r, out);
            } else {
              detail::dequantize_row_avx2(w, n0 + r, out);
            }
          }
        }
        const WeightMatrix decoded{WeightType::f32,
                                   rows,
                                   w.cols,
                                   reinterpret_cast<const std::byte*>(tile.data()),
                                   0,
                                   QuantRecipe::float_exact};
        kernel(decoded, 0, rows, x, x_stride, tokens, y + n0, y_stride);
      }
    } else {
      kernel(w, begin, end, x, x_stride, tokens, y, y_stride);
    }
    if (bias) {
      for (std::size_t t = 0; t < tokens; ++t) {
        for (std::size_t n = begin; n < end; ++n) y[t * y_stride + n] += bias[n];
      }
    }
  };
  if (n_tasks == 1) {
    run(0);
  } else {
    pool->parallel_for(n_tasks, run);
  }
}

}  // namespace nn
LMC_END_NAMESPACE

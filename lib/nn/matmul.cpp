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

namespace {

// One product Y = X·Wᵀ (+ bias) as matmul computes it: the kernel chosen once, the rows split
// into tasks, each task's work; matmul runs its tasks over the pool, matmul_set those of several
// products in one loop.
class Product {
 public:
  // `shared_qx`: X already quantized for W's activation block (integer recipe), or null.
  // `rows_after`: rows of the products that follow this one in the same loop (matmul_set), which
  // the schedule of few tokens counts as work still to come (see guided_bounds).
  Product(const WeightMatrix& w, const float* x, std::size_t x_stride, std::size_t tokens, float* y,
          std::size_t y_stride, const float* bias, base::ThreadPool* pool,
          const detail::QuantizedActivations* shared_qx, std::size_t rows_after = 0);

  std::size_t tasks() const { return n_tasks_; }  // 0 when W has no rows or X no tokens
  // Rows [bounds_[task], bounds_[task + 1]) of Y.
  void run(std::size_t task) const;

 private:
  const WeightMatrix& w_;
  const float* x_;
  std::size_t x_stride_, tokens_;
  float* y_;
  std::size_t y_stride_;
  const float* bias_;
  KernelPath path_;
  detail::MatmulRowsKernel kernel_ = detail::matmul_rows_scalar;
  detail::QuantRowsKernel quant_kernel_ = detail::quant_rows_scalar;
  bool integer_ = false, tiled_ = false, few_avx2_ = false, gemm_ = false;
  std::size_t max_tile_rows_ = 0;
  detail::QuantizedActivations own_qx_;
  const detail::QuantizedActivations* qx_ = nullptr;
  const float* packed_x_ = nullptr;
  std::size_t n_tasks_ = 1;
  std::vector<std::size_t> bounds_;  // the first row of each task, then w.rows
};

// Storage aligned for ymm loads (the packed activations of gemm_avx2.hpp).
struct alignas(32) PackedLanes {
  float v[8];
};

// Decoding's schedule: tasks of `most_rows` (the equal split of product_tasks), except that
// near the end of the loop each takes only 1 / (2 · threads) of the rows not yet handed out
// (counting `rows_after`, those of the products after this one in the loop), in whole tiles of 4
// rows, but at least `min_rows`. The tasks are handed out in index order, so the threads run out
// of work within a short task of each other, where equal tasks left one thread waiting for up to
// a whole task (for the 32000-row output matrix 2000 rows, about 0.3 ms). No task is longer than
// before: a thread that is descheduled while it holds one leaves no more work stranded. Which rows
// a task holds cannot change their results (a row's result depends on its own weights and X
// only). Returns the task bounds: 0, …, rows.
std::vector<std::size_t> decoding_bounds(std::size_t rows, std::size_t rows_after,
                                         std::size_t threads, std::size_t most_rows,
                                         std::size_t min_rows) {
  std::vector<std::size_t> bounds{0};
  for (std::size_t begin = 0; begin < rows;) {
    const std::size_t left = rows - begin;
    std::size_t take = std::clamp((left + rows_after) / (2 * threads), min_rows, most_rows);
    take = std::min(left, (take + 3) / 4 * 4);
    begin += take;
    bounds.push_back(begin);
  }
  return bounds;
}

// The tasks a product of `w` with `tokens` rows of X is split into on `threads` threads.
std::size_t product_tasks(const WeightMatrix& w, std::size_t tokens, std::size_t threads) {
  const std::size_t work = w.rows * tokens * w.cols;
  if (threads > 1 && work >= (1u << 16)) {
    return std::min<std::size_t>((w.rows + 15) / 16, threads * 8);
  }
  return 1;
}

Product::Product(const WeightMatrix& w, const float* x, std::size_t x_stride, std::size_t tokens,
                 float* y, std::size_t y_stride, const float* bias, base::ThreadPool* pool,
                 const detail::QuantizedActivations* shared_qx, std::size_t rows_after)
    : w_(w),
      x_(x),
      x_stride_(x_stride),
      tokens_(tokens),
      y_(y),
      y_stride_(y_stride),
      bias_(bias),
      path_(active_kernel_path()) {
  if (w.rows == 0 || tokens == 0) {
    n_tasks_ = 0;
    return;
  }
  switch (path_) {
    // Without VNNI the AVX-512 path runs the AVX2 integer kernels (the results are the same).
    case KernelPath::avx512:
      kernel_ = detail::matmul_rows_avx512;
      quant_kernel_ =
          detail::cpu_has_avx512_vnni() ? detail::quant_rows_avx512 : detail::quant_rows_avx2;
      break;
    case KernelPath::avx2:
      kernel_ = detail::matmul_rows_avx2;
      quant_kernel_ = detail::quant_rows_avx2;
      break;
    case KernelPath::scalar: break;
  }
  const bool quantized = weight_is_quantized(w.type);
  integer_ = quantized && (w.recipe == QuantRecipe::integer);
  // The decoded tiles below serve the scalar and AVX-512 paths only: the AVX2 path decodes every
  // type inside its kernels (float_rows_avx2 below 6 tokens, gemm_avx2_rows from there on).
  // Q8_0's float recipe is read by the SIMD kernels themselves, which convert 8 values at a
  // time in registers with the same result as the tiles and less traffic; the AVX-512 kernel
  // converts Q8_0 inside every token tile, so for many tokens the tiles cost less (measured).
  tiled_ = quantized && !integer_ && path_ != KernelPath::avx2 &&
           (w.type != WeightType::q8_0 || (path_ == KernelPath::avx512 && tokens >= 6));
  // Few tokens (decoding) on the AVX2 kernels: decoded values straight into the FMAs.
  few_avx2_ = quantized && !integer_ && tokens < 6 &&
              (path_ == KernelPath::avx2 ||
               (path_ == KernelPath::avx512 && tiled_ && !detail::cpu_has_avx512_vnni()));
  if (integer_) {
    if (shared_qx) {
      qx_ = shared_qx;
    } else {
      detail::quantize_activations(x, x_stride, tokens, w.cols, detail::activation_block(w.type),
                                   own_qx_, pool);
      qx_ = &own_qx_;
    }
  }
  // The float recipe on quantized weights: rows decoded a tile at a time, each tile multiplied
  // as an F32 matrix; decoding is exact, so this equals the F32 product of the dequantized
  // matrix bit for bit. A tile is as large as the L2 block of the F32 kernels (192 KiB of
  // floats), so every decoded value serves all tokens and the activations stream past the
  // weights as often as for F32; smaller tiles streamed them more often and cost more than the
  // decoding saved (measured).
  max_tile_rows_ = std::clamp<std::size_t>(
                       (std::size_t{192} << 10) / (4 * std::max<std::size_t>(1, w.cols)), 4, 512) /
                   4 * 4;
  // Work is split by weight rows only, never along K, so the split cannot change a result.
  n_tasks_ = product_tasks(w, tokens, pool ? pool->size() : 1);
  // Many tokens on the AVX2 path: the packed two-pass product of gemm_avx2.hpp for every type
  // of the float recipe, with the activations packed once here for all tasks.
  gemm_ = path_ == KernelPath::avx2 && !integer_ && tokens >= detail::gemm_avx2_min_tokens;
  if (gemm_) {
    // Reused across calls, like the tiles below.
    thread_local std::vector<PackedLanes> packed;
    packed.resize((detail::gemm_avx2_packed_floats(tokens, w.cols) + 7) / 8);
    float* out = packed.front().v;
    const std::size_t groups =
        (tokens + detail::gemm_avx2_group_tokens - 1) / detail::gemm_avx2_group_tokens;
    const std::size_t pack_tasks = std::min(n_tasks_, groups);
    auto pack = [&](std::size_t task) {
      detail::gemm_avx2_pack_activations(x, x_stride, tokens, w.cols, groups * task / pack_tasks,
                                         groups * (task + 1) / pack_tasks, out);
    };
    if (pack_tasks > 1) {
      pool->parallel_for(pack_tasks, pack);
    } else {
      pack(0);
    }
    packed_x_ = out;
  }
  // Equal tasks of whole tiles: 4 rows for the row kernels, whole panels (3 rows) for the
  // product of gemm_avx2.hpp, whose tasks would otherwise each end in a short panel.
  const std::size_t task_unit = gemm_ ? detail::gemm_avx2_panel_rows : 4;
  const std::size_t rows_per_task =
      ((w.rows + n_tasks_ - 1) / n_tasks_ + task_unit - 1) / task_unit * task_unit;
  if (n_tasks_ > 1 && tokens < detail::gemm_avx2_min_tokens) {
    // Few tokens (decoding): the same, but shorter at the end of the loop (decoding_bounds), down
    // to 16 Ki weights (about 2 µs of one core's decoding), so that taking a task costs little
    // against running it.
    const std::size_t min_rows =
        std::min(rows_per_task, std::max<std::size_t>(4, (std::size_t{1} << 14) / w.cols));
    bounds_ = decoding_bounds(w.rows, rows_after, pool->size(), rows_per_task, min_rows);
  } else {
    for (std::size_t begin = 0; begin < w.rows; begin += rows_per_task) bounds_.push_back(begin);
    bounds_.push_back(w.rows);
  }
  n_tasks_ = bounds_.size() - 1;
}

void Product::run(std::size_t task) const {
  const WeightMatrix& w = w_;
  const float* x = x_;
  const std::size_t x_stride = x_stride_, tokens = tokens_, y_stride = y_stride_;
  float* y = y_;
  const std::size_t begin = bounds_[task], end = bounds_[task + 1];
  if (integer_) {
    quant_kernel_(w, begin, end, *qx_, y, y_stride);
  } else if (gemm_) {
    detail::gemm_avx2_rows(w, begin, end, packed_x_, tokens, y, y_stride);
  } else if (tiled_ && path_ == KernelPath::avx512 && tokens < 6 && detail::cpu_has_avx512_vnni()) {
    // Few tokens: the decoded values go straight into the fused multiply-adds.
    detail::float_rows_avx512(w, begin, end, x, x_stride, tokens, y, y_stride);
  } else if (few_avx2_) {
    // The same with AVX2 (also Q8_0, and AVX-512 CPUs without VNNI).
    detail::float_rows_avx2(w, begin, end, x, x_stride, tokens, y, y_stride);
  } else if (tiled_) {
    // A task's rows in tiles of even size, so that no task ends in a sliver of a few rows.
    const std::size_t n_tiles = (end - begin + max_tile_rows_ - 1) / max_tile_rows_;
    const std::size_t tile_rows = ((end - begin + n_tiles - 1) / n_tiles + 3) / 4 * 4;
    // Reused across calls: a fresh 192 KiB vector would be zeroed (and often mapped) each time.
    thread_local std::vector<float> tile;
    tile.resize(std::min(tile_rows, end - begin) * w.cols);
    for (std::size_t n0 = begin; n0 < end; n0 += tile_rows) {
      const std::size_t rows = std::min(tile_rows, end - n0);
      if (path_ == KernelPath::avx512 && detail::cpu_has_avx512_vnni()) {
        detail::dequantize_rows_avx512(w, n0, n0 + rows, tile.data());
      } else {
        for (std::size_t r = 0; r < rows; ++r) {
          float* out = tile.data() + r * w.cols;
          if (path_ == KernelPath::scalar) {
            dequantize_row(w, n0 + r, out);
          } else {
            detail::dequantize_row_avx2(w, n0 + r, out);
          }
        }
      }
      const WeightMatrix decoded{
          WeightType::f32,         rows, w.cols, reinterpret_cast<const std::byte*>(tile.data()), 0,
          QuantRecipe::float_exact};
      kernel_(decoded, 0, rows, x, x_stride, tokens, y + n0, y_stride);
    }
  } else {
    kernel_(w, begin, end, x, x_stride, tokens, y, y_stride);
  }
  if (bias_) {
    for (std::size_t t = 0; t < tokens; ++t) {
      for (std::size_t n = begin; n < end; ++n) y[t * y_stride + n] += bias_[n];
    }
  }
}

}  // namespace

void matmul(const WeightMatrix& w, const float* x, std::size_t x_stride, std::size_t tokens,
            float* y, std::size_t y_stride, const float* bias, base::ThreadPool* pool) {
  if (w.rows == 0 || tokens == 0) return;
  const Product product(w, x, x_stride, tokens, y, y_stride, bias, pool, nullptr);
  if (product.tasks() == 1) {
    product.run(0);
  } else {
    pool->parallel_for(product.tasks(), [&](std::size_t task) { product.run(task); });
  }
}

void matmul_set(std::span<const MatmulOutput> outputs, const float* x, std::size_t x_stride,
                std::size_t tokens, base::ThreadPool* pool) {
  if (tokens == 0) return;
  // Many tokens, or no second thread: nothing to gain from one loop for all.
  if (tokens >= detail::gemm_avx2_min_tokens || !pool || pool->size() == 1 || outputs.size() < 2) {
    for (const MatmulOutput& o : outputs) {
      matmul(*o.w, x, x_stride, tokens, o.y, o.y_stride, o.bias, pool);
    }
    return;
  }
  // The integer recipe quantizes X once per activation block for all the products that read it.
  detail::QuantizedActivations quantized[2];
  const detail::QuantizedActivations* for_block[2] = {nullptr, nullptr};
  std::vector<Product> products;
  products.reserve(outputs.size());
  std::vector<std::size_t> first_task(outputs.size() + 1, 0);
  std::size_t rows_after = 0;
  for (const MatmulOutput& o : outputs) rows_after += o.w->rows;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const MatmulOutput& o = outputs[i];
    const detail::QuantizedActivations* qx = nullptr;
    if (o.w->rows != 0 && weight_is_quantized(o.w->type) && o.w->recipe == QuantRecipe::integer) {
      const std::size_t block = detail::activation_block(o.w->type);
      const int slot = block == 32 ? 0 : 1;
      if (!for_block[slot]) {
        detail::quantize_activations(x, x_stride, tokens, o.w->cols, block, quantized[slot], pool);
        for_block[slot] = &quantized[slot];
      }
      qx = for_block[slot];
    }
    rows_after -= o.w->rows;
    products.emplace_back(*o.w, x, x_stride, tokens, o.y, o.y_stride, o.bias, pool, qx, rows_after);
    first_task[i + 1] = first_task[i] + products.back().tasks();
  }
  pool->parallel_for(first_task.back(), [&](std::size_t task) {
    const std::size_t i =
        static_cast<std::size_t>(std::upper_bound(first_task.begin(), first_task.end(), task) -
                                 first_task.begin()) -
        1;
    products[i].run(task - first_task[i]);
  });
}

}  // namespace nn
LMC_END_NAMESPACE

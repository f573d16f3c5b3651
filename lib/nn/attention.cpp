#include "nn/attention.hpp"

#include "nn/attention_kernels.hpp"
#include "nn/cpu_features.hpp"
#include "nn/elementwise.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace nn {

namespace detail {

float row_max_scalar(const float* x, std::size_t n) { return *std::max_element(x, x + n); }

void exp_shifted_scalar(float* x, std::size_t n, float max) {
  for (std::size_t i = 0; i < n; ++i) x[i] = x[i] - max;
  exp_in_place(x, n);
}

void scale_scalar(float* x, std::size_t n, float factor) {
  for (std::size_t i = 0; i < n; ++i) x[i] = x[i] * factor;
}

// The reference order of matmul.hpp (as matmul.cpp's scalar path): tail lanes untouched.
void attention_scores_scalar(const float* q, const float* keys, std::size_t key_stride,
                             std::size_t count, std::size_t key_dim, float scale, float* out) {
  for (std::size_t j = 0; j < count; ++j) {
    const float* k = keys + j * key_stride;
    float lane[16] = {};
    std::size_t c = 0;
    for (; c + 16 <= key_dim; c += 16) {
      for (std::size_t i = 0; i < 16; ++i) lane[i] = std::fma(q[c + i], k[c + i], lane[i]);
    }
    for (std::size_t i = 0; c + i < key_dim; ++i) lane[i] = std::fma(q[c + i], k[c + i], lane[i]);
    for (std::size_t width = 8; width >= 1; width /= 2) {
      for (std::size_t i = 0; i < width; ++i) lane[i] = lane[i] + lane[i + width];
    }
    out[j] = lane[0] * scale;
  }
}

void weighted_rows_scalar(const WeightedRow* rows, std::size_t n_rows, const float* values,
                          std::size_t value_stride, std::size_t value_dim) {
  for (std::size_t r = 0; r < n_rows; ++r) {
    float* o = rows[r].out;
    if (!rows[r].accumulate) std::fill(o, o + value_dim, 0.0f);
    for (std::size_t j = rows[r].begin; j < rows[r].end; ++j) {
      const float w = rows[r].weights[j - rows[r].begin];
      const float* v = values + j * value_stride;
      for (std::size_t d = 0; d < value_dim; ++d) o[d] = std::fma(w, v[d], o[d]);
    }
  }
}

void pack_key_tiles(const float* keys, std::size_t key_stride, std::size_t count,
                    std::size_t key_dim, float* out) {
  for (std::size_t j0 = 0; j0 < count; j0 += 8) {
    float* tile = out + (j0 / 8) * key_tile_floats(key_dim);
    const std::size_t n = std::min<std::size_t>(8, count - j0);
    for (std::size_t i = 0; i < 8; ++i) {
      const float* key = keys + (j0 + i) * key_stride;
      for (std::size_t d = 0; d < key_dim; ++d) tile[8 * d + i] = i < n ? key[d] : 0.0f;
    }
  }
}

}  // namespace detail

namespace {

using ScoresRowsKernel = void (*)(const float* const* qs, std::size_t n_q, const float* keys,
                                  std::size_t key_stride, std::size_t count, std::size_t key_dim,
                                  float scale, float* const* outs);

struct Kernels {
  detail::AttentionScoresKernel scores;
  ScoresRowsKernel scores_rows;            ///< null: score row by row
  detail::ScoresTilesKernel scores_tiles;  ///< null: no tiled keys
  detail::RowMaxKernel row_max;
  detail::ExpShiftedKernel exp_shifted;
  detail::ScaleKernel scale;
  detail::WeightedRowsKernel weighted_rows;
};

Kernels kernels() {
  switch (active_kernel_path()) {
    case KernelPath::avx512:
      return {detail::attention_scores_avx512,
              detail::attention_scores_rows_avx512,
              nullptr,
              detail::row_max_avx512,
              detail::exp_shifted_avx512,
              detail::scale_avx512,
              detail::weighted_rows_avx512};
    case KernelPath::avx2:
      return {detail::attention_scores_avx2,
              nullptr,
              detail::attention_scores_tiles_avx2,
              detail::row_max_avx2,
              detail::exp_shifted_avx2,
              detail::scale_avx2,
              detail::weighted_rows_avx2};
    case KernelPath::scalar: break;
  }
  return {detail::attention_scores_scalar,
          nullptr,
          nullptr,
          detail::row_max_scalar,
          detail::exp_shifted_scalar,
          detail::scale_scalar,
          detail::weighted_rows_scalar};
}

// Rows (query, head pairs) that share one KV head are processed this many at a time: their
// softmax sums and P·V chains are independent, so interleaving them hides latency.
constexpr std::size_t block_rows = 8;

// softmax() of each row (same operations per row), with the rows' double sums interleaved.
void softmax_rows(const Kernels& k, float* const* rows, const std::size_t* lengths,
                  std::size_t n_rows) {
  double sums[block_rows] = {};
  std::size_t shortest = lengths[0];
  for (std::size_t r = 0; r < n_rows; ++r) {
    float* x = rows[r];
    const std::size_t n = lengths[r];
    k.exp_shifted(x, n, k.row_max(x, n));
    shortest = std::min(shortest, n);
  }
  if (n_rows == block_rows) {
    // A fixed count keeps the sums in registers: block_rows independent chains.
    const float* x[block_rows];
    double s[block_rows] = {};
    std::copy(rows, rows + block_rows, x);
    for (std::size_t i = 0; i < shortest; ++i) {
      for (std::size_t r = 0; r < block_rows; ++r) s[r] += x[r][i];
    }
    std::copy(s, s + block_rows, sums);
  } else {
    for (std::size_t i = 0; i < shortest; ++i) {
      for (std::size_t r = 0; r < n_rows; ++r) sums[r] += rows[r][i];
    }
  }
  for (std::size_t r = 0; r < n_rows; ++r) {
    float* x = rows[r];
    double sum = sums[r];
    for (std::size_t i = shortest; i < lengths[r]; ++i) sum += x[i];
    const auto inverse = static_cast<float>(1.0 / sum);
    k.scale(x, lengths[r], inverse);
  }
}

// Positions per block of the few-query path: 8 cache rows of a 130M llama's keys (24 KB) stay
// in L1 while every head scores them, and the next 8 rows are prefetched meanwhile, so the
// cache is read in address order, once (blocks of 4, 16 and 32 streamed slower from memory:
// lmc_nn_attention_benchmark's decode300/64caches).
constexpr std::size_t few_block = 8;

// Asks for the `floats` floats from each of the rows [j0, j1) (`stride` floats apart) to be
// brought into the caches: the next block's part of a head, fetched while this block is worked.
void prefetch_rows(const float* base, std::size_t stride, std::size_t j0, std::size_t j1,
                   std::size_t floats) {
  for (std::size_t j = j0; j < j1; ++j) {
    const char* row = reinterpret_cast<const char*>(base + j * stride);
    for (std::size_t b = 0; b < floats * sizeof(float); b += 64) __builtin_prefetch(row + b, 0, 2);
  }
}

// causal_attention for n_queries < block_rows, KV heads [kv_begin, kv_end): position-major.
// For each block of few_block positions every row (query, head) scores the keys it sees there,
// then, after each row's softmax, every row continues its P·V chain over the block's values
// (WeightedRow::accumulate). A decoding step (one query) thus streams each layer's cache
// once, in address order, instead of once per head with a stride of a whole cache row. Every
// score is its own dot product and every P·V chain still runs in increasing key order, so the
// bits are those of the head-by-head path.
void few_query_attention(const Kernels& k, const AttentionConfig& config, const float* queries,
                         std::size_t query_stride, std::size_t n_queries,
                         std::size_t first_position, const float* keys, const float* values,
                         float* out, std::size_t kv_begin, std::size_t kv_end) {
  const std::size_t group = config.n_heads / config.n_kv_heads;
  const std::size_t key_row = config.n_kv_heads * config.key_dim;
  const std::size_t value_row = config.n_kv_heads * config.value_dim;
  const std::size_t out_row = config.n_heads * config.value_dim;
  const std::size_t rows_per_kv = group * n_queries;
  const std::size_t n_rows = (kv_end - kv_begin) * rows_per_kv;
  thread_local std::vector<float> scores;
  thread_local std::vector<detail::WeightedRow> rows;
  thread_local std::vector<const float*> q_ptr;
  thread_local std::vector<std::size_t> lengths;
  const std::size_t row_floats = first_position + n_queries;
  scores.resize(n_rows * row_floats);
  rows.resize(n_rows);
  q_ptr.resize(n_rows);
  lengths.resize(n_rows);
  // Row kv·rows_per_kv + g·n_queries + t: query t of head kv·group + g.
  std::size_t lo = first_position + n_queries, hi = 0;
  for (std::size_t r = 0; r < n_rows; ++r) {
    const std::size_t h = kv_begin * group + r / n_queries;
    const std::size_t t = r % n_queries;
    const std::size_t last = first_position + t;
    const std::size_t first =
        config.window > 0 && last + 1 > config.window ? last + 1 - config.window : 0;
    q_ptr[r] = queries + t * query_stride + h * config.key_dim;
    lengths[r] = last + 1 - first;
    rows[r] = {scores.data() + r * row_floats, first, last + 1,
               out + t * out_row + h * config.value_dim};
    lo = std::min(lo, first);
    hi = std::max(hi, last + 1);
  }
  for (std::size_t j0 = lo; j0 < hi; j0 += few_block) {
    const std::size_t j1 = std::min(hi, j0 + few_block);
    for (std::size_t r = 0; r < n_rows; ++r) {
      const std::size_t b = std::max(j0, rows[r].begin), e = std::min(j1, rows[r].end);
      if (b >= e) continue;
      const std::size_t kv = kv_begin + r / rows_per_kv;
      if (r % rows_per_kv == 0) {
        prefetch_rows(keys + kv * config.key_dim, key_row, j1, std::min(hi, j1 + few_block),
                      config.key_dim);
      }
      k.scores(q_ptr[r], keys + b * key_row + kv * config.key_dim, key_row, e - b, config.key_dim,
               config.scale, scores.data() + r * row_floats + (b - rows[r].begin));
    }
  }
  for (std::size_t r0 = 0; r0 < n_rows; r0 += block_rows) {
    const std::size_t n = std::min(block_rows, n_rows - r0);
    float* row_ptr[block_rows];
    for (std::size_t r = 0; r < n; ++r) {
      row_ptr[r] = scores.data() + (r0 + r) * row_floats;
      if (config.soft_cap > 0) soft_cap(row_ptr[r], lengths[r0 + r], config.soft_cap);
    }
    softmax_rows(k, row_ptr, lengths.data() + r0, n);
  }
  // The rows of one KV head share its values: one call per KV head and block.
  detail::WeightedRow part[block_rows];
  for (std::size_t j0 = lo; j0 < hi; j0 += few_block) {
    const std::size_t j1 = std::min(hi, j0 + few_block);
    for (std::size_t kv = kv_begin; kv < kv_end; ++kv) {
      prefetch_rows(values + kv * config.value_dim, value_row, j1, std::min(hi, j1 + few_block),
                    config.value_dim);
      for (std::size_t r0 = (kv - kv_begin) * rows_per_kv; r0 < (kv - kv_begin + 1) * rows_per_kv;
           r0 += block_rows) {
        const std::size_t r_end = std::min(r0 + block_rows, (kv - kv_begin + 1) * rows_per_kv);
        std::size_t n = 0;
        for (std::size_t r = r0; r < r_end; ++r) {
          const detail::WeightedRow& row = rows[r];
          const std::size_t b = std::max(j0, row.begin), e = std::min(j1, row.end);
          if (b >= e) continue;
          part[n++] = {row.weights + (b - row.begin), b, e, row.out, b > row.begin};
        }
        if (n > 0) {
          k.weighted_rows(part, n, values + kv * config.value_dim, value_row, config.value_dim);
        }
      }
    }
  }
}

}  // namespace

void causal_attention(const AttentionConfig& config, const float* queries, std::size_t query_stride,
                      std::size_t n_queries, std::size_t first_position, const float* keys,
                      const float* values, float* out, base::ThreadPool* pool) {
  const std::size_t n_keys = first_position + n_queries;
  const std::size_t group = config.n_heads / config.n_kv_heads;
  const std::size_t key_row = config.n_kv_heads * config.key_dim;
  const std::size_t value_row = config.n_kv_heads * config.value_dim;
  const std::size_t out_row = config.n_heads * config.value_dim;
  const std::size_t max_visible = config.window > 0 ? std::min(config.window, n_keys) : n_keys;
  const Kernels k = kernels();

  if (n_queries < block_rows) {
    // Few queries (decoding): position-major over the cache, KV heads split over the pool in
    // contiguous runs (each output row is computed the same way whatever the split).
    const std::size_t n_parts = pool ? std::min(config.n_kv_heads, pool->size()) : 1;
    auto part_task = [&](std::size_t part) {
      few_query_attention(k, config, queries, query_stride, n_queries, first_position, keys, values,
                          out, part * config.n_kv_heads / n_parts,
                          (part + 1) * config.n_kv_heads / n_parts);
    };
    if (n_parts > 1) {
      pool->parallel_for(n_parts, part_task);
    } else {
      part_task(0);
    }
    return;
  }

  // A unit of work is one query head. Each output row is computed the same way whatever the
  // unit, the batch or the thread that runs it.
  const std::size_t n_units = config.n_heads;
  const std::size_t heads_per_unit = 1;
  // A block's rows are consecutive queries of one head, so their visible keys span at most
  // max_visible + 7 positions, at most 14 more as whole tiles of 8.
  const bool tiled = k.scores_tiles != nullptr;
  const std::size_t row_floats = max_visible + 24;

  auto unit_task = [&](std::size_t unit) {
    thread_local std::vector<float> scores, key_tiles;
    scores.resize(block_rows * row_floats);
    const std::size_t h_begin = unit * heads_per_unit;
    const std::size_t kv = h_begin / group;
    const float* unit_keys = keys + kv * config.key_dim;
    const float* unit_values = values + kv * config.value_dim;
    if (tiled) {
      // Many queries of this head: its keys transposed once, for the tiled scores.
      key_tiles.resize((n_keys + 7) / 8 * detail::key_tile_floats(config.key_dim));
      detail::pack_key_tiles(unit_keys, key_row, n_keys, config.key_dim, key_tiles.data());
    }
    const std::size_t n_rows = heads_per_unit * n_queries;
    float* row_ptr[block_rows];
    std::size_t lengths[block_rows];
    detail::WeightedRow weighted[block_rows];
    const float* q_ptr[block_rows];
    for (std::size_t r0 = 0; r0 < n_rows; r0 += block_rows) {
      const std::size_t rows = std::min(block_rows, n_rows - r0);
      bool same_first = true;
      std::size_t shortest = max_visible;
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t h = h_begin + (r0 + r) / n_queries;
        const std::size_t t = (r0 + r) % n_queries;
        const std::size_t last = first_position + t;
        const std::size_t first =
            config.window > 0 && last + 1 > config.window ? last + 1 - config.window : 0;
        q_ptr[r] = queries + t * query_stride + h * config.key_dim;
        row_ptr[r] = scores.data() + r * row_floats;
        lengths[r] = last + 1 - first;
        weighted[r] = {row_ptr[r], first, last + 1, out + t * out_row + h * config.value_dim};
        same_first = same_first && first == weighted[0].begin;
        shortest = std::min(shortest, lengths[r]);
      }
      // Every score is its own dot product, so the keys the rows share may be scored together
      // and the rest row by row, or every key of the rows' tiles for all rows at once.
      if (tiled) {
        std::size_t lo = weighted[0].begin, hi = weighted[0].end;
        for (std::size_t r = 1; r < rows; ++r) {
          lo = std::min(lo, weighted[r].begin);
          hi = std::max(hi, weighted[r].end);
        }
        const std::size_t tile_begin = lo / 8;
        k.scores_tiles(q_ptr, rows, key_tiles.data(), tile_begin, (hi + 7) / 8, config.key_dim,
                       config.scale, row_ptr);
        for (std::size_t r = 0; r < rows; ++r) {
          row_ptr[r] += weighted[r].begin - 8 * tile_begin;
          weighted[r].weights = row_ptr[r];
          if (config.soft_cap > 0) soft_cap(row_ptr[r], lengths[r], config.soft_cap);
        }
        softmax_rows(k, row_ptr, lengths, rows);
        k.weighted_rows(weighted, rows, unit_values, value_row, config.value_dim);
        continue;
      }
      std::size_t shared = 0;
      if (k.scores_rows && same_first && rows > 1) {
        shared = shortest;
        k.scores_rows(q_ptr, rows, unit_keys + weighted[0].begin * key_row, key_row, shared,
                      config.key_dim, config.scale, row_ptr);
      }
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t first = weighted[r].begin + shared;
        k.scores(q_ptr[r], unit_keys + first * key_row, key_row, lengths[r] - shared,
                 config.key_dim, config.scale, row_ptr[r] + shared);
        if (config.soft_cap > 0) soft_cap(row_ptr[r], lengths[r], config.soft_cap);
      }
      softmax_rows(k, row_ptr, lengths, rows);
      k.weighted_rows(weighted, rows, unit_values, value_row, config.value_dim);
    }
  };
  if (pool && n_units > 1) {
    pool->parallel_for(n_units, unit_task);
  } else {
    for (std::size_t u = 0; u < n_units; ++u) unit_task(u);
  }
}

}  // namespace nn
LMC_END_NAMESPACE

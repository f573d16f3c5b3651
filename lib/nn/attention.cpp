#include "nn/attention.hpp"

#include "nn/elementwise.hpp"
#include "nn/matmul.hpp"
#include "nn/softmax.hpp"

#include <algorithm>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace nn {

void causal_attention(const AttentionConfig& config, const float* queries, std::size_t query_stride,
                      std::size_t n_queries, std::size_t first_position, const float* keys,
                      const float* values, float* out, ThreadPool* pool) {
  const std::size_t n_keys = first_position + n_queries;
  const std::size_t group = config.n_heads / config.n_kv_heads;
  const std::size_t key_row = config.n_kv_heads * config.key_dim;
  const std::size_t value_row = config.n_kv_heads * config.value_dim;
  const std::size_t out_row = config.n_heads * config.value_dim;

  auto head_task = [&](std::size_t h) {
    const std::size_t kv = h / group;
    // scores[t][j] = q_t · k_j for every key (masked ones are computed and ignored: each dot
    // product is the same whatever the batch, so batched and incremental runs agree).
    std::vector<float> scores(n_queries * n_keys);
    WeightMatrix key_matrix{WeightType::f32, n_keys, config.key_dim,
                            reinterpret_cast<const std::byte*>(keys + kv * config.key_dim),
                            key_row * 4};
    matmul(key_matrix, queries + h * config.key_dim, query_stride, n_queries, scores.data(), n_keys,
           nullptr, nullptr);
    for (std::size_t t = 0; t < n_queries; ++t) {
      const std::size_t last = first_position + t;
      const std::size_t first =
          config.window > 0 && last + 1 > config.window ? last + 1 - config.window : 0;
      float* row = scores.data() + t * n_keys + first;
      const std::size_t visible = last + 1 - first;
      for (std::size_t j = 0; j < visible; ++j) row[j] = row[j] * config.scale;
      if (config.soft_cap > 0) soft_cap(row, visible, config.soft_cap);
      softmax(row, visible);
      float* o = out + t * out_row + h * config.value_dim;
      std::fill(o, o + config.value_dim, 0.0f);
      weighted_row_sum(row, values + first * value_row + kv * config.value_dim, value_row, visible,
                       o, config.value_dim);
    }
  };
  if (pool && config.n_heads > 1) {
    pool->parallel_for(config.n_heads, head_task);
  } else {
    for (std::size_t h = 0; h < config.n_heads; ++h) head_task(h);
  }
}

}  // namespace nn
LMC_END_NAMESPACE

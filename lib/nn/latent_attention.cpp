#include "nn/latent_attention.hpp"

#include "nn/matmul.hpp"
#include "nn/normalization.hpp"

#include <algorithm>

LMC_BEGIN_NAMESPACE
namespace nn {

void latent_queries_keys_values(const LatentAttentionConfig& config,
                                const LatentAttentionWeights& weights, std::size_t n_heads,
                                std::size_t n_embd, float norm_eps, const RopeTable& rope,
                                const float* normed, std::size_t n, float* queries, float* keys,
                                float* values, base::ThreadPool* pool) {
  const std::size_t head = config.nope_dim + config.rope_dim, q_width = n_heads * head;
  const std::size_t lora = config.kv_lora, key_width = config.key_width();
  const std::size_t absorbed_width = n_heads * key_width;

  // The per-head queries [q_nope; q_pe], through the query compression when there is one.
  std::vector<float> q(n * q_width);
  if (config.q_lora > 0) {
    std::vector<float> compressed(n * config.q_lora);
    matmul(weights.query_a, normed, n_embd, n, compressed.data(), config.q_lora, nullptr, pool);
    for (std::size_t t = 0; t < n; ++t) {
      float* row = compressed.data() + t * config.q_lora;
      rms_norm(row, weights.query_a_norm.data(), norm_eps, config.q_lora, row);
    }
    matmul(weights.query_b, compressed.data(), config.q_lora, n, q.data(), q_width, nullptr, pool);
  } else {
    matmul(weights.query, normed, n_embd, n, q.data(), q_width, nullptr, pool);
  }
  for (std::size_t h = 0; h < n_heads; ++h) {
    matmul(weights.key_b[h], q.data() + h * head, q_width, n, queries + h * key_width,
           absorbed_width, nullptr, pool);
  }

  // [c; k_pe] straight into the cache's key rows; c is normed there and copied to the values.
  matmul(weights.kv_a, normed, n_embd, n, keys, key_width, nullptr, pool);
  for (std::size_t t = 0; t < n; ++t) {
    float* q_row = queries + t * absorbed_width;
    float* k_row = keys + t * key_width;
    for (std::size_t h = 0; h < n_heads; ++h) {
      std::copy_n(q.data() + t * q_width + h * head + config.nope_dim, config.rope_dim,
                  q_row + h * key_width + lora);
    }
    rope.apply(t, q_row + lora, n_heads, key_width);
    rope.apply(t, k_row + lora, 1, key_width);
    rms_norm(k_row, weights.kv_a_norm.data(), norm_eps, lora, k_row);
    std::copy_n(k_row, lora, values + t * config.value_width());
  }
}

void latent_value_heads(const LatentAttentionConfig& config, const LatentAttentionWeights& weights,
                        std::size_t n_heads, const float* attended, std::size_t n, float* out,
                        base::ThreadPool* pool) {
  const std::size_t lora = config.kv_lora, dv = config.value_dim;
  for (std::size_t h = 0; h < n_heads; ++h) {
    matmul(weights.value_b[h], attended + h * lora, n_heads * lora, n, out + h * dv, n_heads * dv,
           nullptr, pool);
  }
}

}  // namespace nn
LMC_END_NAMESPACE

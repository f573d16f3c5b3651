// Causal multi-head attention of a batch of queries against a KV cache: multi-head, grouped-
// query and multi-query (query head h reads KV head h / (n_heads / n_kv_heads)), optional
// sliding window and score soft-capping.
#pragma once

#include "base/thread_pool.hpp"

#include <cstddef>

LMC_BEGIN_NAMESPACE
namespace nn {

struct AttentionConfig {
  std::size_t n_heads = 0;
  std::size_t n_kv_heads = 0;
  std::size_t key_dim = 0;    ///< per head
  std::size_t value_dim = 0;  ///< per head
  float scale = 1.0f;         ///< scores are (q·k)·scale
  float soft_cap = 0.0f;      ///< when > 0, scores s → cap·tanh(s/cap) after scaling
  std::size_t window = 0;     ///< when > 0, key j is visible from query i iff i − j < window
};

/// For t < n_queries, the query at position first_position + t (row t of `queries`, heads of
/// key_dim floats, rows `query_stride` apart) attends to cache positions 0..first_position+t.
/// keys/values: cache rows of n_kv_heads·key_dim / n_kv_heads·value_dim floats.
/// out: n_queries rows of n_heads·value_dim floats. Heads run in parallel on `pool`.
void causal_attention(const AttentionConfig& config, const float* queries, std::size_t query_stride,
                      std::size_t n_queries, std::size_t first_position, const float* keys,
                      const float* values, float* out, ThreadPool* pool);

}  // namespace nn
LMC_END_NAMESPACE

// Causal multi-head attention of a batch of queries against a KV cache: multi-head, grouped-
// query and multi-query (query head h reads KV head h / (n_heads / n_kv_heads)), optional
// sliding window and score soft-capping.
//
// Order of operations (the numeric contract; every SIMD path, batch split and thread count
// gives these bits): for query i, head h and each visible key j (j ≤ i; i − j < window when
// window > 0), s_j = dot(q, k_j) in matmul.hpp's 16-lane order, times scale (one float
// multiply), then soft_cap when soft_cap > 0; p = softmax(s) as softmax.hpp computes it (first
// maximum, s − max, exp_in_place, double sum in key order, times the float inverse); then
// out[d] = fma(p_j, v_j[d], …) over visible keys in increasing j, starting from +0.
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
                      const float* values, float* out, base::ThreadPool* pool);

}  // namespace nn
LMC_END_NAMESPACE

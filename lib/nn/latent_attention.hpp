// DeepSeek-V2's multi-head latent attention (MLA), computed in its absorbed form: as multi-query
// attention with one KV head whose key is [c; k_pe] and whose value is c, where c is the
// RMS-normed kv_lora-wide latent of the token and k_pe its rotated positional part. Each query
// head h becomes [k_b[h]·q_nope_h; q_pe_h], so that its scores equal q_h · [k_b[h]ᵀ·c; k_pe],
// the scores of the decompressed heads, and its output v_b[h] · Σ p_j c_j equals the
// decompressed heads' Σ p_j (v_b[h]·c_j). The KV cache therefore holds kv_lora + rope floats of
// keys and kv_lora floats of values per position, for every head.
#pragma once

#include "base/thread_pool.hpp"
#include "nn/rope.hpp"
#include "nn/weights.hpp"

#include <cstddef>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace nn {

/// Sizes of the latent attention; kv_lora == 0: a layer uses ordinary attention.
struct LatentAttentionConfig {
  std::size_t q_lora = 0;   ///< rank of the query compression; 0: one query projection
  std::size_t kv_lora = 0;  ///< width of the key/value latent c
  std::size_t nope_dim = 0, rope_dim = 0;  ///< per head; the q·k width is their sum
  std::size_t value_dim = 0;               ///< per head, after decompression
  bool enabled() const { return kv_lora > 0; }
  /// Widths of one cache row: keys [c; k_pe], values c.
  std::size_t key_width() const { return kv_lora + rope_dim; }
  std::size_t value_width() const { return kv_lora; }
};

struct LatentAttentionWeights {
  WeightMatrix query;    ///< [H·(nope + rope)][E] without a query compression, else
  WeightMatrix query_a;  ///< [q_lora][E], then RMS with query_a_norm, then
  std::vector<float> query_a_norm;
  WeightMatrix query_b;  ///< [H·(nope + rope)][q_lora]
  WeightMatrix kv_a;     ///< [kv_lora + rope][E]: the latent c, then k_pe
  std::vector<float> kv_a_norm;
  std::vector<WeightMatrix> key_b;    ///< per head [kv_lora][nope]
  std::vector<WeightMatrix> value_b;  ///< per head [Dv][kv_lora]
  bool present() const { return static_cast<bool>(kv_a); }
};

/// For `n` rows of `normed` (E floats each): the absorbed queries (row t: H heads of
/// key_width() floats, [k_b[h]·q_nope; rope(q_pe)]) and the cache rows of keys ([RMS(c);
/// rope(k_pe)]) and values (RMS(c)). `rope` rotates rope_dim dimensions; row t of the batch is
/// its entry t.
void latent_queries_keys_values(const LatentAttentionConfig& config,
                                const LatentAttentionWeights& weights, std::size_t n_heads,
                                std::size_t n_embd, float norm_eps, const RopeTable& rope,
                                const float* normed, std::size_t n, float* queries, float* keys,
                                float* values, base::ThreadPool* pool);

/// out[t] = [v_b[h] · attended[t][h]] over heads: `attended` holds n rows of H latents
/// (kv_lora floats each), out n rows of H·Dv floats.
void latent_value_heads(const LatentAttentionConfig& config, const LatentAttentionWeights& weights,
                        std::size_t n_heads, const float* attended, std::size_t n, float* out,
                        base::ThreadPool* pool);

}  // namespace nn
LMC_END_NAMESPACE

// The decoder-only transformer forward pass shared by every architecture. An architecture is
// a TransformerConfig (which building blocks, which sizes) plus TransformerWeights bound from
// a file by lib/model; nothing here knows file formats or tensor names.
//
// Dimension letters: T tokens in the batch, E embedding width, H query heads, G KV heads,
// Dk/Dv key/value width per head, F feed-forward width, V vocabulary.
#pragma once

#include "base/thread_pool.hpp"
#include "nn/kv_cache.hpp"
#include "nn/latent_attention.hpp"
#include "nn/rope.hpp"
#include "nn/ssm.hpp"
#include "nn/weights.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace nn {

enum class NormKind { rms, layer };
enum class Activation { silu, gelu_tanh, gelu_erf };

enum class FeedForwardKind {
  gated,        ///< down(act(gate·n) ⊙ up·n)
  plain,        ///< down(act(up·n + b) ) + b
  gated_fused,  ///< up has 2F rows [gate; up]: down(act(y[:F]) ⊙ y[F:])  (phi3)
  mixture,      ///< softmax router, top-k experts renormalized, each a gated FFN (Mixtral)
};
// A layer whose LayerWeights has a router computes `mixture` whatever the config's kind (Jamba
// mixes dense and expert layers); a layer without FFN weights (Mamba) has no FFN.

enum class ResidualKind {
  sequential,         ///< x += attn(norm1 x); x += ffn(norm2 x)
  parallel_shared,    ///< x += attn(n) + ffn(n), n = norm1 x   (phi2, falcon)
  parallel_separate,  ///< x += attn(norm1 x) + ffn(norm2 x)     (gptneox)
};

enum class SlidingLayers {
  none,
  all,
  even,
  listed,  ///< the layers marked in TransformerConfig::local_layer (Gemma 3's 5:1 pattern)
};

struct TransformerConfig {
  std::size_t n_vocab = 0, n_embd = 0, n_layers = 0;
  std::size_t n_heads = 0, n_kv_heads = 0, key_dim = 0, value_dim = 0;
  std::size_t n_ff = 0;
  std::size_t n_experts = 0, n_experts_used = 0;
  std::size_t n_ff_expert = 0;  ///< each expert's FFN width; 0: n_ff
  NormKind norm = NormKind::rms;
  float norm_eps = 1e-5f;
  bool use_rope = true;
  RopeConfig rope;
  Activation activation = Activation::silu;
  FeedForwardKind feed_forward = FeedForwardKind::gated;
  ResidualKind residual = ResidualKind::sequential;
  float embedding_scale = 0.0f;     ///< when > 0, token embeddings are multiplied by it
  float attention_scale = 0.0f;     ///< 0: 1/sqrt(key_dim)
  float attention_soft_cap = 0.0f;  ///< 0: off
  float final_soft_cap = 0.0f;      ///< 0: off
  std::size_t sliding_window = 0;
  SlidingLayers sliding_layers = SlidingLayers::none;
  /// Per layer (empty: none): the layer is local. With SlidingLayers::listed its attention is
  /// windowed; with local_rope_base > 0 it rotates with that base and no scaling of any kind.
  std::vector<bool> local_layer;
  double local_rope_base = 0.0;
  /// Per layer (empty: none): RoPE is skipped on the layer's q and k (SmolLM3's NoPE layers).
  std::vector<bool> no_rope_layer;
  bool renormalize_experts = true;    ///< divide the top-k probabilities by their sum (Mixtral)
  float expert_weights_scale = 1.0f;  ///< multiplies the top-k weights (DeepSeek-V2)
  /// Group-limited routing (> 1): experts in expert_groups groups, of which expert_groups_used
  /// compete for the top-k (transformer.cpp, limit_to_expert_groups).
  std::size_t expert_groups = 0, expert_groups_used = 0;
  /// Layers with latent_attention weights attend through it; key_dim and value_dim are then
  /// its cache widths (kv_lora + rope, kv_lora) with n_kv_heads = 1.
  LatentAttentionConfig latent_attention;
  SsmConfig ssm;  ///< sizes of the layers that are Mamba blocks
};

/// A normalization's parameters (bias empty for RMSNorm or LayerNorm without bias).
struct Norm {
  std::vector<float> weight, bias;
  bool present() const { return !weight.empty(); }
};

/// y = W·x + b (bias empty: none).
struct Linear {
  WeightMatrix weight;
  std::vector<float> bias;
  bool present() const { return static_cast<bool>(weight); }
  const float* bias_or_null() const { return bias.empty() ? nullptr : bias.data(); }
};

struct LayerWeights {
  Norm attention_norm;       ///< absent: attention reads the residual stream itself (olmo2)
  Linear query, key, value;  ///< separate projections, or
  Linear query_key_value;    ///< fused rows [Q (H·Dk); K (G·Dk); V (G·Dv)]
  /// RMSNorms of the projected queries and keys, before RoPE: each consecutive run of
  /// weight.size() values is normalised with that weight, so a weight of Dk values normalises
  /// every head on its own (qwen3) and one of H·Dk (G·Dk) the whole projection (olmo2).
  Norm query_norm, key_norm;
  Linear attention_output;
  Norm post_attention_norm;  ///< gemma2: on the attention output, before the residual
  /// Absent with ResidualKind::parallel_shared; absent with sequential: the FFN reads the
  /// residual stream itself (olmo2).
  Norm feed_forward_norm;
  Linear gate, up, down;
  Norm post_feed_forward_norm;
  Linear router;  ///< mixture: [n_experts][E]
  std::vector<WeightMatrix> expert_gate, expert_up, expert_down;
  Linear shared_gate, shared_up, shared_down;  ///< mixture: a gated FFN every token also runs
  LatentAttentionWeights latent;               ///< in place of query, key, value
  /// A Mamba block in place of attention (attention_norm is its norm); its state lives in the
  /// cache's recurrent(l).
  MambaWeights mamba;
};

struct TransformerWeights {
  WeightMatrix token_embedding;     ///< [V][E]
  WeightMatrix position_embedding;  ///< learned absolute positions [context][E], or none
  std::vector<LayerWeights> layers;
  Norm output_norm;
  Linear output;  ///< [V][E]; may view token_embedding (tied)
};

/// Which positions of a forward call get logits.
enum class LogitsFor { all, last, none };

/// One sequence of a multi-sequence forward call: `tokens` go to positions cache->length()...
/// of `cache`.
struct SequenceFeed {
  std::span<const std::int32_t> tokens;
  KvCache* cache = nullptr;
};

class Transformer {
 public:
  /// Both are referenced, not copied: they must outlive the Transformer.
  Transformer(const TransformerConfig& config, const TransformerWeights& weights)
      : config_(config), weights_(weights) {}

  const TransformerConfig& config() const { return config_; }

  KvCache make_cache(std::size_t max_length) const {
    std::vector<std::size_t> recurrent(config_.n_layers, 0);
    for (std::size_t l = 0; l < config_.n_layers && l < weights_.layers.size(); ++l) {
      if (weights_.layers[l].mamba.present()) recurrent[l] = config_.ssm.state_floats();
    }
    return KvCache(config_.n_layers, config_.n_kv_heads * config_.key_dim,
                   config_.n_kv_heads * config_.value_dim, max_length, std::move(recurrent));
  }

  /// Bytes a cache of make_cache holds at `positions` positions: keys and values of every
  /// attention layer, the fixed recurrent state of every state-space layer (all F32).
  std::size_t cache_bytes(std::size_t positions) const {
    const std::size_t kv_floats = config_.n_kv_heads * (config_.key_dim + config_.value_dim);
    std::size_t floats = 0;
    for (std::size_t l = 0; l < config_.n_layers; ++l) {
      const bool recurrent = l < weights_.layers.size() && weights_.layers[l].mamba.present();
      floats += recurrent ? config_.ssm.state_floats() : positions * kv_floats;
    }
    return floats * sizeof(float);
  }

  /// Feeds `tokens` at positions cache.length()... and appends them to the cache. Writes
  /// logits (V floats per position) for every fed position (LogitsFor::all, T·V floats) or
  /// the last one (V floats) into `logits`. Tokens must be < V (checked).
  void forward(std::span<const std::int32_t> tokens, KvCache& cache, base::ThreadPool* pool,
               LogitsFor which, float* logits) const;

  /// Feeds several sequences, each into its own cache, in one pass: the rows of all of them
  /// (S sequences, T tokens in all) go through every matrix product together, so each weight
  /// is read once for all of them, while attention and recurrent state stay per sequence.
  /// Logits: LogitsFor::all, T·V floats, the rows of sequence 0's tokens first; last, S·V
  /// floats, one row per sequence (its last token); every sequence needs a token then. Each
  /// sequence's logits and cache are bit-identical to forward(tokens, *cache, ...) on it alone
  /// (the kernels' per-row results do not depend on the batch). The caches must be distinct;
  /// T must not exceed max_batch. Tokens must be < V (checked).
  void forward_many(std::span<const SequenceFeed> sequences, base::ThreadPool* pool,
                    LogitsFor which, float* logits) const;

  /// Largest number of positions processed at once; longer inputs run in chunks (with the
  /// same results, see matmul.hpp).
  static constexpr std::size_t max_batch = 512;

 private:
  void check_tokens(std::span<const std::int32_t> tokens) const;
  void forward_chunk(std::span<const SequenceFeed> sequences, base::ThreadPool* pool,
                     LogitsFor which, float* logits) const;

  const TransformerConfig& config_;
  const TransformerWeights& weights_;
};

}  // namespace nn
LMC_END_NAMESPACE

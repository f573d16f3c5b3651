// The model fingerprint: lmc's own multiply-xorshift hash (not cryptographic) over the
// architecture, the hyper-parameters, the tokenizer and every weight byte (about 0.2 s per GB).
#include "model/model_fingerprint.hpp"

#include "nn/numeric_profile.hpp"

#include <fmt/format.h>

#include <bit>
#include <cstring>

LMC_BEGIN_NAMESPACE
namespace model {
namespace {

/// A streaming 64-bit hash: four independent multiply-xorshift lanes over 8-byte words (several
/// GB/s), then the tail and the length. Identifies data; not meant to resist an adversary.
class FastHash {
 public:
  void bytes(const std::byte* data, std::size_t size) {
    total_ += size;
    std::size_t i = 0;
    // Finish a pending partial block first so the result does not depend on how calls split.
    while (pending_size_ != 0 && i < size) {
      pending_[pending_size_++] = data[i++];
      if (pending_size_ == sizeof(pending_)) {
        block(pending_);
        pending_size_ = 0;
      }
    }
    for (; i + 32 <= size; i += 32) block(data + i);
    for (; i < size; ++i) pending_[pending_size_++] = data[i];
  }
  template <class T>
  void value(const T& v) {
    bytes(reinterpret_cast<const std::byte*>(&v), sizeof(T));
  }
  void text(std::string_view s) {
    value(static_cast<std::uint64_t>(s.size()));
    bytes(reinterpret_cast<const std::byte*>(s.data()), s.size());
  }
  std::uint64_t finish() const {
    std::uint64_t h = total_ * 0x9E3779B97F4A7C15ull;
    for (std::uint64_t lane : lanes_) h = mix(h ^ lane);
    for (std::size_t i = 0; i < pending_size_; ++i) {
      h = mix(h ^ static_cast<std::uint64_t>(pending_[i]) ^ (static_cast<std::uint64_t>(i) << 8));
    }
    return mix(h);
  }

 private:
  static std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 32);
  }
  void block(const std::byte* p) {
    for (std::size_t lane = 0; lane < 4; ++lane) {
      std::uint64_t word;
      std::memcpy(&word, p + 8 * lane, 8);
      std::uint64_t x = (lanes_[lane] ^ word) * 0x9E3779B97F4A7C15ull;
      lanes_[lane] = std::rotl(x, 27) + word;
    }
  }
  std::uint64_t lanes_[4] = {1, 2, 3, 4};
  std::byte pending_[32] = {};
  std::size_t pending_size_ = 0;
  std::uint64_t total_ = 0;
};

void hash_floats(FastHash& hash, const std::vector<float>& v) {
  hash.value(static_cast<std::uint64_t>(v.size()));
  hash.bytes(reinterpret_cast<const std::byte*>(v.data()), v.size() * sizeof(float));
}

void hash_matrix(FastHash& hash, const nn::WeightMatrix& m) {
  hash.value(static_cast<std::uint32_t>(m.type));
  hash.value(static_cast<std::uint64_t>(m.rows));
  hash.value(static_cast<std::uint64_t>(m.cols));
  if (!m) return;
  if (m.row_stride() == m.row_bytes()) {
    hash.bytes(m.data, m.rows * m.row_bytes());
    return;
  }
  for (std::size_t r = 0; r < m.rows; ++r) hash.bytes(m.row(r), m.row_bytes());
}

void hash_norm(FastHash& hash, const nn::Norm& n) {
  hash_floats(hash, n.weight);
  hash_floats(hash, n.bias);
}

void hash_linear(FastHash& hash, const nn::Linear& l) {
  hash_matrix(hash, l.weight);
  hash_floats(hash, l.bias);
}

void hash_config(FastHash& hash, const nn::TransformerConfig& c) {
  for (std::size_t v : {c.n_vocab, c.n_embd, c.n_layers, c.n_heads, c.n_kv_heads, c.key_dim,
                        c.value_dim, c.n_ff, c.n_experts, c.n_experts_used, c.sliding_window}) {
    hash.value(static_cast<std::uint64_t>(v));
  }
  for (int v : {static_cast<int>(c.norm), static_cast<int>(c.use_rope),
                static_cast<int>(c.activation), static_cast<int>(c.feed_forward),
                static_cast<int>(c.residual), static_cast<int>(c.sliding_layers)}) {
    hash.value(v);
  }
  for (float v :
       {c.norm_eps, c.embedding_scale, c.attention_scale, c.attention_soft_cap, c.final_soft_cap}) {
    hash.value(std::bit_cast<std::uint32_t>(v));
  }
  // Hashed only when set (experts of their own width, or not renormalised outside Mamba models).
  if (c.n_ff_expert != 0) hash.value(static_cast<std::uint64_t>(c.n_ff_expert));
  if (c.n_experts > 0 && !c.ssm.enabled() && !c.renormalize_experts)
    hash.value(static_cast<int>(c.renormalize_experts));
  hash.value(static_cast<int>(c.rope.pairing));
  hash.value(static_cast<std::uint64_t>(c.rope.rotated_dims));
  hash.value(std::bit_cast<std::uint64_t>(c.rope.base));
  hash.value(std::bit_cast<std::uint64_t>(c.rope.freq_scale));
  hash_floats(hash, c.rope.freq_factors);
  // Hashed only when set, so that fingerprints of models without them stay as they were.
  if (c.rope.yarn_ext_factor != 0.0 || c.rope.attention_factor != 1.0) {
    for (double v :
         {c.rope.yarn_ext_factor, c.rope.yarn_low, c.rope.yarn_high, c.rope.attention_factor}) {
      hash.value(std::bit_cast<std::uint64_t>(v));
    }
  }
}

void hash_flags(FastHash& hash, const std::vector<bool>& flags) {
  hash.value(static_cast<std::uint64_t>(flags.size()));
  for (bool f : flags) hash.value(static_cast<std::uint8_t>(f));
}

// Per-layer patterns, hashed only when set, so that other fingerprints stay as they were.
void hash_layer_patterns(FastHash& hash, const nn::TransformerConfig& c) {
  if (c.local_layer.empty() && c.no_rope_layer.empty()) return;
  hash_flags(hash, c.local_layer);
  hash.value(std::bit_cast<std::uint64_t>(c.local_rope_base));
  hash_flags(hash, c.no_rope_layer);
}

// Hashed only for models with Mamba blocks, so that other fingerprints stay as they were.
void hash_ssm(FastHash& hash, const nn::TransformerConfig& c) {
  if (!c.ssm.enabled()) return;
  for (std::size_t v : {c.ssm.inner, c.ssm.state, c.ssm.conv, c.ssm.dt_rank})
    hash.value(static_cast<std::uint64_t>(v));
  hash.value(static_cast<int>(c.ssm.dt_bc_norm));
  hash.value(std::bit_cast<std::uint32_t>(c.ssm.norm_eps));
  hash.value(static_cast<int>(c.renormalize_experts));
}

void hash_mamba(FastHash& hash, const nn::MambaWeights& m) {
  if (!m.present()) return;
  for (const nn::WeightMatrix* matrix : {&m.in_proj, &m.x_proj, &m.dt_proj, &m.out_proj})
    hash_matrix(hash, *matrix);
  for (const std::vector<float>* v :
       {&m.conv_weight, &m.conv_bias, &m.dt_norm, &m.b_norm, &m.c_norm, &m.dt_bias, &m.a, &m.d})
    hash_floats(hash, *v);
}

// Hashed only for models with latent attention (DeepSeek-V2), so that other fingerprints stay
// as they were: its sizes, its weights, shared experts and the experts' weighting.
void hash_latent(FastHash& hash, const nn::TransformerConfig& c) {
  const nn::LatentAttentionConfig& a = c.latent_attention;
  if (!a.enabled()) return;
  for (std::size_t v : {a.q_lora, a.kv_lora, a.nope_dim, a.rope_dim, a.value_dim, c.n_ff_expert})
    hash.value(static_cast<std::uint64_t>(v));
  hash.value(std::bit_cast<std::uint32_t>(c.expert_weights_scale));
  if (c.expert_groups > 1) {
    hash.value(static_cast<std::uint64_t>(c.expert_groups));
    hash.value(static_cast<std::uint64_t>(c.expert_groups_used));
  }
  hash.value(static_cast<int>(c.renormalize_experts));
}

void hash_latent_weights(FastHash& hash, const nn::LayerWeights& l) {
  const nn::LatentAttentionWeights& m = l.latent;
  if (!m.present()) return;
  for (const nn::WeightMatrix* matrix : {&m.query, &m.query_a, &m.query_b, &m.kv_a})
    hash_matrix(hash, *matrix);
  hash_floats(hash, m.query_a_norm);
  hash_floats(hash, m.kv_a_norm);
  for (const auto* heads : {&m.key_b, &m.value_b}) {
    for (const nn::WeightMatrix& h : *heads) hash_matrix(hash, h);
  }
  for (const nn::Linear* linear : {&l.shared_gate, &l.shared_up, &l.shared_down})
    hash_linear(hash, *linear);
}

void hash_weights(FastHash& hash, const nn::TransformerWeights& w) {
  hash_matrix(hash, w.token_embedding);
  hash_matrix(hash, w.position_embedding);
  hash.value(static_cast<std::uint64_t>(w.layers.size()));
  for (const nn::LayerWeights& l : w.layers) {
    hash_norm(hash, l.attention_norm);
    for (const nn::Linear* linear : {&l.query, &l.key, &l.value, &l.query_key_value,
                                     &l.attention_output, &l.gate, &l.up, &l.down, &l.router}) {
      hash_linear(hash, *linear);
    }
    // Hashed only when present, so that fingerprints of models without them stay as they were.
    if (l.query_norm.present() || l.key_norm.present()) {
      hash_norm(hash, l.query_norm);
      hash_norm(hash, l.key_norm);
    }
    hash_norm(hash, l.post_attention_norm);
    hash_norm(hash, l.feed_forward_norm);
    hash_norm(hash, l.post_feed_forward_norm);
    for (const auto* experts : {&l.expert_gate, &l.expert_up, &l.expert_down}) {
      hash.value(static_cast<std::uint64_t>(experts->size()));
      for (const nn::WeightMatrix& m : *experts) hash_matrix(hash, m);
    }
    hash_mamba(hash, l.mamba);
    hash_latent_weights(hash, l);
  }
  hash_norm(hash, w.output_norm);
  // A tied output matrix views the embedding: hash whether it does, not its bytes twice.
  const bool tied = w.output.weight.data == w.token_embedding.data;
  hash.value(static_cast<std::uint8_t>(tied));
  if (tied) {
    hash_floats(hash, w.output.bias);
  } else {
    hash_linear(hash, w.output);
  }
}

void hash_tokenizer(FastHash& hash, const Tokenizer& t) {
  hash.text(t.model_type());
  hash.value(static_cast<std::uint64_t>(t.vocab_size()));
  for (std::size_t id = 0; id < t.vocab_size(); ++id) {
    const Token token = static_cast<Token>(id);
    hash.text(t.token_bytes(token));
    hash.value(static_cast<std::uint8_t>(t.is_special(token)));
  }
  hash.value(t.bos().value_or(-1));
}

}  // namespace

std::string fingerprint(std::string_view architecture, const BoundModel& bound,
                        const Tokenizer* tokenizer) {
  FastHash hash;
  hash.text(architecture);
  hash_config(hash, bound.config);
  hash_ssm(hash, bound.config);
  hash_latent(hash, bound.config);
  hash_layer_patterns(hash, bound.config);
  if (tokenizer) hash_tokenizer(hash, *tokenizer);
  hash_weights(hash, bound.weights);
  return fmt::format("lmc-model/1 {} {:016x}", architecture, hash.finish());
}

std::uint32_t numeric_profile(const BoundModel& bound) {
  FastHash type_hash;
  type_hash.text(bound.weight_type);
  // The integer recipe computes other bits from the same quantized weights (float models are
  // unaffected: the recipe only applies to quantized matrices, and the float hash is unchanged).
  if (bound.recipe == nn::QuantRecipe::integer) type_hash.text("/integer");
  return (nn::numerics_version << 16) | static_cast<std::uint32_t>(type_hash.finish() & 0xffffu);
}

}  // namespace model
LMC_END_NAMESPACE

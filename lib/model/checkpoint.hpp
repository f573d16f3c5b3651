// One model's tensors (by role) and hyper-parameters, read from a GGUF file or a Hugging Face
// folder. Hides the two conventions from the weight binder: names, the GGUF key prefix,
// config.json keys, GPT-2's transposed Conv1D matrices, Gemma's 1 + w norms.
#pragma once

#include "model/architecture.hpp"

#include <lmc/tensor.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

LMC_BEGIN_NAMESPACE

class GgufFile;

namespace model {

/// Sizes and settings as the file states them (before any check against tensor shapes).
struct HyperParameters {
  std::size_t n_embd = 0, n_layers = 0, n_heads = 0, n_kv_heads = 0;
  std::size_t key_dim = 0, value_dim = 0, n_ff = 0;
  std::size_t n_experts = 0, n_experts_used = 0;
  std::size_t n_ff_expert = 0;              ///< each expert's FFN width; 0: n_ff
  std::optional<bool> renormalize_experts;  ///< the checkpoint's own, else the family's
  std::size_t context_length = 0;
  std::size_t rope_dims = 0;
  double rope_base = 10000.0;
  double rope_freq_scale = 1.0;
  std::vector<float> rope_freq_factors;
  double rope_yarn_ext_factor = 0.0, rope_yarn_low = 0.0, rope_yarn_high = 0.0;
  double rope_attention_factor = 1.0;  ///< multiplies RoPE's cos and sin
  /// LongRoPE: per-pair divisors for contexts above rope_original_context (long) and up to it
  /// (short); chosen by rope_for_context.
  std::vector<float> rope_long_factors, rope_short_factors;
  std::size_t rope_original_context = 0;
  /// Hugging Face's dynamic NTK scaling (factor > 0): the base grows with the context used.
  double rope_dynamic_factor = 0.0;
  float norm_eps = 1e-5f;
  std::size_t sliding_window = 0;
  float attention_soft_cap = 0.0f, final_soft_cap = 0.0f;
  float attention_scale = 0.0f;              ///< 0: 1/sqrt(key_dim)
  std::optional<nn::Activation> activation;  ///< the checkpoint's own, else the family's
  bool tied_output = false;  ///< the output matrix is the embedding even if one is stored
  std::optional<nn::SlidingLayers> sliding_layers;  ///< the checkpoint's own, else the family's
  /// Per layer (empty: none): local layers (SlidingLayers::listed windows them; with
  /// rope_local_base > 0 they rotate with that base and no scaling); layers without RoPE.
  std::vector<bool> local_layer, no_rope_layer;
  double rope_local_base = 0.0;
  /// Above this context (0: none) the checkpoint asks for a computation lmc does not implement
  /// (Qwen-1's use_dynamic_ntk / use_logn_attn beyond seq_length); `context_limit_reason` says
  /// which. Loading with a larger context is refused.
  std::size_t context_limit = 0;
  std::string context_limit_reason;
  /// Mamba blocks: their sizes (ssm.enabled()) and which layers they are (empty: none).
  nn::SsmConfig ssm;
  std::vector<bool> ssm_layer;
  /// DeepSeek-V2: the latent attention's sizes (key_dim and value_dim then hold its cache
  /// widths, n_kv_heads 1), dense FFNs on the first layers, shared experts, the routed
  /// experts' weight scale.
  nn::LatentAttentionConfig latent_attention;
  std::size_t leading_dense_layers = 0;
  std::size_t n_shared_experts = 0;
  float expert_weights_scale = 1.0f;
  std::size_t expert_groups = 0, expert_groups_used = 0;  ///< group-limited routing when > 1
  std::string name;
  /// Where each size came from, for error messages: "n_embd" → "llama.embedding_length".
  std::string key_n_layers, key_n_embd, key_n_heads, key_n_kv_heads, key_key_dim, key_value_dim,
      key_n_ff, key_n_experts, key_n_ff_expert, key_rope_dims, key_ssm, key_latent;
  std::string key_local_layers, key_no_rope_layers;  ///< what decided the per-layer patterns
};

class Checkpoint {
 public:
  /// Opens a .gguf file or a Hugging Face folder. Throws lmc::Error (unsupported for an
  /// architecture lmc does not implement, format for a missing or malformed key).
  static std::unique_ptr<Checkpoint> open(const std::filesystem::path& path, bool memory_map);
  virtual ~Checkpoint() = default;

  const ArchitectureSpec& spec() const { return *spec_; }
  const HyperParameters& hyper_parameters() const { return hyper_parameters_; }
  const std::string& source() const { return source_; }
  virtual std::string_view format() const = 0;
  virtual RopeStyle rope_style() const = 0;

  /// The tensor of `role` (for `layer` when per-layer) in lmc's canonical layout (row-major
  /// [out][in] matrices, norm weights as used), or nullptr when the file has none.
  virtual const Tensor* find(Role role, std::size_t layer) = 0;
  /// Expert `expert`'s [rows][cols] matrix of an *_experts role, for checkpoints that store one
  /// tensor per expert (else nullptr: the role is one [experts][rows][cols] tensor).
  virtual const Tensor* find_expert(Role, std::size_t /*layer*/, std::size_t /*expert*/) {
    return nullptr;
  }
  /// The tensor's name as the file spells it (for messages).
  virtual std::string tensor_name(Role role, std::size_t layer) const = 0;
  /// How many tensors the file holds (bounds the layer count before anything is allocated).
  virtual std::size_t tensor_count() const = 0;
  /// Called once every tensor has been bound: throws Error(unsupported) naming a tensor of the
  /// file that nothing read (a part of the computation lmc would silently leave out).
  virtual void check_every_tensor_used() const {}

  /// The GGUF file when the checkpoint is one (for the tokenizer), else nullptr.
  virtual const GgufFile* gguf() const { return nullptr; }
  /// tokenizer.json of a Hugging Face folder, when present.
  virtual std::filesystem::path tokenizer_json() const { return {}; }

 protected:
  const ArchitectureSpec* spec_ = nullptr;
  HyperParameters hyper_parameters_;
  std::string source_;
};

/// "{}" in `pattern` replaced by the layer number.
std::string layer_name(std::string_view pattern, std::size_t layer);

}  // namespace model
LMC_END_NAMESPACE

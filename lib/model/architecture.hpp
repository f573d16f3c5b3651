// Architectures as data. Each family (one file arch_<family>.cpp) describes itself with an
// ArchitectureSpec: which building blocks its layers use, which tensors it has (by role, with
// llama.cpp's GGUF names), how Hugging Face names the same tensors, and which config.json keys
// hold its hyper-parameters. The forward pass itself (nn/transformer.cpp) is shared.
#pragma once

#include "nn/transformer.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace model {

/// What a tensor is for. Per-layer roles have "{}" in their names for the layer number.
enum class Role : std::uint8_t {
  token_embedding,
  position_embedding,
  output_norm,
  output_norm_bias,
  output,
  output_bias,
  attn_norm,
  attn_norm_bias,
  attn_norm_2,  ///< Falcon-40B: a second LayerNorm whose output feeds attention
  attn_norm_2_bias,
  attn_q,
  attn_q_bias,
  attn_k,
  attn_k_bias,
  attn_v,
  attn_v_bias,
  attn_qkv,
  attn_qkv_bias,
  attn_output,
  attn_output_bias,
  attn_q_norm,  ///< RMSNorm of the queries before RoPE (per head or over all heads: QkNormWidth)
  attn_k_norm,
  post_attn_norm,
  ffn_norm,
  ffn_norm_bias,
  ffn_gate,
  ffn_up,
  ffn_up_bias,
  ffn_down,
  ffn_down_bias,
  post_ffn_norm,
  ffn_router,
  ffn_gate_experts,
  ffn_up_experts,
  ffn_down_experts,
  // DeepSeek-V2: multi-head latent attention (nn/latent_attention.hpp) and shared experts
  attn_q_a,
  attn_q_a_norm,
  attn_q_b,
  attn_kv_a_mqa,
  attn_kv_a_norm,
  attn_kv_b,  ///< [H·(nope + Dv)][kv_lora] as trained; split into attn_k_b, attn_v_b
  attn_k_b,   ///< [H][kv_lora][nope]: the per-head key decompression, transposed
  attn_v_b,   ///< [H][Dv][kv_lora]
  ffn_gate_shared,
  ffn_up_shared,
  ffn_down_shared,
  // Mamba blocks (nn/ssm.hpp)
  ssm_in,
  ssm_conv1d,
  ssm_conv1d_bias,
  ssm_x,
  ssm_dt_norm,
  ssm_dt,
  ssm_dt_bias,
  ssm_b_norm,
  ssm_c_norm,
  ssm_a,
  ssm_d,
  ssm_out,
};
inline constexpr std::size_t role_count = static_cast<std::size_t>(Role::ssm_out) + 1;

/// llama.cpp's GGUF tensor name of a role ("blk.{}.attn_q.weight").
std::string_view gguf_tensor_name(Role role) noexcept;
/// Whether the role exists once per layer.
bool is_per_layer(Role role) noexcept;

enum class Presence : std::uint8_t { absent, optional, required };

enum class RopeStyle : std::uint8_t { none, adjacent_pairs, half_split };

/// What one q/k norm weight spans: one head's Dk values, shared by every head (Qwen3, Gemma 3),
/// or a whole projection, H·Dk for queries and G·Dk for keys (OLMo 2).
enum class QkNormWidth : std::uint8_t { head, all_heads };

/// Which layers are Mamba blocks instead of attention.
enum class SsmLayers : std::uint8_t {
  none,
  all,          ///< every layer (mamba): no attention keys at all
  no_kv_heads,  ///< the layers whose entry of the per-layer head_count_kv array is 0 (jamba)
};

/// How a fused query-key-value matrix orders its rows in a Hugging Face checkpoint.
enum class HfQkvLayout : std::uint8_t {
  blocks,    ///< [Q (H·Dk); K (G·Dk); V (G·Dv)], as lmc computes (GPT-2, Qwen-1, Phi-3, MQA)
  per_head,  ///< [head][q, k, v][Dk]: GPT-NeoX, Falcon without MQA or the new architecture
  grouped,   ///< [KV group][its H/G query heads, k, v][Dk]: Falcon-40B, InternLM2's wqkv
};

/// A config.json key whose value changes what is computed: lmc computes it only for the listed
/// values (each as JSON writes it: true, false, null, 1, "silu"); absent means `absent_is`.
struct HfFlag {
  std::string_view key;
  std::vector<std::string_view> accepted;
  std::string_view absent_is = "";  ///< empty: an absent key is accepted
};

/// Keys of config.json that hold the hyper-parameters (empty: not used by the family).
struct HfConfigKeys {
  std::string_view hidden = "hidden_size";
  std::string_view layers = "num_hidden_layers";
  std::string_view heads = "num_attention_heads";
  std::string_view kv_heads = "num_key_value_heads";
  std::string_view ffn = "intermediate_size";
  std::string_view head_dim = "head_dim";
  std::string_view context = "max_position_embeddings";
  std::string_view rope_theta = "rope_theta";
  std::string_view eps = "";  ///< empty: rms_norm_eps, layer_norm_eps or layer_norm_epsilon
  std::string_view partial_rotary = "partial_rotary_factor";
  std::string_view sliding_window = "";
  std::string_view attention_soft_cap = "";
  std::string_view final_soft_cap = "";
  std::string_view query_scale = "";  ///< gemma2's query_pre_attn_scalar
  /// Gemma 3: the local layers' RoPE base (rope_local_base_freq); the list of layer kinds
  /// ("sliding_attention" / "full_attention"), else the period of the local/global pattern.
  std::string_view local_rope_theta = "";
  std::string_view layer_types = "";
  std::string_view sliding_pattern = "";
  /// SmolLM3: per layer 1 (RoPE) or 0 (NoPE), else a NoPE layer every `no_rope_interval`.
  std::string_view no_rope_layers = "";
  std::string_view no_rope_interval = "";
  std::string_view experts = "";       ///< number of experts (Mixtral's num_local_experts)
  std::string_view experts_used = "";  ///< experts per token (num_experts_per_tok)
  std::string_view expert_ffn = "";    ///< each expert's width (moe_intermediate_size); empty: ffn
  /// A boolean: whether the top-k router probabilities are divided by their sum (norm_topk_prob);
  /// empty: the family's ArchitectureSpec::renormalize_experts.
  std::string_view renormalize_experts = "";
  std::string_view multi_query = "";  ///< a boolean: true means one KV head (gpt_bigcode)
  std::string_view activation = "";   ///< the activation's name (hidden_act, ...)
};

/// Defaults of the family's transformers config class, for keys a config.json leaves out.
struct HfDefaults {
  std::size_t heads = 0;     ///< num_attention_heads when absent (0: the key is required)
  std::size_t kv_heads = 0;  ///< num_key_value_heads when absent (0: the query head count)
  std::size_t context = 0;   ///< max_position_embeddings when absent (0: not stated)
  double rope_theta = 10000.0;
  double rotary_fraction = 1.0;  ///< partial_rotary_factor (StableLM 0.25, GPT-NeoX 0.25, Phi 0.5)
  double eps = 0.0;              ///< 0: the epsilon key is required
  std::string_view activation = "silu";
  bool tied = false;  ///< tie_word_embeddings
  std::size_t sliding_window = 0;
  std::size_t head_dim = 0;          ///< 0: hidden / heads (Qwen3Config says 128)
  bool renormalize_experts = false;  ///< when keys.renormalize_experts is absent
  double query_scale = 0.0;          ///< query_pre_attn_scalar when absent (0: 1/sqrt(head_dim))
  double local_rope_theta = 10000.0;
  std::size_t sliding_pattern = 0;   ///< the period when neither key is present (0: none)
  std::size_t no_rope_interval = 0;  ///< likewise for NoPE layers (0: none)
};

/// config.json keys of the Mamba blocks' sizes (empty: the family has none).
struct HfSsmKeys {
  std::string_view state, conv, expand;
  std::string_view inner;    ///< the inner width itself, when the config states it
  std::string_view dt_rank;  ///< an integer, or "auto" / absent: ceil(hidden / 16)
  /// Jamba: layer l attends iff l % period == offset; the others are Mamba blocks. Empty: every
  /// layer is a Mamba block.
  std::string_view attention_period, attention_offset;
  std::size_t state_default = 16, conv_default = 4, expand_default = 2;
  std::size_t attention_period_default = 1, attention_offset_default = 0;
};

/// A multimodal Hugging Face model of which lmc computes the text model alone: config.json's
/// model_type names the wrapper, its "text_config" object is the text model's config (with the
/// family's own model_type), and the text model's tensors are stored under a prefix. The other
/// parts (a vision tower, a projector) are neither read nor computed.
struct HfMultimodal {
  std::string_view model_type;  ///< the wrapper's model_type ("gemma3"); empty: none
  /// Where the text model's tensors are stored: a name that starts with `first` is looked up as
  /// `second` + the rest, the pairs tried in order until one names a tensor of the checkpoint.
  std::vector<std::pair<std::string_view, std::string_view>> prefixes;
  /// Keys of the wrapper's config.json, besides text_config, that do not change the text model.
  std::vector<std::string_view> understood;
};

/// How a family's tensors are named and stored in a Hugging Face checkpoint.
struct HfLayout {
  std::vector<std::string_view> model_types;  ///< config.json "model_type" values
  /// Tensor name per role ({} = layer); alternatives separated by '|' are tried in order.
  std::array<std::string_view, role_count> names{};
  RopeStyle rope = RopeStyle::half_split;  ///< HF checkpoints keep q/k unpermuted (rotate_half)
  bool transposed_linear = false;          ///< GPT-2's Conv1D stores matrices as [in][out]
  float norm_weight_offset = 0.0f;         ///< Gemma stores w and computes with 1 + w
  HfConfigKeys keys;
  HfDefaults defaults;
  std::size_t default_ffn_multiple = 0;  ///< when the ffn key is absent or null: this × n_embd
  HfQkvLayout qkv_layout = HfQkvLayout::blocks;
  /// The q/k/v roles are row blocks of the fused names[attn_qkv] (InternLM2's wqkv).
  bool split_qkv = false;
  /// Expert tensors are one per expert: names of the *_experts roles have a second "{}".
  bool per_expert_tensors = false;
  /// Which layers a sliding_window applies to in this format (none: the family's).
  nn::SlidingLayers sliding = nn::SlidingLayers::none;
  /// Keys whose value changes the computation, with the values lmc computes.
  std::vector<HfFlag> flags;
  /// Further keys this family reads or that do not change its computation.
  std::vector<std::string_view> understood;
  HfSsmKeys ssm;
  /// The multimodal wrapper whose text model is this family, if any.
  HfMultimodal multimodal;
};

struct ArchitectureSpec {
  std::string_view name;  ///< GGUF general.architecture, also lmc's name for the family
  nn::NormKind norm = nn::NormKind::rms;
  nn::Activation activation = nn::Activation::silu;
  nn::FeedForwardKind feed_forward = nn::FeedForwardKind::gated;
  bool allows_experts = false;  ///< expert_count > 0 switches to a mixture of experts
  nn::ResidualKind residual = nn::ResidualKind::sequential;
  RopeStyle rope = RopeStyle::adjacent_pairs;  ///< in GGUF files
  bool scale_embeddings = false;               ///< multiply token embeddings by sqrt(n_embd)
  bool ffn_key_is_doubled = false;             ///< Qwen-1 writes twice the FFN width
  nn::SlidingLayers sliding = nn::SlidingLayers::none;
  bool soft_caps = false;       ///< gemma2: attention and final logit soft-capping
  bool final_soft_cap = false;  ///< gemma3: final logit soft-capping only
  /// Gemma 3: layer l is local (sliding window, RoPE base rope.freq_base_swa) iff
  /// l % period < period − 1, with the period from attention.sliding_window_pattern, else this
  /// default; only when the file has a sliding window. 0: no local/global pattern.
  std::size_t sliding_period = 0;
  /// SmolLM3: layers with (l + 1) % no_rope_period == 0 skip RoPE (llama.cpp has no key for the
  /// step). 0: every layer rotates.
  std::size_t no_rope_period = 0;
  SsmLayers ssm_layers = SsmLayers::none;
  bool renormalize_experts = true;    ///< false: top-k weights are the probabilities (jamba)
  bool experts_where_router = false;  ///< a layer is MoE iff it has a router tensor (jamba)
  QkNormWidth qk_norm_width = QkNormWidth::head;  ///< when attn_q_norm / attn_k_norm are present
  std::array<Presence, role_count> tensors{};
  HfLayout hf;
};

/// Builds a presence table from (role, presence) pairs; other roles are absent.
std::array<Presence, role_count> tensor_table(
    std::initializer_list<std::pair<Role, Presence>> entries);

/// Every family lmc implements.
std::span<const ArchitectureSpec* const> architectures();
/// The family of a GGUF general.architecture value, or nullptr.
const ArchitectureSpec* find_architecture(std::string_view gguf_name);
/// The family of a config.json model_type, or nullptr.
const ArchitectureSpec* find_hf_architecture(std::string_view model_type);
/// The family whose HfLayout::multimodal wrapper has this config.json model_type, or nullptr.
const ArchitectureSpec* find_hf_multimodal(std::string_view model_type);

// One per family file.
const ArchitectureSpec& llama_architecture();
const ArchitectureSpec& mixtral_architecture();  ///< GGUF name "llama"; HF model_type "mixtral"
const ArchitectureSpec& internlm2_architecture();
const ArchitectureSpec& qwen2_architecture();
const ArchitectureSpec& qwen_architecture();
const ArchitectureSpec& gemma_architecture();
const ArchitectureSpec& gemma2_architecture();
const ArchitectureSpec& gpt2_architecture();
const ArchitectureSpec& starcoder_architecture();
const ArchitectureSpec& gptneox_architecture();
const ArchitectureSpec& phi2_architecture();
const ArchitectureSpec& phi3_architecture();
const ArchitectureSpec& falcon_architecture();
const ArchitectureSpec& starcoder2_architecture();
const ArchitectureSpec& stablelm_architecture();
const ArchitectureSpec& mamba_architecture();
const ArchitectureSpec& jamba_architecture();
const ArchitectureSpec& deepseek2_architecture();
const ArchitectureSpec& qwen3_architecture();
const ArchitectureSpec& qwen3moe_architecture();
const ArchitectureSpec& olmo2_architecture();
const ArchitectureSpec& gemma3_architecture();
const ArchitectureSpec& smollm3_architecture();

}  // namespace model
LMC_END_NAMESPACE

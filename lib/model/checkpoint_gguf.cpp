// GGUF checkpoints: llama.cpp's tensor names and "<arch>.<key>" hyper-parameters.
#include "model/checkpoint.hpp"
#include "model/rope_scaling.hpp"

#include "base/fail.hpp"

#include <lmc/gguf.hpp>

#include <cmath>
#include <deque>
#include <set>
#include <tuple>

LMC_BEGIN_NAMESPACE
namespace model {

std::string layer_name(std::string_view pattern, std::size_t layer) {
  std::string name(pattern);
  if (auto at = name.find("{}"); at != std::string::npos)
    name.replace(at, 2, std::to_string(layer));
  return name;
}

namespace {

std::string supported_list() {
  std::string list;
  for (const ArchitectureSpec* spec : architectures()) {
    if (find_architecture(spec->name) != spec) continue;  // a second HF layout of a family
    if (!list.empty()) list += ", ";
    list += spec->name;
  }
  return list;
}

class GgufCheckpoint final : public Checkpoint {
 public:
  GgufCheckpoint(const std::filesystem::path& path, bool memory_map)
      : file_(GgufFile::open(path, memory_map)) {
    source_ = path.string();
    const std::string_view arch = file_.architecture();
    spec_ = find_architecture(arch);
    if (!spec_) {
      base::fail(ErrorCode::unsupported,
                 "{}: architecture '{}' (general.architecture) is not supported; lmc reads {}",
                 source_, arch, supported_list());
    }
    read_hyper_parameters();
    if (const Tensor* factors = file_.find_tensor("rope_freqs.weight")) {
      hyper_parameters_.rope_freq_factors = to_f32(*factors);
      used_.insert("rope_freqs.weight");
    }
  }

  std::string_view format() const override { return "gguf"; }
  RopeStyle rope_style() const override { return spec_->rope; }
  const GgufFile* gguf() const override { return &file_; }
  std::size_t tensor_count() const override { return file_.tensors().size(); }

  std::string tensor_name(Role role, std::size_t layer) const override {
    return layer_name(gguf_tensor_name(role), layer);
  }

  const Tensor* find(Role role, std::size_t layer) override {
    std::string name = tensor_name(role, layer);
    const Tensor* tensor = file_.find_tensor(name);
    if (tensor) used_.insert(std::move(name));
    return tensor;
  }

  void check_every_tensor_used() const override {
    for (const Tensor& tensor : file_.tensors()) {
      if (used_.contains(tensor.name)) continue;
      base::fail(ErrorCode::unsupported,
                 "{}: tensor '{}' is not part of lmc's '{}' architecture (lmc would compute "
                 "without it)",
                 source_, tensor.name, spec_->name);
    }
  }

 private:
  std::string key(std::string_view name) const { return fmt::format("{}.{}", spec_->name, name); }

  std::size_t required_size(std::string_view name, std::string& key_out) const {
    key_out = key(name);
    const std::uint64_t v = file_.at(key_out).as_uint();
    if (v == 0 || v > (std::uint64_t{1} << 32))
      base::fail(ErrorCode::format, "{}: metadata key '{}' = {} is out of range", source_, key_out,
                 v);
    return static_cast<std::size_t>(v);
  }
  std::size_t optional_size(std::string_view name, std::size_t fallback,
                            std::string& key_out) const {
    key_out = key(name);
    const GgufValue* value = file_.find(key_out);
    if (!value) return fallback;
    const std::uint64_t v = value->as_uint();
    if (v > (std::uint64_t{1} << 32))
      base::fail(ErrorCode::format, "{}: metadata key '{}' = {} is out of range", source_, key_out,
                 v);
    return static_cast<std::size_t>(v);
  }
  double optional_number(std::string_view name, double fallback) const {
    const GgufValue* value = file_.find(key(name));
    return value ? value->as_double() : fallback;
  }

  // rope.scaling.*: linear and YaRN keys as llama.cpp's converter writes them, LongRoPE's
  // factor tensors (Phi-3 writes no type for them).
  void read_rope_scaling() {
    HyperParameters& h = hyper_parameters_;
    std::string type = "none";
    if (const GgufValue* value = file_.find(key("rope.scaling.type"))) {
      type = std::string(value->as_string());
    }
    auto factor = [&] {
      const double f = optional_number("rope.scaling.factor", 1.0);
      if (!(f > 0) || !std::isfinite(f))
        base::fail(ErrorCode::format, "{}: metadata key '{}' must be > 0", source_,
                   key("rope.scaling.factor"));
      return f;
    };
    const Tensor* long_factors = file_.find_tensor("rope_factors_long.weight");
    const Tensor* short_factors = file_.find_tensor("rope_factors_short.weight");
    if (type == "linear") {
      h.rope_freq_scale = 1.0 / factor();
    } else if (type == "yarn") {
      const double f = factor();
      if (latent()) {
        latent_yarn(f);
      } else if (file_.find(key("rope.scaling.yarn_log_multiplier")) &&
                 optional_number("rope.scaling.yarn_log_multiplier", 0.0) != 0.0) {
        base::fail(ErrorCode::unsupported, "{}: metadata key '{}' is not supported", source_,
                   key("rope.scaling.yarn_log_multiplier"));
      }
      const double original = static_cast<double>(
          optional_size("rope.scaling.original_context_length", h.context_length, unused_));
      if (!(original > 0))
        base::fail(ErrorCode::format, "{}: YaRN needs '{}'", source_,
                   key("rope.scaling.original_context_length"));
      h.rope_freq_scale = 1.0 / f;
      h.rope_yarn_ext_factor = optional_number("rope.scaling.yarn_ext_factor", 1.0);
      std::tie(h.rope_yarn_low, h.rope_yarn_high) = nn::yarn_correction_range(
          h.rope_dims, h.rope_base, original, optional_number("rope.scaling.yarn_beta_fast", 32.0),
          optional_number("rope.scaling.yarn_beta_slow", 1.0), true);
      // The converter stores config.json's attention_factor here; without it YaRN's own.
      if (!latent()) {
        h.rope_attention_factor = optional_number("rope.scaling.yarn_attn_factor", yarn_mscale(f)) *
                                  optional_number("rope.scaling.attn_factor", 1.0);
      }
    } else if (type == "longrope" || (type == "none" && long_factors)) {
      if (!long_factors || !short_factors) {
        base::fail(ErrorCode::format,
                   "{}: LongRoPE needs tensors 'rope_factors_long.weight' and "
                   "'rope_factors_short.weight'",
                   source_);
      }
      h.rope_long_factors = to_f32(*long_factors);
      h.rope_short_factors = to_f32(*short_factors);
      used_.insert("rope_factors_long.weight");
      used_.insert("rope_factors_short.weight");
      h.rope_original_context = optional_size("rope.scaling.original_context_length", 0, unused_);
      if (h.rope_original_context == 0)
        base::fail(ErrorCode::format, "{}: LongRoPE needs metadata key '{}'", source_,
                   key("rope.scaling.original_context_length"));
      h.rope_attention_factor = optional_number("rope.scaling.attn_factor", 1.0);
    } else if (type == "none") {
      if (const GgufValue* linear = file_.find(key("rope.scale_linear"))) {
        h.rope_freq_scale = 1.0 / linear->as_double();
      }
    } else {
      base::fail(ErrorCode::unsupported, "{}: RoPE scaling '{}' ({}) is not supported", source_,
                 type, key("rope.scaling.type"));
    }
  }

  bool latent() const {
    return spec_->tensors[static_cast<std::size_t>(Role::attn_kv_a_mqa)] != Presence::absent;
  }

  // DeepSeek-V2's YaRN as llama.cpp computes it: yarn_log_multiplier is 0.1·mscale_all_dim of
  // config.json; RoPE's cos and sin keep magnitude 1 (llama.cpp takes mscale = mscale_all_dim,
  // as the V2 configs have it) and the attention scale is multiplied by
  // (1 + 0.1·mscale_all_dim·ln factor)², as transformers' DeepseekV2Attention does.
  void latent_yarn(double factor) {
    HyperParameters& h = hyper_parameters_;
    const double log_multiplier = optional_number("rope.scaling.yarn_log_multiplier", 0.0);
    if (log_multiplier == 0.0) {
      // llama.cpp then scales RoPE by 1 + 0.1·ln(factor) and the scores by its square as well,
      // which transformers does not: two references that disagree.
      base::fail(ErrorCode::unsupported,
                 "{}: YaRN without '{}' is not supported for '{}' (llama.cpp and transformers "
                 "compute it differently)",
                 source_, key("rope.scaling.yarn_log_multiplier"), spec_->name);
    }
    for (const char* name : {"rope.scaling.attn_factor", "rope.scaling.yarn_attn_factor"}) {
      if (file_.find(key(name)) && optional_number(name, 1.0) != 1.0)
        base::fail(ErrorCode::unsupported, "{}: metadata key '{}' is not supported for '{}'",
                   source_, key(name), spec_->name);
    }
    const nn::LatentAttentionConfig& a = h.latent_attention;
    // In float, as llama.cpp computes kq_scale.
    const float mscale = 1.0f + 0.1f * static_cast<float>(log_multiplier / 0.1) *
                                    std::log(1.0f / static_cast<float>(1.0 / factor));
    h.attention_scale = mscale * mscale / std::sqrt(static_cast<float>(a.nope_dim + a.rope_dim));
  }

  // attention.* and expert_* keys of DeepSeek-V2. The files of llama.cpp's current converter
  // state key_length = kv_lora + rope and value_length = kv_lora (the absorbed MQA view) with
  // the per-head sizes in key_length_mla / value_length_mla and attn_k_b / attn_v_b tensors;
  // older ones state the per-head sizes in key_length / value_length with one attn_kv_b.
  void read_latent_attention() {
    HyperParameters& h = hyper_parameters_;
    nn::LatentAttentionConfig& a = h.latent_attention;
    std::string k;
    a.kv_lora = required_size("attention.kv_lora_rank", k);
    h.key_latent = k;
    a.q_lora = optional_size("attention.q_lora_rank", 0, k);
    h.key_latent += ", " + k;
    a.rope_dim = h.rope_dims;
    h.key_latent += ", " + h.key_rope_dims;
    std::size_t head_k = h.key_dim, head_v = h.value_dim;
    if (file_.find(key("attention.key_length_mla"))) {
      head_k = required_size("attention.key_length_mla", k);
      h.key_latent += ", " + k;
      head_v = required_size("attention.value_length_mla", k);
      h.key_latent += ", " + k;
      if (h.key_dim != a.kv_lora + a.rope_dim || h.value_dim != a.kv_lora || h.n_kv_heads != 1) {
        base::fail(ErrorCode::format,
                   "{}: '{}' = {}, '{}' = {} and '{}' = {} must be kv_lora + rope = {}, kv_lora "
                   "= {} and 1 when the file states '{}'",
                   source_, h.key_key_dim, h.key_dim, h.key_value_dim, h.value_dim,
                   h.key_n_kv_heads, h.n_kv_heads, a.kv_lora + a.rope_dim, a.kv_lora,
                   key("attention.key_length_mla"));
      }
    } else {
      h.key_latent += ", " + h.key_key_dim + ", " + h.key_value_dim;
    }
    if (head_k <= a.rope_dim || head_v == 0) {
      base::fail(ErrorCode::format, "{}: per-head key width {} must exceed the rotated {} ({})",
                 source_, head_k, a.rope_dim, h.key_latent);
    }
    a.nope_dim = head_k - a.rope_dim;
    a.value_dim = head_v;
    h.key_dim = a.key_width();
    h.value_dim = a.value_width();
    h.n_kv_heads = 1;
    h.attention_scale = static_cast<float>(1.0 / std::sqrt(static_cast<float>(head_k)));
    h.leading_dense_layers = optional_size("leading_dense_block_count", 0, k);
    h.n_shared_experts = optional_size("expert_shared_count", 0, k);
    const double scale = optional_number("expert_weights_scale", 1.0);
    if (!std::isfinite(scale) || scale < 0)
      base::fail(ErrorCode::format, "{}: metadata key '{}' = {} is out of range", source_,
                 key("expert_weights_scale"), scale);
    h.expert_weights_scale = scale == 0.0 ? 1.0f : static_cast<float>(scale);  // 0: llama.cpp's off
    if (const GgufValue* norm = file_.find(key("expert_weights_norm")))
      h.renormalize_experts = norm->as_bool();
    // Settings of later models of this architecture (DeepSeek-V3, GLM, Kimi, Mistral-Large)
    // that change the computation and that lmc does not implement.
    const std::size_t gating = optional_size("expert_gating_func", 1, k);
    if (gating != 1) {
      base::fail(ErrorCode::unsupported,
                 "{}: metadata key '{}' = {} is not supported (lmc computes 1, softmax)", source_,
                 k, gating);
    }
    // (key, the value that computes as DeepSeek-V2): group-limited routing, multi-token
    // prediction layers, attention temperature tuning.
    const std::pair<const char*, double> off[] = {{"expert_group_count", 1.0},
                                                  {"nextn_predict_layers", 0.0},
                                                  {"attention.temperature_scale", 0.0}};
    for (const auto& [name, neutral] : off) {
      if (optional_number(name, neutral) > neutral)
        base::fail(ErrorCode::unsupported, "{}: metadata key '{}' is not supported", source_,
                   key(name));
    }
  }

  // ssm.*: the Mamba block's sizes; which layers are Mamba blocks.
  void read_ssm() {
    HyperParameters& h = hyper_parameters_;
    nn::SsmConfig& ssm = h.ssm;
    std::string k;
    ssm.conv = required_size("ssm.conv_kernel", k);
    h.key_ssm = k;
    ssm.inner = required_size("ssm.inner_size", k);
    h.key_ssm += ", " + k;
    ssm.state = required_size("ssm.state_size", k);
    h.key_ssm += ", " + k;
    ssm.dt_rank = required_size("ssm.time_step_rank", k);
    h.key_ssm += ", " + k;
    if (const GgufValue* rms = file_.find(key("ssm.dt_b_c_rms"))) ssm.dt_bc_norm = rms->as_bool();
    if (spec_->ssm_layers == SsmLayers::all) h.ssm_layer.assign(h.n_layers, true);
  }

  // Jamba's attention.head_count_kv is one entry per layer; 0 marks a Mamba block. The
  // attention layers must agree on one count.
  std::size_t per_layer_kv_heads() {
    HyperParameters& h = hyper_parameters_;
    h.key_n_kv_heads = key("attention.head_count_kv");
    const GgufValue* value = file_.find(h.key_n_kv_heads);
    if (!value || !value->is_array()) {
      const std::size_t n = optional_size("attention.head_count_kv", h.n_heads, unused_);
      h.ssm_layer.assign(h.n_layers, n == 0);
      return n == 0 ? h.n_heads : n;
    }
    const std::vector<std::int64_t> counts = value->as_ints();
    if (counts.size() != h.n_layers) {
      base::fail(ErrorCode::format, "{}: metadata key '{}' has {} entries for {} layers", source_,
                 h.key_n_kv_heads, counts.size(), h.n_layers);
    }
    std::size_t heads = 0;
    h.ssm_layer.assign(h.n_layers, false);
    for (std::size_t l = 0; l < counts.size(); ++l) {
      if (counts[l] < 0 || counts[l] > static_cast<std::int64_t>(h.n_heads)) {
        base::fail(ErrorCode::format, "{}: metadata key '{}' = {} at layer {} is out of range",
                   source_, h.key_n_kv_heads, counts[l], l);
      }
      const auto n = static_cast<std::size_t>(counts[l]);
      if (n == 0) {
        h.ssm_layer[l] = true;
      } else if (heads != 0 && n != heads) {
        base::fail(ErrorCode::unsupported,
                   "{}: metadata key '{}': attention layers with different KV head counts ({} "
                   "and {}) are not supported",
                   source_, h.key_n_kv_heads, heads, n);
      } else {
        heads = n;
      }
    }
    return heads == 0 ? h.n_heads : heads;
  }

  // A model of Mamba blocks only: no attention or FFN keys (llama.cpp writes them as 0).
  void read_mamba_hyper_parameters() {
    HyperParameters& h = hyper_parameters_;
    std::string unused;
    h.n_embd = required_size("embedding_length", h.key_n_embd);
    h.n_layers = required_size("block_count", h.key_n_layers);
    h.context_length = optional_size("context_length", 0, unused);
    h.norm_eps = static_cast<float>(file_.at(key("attention.layer_norm_rms_epsilon")).as_double());
    read_ssm();
    if (const GgufValue* name = file_.find("general.name")) h.name = std::string(name->as_string());
  }

  void read_hyper_parameters() {
    HyperParameters& h = hyper_parameters_;
    if (spec_->ssm_layers == SsmLayers::all) return read_mamba_hyper_parameters();
    std::string unused;
    h.n_embd = required_size("embedding_length", h.key_n_embd);
    h.n_layers = required_size("block_count", h.key_n_layers);
    h.n_heads = required_size("attention.head_count", h.key_n_heads);
    h.n_kv_heads = spec_->ssm_layers == SsmLayers::no_kv_heads
                       ? per_layer_kv_heads()
                       : optional_size("attention.head_count_kv", h.n_heads, h.key_n_kv_heads);
    if (h.n_kv_heads == 0)
      base::fail(ErrorCode::format, "{}: metadata key '{}' is 0", source_, h.key_n_kv_heads);
    h.key_dim = optional_size("attention.key_length", h.n_embd / h.n_heads, h.key_key_dim);
    if (!file_.find(h.key_key_dim)) h.key_key_dim = h.key_n_embd + " / " + h.key_n_heads;
    h.value_dim = optional_size("attention.value_length", h.key_dim, h.key_value_dim);
    if (!file_.find(h.key_value_dim)) h.key_value_dim = h.key_key_dim;
    h.n_ff = required_size("feed_forward_length", h.key_n_ff);
    if (spec_->ffn_key_is_doubled) h.n_ff /= 2;
    h.n_experts = optional_size("expert_count", 0, h.key_n_experts);
    h.n_experts_used = optional_size("expert_used_count", 0, unused);
    h.n_ff_expert = optional_size("expert_feed_forward_length", 0, h.key_n_ff_expert);
    h.context_length = optional_size("context_length", 0, unused);
    h.rope_dims = optional_size("rope.dimension_count", h.key_dim, h.key_rope_dims);
    h.rope_base = optional_number("rope.freq_base", 10000.0);
    if (latent()) read_latent_attention();
    read_rope_scaling();
    const bool rms = spec_->norm == nn::NormKind::rms;
    h.norm_eps = static_cast<float>(
        file_.at(key(rms ? "attention.layer_norm_rms_epsilon" : "attention.layer_norm_epsilon"))
            .as_double());
    h.sliding_window = optional_size("attention.sliding_window", 0, unused);
    if (spec_->soft_caps) {
      h.attention_soft_cap = static_cast<float>(optional_number("attn_logit_softcapping", 0.0));
      h.final_soft_cap = static_cast<float>(optional_number("final_logit_softcapping", 0.0));
      // llama.cpp picks Gemma 2's query scale from the model size: the 27B model (46 layers)
      // scales by 1/sqrt(n_embd / n_heads), the others by 1/sqrt(head_dim).
      if (h.n_layers == 46)
        h.attention_scale =
            static_cast<float>(1.0 / std::sqrt(static_cast<double>(h.n_embd / h.n_heads)));
    }
    if (spec_->final_soft_cap) {
      // llama.cpp's gemma3 caps the final logits only; a cap on the attention scores would be
      // ignored there and applied by transformers, so neither answer is safe.
      h.final_soft_cap = static_cast<float>(optional_number("final_logit_softcapping", 0.0));
      if (file_.find(key("attn_logit_softcapping")))
        base::fail(ErrorCode::unsupported, "{}: metadata key '{}' is not supported", source_,
                   key("attn_logit_softcapping"));
      // As for Gemma 2, llama.cpp takes the 27B model's query scale (62 layers) from its size.
      if (h.n_layers == 62)
        h.attention_scale =
            static_cast<float>(1.0 / std::sqrt(static_cast<double>(h.n_embd / h.n_heads)));
    }
    if (spec_->sliding_period > 0) read_local_layers();
    if (spec_->no_rope_period > 0) {
      const std::size_t period = spec_->no_rope_period;
      h.no_rope_layer.resize(h.n_layers);
      for (std::size_t l = 0; l < h.n_layers; ++l) h.no_rope_layer[l] = (l + 1) % period == 0;
      h.key_no_rope_layers = fmt::format("every {}th layer (fixed for '{}')", period, spec_->name);
    }
    if (spec_->ssm_layers != SsmLayers::none) read_ssm();
    if (const GgufValue* name = file_.find("general.name")) h.name = std::string(name->as_string());
  }

  // Gemma 3's local/global pattern, as llama.cpp reads it: without a sliding window every layer
  // is global; with one, layer l is local iff l % period < period − 1 (period 0: all local),
  // and local layers rotate with rope.freq_base_swa (default 10000) and no scaling.
  void read_local_layers() {
    HyperParameters& h = hyper_parameters_;
    if (h.sliding_window == 0) return;
    std::size_t period = spec_->sliding_period;
    const std::string pattern_key = key("attention.sliding_window_pattern");
    if (const GgufValue* value = file_.find(pattern_key)) {
      if (value->is_array()) {
        // llama.cpp reads only a period here and ignores an array (per-layer flags).
        base::fail(ErrorCode::unsupported,
                   "{}: metadata key '{}' is an array; lmc reads only a period of local and "
                   "global layers there",
                   source_, pattern_key);
      }
      period = optional_size("attention.sliding_window_pattern", period, unused_);
    }
    h.local_layer.resize(h.n_layers);
    for (std::size_t l = 0; l < h.n_layers; ++l)
      h.local_layer[l] = period == 0 || l % period < period - 1;
    h.key_local_layers = file_.find(pattern_key) ? pattern_key : pattern_key + " (default)";
    h.sliding_layers = nn::SlidingLayers::listed;
    h.rope_local_base = optional_number("rope.freq_base_swa", 10000.0);
    if (!(h.rope_local_base > 0) || !std::isfinite(h.rope_local_base))
      base::fail(ErrorCode::format, "{}: metadata key '{}' must be > 0", source_,
                 key("rope.freq_base_swa"));
    // Local layers rotate without scaling; only linear scaling of the global ones is known to
    // be computed alike by llama.cpp (which passes YaRN's and LongRoPE's settings to every
    // layer) and transformers (which gives the local layers plain RoPE).
    if (h.rope_yarn_ext_factor != 0.0 || h.rope_attention_factor != 1.0 ||
        !h.rope_long_factors.empty()) {
      base::fail(ErrorCode::unsupported,
                 "{}: RoPE scaling ({}) with local layers ({}) is not supported; lmc computes "
                 "linear scaling there",
                 source_, key("rope.scaling.type"), pattern_key);
    }
    if (file_.find_tensor("rope_freqs.weight")) {
      base::fail(ErrorCode::unsupported,
                 "{}: tensor 'rope_freqs.weight' with local layers ({}) is not supported", source_,
                 pattern_key);
    }
  }

  GgufFile file_;
  std::string unused_;
  std::set<std::string> used_;  ///< names of the tensors handed out
};

}  // namespace

std::unique_ptr<Checkpoint> open_hf_checkpoint(const std::filesystem::path& folder,
                                               bool memory_map);

std::unique_ptr<Checkpoint> Checkpoint::open(const std::filesystem::path& path, bool memory_map) {
  if (std::filesystem::is_directory(path)) return open_hf_checkpoint(path, memory_map);
  return std::make_unique<GgufCheckpoint>(path, memory_map);
}

}  // namespace model
LMC_END_NAMESPACE

// Hugging Face folders: config.json plus safetensors shards, named as transformers names them.
#include "model/checkpoint.hpp"
#include "model/rope_scaling.hpp"

#include "base/fail.hpp"

#include <lmc/hf_config.hpp>
#include <lmc/safetensors.hpp>

#include <cmath>
#include <deque>

LMC_BEGIN_NAMESPACE
namespace model {

namespace {

bool is_norm_weight(Role role) {
  return role == Role::attn_norm || role == Role::ffn_norm || role == Role::post_attn_norm ||
         role == Role::post_ffn_norm || role == Role::output_norm;
}

bool is_layer_matrix(Role role) {
  switch (role) {
    case Role::attn_q:
    case Role::attn_k:
    case Role::attn_v:
    case Role::attn_qkv:
    case Role::attn_output:
    case Role::ffn_gate:
    case Role::ffn_up:
    case Role::ffn_down: return true;
    default: return false;
  }
}

class HfCheckpoint final : public Checkpoint {
 public:
  HfCheckpoint(const std::filesystem::path& folder, bool memory_map)
      : folder_(HfModelFolder::open(folder)) {
    source_ = folder.string();
    const HfConfig& config = folder_.config;
    spec_ = find_hf_architecture(config.model_type);
    if (!spec_) {
      base::fail(ErrorCode::unsupported,
                 "{}: model_type '{}' is not supported for Hugging Face folders",
                 config.path.string(), config.model_type);
    }
    if (!folder_.weights) {
      base::fail(ErrorCode::format, "{}: no model.safetensors or model.safetensors.index.json",
                 source_);
    }
    weights_.emplace(SafetensorsCheckpoint::open(*folder_.weights, memory_map));
    read_hyper_parameters();
  }

  std::string_view format() const override { return "safetensors"; }
  RopeStyle rope_style() const override { return spec_->hf.rope; }
  std::size_t tensor_count() const override { return weights_->tensors().size(); }
  std::filesystem::path tokenizer_json() const override {
    return folder_.tokenizer_json ? *folder_.tokenizer_json : std::filesystem::path{};
  }

  std::string tensor_name(Role role, std::size_t layer) const override {
    const std::string_view names = spec_->hf.names[static_cast<std::size_t>(role)];
    return layer_name(names.substr(0, names.find('|')), layer);
  }

  const Tensor* find(Role role, std::size_t layer) override {
    std::string_view names = spec_->hf.names[static_cast<std::size_t>(role)];
    const Tensor* tensor = nullptr;
    while (!names.empty() && !tensor) {
      const std::size_t bar = names.find('|');
      tensor = weights_->find_tensor(layer_name(names.substr(0, bar), layer));
      names = bar == std::string_view::npos ? std::string_view{} : names.substr(bar + 1);
    }
    if (!tensor) return nullptr;
    if (spec_->hf.transposed_linear && is_layer_matrix(role)) return transposed(*tensor);
    if (spec_->hf.norm_weight_offset != 0.0f && is_norm_weight(role)) return offset(*tensor);
    return tensor;
  }

 private:
  const Tensor* keep(Tensor tensor, std::vector<float> values) {
    owned_values_.push_back(std::move(values));
    const std::vector<float>& stored = owned_values_.back();
    tensor.type = DType::f32;
    tensor.data = std::as_bytes(std::span<const float>(stored));
    owned_tensors_.push_back(std::move(tensor));
    return &owned_tensors_.back();
  }

  // Conv1D keeps [in][out]; the forward pass reads [out][in]. A copy in F32 (these are small
  // GPT-2 matrices; the file cannot be mapped in the orientation the kernels read).
  const Tensor* transposed(const Tensor& tensor) {
    if (tensor.shape.size() != 2) return &tensor;
    const std::vector<float> values = to_f32(tensor);
    const auto rows = static_cast<std::size_t>(tensor.shape[0]),
               cols = static_cast<std::size_t>(tensor.shape[1]);
    std::vector<float> t(values.size());
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t c = 0; c < cols; ++c) t[c * rows + r] = values[r * cols + c];
    }
    Tensor out = tensor;
    out.shape = {tensor.shape[1], tensor.shape[0]};
    return keep(std::move(out), std::move(t));
  }

  const Tensor* offset(const Tensor& tensor) {
    std::vector<float> values = to_f32(tensor);
    for (float& v : values) v = v + spec_->hf.norm_weight_offset;
    return keep(tensor, std::move(values));
  }

  std::string where(std::string_view key) const {
    return fmt::format("{}: key '{}'", folder_.config.path.string(), key);
  }

  std::size_t size_key(std::string_view key, std::optional<std::size_t> fallback,
                       std::string& key_out) const {
    key_out = std::string(key);
    std::optional<std::int64_t> v;
    if (!key.empty()) v = folder_.config.integer(key);
    if (!v) {
      if (fallback) return *fallback;
      base::fail(ErrorCode::format, "{}: missing or not an integer", where(key));
    }
    if (*v < 0 || *v > (std::int64_t{1} << 32))
      base::fail(ErrorCode::format, "{} = {} is out of range", where(key), *v);
    return static_cast<std::size_t>(*v);
  }

  void read_hyper_parameters() {
    const HfConfig& config = folder_.config;
    const HfConfigKeys& keys = spec_->hf.keys;
    HyperParameters& h = hyper_parameters_;
    std::string unused;
    h.n_embd = size_key(keys.hidden, std::nullopt, h.key_n_embd);
    h.n_layers = size_key(keys.layers, std::nullopt, unused);
    h.n_heads = size_key(keys.heads, std::nullopt, h.key_n_heads);
    if (h.n_heads == 0) base::fail(ErrorCode::format, "{} is 0", where(keys.heads));
    h.n_kv_heads = size_key(keys.kv_heads, h.n_heads, h.key_n_kv_heads);
    if (h.n_kv_heads == 0) base::fail(ErrorCode::format, "{} is 0", where(keys.kv_heads));
    h.key_dim = size_key(keys.head_dim, h.n_embd / h.n_heads, h.key_key_dim);
    h.value_dim = h.key_dim;
    h.key_value_dim = h.key_key_dim;
    const std::optional<std::size_t> ffn_default =
        spec_->hf.default_ffn_multiple
            ? std::optional<std::size_t>(spec_->hf.default_ffn_multiple * h.n_embd)
            : std::nullopt;
    h.n_ff = size_key(keys.ffn, ffn_default, h.key_n_ff);
    h.context_length = size_key(keys.context, 0, unused);
    h.rope_dims = h.key_dim;
    h.key_rope_dims = h.key_key_dim;
    if (auto factor = config.number(keys.partial_rotary)) {
      h.rope_dims = static_cast<std::size_t>(static_cast<double>(h.key_dim) * *factor);
      h.key_rope_dims = std::string(keys.partial_rotary);
    }
    if (auto theta = config.number(keys.rope_theta)) h.rope_base = *theta;
    read_hf_rope_scaling(config, h.key_dim, h);
    std::optional<double> eps = keys.eps.empty() ? config.norm_eps : config.number(keys.eps);
    if (!eps)
      base::fail(ErrorCode::format, "{}: missing the normalization epsilon", config.path.string());
    h.norm_eps = static_cast<float>(*eps);
    if (config.contains("num_local_experts")) {
      base::fail(ErrorCode::unsupported,
                 "{}: mixture-of-experts checkpoints are read from GGUF only",
                 where("num_local_experts"));
    }
    if (!keys.sliding_window.empty()) {
      if (auto window = config.integer(keys.sliding_window); window && *window > 0) {
        h.sliding_window = static_cast<std::size_t>(*window);
      }
    }
    if (!keys.attention_soft_cap.empty())
      h.attention_soft_cap =
          static_cast<float>(config.number(keys.attention_soft_cap).value_or(0.0));
    if (!keys.final_soft_cap.empty())
      h.final_soft_cap = static_cast<float>(config.number(keys.final_soft_cap).value_or(0.0));
    if (!keys.query_scale.empty()) {
      if (auto scalar = config.number(keys.query_scale); scalar && *scalar > 0) {
        h.attention_scale = static_cast<float>(1.0 / std::sqrt(*scalar));
      }
    }
    h.name = folder_.path.filename().string();
    if (h.name.empty()) h.name = folder_.path.parent_path().filename().string();
  }

  HfModelFolder folder_;
  std::optional<SafetensorsCheckpoint> weights_;
  std::deque<std::vector<float>> owned_values_;
  std::deque<Tensor> owned_tensors_;
};

}  // namespace

std::unique_ptr<Checkpoint> open_hf_checkpoint(const std::filesystem::path& folder,
                                               bool memory_map) {
  return std::make_unique<HfCheckpoint>(folder, memory_map);
}

}  // namespace model
LMC_END_NAMESPACE

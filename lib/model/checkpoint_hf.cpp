// Hugging Face folders: config.json plus safetensors shards, named as transformers names them.
// Every config.json key is accounted for: read as a hyper-parameter, checked as a flag whose
// value lmc computes, or listed as not changing the computation; any other key is refused by
// name, so that a setting lmc does not implement is never silently ignored.
#include "model/checkpoint.hpp"
#include "model/rope_scaling.hpp"

#include "base/fail.hpp"
#include "nn/elementwise.hpp"

#include <lmc/hf_config.hpp>
#include <lmc/safetensors.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <set>

#include <fmt/ranges.h>

LMC_BEGIN_NAMESPACE
namespace model {

namespace {

bool is_norm_weight(Role role) {
  return role == Role::attn_norm || role == Role::attn_norm_2 || role == Role::ffn_norm ||
         role == Role::post_attn_norm || role == Role::post_ffn_norm || role == Role::output_norm ||
         role == Role::attn_q_norm || role == Role::attn_k_norm;
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

// Keys that no family's computation depends on: identity, tokens, training (dropout,
// initialization, auxiliary losses), generation defaults, serialization.
bool is_harmless_key(std::string_view key) {
  static const std::set<std::string_view> names = {"_name_or_path",
                                                   "architectures",
                                                   "model_type",
                                                   "transformers_version",
                                                   "torch_dtype",
                                                   "dtype",
                                                   "use_cache",
                                                   "vocab_size",
                                                   "auto_map",
                                                   "tokenizer_class",
                                                   "initializer_range",
                                                   "initializer_factor",
                                                   "init_std",
                                                   "layer_norm_init",
                                                   "is_decoder",
                                                   "is_encoder_decoder",
                                                   "return_dict",
                                                   "output_attentions",
                                                   "output_hidden_states",
                                                   "torchscript",
                                                   "use_return_dict",
                                                   "id2label",
                                                   "label2id",
                                                   "problem_type",
                                                   "finetuning_task",
                                                   "prefix",
                                                   "task_specific_params",
                                                   "chunk_size_feed_forward",
                                                   "add_cross_attention",
                                                   "max_length",
                                                   "min_length",
                                                   "do_sample",
                                                   "early_stopping",
                                                   "num_beams",
                                                   "num_beam_groups",
                                                   "diversity_penalty",
                                                   "temperature",
                                                   "top_k",
                                                   "top_p",
                                                   "typical_p",
                                                   "repetition_penalty",
                                                   "length_penalty",
                                                   "no_repeat_ngram_size",
                                                   "encoder_no_repeat_ngram_size",
                                                   "bad_words_ids",
                                                   "num_return_sequences",
                                                   "output_scores",
                                                   "return_dict_in_generate",
                                                   "forced_bos_token_id",
                                                   "forced_eos_token_id",
                                                   "remove_invalid_values",
                                                   "exponential_decay_length_penalty",
                                                   "suppress_tokens",
                                                   "begin_suppress_tokens",
                                                   "tf_legacy_loss",
                                                   "pruned_heads",
                                                   "tie_encoder_decoder",
                                                   "cross_attention_hidden_size",
                                                   "gradient_checkpointing",
                                                   "_attn_implementation",
                                                   "attn_implementation",
                                                   "_attn_implementation_autoset",
                                                   "use_flash_attn",
                                                   "use_flash_attention_2",
                                                   "fp16",
                                                   "bf16",
                                                   "fp32",
                                                   "bias_dropout_fusion",
                                                   "router_aux_loss_coef",
                                                   "output_router_logits",
                                                   "router_z_loss_coef",
                                                   "summary_type",
                                                   "summary_use_proj",
                                                   "summary_activation",
                                                   "summary_proj_to_labels",
                                                   "summary_first_dropout",
                                                   "keys_to_ignore_at_inference",
                                                   "max_sequence_length",
                                                   "seq_length",
                                                   "n_ctx",
                                                   "model_max_length",
                                                   "emb_dropout_prob",
                                                   "softmax_in_fp32",
                                                   "attention_softmax_in_fp32",
                                                   "scale_attention_softmax_in_fp32",
                                                   "reorder_and_upcast_attn",
                                                   "onnx_safe",
                                                   "transformers.js_config",
                                                   "unsloth_version",
                                                   "unsloth_fixed"};
  if (names.contains(key)) return true;
  if (key.ends_with("token_id") || key.ends_with("token_ids")) return true;
  return key.find("dropout") != std::string_view::npos ||
         key.find("pdrop") != std::string_view::npos;
}

std::string json_text(const HfConfigScalar& value) {
  if (std::holds_alternative<std::nullptr_t>(value)) return "null";
  if (auto b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (auto i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (auto d = std::get_if<double>(&value)) return fmt::format("{}", *d);
  return "\"" + std::get<std::string>(value) + "\"";
}

std::optional<nn::Activation> activation_named(std::string_view name) {
  // transformers' ACT2FN names: "gelu" is the exact (erf) GELU; the others are the tanh form.
  if (name == "silu" || name == "swish") return nn::Activation::silu;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast")
    return nn::Activation::gelu_tanh;
  if (name == "gelu") return nn::Activation::gelu_erf;
  return std::nullopt;
}

class HfCheckpoint final : public Checkpoint {
 public:
  HfCheckpoint(const std::filesystem::path& folder, bool memory_map)
      : folder_(HfModelFolder::open(folder)) {
    source_ = folder.string();
    const HfConfig& config = folder_.config;
    spec_ = find_hf_architecture(config.model_type);
    if (spec_) {
      config_ = config;
    } else if (const ArchitectureSpec* text = find_hf_multimodal(config.model_type)) {
      read_text_config(*text);
    } else {
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
    check_every_key();
  }

  std::string_view format() const override { return "safetensors"; }
  RopeStyle rope_style() const override { return spec_->hf.rope; }
  std::size_t tensor_count() const override { return weights_->tensors().size(); }
  std::filesystem::path tokenizer_json() const override {
    if (folder_.tokenizer_json) return *folder_.tokenizer_json;
    // Qwen-1 ships a tiktoken rank file instead (the tokenizer loader reads the folder).
    for (const auto& entry : std::filesystem::directory_iterator(folder_.path)) {
      if (entry.is_regular_file() && entry.path().extension() == ".tiktoken") return entry.path();
    }
    return {};
  }

  std::string tensor_name(Role role, std::size_t layer) const override {
    const std::string_view names = spec_->hf.names[static_cast<std::size_t>(role)];
    return stored_name(layer_name(names.substr(0, names.find('|')), layer));
  }

  const Tensor* find(Role role, std::size_t layer) override {
    const HfLayout& hf = spec_->hf;
    if (hf.split_qkv && is_qkv_part(role)) return qkv_part(role, layer);
    const Tensor* tensor = lookup(role, layer);
    if (!tensor) return nullptr;
    if ((role == Role::attn_qkv || role == Role::attn_qkv_bias) &&
        qkv_layout_ != HfQkvLayout::blocks)
      return qkv_rows(*tensor, role, layer, 0, block_order().size());
    if (role == Role::ssm_conv1d) return conv_taps(*tensor);
    if (role == Role::ssm_a) return a_from_log(*tensor);
    if (hf.transposed_linear && is_layer_matrix(role)) return transposed(*tensor);
    if (hf.norm_weight_offset != 0.0f && is_norm_weight(role)) return offset(*tensor);
    return tensor;
  }

  const Tensor* find_expert(Role role, std::size_t layer, std::size_t expert) override {
    if (!spec_->hf.per_expert_tensors) return nullptr;
    std::string name(spec_->hf.names[static_cast<std::size_t>(role)]);
    if (name.empty()) return nullptr;
    name = layer_name(name, layer);
    return weights_->find_tensor(stored_name(layer_name(name, expert)));
  }

 private:
  // A multimodal folder (HfMultimodal): the keys under text_config become the config this
  // checkpoint reads (only its `values`, `path` and `model_type`, which is all it reads); every
  // other key of the wrapper must be one that does not change the text model.
  void read_text_config(const ArchitectureSpec& text) {
    const HfConfig& outer = folder_.config;
    const HfMultimodal& wrapper = text.hf.multimodal;
    constexpr std::string_view prefix = "text_config.";
    config_.path = outer.path;
    for (const auto& [path, value] : outer.values) {
      if (path.starts_with(prefix)) {
        config_.values.emplace(path.substr(prefix.size()), value);
        continue;
      }
      const std::string top = path.substr(0, path.find('.'));
      if (std::find(wrapper.understood.begin(), wrapper.understood.end(), top) !=
              wrapper.understood.end() ||
          is_harmless_key(top))
        continue;
      base::fail(ErrorCode::unsupported,
                 "{}: key '{}' is not supported for model_type '{}' (lmc reads the text model of "
                 "text_config and would ignore a setting that may change it)",
                 outer.path.string(), top, outer.model_type);
    }
    if (config_.values.empty()) {
      base::fail(ErrorCode::format,
                 "{}: model_type '{}' keeps its text model's config in 'text_config', which is "
                 "missing or empty",
                 outer.path.string(), outer.model_type);
    }
    // Absent, transformers builds the text model's own config class.
    const std::string model_type =
        config_.string("model_type").value_or(std::string(text.hf.model_types.front()));
    if (std::find(text.hf.model_types.begin(), text.hf.model_types.end(), model_type) ==
        text.hf.model_types.end()) {
      base::fail(ErrorCode::unsupported,
                 "{}: key 'text_config.model_type' = '{}' is not supported for model_type '{}' "
                 "(lmc reads its text model as {})",
                 outer.path.string(), model_type, outer.model_type,
                 fmt::join(text.hf.model_types, ", "));
    }
    config_.model_type = model_type;
    key_prefix_ = prefix;
    prefixes_ = wrapper.prefixes;
    spec_ = &text;
  }

  // The name a tensor of the text model has in this checkpoint: `name` itself, or in a
  // multimodal folder the first of its prefixed forms that the checkpoint holds (the first form
  // when it holds none, for messages).
  std::string stored_name(const std::string& name) const {
    std::string first;
    for (const auto& [from, to] : prefixes_) {
      if (!name.starts_with(from)) continue;
      std::string candidate = std::string(to) + name.substr(from.size());
      if (weights_ && weights_->find_tensor(candidate)) return candidate;
      if (first.empty()) first = std::move(candidate);
    }
    return first.empty() ? name : first;
  }

  static bool is_qkv_part(Role role) {
    return role == Role::attn_q || role == Role::attn_k || role == Role::attn_v ||
           role == Role::attn_q_bias || role == Role::attn_k_bias || role == Role::attn_v_bias;
  }

  const Tensor* lookup(Role role, std::size_t layer) const {
    std::string_view names = spec_->hf.names[static_cast<std::size_t>(role)];
    const Tensor* tensor = nullptr;
    while (!names.empty() && !tensor) {
      const std::size_t bar = names.find('|');
      tensor = weights_->find_tensor(stored_name(layer_name(names.substr(0, bar), layer)));
      names = bar == std::string_view::npos ? std::string_view{} : names.substr(bar + 1);
    }
    return tensor;
  }

  const Tensor* keep(Tensor tensor, std::vector<float> values) {
    owned_values_.push_back(std::move(values));
    const std::vector<float>& stored = owned_values_.back();
    tensor.type = DType::f32;
    tensor.data = std::as_bytes(std::span<const float>(stored));
    owned_tensors_.push_back(std::move(tensor));
    return &owned_tensors_.back();
  }

  // The source row of each row of [Q; K; V] in the checkpoint's fused layout.
  std::vector<std::size_t> block_order() const {
    const HyperParameters& h = hyper_parameters_;
    const std::size_t d = h.key_dim, groups = h.n_kv_heads, per_group = h.n_heads / h.n_kv_heads;
    std::vector<std::size_t> order;
    auto add_head = [&](std::size_t first) {
      for (std::size_t i = 0; i < d; ++i) order.push_back(first + i);
    };
    if (qkv_layout_ == HfQkvLayout::per_head) {  // [head][q, k, v][d]
      for (std::size_t part = 0; part < 3; ++part) {
        for (std::size_t head = 0; head < h.n_heads; ++head) add_head((head * 3 + part) * d);
      }
    } else if (qkv_layout_ == HfQkvLayout::grouped) {  // [group][q…, k, v][d]
      const std::size_t stride = (per_group + 2) * d;
      for (std::size_t g = 0; g < groups; ++g) {
        for (std::size_t q = 0; q < per_group; ++q) add_head(g * stride + q * d);
      }
      for (std::size_t g = 0; g < groups; ++g) add_head(g * stride + per_group * d);
      for (std::size_t g = 0; g < groups; ++g) add_head(g * stride + (per_group + 1) * d);
    } else {
      const std::size_t rows = (h.n_heads + 2 * h.n_kv_heads) * d;
      for (std::size_t r = 0; r < rows; ++r) order.push_back(r);
    }
    return order;
  }

  // Rows order[first, first + count) of a fused qkv weight or bias, in that order: [Q; K; V]
  // (or one of its blocks) from the checkpoint's fused layout. Row bytes are copied unchanged,
  // so the result is exact in any dtype.
  const Tensor* qkv_rows(const Tensor& tensor, Role role, std::size_t layer, std::size_t first,
                         std::size_t count) {
    const HyperParameters& h = hyper_parameters_;
    if (h.value_dim != h.key_dim || h.n_heads % h.n_kv_heads != 0) {
      base::fail(ErrorCode::format,
                 "{}: tensor '{}' fuses q, k and v, which needs equal key and value widths and a "
                 "query head count divisible by the KV head count ({} query, {} KV heads)",
                 source_, tensor_name(role, layer), h.n_heads, h.n_kv_heads);
    }
    const std::vector<std::size_t> order = block_order();
    const bool matrix = tensor.shape.size() == 2;
    if ((tensor.shape.size() != 1 && !matrix) ||
        tensor.shape[0] != static_cast<std::int64_t>(order.size()) ||
        (!matrix && dtype_is_quantized(tensor.type))) {
      base::fail(ErrorCode::format,
                 "{}: tensor '{}' has shape {}, expected {} rows ({} query and {} KV heads of {})",
                 source_, tensor_name(role, layer), tensor.shape_string(), order.size(), h.n_heads,
                 h.n_kv_heads, h.key_dim);
    }
    const std::size_t row_bytes =
        matrix ? static_cast<std::size_t>(tensor.row_bytes()) : dtype_row_bytes(tensor.type, 1);
    std::vector<std::byte> out(count * row_bytes);
    for (std::size_t r = 0; r < count; ++r) {
      std::copy_n(tensor.data.begin() + static_cast<std::ptrdiff_t>(order[first + r] * row_bytes),
                  row_bytes, out.begin() + static_cast<std::ptrdiff_t>(r * row_bytes));
    }
    Tensor rows = tensor;
    rows.shape[0] = static_cast<std::int64_t>(count);
    owned_bytes_.push_back(std::move(out));
    rows.data = owned_bytes_.back();
    owned_tensors_.push_back(std::move(rows));
    return &owned_tensors_.back();
  }

  // A q, k or v block of the fused tensor (InternLM2 keeps one wqkv; lmc's table has q/k/v).
  const Tensor* qkv_part(Role role, std::size_t layer) {
    const bool bias =
        role == Role::attn_q_bias || role == Role::attn_k_bias || role == Role::attn_v_bias;
    const Role fused_role = bias ? Role::attn_qkv_bias : Role::attn_qkv;
    const Tensor* fused = lookup(fused_role, layer);
    if (!fused) return nullptr;
    const HyperParameters& h = hyper_parameters_;
    const std::size_t q = h.n_heads * h.key_dim, k = h.n_kv_heads * h.key_dim;
    std::size_t first = 0, rows = q;
    if (role == Role::attn_k || role == Role::attn_k_bias) first = q, rows = k;
    if (role == Role::attn_v || role == Role::attn_v_bias) first = q + k, rows = k;
    return qkv_rows(*fused, fused_role, layer, first, rows);
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

  // nn.Conv1d(groups = channels) keeps its weight as [I][1][K]; the binder reads [I][K].
  const Tensor* conv_taps(const Tensor& tensor) {
    if (tensor.shape.size() != 3 || tensor.shape[1] != 1) return &tensor;  // the binder says
    Tensor out = tensor;
    out.shape = {tensor.shape[0], tensor.shape[2]};
    owned_tensors_.push_back(std::move(out));
    return &owned_tensors_.back();
  }

  // transformers keeps A_log and computes A = -exp(A_log); the binder takes A (as GGUF stores).
  const Tensor* a_from_log(const Tensor& tensor) {
    std::vector<float> values = to_f32(tensor);
    for (float& v : values) v = static_cast<float>(-nn::exp_fixed(static_cast<double>(v)));
    return keep(tensor, std::move(values));
  }

  const Tensor* offset(const Tensor& tensor) {
    std::vector<float> values = to_f32(tensor);
    for (float& v : values) v = v + spec_->hf.norm_weight_offset;
    return keep(tensor, std::move(values));
  }

  std::string where(std::string_view key) const {
    return fmt::format("{}: key '{}{}'", config_.path.string(), key_prefix_, key);
  }

  std::size_t size_key(std::string_view key, std::optional<std::size_t> fallback,
                       std::string& key_out) {
    key_out = std::string(key);
    read_.insert(std::string(key));
    std::optional<std::int64_t> v;
    if (!key.empty()) v = config_.integer(key);
    if (!v) {
      if (fallback) return *fallback;
      base::fail(ErrorCode::format, "{}: missing or not an integer", where(key));
    }
    if (*v < 0 || *v > (std::int64_t{1} << 32))
      base::fail(ErrorCode::format, "{} = {} is out of range", where(key), *v);
    return static_cast<std::size_t>(*v);
  }
  std::optional<double> number_key(std::string_view key) {
    if (key.empty()) return std::nullopt;
    read_.insert(std::string(key));
    return config_.number(key);
  }

  // The Mamba blocks' sizes and which layers they are.
  void read_ssm() {
    const HfConfig& config = config_;
    const HfSsmKeys& keys = spec_->hf.ssm;
    HyperParameters& h = hyper_parameters_;
    nn::SsmConfig& ssm = h.ssm;
    std::string unused;
    ssm.state = size_key(keys.state, keys.state_default, unused);
    ssm.conv = size_key(keys.conv, keys.conv_default, unused);
    const std::size_t expand = size_key(keys.expand, keys.expand_default, unused);
    ssm.inner = expand * h.n_embd;
    if (!keys.inner.empty() && config.integer(keys.inner))
      ssm.inner = size_key(keys.inner, std::nullopt, unused);
    read_.insert(std::string(keys.dt_rank));
    ssm.dt_rank = (h.n_embd + 15) / 16;  // "auto"
    if (config.integer(keys.dt_rank)) {
      ssm.dt_rank = size_key(keys.dt_rank, std::nullopt, unused);
    } else if (config.contains(keys.dt_rank) && config.string(keys.dt_rank) != "auto") {
      base::fail(ErrorCode::format, "{} must be an integer or \"auto\"", where(keys.dt_rank));
    }
    h.key_ssm = fmt::format("{}, {}, {}, {}", keys.state, keys.conv, keys.expand, keys.dt_rank);
    h.ssm_layer.assign(h.n_layers, true);
    if (!keys.attention_period.empty()) {
      const std::size_t period =
          size_key(keys.attention_period, keys.attention_period_default, unused);
      const std::size_t offset =
          size_key(keys.attention_offset, keys.attention_offset_default, unused);
      if (period == 0 || offset >= period) {
        base::fail(ErrorCode::format, "{} = {} must be below {} = {}", where(keys.attention_offset),
                   offset, keys.attention_period, period);
      }
      for (std::size_t l = 0; l < h.n_layers; ++l) h.ssm_layer[l] = l % period != offset;
    }
  }

  // A model of Mamba blocks only: no attention, FFN or RoPE keys.
  void read_mamba_hyper_parameters() {
    const HfConfig& config = config_;
    const HfLayout& hf = spec_->hf;
    HyperParameters& h = hyper_parameters_;
    h.n_embd = size_key(hf.keys.hidden, std::nullopt, h.key_n_embd);
    h.n_layers = size_key(hf.keys.layers, std::nullopt, h.key_n_layers);
    h.norm_eps = static_cast<float>(number_key(hf.keys.eps).value_or(hf.defaults.eps));
    read_.insert("tie_word_embeddings");
    h.tied_output = config.boolean("tie_word_embeddings").value_or(hf.defaults.tied);
    for (const HfFlag& flag : hf.flags) read_.insert(std::string(flag.key));
    for (std::string_view key : hf.understood) read_.insert(std::string(key));
    read_ssm();
    h.name = folder_.path.filename().string();
    if (h.name.empty()) h.name = folder_.path.parent_path().filename().string();
  }

  void read_hyper_parameters() {
    if (spec_->ssm_layers == SsmLayers::all) return read_mamba_hyper_parameters();
    const HfConfig& config = config_;
    const HfLayout& hf = spec_->hf;
    const HfConfigKeys& keys = hf.keys;
    HyperParameters& h = hyper_parameters_;
    std::string unused;
    h.n_embd = size_key(keys.hidden, std::nullopt, h.key_n_embd);
    h.n_layers = size_key(keys.layers, std::nullopt, h.key_n_layers);
    h.n_heads = size_key(keys.heads,
                         hf.defaults.heads != 0 ? std::optional(hf.defaults.heads) : std::nullopt,
                         h.key_n_heads);
    if (h.n_heads == 0) base::fail(ErrorCode::format, "{} is 0", where(keys.heads));
    h.n_kv_heads =
        size_key(keys.kv_heads, hf.defaults.kv_heads != 0 ? hf.defaults.kv_heads : h.n_heads,
                 h.key_n_kv_heads);
    qkv_layout_ = hf.qkv_layout;
    if (!keys.multi_query.empty()) {
      // GPTBigCode: multi_query (its default) keeps c_attn as [Q; K; V] with one KV head;
      // without it every head holds its own q, k and v rows.
      read_.insert(std::string(keys.multi_query));
      h.key_n_kv_heads = std::string(keys.multi_query);
      if (config.boolean(keys.multi_query).value_or(true)) {
        h.n_kv_heads = 1;
      } else {
        h.n_kv_heads = h.n_heads;
        qkv_layout_ = HfQkvLayout::per_head;
      }
    }
    if (h.n_kv_heads == 0) base::fail(ErrorCode::format, "{} is 0", where(keys.kv_heads));
    h.key_dim = size_key(keys.head_dim,
                         hf.defaults.head_dim != 0 ? hf.defaults.head_dim : h.n_embd / h.n_heads,
                         h.key_key_dim);
    h.value_dim = h.key_dim;
    h.key_value_dim = h.key_key_dim;
    std::optional<std::size_t> ffn_default;
    if (hf.default_ffn_multiple != 0) ffn_default.emplace(hf.default_ffn_multiple * h.n_embd);
    h.n_ff = size_key(keys.ffn, ffn_default, h.key_n_ff);
    if (spec_->ffn_key_is_doubled) h.n_ff /= 2;
    h.context_length = size_key(keys.context, hf.defaults.context, unused);
    h.rope_dims = h.key_dim;
    h.key_rope_dims = h.key_key_dim;
    const double fraction = number_key(keys.partial_rotary).value_or(hf.defaults.rotary_fraction);
    if (!(fraction > 0 && fraction <= 1))
      base::fail(ErrorCode::format, "{} = {} must be in (0, 1]", where(keys.partial_rotary),
                 fraction);
    if (fraction != 1.0) {
      h.rope_dims = static_cast<std::size_t>(static_cast<double>(h.key_dim) * fraction);
      h.key_rope_dims = std::string(keys.partial_rotary);
    }
    if (latent()) read_latent_attention();
    h.rope_base = number_key(keys.rope_theta).value_or(hf.defaults.rope_theta);
    read_.insert("rope_scaling");
    read_.insert("rope_parameters");
    // Gemma 3 under transformers 5: one RoPE dictionary per layer type.
    layer_type_rope_ =
        !keys.local_rope_theta.empty() && read_hf_layer_type_rope(config, h.key_dim, h);
    if (!layer_type_rope_) read_hf_rope_scaling(config, h.key_dim, h);
    std::optional<double> eps;
    if (keys.eps.empty()) {
      for (const char* key : {"rms_norm_eps", "layer_norm_eps", "layer_norm_epsilon"}) {
        read_.insert(key);
        if (!eps) eps = config.number(key);
      }
    } else {
      eps = number_key(keys.eps);
    }
    if (!eps && hf.defaults.eps > 0) eps = hf.defaults.eps;
    if (!eps)
      base::fail(ErrorCode::format, "{}: missing the normalization epsilon", config.path.string());
    h.norm_eps = static_cast<float>(*eps);
    if (!keys.experts.empty()) {
      h.n_experts = size_key(keys.experts, 0, h.key_n_experts);
      h.n_experts_used = size_key(keys.experts_used, 0, unused);
    }
    if (!keys.expert_ffn.empty()) {
      read_.insert(std::string(keys.expert_ffn));
      if (h.n_experts > 0)
        h.n_ff_expert = size_key(keys.expert_ffn, std::nullopt, h.key_n_ff_expert);
    }
    if (!keys.renormalize_experts.empty()) {
      read_.insert(std::string(keys.renormalize_experts));
      if (config.contains(keys.renormalize_experts) && !config.boolean(keys.renormalize_experts))
        base::fail(ErrorCode::format, "{} must be true or false", where(keys.renormalize_experts));
      h.renormalize_experts =
          config.boolean(keys.renormalize_experts).value_or(hf.defaults.renormalize_experts);
    }
    if (!keys.sliding_window.empty()) {
      read_.insert(std::string(keys.sliding_window));
      const bool present = config.contains(keys.sliding_window);
      const std::optional<std::int64_t> window = config.integer(keys.sliding_window);
      if (window && *window > 0) {
        h.sliding_window = static_cast<std::size_t>(*window);
        if (hf.sliding != nn::SlidingLayers::none) h.sliding_layers = hf.sliding;
      } else if (!present) {
        h.sliding_window = hf.defaults.sliding_window;
      }
    }
    if (!keys.attention_soft_cap.empty())
      h.attention_soft_cap = static_cast<float>(number_key(keys.attention_soft_cap).value_or(0.0));
    if (!keys.final_soft_cap.empty())
      h.final_soft_cap = static_cast<float>(number_key(keys.final_soft_cap).value_or(0.0));
    if (!keys.query_scale.empty()) {
      std::optional<double> scalar = number_key(keys.query_scale);
      if (!scalar && hf.defaults.query_scale > 0) scalar = hf.defaults.query_scale;
      if (scalar && *scalar > 0) {
        h.attention_scale = static_cast<float>(1.0 / std::sqrt(*scalar));
      }
    }
    if (!keys.activation.empty()) {
      read_.insert(std::string(keys.activation));
      const std::string name =
          config.string(keys.activation).value_or(std::string(hf.defaults.activation));
      h.activation = activation_named(name);
      if (!h.activation) {
        base::fail(ErrorCode::unsupported,
                   "{} = '{}' is not supported (lmc computes silu, gelu, "
                   "gelu_new, gelu_pytorch_tanh, gelu_fast)",
                   where(keys.activation), name);
      }
    }
    read_.insert("tie_word_embeddings");
    h.tied_output = config.boolean("tie_word_embeddings").value_or(hf.defaults.tied);
    for (const HfFlag& flag : hf.flags) read_.insert(std::string(flag.key));
    for (std::string_view key : hf.understood) read_.insert(std::string(key));
    apply_family_flags();
    read_layer_patterns();
    if (spec_->ssm_layers != SsmLayers::none) read_ssm();
    h.name = folder_.path.filename().string();
    if (h.name.empty()) h.name = folder_.path.parent_path().filename().string();
  }

  // Elements key.0, key.1, ... of a list of config.json, or nullopt when the key is no list.
  template <typename Read>
  std::optional<std::vector<bool>> per_layer_list(std::string_view key, Read read) {
    const HfConfig& config = config_;
    read_.insert(std::string(key));
    if (!config.contains(fmt::format("{}.0", key))) return std::nullopt;
    std::vector<bool> flags;
    for (std::size_t i = 0;; ++i) {
      const std::string element = fmt::format("{}.{}", key, i);
      if (!config.contains(element)) break;
      flags.push_back(read(element));
    }
    // SmolLM3Config documents "at least" one entry per layer; more are not read.
    if (flags.size() < hyper_parameters_.n_layers) {
      base::fail(ErrorCode::format, "{} has {} entries for {} layers", where(key), flags.size(),
                 hyper_parameters_.n_layers);
    }
    flags.resize(hyper_parameters_.n_layers);
    return flags;
  }

  // Which layers are local (Gemma 3: layer_types, else sliding_window_pattern) and which skip
  // RoPE (SmolLM3: no_rope_layers, else no_rope_layer_interval), as the config classes derive
  // them.
  void read_layer_patterns() {
    const HfConfig& config = config_;
    const HfConfigKeys& keys = spec_->hf.keys;
    const HfDefaults& defaults = spec_->hf.defaults;
    HyperParameters& h = hyper_parameters_;
    const std::size_t n = h.n_layers;
    std::string unused;
    if (!keys.layer_types.empty()) {
      std::optional<std::vector<bool>> local =
          per_layer_list(keys.layer_types, [&](const std::string& element) {
            const std::optional<std::string> type = config.string(element);
            if (type == "sliding_attention") return true;
            if (type == "full_attention") return false;
            base::fail(ErrorCode::unsupported,
                       "{} is not supported (lmc computes \"sliding_attention\" and "
                       "\"full_attention\")",
                       where(element));
          });
      h.key_local_layers = std::string(keys.layer_types);
      if (!keys.sliding_pattern.empty()) {
        // Gemma3TextConfig keeps the period for old configs (also as _sliding_window_pattern).
        const std::string old_key = fmt::format("_{}", keys.sliding_pattern);
        const std::string_view pattern_key =
            config.contains(old_key) && !config.contains(keys.sliding_pattern)
                ? std::string_view(old_key)
                : keys.sliding_pattern;
        read_.insert(old_key);
        const std::size_t period = size_key(pattern_key, defaults.sliding_pattern, unused);
        if (!local) {
          if (period == 0) base::fail(ErrorCode::format, "{} must be > 0", where(pattern_key));
          local.emplace(n);
          for (std::size_t l = 0; l < n; ++l) (*local)[l] = (l + 1) % period != 0;
          h.key_local_layers = std::string(pattern_key);
        }
      }
      const bool any_local = local && std::find(local->begin(), local->end(), true) != local->end();
      if (any_local && spec_->hf.sliding != nn::SlidingLayers::listed) {
        base::fail(ErrorCode::unsupported,
                   "{}: sliding-window layers are not supported for model_type '{}'",
                   where(keys.layer_types), config.model_type);
      }
      if (local && spec_->hf.sliding == nn::SlidingLayers::listed) h.local_layer = *local;
    }
    if (!keys.local_rope_theta.empty() && layer_type_rope_) {
      read_.insert(std::string(keys.local_rope_theta));
      if (h.rope_local_base == 0) h.rope_local_base = defaults.local_rope_theta;
    } else if (!keys.local_rope_theta.empty()) {
      h.rope_local_base = number_key(keys.local_rope_theta).value_or(defaults.local_rope_theta);
      if (!(h.rope_local_base > 0) || !std::isfinite(h.rope_local_base))
        base::fail(ErrorCode::format, "{} must be > 0", where(keys.local_rope_theta));
    }
    if (!keys.no_rope_layers.empty()) {
      std::optional<std::vector<bool>> no_rope =
          per_layer_list(keys.no_rope_layers, [&](const std::string& element) {
            const std::optional<std::int64_t> v = config.integer(element);
            if (v != 0 && v != 1)
              base::fail(ErrorCode::format, "{} must be 0 (NoPE) or 1 (RoPE)", where(element));
            return *v == 0;
          });
      h.key_no_rope_layers = std::string(keys.no_rope_layers);
      const std::size_t interval =
          size_key(keys.no_rope_interval, defaults.no_rope_interval, unused);
      if (!no_rope) {
        if (interval == 0)
          base::fail(ErrorCode::format, "{} must be > 0", where(keys.no_rope_interval));
        no_rope.emplace(n);
        for (std::size_t l = 0; l < n; ++l) (*no_rope)[l] = (l + 1) % interval == 0;
        h.key_no_rope_layers = std::string(keys.no_rope_interval);
      }
      h.no_rope_layer = *no_rope;
    }
  }

  bool latent() const {
    return spec_->tensors[static_cast<std::size_t>(Role::attn_kv_a_mqa)] != Presence::absent;
  }

  // DeepseekV2Config's latent attention, dense layers and experts (defaults: transformers'
  // DeepseekV2Config). Its MoE gate computes greedy top-k of softmax probabilities, the weights
  // times routed_scaling_factor (norm_topk_prob false, checked as a flag).
  void read_latent_attention() {
    const HfConfig& config = config_;
    HyperParameters& h = hyper_parameters_;
    nn::LatentAttentionConfig& a = h.latent_attention;
    std::string unused;
    a.kv_lora = size_key("kv_lora_rank", 512, unused);
    // null: one q_proj (DeepSeek-V2-Lite)
    read_.insert("q_lora_rank");
    a.q_lora = 1536;
    if (config.contains("q_lora_rank"))
      a.q_lora = config.integer("q_lora_rank") ? size_key("q_lora_rank", std::nullopt, unused) : 0;
    a.nope_dim = size_key("qk_nope_head_dim", 128, unused);
    a.rope_dim = size_key("qk_rope_head_dim", 64, unused);
    a.value_dim = size_key("v_head_dim", 128, unused);
    h.key_latent = "kv_lora_rank, q_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim";
    if (a.kv_lora == 0 || a.nope_dim == 0 || a.rope_dim == 0 || a.value_dim == 0)
      base::fail(ErrorCode::format, "{}: keys {} must be > 0", config.path.string(), h.key_latent);
    h.key_dim = a.key_width();
    h.value_dim = a.value_width();
    h.key_key_dim = h.key_value_dim = h.key_latent;
    h.n_kv_heads = 1;  // the absorbed form: one latent shared by every head
    h.rope_dims = a.rope_dim;
    h.key_rope_dims = "qk_rope_head_dim";
    h.attention_scale =
        static_cast<float>(1.0 / std::sqrt(static_cast<double>(a.nope_dim + a.rope_dim)));
    h.leading_dense_layers = size_key("first_k_dense_replace", 0, unused);
    h.n_ff_expert = size_key("moe_intermediate_size", 1407, h.key_n_ff_expert);
    read_.insert("n_shared_experts");
    h.n_shared_experts = 2;
    if (config.contains("n_shared_experts")) {  // null: none
      h.n_shared_experts = config.integer("n_shared_experts")
                               ? size_key("n_shared_experts", std::nullopt, unused)
                               : 0;
    }
    const double scale = number_key("routed_scaling_factor").value_or(1.0);
    if (!(scale > 0) || !std::isfinite(scale))
      base::fail(ErrorCode::format, "{} = {} must be > 0", where("routed_scaling_factor"), scale);
    h.expert_weights_scale = static_cast<float>(scale);
    // group_limited_greedy: only the experts of the topk_group groups (of n_group) with the
    // highest maximum probability compete (DeepSeek-V2: 8 groups, 3 kept).
    read_.insert("topk_method");
    const std::string method = config.string("topk_method").value_or("greedy");
    if (method == "group_limited_greedy") {
      h.expert_groups = size_key("n_group", 1, unused);
      h.expert_groups_used = size_key("topk_group", h.expert_groups, unused);
      if (h.expert_groups_used >= h.expert_groups) h.expert_groups = h.expert_groups_used = 0;
    } else if (method != "greedy") {
      base::fail(ErrorCode::unsupported,
                 "{}: key 'topk_method' = \"{}\" is not supported (lmc computes greedy)",
                 config.path.string(), method);
    }
  }

  // Flags whose accepted values select a layout or bound the context rather than refuse one.
  void apply_family_flags() {
    const HfConfig& config = config_;
    HyperParameters& h = hyper_parameters_;
    if (spec_->name == "falcon") {
      // FalconAttention: new_decoder_architecture groups q heads with their k and v;
      // multi_query (one KV head) keeps [Q; K; V]; otherwise each head holds its q, k, v.
      // FalconDecoderLayer: the new architecture has two LayerNorms (ln_attn feeding attention,
      // ln_mlp the MLP) unless num_ln_in_parallel_attn is 1 (then input_layernorm feeds both).
      const bool new_decoder = config.boolean("new_decoder_architecture").value_or(false);
      if (new_decoder) {
        qkv_layout_ = HfQkvLayout::grouped;
        const bool two_norms = config.integer("num_ln_in_parallel_attn").value_or(2) != 1;
        if (two_norms != (lookup(Role::attn_norm_2, 0) != nullptr)) {
          base::fail(ErrorCode::format,
                     "{}: key 'num_ln_in_parallel_attn' asks for {} LayerNorm(s) per block, but "
                     "the weights {} '{}'",
                     config.path.string(), two_norms ? 2 : 1, two_norms ? "lack" : "have",
                     tensor_name(Role::attn_norm_2, 0));
        }
      } else if (config.integer("num_ln_in_parallel_attn").value_or(1) != 1) {
        base::fail(
            ErrorCode::unsupported,
            "{}: key 'num_ln_in_parallel_attn' = 2 needs new_decoder_architecture (transformers' "
            "FalconDecoderLayer reads input_layernorm otherwise)",
            config.path.string());
      } else if (config.boolean("multi_query").value_or(true)) {
        h.n_kv_heads = 1;
        h.key_n_kv_heads = "multi_query";
      } else {
        qkv_layout_ = HfQkvLayout::per_head;
        h.n_kv_heads = h.n_heads;
      }
    }
    if (latent() && h.expert_groups > 1) {
      const std::size_t per = h.n_experts / h.expert_groups;
      if (h.n_experts % h.expert_groups != 0 || h.expert_groups_used == 0 ||
          h.expert_groups_used * per < h.n_experts_used) {
        base::fail(ErrorCode::format,
                   "{} = {} (of n_group = {}) keeps fewer than num_experts_per_tok = {} of the {} "
                   "experts, or n_group does not divide them",
                   where("topk_group"), h.expert_groups_used, h.expert_groups, h.n_experts_used,
                   h.n_experts);
      }
    }
    if (latent()) {
      // DeepseekV2Attention: with rope scaling, the scores are also multiplied by
      // yarn_get_mscale(factor, mscale_all_dim)² (RoPE's own factor is read with the scaling).
      const std::string prefix =
          config.contains("rope_parameters.rope_type") || config.contains("rope_parameters.type")
              ? "rope_parameters."
              : "rope_scaling.";
      const double all_dim = config.number(prefix + "mscale_all_dim").value_or(0.0);
      const double factor = config.number(prefix + "factor").value_or(1.0);
      if (all_dim != 0.0) {
        const double m = yarn_mscale(factor, all_dim);
        h.attention_scale =
            static_cast<float>(m * m /
                               std::sqrt(static_cast<double>(h.latent_attention.nope_dim +
                                                             h.latent_attention.rope_dim)));
      }
    }
    if (spec_->name == "qwen") {
      // QWenModel: once a sequence exceeds seq_length, use_dynamic_ntk raises the RoPE base and
      // use_logn_attn scales queries by log_seq_length(position) (both on by default); up to it
      // the model is plain RoPE attention.
      std::vector<std::string> on;
      for (const char* key : {"use_dynamic_ntk", "use_logn_attn"}) {
        if (config.boolean(key).value_or(true)) on.emplace_back(key);
      }
      if (!on.empty()) {
        read_.insert("seq_length");
        h.context_limit = static_cast<std::size_t>(
            std::clamp<std::int64_t>(config.integer("seq_length").value_or(2048), 1, 1 << 30));
        h.context_limit_reason =
            fmt::format("{} asks for {} above seq_length = {}, which lmc does not implement",
                        config.path.string(), fmt::join(on, " and "), h.context_limit);
      }
    }
  }

  // Every key of config.json must be one lmc read, a flag with a value it computes, or one that
  // does not change the computation.
  void check_every_key() const {
    const HfConfig& config = config_;
    for (const HfFlag& flag : spec_->hf.flags) {
      const auto it = config.values.find(std::string(flag.key));
      const std::string value =
          it != config.values.end() ? json_text(it->second) : std::string(flag.absent_is);
      if (value.empty()) continue;
      if (std::find(flag.accepted.begin(), flag.accepted.end(), value) == flag.accepted.end()) {
        base::fail(ErrorCode::unsupported,
                   "{}: key '{}{}' = {}{} is not supported (lmc computes {})", config.path.string(),
                   key_prefix_, flag.key, value, it == config.values.end() ? " (the default)" : "",
                   fmt::join(flag.accepted, ", "));
      }
    }
    for (const auto& [path, value] : config.values) {
      const std::string top = path.substr(0, path.find('.'));
      if (read_.contains(top) || is_harmless_key(top)) continue;
      base::fail(
          ErrorCode::unsupported,
          "{}: key '{}{}' is not supported for model_type '{}' (lmc would ignore a setting that "
          "may change the computation)",
          config.path.string(), key_prefix_, top, config.model_type);
    }
  }

  HfModelFolder folder_;
  /// The config read: folder_.config, or a multimodal folder's text_config.
  HfConfig config_;
  std::string key_prefix_;  ///< "text_config." in a multimodal folder: for messages
  std::vector<std::pair<std::string_view, std::string_view>> prefixes_;  ///< HfMultimodal's
  std::optional<SafetensorsCheckpoint> weights_;
  std::deque<std::vector<float>> owned_values_;
  std::deque<std::vector<std::byte>> owned_bytes_;
  std::deque<Tensor> owned_tensors_;
  std::set<std::string> read_;
  HfQkvLayout qkv_layout_ = HfQkvLayout::blocks;
  bool layer_type_rope_ = false;  ///< rope_parameters per layer type (transformers 5)
};

}  // namespace

std::unique_ptr<Checkpoint> open_hf_checkpoint(const std::filesystem::path& folder,
                                               bool memory_map) {
  return std::make_unique<HfCheckpoint>(folder, memory_map);
}

}  // namespace model
LMC_END_NAMESPACE

// lmc-inspect MODEL [--json]
//
// Summarizes a model: a .gguf file or a Hugging Face folder (config.json + safetensors). Prints
// the architecture, hyper-parameters, parameter count, tokenizer summary and tensor table; with
// --json, the same as one JSON object with the keys architecture, format, n_params,
// hyper_parameters, tokenizer {model, pre, n_vocab, bos_id, eos_id}, metadata (every scalar
// GGUF metadata value / config.json value) and tensors [{name, type, shape}].
#include <lmc/lmc.hpp>

#include "cli.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace {

// A scalar to print: text, an integer, a floating-point number, a boolean, or nothing (null).
// Floats are kept as float so that they print in their own shortest form (1e-05, not
// 9.999999747378752e-06).
using Scalar =
    std::variant<std::monostate, std::string, std::int64_t, std::uint64_t, float, double, bool>;

struct Summary {
  std::string format;
  std::string architecture;
  std::int64_t n_params = 0;
  std::vector<std::pair<std::string, Scalar>> hyper_parameters;
  std::vector<std::pair<std::string, Scalar>> metadata;
  struct TokenizerSummary {
    Scalar model, pre, n_vocab, bos_id, eos_id;
  } tokenizer;
  struct TensorRow {
    std::string name, type;
    std::vector<std::int64_t> shape;
  };
  std::vector<TensorRow> tensors;
};

template <typename Floating>
std::string format_floating(Floating value) {
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest exact
  return error == std::errc() ? std::string(buffer, end) : std::string("0");
}

// A number or boolean as printed; nullopt for a string or nothing.
std::optional<std::string> number_text(const Scalar& value) {
  struct Visitor {
    std::optional<std::string> operator()(std::monostate) const { return std::nullopt; }
    std::optional<std::string> operator()(const std::string&) const { return std::nullopt; }
    std::optional<std::string> operator()(std::int64_t v) const { return std::to_string(v); }
    std::optional<std::string> operator()(std::uint64_t v) const { return std::to_string(v); }
    std::optional<std::string> operator()(float v) const {
      return std::isfinite(v) ? format_floating(v) : "null";
    }
    std::optional<std::string> operator()(double v) const {
      return std::isfinite(v) ? format_floating(v) : "null";
    }
    std::optional<std::string> operator()(bool v) const { return v ? "true" : "false"; }
  };
  return std::visit(Visitor{}, value);
}

void write_scalar(lmc::JsonWriter& json, const Scalar& value) {
  if (std::holds_alternative<std::monostate>(value)) {
    json.null();
  } else if (const auto* s = std::get_if<std::string>(&value)) {
    json.value(*s);
  } else if (const auto* b = std::get_if<bool>(&value)) {
    json.value(*b);
  } else {
    json.number_text(*number_text(value));  // "null" for a non-finite value
  }
}

std::string to_text(const Scalar& value) {
  if (std::holds_alternative<std::monostate>(value)) return "-";
  if (auto s = std::get_if<std::string>(&value)) return *s;
  return *number_text(value);
}

Scalar gguf_scalar(const lmc::GgufValue& value) {
  using Type = lmc::GgufValueType;
  switch (value.type()) {
    case Type::string: return std::string(value.as_string());
    case Type::boolean: return value.as_bool();
    case Type::f32: return static_cast<float>(value.as_double());
    case Type::f64: return value.as_double();
    case Type::u64: return value.as_uint();
    case Type::array: return std::monostate{};
    default: return value.as_int();
  }
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(shape[i]);
  }
  return out + "]";
}

void add_tensors(Summary& summary, std::span<const lmc::Tensor> tensors) {
  for (const auto& tensor : tensors) {
    summary.n_params += tensor.n_elements();
    summary.tensors.push_back(
        {tensor.name, std::string(lmc::dtype_name(tensor.type)), tensor.shape});
  }
}

Summary inspect_gguf(const std::filesystem::path& path) {
  const auto file = lmc::GgufFile::open(path);
  Summary summary;
  summary.format = "GGUF v" + std::to_string(file.version());
  const auto* architecture = file.find("general.architecture");
  summary.architecture = architecture && architecture->type() == lmc::GgufValueType::string
                             ? std::string(architecture->as_string())
                             : "";
  const std::string prefix = summary.architecture + ".";
  for (const auto& key : file.metadata_keys()) {
    const auto& value = file.at(key);
    if (value.is_array()) {
      // Per-layer integer arrays (Jamba's head_count_kv: 0 marks a Mamba layer) are
      // hyper-parameters too; they are printed as text.
      const auto element = value.element_type();
      if (!summary.architecture.empty() && key.starts_with(prefix) && value.size() <= 1024 &&
          element != lmc::GgufValueType::string && element != lmc::GgufValueType::array &&
          element != lmc::GgufValueType::f32 && element != lmc::GgufValueType::f64) {
        std::string text = "[";
        for (const std::int64_t v : value.as_ints())
          text += (text.size() > 1 ? ", " : "") + std::to_string(v);
        summary.hyper_parameters.emplace_back(key.substr(prefix.size()), text + "]");
      }
      continue;
    }
    const Scalar scalar = gguf_scalar(value);
    summary.metadata.emplace_back(key, scalar);
    if (!summary.architecture.empty() && key.starts_with(prefix)) {
      summary.hyper_parameters.emplace_back(key.substr(prefix.size()), scalar);
    }
  }
  auto scalar_of = [&](const char* key) -> Scalar {
    const auto* value = file.find(key);
    return value && !value->is_array() ? gguf_scalar(*value) : Scalar{};
  };
  summary.tokenizer.model = scalar_of("tokenizer.ggml.model");
  summary.tokenizer.pre = scalar_of("tokenizer.ggml.pre");
  if (const auto* tokens = file.find("tokenizer.ggml.tokens"); tokens && tokens->is_array()) {
    summary.tokenizer.n_vocab = static_cast<std::int64_t>(tokens->size());
  }
  summary.tokenizer.bos_id = scalar_of("tokenizer.ggml.bos_token_id");
  summary.tokenizer.eos_id = scalar_of("tokenizer.ggml.eos_token_id");
  add_tensors(summary, file.tensors());
  return summary;
}

template <typename T>
Scalar optional_scalar(const std::optional<T>& value) {
  if (!value) return std::monostate{};
  return *value;
}

Summary inspect_folder(const std::filesystem::path& path) {
  const auto folder = lmc::HfModelFolder::open(path);
  const auto& config = folder.config;
  Summary summary;
  summary.format = "Hugging Face folder";
  summary.architecture = config.model_type;
  if (summary.architecture.empty() && !config.architectures.empty()) {
    summary.architecture = config.architectures.front();
  }
  auto& hp = summary.hyper_parameters;
  hp.emplace_back("vocab_size", optional_scalar(config.vocab_size));
  hp.emplace_back("hidden_size", optional_scalar(config.hidden_size));
  hp.emplace_back("intermediate_size", optional_scalar(config.intermediate_size));
  hp.emplace_back("num_hidden_layers", optional_scalar(config.num_hidden_layers));
  hp.emplace_back("num_attention_heads", optional_scalar(config.num_attention_heads));
  hp.emplace_back("num_key_value_heads", optional_scalar(config.num_key_value_heads));
  hp.emplace_back("head_dim", optional_scalar(config.head_dim));
  hp.emplace_back("max_position_embeddings", optional_scalar(config.max_position_embeddings));
  hp.emplace_back("norm_eps", optional_scalar(config.norm_eps));
  hp.emplace_back("rope_theta", optional_scalar(config.rope_theta));
  hp.emplace_back("partial_rotary_factor", optional_scalar(config.partial_rotary_factor));
  hp.emplace_back("rope_scaling",
                  config.rope_scaling ? Scalar{config.rope_scaling->type} : Scalar{});
  hp.emplace_back("tie_word_embeddings", optional_scalar(config.tie_word_embeddings));
  hp.emplace_back("sliding_window", optional_scalar(config.sliding_window));
  // Per-layer lists, printed as text: which layers are local, which skip RoPE.
  for (const char* key : {"layer_types", "no_rope_layers"}) {
    std::string text;
    for (std::size_t i = 0;; ++i) {
      const auto it = config.values.find(std::string(key) + "." + std::to_string(i));
      if (it == config.values.end()) break;
      std::string element = "?";
      if (auto n = std::get_if<std::int64_t>(&it->second)) element = std::to_string(*n);
      if (auto t = std::get_if<std::string>(&it->second)) element = *t;
      text += (text.empty() ? "[" : ", ") + element;
    }
    if (!text.empty()) hp.emplace_back(key, text + "]");
  }
  // State-space sizes and layer patterns (MambaConfig, JambaConfig), DeepseekV2Config's latent
  // attention, dense layers and experts, Qwen3MoeConfig's experts, local/global and NoPE layers
  // (Gemma3TextConfig, SmolLM3Config), when the config has them.
  for (const char* key : {"state_size",
                          "conv_kernel",
                          "expand",
                          "time_step_rank",
                          "mamba_d_state",
                          "mamba_d_conv",
                          "mamba_expand",
                          "mamba_dt_rank",
                          "attn_layer_period",
                          "attn_layer_offset",
                          "expert_layer_period",
                          "expert_layer_offset",
                          "num_experts",
                          "num_experts_per_tok",
                          "q_lora_rank",
                          "kv_lora_rank",
                          "qk_nope_head_dim",
                          "qk_rope_head_dim",
                          "v_head_dim",
                          "first_k_dense_replace",
                          "moe_intermediate_size",
                          "n_routed_experts",
                          "n_shared_experts",
                          "routed_scaling_factor",
                          "topk_method",
                          "norm_topk_prob",
                          "decoder_sparse_step",
                          "rope_local_base_freq",
                          "sliding_window_pattern",
                          "query_pre_attn_scalar",
                          "attn_logit_softcapping",
                          "final_logit_softcapping",
                          "no_rope_layer_interval",
                          "use_sliding_window"}) {
    const auto it = config.values.find(key);
    if (it == config.values.end()) continue;
    Scalar scalar;
    if (auto i = std::get_if<std::int64_t>(&it->second)) scalar = *i;
    if (auto d = std::get_if<double>(&it->second)) scalar = *d;
    if (auto t = std::get_if<std::string>(&it->second)) scalar = *t;
    if (auto b = std::get_if<bool>(&it->second)) scalar = *b;
    hp.emplace_back(key, scalar);
  }
  for (const auto& [key, value] : config.values) {
    Scalar scalar;
    if (auto s = std::get_if<std::string>(&value)) scalar = *s;
    if (auto i = std::get_if<std::int64_t>(&value)) scalar = *i;
    if (auto d = std::get_if<double>(&value)) scalar = *d;
    if (auto b = std::get_if<bool>(&value)) scalar = *b;
    summary.metadata.emplace_back(key, scalar);
  }
  if (folder.tokenizer_json) {
    const auto info =
        lmc::HfTokenizerInfo::load(*folder.tokenizer_json, folder.tokenizer_config_json);
    summary.tokenizer.model = info.model_type;
    summary.tokenizer.pre = info.pre_tokenizer.empty() ? Scalar{} : Scalar{info.pre_tokenizer};
    summary.tokenizer.n_vocab = info.vocab_size;
    summary.tokenizer.bos_id = optional_scalar(info.bos_id ? info.bos_id : config.bos_token_id);
    summary.tokenizer.eos_id = optional_scalar(
        info.eos_id ? info.eos_id
                    : (config.eos_token_ids.empty() ? std::nullopt
                                                    : std::optional(config.eos_token_ids[0])));
  }
  if (folder.weights) {
    const auto checkpoint = lmc::SafetensorsCheckpoint::open(path);
    add_tensors(summary, checkpoint.tensors());
  }
  return summary;
}

void print_json(const Summary& s) {
  lmc::JsonWriter json(lmc::JsonWriter::Style::spaced);
  auto pairs = [&](const std::vector<std::pair<std::string, Scalar>>& items) {
    json.begin_object();
    for (const auto& [key, value] : items) write_scalar(json.key(key), value);
    json.end_object();
  };
  json.begin_object();
  json.member("architecture", s.architecture).member("format", s.format);
  json.member("n_params", s.n_params).key("hyper_parameters");
  pairs(s.hyper_parameters);
  json.key("tokenizer").begin_object();
  write_scalar(json.key("model"), s.tokenizer.model);
  write_scalar(json.key("pre"), s.tokenizer.pre);
  write_scalar(json.key("n_vocab"), s.tokenizer.n_vocab);
  write_scalar(json.key("bos_id"), s.tokenizer.bos_id);
  write_scalar(json.key("eos_id"), s.tokenizer.eos_id);
  json.end_object().key("metadata");
  pairs(s.metadata);
  json.key("tensors").begin_array();
  for (const auto& t : s.tensors) {
    json.begin_object().member("name", t.name).member("type", t.type).key("shape").begin_array();
    for (std::int64_t d : t.shape) json.value(d);
    json.end_array().end_object();
  }
  json.end_array().end_object();
  std::cout << json.str() << "\n";
}

void print_text(const Summary& s) {
  std::cout << "format:        " << s.format << "\n"
            << "architecture:  " << (s.architecture.empty() ? "-" : s.architecture) << "\n"
            << "parameters:    " << s.n_params << "\n"
            << "tokenizer:     model " << to_text(s.tokenizer.model) << ", pre "
            << to_text(s.tokenizer.pre) << ", " << to_text(s.tokenizer.n_vocab) << " tokens, bos "
            << to_text(s.tokenizer.bos_id) << ", eos " << to_text(s.tokenizer.eos_id) << "\n"
            << "hyper-parameters:\n";
  for (const auto& [key, value] : s.hyper_parameters) {
    std::cout << "  " << key << " = " << to_text(value) << "\n";
  }
  std::cout << "tensors (" << s.tensors.size() << "):\n";
  std::size_t width = 4;
  for (const auto& t : s.tensors) width = std::max(width, t.name.size());
  for (const auto& t : s.tensors) {
    std::cout << "  " << t.name << std::string(width - t.name.size() + 2, ' ') << t.type
              << std::string(t.type.size() < 6 ? 6 - t.type.size() : 1, ' ') << shape_text(t.shape)
              << "\n";
  }
}

int run(int argc, char** argv) {
  const cli::Arguments args(argc, argv, {}, {"json", "help"});
  if (args.flag("help") || args.positional().size() != 1) {
    if (!args.flag("help")) {
      std::cerr << "usage: lmc-inspect MODEL [--json]  (MODEL: a .gguf file or a Hugging Face "
                   "folder)\n";
      return 1;
    }
    std::cout << "usage: lmc-inspect MODEL [--json]\n"
                 "Summarizes a .gguf file or a Hugging Face model folder: architecture,\n"
                 "hyper-parameters, parameter count, tokenizer and tensor table.\n";
    return 0;
  }
  const std::filesystem::path model = args.positional().front();
  const Summary summary =
      std::filesystem::is_directory(model) ? inspect_folder(model) : inspect_gguf(model);
  if (args.flag("json")) {
    print_json(summary);
  } else {
    print_text(summary);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return cli::run_main("lmc-inspect", run, argc, argv); }

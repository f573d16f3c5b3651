// Hugging Face model folders: config.json as a neutral record of hyper-parameters, and where the
// tokenizer files are. Which keys an architecture actually uses is decided by lib/model; this
// record only parses and names what config.json says.
#pragma once

#include <lmc/error.hpp>
#include <lmc/export.hpp>
#include <lmc/version.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

LMC_BEGIN_NAMESPACE

/// A scalar JSON value from config.json: null, boolean, integer, floating-point number or string.
using HfConfigScalar = std::variant<std::nullptr_t, bool, std::int64_t, double, std::string>;

/// rope_scaling of config.json (also read from the older key "rope_type" inside it).
struct HfRopeScaling {
  std::string type;  ///< "linear", "dynamic", "yarn", "llama3", ... ("" if absent)
  std::map<std::string, double> numbers;  ///< every numeric field: factor, low_freq_factor, ...
};

/// The parsed config.json. Fields are nullopt when the key is absent (or null).
struct LMC_EXPORT HfConfig {
  std::filesystem::path path;              ///< the config.json read
  std::string model_type;                  ///< "llama", "qwen2", ... ("" if absent)
  std::vector<std::string> architectures;  ///< e.g. {"LlamaForCausalLM"}

  std::optional<std::int64_t> vocab_size;
  std::optional<std::int64_t> hidden_size;
  std::optional<std::int64_t> intermediate_size;
  std::optional<std::int64_t> num_hidden_layers;
  std::optional<std::int64_t> num_attention_heads;
  std::optional<std::int64_t> num_key_value_heads;
  std::optional<std::int64_t> head_dim;
  std::optional<std::int64_t> max_position_embeddings;
  /// rms_norm_eps, else layer_norm_eps, else layer_norm_epsilon.
  std::optional<double> norm_eps;
  std::optional<double> rope_theta;
  std::optional<double> partial_rotary_factor;
  std::optional<HfRopeScaling> rope_scaling;
  std::optional<bool> tie_word_embeddings;
  std::optional<std::int64_t> sliding_window;
  std::optional<std::int64_t> bos_token_id;
  /// eos_token_id; config.json may give one id or a list.
  std::vector<std::int64_t> eos_token_ids;
  std::optional<std::string> torch_dtype;

  /// Every scalar of config.json by its dotted path: nested objects add ".key", array elements
  /// ".0", ".1", ... ("rope_scaling.factor", "architectures.0", "text_config.hidden_size").
  std::map<std::string, HfConfigScalar> values;

  /// The number at `key` (an integer or a floating-point value); nullopt when absent or not a
  /// number.
  std::optional<double> number(std::string_view key) const;
  /// The integer at `key`; nullopt when absent, not a number or not integral.
  std::optional<std::int64_t> integer(std::string_view key) const;
  std::optional<std::string> string(std::string_view key) const;
  std::optional<bool> boolean(std::string_view key) const;
  /// True when a scalar (even null) is stored at `key`; objects and arrays are not scalars: test
  /// "key.0" or "key.field" for those.
  bool contains(std::string_view key) const;

  /// Parses a config.json. Throws Error(io) when unreadable and Error(format) naming the file,
  /// the key and what was expected when the JSON is invalid or a known key has the wrong type.
  static HfConfig load(const std::filesystem::path& config_json);
  /// Parses config.json text; `source` names it in error messages.
  static HfConfig parse(std::string_view json, std::string_view source);
};

/// A Hugging Face model folder: config.json plus where its weights and tokenizer files are.
struct LMC_EXPORT HfModelFolder {
  std::filesystem::path path;  ///< the folder
  HfConfig config;
  /// model.safetensors, or model.safetensors.index.json for sharded weights (nullopt if neither;
  /// open it with SafetensorsCheckpoint::open(path)).
  std::optional<std::filesystem::path> weights;
  std::optional<std::filesystem::path> tokenizer_json;          ///< tokenizer.json, when present
  std::optional<std::filesystem::path> tokenizer_config_json;   ///< tokenizer_config.json
  std::optional<std::filesystem::path> generation_config_json;  ///< generation_config.json

  /// Opens a folder: config.json must exist (Error(io) otherwise); other files are optional.
  static HfModelFolder open(const std::filesystem::path& folder);
};

/// A summary of a Hugging Face tokenizer, for display (lmc-inspect); the tokenizer itself is
/// built by lib/tokenizer.
struct LMC_EXPORT HfTokenizerInfo {
  std::string model_type;       ///< tokenizer.json model.type: "BPE", "Unigram", "WordPiece", ...
  std::string pre_tokenizer;    ///< pre_tokenizer.type, a Sequence as "Sequence[Split,ByteLevel]"
  std::int64_t vocab_size = 0;  ///< 1 + the largest id in model.vocab and added_tokens
  std::int64_t n_added = 0;     ///< entries of added_tokens
  std::optional<std::string> bos_token, eos_token;  ///< from tokenizer_config.json
  std::optional<std::int64_t> bos_id, eos_id;       ///< those tokens' ids, when found

  /// Reads tokenizer.json and, when given, tokenizer_config.json (bos_token / eos_token, plain
  /// strings or {"content": ...} objects). Throws Error(io) / Error(format) naming the file.
  static HfTokenizerInfo load(const std::filesystem::path& tokenizer_json,
                              const std::optional<std::filesystem::path>& tokenizer_config_json);
};

LMC_END_NAMESPACE

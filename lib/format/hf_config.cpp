// Hugging Face config.json into HfConfig, and the files of a model folder.
#include <lmc/hf_config.hpp>

#include "base/fail.hpp"
#include "base/json.hpp"
#include "base/mapped_file.hpp"

#include <cmath>

LMC_BEGIN_NAMESPACE

namespace {

constexpr int max_depth = 32;  // nesting deeper than this is not a config file

void flatten(const rapidjson::Value& value, const std::string& path, int depth,
             std::map<std::string, HfConfigScalar>& out, std::string_view source) {
  if (depth > max_depth) {
    base::fail(ErrorCode::format, "{}: '{}' nests deeper than {} levels", source, path, max_depth);
  }
  auto child = [&](std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  };
  switch (value.GetType()) {
    case rapidjson::kObjectType:
      for (auto m = value.MemberBegin(); m != value.MemberEnd(); ++m) {
        flatten(m->value, child({m->name.GetString(), m->name.GetStringLength()}), depth + 1, out,
                source);
      }
      return;
    case rapidjson::kArrayType: {
      std::size_t i = 0;
      for (const auto& element : value.GetArray()) {
        flatten(element, child(std::to_string(i++)), depth + 1, out, source);
      }
      return;
    }
    case rapidjson::kNullType: out[path] = nullptr; return;
    case rapidjson::kFalseType: out[path] = false; return;
    case rapidjson::kTrueType: out[path] = true; return;
    case rapidjson::kStringType:
      out[path] = std::string(value.GetString(), value.GetStringLength());
      return;
    case rapidjson::kNumberType:
      if (value.IsInt64()) {
        out[path] = value.GetInt64();
      } else {
        out[path] = value.GetDouble();
      }
      return;
  }
}

// Typed reads of the well-known keys: absent or null gives nullopt, a wrong type is an error.
class KnownKeys {
 public:
  KnownKeys(const HfConfig& config, std::string_view source) : config_(config), source_(source) {}

  bool present(std::string_view key) const {
    auto it = config_.values.find(std::string(key));
    return it != config_.values.end() && !std::holds_alternative<std::nullptr_t>(it->second);
  }

  std::optional<std::int64_t> integer(std::string_view key) const {
    if (!present(key)) return std::nullopt;
    if (auto v = config_.integer(key)) return v;
    wrong(key, "an integer");
  }
  std::optional<double> number(std::string_view key) const {
    if (!present(key)) return std::nullopt;
    if (auto v = config_.number(key)) return v;
    wrong(key, "a number");
  }
  std::optional<bool> boolean(std::string_view key) const {
    if (!present(key)) return std::nullopt;
    if (auto v = config_.boolean(key)) return v;
    wrong(key, "a boolean");
  }
  std::optional<std::string> string(std::string_view key) const {
    if (!present(key)) return std::nullopt;
    if (auto v = config_.string(key)) return v;
    wrong(key, "a string");
  }

 private:
  [[noreturn]] void wrong(std::string_view key, std::string_view expected) const {
    base::fail(ErrorCode::format, "{}: key '{}' must be {}", source_, key, expected);
  }
  const HfConfig& config_;
  std::string_view source_;
};

}  // namespace

std::optional<double> HfConfig::number(std::string_view key) const {
  auto it = values.find(std::string(key));
  if (it == values.end()) return std::nullopt;
  if (auto i = std::get_if<std::int64_t>(&it->second)) return static_cast<double>(*i);
  if (auto d = std::get_if<double>(&it->second)) return *d;
  return std::nullopt;
}

std::optional<std::int64_t> HfConfig::integer(std::string_view key) const {
  auto it = values.find(std::string(key));
  if (it == values.end()) return std::nullopt;
  if (auto i = std::get_if<std::int64_t>(&it->second)) return *i;
  if (auto d = std::get_if<double>(&it->second)) {
    // 1e-05 style floats are not integers; 4096.0 is.
    if (std::isfinite(*d) && std::trunc(*d) == *d && std::fabs(*d) < 0x1p53) {
      return static_cast<std::int64_t>(*d);
    }
  }
  return std::nullopt;
}

std::optional<std::string> HfConfig::string(std::string_view key) const {
  auto it = values.find(std::string(key));
  if (it == values.end()) return std::nullopt;
  if (auto s = std::get_if<std::string>(&it->second)) return *s;
  return std::nullopt;
}

std::optional<bool> HfConfig::boolean(std::string_view key) const {
  auto it = values.find(std::string(key));
  if (it == values.end()) return std::nullopt;
  if (auto b = std::get_if<bool>(&it->second)) return *b;
  return std::nullopt;
}

bool HfConfig::contains(std::string_view key) const {
  return values.find(std::string(key)) != values.end();
}

HfConfig HfConfig::parse(std::string_view json, std::string_view source_name) {
  const auto document = base::parse_json(json, source_name);
  if (!document.IsObject()) {
    base::fail(ErrorCode::format, "{}: config is {}, not a JSON object", source_name,
               base::json_type_name(document));
  }
  HfConfig config;
  flatten(document, "", 0, config.values, source_name);
  const KnownKeys keys(config, source_name);

  config.model_type = keys.string("model_type").value_or("");
  if (auto architectures = document.FindMember("architectures");
      architectures != document.MemberEnd() && !architectures->value.IsNull()) {
    if (!architectures->value.IsArray()) {
      base::fail(ErrorCode::format, "{}: key 'architectures' must be an array of strings",
                 source_name);
    }
    for (const auto& name : architectures->value.GetArray()) {
      if (!name.IsString()) {
        base::fail(ErrorCode::format, "{}: key 'architectures' must be an array of strings",
                   source_name);
      }
      config.architectures.emplace_back(name.GetString(), name.GetStringLength());
    }
  }
  config.vocab_size = keys.integer("vocab_size");
  config.hidden_size = keys.integer("hidden_size");
  config.intermediate_size = keys.integer("intermediate_size");
  config.num_hidden_layers = keys.integer("num_hidden_layers");
  config.num_attention_heads = keys.integer("num_attention_heads");
  config.num_key_value_heads = keys.integer("num_key_value_heads");
  config.head_dim = keys.integer("head_dim");
  config.max_position_embeddings = keys.integer("max_position_embeddings");
  for (const char* key : {"rms_norm_eps", "layer_norm_eps", "layer_norm_epsilon"}) {
    if (!config.norm_eps) config.norm_eps = keys.number(key);
  }
  config.rope_theta = keys.number("rope_theta");
  config.partial_rotary_factor = keys.number("partial_rotary_factor");
  if (auto scaling = document.FindMember("rope_scaling");
      scaling != document.MemberEnd() && !scaling->value.IsNull()) {
    if (!scaling->value.IsObject()) {
      base::fail(ErrorCode::format, "{}: key 'rope_scaling' must be an object or null",
                 source_name);
    }
    HfRopeScaling rope;
    for (auto m = scaling->value.MemberBegin(); m != scaling->value.MemberEnd(); ++m) {
      const std::string name(m->name.GetString(), m->name.GetStringLength());
      if ((name == "type" || name == "rope_type") && m->value.IsString()) {
        if (rope.type.empty() || name == "rope_type") rope.type = m->value.GetString();
      } else if (m->value.IsNumber()) {
        rope.numbers[name] = m->value.GetDouble();
      }
    }
    config.rope_scaling = std::move(rope);
  }
  config.tie_word_embeddings = keys.boolean("tie_word_embeddings");
  config.sliding_window = keys.integer("sliding_window");
  config.bos_token_id = keys.integer("bos_token_id");
  if (keys.present("eos_token_id") || config.contains("eos_token_id.0")) {
    if (auto single = config.integer("eos_token_id")) {
      config.eos_token_ids.push_back(*single);
    } else {
      for (std::size_t i = 0;; ++i) {
        const std::string key = "eos_token_id." + std::to_string(i);
        if (!config.contains(key)) break;
        auto id = keys.integer(key);
        if (!id) base::fail(ErrorCode::format, "{}: key '{}' must be an integer", source_name, key);
        config.eos_token_ids.push_back(*id);
      }
    }
  }
  config.torch_dtype = keys.string("torch_dtype");
  return config;
}

HfConfig HfConfig::load(const std::filesystem::path& config_json) {
  const base::MappedFile file = base::MappedFile::open(config_json, base::MappedFile::Mode::read);
  const auto bytes = file.bytes();
  HfConfig config =
      parse(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
            config_json.string());
  config.path = config_json;
  return config;
}

HfModelFolder HfModelFolder::open(const std::filesystem::path& folder) {
  HfModelFolder model;
  model.path = folder;
  if (!std::filesystem::is_directory(folder)) {
    base::fail(ErrorCode::io, "{}: not a folder", folder.string());
  }
  const auto config_path = folder / "config.json";
  if (!std::filesystem::is_regular_file(config_path)) {
    base::fail(ErrorCode::io, "{}: no config.json in the model folder", folder.string());
  }
  model.config = HfConfig::load(config_path);
  auto optional_file = [&](const char* name) -> std::optional<std::filesystem::path> {
    auto path = folder / name;
    if (std::filesystem::is_regular_file(path)) return path;
    return std::nullopt;
  };
  model.weights = optional_file("model.safetensors.index.json");
  if (!model.weights) model.weights = optional_file("model.safetensors");
  model.tokenizer_json = optional_file("tokenizer.json");
  model.tokenizer_config_json = optional_file("tokenizer_config.json");
  model.generation_config_json = optional_file("generation_config.json");
  return model;
}

LMC_END_NAMESPACE

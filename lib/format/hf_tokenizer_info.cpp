// HfTokenizerInfo: the few facts about a tokenizer.json that a model summary shows.
#include <lmc/hf_config.hpp>

#include "base/fail.hpp"
#include "base/json.hpp"

#include <algorithm>
#include <string_view>

LMC_BEGIN_NAMESPACE

namespace {

std::string string_member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return {};
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

// tokenizer_config.json writes a special token as "text" or {"content": "text", ...}.
std::optional<std::string> special_token(const rapidjson::Value& config, const char* name) {
  auto it = config.FindMember(name);
  if (it == config.MemberEnd()) return std::nullopt;
  if (it->value.IsString()) return std::string(it->value.GetString(), it->value.GetStringLength());
  if (it->value.IsObject()) {
    auto text = string_member(it->value, "content");
    if (!text.empty()) return text;
  }
  return std::nullopt;
}

}  // namespace

HfTokenizerInfo HfTokenizerInfo::load(
    const std::filesystem::path& tokenizer_json,
    const std::optional<std::filesystem::path>& tokenizer_config_json) {
  HfTokenizerInfo info;
  if (tokenizer_config_json) {
    const auto config = base::load_json_object(*tokenizer_config_json);
    info.bos_token = special_token(config, "bos_token");
    info.eos_token = special_token(config, "eos_token");
  }
  // Records the id of `token` when it is the BOS or EOS token (later entries win, so that
  // added_tokens override the vocabulary).
  auto note = [&](std::string_view token, std::int64_t id) {
    if (info.bos_token && token == *info.bos_token) info.bos_id = id;
    if (info.eos_token && token == *info.eos_token) info.eos_id = id;
  };
  const auto tokenizer = base::load_json_object(tokenizer_json);
  std::int64_t max_id = -1;

  if (auto model = tokenizer.FindMember("model");
      model != tokenizer.MemberEnd() && model->value.IsObject()) {
    info.model_type = string_member(model->value, "type");
    if (auto vocab = model->value.FindMember("vocab"); vocab != model->value.MemberEnd()) {
      if (vocab->value.IsObject()) {  // BPE, WordPiece: {"token": id}
        for (auto m = vocab->value.MemberBegin(); m != vocab->value.MemberEnd(); ++m) {
          if (m->value.IsInt64()) {
            max_id = std::max(max_id, m->value.GetInt64());
            note({m->name.GetString(), m->name.GetStringLength()}, m->value.GetInt64());
          }
        }
      } else if (vocab->value.IsArray()) {  // Unigram: [["token", score], ...]
        std::int64_t id = 0;
        for (const auto& entry : vocab->value.GetArray()) {
          if (entry.IsArray() && entry.Size() > 0 && entry[0].IsString()) {
            note({entry[0].GetString(), entry[0].GetStringLength()}, id);
          }
          ++id;
        }
        max_id = std::max(max_id, id - 1);
      }
    }
  }
  if (auto added = tokenizer.FindMember("added_tokens");
      added != tokenizer.MemberEnd() && added->value.IsArray()) {
    for (const auto& token : added->value.GetArray()) {
      if (!token.IsObject()) continue;
      ++info.n_added;
      auto id = token.FindMember("id");
      if (id == token.MemberEnd() || !id->value.IsInt64()) continue;
      max_id = std::max(max_id, id->value.GetInt64());
      note(string_member(token, "content"), id->value.GetInt64());
    }
  }
  info.vocab_size = max_id + 1;

  if (auto pre = tokenizer.FindMember("pre_tokenizer");
      pre != tokenizer.MemberEnd() && pre->value.IsObject()) {
    info.pre_tokenizer = string_member(pre->value, "type");
    if (auto parts = pre->value.FindMember("pretokenizers");
        parts != pre->value.MemberEnd() && parts->value.IsArray()) {
      info.pre_tokenizer += "[";
      bool first = true;
      for (const auto& part : parts->value.GetArray()) {
        if (!first) info.pre_tokenizer += ",";
        info.pre_tokenizer += string_member(part, "type");
        first = false;
      }
      info.pre_tokenizer += "]";
    }
  }

  return info;
}

LMC_END_NAMESPACE

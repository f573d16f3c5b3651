// Hugging Face tokenizer.json (+ tokenizer_config.json) -> Tokenizer::Impl.
//
// Supported: model BPE (byte-level or with byte fallback) and WordPiece; normalizers NFC,
// NFD, NFKC, NFKD, Lowercase, Prepend, Replace (string patterns), Sequence; pre-tokenizers
// Split (regex or string, every behavior), ByteLevel, Metaspace, Digits, Punctuation,
// BertPreTokenizer, Sequence; post-processors ByteLevel, TemplateProcessing, BertProcessing,
// RobertaProcessing, Sequence; decoders ByteLevel, Replace, ByteFallback, Fuse, Strip,
// Metaspace, WordPiece, Sequence. Anything else is Error(unsupported) naming it.
#include "base/fail.hpp"
#include "base/json.hpp"
#include "tokenizer/byte_level.hpp"
#include "tokenizer/loaders.hpp"

#include <rapidjson/document.h>

#include <set>

LMC_BEGIN_NAMESPACE
namespace tokenizer {
namespace {

using Json = rapidjson::Value;

// Ids beyond twice the number of tokens listed, plus this, are refused.
constexpr std::size_t kTolerableIdGaps = 1024;

struct Context {
  std::string file;

  [[noreturn]] void unsupported(std::string_view where, std::string_view what) const {
    base::fail(ErrorCode::unsupported, "{}: {}: {} is not supported by lmc", file, where, what);
  }
  [[noreturn]] void bad(std::string_view where, std::string_view what) const {
    base::fail(ErrorCode::format, "{}: {}: {}", file, where, what);
  }
};

std::string_view string_of(const Json& value) {
  return {value.GetString(), value.GetStringLength()};
}

const Json* member(const Json& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::string_view get_string(const Context& context, const Json& object, const char* name,
                            std::string_view where) {
  const Json* value = member(object, name);
  if (value == nullptr || !value->IsString())
    context.bad(where, fmt::format("'{}' must be a string", name));
  return string_of(*value);
}

bool get_bool(const Json& object, const char* name, bool fallback) {
  const Json* value = member(object, name);
  return value != nullptr && value->IsBool() ? value->GetBool() : fallback;
}

std::string_view type_of(const Context& context, const Json& object, std::string_view where) {
  if (!object.IsObject()) context.bad(where, "expected an object");
  return get_string(context, object, "type", where);
}

SplitBehavior parse_behavior(const Context& context, const Json& object, std::string_view where) {
  const std::string_view name = get_string(context, object, "behavior", where);
  static const std::pair<std::string_view, SplitBehavior> table[] = {
      {"Removed", SplitBehavior::removed},
      {"Isolated", SplitBehavior::isolated},
      {"MergedWithPrevious", SplitBehavior::merged_with_previous},
      {"MergedWithNext", SplitBehavior::merged_with_next},
      {"Contiguous", SplitBehavior::contiguous},
  };
  for (const auto& [text, behavior] : table) {
    if (name == text) return behavior;
  }
  context.unsupported(where, fmt::format("split behavior '{}'", name));
}

// ---- normalizer ----

void add_normalizer(const Context& context, const Json& node, Normalizer& normalizer) {
  const std::string_view type = type_of(context, node, "normalizer");
  if (type == "Sequence") {
    const Json* list = member(node, "normalizers");
    if (list == nullptr || !list->IsArray())
      context.bad("normalizer", "Sequence without 'normalizers'");
    for (const Json& child : list->GetArray()) add_normalizer(context, child, normalizer);
  } else if (type == "NFC") {
    normalizer.add_normal_form(unicode::NormalForm::nfc);
  } else if (type == "NFD") {
    normalizer.add_normal_form(unicode::NormalForm::nfd);
  } else if (type == "NFKC") {
    normalizer.add_normal_form(unicode::NormalForm::nfkc);
  } else if (type == "NFKD") {
    normalizer.add_normal_form(unicode::NormalForm::nfkd);
  } else if (type == "Lowercase") {
    normalizer.add_lowercase();
  } else if (type == "Prepend") {
    normalizer.add_prepend(std::string(get_string(context, node, "prepend", "normalizer Prepend")));
  } else if (type == "Replace") {
    const Json* pattern = member(node, "pattern");
    if (pattern == nullptr || !pattern->IsObject())
      context.bad("normalizer Replace", "missing 'pattern'");
    const Json* literal = member(*pattern, "String");
    if (literal == nullptr || !literal->IsString()) {
      context.unsupported("normalizer Replace", "a non-string (regex) pattern");
    }
    normalizer.add_replace(std::string(string_of(*literal)),
                           std::string(get_string(context, node, "content", "normalizer Replace")));
  } else {
    context.unsupported("normalizer", fmt::format("type '{}'", type));
  }
}

// ---- pre-tokenizer ----

struct PreTokenizerFacts {
  bool byte_level = false;
  bool prefix_space = false;  // ByteLevel add_prefix_space or a Metaspace prepend
};

void add_pre_tokenizer(const Context& context, const Json& node, PreTokenizer& pre,
                       PreTokenizerFacts& facts) {
  const std::string_view type = type_of(context, node, "pre_tokenizer");
  if (type == "Sequence") {
    const Json* list = member(node, "pretokenizers");
    if (list == nullptr || !list->IsArray())
      context.bad("pre_tokenizer", "Sequence without 'pretokenizers'");
    for (const Json& child : list->GetArray()) add_pre_tokenizer(context, child, pre, facts);
  } else if (type == "Split") {
    const Json* pattern = member(node, "pattern");
    if (pattern == nullptr || !pattern->IsObject())
      context.bad("pre_tokenizer Split", "missing 'pattern'");
    const SplitBehavior behavior = parse_behavior(context, node, "pre_tokenizer Split");
    const bool invert = get_bool(node, "invert", false);
    if (const Json* regex = member(*pattern, "Regex"); regex != nullptr && regex->IsString()) {
      pre.add_regex_split(string_of(*regex), behavior, invert,
                          context.file + ": pre_tokenizer Split");
    } else if (const Json* literal = member(*pattern, "String");
               literal != nullptr && literal->IsString()) {
      pre.add_string_split(std::string(string_of(*literal)), behavior, invert);
    } else {
      context.bad("pre_tokenizer Split", "pattern must hold 'Regex' or 'String'");
    }
  } else if (type == "ByteLevel") {
    facts.byte_level = true;
    if (get_bool(node, "add_prefix_space", false)) {
      pre.add_prefix_space();
      facts.prefix_space = true;
    }
    if (get_bool(node, "use_regex", true)) {
      pre.add_regex_split(gpt2_regex, SplitBehavior::isolated, false,
                          context.file + ": pre_tokenizer ByteLevel");
    }
  } else if (type == "Metaspace") {
    std::string replacement(get_string(context, node, "replacement", "pre_tokenizer Metaspace"));
    bool always = false, first = false;
    if (const Json* scheme = member(node, "prepend_scheme");
        scheme != nullptr && scheme->IsString()) {
      const std::string_view name = string_of(*scheme);
      if (name == "always") {
        always = true;
      } else if (name == "first") {
        first = true;
      } else if (name != "never") {
        context.unsupported("pre_tokenizer Metaspace", fmt::format("prepend_scheme '{}'", name));
      }
    } else {
      always = get_bool(node, "add_prefix_space", true);
    }
    facts.prefix_space = always || first;
    pre.add_metaspace(std::move(replacement), always, first, get_bool(node, "split", true));
  } else if (type == "Digits") {
    pre.add_digits(get_bool(node, "individual_digits", false));
  } else if (type == "Punctuation") {
    pre.add_punctuation(member(node, "behavior") != nullptr
                            ? parse_behavior(context, node, "pre_tokenizer Punctuation")
                            : SplitBehavior::isolated);
  } else if (type == "BertPreTokenizer") {
    pre.add_regex_split(R"(\s+)", SplitBehavior::removed, false,
                        context.file + ": BertPreTokenizer");
    pre.add_punctuation(SplitBehavior::isolated);
  } else if (type == "WhitespaceSplit") {
    pre.add_regex_split(R"(\s+)", SplitBehavior::removed, false,
                        context.file + ": WhitespaceSplit");
  } else {
    context.unsupported("pre_tokenizer", fmt::format("type '{}'", type));
  }
}

// ---- decoder ----

struct DecoderPlan {
  struct Step {
    enum class Kind { replace, byte_fallback, byte_level, strip } kind;
    std::string from, to;
    std::size_t strip_start = 0, strip_stop = 0;
  };
  std::vector<Step> per_token;
  bool strip_leading_space = false;
  bool wordpiece = false;
  bool fused = false;
};

void add_decoder(const Context& context, const Json& node, DecoderPlan& plan) {
  const std::string_view type = type_of(context, node, "decoder");
  using Kind = DecoderPlan::Step::Kind;
  if (type == "Sequence") {
    const Json* list = member(node, "decoders");
    if (list == nullptr || !list->IsArray()) context.bad("decoder", "Sequence without 'decoders'");
    for (const Json& child : list->GetArray()) add_decoder(context, child, plan);
  } else if (type == "ByteLevel") {
    plan.per_token.push_back({Kind::byte_level, {}, {}, 0, 0});
  } else if (type == "ByteFallback") {
    plan.per_token.push_back({Kind::byte_fallback, {}, {}, 0, 0});
  } else if (type == "Fuse") {
    plan.fused = true;
  } else if (type == "Replace") {
    const Json* pattern = member(node, "pattern");
    const Json* literal = pattern != nullptr ? member(*pattern, "String") : nullptr;
    if (literal == nullptr || !literal->IsString())
      context.unsupported("decoder Replace", "a regex pattern");
    plan.per_token.push_back({Kind::replace, std::string(string_of(*literal)),
                              std::string(get_string(context, node, "content", "decoder Replace")),
                              0, 0});
  } else if (type == "Strip") {
    const std::string_view content = get_string(context, node, "content", "decoder Strip");
    const Json* start = member(node, "start");
    const Json* stop = member(node, "stop");
    const std::size_t strip_start = start != nullptr && start->IsUint() ? start->GetUint() : 0;
    const std::size_t strip_stop = stop != nullptr && stop->IsUint() ? stop->GetUint() : 0;
    if (content != " ") context.unsupported("decoder Strip", fmt::format("content '{}'", content));
    if (plan.fused) {
      // After Fuse there is one string: Strip acts on the start of the whole output.
      if (strip_stop != 0 || strip_start > 1)
        context.unsupported("decoder Strip", "stripping more than one leading space");
      plan.strip_leading_space = strip_start == 1;
    } else {
      plan.per_token.push_back({Kind::strip, {}, {}, strip_start, strip_stop});
    }
  } else if (type == "Metaspace") {
    std::string replacement(get_string(context, node, "replacement", "decoder Metaspace"));
    plan.per_token.push_back({Kind::replace, replacement, " ", 0, 0});
    bool prepend = get_bool(node, "add_prefix_space", true);
    if (const Json* scheme = member(node, "prepend_scheme");
        scheme != nullptr && scheme->IsString()) {
      prepend = string_of(*scheme) != "never";
    }
    plan.strip_leading_space = prepend;
  } else if (type == "WordPiece") {
    plan.wordpiece = true;
  } else {
    context.unsupported("decoder", fmt::format("type '{}'", type));
  }
}

std::string decode_token(const DecoderPlan& plan, std::string_view text) {
  std::string current(text);
  using Kind = DecoderPlan::Step::Kind;
  for (const auto& step : plan.per_token) {
    switch (step.kind) {
      case Kind::replace: current = replace_all(current, step.from, step.to); break;
      case Kind::byte_fallback:
        if (auto byte = parse_byte_token(current)) current.assign(1, static_cast<char>(*byte));
        break;
      case Kind::byte_level:
        if (auto bytes = byte_level::decode(current)) current = std::move(*bytes);
        break;
      case Kind::strip: {
        std::size_t begin = 0, end = current.size();
        for (std::size_t i = 0; i < step.strip_start && begin < end && current[begin] == ' '; ++i)
          ++begin;
        for (std::size_t i = 0; i < step.strip_stop && end > begin && current[end - 1] == ' '; ++i)
          --end;
        current = current.substr(begin, end - begin);
        break;
      }
    }
  }
  return current;
}

// ---- post-processor ----

struct Template {
  std::vector<Token> prefix, suffix;
  bool known = false;
};

void add_post_processor(const Context& context, const Json& node, const Vocabulary& vocab,
                        Template& result) {
  const std::string_view type = type_of(context, node, "post_processor");
  auto token_of = [&](std::string_view text, std::string_view where) {
    auto id = vocab.find(text);
    if (!id) context.bad(where, fmt::format("special token '{}' is not in the vocabulary", text));
    return *id;
  };
  if (type == "Sequence") {
    const Json* list = member(node, "processors");
    if (list == nullptr || !list->IsArray())
      context.bad("post_processor", "Sequence without 'processors'");
    for (const Json& child : list->GetArray()) add_post_processor(context, child, vocab, result);
  } else if (type == "ByteLevel") {
    // Only adjusts offsets.
  } else if (type == "TemplateProcessing") {
    const Json* single = member(node, "single");
    if (single == nullptr || !single->IsArray())
      context.bad("post_processor TemplateProcessing", "missing 'single'");
    const Json* specials = member(node, "special_tokens");
    bool after_sequence = false;
    result.prefix.clear();
    result.suffix.clear();
    for (const Json& piece : single->GetArray()) {
      if (member(piece, "Sequence") != nullptr) {
        after_sequence = true;
        continue;
      }
      const Json* special = member(piece, "SpecialToken");
      if (special == nullptr)
        context.bad("post_processor TemplateProcessing", "unknown template piece");
      const std::string_view name =
          get_string(context, *special, "id", "post_processor TemplateProcessing");
      std::vector<Token> ids;
      const Json* entry =
          specials != nullptr ? member(*specials, std::string(name).c_str()) : nullptr;
      if (entry != nullptr && member(*entry, "ids") != nullptr &&
          member(*entry, "ids")->IsArray()) {
        for (const Json& id : member(*entry, "ids")->GetArray()) {
          if (!id.IsInt())
            context.bad("post_processor TemplateProcessing", "special token ids must be integers");
          ids.push_back(id.GetInt());
        }
      } else {
        ids.push_back(token_of(name, "post_processor TemplateProcessing"));
      }
      auto& target = after_sequence ? result.suffix : result.prefix;
      target.insert(target.end(), ids.begin(), ids.end());
    }
    result.known = true;
  } else if (type == "BertProcessing" || type == "RobertaProcessing") {
    const Json* cls = member(node, "cls");
    const Json* sep = member(node, "sep");
    if (cls == nullptr || sep == nullptr || !cls->IsArray() || !sep->IsArray() ||
        cls->Size() != 2 || sep->Size() != 2 || !(*cls)[1].IsInt() || !(*sep)[1].IsInt()) {
      context.bad("post_processor", fmt::format("{} needs 'cls' and 'sep' pairs", type));
    }
    result.prefix = {(*cls)[1].GetInt()};
    result.suffix = {(*sep)[1].GetInt()};
    result.known = true;
  } else {
    context.unsupported("post_processor", fmt::format("type '{}'", type));
  }
}

std::optional<std::string> config_token(const Json& config, const char* name) {
  const Json* value = member(config, name);
  if (value == nullptr) return std::nullopt;
  if (value->IsString()) return std::string(string_of(*value));
  if (const Json* content = member(*value, "content"); content != nullptr && content->IsString()) {
    return std::string(string_of(*content));
  }
  return std::nullopt;
}

}  // namespace

std::shared_ptr<TokenizerImpl> load_tokenizer_json(const std::filesystem::path& path,
                                                   const std::filesystem::path& config_path) {
  const Context context{path.string()};
  const rapidjson::Document document = base::load_json_object(path);
  auto impl = std::make_shared<TokenizerImpl>();
  Vocabulary& vocab = impl->vocab;

  // ---- model ----
  const Json* model = member(document, "model");
  if (model == nullptr || !model->IsObject()) context.bad("model", "missing");
  std::string_view model_type = "BPE";
  if (const Json* type = member(*model, "type"); type != nullptr && type->IsString()) {
    model_type = string_of(*type);
  }
  if (model_type != "BPE" && model_type != "WordPiece") {
    context.unsupported("model", fmt::format("type '{}'", model_type));
  }
  const Json* vocab_node = member(*model, "vocab");
  if (vocab_node == nullptr || !vocab_node->IsObject())
    context.bad("model.vocab", "missing or not an object");
  std::size_t size = 0;
  bool size_from_added = false;
  for (const auto& entry : vocab_node->GetObject()) {
    if (!entry.value.IsUint() || entry.value.GetUint() >= (1u << 30)) {
      context.bad("model.vocab",
                  fmt::format("id of '{}' is not a valid token id", string_of(entry.name)));
    }
    size = std::max<std::size_t>(size, entry.value.GetUint() + 1);
  }
  const Json* added_node = member(document, "added_tokens");
  if (added_node != nullptr && !added_node->IsArray()) context.bad("added_tokens", "not an array");
  if (added_node != nullptr) {
    for (const Json& token : added_node->GetArray()) {
      const Json* id = member(token, "id");
      if (id == nullptr || !id->IsUint() || id->GetUint() >= (1u << 30))
        context.bad("added_tokens", "bad 'id'");
      if (id->GetUint() + 1 > size) {
        size = id->GetUint() + 1;
        size_from_added = true;
      }
    }
  }
  // Ids are dense in real files (a few gaps are tolerated); a large id in a small file must not
  // size the vocabulary (a billion empty entries from one token).
  const std::size_t listed =
      vocab_node->MemberCount() + (added_node != nullptr ? added_node->Size() : 0);
  if (size > 2 * listed + kTolerableIdGaps) {
    context.bad(size_from_added ? "added_tokens" : "model.vocab",
                fmt::format("id {} leaves most ids without a token (the file lists {} tokens)",
                            size - 1, listed));
  }
  vocab.resize(size);
  for (const auto& entry : vocab_node->GetObject()) {
    const std::size_t id = entry.value.GetUint();
    vocab.texts[id] = std::string(string_of(entry.name));
    vocab.kinds[id] = TokenKind::normal;
  }

  // ---- added tokens ----
  struct Added {
    std::string text;
    Token id;
    bool special;
  };
  std::vector<Added> added;
  if (added_node != nullptr) {
    for (const Json& token : added_node->GetArray()) {
      const std::string where = "added_tokens";
      const std::string_view content = get_string(context, token, "content", where);
      const Token id = static_cast<Token>(member(token, "id")->GetUint());
      for (const char* flag : {"single_word", "lstrip", "rstrip"}) {
        if (get_bool(token, flag, false)) {
          context.unsupported(where, fmt::format("added token '{}' with {}=true", content, flag));
        }
      }
      const bool special = get_bool(token, "special", false);
      added.push_back({std::string(content), id, special});
      vocab.texts[static_cast<std::size_t>(id)] = std::string(content);
      vocab.kinds[static_cast<std::size_t>(id)] =
          special ? TokenKind::special : TokenKind::user_defined;
    }
  }

  // ---- normalizer, pre-tokenizer ----
  if (const Json* node = member(document, "normalizer"))
    add_normalizer(context, *node, impl->normalizer);
  if (added_node != nullptr && impl->normalizer.rewrites_text()) {
    for (const Json& token : added_node->GetArray()) {
      if (get_bool(token, "normalized", false)) {
        context.unsupported("added_tokens",
                            fmt::format("added token '{}' with normalized=true under a normalizer "
                                        "that rewrites text",
                                        get_string(context, token, "content", "added_tokens")));
      }
    }
  }
  PreTokenizerFacts facts;
  if (const Json* node = member(document, "pre_tokenizer"))
    add_pre_tokenizer(context, *node, impl->pre_tokenizer, facts);

  // ---- model details ----
  if (model_type == "BPE") {
    impl->model = TokenizerImpl::Model::bpe;
    BpeModel& bpe = impl->bpe;
    bpe.byte_level = facts.byte_level;
    bpe.byte_fallback = get_bool(*model, "byte_fallback", false);
    bpe.fuse_unknown = get_bool(*model, "fuse_unk", false);
    bpe.ignore_merges = get_bool(*model, "ignore_merges", false);
    if (const Json* dropout = member(*model, "dropout");
        dropout != nullptr && dropout->IsNumber() && dropout->GetDouble() > 0) {
      context.unsupported("model", "BPE dropout");
    }
    for (const char* affix : {"continuing_subword_prefix", "end_of_word_suffix"}) {
      if (const Json* value = member(*model, affix);
          value != nullptr && value->IsString() && value->GetStringLength() > 0) {
        context.unsupported("model", fmt::format("BPE {} '{}'", affix, string_of(*value)));
      }
    }
    if (const Json* unk = member(*model, "unk_token"); unk != nullptr && unk->IsString()) {
      vocab.unk = vocab.find(string_of(*unk));
      // The index is built below; look the string up by hand until then.
      for (std::size_t i = 0; i < vocab.size() && !vocab.unk; ++i) {
        if (vocab.texts[i] == string_of(*unk)) vocab.unk = static_cast<Token>(i);
      }
      bpe.unknown = vocab.unk;
    }
    if (bpe.byte_fallback) {
      for (std::size_t i = 0; i < vocab.size(); ++i) {
        if (vocab.kinds[i] == TokenKind::normal && parse_byte_token(vocab.texts[i]))
          vocab.kinds[i] = TokenKind::byte;
      }
    }
  } else {
    impl->model = TokenizerImpl::Model::wordpiece;
    if (const Json* prefix = member(*model, "continuing_subword_prefix");
        prefix != nullptr && prefix->IsString()) {
      impl->wordpiece.continuation_prefix = std::string(string_of(*prefix));
    }
    if (const Json* limit = member(*model, "max_input_chars_per_word");
        limit != nullptr && limit->IsUint()) {
      impl->wordpiece.max_characters_per_word = limit->GetUint();
    }
  }
  if (vocab.unk) vocab.kinds[static_cast<std::size_t>(*vocab.unk)] = TokenKind::unknown;
  vocab.index();
  if (model_type == "WordPiece") {
    if (const Json* unk = member(*model, "unk_token"); unk != nullptr && unk->IsString()) {
      vocab.unk = vocab.find(string_of(*unk));
    }
  }

  if (model_type == "BPE") {
    const Json* merges = member(*model, "merges");
    if (merges == nullptr || !merges->IsArray())
      context.bad("model.merges", "missing or not an array");
    impl->bpe.merges.reserve(merges->Size());
    std::string joined;
    std::uint32_t rank = 0;
    for (const Json& merge : merges->GetArray()) {
      std::string_view left, right;
      if (merge.IsString()) {
        const std::string_view line = string_of(merge);
        const std::size_t space = line.find(' ');
        if (space == std::string_view::npos ||
            line.find(' ', space + 1) != std::string_view::npos) {
          context.bad(
              "model.merges",
              fmt::format("merge {} ('{}') is not two tokens separated by a space", rank, line));
        }
        left = line.substr(0, space);
        right = line.substr(space + 1);
      } else if (merge.IsArray() && merge.Size() == 2 && merge[0].IsString() &&
                 merge[1].IsString()) {
        left = string_of(merge[0]);
        right = string_of(merge[1]);
      } else {
        context.bad("model.merges",
                    fmt::format("merge {} is neither \"a b\" nor [\"a\", \"b\"]", rank));
      }
      joined.assign(left);
      joined.append(right);
      auto a = vocab.find(left), b = vocab.find(right), merged = vocab.find(joined);
      if (!a || !b || !merged) {
        context.bad("model.merges",
                    fmt::format("merge {} ('{}' '{}') uses a token missing from the vocabulary",
                                rank, left, right));
      }
      impl->bpe.merges.insert(*a, *b, Merge{rank, *merged});
      ++rank;
    }
  }

  // ---- decoder ----
  DecoderPlan plan;
  if (const Json* node = member(document, "decoder")) add_decoder(context, *node, plan);
  for (std::size_t i = 0; i < vocab.size(); ++i)
    vocab.decoded[i] = decode_token(plan, vocab.texts[i]);
  impl->strip_leading_space = plan.strip_leading_space;
  if (plan.wordpiece && impl->model != TokenizerImpl::Model::wordpiece) {
    context.unsupported("decoder", "WordPiece decoder with a BPE model");
  }

  // ---- added tokens into the matcher (after the index: ids are final) ----
  for (const Added& token : added) impl->added.add(token.text, token.id, token.special);

  // ---- special tokens: tokenizer_config.json, then the post-processor ----
  Template post;
  if (const Json* node = member(document, "post_processor"))
    add_post_processor(context, *node, vocab, post);
  rapidjson::Document config;
  std::string tokenizer_class;
  if (!config_path.empty()) {
    config = base::load_json_object(config_path);
    auto id_of = [&](const char* name) -> std::optional<Token> {
      auto text = config_token(config, name);
      if (!text) return std::nullopt;
      auto id = vocab.find(*text);
      if (!id) {
        base::fail(ErrorCode::format, "{}: {} '{}' is not in the vocabulary of {}",
                   config_path.string(), name, *text, path.string());
      }
      return id;
    };
    vocab.bos = id_of("bos_token");
    vocab.eos = id_of("eos_token");
    vocab.pad = id_of("pad_token");
    if (auto unk = id_of("unk_token")) vocab.unk = unk;
    if (const Json* value = member(config, "tokenizer_class");
        value != nullptr && value->IsString()) {
      tokenizer_class = std::string(string_of(*value));
    }
  }
  if (!vocab.bos && !post.prefix.empty()) vocab.bos = post.prefix.front();
  if (!vocab.eos && !post.suffix.empty()) vocab.eos = post.suffix.back();
  // transformers' Llama and Gemma tokenizer classes rebuild the post-processor from
  // add_bos_token / add_eos_token (defaults: BOS yes, EOS no); the others use tokenizer.json's.
  static const std::set<std::string, std::less<>> rebuilding_classes = {
      "LlamaTokenizer",         "LlamaTokenizerFast", "CodeLlamaTokenizer",
      "CodeLlamaTokenizerFast", "GemmaTokenizer",     "GemmaTokenizerFast"};
  if (rebuilding_classes.contains(tokenizer_class)) {
    if (get_bool(config, "add_bos_token", true) && vocab.bos) impl->prefix = {*vocab.bos};
    if (get_bool(config, "add_eos_token", false) && vocab.eos) impl->suffix = {*vocab.eos};
  } else {
    impl->prefix = post.prefix;
    impl->suffix = post.suffix;
  }
  for (Token id : impl->prefix) {
    if (!vocab.valid(id))
      context.bad("post_processor", fmt::format("special token id {} outside the vocabulary", id));
  }
  for (Token id : impl->suffix) {
    if (!vocab.valid(id))
      context.bad("post_processor", fmt::format("special token id {} outside the vocabulary", id));
  }

  const bool byte_level = impl->model == TokenizerImpl::Model::bpe && impl->bpe.byte_level;
  impl->model_type = byte_level                                 ? "byte-level-bpe"
                     : impl->model == TokenizerImpl::Model::bpe ? "sentencepiece-bpe"
                                                                : "wordpiece";
  impl->family = tokenizer_class.empty() ? "tokenizer.json" : "tokenizer.json " + tokenizer_class;
  impl->lossless = byte_level && impl->normalizer.empty() && !facts.prefix_space;
  impl->finish();
  return impl;
}

}  // namespace tokenizer
LMC_END_NAMESPACE

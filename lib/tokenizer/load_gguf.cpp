// GGUF tokenizer metadata (tokenizer.ggml.*) -> Tokenizer::Impl.
//
// tokenizer.ggml.model "llama": SentencePiece BPE (score-ordered merges, byte fallback,
// dummy-prefix space). "gpt2": byte-level BPE with the merges list and the pre-tokenizer named
// by tokenizer.ggml.pre (table below; the regexes are those of each family's Hugging Face
// tokenizer.json, as llama.cpp also lists them). "bert": WordPiece as llama.cpp runs it.
#include "base/fail.hpp"
#include "base/utf8.hpp"
#include "tokenizer/byte_level.hpp"
#include "tokenizer/loaders.hpp"

#include <lmc/gguf.hpp>

#include <algorithm>
#include <functional>

LMC_BEGIN_NAMESPACE
namespace tokenizer {
namespace {

constexpr std::string_view gpt2_family_regex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr std::string_view llama3_regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view qwen2_regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view cjk_runs = R"([\x{4E00}-\x{9FA5}\x{800}-\x{4E00}\x{AC00}-\x{D7FF}]+)";

struct PreTokenizerPreset {
  std::vector<std::string_view> names;
  std::vector<std::string_view> regexes;  // applied in order, each an Isolated split
  bool ignore_merges = false;
  bool nfc = false;
  bool add_bos = false;  // the family's default when the GGUF does not say
};

const std::vector<PreTokenizerPreset>& presets() {
  static const std::vector<PreTokenizerPreset> table = {
      {{"llama3", "llama-v3", "llama-bpe", "falcon3"}, {llama3_regex}, true, false, true},
      {{"dbrx", "smaug-bpe", "chatglm-bpe"}, {llama3_regex}, false, false, false},
      {{"qwen2", "deepseek-r1-qwen", "megrez"}, {qwen2_regex}, false, true, false},
      {{"stablelm2"}, {qwen2_regex}, false, false, false},
      {{"deepseek-llm"},
       {"[\r\n]",
        R"(\s?[A-Za-z\x{B5}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{1BA}\x{1BC}-\x{1BF}\x{1C4}-\)"
        R"(x{293}\x{295}-\x{2AF}\x{370}-\x{373}\x{376}\x{377}\x{37B}-\x{37D}\x{37F}\x{386}\)"
        R"(x{388}-\x{38A}\x{38C}\x{38E}-\x{3A1}\x{3A3}-\x{3F5}\x{3F7}-\x{481}\x{48A}-\x{52F)"
        R"(}\x{531}-\x{556}\x{10A0}-\x{10C5}\x{13A0}-\x{13F5}\x{13F8}-\x{13FD}\x{1C90}-\x{1)"
        R"(CBA}\x{1CBD}-\x{1CBF}\x{1D00}-\x{1D2B}\x{1D6B}-\x{1D77}\x{1D79}-\x{1D9A}\x{1E00})"
        R"(-\x{1F15}\x{1F18}-\x{1F1D}\x{1F20}-\x{1F45}\x{1F48}-\x{1F4D}\x{1F50}-\x{1F57}\x{)"
        R"(1F59}\x{1F5B}\x{1F5D}\x{1F5F}-\x{1F7D}\x{1F80}-\x{1FB4}\x{1FB6}-\x{1FBC}\x{1FBE})"
        R"(\x{1FC2}-\x{1FC4}\x{1FC6}-\x{1FCC}\x{1FD0}-\x{1FD3}\x{1FD6}-\x{1FDB}\x{1FE0}-\x{)"
        R"(1FEC}\x{1FF2}-\x{1FF4}\x{1FF6}-\x{1FFC}\x{2102}\x{2107}\x{210A}-\x{2113}\x{2115})"
        R"(\x{2119}-\x{211D}\x{2124}\x{2126}\x{2128}\x{212A}-\x{212D}\x{212F}-\x{2134}\x{21)"
        R"(39}\x{213C}-\x{213F}\x{2145}-\x{2149}\x{214E}\x{2183}\x{2184}\x{2C00}-\x{2C7B}\x)"
        R"({2C7E}-\x{2CE4}\x{2CEB}-\x{2CEE}\x{2CF2}\x{2CF3}\x{A640}-\x{A66D}\x{A680}-\x{A69)"
        R"(B}\x{A722}-\x{A76F}\x{A771}-\x{A787}\x{A78B}-\x{A78E}\x{AB70}-\x{ABBF}\x{FB00}-\)"
        R"(x{FB06}\x{FB13}-\x{FB17}\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{10400}-\x{1044F}\x{)"
        R"(104B0}-\x{104D3}\x{104D8}-\x{104FB}\x{10C80}-\x{10CB2}\x{10CC0}-\x{10CF2}\x{118A)"
        R"(0}-\x{118DF}\x{1E900}-\x{1E943}]+)",
        R"(\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+)",
        "\\s+$", cjk_runs, "\\p{N}+"}},
      {{"deepseek-v3"},
       {"\\p{N}{1,3}", R"([\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+)",
        "[!\"#$%&'()*+,\\-./"
        ":;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| "
        "?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"}},
      {{"deepseek-coder"}, {"[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", cjk_runs, "\\p{N}"}},
      {{"falcon"}, {"[\\p{P}\\$\\+<=>\\^~\\|`]+", gpt2_family_regex, "[0-9][0-9][0-9]"}},
      {{"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"},
       {"\\p{N}", gpt2_family_regex}},
      {{"gpt-2", "phi-2", "mpt", "olmo", "jais", "roberta-bpe", "jina-es", "jina-de", "gigachat",
        "jina-v1-en", "jina-v2-es", "jina-v2-de", "jina-v2-code"},
       {gpt2_family_regex}},
      {{"poro-chat", "bloom", "gpt3-finnish"},
       {R"( ?[^(\s|.,!?\x{2026}\x{3002}\x{FF0C}\x{3001}\x{964}\x{6D4}\x{60C})]+)"}},
      {{"viking"},
       {R"( ?[^(\s|.,!?\x{2026}\x{3002}\x{FF0C}\x{3001}\x{964}\x{6D4}\x{60C})]+)", "\\p{N}"}},
      {{"tekken"},
       {"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+|"
        "[^\\r\\n\\p{"
        "L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*|\\p{N}| "
        "?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
       true},
      {{"chameleon"},
       {"<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z", "([\\t\\n]|    |  )", "\\p{N}",
        "[\\p{P}!-/:-@\\[-`{-~]", gpt2_family_regex},
       false,
       false,
       true},
      {{"default", ""},
       {"[\\p{P}\\$\\+<=>\\^~\\|]+", gpt2_family_regex, "\\p{N}+", "[0-9][0-9][0-9]"}},
  };
  return table;
}

const PreTokenizerPreset& preset_for(std::string_view name, const std::string& source) {
  for (const auto& preset : presets()) {
    for (std::string_view n : preset.names) {
      if (n == name) return preset;
    }
  }
  base::fail(ErrorCode::unsupported, "{}: tokenizer.ggml.pre '{}' is not supported by lmc", source,
             name);
}

TokenKind kind_of_type(std::int64_t type) {
  switch (type) {
    case 1: return TokenKind::normal;
    case 2: return TokenKind::unknown;
    case 3: return TokenKind::special;
    case 4: return TokenKind::user_defined;
    case 5: return TokenKind::unused;
    case 6: return TokenKind::byte;
    default: return TokenKind::normal;
  }
}

std::optional<Token> id_key(const GgufFile& file, std::string_view key, std::size_t size) {
  const GgufValue* value = file.find(key);
  if (value == nullptr) return std::nullopt;
  const std::int64_t id = value->as_int();
  if (id < 0 || static_cast<std::uint64_t>(id) >= size) return std::nullopt;  // llama.cpp: "none"
  return static_cast<Token>(id);
}

std::optional<bool> bool_key(const GgufFile& file, std::string_view key) {
  const GgufValue* value = file.find(key);
  if (value == nullptr) return std::nullopt;
  return value->as_bool();
}

// Score-ordered merging (SentencePiece) as rank-ordered BPE: the pair (a, b) merges into the
// token a+b, ranked by that token's score (equal scores share a rank, so ties still go to the
// leftmost pair, as in SentencePiece). Each step then costs one pair lookup instead of a string
// lookup. Exact when every character of every token is itself a token (then no symbol ever
// is a non-token that a merge could still absorb); otherwise the scored algorithm stays.
void use_rank_merges_for_scores(TokenizerImpl& impl) {
  Vocabulary& vocab = impl.vocab;
  if (vocab.scores.empty()) return;
  std::vector<std::vector<std::size_t>> cuts(vocab.size());
  for (std::size_t i = 0; i < vocab.size(); ++i) {
    const std::string_view text = vocab.texts[i];
    for (std::size_t pos = 0; pos < text.size();) {
      const std::size_t start = pos;
      const std::size_t length = base::utf8::sequence_length(text, pos);
      if (length == 0) return;
      pos += length;
      if (!vocab.find(text.substr(start, length))) return;
      if (pos < text.size()) cuts[i].push_back(pos);
    }
  }
  std::vector<float> ordered = vocab.scores;
  std::sort(ordered.begin(), ordered.end(), std::greater<>());
  ordered.erase(std::unique(ordered.begin(), ordered.end()), ordered.end());
  auto rank_of = [&](float score) {
    return static_cast<std::uint32_t>(
        std::lower_bound(ordered.begin(), ordered.end(), score, std::greater<>()) -
        ordered.begin());
  };
  PairMap& merges = impl.bpe.merges;
  merges.reserve(vocab.size() * 2);
  for (std::size_t i = 0; i < vocab.size(); ++i) {
    const std::string_view text = vocab.texts[i];
    for (std::size_t cut : cuts[i]) {
      auto left = vocab.find(text.substr(0, cut));
      auto right = vocab.find(text.substr(cut));
      if (left && right)
        merges.insert(*left, *right, Merge{rank_of(vocab.scores[i]), static_cast<Token>(i)});
    }
  }
  impl.model = TokenizerImpl::Model::bpe;
  impl.bpe.byte_level = false;
  impl.bpe.byte_fallback = true;
  impl.bpe.unknown = vocab.unk;
}

}  // namespace

std::shared_ptr<TokenizerImpl> load_gguf(const GgufFile& file) {
  const std::string& source = file.source();
  auto impl = std::make_shared<TokenizerImpl>();
  Vocabulary& vocab = impl->vocab;
  const std::string_view model_name = file.at("tokenizer.ggml.model").as_string();
  const GgufValue& tokens = file.at("tokenizer.ggml.tokens");
  const std::size_t size = tokens.size();
  if (size == 0 || size >= (1u << 30)) {
    base::fail(ErrorCode::format, "{}: tokenizer.ggml.tokens holds {} tokens", source, size);
  }
  std::vector<std::int64_t> types;
  if (const GgufValue* value = file.find("tokenizer.ggml.token_type")) {
    types = value->as_ints();
    if (types.size() != size) {
      base::fail(ErrorCode::format, "{}: tokenizer.ggml.token_type has {} entries for {} tokens",
                 source, types.size(), size);
    }
  }
  vocab.resize(size);
  const std::vector<std::string_view> texts = tokens.as_strings();
  for (std::size_t i = 0; i < size; ++i) {
    vocab.texts[i] = std::string(texts[i]);
    vocab.kinds[i] = types.empty() ? TokenKind::normal : kind_of_type(types[i]);
  }
  if (const GgufValue* value = file.find("tokenizer.ggml.scores")) {
    vocab.scores = value->as_floats();
    if (vocab.scores.size() != size) {
      base::fail(ErrorCode::format, "{}: tokenizer.ggml.scores has {} entries for {} tokens",
                 source, vocab.scores.size(), size);
    }
  }
  vocab.index();

  std::string pre_name;
  if (const GgufValue* value = file.find("tokenizer.ggml.pre"))
    pre_name = std::string(value->as_string());
  bool default_add_bos = false;
  const std::string space_marker = "\u2581";
  if (model_name == "llama") {
    impl->model = TokenizerImpl::Model::spm;
    impl->model_type = "sentencepiece-bpe";
    impl->family = pre_name.empty() ? "default" : pre_name;
    default_add_bos = true;
    vocab.bos = 1;
    vocab.eos = 2;
    vocab.unk = 0;
    if (bool_key(file, "tokenizer.ggml.remove_extra_whitespaces").value_or(false)) {
      base::fail(ErrorCode::unsupported,
                 "{}: tokenizer.ggml.remove_extra_whitespaces is not supported by lmc", source);
    }
    const bool add_space_prefix = bool_key(file, "tokenizer.ggml.add_space_prefix").value_or(true);
    if (add_space_prefix) impl->normalizer.add_prepend(" ");
    impl->normalizer.add_replace(" ", space_marker);
    impl->strip_leading_space = add_space_prefix;
    for (std::size_t i = 0; i < size; ++i) {
      if (vocab.kinds[i] == TokenKind::byte) {
        if (auto byte = parse_byte_token(vocab.texts[i])) {
          vocab.decoded[i].assign(1, static_cast<char>(*byte));
          continue;
        }
      }
      vocab.decoded[i] =
          vocab.kinds[i] == TokenKind::normal || vocab.kinds[i] == TokenKind::user_defined
              ? replace_all(vocab.texts[i], space_marker, " ")
              : vocab.texts[i];
    }
    impl->lossless = false;  // a literal "▁" decodes as a space
    use_rank_merges_for_scores(*impl);
  } else if (model_name == "gpt2") {
    impl->model = TokenizerImpl::Model::bpe;
    impl->model_type = "byte-level-bpe";
    const PreTokenizerPreset& preset = preset_for(pre_name, source);
    impl->family = pre_name.empty() ? "default" : pre_name;
    default_add_bos = preset.add_bos;
    impl->bpe.byte_level = true;
    impl->bpe.ignore_merges = preset.ignore_merges;
    if (preset.nfc) impl->normalizer.add_normal_form(unicode::NormalForm::nfc);
    for (std::string_view regex : preset.regexes) {
      impl->pre_tokenizer.add_regex_split(regex, SplitBehavior::isolated, false,
                                          source + ": tokenizer.ggml.pre '" + pre_name + "'");
    }
    for (std::size_t i = 0; i < size; ++i) {
      std::optional<std::string> bytes;
      // As Hugging Face's ByteLevel decoder: every token whose characters are all mapped.
      bytes = byte_level::decode(vocab.texts[i]);
      vocab.decoded[i] = bytes ? std::move(*bytes) : vocab.texts[i];
    }
    const GgufValue& merges = file.at("tokenizer.ggml.merges");
    const std::vector<std::string_view> lines = merges.as_strings();
    impl->bpe.merges.reserve(lines.size());
    std::string joined;
    for (std::size_t rank = 0; rank < lines.size(); ++rank) {
      const std::string_view line = lines[rank];
      const std::size_t space = line.find(' ', 1);
      if (space == std::string_view::npos) {
        base::fail(ErrorCode::format,
                   "{}: tokenizer.ggml.merges[{}] '{}' is not two tokens separated by a space",
                   source, rank, line);
      }
      const std::string_view left = line.substr(0, space), right = line.substr(space + 1);
      joined.assign(left);
      joined.append(right);
      auto a = vocab.find(left), b = vocab.find(right), merged = vocab.find(joined);
      if (!a || !b || !merged) continue;  // a merge whose result is no token never applies
      impl->bpe.merges.insert(*a, *b, Merge{static_cast<std::uint32_t>(rank), *merged});
    }
    impl->lossless = !preset.nfc;
  } else if (model_name == "bert") {
    impl->model = TokenizerImpl::Model::wordpiece;
    impl->wordpiece.llama_cpp_style = true;
    for (const std::string& text : vocab.texts) {
      impl->wordpiece.longest_token = std::max(impl->wordpiece.longest_token, text.size());
    }
    impl->model_type = "wordpiece";
    impl->family = pre_name.empty() ? "bert" : pre_name;
    default_add_bos = true;
    vocab.bos = 101;
    vocab.unk = 100;
    vocab.pad = 0;
    for (std::size_t i = 0; i < size; ++i)
      vocab.decoded[i] = replace_all(vocab.texts[i], space_marker, " ");
    impl->strip_leading_space = true;
    impl->lossless = false;
  } else {
    base::fail(ErrorCode::unsupported, "{}: tokenizer.ggml.model '{}' is not supported by lmc",
               source, model_name);
  }

  if (auto id = id_key(file, "tokenizer.ggml.bos_token_id", size)) vocab.bos = id;
  if (auto id = id_key(file, "tokenizer.ggml.eos_token_id", size)) vocab.eos = id;
  if (auto id = id_key(file, "tokenizer.ggml.unknown_token_id", size)) vocab.unk = id;
  if (auto id = id_key(file, "tokenizer.ggml.padding_token_id", size)) vocab.pad = id;
  // The family's defaults (BERT's 101 and 100, llama's 0) must name a token of this vocabulary
  // too: one past it is "none", as id_key makes an explicit one (found by fuzzing: a 20-token
  // "bert" vocabulary encoded text to ids 101 and 100).
  for (std::optional<Token>* id : {&vocab.bos, &vocab.eos, &vocab.unk, &vocab.pad}) {
    if (*id && (**id < 0 || static_cast<std::size_t>(**id) >= size)) id->reset();
  }
  impl->bpe.unknown = vocab.unk;
  if (model_name != "llama") impl->bpe.unknown.reset();

  // Added tokens: control tokens (with parse_special), user-defined ones always; as llama.cpp.
  for (std::size_t i = 0; i < size; ++i) {
    const TokenKind kind = vocab.kinds[i];
    if (kind == TokenKind::special || kind == TokenKind::unknown) {
      impl->added.add(vocab.texts[i], static_cast<Token>(i), true);
    } else if (kind == TokenKind::user_defined) {
      impl->added.add(vocab.texts[i], static_cast<Token>(i), false);
    }
  }

  const bool add_bos = bool_key(file, "tokenizer.ggml.add_bos_token").value_or(default_add_bos);
  const bool add_eos = bool_key(file, "tokenizer.ggml.add_eos_token").value_or(false);
  if (add_bos && vocab.bos) impl->prefix = {*vocab.bos};
  if (add_eos && vocab.eos) impl->suffix = {*vocab.eos};
  impl->finish();
  return impl;
}

}  // namespace tokenizer
LMC_END_NAMESPACE

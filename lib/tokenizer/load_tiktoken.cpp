// tiktoken rank files (Qwen-1's qwen.tiktoken): one "base64(token bytes) rank" pair per line.
// tiktoken merges the adjacent pair whose concatenation has the lowest rank; that is rank-
// ordered BPE where the pair (a, b) has the rank of the token a+b, so the file becomes a
// byte-level vocabulary plus such merges.
#include "base/fail.hpp"
#include "base/mapped_file.hpp"
#include "tokenizer/byte_level.hpp"
#include "tokenizer/loaders.hpp"

#include <charconv>

LMC_BEGIN_NAMESPACE
namespace tokenizer {
namespace {

std::optional<std::string> decode_base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return std::nullopt;
    const int v = value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  if (padding > 2) return std::nullopt;
  return out;
}

// Ranks beyond twice the number of tokens listed, plus this, are refused.
constexpr std::size_t kTolerableRankGaps = 1024;

struct Family {
  std::string_view name;
  std::string_view regex;
  bool nfc;
  std::vector<std::string> specials;  // ids follow the last rank
  std::string_view eos;
};

Family family_of(std::string_view name) {
  if (name == "qwen") {
    std::vector<std::string> specials = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
    for (int i = 0; i < 205; ++i) specials.push_back("<|extra_" + std::to_string(i) + "|>");
    return {
        "qwen",
        R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
        true, std::move(specials), "<|endoftext|>"};
  }
  base::fail(ErrorCode::unsupported, "tiktoken family '{}' is not supported by lmc (known: qwen)",
             name);
}

}  // namespace

std::shared_ptr<TokenizerImpl> load_tiktoken(const std::filesystem::path& path,
                                             std::string_view family_name) {
  const Family family = family_of(family_name);
  base::MappedFile file = base::MappedFile::open(path);
  const std::string_view text(reinterpret_cast<const char*>(file.bytes().data()), file.size());
  auto impl = std::make_shared<TokenizerImpl>();
  Vocabulary& vocab = impl->vocab;
  // Read every line first: the largest rank sizes the vocabulary, and it must be checked
  // against the number of lines before anything is sized by it (a two-line file must not
  // make a vocabulary of 2^24 entries).
  struct Entry {
    std::uint32_t rank;
    std::size_t line;
    std::string bytes;
  };
  std::vector<Entry> entries;
  std::uint32_t max_rank = 0;
  std::size_t max_rank_line = 0;
  std::size_t line_number = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      base::fail(ErrorCode::format, "{}: line {}: expected 'base64-token rank'", path.string(),
                 line_number);
    }
    auto token = decode_base64(line.substr(0, space));
    const std::string_view rank_text = line.substr(space + 1);
    std::uint32_t rank = 0;
    auto [rest, error] =
        std::from_chars(rank_text.data(), rank_text.data() + rank_text.size(), rank);
    if (!token || token->empty() || error != std::errc() ||
        rest != rank_text.data() + rank_text.size() || rank >= (1u << 24)) {
      base::fail(ErrorCode::format, "{}: line {}: expected 'base64-token rank'", path.string(),
                 line_number);
    }
    if (entries.empty() || rank > max_rank) {
      max_rank = rank;
      max_rank_line = line_number;
    }
    entries.push_back({rank, line_number, std::move(*token)});
  }
  // Real rank files number their tokens densely; a few gaps are tolerated.
  if (!entries.empty() && max_rank >= 2 * entries.size() + kTolerableRankGaps) {
    base::fail(ErrorCode::format,
               "{}: line {}: rank {} leaves most ranks without a token (the file lists {})",
               path.string(), max_rank_line, max_rank, entries.size());
  }
  std::vector<std::string> bytes_of(entries.empty() ? 0 : std::size_t{max_rank} + 1);  // by rank
  for (Entry& entry : entries) {
    if (!bytes_of[entry.rank].empty())
      base::fail(ErrorCode::format, "{}: line {}: rank {} appears twice", path.string(), entry.line,
                 entry.rank);
    bytes_of[entry.rank] = std::move(entry.bytes);
  }
  const std::size_t ranks = bytes_of.size();
  vocab.resize(ranks + family.specials.size());
  for (std::size_t i = 0; i < ranks; ++i) {
    if (bytes_of[i].empty()) continue;
    vocab.texts[i] = byte_level::encode(bytes_of[i]);
    vocab.decoded[i] = bytes_of[i];
    vocab.kinds[i] = TokenKind::normal;
  }
  for (std::size_t i = 0; i < family.specials.size(); ++i) {
    vocab.texts[ranks + i] = family.specials[i];
    vocab.decoded[ranks + i] = family.specials[i];
    vocab.kinds[ranks + i] = TokenKind::special;
  }
  vocab.index();
  for (std::size_t i = 0; i < family.specials.size(); ++i) {
    impl->added.add(family.specials[i], static_cast<Token>(ranks + i), true);
  }
  vocab.eos = vocab.find(family.eos);

  // The pair (a, b) merges with the rank of a+b, for every split of every token.
  std::unordered_map<std::string_view, Token> by_bytes;
  by_bytes.reserve(ranks);
  for (std::size_t i = 0; i < ranks; ++i) {
    if (!bytes_of[i].empty()) by_bytes.emplace(bytes_of[i], static_cast<Token>(i));
  }
  impl->bpe.merges.reserve(ranks * 2);
  for (std::size_t i = 0; i < ranks; ++i) {
    const std::string_view token = bytes_of[i];
    for (std::size_t cut = 1; cut < token.size(); ++cut) {
      auto left = by_bytes.find(token.substr(0, cut));
      auto right = by_bytes.find(token.substr(cut));
      if (left != by_bytes.end() && right != by_bytes.end()) {
        impl->bpe.merges.insert(left->second, right->second,
                                Merge{static_cast<std::uint32_t>(i), static_cast<Token>(i)});
      }
    }
  }
  impl->model = TokenizerImpl::Model::bpe;
  impl->bpe.byte_level = true;
  if (family.nfc) impl->normalizer.add_normal_form(unicode::NormalForm::nfc);
  impl->pre_tokenizer.add_regex_split(family.regex, SplitBehavior::isolated, false, path.string());
  impl->model_type = "byte-level-bpe";
  impl->family = "tiktoken-" + std::string(family.name);
  impl->lossless = !family.nfc;
  impl->finish();
  return impl;
}

}  // namespace tokenizer
LMC_END_NAMESPACE

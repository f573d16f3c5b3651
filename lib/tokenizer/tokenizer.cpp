#include "tokenizer/tokenizer_impl.hpp"

#include "base/fail.hpp"
#include "base/utf8.hpp"
#include "tokenizer/byte_level.hpp"

#include <fmt/format.h>

#include <unordered_map>

LMC_BEGIN_NAMESPACE

using tokenizer::TokenKind;

void Tokenizer::Impl::encode_text(std::string_view text, bool first_segment,
                                  std::vector<Token>& out) const {
  std::string normalized_buffer;
  const std::string_view normalized = normalizer.apply(text, normalized_buffer);
  std::string split_buffer;
  std::vector<tokenizer::Range> pieces;
  std::string_view base = normalized;
  if (pre_tokenizer.empty()) {
    std::size_t start = 0;
    if (!independent_before.empty()) {
      const std::string_view marker = independent_before;
      for (std::size_t hit = normalized.find(marker, 1); hit != std::string_view::npos;
           hit = normalized.find(marker, hit + marker.size())) {
        if (hit >= marker.size() && normalized.substr(hit - marker.size(), marker.size()) == marker)
          continue;
        pieces.push_back({start, hit});
        start = hit;
      }
    }
    if (start < normalized.size()) pieces.push_back({start, normalized.size()});
  } else {
    base = pre_tokenizer.split(normalized, first_segment, split_buffer, pieces);
  }
  // Text repeats its words: within one call, each distinct short piece is encoded once.
  // (The cache lives only for this call, so concurrent calls share nothing mutable.)
  constexpr std::size_t cached_piece_bytes = 64;
  std::unordered_map<std::string_view, std::pair<std::uint32_t, std::uint32_t>> cache;
  std::vector<Token> cached_tokens;
  const bool use_cache = pieces.size() > 16 && model != Model::wordpiece;
  for (const tokenizer::Range& range : pieces) {
    const std::string_view piece = base.substr(range.begin, range.end - range.begin);
    const bool cacheable = use_cache && piece.size() <= cached_piece_bytes;
    if (cacheable) {
      if (auto it = cache.find(piece); it != cache.end()) {
        const auto [offset, count] = it->second;
        out.insert(out.end(), cached_tokens.begin() + offset,
                   cached_tokens.begin() + offset + count);
        continue;
      }
    }
    const std::size_t before = out.size();
    switch (model) {
      case Model::bpe: bpe.encode(piece, vocab, out); break;
      case Model::spm: spm.encode(piece, vocab, out); break;
      case Model::wordpiece: wordpiece.encode(piece, vocab, out); break;
    }
    if (cacheable) {
      cache.emplace(piece, std::pair{static_cast<std::uint32_t>(cached_tokens.size()),
                                     static_cast<std::uint32_t>(out.size() - before)});
      cached_tokens.insert(cached_tokens.end(), out.begin() + static_cast<std::ptrdiff_t>(before),
                           out.end());
    }
  }
}

void Tokenizer::Impl::encode(std::string_view text, const EncodeOptions& options,
                             std::vector<Token>& out) const {
  if (options.add_special) out.insert(out.end(), prefix.begin(), prefix.end());
  bool first = true;
  added.split(
      text, options.parse_special,
      [&](std::string_view stretch) {
        encode_text(stretch, first, out);
        first = false;
      },
      [&](Token id) {
        out.push_back(id);
        first = false;
      });
  if (options.add_special) out.insert(out.end(), suffix.begin(), suffix.end());
}

std::string Tokenizer::Impl::decode(std::span<const Token> tokens) const {
  std::string out;
  bool first = true;
  for (Token id : tokens) {
    if (!vocab.valid(id)) {
      base::fail(ErrorCode::out_of_range, "decode: token id {} outside the vocabulary (size {})",
                 id, vocab.size());
    }
    const std::string& bytes = vocab.decoded[static_cast<std::size_t>(id)];
    if (model == Model::wordpiece && !wordpiece.llama_cpp_style &&
        vocab.kinds[static_cast<std::size_t>(id)] == TokenKind::normal) {
      const std::string_view prefix_text = wordpiece.continuation_prefix;
      if (std::string_view(bytes).starts_with(prefix_text)) {
        out.append(bytes, prefix_text.size());
      } else {
        if (!first) out.push_back(' ');
        out.append(bytes);
      }
    } else {
      if (model == Model::wordpiece && !wordpiece.llama_cpp_style && !first) out.push_back(' ');
      out.append(bytes);
    }
    first = false;
  }
  if (strip_leading_space && !out.empty() && out.front() == ' ') out.erase(0, 1);
  return out;
}

void Tokenizer::Impl::finish() {
  if (vocab.ids.empty()) vocab.index();
  independent_before.clear();
  const bool whole_text_model = model == Model::spm || (model == Model::bpe && !bpe.byte_level);
  if (whole_text_model && pre_tokenizer.empty()) {
    const std::string marker = "\u2581";
    bool safe = true;
    for (std::size_t i = 0; i < vocab.size() && safe; ++i) {
      const std::string_view text = vocab.texts[i];
      for (std::size_t hit = text.find(marker, 1); hit != std::string_view::npos && safe;
           hit = text.find(marker, hit + marker.size())) {
        safe = hit >= marker.size() && text.substr(hit - marker.size(), marker.size()) == marker;
      }
    }
    if (safe) independent_before = marker;
  }
  auto byte_token_name = [](int b) { return fmt::format("<0x{:02X}>", b); };
  for (int b = 0; b < 256; ++b) {
    const auto index = static_cast<std::size_t>(b);
    spm.byte_tokens[index] = vocab.find(byte_token_name(b)).value_or(-1);
    if (bpe.byte_level) {
      std::string mapped;
      base::utf8::append(mapped,
                         tokenizer::byte_level::char_of_byte(static_cast<unsigned char>(b)));
      bpe.byte_symbols[index] = vocab.find(mapped).value_or(-1);
    } else {
      bpe.byte_symbols[index] = spm.byte_tokens[index];
    }
  }
  if (bpe.byte_level) {
    // Lossless needs every byte to have a token, and no always-matched added token whose
    // text differs from the bytes it decodes to.
    // (C0, C1 and F5..FF never occur in valid UTF-8, so vocabularies may lack them.)
    for (int b = 0; b < 256; ++b) {
      const bool in_utf8 = b != 0xC0 && b != 0xC1 && b < 0xF5;
      if (in_utf8 && bpe.byte_symbols[static_cast<std::size_t>(b)] < 0) lossless = false;
    }
    for (std::size_t i = 0; i < vocab.size(); ++i) {
      if (vocab.kinds[i] == TokenKind::user_defined && vocab.decoded[i] != vocab.texts[i])
        lossless = false;
    }
  }
  if (bpe.byte_level && bpe.ignore_merges) {
    bpe.ids_by_bytes.build(vocab.decoded,
                           [this](std::size_t i) { return vocab.kinds[i] == TokenKind::normal; });
  }
}

// ---- the public class ----

Tokenizer::Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(const Tokenizer&) = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(const Tokenizer&) = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

std::vector<Token> Tokenizer::encode(std::string_view text, const EncodeOptions& options) const {
  std::vector<Token> out;
  out.reserve(text.size() / 3 + 4);
  impl_->encode(text, options, out);
  return out;
}

std::string Tokenizer::decode(std::span<const Token> tokens) const { return impl_->decode(tokens); }

std::string Tokenizer::token_bytes(Token id) const {
  if (!impl_->vocab.valid(id)) {
    base::fail(ErrorCode::out_of_range, "token id {} outside the vocabulary (size {})", id,
               vocab_size());
  }
  return impl_->vocab.decoded[static_cast<std::size_t>(id)];
}

std::string_view Tokenizer::token_text(Token id) const {
  if (!impl_->vocab.valid(id)) {
    base::fail(ErrorCode::out_of_range, "token id {} outside the vocabulary (size {})", id,
               vocab_size());
  }
  return impl_->vocab.texts[static_cast<std::size_t>(id)];
}

std::optional<Token> Tokenizer::find_token(std::string_view text) const {
  return impl_->vocab.find(text);
}
std::size_t Tokenizer::vocab_size() const noexcept { return impl_->vocab.size(); }
std::optional<Token> Tokenizer::bos() const noexcept { return impl_->vocab.bos; }
std::optional<Token> Tokenizer::eos() const noexcept { return impl_->vocab.eos; }
std::optional<Token> Tokenizer::unk() const noexcept { return impl_->vocab.unk; }
std::optional<Token> Tokenizer::pad() const noexcept { return impl_->vocab.pad; }

bool Tokenizer::add_bos_by_default() const noexcept {
  return impl_->vocab.bos && !impl_->prefix.empty() && impl_->prefix.front() == *impl_->vocab.bos;
}
bool Tokenizer::add_eos_by_default() const noexcept {
  return impl_->vocab.eos && !impl_->suffix.empty() && impl_->suffix.back() == *impl_->vocab.eos;
}

bool Tokenizer::is_byte_token(Token id) const noexcept {
  return impl_->vocab.valid(id) &&
         impl_->vocab.kinds[static_cast<std::size_t>(id)] == TokenKind::byte;
}
bool Tokenizer::is_special(Token id) const noexcept {
  return impl_->vocab.valid(id) &&
         impl_->vocab.kinds[static_cast<std::size_t>(id)] == TokenKind::special;
}
std::string_view Tokenizer::model_type() const noexcept { return impl_->model_type; }
std::string_view Tokenizer::family() const noexcept { return impl_->family; }
bool Tokenizer::lossless() const noexcept { return impl_->lossless; }

LMC_END_NAMESPACE

// The loaders that build a Tokenizer::Impl from each kind of file, and helpers they share.
#pragma once

#include "tokenizer/tokenizer_impl.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

LMC_BEGIN_NAMESPACE
namespace tokenizer {

std::shared_ptr<TokenizerImpl> load_tokenizer_json(const std::filesystem::path& path,
                                                   const std::filesystem::path& config_path);
std::shared_ptr<TokenizerImpl> load_gguf(const GgufFile& file);
std::shared_ptr<TokenizerImpl> load_tiktoken(const std::filesystem::path& path,
                                             std::string_view family);

/// The byte of a SentencePiece byte-fallback token "<0xNN>" (two hex digits), if it is one.
std::optional<unsigned char> parse_byte_token(std::string_view text) noexcept;

/// Replaces every `from` in `text` by `to`.
std::string replace_all(std::string_view text, std::string_view from, std::string_view to);

}  // namespace tokenizer
LMC_END_NAMESPACE

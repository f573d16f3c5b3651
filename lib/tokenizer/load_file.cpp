// The public loaders: choosing the loader for a path.
#include "base/fail.hpp"
#include "tokenizer/loaders.hpp"

#include <lmc/gguf.hpp>

#include <fstream>

LMC_BEGIN_NAMESPACE

namespace {

bool starts_with_gguf_magic(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && std::string_view(magic, 4) == "GGUF";
}

std::filesystem::path config_beside(const std::filesystem::path& tokenizer_json) {
  auto config = tokenizer_json.parent_path() / "tokenizer_config.json";
  return std::filesystem::is_regular_file(config) ? config : std::filesystem::path{};
}

}  // namespace

Tokenizer Tokenizer::from_tokenizer_json(const std::filesystem::path& path,
                                         const std::filesystem::path& config_path) {
  return Tokenizer(tokenizer::load_tokenizer_json(path, config_path));
}

Tokenizer Tokenizer::from_gguf(const GgufFile& file) {
  return Tokenizer(tokenizer::load_gguf(file));
}

Tokenizer Tokenizer::from_tiktoken(const std::filesystem::path& path, std::string_view family) {
  return Tokenizer(tokenizer::load_tiktoken(path, family));
}

Tokenizer Tokenizer::from_file(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::is_directory(path, error)) {
    if (fs::is_regular_file(path / "tokenizer.json")) {
      return from_tokenizer_json(path / "tokenizer.json", config_beside(path / "tokenizer.json"));
    }
    for (const auto& entry : fs::directory_iterator(path)) {
      if (entry.is_regular_file() && entry.path().extension() == ".tiktoken") {
        return from_tiktoken(entry.path(), "qwen");
      }
    }
    base::fail(ErrorCode::io, "{}: no tokenizer.json or *.tiktoken file in this folder",
               path.string());
  }
  if (!fs::is_regular_file(path, error))
    base::fail(ErrorCode::io, "{}: no such file", path.string());
  if (starts_with_gguf_magic(path)) return from_gguf(GgufFile::open(path));
  if (path.extension() == ".tiktoken") return from_tiktoken(path, "qwen");
  return from_tokenizer_json(path, config_beside(path));
}

LMC_END_NAMESPACE

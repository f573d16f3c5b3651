// Helpers shared by the fuzz targets that hand their input to a reader of files: a private
// temporary folder per process (several fuzzers may run at once), file writing, and what the
// model targets do with a model that loaded.
#pragma once

#include <lmc/model.hpp>

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace lmc_fuzz {

/// A folder of this process under the temporary directory, created on first use.
inline const std::filesystem::path& scratch_folder() {
  static const std::filesystem::path folder = [] {
    auto path = std::filesystem::temp_directory_path() / ("lmc_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    return path;
  }();
  return folder;
}

/// Writes `size` bytes at `data` to `path` (replacing it); aborts when it cannot, since a fuzz
/// run that silently reads a stale file tests nothing.
inline void write_file(const std::filesystem::path& path, const std::uint8_t* data,
                       std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (size > 0) out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) std::abort();
}

inline void write_file(const std::filesystem::path& path, std::string_view text) {
  write_file(path, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

/// Scores four tokens (ids reduced modulo the vocabulary) with a model that loaded: a model that
/// loads must also run.
inline void score_a_few_tokens(const lmc::Model& model) {
  std::vector<lmc::Token> tokens = {0, 1, 2, 1};
  for (lmc::Token& token : tokens) {
    token %= static_cast<lmc::Token>(model.info().vocab_size > 0 ? model.info().vocab_size : 1);
  }
  (void)model.token_logprobs(tokens);
}

}  // namespace lmc_fuzz

// Helpers for the tests that code with the real model (stories260K): reading corpus files,
// forcing SIMD paths, and the ideal Σ −log2 p computed independently of the coder.
#pragma once

#include <lmc/model.hpp>
#include <lmc/tokenizer.hpp>

#include "nn/cpu_features.hpp"
#include "support/kernel_paths.hpp"
#include "support/testdata.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lmc_test {

inline std::vector<std::byte> read_bytes(const std::filesystem::path& path,
                                         std::size_t limit = SIZE_MAX) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  chars.resize(std::min(chars.size(), limit));
  std::vector<std::byte> bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

inline lmc::Model load_stories() {
  return lmc::Model::load(testdata("models/stories260K.gguf"), {.threads = 1});
}

/// Σ −log2 p over the tokens the compressor codes, from Model::token_logprobs: per chunk, the
/// chunk's tokens (the whole chunk must round-trip through the tokenizer, which this checks),
/// in windows of `window` tokens each preceded by BOS.
inline double ideal_bits(const lmc::Model& model, std::span<const std::byte> data,
                         std::size_t chunk_bytes, std::size_t window) {
  const lmc::Tokenizer& tokenizer = model.tokenizer();
  double nats = 0;
  for (std::size_t start = 0; start < data.size(); start += chunk_bytes) {
    const std::size_t size = std::min(chunk_bytes, data.size() - start);
    std::string_view chunk(reinterpret_cast<const char*>(data.data() + start), size);
    std::vector<lmc::Token> tokens = tokenizer.encode(chunk);
    EXPECT_EQ(tokenizer.decode(tokens), chunk) << "chunk at " << start << " does not round-trip";
    for (std::size_t w = 0; w < tokens.size(); w += window) {
      std::vector<lmc::Token> fed{*tokenizer.bos()};
      fed.insert(fed.end(), tokens.begin() + static_cast<std::ptrdiff_t>(w),
                 tokens.begin() + static_cast<std::ptrdiff_t>(std::min(tokens.size(), w + window)));
      for (float lp : model.token_logprobs(fed)) nats -= lp;
    }
  }
  return nats / std::numbers::ln2;
}

}  // namespace lmc_test

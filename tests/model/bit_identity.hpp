// The numerics contract checked on a model file: one batched pass, any split into smaller feeds
// (down to one token at a time), any thread count and every SIMD path this CPU has give
// bit-identical logits.
#pragma once

#include "support/kernel_paths.hpp"

#include <lmc/model.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <span>
#include <vector>

namespace lmc_test {

/// Logits of every position of `tokens`, fed in pieces of `piece` tokens (the last piece takes
/// the rest).
inline std::vector<float> logits_fed_in(const lmc::Model& model,
                                        const std::vector<lmc::Token>& tokens, std::size_t piece) {
  lmc::Session session(model);
  std::vector<float> all;
  for (std::size_t begin = 0; begin < tokens.size(); begin += piece) {
    const std::size_t count = std::min(piece, tokens.size() - begin);
    session.feed(std::span<const lmc::Token>(tokens).subspan(begin, count), lmc::Outputs::all);
    for (std::size_t i = 0; i < count; ++i) {
      const auto row = session.logits(i);
      all.insert(all.end(), row.begin(), row.end());
    }
  }
  return all;
}

inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

/// Batched, split (1, 3, 64 tokens at a time) and 2- and 3-thread runs of `tokens` agree bit
/// for bit with one batched single-thread run.
inline void expect_splits_and_threads_identical(const std::filesystem::path& model_path,
                                                const std::vector<lmc::Token>& tokens) {
  lmc::ModelOptions one_thread;
  one_thread.threads = 1;
  const lmc::Model model = lmc::Model::load(model_path, one_thread);
  const std::vector<float> batched = logits_fed_in(model, tokens, tokens.size());
  for (std::size_t piece : {std::size_t{1}, std::size_t{3}, std::size_t{64}}) {
    EXPECT_TRUE(same_bits(batched, logits_fed_in(model, tokens, piece))) << "pieces of " << piece;
  }
  for (std::size_t threads : {2, 3}) {
    lmc::ModelOptions options;
    options.threads = threads;
    const lmc::Model threaded = lmc::Model::load(model_path, options);
    EXPECT_TRUE(same_bits(batched, logits_fed_in(threaded, tokens, tokens.size())))
        << threads << " threads";
    EXPECT_TRUE(same_bits(batched, logits_fed_in(threaded, tokens, 1)))
        << threads << " threads, one token at a time";
  }
}

/// Every SIMD path this CPU has gives the same log-probabilities of `tokens`, bit for bit.
inline void expect_simd_paths_identical(const std::filesystem::path& model_path,
                                        const std::vector<lmc::Token>& tokens) {
  const lmc::Model model = lmc::Model::load(model_path);
  const KernelPathGuard restore_path;
  std::vector<float> reference;
  for (lmc::nn::KernelPath path : supported_paths()) {
    lmc::nn::force_kernel_path(path);
    const std::vector<float> lp = model.token_logprobs(tokens);
    if (reference.empty()) {
      reference = lp;
    } else {
      EXPECT_TRUE(same_bits(lp, reference)) << lmc::nn::to_string(path);
    }
  }
}

}  // namespace lmc_test

// The bit-identity check shared by the matmul tests of every weight type.
#pragma once

#include "nn/matmul.hpp"
#include "support/kernel_paths.hpp"

#include "base/thread_pool.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>

namespace lmc_test {

/// Expects `w` times `x` (`tokens` rows of `cols` floats) to give the scalar path's bits on every
/// SIMD path this CPU has, whether the tokens come as one batch, one at a time, in feeds of 2 to
/// 5 tokens (each a decoding kernel of its own) or split over a pool of 3 threads. Leaves the
/// kernel path forced; callers hold a KernelPathGuard.
inline void expect_matmul_bit_identical(const lmc::nn::WeightMatrix& w, const float* x,
                                        std::size_t cols, std::size_t tokens) {
  const std::size_t rows = w.rows;
  lmc::nn::force_kernel_path(lmc::nn::KernelPath::scalar);
  std::vector<float> reference(tokens * rows);
  lmc::nn::matmul(w, x, cols, tokens, reference.data(), rows, nullptr, nullptr);

  lmc::base::ThreadPool pool(3);
  for (lmc::nn::KernelPath path : supported_paths()) {
    lmc::nn::force_kernel_path(path);
    std::vector<float> batched(tokens * rows), single(tokens * rows), threaded(tokens * rows);
    lmc::nn::matmul(w, x, cols, tokens, batched.data(), rows, nullptr, nullptr);
    for (std::size_t t = 0; t < tokens; ++t) {
      lmc::nn::matmul(w, x + t * cols, cols, 1, single.data() + t * rows, rows, nullptr, nullptr);
    }
    lmc::nn::matmul(w, x, cols, tokens, threaded.data(), rows, nullptr, &pool);
    EXPECT_EQ(0, std::memcmp(batched.data(), reference.data(), batched.size() * 4))
        << to_string(path);
    EXPECT_EQ(0, std::memcmp(single.data(), reference.data(), single.size() * 4))
        << to_string(path);
    EXPECT_EQ(0, std::memcmp(threaded.data(), reference.data(), threaded.size() * 4))
        << to_string(path);
    for (std::size_t feed = 2; feed <= 5; ++feed) {
      std::vector<float> fed(tokens * rows);
      for (std::size_t t = 0; t < tokens; t += feed) {
        const std::size_t n = std::min(feed, tokens - t);
        lmc::nn::matmul(w, x + t * cols, cols, n, fed.data() + t * rows, rows, nullptr, nullptr);
        lmc::nn::matmul(w, x + t * cols, cols, n, threaded.data() + t * rows, rows, nullptr, &pool);
      }
      EXPECT_EQ(0, std::memcmp(fed.data(), reference.data(), fed.size() * 4))
          << to_string(path) << " feeds of " << feed;
      EXPECT_EQ(0, std::memcmp(threaded.data(), reference.data(), threaded.size() * 4))
          << to_string(path) << " feeds of " << feed << ", 3 threads";
    }
  }
}

}  // namespace lmc_test

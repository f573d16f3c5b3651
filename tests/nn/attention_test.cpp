// causal_attention and exp_in_place against plain references of their documented order
// (attention.hpp, elementwise.hpp), bit for bit, on every SIMD path the CPU runs; batched,
// incremental and threaded runs must all give the reference's bits.
#include "nn/attention.hpp"
#include "nn/cpu_features.hpp"
#include "nn/elementwise.hpp"
#include "support/kernel_paths.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace {

using lmc::nn::AttentionConfig;
using lmc::nn::KernelPath;

using lmc_test::supported_paths;
using PathGuard = lmc_test::KernelPathGuard;

// exp_in_place's documented operation sequence, one float operation at a time (volatile
// keeps the compiler from fusing a multiply and an add).
float reference_exp(float x) {
  volatile float v = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  volatile float t = v * 1.44269504088896341f;
  t = t + 12582912.0f;
  const float k = t - 12582912.0f;
  volatile float a = k * 0.693145751953125f;
  volatile float r = v - a;
  volatile float b = k * 1.428606765330187045e-06f;
  r = r - b;
  const float coefficients[] = {1.0f / 720.0f, 1.0f / 120.0f, 1.0f / 24.0f, 1.0f / 6.0f,
                                0.5f,          1.0f,          1.0f};
  volatile float p = 1.0f / 5040.0f;
  for (float c : coefficients) {
    volatile float m = p * r;
    p = m + c;
  }
  const auto exponent = static_cast<std::uint32_t>(static_cast<std::int32_t>(k) + 127);
  return p * std::bit_cast<float>(exponent << 23);
}

// The 16-lane order of matmul.hpp.
float reference_dot(const float* x, const float* w, std::size_t n) {
  float lane[16] = {};
  for (std::size_t k = 0; k < n; ++k) lane[k % 16] = std::fma(x[k], w[k], lane[k % 16]);
  for (std::size_t width = 8; width >= 1; width /= 2) {
    for (std::size_t j = 0; j < width; ++j) lane[j] = lane[j] + lane[j + width];
  }
  return lane[0];
}

// attention.hpp's order for every query and head: scores (q·k)·scale, soft cap, softmax
// (first maximum, x − max, exp, double sum in key order, times the float inverse), then
// out[d] = fma chain over visible keys in position order starting from +0.
std::vector<float> reference_attention(const AttentionConfig& c, const std::vector<float>& q,
                                       std::size_t n_queries, std::size_t first_position,
                                       const std::vector<float>& k, const std::vector<float>& v) {
  const std::size_t group = c.n_heads / c.n_kv_heads;
  std::vector<float> out(n_queries * c.n_heads * c.value_dim);
  for (std::size_t t = 0; t < n_queries; ++t) {
    for (std::size_t h = 0; h < c.n_heads; ++h) {
      const std::size_t kv = h / group;
      const std::size_t last = first_position + t;
      const std::size_t first = c.window > 0 && last + 1 > c.window ? last + 1 - c.window : 0;
      std::vector<float> p;
      for (std::size_t j = first; j <= last; ++j) {
        const float dot = reference_dot(q.data() + (t * c.n_heads + h) * c.key_dim,
                                        k.data() + (j * c.n_kv_heads + kv) * c.key_dim, c.key_dim);
        p.push_back(dot * c.scale);
      }
      if (c.soft_cap > 0) lmc::nn::soft_cap(p.data(), p.size(), c.soft_cap);
      const float max = *std::max_element(p.begin(), p.end());
      double sum = 0.0;
      for (float& x : p) {
        x = reference_exp(x - max);
        sum += x;
      }
      const auto inverse = static_cast<float>(1.0 / sum);
      for (float& x : p) x = x * inverse;
      float* o = out.data() + (t * c.n_heads + h) * c.value_dim;
      for (std::size_t d = 0; d < c.value_dim; ++d) {
        float acc = 0.0f;
        for (std::size_t j = first; j <= last; ++j) {
          acc = std::fma(p[j - first], v[(j * c.n_kv_heads + kv) * c.value_dim + d], acc);
        }
        o[d] = acc;
      }
    }
  }
  return out;
}

TEST(ExpInPlace, FollowsTheDocumentedSequenceOnEveryPath) {
  PathGuard guard;
  std::vector<float> x = {0.0f,
                          -0.0f,
                          -87.0f,
                          -87.5f,
                          88.0f,
                          88.5f,
                          1e-30f,
                          -1e-30f,
                          std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN(),
                          std::numeric_limits<float>::denorm_min()};
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> wide(-100.0f, 100.0f), narrow(-1.0f, 1.0f);
  for (int i = 0; i < 5000; ++i) x.push_back(i % 2 ? wide(rng) : narrow(rng));
  std::vector<float> expected(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) expected[i] = reference_exp(x[i]);
  for (KernelPath path : supported_paths()) {
    lmc::nn::force_kernel_path(path);
    // Every length up to 40 covers each vector tail; then the whole array.
    for (std::size_t n = 0; n <= 40; ++n) {
      std::vector<float> y(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(n));
      lmc::nn::exp_in_place(y.data(), n);
      EXPECT_EQ(0, std::memcmp(y.data(), expected.data(), n * 4)) << to_string(path) << " n " << n;
    }
    std::vector<float> y = x;
    lmc::nn::exp_in_place(y.data(), y.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      ASSERT_EQ(std::bit_cast<std::uint32_t>(y[i]), std::bit_cast<std::uint32_t>(expected[i]))
          << to_string(path) << " x " << x[i];
    }
  }
}

struct Case {
  std::size_t n_heads, n_kv_heads, key_dim, value_dim, window;
  float soft_cap;
  std::size_t n = 53;  // queries; odd: every vector tail of keys and rows is met
};

class AttentionOrder : public ::testing::TestWithParam<Case> {};

TEST_P(AttentionOrder, BitIdenticalToTheReferenceBatchedIncrementalAndThreaded) {
  PathGuard guard;
  const Case& p = GetParam();
  AttentionConfig c;
  c.n_heads = p.n_heads;
  c.n_kv_heads = p.n_kv_heads;
  c.key_dim = p.key_dim;
  c.value_dim = p.value_dim;
  c.scale = 1.0f / std::sqrt(static_cast<float>(p.key_dim));
  c.soft_cap = p.soft_cap;
  c.window = p.window;
  const std::size_t n = p.n;
  std::mt19937 rng(static_cast<unsigned>(p.key_dim * 131 + p.value_dim + p.n_kv_heads));
  std::normal_distribution<float> normal(0.0f, 1.5f);
  std::vector<float> q(n * c.n_heads * c.key_dim), k(n * c.n_kv_heads * c.key_dim),
      v(n * c.n_kv_heads * c.value_dim);
  for (auto* vec : {&q, &k, &v}) {
    for (float& x : *vec) x = normal(rng);
  }
  const std::size_t out_row = c.n_heads * c.value_dim;
  const std::vector<float> expected = reference_attention(c, q, n, 0, k, v);
  lmc::base::ThreadPool pool(3);
  for (KernelPath path : supported_paths()) {
    lmc::nn::force_kernel_path(path);
    std::vector<float> batched(n * out_row), single(n * out_row), split(n * out_row);
    lmc::nn::causal_attention(c, q.data(), c.n_heads * c.key_dim, n, 0, k.data(), v.data(),
                              batched.data(), &pool);
    for (std::size_t t = 0; t < n; ++t) {
      lmc::nn::causal_attention(c, q.data() + t * c.n_heads * c.key_dim, c.n_heads * c.key_dim, 1,
                                t, k.data(), v.data(), single.data() + t * out_row, nullptr);
    }
    // Chunks of 1, 2, 3, ... queries after the ones already cached.
    for (std::size_t t = 0, size = 1; t < n; t += size, ++size) {
      const std::size_t m = std::min(size, n - t);
      lmc::nn::causal_attention(c, q.data() + t * c.n_heads * c.key_dim, c.n_heads * c.key_dim, m,
                                t, k.data(), v.data(), split.data() + t * out_row, &pool);
    }
    for (const auto* got : {&batched, &single, &split}) {
      std::size_t first_bad = got->size();
      for (std::size_t i = 0; i < got->size() && first_bad == got->size(); ++i) {
        if (std::bit_cast<std::uint32_t>((*got)[i]) != std::bit_cast<std::uint32_t>(expected[i]))
          first_bad = i;
      }
      EXPECT_EQ(first_bad, got->size()) << to_string(path)
                                        << (got == &batched  ? " batched"
                                            : got == &single ? " single"
                                                             : " split")
                                        << ": first difference at query " << first_bad / out_row
                                        << ", element " << first_bad % out_row;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, AttentionOrder,
    ::testing::Values(Case{8, 4, 8, 8, 0, 0.0f},      // stories260K: GQA, head_dim 8
                      Case{2, 2, 16, 16, 0, 0.0f},    // one full zmm of lanes
                      Case{4, 1, 64, 64, 0, 0.0f},    // multi-query
                      Case{4, 2, 80, 80, 0, 0.0f},    // a 16-lane tail after whole vectors
                      Case{2, 1, 128, 128, 0, 0.0f},  // real head size
                      Case{3, 3, 20, 20, 0, 0.0f},    // tails on both sides of 16
                      Case{3, 3, 32, 32, 7, 0.0f},    // sliding window shorter than a block
                      Case{2, 1, 16, 24, 32, 2.5f},   // gemma2-like: window and soft cap
                      Case{4, 2, 8, 40, 0, 5.0f},     // soft cap, value_dim ≠ key_dim
                      // The 130M llama's heads over many tiles of keys, and blocks of rows that
                      // start mid-tile (chunks of 1, 2, 3, … queries after the cached ones).
                      Case{3, 3, 64, 64, 0, 0.0f, 150},
                      Case{4, 2, 64, 48, 21, 0.0f, 101},  // GQA, window not a whole tile
                      // One row per KV head (the 8-vector P·V of one query) with a tail of
                      // values, a window spanning several blocks of the few-query path.
                      Case{2, 2, 64, 72, 29, 0.0f, 90},
                      Case{12, 12, 64, 64, 0, 0.0f, 40}));  // the 130M llama's 12 heads

}  // namespace

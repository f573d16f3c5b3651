// matmul against a double-precision reference, and bit-identity across SIMD paths, batch
// sizes and thread counts (the contract coding relies on).
#include "nn/matmul.hpp"
#include "matmul_identity.hpp"
#include "nn/cpu_features.hpp"
#include "support/kernel_paths.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace {

using lmc::nn::KernelPath;
using lmc::nn::WeightMatrix;
using lmc::nn::WeightType;

std::uint16_t float_to_half_bits(float f) {
  // Round to nearest even via the F16C-free path: good enough for test data in normal range.
  std::uint32_t x;
  std::memcpy(&x, &f, 4);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const int exponent = static_cast<int>((x >> 23) & 0xff) - 127 + 15;
  std::uint32_t mantissa = x & 0x7fffffu;
  if (exponent <= 0) return static_cast<std::uint16_t>(sign);
  std::uint32_t half = sign | (static_cast<std::uint32_t>(exponent) << 10) | (mantissa >> 13);
  const std::uint32_t rest = mantissa & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;
  return static_cast<std::uint16_t>(half);
}

struct TestMatrix {
  std::vector<std::byte> bytes;
  std::vector<double> values;  // the exact decoded values, row-major
  WeightMatrix view;
};

TestMatrix make_matrix(WeightType type, std::size_t rows, std::size_t cols, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  TestMatrix m;
  m.view = WeightMatrix{type, rows, cols, nullptr, 0};
  m.bytes.resize(rows * m.view.row_bytes());
  m.values.resize(rows * cols);
  for (std::size_t r = 0; r < rows; ++r) {
    std::byte* row = m.bytes.data() + r * m.view.row_bytes();
    for (std::size_t c = 0; c < cols; ++c) {
      const float v = normal(rng);
      double exact = v;
      switch (type) {
        case WeightType::f32: std::memcpy(row + 4 * c, &v, 4); break;
        case WeightType::f16: {
          const std::uint16_t h = float_to_half_bits(v);
          std::memcpy(row + 2 * c, &h, 2);
          exact = lmc::nn::half_to_float(h);
          break;
        }
        case WeightType::bf16: {
          std::uint32_t bits;
          std::memcpy(&bits, &v, 4);
          const std::uint16_t b = static_cast<std::uint16_t>(bits >> 16);
          std::memcpy(row + 2 * c, &b, 2);
          exact = lmc::nn::bf16_to_float(b);
          break;
        }
        case WeightType::q8_0: {
          std::byte* block = row + (c / 32) * 34;
          if (c % 32 == 0) {
            const std::uint16_t d = float_to_half_bits(0.02f + 0.001f * static_cast<float>(r % 7));
            std::memcpy(block, &d, 2);
          }
          const auto q = static_cast<std::int8_t>(static_cast<int>(std::lround(v * 40)) % 127);
          block[2 + c % 32] = static_cast<std::byte>(q);
          std::uint16_t d;
          std::memcpy(&d, block, 2);
          exact = static_cast<double>(lmc::nn::half_to_float(d)) * q;
          break;
        }
        default: break;  // the other quantized types: tests/nn/quant_matmul_test.cpp
      }
      m.values[r * cols + c] = exact;
    }
  }
  m.view.data = m.bytes.data();
  return m;
}

using lmc_test::supported_paths;
using PathGuard = lmc_test::KernelPathGuard;

// A random matrix of `type` (rows × cols) and random activations (tokens × cols) from `seed`:
// the same bits on every path, batch split and thread count.
void expect_random_product_bit_identical(WeightType type, std::size_t rows, std::size_t cols,
                                         std::size_t tokens, unsigned seed) {
  std::mt19937 rng(seed);
  const TestMatrix m = make_matrix(type, rows, cols, rng);
  std::vector<float> x(tokens * cols);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : x) v = normal(rng);
  lmc_test::expect_matmul_bit_identical(m.view, x.data(), cols, tokens);
}

class MatmulTest : public ::testing::TestWithParam<WeightType> {};

TEST_P(MatmulTest, MatchesDoubleReferenceOnEveryPath) {
  PathGuard guard;
  std::mt19937 rng(7);
  for (std::size_t cols : {32u, 64u, 96u, 800u}) {
    const std::size_t rows = 13, tokens = 9;
    TestMatrix m = make_matrix(GetParam(), rows, cols, rng);
    std::vector<float> x(tokens * cols), bias(rows);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (float& v : x) v = normal(rng);
    for (float& v : bias) v = normal(rng);
    for (KernelPath path : supported_paths()) {
      lmc::nn::force_kernel_path(path);
      std::vector<float> y(tokens * rows);
      lmc::nn::matmul(m.view, x.data(), cols, tokens, y.data(), rows, bias.data(), nullptr);
      for (std::size_t t = 0; t < tokens; ++t) {
        for (std::size_t n = 0; n < rows; ++n) {
          double expected = bias[n], magnitude = std::abs(bias[n]);
          for (std::size_t k = 0; k < cols; ++k) {
            expected += static_cast<double>(x[t * cols + k]) * m.values[n * cols + k];
            magnitude += std::abs(static_cast<double>(x[t * cols + k]) * m.values[n * cols + k]);
          }
          EXPECT_NEAR(y[t * rows + n], expected, 1e-6 * magnitude + 1e-6)
              << to_string(path) << " cols " << cols << " t " << t << " n " << n;
        }
      }
    }
  }
}

TEST_P(MatmulTest, BitIdenticalAcrossPathsBatchesAndThreads) {
  PathGuard guard;
  // Odd sizes exercise every tile edge and the K tail (except q8_0, whose K is whole blocks).
  const std::size_t cols = GetParam() == WeightType::q8_0 ? 160 : 150;
  const std::size_t rows = 37, tokens = 23;
  expect_random_product_bit_identical(GetParam(), rows, cols, tokens, /*seed=*/11);
}

TEST_P(MatmulTest, BitIdenticalAcrossPathsOnRowBlocksAndLongRows) {
  PathGuard guard;
  // Rows of about 8 KiB: the AVX2 product for many tokens packs its weights in blocks of about
  // 23 such rows, so 70 rows are several blocks and a short last one; K = 2056 ends in half a
  // group of 16 lanes (q8_0 takes 2080, whole blocks), and 11 tokens are 2 groups of 4 and 3.
  const std::size_t cols = GetParam() == WeightType::q8_0 ? 2080 : 2056;
  const std::size_t rows = 70, tokens = 11;
  expect_random_product_bit_identical(GetParam(), rows, cols, tokens, /*seed=*/17);
}

TEST_P(MatmulTest, BitIdenticalAcrossPathsOnKBlocks) {
  PathGuard guard;
  // From 8 groups of 4 tokens on, the AVX2 product walks rows longer than 2048 values in
  // K-blocks of 2048 and carries every group's accumulators from one to the next: K = 4100 is
  // two whole K-blocks and a short third ending in a partial group of 16 lanes (q8_0 takes 4128,
  // whole blocks), 37 tokens are 9 groups (the last of one token), 53 rows several row blocks.
  const std::size_t cols = GetParam() == WeightType::q8_0 ? 4128 : 4100;
  const std::size_t rows = 53, tokens = 37;
  expect_random_product_bit_identical(GetParam(), rows, cols, tokens, /*seed=*/19);
}

INSTANTIATE_TEST_SUITE_P(Types, MatmulTest,
                         ::testing::Values(WeightType::f32, WeightType::f16, WeightType::bf16,
                                           WeightType::q8_0));

TEST(Dot, FollowsTheSixteenLaneOrder) {
  // 17 values: lane 0 gets two products, the tree then sums lanes pairwise.
  std::vector<float> a(17, 1.0f), b(17, 1.0f);
  b[0] = 1e8f;
  b[16] = -1e8f;
  // lane 0 = fma(1, -1e8, 1e8) = 0; the other 15 lanes are 1 each: exact sum 15.
  EXPECT_EQ(lmc::nn::dot(a.data(), b.data(), 17), 15.0f);
}

}  // namespace

// The integer kernels of the block-quantized types (nn/matmul.hpp, "Quantized weights"):
// blocks decoded exactly as llama.cpp dequantizes them, integer products equal to the exact
// products of the decoded values, and bit-identical results across SIMD paths, batch splits
// and thread counts.
#include "nn/cpu_features.hpp"
#include "nn/matmul.hpp"
#include "nn/matmul_quant.hpp"

#include <lmc/dtype.hpp>
#include <lmc/gguf.hpp>

#include "matmul_identity.hpp"
#include "support/kernel_paths.hpp"
#include "support/testdata.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace {

using lmc::nn::KernelPath;
using lmc::nn::QuantRecipe;
using lmc::nn::WeightMatrix;
using lmc::nn::WeightType;

struct TypeCase {
  WeightType type;
  lmc::DType dtype;
  const char* name;
  std::vector<std::size_t> half_offsets;  // fp16 fields of a block (scales), set to sane values
};

const std::vector<TypeCase>& type_cases() {
  static const std::vector<TypeCase> cases = {
      {WeightType::q8_0, lmc::DType::q8_0, "Q8_0", {0}},
      {WeightType::q4_0, lmc::DType::q4_0, "Q4_0", {0}},
      {WeightType::q4_1, lmc::DType::q4_1, "Q4_1", {0, 2}},
      {WeightType::q5_0, lmc::DType::q5_0, "Q5_0", {0}},
      {WeightType::q5_1, lmc::DType::q5_1, "Q5_1", {0, 2}},
      {WeightType::q2_k, lmc::DType::q2_k, "Q2_K", {80, 82}},
      {WeightType::q3_k, lmc::DType::q3_k, "Q3_K", {108}},
      {WeightType::q4_k, lmc::DType::q4_k, "Q4_K", {0, 2}},
      {WeightType::q5_k, lmc::DType::q5_k, "Q5_K", {0, 2}},
      {WeightType::q6_k, lmc::DType::q6_k, "Q6_K", {208}},
      {WeightType::iq4_nl, lmc::DType::iq4_nl, "IQ4_NL", {0}},
      {WeightType::iq4_xs, lmc::DType::iq4_xs, "IQ4_XS", {0}},
  };
  return cases;
}

std::string case_name(const ::testing::TestParamInfo<std::size_t>& info) {
  return type_cases()[info.param].name;
}

using lmc_test::supported_paths;
using PathGuard = lmc_test::KernelPathGuard;

// Random blocks: every code, sub-scale and high bit random; the fp16 scales between 1/512 and
// 1/64 with random signs, so that no value is infinite or NaN.
struct RandomMatrix {
  std::vector<std::byte> bytes;
  WeightMatrix view;
};

RandomMatrix random_matrix(const TypeCase& c, std::size_t rows, std::size_t cols, std::mt19937& rng,
                           QuantRecipe recipe = QuantRecipe::integer) {
  RandomMatrix m;
  m.view = WeightMatrix{c.type, rows, cols, nullptr, 0, recipe};
  m.bytes.resize(rows * m.view.row_bytes());
  std::uniform_int_distribution<int> byte(0, 255);
  for (std::byte& b : m.bytes) b = static_cast<std::byte>(byte(rng));
  std::uniform_real_distribution<float> scale(1.0f / 512, 1.0f / 64);
  const std::size_t block_bytes = lmc::nn::weight_block_bytes(c.type);
  for (std::size_t at = 0; at < m.bytes.size(); at += block_bytes) {
    for (std::size_t offset : c.half_offsets) {
      const float s = scale(rng) * (byte(rng) < 64 ? -1.0f : 1.0f);
      const std::uint16_t h = lmc::nn::float_to_half(s);
      std::memcpy(m.bytes.data() + at + offset, &h, 2);
    }
  }
  m.view.data = m.bytes.data();
  return m;
}

std::vector<float> random_activations(std::size_t n, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(n);
  for (float& v : x) v = normal(rng);
  return x;
}

class QuantMatmulTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(QuantMatmulTest, DecodesRowsAsTheFormatDequantizes) {
  // nn's decoder (used for embedding rows and by the kernels) against lmc::dequantize_row,
  // which tests/format/quants_conformance_test checks bit for bit against llama.cpp.
  const TypeCase& c = type_cases()[GetParam()];
  std::mt19937 rng(3);
  const std::size_t cols = lmc::nn::weight_block_values(c.type) == 32 ? 288 : 512;
  const RandomMatrix m = random_matrix(c, 5, cols, rng);
  std::vector<float> ours(cols), theirs(cols);
  for (std::size_t r = 0; r < 5; ++r) {
    lmc::nn::dequantize_row(m.view, r, ours.data());
    lmc::dequantize_row(c.dtype, m.view.row(r), theirs.data(), static_cast<std::int64_t>(cols));
    for (std::size_t k = 0; k < cols; ++k) {
      ASSERT_EQ(std::bit_cast<std::uint32_t>(ours[k]), std::bit_cast<std::uint32_t>(theirs[k]))
          << "row " << r << " col " << k;
    }
  }
}

TEST_P(QuantMatmulTest, DecodesLlamaCppBlocksBitExactly) {
  LMC_REQUIRE_TESTDATA();
  const TypeCase& c = type_cases()[GetParam()];
  const std::string type = c.name;
  const auto path = lmc_test::testdata("quants/" + type + ".gguf");
  if (!std::filesystem::exists(path)) {
    // testdata/quants holds llama.cpp's dumps for the types up to Q6_K; the iq4 types are
    // checked through lmc::dequantize_row above and by tests/model/quantized_models_test.
    GTEST_SKIP() << "no llama.cpp block dump for " << type;
  }
  const auto file = lmc::GgufFile::open(path);
  for (const char* name : {"w.a", "w.b"}) {
    const lmc::Tensor& tensor = file.tensor(name);
    ASSERT_EQ(tensor.type, c.dtype);
    const WeightMatrix w{c.type,
                         static_cast<std::size_t>(tensor.rows()),
                         static_cast<std::size_t>(tensor.cols()),
                         tensor.data.data(),
                         0,
                         QuantRecipe::float_exact};
    std::ifstream in(lmc_test::testdata("quants/" + type + "." + name + ".f32"), std::ios::binary);
    const std::vector<char> raw((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
    ASSERT_EQ(raw.size(), w.rows * w.cols * 4);
    std::vector<float> row(w.cols);
    for (std::size_t r = 0; r < w.rows; ++r) {
      lmc::nn::dequantize_row(w, r, row.data());
      ASSERT_EQ(0, std::memcmp(row.data(), raw.data() + r * w.cols * 4, w.cols * 4))
          << name << " row " << r;
    }
  }
}

TEST_P(QuantMatmulTest, IntegerProductsEqualTheExactProductsOfTheDecodedValues) {
  // y[t][n] must be Σ_k w[n][k] · (d_x q_x)[t][k] up to the float rounding of the per-block
  // combination: any misread code, scale, min or offset moves it by far more.
  PathGuard guard;
  const TypeCase& c = type_cases()[GetParam()];
  std::mt19937 rng(5);
  const std::size_t block = lmc::nn::weight_block_values(c.type);
  for (std::size_t cols : block == 32 ? std::vector<std::size_t>{32, 96, 256, 800}
                                      : std::vector<std::size_t>{256, 768}) {
    const std::size_t rows = 13, tokens = 9;
    const RandomMatrix m = random_matrix(c, rows, cols, rng);
    const std::vector<float> x = random_activations(tokens * cols, rng);
    lmc::nn::detail::QuantizedActivations qx;
    lmc::nn::detail::quantize_activations(x.data(), cols, tokens, cols,
                                          lmc::nn::detail::activation_block(c.type), qx, nullptr);
    std::vector<float> w(rows * cols);
    for (std::size_t n = 0; n < rows; ++n) lmc::nn::dequantize_row(m.view, n, w.data() + n * cols);
    for (KernelPath path : supported_paths()) {
      lmc::nn::force_kernel_path(path);
      std::vector<float> y(tokens * rows);
      lmc::nn::matmul(m.view, x.data(), cols, tokens, y.data(), rows, nullptr, nullptr);
      for (std::size_t t = 0; t < tokens; ++t) {
        for (std::size_t n = 0; n < rows; ++n) {
          double expected = 0, magnitude = 0;
          for (std::size_t k = 0; k < cols; ++k) {
            const double xk = static_cast<double>(qx.row_d(t)[k / qx.block]) * qx.row_q(t)[k];
            expected += w[n * cols + k] * xk;
            magnitude += std::abs(w[n * cols + k] * xk);
          }
          if (c.type == WeightType::q4_1 || c.type == WeightType::q5_1) {
            // The min term takes the activations' sums as ggml's Q8_1 stores them, fp16(d′ · Σ q)
            // (d′ unrounded), in place of d · Σ q.
            for (std::size_t b = 0; b < cols / 32; ++b) {
              std::uint16_t h = 0;
              std::memcpy(&h, m.view.row(n) + b * lmc::nn::weight_block_bytes(c.type) + 2, 2);
              const double min = lmc::nn::half_to_float(h);
              const double dxq = static_cast<double>(qx.row_d(t)[b]) * qx.row_sum32(t)[b];
              expected += min * (qx.row_s32(t)[b] - dxq);
              magnitude += std::abs(min * qx.row_s32(t)[b]);
            }
          }
          EXPECT_NEAR(y[t * rows + n], expected, 1e-5 * magnitude + 1e-7)
              << to_string(path) << " cols " << cols << " t " << t << " n " << n;
        }
      }
    }
  }
}

TEST_P(QuantMatmulTest, FloatRecipeIsTheF32ProductOfTheDecodedMatrix) {
  PathGuard guard;
  const TypeCase& c = type_cases()[GetParam()];
  std::mt19937 rng(13);
  const std::size_t cols = lmc::nn::weight_block_values(c.type) == 32 ? 800 : 768;
  const std::size_t rows = 70;  // 70 rows: more than one decoded tile
  const RandomMatrix m = random_matrix(c, rows, cols, rng, QuantRecipe::float_exact);
  std::vector<float> decoded(rows * cols);
  for (std::size_t n = 0; n < rows; ++n) {
    lmc::nn::dequantize_row(m.view, n, decoded.data() + n * cols);
  }
  const WeightMatrix f32{
      WeightType::f32,         rows, cols, reinterpret_cast<const std::byte*>(decoded.data()), 0,
      QuantRecipe::float_exact};
  lmc::base::ThreadPool pool(2);
  // 1 to 5 tokens take the few-token kernels (values decoded into registers; each count its own
  // tile shape), 7 the tiles.
  for (std::size_t tokens : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{4},
                             std::size_t{5}, std::size_t{7}}) {
    const std::vector<float> x = random_activations(tokens * cols, rng);
    for (KernelPath path : supported_paths()) {
      lmc::nn::force_kernel_path(path);
      std::vector<float> want(tokens * rows), got(tokens * rows);
      lmc::nn::matmul(f32, x.data(), cols, tokens, want.data(), rows, nullptr, nullptr);
      lmc::nn::matmul(m.view, x.data(), cols, tokens, got.data(), rows, nullptr, &pool);
      EXPECT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * 4))
          << to_string(path) << " tokens " << tokens;
    }
  }
}

TEST_P(QuantMatmulTest, FloatRecipeBitIdenticalAcrossPathsOnKBlocks) {
  PathGuard guard;
  const TypeCase& c = type_cases()[GetParam()];
  std::mt19937 rng(23);
  // Rows of 4352 values (17 blocks of 256, 136 of 32) and 33 tokens (9 groups of 4): the AVX2
  // product walks them in K-blocks of 2048 values, the last one short.
  const std::size_t cols = 4352, rows = 29, tokens = 33;
  const RandomMatrix m = random_matrix(c, rows, cols, rng, QuantRecipe::float_exact);
  const std::vector<float> x = random_activations(tokens * cols, rng);

  lmc_test::expect_matmul_bit_identical(m.view, x.data(), cols, tokens);
}

TEST_P(QuantMatmulTest, IntegerRecipeBitIdenticalAcrossPathsOnLongRows) {
  // Rows of 4352 values (17 super-blocks, 136 blocks of 32): the AVX2 kernels for several
  // tokens unpack 8 chunks at a time and carry each output's accumulators across them.
  PathGuard guard;
  const TypeCase& c = type_cases()[GetParam()];
  std::mt19937 rng(31);
  const std::size_t cols = 4352, rows = 29, tokens = 33;
  const RandomMatrix m = random_matrix(c, rows, cols, rng, QuantRecipe::integer);
  const std::vector<float> x = random_activations(tokens * cols, rng);

  lmc_test::expect_matmul_bit_identical(m.view, x.data(), cols, tokens);
}

class QuantRecipeTest : public ::testing::TestWithParam<std::tuple<std::size_t, QuantRecipe>> {};

TEST_P(QuantRecipeTest, BitIdenticalAcrossPathsBatchesAndThreads) {
  PathGuard guard;
  const TypeCase& c = type_cases()[std::get<0>(GetParam())];
  std::mt19937 rng(11);
  // 288 = one full chunk of 8 blocks and a chunk of one; 37 rows leave a partial row tile.
  const std::size_t cols = lmc::nn::weight_block_values(c.type) == 32 ? 288 : 512;
  const std::size_t rows = 37, tokens = 23;
  const RandomMatrix m = random_matrix(c, rows, cols, rng, std::get<1>(GetParam()));
  const std::vector<float> x = random_activations(tokens * cols, rng);

  lmc_test::expect_matmul_bit_identical(m.view, x.data(), cols, tokens);
}

TEST_P(QuantMatmulTest, ExtremeCodesAndActivationsAreExactOnEveryPath) {
  // The largest products the SIMD kernels meet: every code at its extreme (Q8_0 −128, the
  // unsigned codes at their maximum, e.g. Q6_K 63, Q6_K's scales −128) against activation codes
  // of ±127 (constant rows). A saturating pair sum or an overflowing int16 would break the
  // bits of the scalar reference.
  PathGuard guard;
  const TypeCase& c = type_cases()[GetParam()];
  std::mt19937 rng(29);
  const std::size_t cols = lmc::nn::weight_block_values(c.type) == 32 ? 288 : 512;
  const std::size_t rows = 9, tokens = 6;
  RandomMatrix m = random_matrix(c, rows, cols, rng, QuantRecipe::integer);
  const std::size_t block_bytes = lmc::nn::weight_block_bytes(c.type);
  for (std::size_t at = 0; at < m.bytes.size(); at += block_bytes) {
    for (std::size_t i = 0; i < block_bytes; ++i) {
      const bool half =
          std::find_if(c.half_offsets.begin(), c.half_offsets.end(),
                       [&](std::size_t o) { return i == o || i == o + 1; }) != c.half_offsets.end();
      if (half) continue;
      const bool q6_scale = c.type == WeightType::q6_k && i >= 192;
      m.bytes[at + i] = std::byte{c.type == WeightType::q8_0 || q6_scale ? std::uint8_t{0x80}
                                                                         : std::uint8_t{0xff}};
    }
  }
  std::vector<float> x(tokens * cols);
  for (std::size_t t = 0; t < tokens; ++t) {
    std::fill_n(x.begin() + static_cast<std::ptrdiff_t>(t * cols), cols, t % 2 ? -1.5f : 0.75f);
  }
  lmc_test::expect_matmul_bit_identical(m.view, x.data(), cols, tokens);
}

TEST(MatmulSet, EachOutputIsTheScalarProductOnEveryPathTokenCountAndPool) {
  // matmul_set runs the products of one X with several matrices (q, k, v; gate, up) as one
  // loop of tasks and quantizes X once per activation block: matrices of both activation
  // blocks (Q4_K, Q6_K: 256; Q8_0, Q4_0: 32) under both recipes, an F32 matrix, one with a bias,
  // one without rows, row counts that leave partial tiles. Each output must hold the bits of the
  // scalar path's matmul of its matrix alone, for 1 to 7 tokens and pools of 1 to 3 threads.
  PathGuard guard;
  std::mt19937 rng(41);
  const std::size_t cols = 512;
  const std::size_t type_index[] = {7, 9, 0, 1, 7, 9};  // Q4_K, Q6_K, Q8_0, Q4_0
  const QuantRecipe recipes[] = {QuantRecipe::integer,     QuantRecipe::integer,
                                 QuantRecipe::integer,     QuantRecipe::integer,
                                 QuantRecipe::float_exact, QuantRecipe::float_exact};
  const std::size_t row_counts[] = {37, 70, 33, 45, 300, 29};
  std::vector<RandomMatrix> matrices;
  for (std::size_t i = 0; i < std::size(type_index); ++i) {
    matrices.push_back(
        random_matrix(type_cases()[type_index[i]], row_counts[i], cols, rng, recipes[i]));
  }
  const std::vector<float> f32_values = random_activations(53 * cols, rng);
  const WeightMatrix f32{
      WeightType::f32,         53, cols, reinterpret_cast<const std::byte*>(f32_values.data()), 0,
      QuantRecipe::float_exact};
  const WeightMatrix empty{WeightType::q4_k, 0, cols, nullptr, 0, QuantRecipe::integer};
  std::vector<const WeightMatrix*> weights;
  for (const RandomMatrix& m : matrices) weights.push_back(&m.view);
  weights.push_back(&f32);
  weights.push_back(&empty);
  const std::vector<float> bias = random_activations(300, rng);
  const std::size_t max_tokens = 7;
  const std::vector<float> x = random_activations(max_tokens * cols, rng);

  for (std::size_t tokens = 1; tokens <= max_tokens; ++tokens) {
    lmc::nn::force_kernel_path(KernelPath::scalar);
    std::vector<std::vector<float>> reference;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      const WeightMatrix& w = *weights[i];
      reference.emplace_back(tokens * w.rows);
      lmc::nn::matmul(w, x.data(), cols, tokens, reference.back().data(), w.rows,
                      i == 4 ? bias.data() : nullptr, nullptr);
    }
    for (KernelPath path : supported_paths()) {
      lmc::nn::force_kernel_path(path);
      for (std::size_t threads : {1, 2, 3}) {
        lmc::base::ThreadPool pool(threads);
        std::vector<std::vector<float>> out;
        std::vector<lmc::nn::MatmulOutput> outputs;
        for (std::size_t i = 0; i < weights.size(); ++i) {
          out.emplace_back(tokens * weights[i]->rows, -1.0f);
        }
        for (std::size_t i = 0; i < weights.size(); ++i) {
          outputs.push_back(
              {weights[i], out[i].data(), weights[i]->rows, i == 4 ? bias.data() : nullptr});
        }
        lmc::nn::matmul_set(outputs, x.data(), cols, tokens, &pool);
        for (std::size_t i = 0; i < weights.size(); ++i) {
          EXPECT_EQ(0, std::memcmp(out[i].data(), reference[i].data(), out[i].size() * 4))
              << to_string(path) << ", " << tokens << " tokens, " << threads << " threads, matrix "
              << i;
        }
      }
    }
  }
}

TEST(MatmulThreads, ManyUnevenTasksGiveTheScalarBitsForEveryPoolSize) {
  // Decoding (fewer than 6 tokens) hands a product out in tasks that shrink towards the end of
  // the loop, a schedule that depends on the pool's size: a matrix of 2051 rows (not a whole
  // number of 4-row tiles) and 256 columns is cut into equal tasks, then shorter ones down to 64
  // rows, then a short last one. Under both recipes and for 1 to 5 tokens, every pool of 2 to 5
  // threads must give each row the bits of the scalar path's product without a pool, alone and
  // through matmul_set with a second matrix after it (whose rows the first one's schedule counts).
  PathGuard guard;
  std::mt19937 rng(43);
  const std::size_t cols = 256, rows = 2051, after_rows = 517;
  const std::size_t max_tokens = 5;
  const std::vector<float> x = random_activations(max_tokens * cols, rng);
  for (const QuantRecipe recipe : {QuantRecipe::float_exact, QuantRecipe::integer}) {
    for (const std::size_t type_index : {9, 0}) {  // Q6_K, Q8_0
      const RandomMatrix m = random_matrix(type_cases()[type_index], rows, cols, rng, recipe);
      const RandomMatrix after = random_matrix(type_cases()[7], after_rows, cols, rng, recipe);
      for (std::size_t tokens = 1; tokens <= max_tokens; ++tokens) {
        lmc::nn::force_kernel_path(KernelPath::scalar);
        std::vector<float> reference(tokens * rows), reference_after(tokens * after_rows);
        lmc::nn::matmul(m.view, x.data(), cols, tokens, reference.data(), rows, nullptr, nullptr);
        lmc::nn::matmul(after.view, x.data(), cols, tokens, reference_after.data(), after_rows,
                        nullptr, nullptr);
        for (KernelPath path : supported_paths()) {
          lmc::nn::force_kernel_path(path);
          for (std::size_t threads = 2; threads <= 5; ++threads) {
            lmc::base::ThreadPool pool(threads);
            std::vector<float> alone(tokens * rows, -1.0f), first(tokens * rows, -1.0f),
                second(tokens * after_rows, -1.0f);
            lmc::nn::matmul(m.view, x.data(), cols, tokens, alone.data(), rows, nullptr, &pool);
            const lmc::nn::MatmulOutput outputs[] = {
                {&m.view, first.data(), rows, nullptr},
                {&after.view, second.data(), after_rows, nullptr}};
            lmc::nn::matmul_set(outputs, x.data(), cols, tokens, &pool);
            const std::string where = std::string(type_cases()[type_index].name) + ", " +
                                      std::string(to_string(path)) + ", " + std::to_string(tokens) +
                                      " tokens, " + std::to_string(threads) + " threads";
            EXPECT_EQ(0, std::memcmp(alone.data(), reference.data(), alone.size() * 4)) << where;
            EXPECT_EQ(0, std::memcmp(first.data(), reference.data(), first.size() * 4)) << where;
            EXPECT_EQ(0, std::memcmp(second.data(), reference_after.data(), second.size() * 4))
                << where;
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Types, QuantMatmulTest, ::testing::Range<std::size_t>(0, 12), case_name);

INSTANTIATE_TEST_SUITE_P(
    Types, QuantRecipeTest,
    ::testing::Combine(::testing::Range<std::size_t>(0, 12),
                       ::testing::Values(QuantRecipe::float_exact, QuantRecipe::integer)),
    [](const ::testing::TestParamInfo<std::tuple<std::size_t, QuantRecipe>>& info) {
      return std::string(type_cases()[std::get<0>(info.param)].name) +
             (std::get<1>(info.param) == QuantRecipe::integer ? "_integer" : "_float");
    });

TEST(QuantizedActivations, AreTheSameOnEveryPath) {
  // The SIMD paths' copies of the per-value loops (largest magnitude, rounding) against the
  // scalar ones, on values that test them: ties (x.5 after scaling, to even), ±0, NaN, ±inf,
  // values that round past ±127, an all-NaN block and an all-zero block.
  PathGuard guard;
  std::mt19937 rng(37);
  const std::size_t cols = 1024, tokens = 5;
  std::vector<float> x = random_activations(tokens * cols, rng);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (std::size_t i = 0; i < 256; ++i) {
    // Token 0, first 256: amax 127, so that codes are the values themselves: ties to even.
    x[i] = static_cast<float>(static_cast<int>(i % 64) - 32) + 0.5f;
  }
  x[0] = 127.0f;
  x[300] = nan;
  x[301] = -0.0f;
  x[cols + 40] = inf;
  x[cols + 600] = -inf;
  for (std::size_t i = 512; i < 544; ++i) x[2 * cols + i] = nan;     // a block of 32 all NaN
  for (std::size_t i = 768; i < 1024; ++i) x[2 * cols + i] = 0.0f;   // a block of 256 all zero
  for (std::size_t i = 0; i < cols; ++i) x[3 * cols + i] *= 1e-30f;  // tiny scales
  for (std::size_t block : {std::size_t{32}, std::size_t{256}}) {
    lmc::nn::force_kernel_path(KernelPath::scalar);
    lmc::nn::detail::QuantizedActivations want;
    lmc::nn::detail::quantize_activations(x.data(), cols, tokens, cols, block, want, nullptr);
    for (KernelPath path : supported_paths()) {
      lmc::nn::force_kernel_path(path);
      lmc::nn::detail::QuantizedActivations got;
      lmc::nn::detail::quantize_activations(x.data(), cols, tokens, cols, block, got, nullptr);
      EXPECT_EQ(got.q, want.q) << to_string(path) << " block " << block;
      EXPECT_EQ(0, std::memcmp(got.d.data(), want.d.data(), want.d.size() * 4))
          << to_string(path) << " block " << block;
      EXPECT_EQ(got.sum16, want.sum16) << to_string(path) << " block " << block;
      EXPECT_EQ(0, std::memcmp(got.s32.data(), want.s32.data(), want.s32.size() * 4))
          << to_string(path) << " block " << block;
    }
    // The ties went to even: 0.5 → 0, 1.5 → 2, −0.5 → −0 = 0, −1.5 → −2.
    if (block == 256) {
      EXPECT_EQ(want.q[33], 2);   // 1.5
      EXPECT_EQ(want.q[32], 0);   // 0.5
      EXPECT_EQ(want.q[31], 0);   // −0.5
      EXPECT_EQ(want.q[30], -2);  // −1.5
    }
  }
}

TEST(QuantizedActivations, AreWithinHalfAStepOfTheInput) {
  std::mt19937 rng(2);
  const std::size_t cols = 512;
  std::vector<float> x = random_activations(3 * cols, rng);
  x[5] = 0;
  for (std::size_t i = 256; i < 512; ++i) x[i] = 0;  // an all-zero block of 256
  for (std::size_t block : {std::size_t{32}, std::size_t{256}}) {
    lmc::nn::detail::QuantizedActivations qx;
    lmc::nn::detail::quantize_activations(x.data(), cols, 3, cols, block, qx, nullptr);
    for (std::size_t t = 0; t < 3; ++t) {
      for (std::size_t k = 0; k < cols; ++k) {
        const float d = qx.row_d(t)[k / block];
        const int q = qx.row_q(t)[k];
        EXPECT_LE(std::abs(q), 127);
        // 32-blocks store d rounded to fp16 (relative error ≤ 2^-11), so allow that too.
        EXPECT_NEAR(d * q, x[t * cols + k], 0.5 * d + std::abs(x[t * cols + k]) * 1e-3)
            << block << " " << t << " " << k;
      }
      for (std::size_t g = 0; g < cols / 16; ++g) {
        int s = 0;
        for (std::size_t i = 0; i < 16; ++i) s += qx.row_q(t)[16 * g + i];
        EXPECT_EQ(qx.row_sum16(t)[g], s);
      }
    }
    EXPECT_EQ(qx.row_d(0)[256 / block], 0.0f);
  }
}

}  // namespace

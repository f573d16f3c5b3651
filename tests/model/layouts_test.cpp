// The same weights as a GGUF file (llama.cpp layout) and as a Hugging Face folder give the same
// log-probabilities; F16/BF16/Q8_0 copies of a model stay close to F32.
#include "random_models.hpp"

#include <lmc/model.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace {

std::filesystem::path scratch(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("lmc_model_test_" +
                    std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::vector<std::int32_t> test_tokens(std::size_t n, std::int32_t vocab) {
  std::vector<std::int32_t> tokens(n);
  for (std::size_t i = 0; i < n; ++i)
    tokens[i] = static_cast<std::int32_t>((i * 37 + 11) % static_cast<std::size_t>(vocab));
  return tokens;
}

class LayoutTest : public ::testing::TestWithParam<const char*> {};

TEST_P(LayoutTest, GgufAndHuggingFaceFolderAgree) {
  const std::string family = GetParam();
  const lmc_test::TinyModel m = lmc_test::make_tiny_model(family, 42);
  const auto dir = scratch(family);
  lmc_test::write_gguf(m, dir / "model.gguf");
  lmc_test::write_hf_folder(m, dir / "hf");
  const lmc::Model gguf = lmc::Model::load(dir / "model.gguf");
  const lmc::Model hf = lmc::Model::load(dir / "hf");
  EXPECT_EQ(gguf.info().architecture, family);
  EXPECT_EQ(hf.info().architecture, family);
  EXPECT_EQ(hf.info().format, "safetensors");
  EXPECT_EQ(gguf.info().n_parameters, hf.info().n_parameters);
  const auto tokens = test_tokens(40, 64);
  const std::vector<float> a = gguf.token_logprobs(tokens), b = hf.token_logprobs(tokens);
  ASSERT_EQ(a.size(), tokens.size() - 1);
  ASSERT_EQ(b.size(), a.size());
  double worst = 0, spread = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, static_cast<double>(std::abs(a[i] - b[i])));
    spread = std::max(spread, static_cast<double>(std::abs(a[i] - a[0])));
  }
  EXPECT_LE(worst, 1e-5) << family;
  EXPECT_GT(spread, 0.1) << "the model should not be uniform";
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Families, LayoutTest, ::testing::Values("llama", "qwen2", "gemma", "gpt2"),
                         [](const auto& info) { return std::string(info.param); });

TEST(WeightTypes, F16Bf16AndQ8_0ComputeExactlyFromStoredValues) {
  // A model stored as F16/BF16/Q8_0 must score like an F32 model holding the same rounded
  // values (rounded here through the format's quantize_row/dequantize_row), and stay near the
  // unrounded model.
  const lmc_test::TinyModel m = lmc_test::make_tiny_model("llama", 7);
  const auto dir = scratch("types");
  const auto tokens = test_tokens(30, 64);
  lmc_test::write_gguf(m, dir / "f32.gguf");
  const std::vector<float> unrounded = lmc::Model::load(dir / "f32.gguf").token_logprobs(tokens);
  const std::pair<lmc::DType, double> types[] = {
      {lmc::DType::f16, 0.05}, {lmc::DType::bf16, 0.2}, {lmc::DType::q8_0, 1.0}};
  for (const auto& [type, distance] : types) {
    const std::string name(lmc::dtype_name(type));
    lmc_test::write_gguf(m, dir / (name + ".gguf"), type);
    lmc_test::TinyModel rounded = m;
    for (lmc_test::TinyTensor& t : rounded.tensors) {
      if (t.shape.size() < 2) continue;
      const std::int64_t cols = t.shape.back();
      std::vector<std::byte> row(lmc::dtype_row_bytes(type, cols));
      for (std::size_t r = 0; r < t.values.size() / static_cast<std::size_t>(cols); ++r) {
        float* v = t.values.data() + r * static_cast<std::size_t>(cols);
        lmc::quantize_row(type, v, row.data(), cols);
        lmc::dequantize_row(type, row.data(), v, cols);
      }
    }
    lmc_test::write_gguf(rounded, dir / (name + "_as_f32.gguf"));
    const lmc::Model model = lmc::Model::load(dir / (name + ".gguf"));
    EXPECT_EQ(model.info().weight_type, name);
    const std::vector<float> lp = model.token_logprobs(tokens);
    const std::vector<float> exact =
        lmc::Model::load(dir / (name + "_as_f32.gguf")).token_logprobs(tokens);
    double worst = 0, moved = 0;
    for (std::size_t i = 0; i < lp.size(); ++i) {
      worst = std::max(worst, static_cast<double>(std::abs(lp[i] - exact[i])));
      moved = std::max(moved, static_cast<double>(std::abs(lp[i] - unrounded[i])));
    }
    EXPECT_LE(worst, 1e-5) << name;
    EXPECT_GT(moved, 0.0) << name << " should round something";
    EXPECT_LE(moved, distance) << name;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace

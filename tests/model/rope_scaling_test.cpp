// config.json's RoPE scaling: the numbers it becomes (against references made by others) and
// the settings lmc refuses, by name.
#include "model/rope_scaling.hpp"
#include "random_models.hpp"
#include "support/testdata.hpp"

#include <lmc/model.hpp>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace {

using lmc::model::HyperParameters;

HyperParameters read(const std::string& json, std::size_t head_dim = 32) {
  const lmc::HfConfig config = lmc::HfConfig::parse(json, "config.json");
  HyperParameters h;
  h.rope_dims = head_dim;
  h.rope_base = 10000.0;
  h.context_length =
      static_cast<std::size_t>(config.integer("max_position_embeddings").value_or(0));
  lmc::model::read_hf_rope_scaling(config, head_dim, h);
  return h;
}

std::string error_of(const std::string& json) {
  try {
    read(json);
  } catch (const lmc::Error& e) {
    return e.what();
  }
  return "";
}

TEST(HfRopeScaling, Llama3FactorsAreTheConvertersRopeFreqs) {
  // ../shared/testdata/archs2/llama3rope.ref.json lists the rope_freqs that llama.cpp's
  // converter (torch) computed for this rope_scaling; lmc's must be the same floats.
  LMC_REQUIRE_TESTDATA();
  std::ifstream in(lmc_test::testdata("archs2/llama3rope.ref.json"));
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse(text.str().c_str());
  ASSERT_TRUE(doc.IsObject());
  const auto& model = doc["model"];
  const auto& scaling = model["llama3_rope_scaling"];
  const HyperParameters h = read(
      R"({"max_position_embeddings": 512, "rope_scaling": {"rope_type": "llama3", "factor": )" +
          std::to_string(scaling["factor"].GetDouble()) + R"(, "low_freq_factor": )" +
          std::to_string(scaling["low_freq_factor"].GetDouble()) + R"(, "high_freq_factor": )" +
          std::to_string(scaling["high_freq_factor"].GetDouble()) +
          R"(, "original_max_position_embeddings": )" +
          std::to_string(scaling["original_max_position_embeddings"].GetInt()) + "}}",
      static_cast<std::size_t>(model["head_dim"].GetInt()));
  const auto& expected = model["rope_freqs"].GetArray();
  ASSERT_EQ(h.rope_freq_factors.size(), expected.Size());
  for (rapidjson::SizeType i = 0; i < expected.Size(); ++i) {
    EXPECT_EQ(h.rope_freq_factors[i], static_cast<float>(expected[i].GetDouble())) << i;
  }
}

TEST(HfRopeScaling, YarnAsTransformersComputesIt) {
  // factor 4 → freq_scale 1/4, attention factor 0.1·ln 4 + 1; the correction range from
  // original_max_position_embeddings 4096, head_dim 64, θ 10000: floor(10.47), ceil(22.51).
  HyperParameters h = read(R"({"max_position_embeddings": 16384, "rope_scaling":
      {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}})",
                           64);
  EXPECT_DOUBLE_EQ(h.rope_freq_scale, 0.25);
  EXPECT_DOUBLE_EQ(h.rope_attention_factor, 0.1 * std::log(4.0) + 1.0);
  EXPECT_EQ(h.rope_yarn_ext_factor, 1.0);
  EXPECT_EQ(h.rope_yarn_low, 10.0);
  EXPECT_EQ(h.rope_yarn_high, 23.0);
  // DeepSeek's mscale / mscale_all_dim: the ratio of the two mscales.
  h = read(R"({"max_position_embeddings": 16384, "rope_scaling": {"type": "yarn", "factor": 40,
      "mscale": 0.707, "mscale_all_dim": 1.0, "original_max_position_embeddings": 4096}})");
  EXPECT_DOUBLE_EQ(h.rope_attention_factor,
                   (0.1 * 0.707 * std::log(40.0) + 1) / (0.1 * std::log(40.0) + 1));
  // An explicit attention_factor wins; beta_fast/beta_slow and truncate are read.
  h = read(R"({"max_position_embeddings": 16384, "rope_scaling": {"rope_type": "yarn",
      "factor": 4, "attention_factor": 1.25, "beta_fast": 16, "beta_slow": 2, "truncate": false,
      "original_max_position_embeddings": 4096}})",
           64);
  EXPECT_DOUBLE_EQ(h.rope_attention_factor, 1.25);
  EXPECT_NEAR(h.rope_yarn_low, 64 * std::log(4096 / (16 * 2 * M_PI)) / (2 * std::log(10000.0)),
              1e-12);
  EXPECT_NEAR(h.rope_yarn_high, 64 * std::log(4096 / (2 * 2 * M_PI)) / (2 * std::log(10000.0)),
              1e-12);
}

TEST(HfRopeScaling, LongRopeAndDynamicDependOnTheContext) {
  std::string factors = "[";
  for (int i = 0; i < 16; ++i) factors += std::string(i ? ", " : "") + std::to_string(1 + i);
  factors += "]";
  const HyperParameters h =
      read(R"({"max_position_embeddings": 131072, "original_max_position_embeddings": 4096,
      "rope_scaling": {"type": "longrope", "long_factor": )" +
           factors + R"(, "short_factor": )" + factors + "}}");
  EXPECT_EQ(h.rope_original_context, 4096u);
  EXPECT_DOUBLE_EQ(h.rope_attention_factor, std::sqrt(1 + std::log(32.0) / std::log(4096.0)));
  lmc::nn::RopeConfig rope;
  lmc::model::apply_rope_context(h, 4096, rope);
  EXPECT_EQ(rope.freq_factors, h.rope_short_factors);
  lmc::model::apply_rope_context(h, 4097, rope);
  EXPECT_EQ(rope.freq_factors, h.rope_long_factors);

  // Dynamic NTK: the base at context L > M is θ·((f·L/M) − (f − 1))^(d/(d−2)); ≤ M: θ.
  const HyperParameters d = read(R"({"max_position_embeddings": 2048,
      "rope_scaling": {"type": "dynamic", "factor": 2.0}})");
  lmc::nn::RopeConfig dynamic;
  lmc::model::apply_rope_context(d, 1024, dynamic);
  EXPECT_DOUBLE_EQ(dynamic.base, 10000.0);
  lmc::model::apply_rope_context(d, 4096, dynamic);
  EXPECT_NEAR(dynamic.base, 10000.0 * std::pow(2.0 * 4096 / 2048 - 1, 32.0 / 30.0), 1e-6);
}

TEST(HfRopeScaling, TransformersFiveRopeParameters) {
  // transformers 5 writes rope_parameters with θ (and the rotated fraction) inside it.
  const HyperParameters h = read(R"({"max_position_embeddings": 64, "rope_parameters":
      {"rope_type": "linear", "factor": 2.0, "rope_theta": 500000.0,
       "partial_rotary_factor": 0.5}})");
  EXPECT_EQ(h.rope_base, 500000.0);
  EXPECT_EQ(h.rope_dims, 16u);
  EXPECT_EQ(h.rope_freq_scale, 0.5);
  EXPECT_EQ(read(R"({"rope_parameters": {"rope_type": "default", "rope_theta": 1e6}})").rope_base,
            1e6);
}

TEST(HfRopeScaling, WhatLmcDoesNotImplementIsRefusedByName) {
  std::string e = error_of(R"({"rope_scaling": {"rope_type": "mrope", "mrope_section": [1]}})");
  EXPECT_NE(e.find("'rope_scaling.rope_type' = 'mrope'"), std::string::npos) << e;
  e = error_of(R"({"rope_scaling": {"type": "linear", "factor": 2.0, "wobble": 1}})");
  EXPECT_NE(e.find("'rope_scaling.wobble'"), std::string::npos) << e;
  e = error_of(R"({"rope_scaling": {"type": "linear"}})");
  EXPECT_NE(e.find("'rope_scaling.factor'"), std::string::npos) << e;
  e = error_of(R"({"rope_scaling": {"rope_type": "llama3", "factor": 8, "low_freq_factor": 1,
      "original_max_position_embeddings": 8192}})");
  EXPECT_NE(e.find("'rope_scaling.high_freq_factor'"), std::string::npos) << e;
  e = error_of(R"({"max_position_embeddings": 8, "rope_scaling": {"type": "longrope",
      "long_factor": [1, 2], "short_factor": [1, 2, 3]}})");
  EXPECT_NE(e.find("'rope_scaling.long_factor' has 2 values, expected 16"), std::string::npos) << e;
  e = error_of(R"({"rope_parameters": {"rope_type": "default", "rope_theta": 1e6,
      "full_attention": {"rope_type": "default"}}})");
  EXPECT_NE(e.find("'rope_parameters.full_attention'"), std::string::npos) << e;
  e = error_of(R"({"rope_scaling": {"type": "linear", "factor": -2}})");
  EXPECT_NE(e.find("'rope_scaling.factor' = -2 must be > 0"), std::string::npos) << e;
}

TEST(GgufRopeScaling, UnknownTypeIsRefusedByName) {
  lmc_test::TinyModel m = lmc_test::make_tiny_model("llama", 5);
  m.gguf_strings["llama.rope.scaling.type"] = "wobbly";
  const auto path = std::filesystem::temp_directory_path() /
                    ("lmc_rope_gguf_" +
                     std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".gguf");
  lmc_test::write_gguf(m, path);
  try {
    lmc::Model::load(path);
    ADD_FAILURE() << "loaded";
  } catch (const lmc::Error& e) {
    EXPECT_NE(std::string(e.what()).find("llama.rope.scaling.type"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

}  // namespace

// config.json parsing into HfConfig, and model-folder discovery.
#include <lmc/hf_config.hpp>

#include "format/temp_folder.hpp"
#include "support/testdata.hpp"

#include <gtest/gtest.h>

namespace {

// An abridged Llama-3-style config (values as published for Llama-3.2-1B).
constexpr std::string_view llama_config = R"({
  "architectures": ["LlamaForCausalLM"],
  "attention_bias": false,
  "bos_token_id": 128000,
  "eos_token_id": [128001, 128008, 128009],
  "head_dim": 64,
  "hidden_act": "silu",
  "hidden_size": 2048,
  "intermediate_size": 8192,
  "max_position_embeddings": 131072,
  "model_type": "llama",
  "num_attention_heads": 32,
  "num_hidden_layers": 16,
  "num_key_value_heads": 8,
  "rms_norm_eps": 1e-05,
  "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                   "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "rope_theta": 500000.0,
  "tie_word_embeddings": true,
  "torch_dtype": "bfloat16",
  "vocab_size": 128256
})";

TEST(HfConfig, ParsesTheCommonFields) {
  const auto config = lmc::HfConfig::parse(llama_config, "config.json");
  EXPECT_EQ(config.model_type, "llama");
  EXPECT_EQ(config.architectures, std::vector<std::string>{"LlamaForCausalLM"});
  EXPECT_EQ(config.vocab_size, 128256);
  EXPECT_EQ(config.hidden_size, 2048);
  EXPECT_EQ(config.intermediate_size, 8192);
  EXPECT_EQ(config.num_hidden_layers, 16);
  EXPECT_EQ(config.num_attention_heads, 32);
  EXPECT_EQ(config.num_key_value_heads, 8);
  EXPECT_EQ(config.head_dim, 64);
  EXPECT_EQ(config.max_position_embeddings, 131072);
  EXPECT_EQ(config.norm_eps, 1e-5);
  EXPECT_EQ(config.rope_theta, 500000.0);
  EXPECT_FALSE(config.partial_rotary_factor.has_value());
  ASSERT_TRUE(config.rope_scaling.has_value());
  EXPECT_EQ(config.rope_scaling->type, "llama3");
  EXPECT_EQ(config.rope_scaling->numbers.at("factor"), 32.0);
  EXPECT_EQ(config.rope_scaling->numbers.at("original_max_position_embeddings"), 8192.0);
  EXPECT_EQ(config.tie_word_embeddings, true);
  EXPECT_FALSE(config.sliding_window.has_value());
  EXPECT_EQ(config.bos_token_id, 128000);
  EXPECT_EQ(config.eos_token_ids, (std::vector<std::int64_t>{128001, 128008, 128009}));
  EXPECT_EQ(config.torch_dtype, "bfloat16");
  // Generic access to any key, nested ones by dotted path.
  EXPECT_EQ(config.string("hidden_act"), "silu");
  EXPECT_EQ(config.boolean("attention_bias"), false);
  EXPECT_EQ(config.number("rope_scaling.high_freq_factor"), 4.0);
  EXPECT_EQ(config.integer("rope_scaling.original_max_position_embeddings"), 8192);
  EXPECT_EQ(config.integer("eos_token_id.2"), 128009);
  EXPECT_EQ(config.string("architectures.0"), "LlamaForCausalLM");
  EXPECT_FALSE(config.integer("rms_norm_eps").has_value());  // 1e-05 is not an integer
  EXPECT_FALSE(config.number("hidden_act").has_value());
  EXPECT_FALSE(config.contains("absent"));
}

TEST(HfConfig, AlternativeSpellings) {
  const auto config = lmc::HfConfig::parse(
      R"({"model_type": "gpt_neox", "layer_norm_eps": 1e-6, "eos_token_id": 0,
          "rope_scaling": null, "partial_rotary_factor": 0.25, "sliding_window": null,
          "rope_scaling_old": {"type": "linear"}})",
      "neox.json");
  EXPECT_EQ(config.norm_eps, 1e-6);
  EXPECT_EQ(config.eos_token_ids, std::vector<std::int64_t>{0});
  EXPECT_FALSE(config.rope_scaling.has_value());
  EXPECT_FALSE(config.sliding_window.has_value());
  EXPECT_TRUE(config.contains("sliding_window"));
  EXPECT_EQ(config.partial_rotary_factor, 0.25);
  const auto falcon = lmc::HfConfig::parse(
      R"({"layer_norm_epsilon": 1e-5, "rope_scaling": {"type": "linear", "factor": 2}})", "f");
  EXPECT_EQ(falcon.norm_eps, 1e-5);
  EXPECT_EQ(falcon.rope_scaling->type, "linear");
  EXPECT_EQ(falcon.rope_scaling->numbers.at("factor"), 2.0);
}

TEST(HfConfig, BadConfigs) {
  EXPECT_THROW((void)lmc::HfConfig::parse("{", "c.json"), lmc::Error);
  EXPECT_THROW((void)lmc::HfConfig::parse("[]", "c.json"), lmc::Error);
  try {
    (void)lmc::HfConfig::parse(R"({"hidden_size": "big"})", "c.json");
    FAIL();
  } catch (const lmc::Error& e) {
    EXPECT_EQ(std::string(e.what()), "c.json: key 'hidden_size' must be an integer");
    EXPECT_EQ(e.code(), lmc::ErrorCode::format);
  }
  EXPECT_THROW((void)lmc::HfConfig::parse(R"({"architectures": "Llama"})", "c.json"), lmc::Error);
  EXPECT_THROW((void)lmc::HfConfig::parse(R"({"rope_scaling": 3})", "c.json"), lmc::Error);
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 100; ++i) deep += "}";
  EXPECT_THROW((void)lmc::HfConfig::parse(deep, "c.json"), lmc::Error);
}

TEST(HfModelFolder, LocatesItsFiles) {
  lmc_test::TempFolder folder;
  EXPECT_THROW((void)lmc::HfModelFolder::open(folder.path()), lmc::Error);  // no config.json
  folder.write("config.json", llama_config);
  folder.write("tokenizer.json", "{}");
  auto model = lmc::HfModelFolder::open(folder.path());
  EXPECT_EQ(model.config.hidden_size, 2048);
  EXPECT_EQ(model.tokenizer_json, folder / "tokenizer.json");
  EXPECT_FALSE(model.tokenizer_config_json.has_value());
  EXPECT_FALSE(model.weights.has_value());
  folder.write("tokenizer_config.json", "{}");
  folder.write("model.safetensors.index.json", "{}");
  model = lmc::HfModelFolder::open(folder.path());
  EXPECT_EQ(model.tokenizer_config_json, folder / "tokenizer_config.json");
  EXPECT_EQ(model.weights, folder / "model.safetensors.index.json");
  EXPECT_THROW((void)lmc::HfModelFolder::open(folder / "config.json"), lmc::Error);
}

}  // namespace

namespace {

struct TokenizerExpectation {
  const char* folder;
  const char* model_type;
  std::int64_t n_vocab;
  std::optional<std::int64_t> bos_id, eos_id;
};

// tokenizers/README.md: vocabulary sizes ("128000 + 256 = 128256" etc.) and special ids.
const TokenizerExpectation tokenizer_expectations[] = {
    {"llama2", "BPE", 32000, 1, 2},
    {"llama3", "BPE", 128256, 128000, 128001},
    {"qwen3", "BPE", 151669, std::nullopt, 151645},
    {"gemma3", "BPE", 262145, 2, 106},
    {"deepseek_v3", "BPE", 128815, 0, 1},
};

TEST(HfTokenizerInfo, SummarizesTheTestdataTokenizers) {
  LMC_REQUIRE_TESTDATA();
  for (const auto& e : tokenizer_expectations) {
    SCOPED_TRACE(e.folder);
    const auto folder = lmc_test::testdata(std::string("tokenizers/") + e.folder);
    const auto info =
        lmc::HfTokenizerInfo::load(folder / "tokenizer.json", folder / "tokenizer_config.json");
    EXPECT_EQ(info.model_type, e.model_type);
    EXPECT_EQ(info.vocab_size, e.n_vocab);
    EXPECT_EQ(info.bos_id, e.bos_id);
    EXPECT_EQ(info.eos_id, e.eos_id);
  }
}

}  // namespace

// State-space architectures (mamba, jamba) against llama.cpp's references in
// ../shared/testdata/archs2, and the recurrent state's contract: the state cannot be rewound
// except by a reset; bad files are refused with the key or tensor named. That one batched pass
// and any split into smaller feeds give bit-identical logits on any thread count and SIMD path
// is checked with the other archs2 models in identity_test.cpp.
#include "archs2_support.hpp"
#include "reference_cases.hpp"

#include <lmc/error.hpp>
#include <lmc/gguf.hpp>
#include <lmc/model.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace {

class StateSpaceReference : public ::testing::TestWithParam<const char*> {};

// Each model within the tolerance its reference states (2e-4 for both).
TEST_P(StateSpaceReference, MatchesLlamaCpp) {
  LMC_REQUIRE_TESTDATA();
  const std::string name = GetParam();
  const auto model_path = lmc_test::archs2(name + ".gguf");
  if (!std::filesystem::exists(model_path)) GTEST_SKIP() << model_path << " absent";
  const auto ref = lmc_test::read_reference(lmc_test::archs2(name + ".ref.json"));
  ASSERT_FALSE(ref.cases.empty());
  ASSERT_GT(ref.tolerance, 0.0);
  lmc::ModelOptions options;
  options.threads = 2;
  const lmc::Model model = lmc::Model::load(model_path, options);
  EXPECT_EQ(model.info().architecture, name);
  lmc_test::expect_within_tolerance(model, ref, name);
}

INSTANTIATE_TEST_SUITE_P(Archs2, StateSpaceReference, ::testing::Values("mamba", "jamba"),
                         [](const auto& info) { return std::string(info.param); });

class StateSpaceState : public ::testing::TestWithParam<const char*> {};

TEST_P(StateSpaceState, StateRewindsOnlyToZero) {
  LMC_REQUIRE_TESTDATA();
  const std::string name = GetParam();
  const auto model_path = lmc_test::archs2(name + ".gguf");
  if (!std::filesystem::exists(model_path)) GTEST_SKIP() << model_path << " absent";
  const lmc::Model model = lmc::Model::load(model_path);
  const std::vector<lmc::Token> tokens = {1, 20, 30, 40, 50, 60};
  lmc::Session session(model);
  session.feed(tokens, lmc::Outputs::all);
  const auto first = session.logits(5);
  const std::vector<float> expected(first.begin(), first.end());
  try {
    session.truncate(3);
    ADD_FAILURE() << "truncate(3) of a recurrent state did not throw";
  } catch (const lmc::Error& e) {
    EXPECT_EQ(e.code(), lmc::ErrorCode::unsupported);
    EXPECT_NE(std::string(e.what()).find("recurrent"), std::string::npos) << e.what();
  }
  EXPECT_EQ(session.position(), tokens.size());
  session.truncate(tokens.size());  // nothing to forget: allowed
  session.truncate(0);              // a reset: allowed, and the state starts from zero again
  EXPECT_EQ(session.position(), 0u);
  session.feed(tokens, lmc::Outputs::all);
  const auto again = session.logits(5);
  EXPECT_TRUE(lmc_test::same_bits(expected, std::vector<float>(again.begin(), again.end())));
  // A bad token is refused before the state moves.
  const std::vector<lmc::Token> bad = {3, 100000};
  EXPECT_THROW(session.feed(bad, lmc::Outputs::all), lmc::Error);
  EXPECT_EQ(session.position(), tokens.size());
}

INSTANTIATE_TEST_SUITE_P(Archs2, StateSpaceState, ::testing::Values("mamba", "jamba"),
                         [](const auto& info) { return std::string(info.param); });

class StateSpaceBadFiles : public lmc_test::Archs2Scratch {};

TEST_F(StateSpaceBadFiles, UnchangedCopiesLoad) {
  for (const char* name : {"mamba", "jamba"}) {
    const auto path = rewritten(std::string(name) + ".gguf", std::string(name) + ".gguf",
                                [](lmc::GgufWriter&) {});
    EXPECT_EQ(lmc_test::load_error(path), "") << name;
  }
}

TEST_F(StateSpaceBadFiles, PerLayerKvHeadsOfTheWrongLengthAreNamed) {
  const auto path = rewritten("jamba.gguf", "jamba.gguf", [](lmc::GgufWriter& w) {
    const std::int32_t counts[] = {0, 0, 2};
    w.set_i32s("jamba.attention.head_count_kv", counts);
  });
  const std::string error = lmc_test::load_error(path);
  EXPECT_NE(error.find("jamba.attention.head_count_kv"), std::string::npos) << error;
  EXPECT_NE(error.find("3 entries for 4 layers"), std::string::npos) << error;
}

TEST_F(StateSpaceBadFiles, AttentionLayersWithDifferentKvHeadCountsAreUnsupported) {
  const auto path = rewritten("jamba.gguf", "jamba.gguf", [](lmc::GgufWriter& w) {
    const std::int32_t counts[] = {1, 0, 2, 0};
    w.set_i32s("jamba.attention.head_count_kv", counts);
  });
  EXPECT_TRUE(lmc_test::load_error_names(path, "head_count_kv", lmc::ErrorCode::unsupported));
}

TEST_F(StateSpaceBadFiles, MissingSsmKeyOrTensorIsNamed) {
  const auto no_key = rewritten("mamba.gguf", "no_key.gguf",
                                [](lmc::GgufWriter& w) { w.remove("mamba.ssm.state_size"); });
  EXPECT_TRUE(lmc_test::load_error_names(no_key, "mamba.ssm.state_size"));

  const auto zero_key = rewritten("mamba.gguf", "zero_key.gguf", [](lmc::GgufWriter& w) {
    w.set_u32("mamba.ssm.conv_kernel", 0);
  });
  EXPECT_TRUE(lmc_test::load_error_names(zero_key, "mamba.ssm.conv_kernel"));

  const auto no_tensor = rewritten("jamba.gguf", "no_tensor.gguf", [](lmc::GgufWriter&) {},
                                   {"blk.3.ssm_b_norm.weight"});
  EXPECT_TRUE(lmc_test::load_error_names(no_tensor, "missing tensor 'blk.3.ssm_b_norm.weight'"));
}

TEST_F(StateSpaceBadFiles, SsmTensorShapesThatDisagreeWithTheKeysAreNamed) {
  // ssm.state_size says 4 while ssm_a has 8 columns.
  const auto state = rewritten("mamba.gguf", "state.gguf",
                               [](lmc::GgufWriter& w) { w.set_u32("mamba.ssm.state_size", 4); });
  const std::string error = lmc_test::load_error(state);
  EXPECT_NE(error.find("mamba.ssm.state_size"), std::string::npos) << error;
  EXPECT_NE(error.find("has shape"), std::string::npos) << error;

  // A convolution with its taps and channels the other way round.
  const auto conv = rewritten(
      "mamba.gguf", "conv.gguf", [](lmc::GgufWriter&) {}, {},
      [](const lmc::Tensor& t, lmc::GgufWriter& w) {
        if (t.name != "blk.1.ssm_conv1d.weight") return false;
        const std::int64_t shape[] = {t.shape[1], t.shape[0]};
        w.add_tensor(t.name, t.type, shape, t.data);
        return true;
      });
  EXPECT_TRUE(lmc_test::load_error_names(conv, "blk.1.ssm_conv1d.weight"));
}

std::string mamba_hf_name(const std::string& gguf) {
  const auto [layer, rest] = lmc_test::split_layer_name(gguf);
  if (layer < 0) {
    if (rest == "token_embd.weight") return "backbone.embeddings.weight";
    if (rest == "output_norm.weight") return "backbone.norm_f.weight";
    return "lm_head.weight";
  }
  const std::string p = "backbone.layers." + std::to_string(layer) + ".";
  static const std::map<std::string, std::string> names = {
      {"attn_norm.weight", "norm.weight"},
      {"ssm_in.weight", "mixer.in_proj.weight"},
      {"ssm_conv1d.weight", "mixer.conv1d.weight"},
      {"ssm_conv1d.bias", "mixer.conv1d.bias"},
      {"ssm_x.weight", "mixer.x_proj.weight"},
      {"ssm_dt.weight", "mixer.dt_proj.weight"},
      {"ssm_dt.bias", "mixer.dt_proj.bias"},
      {"ssm_a", "mixer.A_log"},
      {"ssm_d", "mixer.D"},
      {"ssm_out.weight", "mixer.out_proj.weight"}};
  return p + names.at(rest);
}

std::string jamba_hf_name(const std::string& gguf) {
  const auto [layer, rest] = lmc_test::split_layer_name(gguf);
  if (layer < 0) {
    if (rest == "token_embd.weight") return "model.embed_tokens.weight";
    if (rest == "output_norm.weight") return "model.final_layernorm.weight";
    return "lm_head.weight";
  }
  const std::string p = "model.layers." + std::to_string(layer) + ".";
  static const std::map<std::string, std::string> names = {
      {"attn_norm.weight", "input_layernorm.weight"},
      {"attn_q.weight", "self_attn.q_proj.weight"},
      {"attn_k.weight", "self_attn.k_proj.weight"},
      {"attn_v.weight", "self_attn.v_proj.weight"},
      {"attn_output.weight", "self_attn.o_proj.weight"},
      {"ffn_norm.weight", "pre_ff_layernorm.weight"},
      {"ffn_gate.weight", "feed_forward.gate_proj.weight"},
      {"ffn_up.weight", "feed_forward.up_proj.weight"},
      {"ffn_down.weight", "feed_forward.down_proj.weight"},
      {"ffn_gate_inp.weight", "feed_forward.router.weight"},
      {"ffn_gate_exps.weight", "feed_forward.experts.{}.gate_proj.weight"},
      {"ffn_up_exps.weight", "feed_forward.experts.{}.up_proj.weight"},
      {"ffn_down_exps.weight", "feed_forward.experts.{}.down_proj.weight"},
      {"ssm_in.weight", "mamba.in_proj.weight"},
      {"ssm_conv1d.weight", "mamba.conv1d.weight"},
      {"ssm_conv1d.bias", "mamba.conv1d.bias"},
      {"ssm_x.weight", "mamba.x_proj.weight"},
      {"ssm_dt_norm.weight", "mamba.dt_layernorm.weight"},
      {"ssm_dt.weight", "mamba.dt_proj.weight"},
      {"ssm_dt.bias", "mamba.dt_proj.bias"},
      {"ssm_b_norm.weight", "mamba.b_layernorm.weight"},
      {"ssm_c_norm.weight", "mamba.c_layernorm.weight"},
      {"ssm_a", "mamba.A_log"},
      {"ssm_d", "mamba.D"},
      {"ssm_out.weight", "mamba.out_proj.weight"}};
  return p + names.at(rest);
}

// config.json as transformers' MambaConfig / JambaConfig save it for the archs2 shapes (see
// ../shared/testdata/archs2/README.md: mamba 3 layers, E 64, I 128, S 8, K 4, R 4; jamba 4
// layers, attention on layer 2, experts on layers 1 and 3).
const char* const mamba_config = R"({
  "architectures": ["MambaForCausalLM"], "model_type": "mamba", "vocab_size": 512,
  "hidden_size": 64, "num_hidden_layers": 3, "state_size": 8, "conv_kernel": 4, "expand": 2,
  "intermediate_size": 128, "time_step_rank": 4, "layer_norm_epsilon": 1e-05,
  "use_bias": false, "use_conv_bias": true, "hidden_act": "silu", "residual_in_fp32": true,
  "time_step_scale": 1.0, "time_step_min": 0.001, "time_step_max": 0.1,
  "time_step_init_scheme": "random", "time_step_floor": 0.0001,
  "rescale_prenorm_residual": false, "use_cache": true, "use_mambapy": false,
  "initializer_range": 0.1, "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0,
  "tie_word_embeddings": true, "torch_dtype": "float32", "transformers_version": "4.46.0"
})";

const char* const jamba_config = R"({
  "architectures": ["JambaForCausalLM"], "model_type": "jamba", "vocab_size": 512,
  "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 4,
  "num_attention_heads": 4, "num_key_value_heads": 2, "hidden_act": "silu",
  "rms_norm_eps": 1e-06, "max_position_embeddings": 512, "sliding_window": null,
  "attn_layer_period": 4, "attn_layer_offset": 2, "expert_layer_period": 2,
  "expert_layer_offset": 1, "num_experts": 4, "num_experts_per_tok": 2,
  "mamba_d_state": 8, "mamba_d_conv": 4, "mamba_expand": 2, "mamba_dt_rank": 8,
  "mamba_conv_bias": true, "mamba_proj_bias": false, "use_mamba_kernels": false,
  "num_logits_to_keep": 1, "output_router_logits": false, "router_aux_loss_coef": 0.001,
  "attention_dropout": 0.0, "initializer_range": 0.02, "use_cache": true,
  "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0, "tie_word_embeddings": false,
  "torch_dtype": "float32", "transformers_version": "4.46.0"
})";

class StateSpaceHuggingFace : public StateSpaceBadFiles {};

TEST_F(StateSpaceHuggingFace, FolderAndGgufGiveTheSameLogProbabilities) {
  struct Case {
    const char* name;
    const char* config;
    std::string (*rename)(const std::string&);
  };
  for (const Case& c :
       {Case{"mamba", mamba_config, mamba_hf_name}, Case{"jamba", jamba_config, jamba_hf_name}}) {
    const auto gguf = lmc_test::archs2(std::string(c.name) + ".gguf");
    const auto folder = dir_ / c.name;
    lmc_test::write_hf_folder(gguf, folder, c.config, c.rename);
    const lmc::Model from_gguf = lmc::Model::load(gguf);
    const lmc::Model from_hf = lmc::Model::load(folder);
    EXPECT_EQ(from_hf.info().architecture, c.name);
    EXPECT_EQ(from_hf.info().n_parameters, from_gguf.info().n_parameters) << c.name;
    EXPECT_LE(lmc_test::worst_difference(from_gguf, from_hf, c.name), 1e-5) << c.name;
  }
}

TEST_F(StateSpaceHuggingFace, SettingsLmcDoesNotComputeAreRefusedByName) {
  const auto expect_refused = [&](const char* name, const std::string& original,
                                  const std::string& from, const std::string& to,
                                  const std::string& named) {
    const std::string config = lmc_test::edited(original, from, to);
    const auto folder = dir_ / (std::string(name) + "_" + std::to_string(config.size()));
    lmc_test::write_hf_folder(lmc_test::archs2(std::string(name) + ".gguf"), folder, config,
                              std::string(name) == "mamba" ? mamba_hf_name : jamba_hf_name);
    const std::string error = lmc_test::load_error(folder);
    EXPECT_NE(error.find(named), std::string::npos) << to << ": " << error;
  };
  expect_refused("mamba", mamba_config, R"("use_bias": false)", R"("use_bias": true)",
                 "'use_bias'");
  expect_refused("mamba", mamba_config, R"("use_bias": false,)", "", "'use_bias' = true");
  expect_refused("mamba", mamba_config, R"("hidden_act": "silu")", R"("hidden_act": "gelu")",
                 "'hidden_act'");
  expect_refused("jamba", jamba_config, R"("sliding_window": null)", R"("sliding_window": 8)",
                 "'sliding_window'");
  expect_refused("jamba", jamba_config, R"("attn_layer_offset": 2)", R"("attn_layer_offset": 4)",
                 "attn_layer_offset");
  expect_refused("jamba", jamba_config, R"("mamba_proj_bias": false)", R"("mamba_proj_bias": true)",
                 "'mamba_proj_bias'");
}

}  // namespace

// The same weights as a GGUF file (llama.cpp layout) and as a Hugging Face folder give the same
// log-probabilities; F16/BF16/Q8_0 copies of a model stay close to F32.
#include "random_deepseek2.hpp"
#include "random_models.hpp"
#include "support/base64.hpp"

#include <lmc/model.hpp>
#include <lmc/tokenizer.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>

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

// Log-probabilities of `tokens` under the model written as a Hugging Face folder.
std::vector<float> hf_logprobs(const lmc_test::TinyModel& m, const std::string& name,
                               const std::vector<std::int32_t>& tokens) {
  const auto dir = scratch(name);
  lmc_test::write_hf_folder(m, dir / "hf");
  const std::vector<float> lp = lmc::Model::load(dir / "hf").token_logprobs(tokens);
  std::filesystem::remove_all(dir);
  return lp;
}

// One entry per family and RoPE variant: how to build the model (both layouts hold the same
// weights). A new family is one entry here and its builder in random_models.hpp.
struct LayoutCase {
  const char* name;
  std::function<lmc_test::TinyModel()> build;
};

lmc_test::TinyModel family(const std::string& name) { return lmc_test::make_tiny_model(name, 42); }

template <typename Change>
std::function<lmc_test::TinyModel()> with(const std::string& name, Change change) {
  return [name, change] {
    lmc_test::TinyModel m = family(name);
    change(m);
    return m;
  };
}

const LayoutCase layout_cases[] = {
    {"llama", [] { return family("llama"); }},
    {"mistral", [] { return family("mistral"); }},
    {"qwen2", [] { return family("qwen2"); }},
    {"gemma", [] { return family("gemma"); }},
    {"gemma2", [] { return family("gemma2"); }},
    {"gpt2", [] { return family("gpt2"); }},
    {"stablelm", with("stablelm",
                      [](lmc_test::TinyModel& m) {
                        m.hf_config["partial_rotary_factor"] = "0.5";
                        m.gguf_numbers["stablelm.rope.dimension_count"] = 4;
                      })},
    {"starcoder2", [] { return family("starcoder2"); }},
    {"phi3", [] { return family("phi3"); }},
    {"phi2", [] { return family("phi2"); }},
    {"gptneox", [] { return family("gptneox"); }},
    {"starcoder", [] { return family("starcoder"); }},
    {"starcoder_mha", [] { return family("starcoder_mha"); }},
    {"mixtral", [] { return family("mixtral"); }},
    {"qwen", [] { return family("qwen"); }},
    {"internlm2", [] { return family("internlm2"); }},
    {"falcon", [] { return family("falcon"); }},
    {"falcon_grouped", [] { return family("falcon_grouped"); }},
    {"falcon40b", [] { return family("falcon40b"); }},
    {"gemma3", [] { return family("gemma3"); }},
    {"gemma3_pattern3", with("gemma3",
                             [](lmc_test::TinyModel& m) {
                               m.hf_config["sliding_window_pattern"] = "3";
                               m.gguf_numbers["gemma3.attention.sliding_window_pattern"] = 3;
                             })},
    {"gemma3_layer_types",  // transformers' newer configs list the layer kinds instead
     with(
         "gemma3",
         [](lmc_test::TinyModel& m) {
           m.hf_config["layer_types"] =
               R"(["sliding_attention", "sliding_attention", "full_attention", "sliding_attention", "sliding_attention", "full_attention"])";
           m.hf_config["sliding_window_pattern"] = "6";  // layer_types takes precedence
           m.gguf_numbers["gemma3.attention.sliding_window_pattern"] = 3;
         })},
    {"gemma3_softcap", with("gemma3",
                            [](lmc_test::TinyModel& m) {
                              m.hf_config["final_logit_softcapping"] = "3.0";
                              m.gguf_numbers["gemma3.final_logit_softcapping"] = 3.0;
                            })},
    {"smollm3", [] { return family("smollm3"); }},
    {"llama_rope_linear", with("llama", [](auto& m) { lmc_test::add_linear_rope(m, 4.0); })},
    {"llama_rope_dynamic", with("llama", [](auto& m) { lmc_test::add_dynamic_rope(m, 2.0, 160); })},
    {"llama_rope_yarn", with("llama", [](auto& m) { lmc_test::add_yarn_rope(m, 4.0, 16); })},
    {"qwen2_rope_yarn", with("qwen2", [](auto& m) { lmc_test::add_yarn_rope(m, 2.0, 32); })},
    {"llama_rope_llama3",
     with("llama", [](auto& m) { lmc_test::add_llama3_rope(m, 8.0, 1.0, 4.0, 1024.0); })},
    {"phi3_longrope", with("phi3", [](auto& m) { lmc_test::add_longrope(m, 16); })},
    {"deepseek2", [] { return lmc_test::make_deepseek2({}, 42); }},
    {"deepseek2_qlora",
     [] { return lmc_test::make_deepseek2({.q_lora = 12, .shared_experts = 1}, 42); }},
    {"deepseek2_unscaled_no_shared",
     [] { return lmc_test::make_deepseek2({.shared_experts = 0, .routed_scale = 1.0}, 42); }},
    // One expert per group, two groups kept: group-limited routing is then greedy top-2.
    {"deepseek2_groups_of_one",
     [] {
       lmc_test::TinyModel m = lmc_test::make_deepseek2({}, 42);
       m.hf_config["topk_method"] = R"("group_limited_greedy")";
       m.hf_config["n_group"] = "4";
       m.hf_config["topk_group"] = "2";
       return m;
     }},
    {"deepseek2_legacy_kv_b",
     [] {
       lmc_test::TinyModel m = lmc_test::make_deepseek2({.q_lora = 12}, 42);
       lmc_test::use_legacy_kv_b(m);
       return m;
     }},
    {"deepseek2_yarn",
     [] {
       lmc_test::TinyModel m = lmc_test::make_deepseek2({.q_lora = 12}, 42);
       lmc_test::add_deepseek2_yarn(m, 4.0, 16, 0.707);
       return m;
     }},
    // Gemma 3 scales the global layers' RoPE linearly (4B and up); the local ones keep theirs.
    {"gemma3_rope_linear", with("gemma3", [](auto& m) { lmc_test::add_linear_rope(m, 8.0); })},
    {"gemma3_rope_parameters",  // transformers 5: one dictionary per layer type
     with(
         "gemma3",
         [](auto& m) {
           lmc_test::add_linear_rope(m, 8.0);
           m.hf_config.erase("rope_scaling");
           m.hf_config.erase("rope_theta");
           m.hf_config["rope_parameters"] =
               R"({"full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1000000.0}, )"
               R"("sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}})";
         })},
    {"smollm3_rope_yarn", with("smollm3", [](auto& m) { lmc_test::add_yarn_rope(m, 2.0, 16); })},
};

class LayoutTest : public ::testing::TestWithParam<LayoutCase> {};

TEST_P(LayoutTest, GgufAndHuggingFaceFolderAgree) {
  const std::string name = GetParam().name;
  const lmc_test::TinyModel m = GetParam().build();
  const auto dir = scratch(name);
  lmc_test::write_gguf(m, dir / "model.gguf");
  lmc_test::write_hf_folder(m, dir / "hf");
  lmc::ModelOptions options;
  options.context = m.context;
  const lmc::Model gguf = lmc::Model::load(dir / "model.gguf", options);
  const lmc::Model hf = lmc::Model::load(dir / "hf", options);
  EXPECT_EQ(gguf.info().architecture, m.arch);
  EXPECT_EQ(hf.info().architecture, m.arch);
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
  EXPECT_LE(worst, 1e-5) << name;
  EXPECT_GT(spread, 0.1) << "the model should not be uniform";
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Families, LayoutTest, ::testing::ValuesIn(layout_cases),
                         [](const auto& info) { return std::string(info.param.name); });

// Each RoPE scaling must change the result (else the case above would not test it).
TEST(RopeScaling, EachTypeChangesTheLogProbabilities) {
  const auto tokens = test_tokens(40, 64);
  auto score = [&](const lmc_test::TinyModel& m, const std::string& name) {
    const auto dir = scratch("scaling_" + name);
    lmc_test::write_hf_folder(m, dir / "hf");
    lmc::ModelOptions options;
    options.context = m.context;
    const std::vector<float> lp = lmc::Model::load(dir / "hf", options).token_logprobs(tokens);
    std::filesystem::remove_all(dir);
    return lp;
  };
  for (const LayoutCase& c : layout_cases) {
    const std::string name = c.name;
    if (name.find("rope") == std::string::npos) continue;
    const lmc_test::TinyModel scaled = c.build();
    lmc_test::TinyModel plain = family(name.substr(0, name.find('_')));
    plain.context = scaled.context;
    const std::vector<float> a = score(scaled, name), b = score(plain, name + "_plain");
    double moved = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
      moved = std::max(moved, static_cast<double>(std::abs(a[i] - b[i])));
    EXPECT_GT(moved, 1e-3) << name;
  }
}

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

namespace {

std::string hf_error(lmc_test::TinyModel m, const std::string& name) {
  const auto dir = scratch("key_" + name);
  lmc_test::write_hf_folder(m, dir / "hf");
  std::string message;
  try {
    lmc::Model::load(dir / "hf");
  } catch (const lmc::Error& e) {
    message = e.what();
  }
  std::filesystem::remove_all(dir);
  return message;
}

// A config.json key that changes the computation and that lmc does not implement is refused
// with its name, never ignored.
TEST(HfConfigKeys, UnknownOrUnsupportedKeysAreRefusedByName) {
  struct Case {
    const char* family;
    const char* key;
    const char* value;
  };
  const Case cases[] = {
      {"llama", "quantization_config", R"({"quant_method": "gptq"})"},
      {"llama", "mlp_bias", "true"},
      {"llama", "some_new_setting", "3"},
      {"qwen2", "use_sliding_window", "true"},
      {"stablelm", "qk_layernorm", "true"},
      {"stablelm", "use_parallel_residual", "true"},
      {"gptneox", "use_parallel_residual", "false"},
      {"gpt2", "scale_attn_by_inverse_layer_idx", "true"},
      {"phi2", "qk_layernorm", "true"},
      {"starcoder", "scale_attn_weights", "false"},
      {"llama", "hidden_act", R"("relu")"},
      {"mixtral", "some_new_setting", "1"},
      {"qwen", "no_bias", "false"},
      {"qwen", "use_cache_quantization", "true"},
      {"internlm2", "bias", "true"},
      {"falcon", "alibi", "true"},
      {"falcon", "parallel_attn", "false"},
      {"falcon", "bias", "true"},
      {"falcon", "apply_residual_connection_post_layernorm", "true"},
      {"falcon", "num_ln_in_parallel_attn", "2"},
      {"falcon_grouped", "num_ln_in_parallel_attn", "null"},  // two norms, but no ln_attn
      {"falcon40b", "num_ln_in_parallel_attn", "1"},          // one norm, but ln_attn too
      {"falcon", "activation", R"("relu")"},
  };
  for (const Case& c : cases) {
    lmc_test::TinyModel m = family(c.family);
    m.hf_config[c.key] = c.value;
    const std::string message = hf_error(m, std::string(c.family) + "_" + c.key);
    EXPECT_NE(message.find(std::string("'") + c.key + "'"), std::string::npos)
        << c.family << " " << c.key << ": " << message;
  }
  // A default that lmc does not compute is refused as well: InternLM2Config's bias is true.
  lmc_test::TinyModel internlm2 = family("internlm2");
  internlm2.hf_config.erase("bias");
  EXPECT_NE(hf_error(internlm2, "internlm2_default_bias").find("'bias' = true (the default)"),
            std::string::npos);
  // Keys that do not change the computation load.
  lmc_test::TinyModel m = family("llama");
  m.hf_config["attention_dropout"] = "0.1";
  m.hf_config["bos_token_id"] = "1";
  m.hf_config["transformers_version"] = R"("4.45.0")";
  m.hf_config["pretraining_tp"] = "1";
  EXPECT_EQ(hf_error(m, "harmless"), "");
}

// transformers' "gelu" is the exact (erf) GELU: a GPT-NeoX folder with it computes something
// else than with gelu_new (the tanh form the GGUF copy and llama.cpp use), and close to it.
TEST(HfConfigKeys, ExactGeluDiffersFromTheTanhForm) {
  const auto tokens = test_tokens(40, 64);
  auto score = [&](const lmc_test::TinyModel& m, const std::string& name) {
    return hf_logprobs(m, "gelu_" + name, tokens);
  };
  lmc_test::TinyModel m = family("gptneox");
  const std::vector<float> tanh_form = score(m, "tanh");
  m.hf_config["hidden_act"] = R"("gelu")";
  const std::vector<float> exact = score(m, "erf");
  double moved = 0;
  for (std::size_t i = 0; i < exact.size(); ++i)
    moved = std::max(moved, static_cast<double>(std::abs(exact[i] - tanh_form[i])));
  EXPECT_GT(moved, 0.0);
  EXPECT_LT(moved, 0.05);
}

// transformers' Gemma2Config and Gemma3TextConfig default query_pre_attn_scalar to 256: a
// folder that leaves the key out scales the queries by 1/16, not by 1/sqrt(head_dim).
TEST(HfConfigKeys, GemmaQueryScalarDefaultsTo256) {
  const auto tokens = test_tokens(40, 64);
  for (const std::string name : {"gemma2", "gemma3"}) {
    SCOPED_TRACE(name);
    lmc_test::TinyModel m = family(name);  // head_dim 12
    m.hf_config["query_pre_attn_scalar"] = "256";
    const std::vector<float> stated = hf_logprobs(m, name + "_scalar_256", tokens);
    m.hf_config.erase("query_pre_attn_scalar");
    const std::vector<float> absent = hf_logprobs(m, name + "_scalar_absent", tokens);
    m.hf_config["query_pre_attn_scalar"] = "12";
    const std::vector<float> head_dim = hf_logprobs(m, name + "_scalar_12", tokens);
    EXPECT_EQ(absent, stated);
    EXPECT_NE(head_dim, stated);
  }
}

// Qwen-1's use_dynamic_ntk and use_logn_attn (on by default) change RoPE and the queries once a
// sequence exceeds seq_length: lmc loads such a folder only with a context up to seq_length.
TEST(HfFolders, QwenRefusesContextsBeyondSeqLengthWhereItsNtkAndLogNApply) {
  lmc_test::TinyModel m = family("qwen");  // seq_length 64
  const auto dir = scratch("qwen_context");
  lmc_test::write_hf_folder(m, dir / "hf");
  lmc::ModelOptions options;
  options.context = 64;
  EXPECT_NO_THROW(lmc::Model::load(dir / "hf", options));
  options.context = 65;
  try {
    lmc::Model::load(dir / "hf", options);
    ADD_FAILURE() << "a context beyond seq_length loaded";
  } catch (const lmc::Error& e) {
    EXPECT_NE(std::string(e.what()).find("use_dynamic_ntk and use_logn_attn"), std::string::npos)
        << e.what();
  }
  m.hf_config["use_dynamic_ntk"] = "false";
  m.hf_config["use_logn_attn"] = "false";
  lmc_test::write_hf_folder(m, dir / "plain");
  EXPECT_EQ(lmc::Model::load(dir / "plain", options).context(), 65u);
  std::filesystem::remove_all(dir);
}

using lmc_test::base64;

// A Qwen-1 folder has no tokenizer.json: its tokenizer is the tiktoken rank file qwen.tiktoken.
TEST(HfFolders, QwenReadsItsTiktokenRankFile) {
  const lmc_test::TinyModel m = family("qwen");
  const auto dir = scratch("qwen_tiktoken");
  lmc_test::write_hf_folder(m, dir / "hf");
  std::string ranks;
  for (int b = 0; b < 256; ++b)
    ranks += base64(std::string(1, static_cast<char>(b))) + " " + std::to_string(b) + "\n";
  ranks += base64("ab") + " 256\n";
  std::ofstream(dir / "hf" / "qwen.tiktoken") << ranks;
  const lmc::Model model = lmc::Model::load(dir / "hf");
  ASSERT_TRUE(model.has_tokenizer());
  EXPECT_EQ(model.tokenizer().encode("abc"), (std::vector<lmc::Token>{256, 'c'}));
  EXPECT_EQ(model.tokenizer().eos(), std::optional<lmc::Token>(257));  // <|endoftext|>
  std::filesystem::remove_all(dir);
}

}  // namespace

namespace {

// The GGUF copy's load error (empty: it loads), with its error code.
std::pair<std::string, lmc::ErrorCode> gguf_error(
    const lmc_test::TinyModel& m, const std::string& name,
    const std::function<void(lmc::GgufWriter&)>& tweak = {}) {
  const auto dir = scratch("gguf_" + name);
  lmc_test::write_gguf(m, dir / "model.gguf", lmc::DType::f32, tweak);
  std::pair<std::string, lmc::ErrorCode> result{"", lmc::ErrorCode::internal};
  try {
    lmc::Model::load(dir / "model.gguf");
  } catch (const lmc::Error& e) {
    result = {e.what(), e.code()};
  }
  std::filesystem::remove_all(dir);
  return result;
}

// DeepSeek-V2 settings that change the computation and that lmc does not implement: later
// models' gating functions, group-limited routing, multi-token prediction, temperature tuning,
// and YaRN without the mscale llama.cpp's converter writes (where llama.cpp and transformers
// compute different things). Each is refused by name, never ignored.
TEST(Deepseek2, SettingsLmcDoesNotComputeAreRefusedByName) {
  const lmc_test::TinyModel base = lmc_test::make_deepseek2({}, 42);
  EXPECT_EQ(gguf_error(base, "deepseek2_base").first, "");
  EXPECT_EQ(hf_error(base, "deepseek2_base"), "");
  const std::pair<const char*, double> gguf_cases[] = {{"deepseek2.expert_gating_func", 2},
                                                       {"deepseek2.expert_group_count", 8},
                                                       {"deepseek2.nextn_predict_layers", 1}};
  for (const auto& [key, value] : gguf_cases) {
    lmc_test::TinyModel m = base;
    m.gguf_numbers[key] = value;
    const auto [message, code] = gguf_error(m, key);
    EXPECT_EQ(code, lmc::ErrorCode::unsupported) << key << ": " << message;
    EXPECT_NE(message.find(key), std::string::npos) << key << ": " << message;
  }
  lmc_test::TinyModel yarn = base;
  lmc_test::add_deepseek2_yarn(yarn, 4.0, 16, 0.707);
  yarn.gguf_numbers.erase("deepseek2.rope.scaling.yarn_log_multiplier");
  const auto [message, code] = gguf_error(yarn, "yarn_without_log_multiplier");
  EXPECT_EQ(code, lmc::ErrorCode::unsupported) << message;
  EXPECT_NE(message.find("yarn_log_multiplier"), std::string::npos) << message;

  const std::pair<const char*, const char*> hf_cases[] = {
      {"norm_topk_prob", "true"},       {"scoring_func", R"("sigmoid")"},
      {"topk_method", R"("noaux_tc")"}, {"attention_bias", "true"},
      {"moe_layer_freq", "2"},
  };
  for (const auto& [key, value] : hf_cases) {
    lmc_test::TinyModel m = base;
    m.hf_config[key] = value;
    const std::string message = hf_error(m, std::string("deepseek2_") + key);
    EXPECT_NE(message.find(std::string("'") + key + "'"), std::string::npos)
        << key << ": " << message;
  }
  // Groups that cannot hold the top-k experts.
  lmc_test::TinyModel groups = base;
  groups.hf_config["topk_method"] = R"("group_limited_greedy")";
  groups.hf_config["n_group"] = "4";
  groups.hf_config["topk_group"] = "1";
  EXPECT_NE(hf_error(groups, "deepseek2_groups").find("'topk_group'"), std::string::npos);
}

// group_limited_greedy with 2 groups of 2 experts, 1 kept: every token's two experts come from
// one group, which changes the result wherever greedy top-2 would have mixed the groups; with
// both groups kept it is greedy routing again, bit for bit.
TEST(Deepseek2, GroupLimitedRoutingKeepsTheBestGroupsExperts) {
  const auto tokens = test_tokens(40, 64);
  auto score = [&](const lmc_test::TinyModel& m, const std::string& name) {
    return hf_logprobs(m, "deepseek2_" + name, tokens);
  };
  lmc_test::TinyModel m = lmc_test::make_deepseek2({}, 42);
  const std::vector<float> greedy = score(m, "greedy");
  m.hf_config["topk_method"] = R"("group_limited_greedy")";
  m.hf_config["n_group"] = "2";
  m.hf_config["topk_group"] = "2";
  EXPECT_EQ(score(m, "all_groups"), greedy);
  m.hf_config["topk_group"] = "1";
  const std::vector<float> limited = score(m, "one_group");
  double moved = 0;
  for (std::size_t i = 0; i < greedy.size(); ++i)
    moved = std::max(moved, static_cast<double>(std::abs(limited[i] - greedy[i])));
  EXPECT_GT(moved, 1e-3);
}

// Gemma 3's and SmolLM3's per-layer patterns: what lmc cannot compute as the file asks is
// refused with the key named, in GGUF files and in Hugging Face folders. The GGUF copy's refusal
// message (empty: it loads); a refusal must be Error(unsupported).
std::string gguf_refusal(const lmc_test::TinyModel& m, const std::string& name,
                         const std::function<void(lmc::GgufWriter&)>& tweak) {
  const auto [message, code] = gguf_error(m, name, tweak);
  if (!message.empty()) {
    EXPECT_EQ(code, lmc::ErrorCode::unsupported) << message;
  }
  return message;
}

TEST(LayerPatterns, GgufKeysLmcCannotHonourAreRefusedByName) {
  const lmc_test::TinyModel gemma3 = family("gemma3");
  EXPECT_EQ(gguf_refusal(gemma3, "gemma3", {}), "");
  // llama.cpp reads a period there and ignores per-layer flags.
  const std::uint32_t flags[] = {1, 1, 0, 1, 1, 0};
  EXPECT_NE(gguf_refusal(gemma3, "pattern_array",
                         [&](lmc::GgufWriter& w) {
                           w.set_u32s("gemma3.attention.sliding_window_pattern", flags);
                         })
                .find("'gemma3.attention.sliding_window_pattern' is an array"),
            std::string::npos);
  // llama.cpp ignores an attention soft-cap for gemma3, transformers applies it.
  EXPECT_NE(gguf_refusal(gemma3, "attn_softcap",
                         [](lmc::GgufWriter& w) { w.set_f32("gemma3.attn_logit_softcapping", 50); })
                .find("'gemma3.attn_logit_softcapping'"),
            std::string::npos);
  // YaRN on the global layers: llama.cpp and transformers treat the local layers differently.
  lmc_test::TinyModel yarn = gemma3;
  lmc_test::add_yarn_rope(yarn, 4.0, 16);
  EXPECT_NE(gguf_refusal(yarn, "yarn", {}).find("gemma3.rope.scaling.type"), std::string::npos);
  // An unknown scaling type of any family.
  EXPECT_NE(gguf_refusal(family("smollm3"), "scaling_type",
                         [](lmc::GgufWriter& w) {
                           w.set_string("smollm3.rope.scaling.type", "ntk-by-parts");
                         })
                .find("smollm3.rope.scaling.type"),
            std::string::npos);
}

TEST(LayerPatterns, HuggingFaceSettingsLmcCannotComputeAreRefusedByName) {
  struct Case {
    const char* family;
    const char* key;
    const char* value;
    const char* named;  ///< what the message must name
  };
  const Case cases[] = {
      {"gemma3", "use_bidirectional_attention", "true", "'use_bidirectional_attention'"},
      {"gemma3", "attention_bias", "true", "'attention_bias'"},
      {"gemma3", "layer_types",
       R"(["sliding_attention", "chunked_attention", "full_attention", "sliding_attention", "sliding_attention", "full_attention"])",
       "'layer_types.1'"},
      {"gemma3", "layer_types", R"(["sliding_attention", "full_attention"])", "'layer_types'"},
      {"gemma3", "sliding_window_pattern", "0", "'sliding_window_pattern'"},
      {"gemma3", "rope_parameters",
       R"({"full_attention": {"rope_type": "default"}, "sliding_attention": {"rope_type": "linear", "factor": 2.0}})",
       "'rope_parameters.sliding_attention.rope_type'"},
      {"gemma3", "rope_parameters",
       R"({"full_attention": {"rope_type": "default"}, "chunked_attention": {"rope_type": "default"}})",
       "'rope_parameters.chunked_attention'"},
      {"smollm3", "rope_parameters", R"({"full_attention": {"rope_type": "default"}})",
       "'rope_parameters.full_attention'"},
      {"smollm3", "use_sliding_window", "true", "'use_sliding_window'"},
      {"smollm3", "layer_types",
       R"(["full_attention", "full_attention", "full_attention", "sliding_attention"])",
       "'layer_types'"},
      {"smollm3", "no_rope_layers", "[1, 1, 2, 0]", "'no_rope_layers.2'"},
      {"smollm3", "no_rope_layer_interval", "0", "'no_rope_layer_interval'"},
      {"smollm3", "mlp_bias", "true", "'mlp_bias'"},
  };
  for (const Case& c : cases) {
    lmc_test::TinyModel m = family(c.family);
    m.hf_config[c.key] = c.value;
    const std::string message = hf_error(m, std::string(c.family) + "_" + c.key);
    EXPECT_NE(message.find(c.named), std::string::npos)
        << c.family << " " << c.key << " = " << c.value << ": " << message;
  }
}

// SmolLM3's no_rope_layers list decides which layers skip RoPE: the default interval (a NoPE
// layer every fourth) written out as a list gives the same bits; another list does not.
TEST(LayerPatterns, SmolLM3NoRopeListMatchesItsIntervalAndMatters) {
  const auto tokens = test_tokens(40, 64);
  auto score = [&](const lmc_test::TinyModel& m, const std::string& name) {
    const auto dir = scratch("nope_" + name);
    lmc_test::write_hf_folder(m, dir / "hf");
    const std::vector<float> lp = lmc::Model::load(dir / "hf").token_logprobs(tokens);
    std::filesystem::remove_all(dir);
    return lp;
  };
  lmc_test::TinyModel m = family("smollm3");
  const std::vector<float> by_interval = score(m, "interval");
  m.hf_config["no_rope_layers"] = "[1, 1, 1, 0]";
  EXPECT_EQ(score(m, "list"), by_interval);
  m.hf_config["no_rope_layers"] = "[1, 1, 1, 1, 1]";  // "at least" one entry per layer
  const std::vector<float> all_rope = score(m, "all_rope");
  double moved = 0;
  for (std::size_t i = 0; i < all_rope.size(); ++i)
    moved = std::max(moved, static_cast<double>(std::abs(all_rope[i] - by_interval[i])));
  EXPECT_GT(moved, 1e-3);
}

}  // namespace

// Gemma3ForConditionalGeneration folders (model_type "gemma3"): lmc reads the text model of
// text_config and its language_model weights; the vision tower and projector are not read.
namespace {

struct MultimodalNames {
  const char* name;
  const char* model;    ///< what the text model's "model." becomes
  const char* lm_head;  ///< what its "lm_head." becomes
};
// As the published checkpoints store them, and as transformers 4.52 and later save them.
const MultimodalNames multimodal_names[] = {
    {"published", "language_model.model.", "language_model.lm_head."},
    {"transformers_4_52", "model.language_model.", "lm_head."}};

// `m` (a gemma3_text model) as a Gemma 3 multimodal folder: its config.json under text_config
// beside a vision_config, its tensors renamed by `names`, plus vision tower and projector
// tensors; `outer` adds or replaces keys of the wrapper (JSON values as written).
void write_multimodal_folder(const lmc_test::TinyModel& m, const std::filesystem::path& folder,
                             const MultimodalNames& names,
                             const std::map<std::string, std::string>& outer = {}) {
  std::filesystem::create_directories(folder);
  lmc::SafetensorsWriter writer;
  for (const lmc_test::TinyTensor& t : m.tensors) {
    if (t.hf_name.empty()) continue;
    const bool model = t.hf_name.starts_with("model.");
    ASSERT_TRUE(model || t.hf_name.starts_with("lm_head.")) << t.hf_name;
    const std::string rest = t.hf_name.substr(model ? 6 : 8);
    writer.add_tensor_f32((model ? names.model : names.lm_head) + rest, t.shape, t.values);
  }
  const std::vector<float> patch(16 * 3 * 4 * 4, 0.01f), projection(16 * 32, 0.02f);
  writer.add_tensor_f32("vision_tower.vision_model.embeddings.patch_embedding.weight",
                        std::vector<std::int64_t>{16, 3, 4, 4}, patch);
  writer.add_tensor_f32("multi_modal_projector.mm_input_projection_weight",
                        std::vector<std::int64_t>{16, 32}, projection);
  writer.write(folder / "model.safetensors");
  std::map<std::string, std::string> keys = {
      {"architectures", R"(["Gemma3ForConditionalGeneration"])"},
      {"model_type", R"("gemma3")"},
      {"text_config", m.hf_config_json()},
      {"vision_config",
       R"({"model_type": "siglip_vision_model", "hidden_size": 16, "image_size": 8, )"
       R"("patch_size": 4, "num_hidden_layers": 1, "num_attention_heads": 2})"},
      {"mm_tokens_per_image", "4"},
      {"boi_token_index", "60"},
      {"eoi_token_index", "61"},
      {"image_token_index", "62"},
      {"initializer_range", "0.02"},
      {"eos_token_id", "[1, 2]"},
      {"torch_dtype", R"("float32")"},
      {"transformers_version", R"("4.50.0")"}};
  for (const auto& [key, value] : outer) keys[key] = value;
  std::string json = "{";
  for (const auto& [key, value] : keys) {
    if (value.empty()) continue;  // an empty value drops the key
    json += (json.size() > 1 ? ",\n\"" : "\n\"") + key + "\": " + value;
  }
  std::ofstream(folder / "config.json") << json << "\n}\n";
}

std::string load_error(const std::filesystem::path& folder) {
  try {
    (void)lmc::Model::load(folder);
  } catch (const lmc::Error& e) {
    return e.what();
  }
  return "";
}

// Both weight namings, with the output tied to the embedding (as Gemma 3 ships) and with a
// separate lm_head: the same bits as the text model's own folder, and only its parameters.
TEST(Gemma3Multimodal, TextModelGivesTheBitsOfTheTextFolder) {
  const auto tokens = test_tokens(40, 64);
  const auto dir = scratch("gemma3_multimodal");
  lmc_test::TinyModel tied = family("gemma3");
  lmc_test::TinyModel untied = tied;
  untied.hf_config["tie_word_embeddings"] = "false";
  std::vector<float> head(static_cast<std::size_t>(untied.sizes.vocab * untied.sizes.embd));
  for (std::size_t i = 0; i < head.size(); ++i) head[i] = 0.05f * static_cast<float>(i % 7) - 0.15f;
  untied.tensors.push_back(
      {"output.weight", "lm_head.weight", {untied.sizes.vocab, untied.sizes.embd}, head});
  std::vector<float> tied_lp;
  for (const auto& [label, m] : {std::pair{"tied", tied}, std::pair{"untied", untied}}) {
    lmc_test::write_hf_folder(m, dir / label / "text");
    const lmc::Model text = lmc::Model::load(dir / label / "text");
    const std::vector<float> expected = text.token_logprobs(tokens);
    ASSERT_EQ(expected.size(), tokens.size() - 1);
    for (const MultimodalNames& names : multimodal_names) {
      const auto folder = dir / label / names.name;
      write_multimodal_folder(m, folder, names);
      const lmc::Model model = lmc::Model::load(folder);
      EXPECT_EQ(model.info().architecture, "gemma3") << label << " " << names.name;
      EXPECT_EQ(model.info().format, "safetensors");
      EXPECT_EQ(model.info().n_parameters, text.info().n_parameters) << label << " " << names.name;
      EXPECT_EQ(model.token_logprobs(tokens), expected) << label << " " << names.name;
    }
    if (tied_lp.empty()) {
      tied_lp = expected;
    } else {
      EXPECT_NE(expected, tied_lp) << "the separate lm_head must be the one read";
    }
  }
  std::filesystem::remove_all(dir);
}

// A text_config that leaves keys out gets Gemma3TextConfig's defaults: 8 query and 4 KV heads
// of 256, and 131072 positions.
TEST(Gemma3Multimodal, AbsentTextConfigKeysTakeGemma3TextConfigDefaults) {
  const auto dir = scratch("gemma3_multimodal_defaults");
  lmc_test::TinyModel m = family("gemma3");  // 4 heads, 2 KV heads of 12, hidden size 32
  m.hf_config.erase("max_position_embeddings");
  write_multimodal_folder(m, dir / "context", multimodal_names[0]);
  lmc::ModelOptions options;
  options.context = 64;  // not the 131072 positions, which the test does not need
  EXPECT_EQ(lmc::Model::load(dir / "context", options).info().trained_context, 131072);

  m.hf_config.erase("num_key_value_heads");
  write_multimodal_folder(m, dir / "kv_heads", multimodal_names[0]);
  const std::string kv_heads = load_error(dir / "kv_heads");
  EXPECT_NE(kv_heads.find("has shape [24, 32], expected [48, 32]"), std::string::npos) << kv_heads;

  m.hf_config.erase("num_attention_heads");
  m.hf_config.erase("head_dim");
  write_multimodal_folder(m, dir / "heads", multimodal_names[0]);
  const std::string heads = load_error(dir / "heads");
  EXPECT_NE(heads.find("has shape [48, 32], expected [2048, 32]"), std::string::npos) << heads;
  std::filesystem::remove_all(dir);
}

TEST(Gemma3Multimodal, WhatLmcDoesNotReadIsRefusedByName) {
  const auto dir = scratch("gemma3_multimodal_refused");
  const lmc_test::TinyModel m = family("gemma3");
  struct Case {
    const char* name;
    std::map<std::string, std::string> outer;
    std::map<std::string, std::string> text;
    const char* named;
  };
  const Case cases[] = {
      {"other_text_model", {}, {{"model_type", R"("gemma2")"}}, "'text_config.model_type'"},
      {"outer_key", {{"some_new_setting", "1"}}, {}, "'some_new_setting'"},
      {"no_text_config", {{"text_config", ""}}, {}, "'text_config'"},
      {"text_flag", {}, {{"attention_bias", "true"}}, "'text_config.attention_bias'"},
      {"text_key", {}, {{"some_new_setting", "1"}}, "'text_config.some_new_setting'"},
  };
  for (const Case& c : cases) {
    lmc_test::TinyModel edited = m;
    for (const auto& [key, value] : c.text) edited.hf_config[key] = value;
    write_multimodal_folder(edited, dir / c.name, multimodal_names[1], c.outer);
    const std::string message = load_error(dir / c.name);
    EXPECT_NE(message.find(c.named), std::string::npos) << c.name << ": " << message;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace

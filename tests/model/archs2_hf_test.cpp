// The archs2 attention families with q/k norms (qwen3, qwen3moe, olmo2) as Hugging Face folders:
// the archs2 weights written with transformers' names, shapes and config.json keys
// (Qwen3ForCausalLM, Qwen3MoeForCausalLM, Olmo2ForCausalLM) give the log-probabilities of the
// GGUF file, which matches llama.cpp (archs2_test.cpp); settings lmc does not compute are
// refused by name, in both formats.
#include "archs2_support.hpp"
#include "reference_cases.hpp"

#include <lmc/error.hpp>
#include <lmc/gguf.hpp>
#include <lmc/model.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

namespace {

// transformers' names for the llama.cpp names of these three families (Qwen3's ffn_norm and
// OLMo 2's post_attention_norm are both post_attention_layernorm).
std::string hf_name(const std::string& gguf) {
  const auto [layer, rest] = lmc_test::split_layer_name(gguf);
  if (layer < 0) {
    if (rest == "token_embd.weight") return "model.embed_tokens.weight";
    if (rest == "output_norm.weight") return "model.norm.weight";
    return "lm_head.weight";
  }
  static const std::map<std::string, std::string> names = {
      {"attn_norm.weight", "input_layernorm.weight"},
      {"attn_q.weight", "self_attn.q_proj.weight"},
      {"attn_k.weight", "self_attn.k_proj.weight"},
      {"attn_v.weight", "self_attn.v_proj.weight"},
      {"attn_output.weight", "self_attn.o_proj.weight"},
      {"attn_q_norm.weight", "self_attn.q_norm.weight"},
      {"attn_k_norm.weight", "self_attn.k_norm.weight"},
      {"ffn_norm.weight", "post_attention_layernorm.weight"},
      {"post_attention_norm.weight", "post_attention_layernorm.weight"},
      {"post_ffw_norm.weight", "post_feedforward_layernorm.weight"},
      {"ffn_gate.weight", "mlp.gate_proj.weight"},
      {"ffn_up.weight", "mlp.up_proj.weight"},
      {"ffn_down.weight", "mlp.down_proj.weight"},
      {"ffn_gate_inp.weight", "mlp.gate.weight"},
      {"ffn_gate_exps.weight", "mlp.experts.{}.gate_proj.weight"},
      {"ffn_up_exps.weight", "mlp.experts.{}.up_proj.weight"},
      {"ffn_down_exps.weight", "mlp.experts.{}.down_proj.weight"}};
  return "model.layers." + std::to_string(layer) + "." + names.at(rest);
}

// config.json as transformers saves Qwen3Config / Qwen3MoeConfig / Olmo2Config for the archs2
// shapes (../shared/testdata/archs2/README.md: qwen3 E 64, 4/2 heads of 32, F 160, θ 1e6, tied;
// qwen3moe the same attention, 8 experts top-2 of width 48, own output; olmo2 E 96, 6/6 heads of
// 16, F 176, θ 5e5, own output).
const char* const qwen3_config = R"({
  "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 512,
  "hidden_size": 64, "intermediate_size": 160, "num_hidden_layers": 2,
  "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32, "hidden_act": "silu",
  "max_position_embeddings": 512, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
  "rope_scaling": null, "attention_bias": false, "attention_dropout": 0.0,
  "use_sliding_window": false, "sliding_window": null, "max_window_layers": 2,
  "layer_types": ["full_attention", "full_attention"], "initializer_range": 0.02,
  "use_cache": true, "bos_token_id": 1, "eos_token_id": 2, "tie_word_embeddings": true,
  "torch_dtype": "float32", "transformers_version": "4.56.0"
})";

const char* const qwen3moe_config = R"({
  "architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "vocab_size": 512,
  "hidden_size": 64, "intermediate_size": 96, "moe_intermediate_size": 48,
  "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32,
  "hidden_act": "silu", "max_position_embeddings": 512, "rms_norm_eps": 1e-06,
  "rope_theta": 1000000.0, "rope_scaling": null, "attention_bias": false,
  "attention_dropout": 0.0, "use_sliding_window": false, "sliding_window": null,
  "max_window_layers": 2, "decoder_sparse_step": 1, "mlp_only_layers": [],
  "num_experts": 8, "num_experts_per_tok": 2, "norm_topk_prob": true,
  "output_router_logits": false, "router_aux_loss_coef": 0.001, "initializer_range": 0.02,
  "use_cache": true, "bos_token_id": 1, "eos_token_id": 2, "tie_word_embeddings": false,
  "torch_dtype": "float32", "transformers_version": "4.56.0"
})";

const char* const olmo2_config = R"({
  "architectures": ["Olmo2ForCausalLM"], "model_type": "olmo2", "vocab_size": 512,
  "hidden_size": 96, "intermediate_size": 176, "num_hidden_layers": 2,
  "num_attention_heads": 6, "num_key_value_heads": 6, "hidden_act": "silu",
  "max_position_embeddings": 512, "rms_norm_eps": 1e-06, "rope_theta": 500000.0,
  "rope_scaling": null, "attention_bias": false, "attention_dropout": 0.0,
  "initializer_range": 0.02, "use_cache": true, "pad_token_id": 1, "bos_token_id": 1,
  "eos_token_id": 2, "tie_word_embeddings": false, "torch_dtype": "float32",
  "transformers_version": "4.56.0"
})";

struct Family {
  const char* name;        ///< archs2 file and lmc architecture
  const char* config;      ///< config.json
  const char* model_type;  ///< config.json's model_type
};

const Family families[] = {{"qwen3", qwen3_config, "qwen3"},
                           {"qwen3moe", qwen3moe_config, "qwen3_moe"},
                           {"olmo2", olmo2_config, "olmo2"}};

class QkNormHuggingFace : public lmc_test::Archs2Scratch {
 protected:
  std::filesystem::path folder(const Family& f, const std::string& config, const std::string& tag) {
    const auto path = dir_ / (std::string(f.name) + "_" + tag);
    lmc_test::write_hf_folder(lmc_test::archs2(std::string(f.name) + ".gguf"), path, config,
                              hf_name);
    return path;
  }
};

TEST_F(QkNormHuggingFace, FolderAndGgufGiveTheSameLogProbabilities) {
  for (const Family& f : families) {
    const lmc::Model from_gguf = lmc::Model::load(lmc_test::archs2(std::string(f.name) + ".gguf"));
    const lmc::Model from_hf = lmc::Model::load(folder(f, f.config, "hf"));
    EXPECT_EQ(from_hf.info().architecture, f.name);
    EXPECT_EQ(from_hf.info().format, "safetensors");
    EXPECT_EQ(from_hf.info().head_dim, from_gguf.info().head_dim) << f.name;
    EXPECT_EQ(from_hf.info().n_experts, from_gguf.info().n_experts) << f.name;
    EXPECT_EQ(from_hf.info().n_parameters, from_gguf.info().n_parameters) << f.name;
    const double worst = lmc_test::worst_difference(from_gguf, from_hf, f.name);
    EXPECT_LE(worst, 1e-5) << f.name;
    std::printf("%s: GGUF vs Hugging Face folder max |Δ| %.3g\n", f.name, worst);
  }
}

// transformers' defaults for keys a config.json leaves out: Qwen3Config's head_dim is 128 (not
// hidden / heads), Qwen3MoeConfig's norm_topk_prob is false (the top-k probabilities are used
// as they are, unlike llama.cpp's qwen3moe); each changes what is computed.
TEST_F(QkNormHuggingFace, AbsentKeysTakeTransformersDefaults) {
  const std::string no_head_dim = lmc_test::edited(qwen3_config, R"("head_dim": 32,)", "");
  EXPECT_TRUE(lmc_test::load_error_names(folder(families[0], no_head_dim, "no_head_dim"),
                                         "has shape [128, 64], expected [512, 64]"));

  const lmc::Model renormalised = lmc::Model::load(folder(families[1], qwen3moe_config, "hf"));
  for (const std::string& plain :
       {lmc_test::edited(qwen3moe_config, R"("norm_topk_prob": true)",
                         R"("norm_topk_prob": false)"),
        lmc_test::edited(qwen3moe_config, R"("norm_topk_prob": true,)", "")}) {
    const lmc::Model model =
        lmc::Model::load(folder(families[1], plain, std::to_string(plain.size())));
    EXPECT_GT(lmc_test::worst_difference(renormalised, model, "qwen3moe"), 0.1);
    EXPECT_NE(model.fingerprint(), renormalised.fingerprint());
  }
}

TEST_F(QkNormHuggingFace, SettingsLmcDoesNotComputeAreRefusedByName) {
  int count = 0;
  const auto expect_refused = [&](const Family& f, const std::string& from, const std::string& to,
                                  const std::string& named) {
    const std::string error = lmc_test::load_error(
        folder(f, lmc_test::edited(f.config, from, to), std::to_string(++count)));
    EXPECT_NE(error.find(named), std::string::npos) << f.name << ", " << to << ": " << error;
  };
  for (const Family& f : families) {
    expect_refused(f, R"("attention_bias": false)", R"("attention_bias": true)",
                   "'attention_bias'");
  }
  expect_refused(families[0], R"("use_sliding_window": false)", R"("use_sliding_window": true)",
                 "'use_sliding_window'");
  expect_refused(families[1], R"("decoder_sparse_step": 1)", R"("decoder_sparse_step": 2)",
                 "'decoder_sparse_step'");
  expect_refused(families[1], R"("mlp_only_layers": [])", R"("mlp_only_layers": [1])",
                 "'mlp_only_layers'");
  expect_refused(families[1], R"("moe_intermediate_size": 48,)", "", "'moe_intermediate_size'");
  expect_refused(families[1], R"("num_experts": 8,)", "", "(num_experts)");
  expect_refused(families[2], R"("hidden_act": "silu")", R"("hidden_act": "relu")", "'hidden_act'");
}

class QkNormBadFiles : public lmc_test::Archs2Scratch {};

TEST_F(QkNormBadFiles, GgufVariantsLmcDoesNotComputeAreNamed) {
  // A qwen3moe file without experts would have no FFN at all.
  const auto no_experts = rewritten("qwen3moe.gguf", "no_experts.gguf",
                                    [](lmc::GgufWriter& w) { w.remove("qwen3moe.expert_count"); });
  EXPECT_TRUE(lmc_test::load_error_names(no_experts, "qwen3moe.expert_count"));

  // Experts whose width disagrees with expert_feed_forward_length.
  const auto width = rewritten("qwen3moe.gguf", "width.gguf", [](lmc::GgufWriter& w) {
    w.set_u32("qwen3moe.expert_feed_forward_length", 96);
  });
  EXPECT_TRUE(lmc_test::load_error_names(width, "qwen3moe.expert_feed_forward_length"));

  // A qwen3 file whose q norm spans all heads (OLMo 2's form) is not qwen3's.
  const auto wide = rewritten(
      "qwen3.gguf", "wide.gguf", [](lmc::GgufWriter&) {}, {},
      [](const lmc::Tensor& t, lmc::GgufWriter& w) {
        if (t.name != "blk.1.attn_q_norm.weight") return false;
        const std::vector<float> ones(128, 1.0f);
        const std::int64_t shape[] = {128};
        w.add_tensor_f32(t.name, shape, ones);
        return true;
      });
  const std::string wide_error = lmc_test::load_error(wide);
  EXPECT_NE(wide_error.find("'blk.1.attn_q_norm.weight' has shape [128], expected [32]"),
            std::string::npos)
      << wide_error;
  EXPECT_NE(wide_error.find("qwen3.attention.key_length"), std::string::npos) << wide_error;

  // An OLMo 2 file with a pre-norm (a llama-style block) would compute without it: refused.
  const auto pre_norm = rewritten(
      "olmo2.gguf", "pre_norm.gguf", [](lmc::GgufWriter&) {}, {},
      [](const lmc::Tensor& t, lmc::GgufWriter& w) {
        if (t.name != "blk.0.post_ffw_norm.weight") return false;
        w.add_tensor(t.name, t.type, t.shape, t.data);
        w.add_tensor("blk.0.attn_norm.weight", t.type, t.shape, t.data);
        return true;
      });
  EXPECT_TRUE(
      lmc_test::load_error_names(pre_norm, "blk.0.attn_norm.weight", lmc::ErrorCode::unsupported));
}

}  // namespace

// The lmc-inspect example, run as a program on a GGUF file and on a Hugging Face folder that
// this test writes with lmc's writers.
#include <lmc/lmc.hpp>

#include "format/temp_folder.hpp"
#include "support/run_program.hpp"
#include "support/testdata.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace {

using lmc_test::ProgramRun;

ProgramRun run_inspect(const std::string& arguments) {
  return lmc_test::run_program(LMC_INSPECT_PATH, arguments);
}

TEST(LmcInspect, SummarizesStories260K) {
  LMC_REQUIRE_TESTDATA();
  const auto model = lmc_test::testdata("models/stories260K.gguf").string();
  const ProgramRun text = run_inspect(model);
  EXPECT_EQ(text.status, 0) << text.output;
  EXPECT_NE(text.output.find("architecture:  llama"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("block_count = 5"), std::string::npos);
  const ProgramRun json = run_inspect(model + " --json");
  EXPECT_EQ(json.status, 0) << json.output;
  for (const char* fragment :
       {"\"architecture\": \"llama\"", "\"n_params\": 292800",
        "\"tokenizer\": {\"model\": \"llama\", \"pre\": null, \"n_vocab\": 512, \"bos_id\": 1, "
        "\"eos_id\": 2}",
        "\"llama.attention.head_count_kv\": 4", "\"llama.attention.layer_norm_rms_epsilon\": 1e-05",
        "{\"name\": \"blk.0.attn_k.weight\", \"type\": \"F32\", \"shape\": [32, 64]}"}) {
    EXPECT_NE(json.output.find(fragment), std::string::npos) << fragment << "\n" << json.output;
  }
}

TEST(LmcInspect, SummarizesAHuggingFaceFolder) {
  lmc_test::TempFolder folder;
  folder.write("config.json",
               R"({"model_type": "llama", "hidden_size": 8, "num_hidden_layers": 1,
                   "rms_norm_eps": 1e-6, "architectures": ["LlamaForCausalLM"]})");
  folder.write("tokenizer.json",
               R"({"model": {"type": "BPE", "vocab": {"<s>": 0, "</s>": 1, "a": 2}},
                   "added_tokens": [{"id": 3, "content": "<pad>"}],
                   "pre_tokenizer": {"type": "ByteLevel"}})");
  folder.write("tokenizer_config.json",
               R"({"bos_token": "<s>", "eos_token": {"content": "</s>"}})");
  lmc::SafetensorsWriter writer;
  const std::vector<std::int64_t> shape{4, 8};
  writer.add_tensor_f32("model.embed_tokens.weight", shape, std::vector<float>(32, 1.0f),
                        lmc::DType::bf16);
  writer.write(folder / "model.safetensors");
  const ProgramRun json = run_inspect(folder.path().string() + " --json");
  EXPECT_EQ(json.status, 0) << json.output;
  for (
      const char* fragment :
      {"\"architecture\": \"llama\"", "\"n_params\": 32",
       "\"tokenizer\": {\"model\": \"BPE\", \"pre\": \"ByteLevel\", \"n_vocab\": 4, \"bos_id\": 0, "
       "\"eos_id\": 1}",
       "\"hidden_size\": 8", "\"rms_norm_eps\": 1e-06", "\"architectures.0\": \"LlamaForCausalLM\"",
       "{\"name\": \"model.embed_tokens.weight\", \"type\": \"BF16\", \"shape\": [4, 8]}"}) {
    EXPECT_NE(json.output.find(fragment), std::string::npos) << fragment << "\n" << json.output;
  }
}

// Gemma 3's local layers and SmolLM3's NoPE layers: the keys that decide them are shown.
TEST(LmcInspect, ShowsLocalAndNoRopeLayerSettings) {
  LMC_REQUIRE_TESTDATA();
  const auto gemma3 = lmc_test::testdata("archs2/gemma3.gguf");
  if (!std::filesystem::exists(gemma3)) GTEST_SKIP() << gemma3 << " absent";
  const ProgramRun gguf = run_inspect(gemma3.string());
  EXPECT_EQ(gguf.status, 0) << gguf.output;
  for (const char* fragment : {"rope.freq_base_swa = 10000", "attention.sliding_window = 16",
                               "attention.key_length = 32", "rope.freq_base = 1e+06"}) {
    EXPECT_NE(gguf.output.find(fragment), std::string::npos) << fragment << "\n" << gguf.output;
  }
  lmc_test::TempFolder folder;
  folder.write("config.json",
               R"({"model_type": "gemma3_text", "hidden_size": 8, "num_hidden_layers": 2,
                   "rope_local_base_freq": 10000.0, "sliding_window_pattern": 6,
                   "query_pre_attn_scalar": 256,
                   "layer_types": ["sliding_attention", "full_attention"],
                   "no_rope_layers": [1, 0]})");
  const ProgramRun json = run_inspect(folder.path().string() + " --json");
  EXPECT_EQ(json.status, 0) << json.output;
  for (const char* fragment : {"\"rope_local_base_freq\": 10000", "\"sliding_window_pattern\": 6",
                               "\"query_pre_attn_scalar\": 256",
                               "\"layer_types\": \"[sliding_attention, full_attention]\"",
                               "\"no_rope_layers\": \"[1, 0]\""}) {
    EXPECT_NE(json.output.find(fragment), std::string::npos) << fragment << "\n" << json.output;
  }
}

// The hyper-parameters of the archs2 families with q/k norms and experts of their own width,
// from GGUF keys and from config.json.
TEST(LmcInspect, ShowsHeadWidthAndExpertWidth) {
  LMC_REQUIRE_TESTDATA();
  const auto qwen3moe = lmc_test::testdata("archs2/qwen3moe.gguf");
  if (!std::filesystem::exists(qwen3moe)) GTEST_SKIP() << qwen3moe << " absent";
  const ProgramRun text = run_inspect(qwen3moe.string());
  EXPECT_EQ(text.status, 0) << text.output;
  for (const char* line : {"architecture:  qwen3moe", "  attention.key_length = 32",
                           "  expert_feed_forward_length = 48", "  expert_used_count = 2"}) {
    EXPECT_NE(text.output.find(line), std::string::npos) << line << "\n" << text.output;
  }
  lmc_test::TempFolder folder;
  folder.write("config.json",
               R"({"model_type": "qwen3_moe", "hidden_size": 64, "num_hidden_layers": 2,
                   "head_dim": 32, "num_experts": 8, "num_experts_per_tok": 2,
                   "moe_intermediate_size": 48, "norm_topk_prob": true,
                   "decoder_sparse_step": 1})");
  const ProgramRun hf = run_inspect(folder.path().string());
  EXPECT_EQ(hf.status, 0) << hf.output;
  for (const char* line : {"  head_dim = 32", "  num_experts = 8", "  moe_intermediate_size = 48",
                           "  norm_topk_prob = true", "  decoder_sparse_step = 1"}) {
    EXPECT_NE(hf.output.find(line), std::string::npos) << line << "\n" << hf.output;
  }
}

// DeepSeek-V2's hyper-parameters of the latent attention and the experts, from both formats.
TEST(LmcInspect, ShowsDeepseek2LatentAttentionAndExpertSizes) {
  LMC_REQUIRE_TESTDATA();
  const auto model = lmc_test::testdata("archs2/deepseek2_qlora.gguf");
  if (std::filesystem::exists(model)) {
    const ProgramRun text = run_inspect(model.string());
    EXPECT_EQ(text.status, 0) << text.output;
    for (const char* line : {"attention.q_lora_rank = 24", "attention.kv_lora_rank = 32",
                             "attention.key_length_mla = 32", "attention.value_length_mla = 16",
                             "rope.dimension_count = 16", "leading_dense_block_count = 1",
                             "expert_feed_forward_length = 32", "expert_shared_count = 1",
                             "expert_weights_scale = 1"}) {
      EXPECT_NE(text.output.find(line), std::string::npos) << line << "\n" << text.output;
    }
  }
  lmc_test::TempFolder folder;
  folder.write("config.json",
               R"({"model_type": "deepseek_v2", "hidden_size": 8, "num_hidden_layers": 1,
                   "kv_lora_rank": 16, "q_lora_rank": null, "qk_nope_head_dim": 8,
                   "qk_rope_head_dim": 4, "v_head_dim": 6, "first_k_dense_replace": 1,
                   "moe_intermediate_size": 12, "n_routed_experts": 4, "n_shared_experts": 2,
                   "routed_scaling_factor": 1.5, "topk_method": "greedy"})");
  lmc::SafetensorsWriter writer;
  writer.add_tensor_f32("model.embed_tokens.weight", std::vector<std::int64_t>{4, 8},
                        std::vector<float>(32, 1.0f));
  writer.write(folder / "model.safetensors");
  const ProgramRun text = run_inspect(folder.path().string());
  EXPECT_EQ(text.status, 0) << text.output;
  for (const char* line :
       {"kv_lora_rank = 16", "qk_nope_head_dim = 8", "qk_rope_head_dim = 4", "v_head_dim = 6",
        "first_k_dense_replace = 1", "moe_intermediate_size = 12", "n_routed_experts = 4",
        "n_shared_experts = 2", "routed_scaling_factor = 1.5", "topk_method = greedy"}) {
    EXPECT_NE(text.output.find(line), std::string::npos) << line << "\n" << text.output;
  }
}

TEST(LmcInspect, FailsWithOneLine) {
  lmc_test::TempFolder folder;
  const auto bad = folder.write("bad.gguf", "GGUF\x03");
  const ProgramRun result = run_inspect(bad.string());
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
  EXPECT_EQ(result.output.rfind("lmc-inspect: ", 0), 0u) << result.output;
  EXPECT_EQ(run_inspect("").status, 1);
  EXPECT_EQ(run_inspect((folder / "absent.gguf").string()).status, 1);
}

}  // namespace

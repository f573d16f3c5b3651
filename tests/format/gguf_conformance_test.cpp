// Every GGUF file of the external test data opens, and the values their READMEs state are read.
#include <lmc/gguf.hpp>

#include "support/testdata.hpp"

#include <gtest/gtest.h>

#include <set>

namespace {

TEST(GgufConformance, Stories260K) {
  LMC_REQUIRE_TESTDATA();
  const auto file = lmc::GgufFile::open(lmc_test::testdata("models/stories260K.gguf"));
  EXPECT_EQ(file.architecture(), "llama");
  // models/README.md: dim 64, hidden 172, 5 layers, 8 heads, 4 KV heads, vocab 512, eps 1e-5.
  EXPECT_EQ(file.at("llama.block_count").as_int(), 5);
  EXPECT_EQ(file.at("llama.embedding_length").as_int(), 64);
  EXPECT_EQ(file.at("llama.feed_forward_length").as_int(), 172);
  EXPECT_EQ(file.at("llama.attention.head_count").as_int(), 8);
  EXPECT_EQ(file.at("llama.attention.head_count_kv").as_int(), 4);
  EXPECT_FLOAT_EQ(static_cast<float>(file.at("llama.attention.layer_norm_rms_epsilon").as_double()),
                  1e-5f);
  // The converter hard-codes context_length 128 at the recorded commit.
  EXPECT_EQ(file.at("llama.context_length").as_int(), 128);

  EXPECT_EQ(file.at("tokenizer.ggml.model").as_string(), "llama");
  const auto tokens = file.at("tokenizer.ggml.tokens").as_strings();
  ASSERT_EQ(tokens.size(), 512u);
  EXPECT_EQ(tokens[0], "<unk>");
  EXPECT_EQ(tokens[3], "<0x00>");
  EXPECT_EQ(tokens[258], "<0xFF>");
  EXPECT_EQ(tokens[259], "\xe2\x96\x81t");  // "▁t"
  EXPECT_EQ(file.at("tokenizer.ggml.bos_token_id").as_int(), 1);
  EXPECT_EQ(file.at("tokenizer.ggml.eos_token_id").as_int(), 2);
  const auto scores = file.at("tokenizer.ggml.scores").as_floats();
  ASSERT_EQ(scores.size(), 512u);
  EXPECT_EQ(scores[259], 0.0f);
  EXPECT_EQ(scores[260], -1.0f);
  const auto types = file.at("tokenizer.ggml.token_type").as_ints();
  ASSERT_EQ(types.size(), 512u);
  EXPECT_EQ(types[0], 2);    // unknown
  EXPECT_EQ(types[1], 3);    // control
  EXPECT_EQ(types[3], 6);    // byte
  EXPECT_EQ(types[300], 1);  // normal
  EXPECT_EQ(file.find("tokenizer.ggml.pre"), nullptr);

  // 48 tensors, all F32: token_embd, 9 per layer, output_norm, output.
  EXPECT_EQ(file.tensors().size(), 48u);
  std::int64_t parameters = 0;
  for (const auto& tensor : file.tensors()) {
    EXPECT_EQ(tensor.type, lmc::DType::f32) << tensor.name;
    parameters += tensor.n_elements();
  }
  // 260,032 weights of the .bin (its 4,096 freq_cis floats are not weights) plus the output copy.
  EXPECT_EQ(parameters, 260032 + 512 * 64);
  EXPECT_EQ(file.tensor("token_embd.weight").shape, (std::vector<std::int64_t>{512, 64}));
  EXPECT_EQ(file.tensor("blk.0.attn_k.weight").shape, (std::vector<std::int64_t>{32, 64}));
  EXPECT_EQ(file.tensor("blk.4.ffn_gate.weight").shape, (std::vector<std::int64_t>{172, 64}));
  EXPECT_EQ(file.tensor("blk.4.ffn_down.weight").shape, (std::vector<std::int64_t>{64, 172}));
  EXPECT_EQ(file.tensor("output_norm.weight").shape, (std::vector<std::int64_t>{64}));
  EXPECT_EQ(file.tensor("blk.0.attn_k.weight").rows(), 32);
  EXPECT_EQ(file.tensor("blk.0.attn_k.weight").cols(), 64);
  EXPECT_THROW((void)file.tensor("no.such.tensor"), lmc::Error);
  EXPECT_THROW((void)file.at("no.such.key"), lmc::Error);
}

struct ArchExpectation {
  const char* file;
  const char* arch;
  int layers, n_embd, n_head;
  int n_head_kv;  // -1: the file has no head_count_kv key
  int params;
};

// archs/README.md tables (files, params; models: layers, n_embd, n_head, n_head_kv).
const ArchExpectation arch_expectations[] = {
    {"llama", "llama", 2, 96, 6, 6, 250848},
    {"llama_gqa", "llama", 2, 128, 8, 2, 277120},
    {"llama_moe", "llama", 2, 64, 4, 2, 238400},
    {"qwen2", "qwen2", 2, 96, 4, 2, 234336},
    {"gpt2", "gpt2", 3, 64, 4, 4, 248384},
    {"gptneox", "gptneox", 2, 96, 3, 3, 274312},
    {"phi2", "phi2", 2, 80, 2, 2, 199312},
    {"phi3", "phi3", 2, 96, 3, 3, 264672},
    {"gemma", "gemma", 2, 64, 4, 1, 147776},
    {"gemma2", "gemma2", 26, 24, 2, 1, 149592},
    {"falcon", "falcon", 3, 64, 4, 1, 162304},
    {"starcoder2", "starcoder2", 2, 96, 6, 2, 238672},
    {"stablelm", "stablelm", 2, 96, 4, 4, 274944},
    {"internlm2", "internlm2", 2, 64, 4, 2, 158016},
    {"starcoder", "starcoder", 2, 64, 4, 1, 185920},
    {"qwen", "qwen", 2, 80, 4, -1, 203120},
};

class ArchConformance : public ::testing::TestWithParam<ArchExpectation> {};

TEST_P(ArchConformance, ReadsHyperParameters) {
  LMC_REQUIRE_TESTDATA();
  const ArchExpectation& e = GetParam();
  const auto path = lmc_test::testdata(std::string("archs/") + e.file + ".gguf");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "skipped: " << path << " absent";
  const auto file = lmc::GgufFile::open(path);
  const std::string arch = e.arch;
  EXPECT_EQ(file.architecture(), arch);
  EXPECT_EQ(file.at(arch + ".block_count").as_int(), e.layers);
  EXPECT_EQ(file.at(arch + ".embedding_length").as_int(), e.n_embd);
  EXPECT_EQ(file.at(arch + ".attention.head_count").as_int(), e.n_head);
  if (e.n_head_kv < 0) {
    EXPECT_EQ(file.find(arch + ".attention.head_count_kv"), nullptr);
  } else {
    EXPECT_EQ(file.at(arch + ".attention.head_count_kv").as_int(), e.n_head_kv);
  }
  EXPECT_EQ(file.at(arch + ".context_length").as_int(), 512);
  EXPECT_EQ(file.at("general.file_type").as_int(), 0);
  EXPECT_EQ(file.at("tokenizer.ggml.tokens").size(), 512u);
  std::int64_t params = 0;
  for (const auto& tensor : file.tensors()) {
    EXPECT_EQ(tensor.type, lmc::DType::f32) << tensor.name;
    params += tensor.n_elements();
  }
  EXPECT_EQ(params, e.params);
}

INSTANTIATE_TEST_SUITE_P(Archs, ArchConformance, ::testing::ValuesIn(arch_expectations),
                         [](const auto& info) { return std::string(info.param.file); });

struct VocabExpectation {
  const char* name;
  const char* model;
  const char* pre;  // nullptr: no tokenizer.ggml.pre key
  std::uint64_t n_tokens;
};

// vocab/README.md table.
const VocabExpectation vocab_expectations[] = {
    {"llama-spm", "llama", "default", 32000},
    {"phi-3", "llama", "default", 32064},
    {"gpt-2", "gpt2", "gpt-2", 50257},
    {"llama-bpe", "gpt2", "llama-bpe", 128256},
    {"qwen2", "gpt2", "qwen2", 151669},
    {"deepseek-llm", "gpt2", "deepseek-llm", 102400},
    {"deepseek-coder", "gpt2", "deepseek-coder", 32256},
    {"falcon", "gpt2", "falcon", 65024},
    {"mpt", "gpt2", "mpt", 50432},
    {"starcoder", "gpt2", "starcoder", 49152},
    {"refact", "gpt2", "refact", 49216},
    {"bert-bge", "bert", "bert-bge", 30522},
    {"baichuan", "llama", nullptr, 64000},
    {"gpt-neox", "gpt2", nullptr, 50432},
};

class VocabConformance : public ::testing::TestWithParam<VocabExpectation> {};

TEST_P(VocabConformance, ReadsTokenizerMetadata) {
  LMC_REQUIRE_TESTDATA();
  const VocabExpectation& e = GetParam();
  const auto file =
      lmc::GgufFile::open(lmc_test::testdata(std::string("vocab/ggml-vocab-") + e.name + ".gguf"));
  EXPECT_EQ(file.version(), 3u);
  EXPECT_TRUE(file.tensors().empty());
  EXPECT_EQ(file.at("tokenizer.ggml.model").as_string(), e.model);
  if (e.pre) {
    EXPECT_EQ(file.at("tokenizer.ggml.pre").as_string(), e.pre);
  }
  const auto tokens = file.at("tokenizer.ggml.tokens").as_strings();
  EXPECT_EQ(tokens.size(), e.n_tokens);
  EXPECT_EQ(file.at("tokenizer.ggml.token_type").as_ints().size(), e.n_tokens);
  if (std::string(e.model) == "gpt2") {
    EXPECT_GT(file.at("tokenizer.ggml.merges").as_strings().size(), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Vocabs, VocabConformance, ::testing::ValuesIn(vocab_expectations),
                         [](const auto& info) {
                           std::string name = info.param.name;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

TEST(GgufConformance, SpecialIdsOfRebuiltVocabularies) {
  LMC_REQUIRE_TESTDATA();
  const auto llama3 = lmc::GgufFile::open(lmc_test::testdata("vocab/ggml-vocab-llama-bpe.gguf"));
  EXPECT_EQ(llama3.at("tokenizer.ggml.bos_token_id").as_int(), 128000);
  EXPECT_EQ(llama3.at("tokenizer.ggml.eos_token_id").as_int(), 128001);
  EXPECT_TRUE(llama3.at("tokenizer.ggml.add_bos_token").as_bool());
  const auto qwen2 = lmc::GgufFile::open(lmc_test::testdata("vocab/ggml-vocab-qwen2.gguf"));
  EXPECT_EQ(qwen2.at("tokenizer.ggml.bos_token_id").as_int(), 151643);
  EXPECT_EQ(qwen2.at("tokenizer.ggml.eos_token_id").as_int(), 151643);
  EXPECT_FALSE(qwen2.at("tokenizer.ggml.add_bos_token").as_bool());
}

TEST(GgufConformance, EveryTestdataGgufOpens) {
  LMC_REQUIRE_TESTDATA();
  int opened = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(lmc_test::testdata_dir())) {
    if (entry.path().extension() != ".gguf") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW({
      const auto file = lmc::GgufFile::open(entry.path());
      for (const auto& tensor : file.tensors()) {
        EXPECT_EQ(tensor.data.size(),
                  tensor.row_bytes() * static_cast<std::uint64_t>(tensor.rows()));
      }
    });
    ++opened;
  }
  EXPECT_GE(opened, 14 + 1 + 16 + 12);
}

}  // namespace

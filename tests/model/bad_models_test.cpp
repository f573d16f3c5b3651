// Broken models are refused with an lmc::Error naming the tensor or metadata key at fault.
#include "random_models.hpp"

#include <lmc/model.hpp>

#include <gtest/gtest.h>

namespace {

std::filesystem::path scratch_file(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("lmc_bad_model_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
          "_" + name + ".gguf");
}

// Loads the tiny llama after `change` and returns the error message (empty when it loads).
std::string load_error(const std::string& name,
                       const std::function<void(lmc_test::TinyModel&)>& change,
                       const std::function<void(lmc::GgufWriter&)>& tweak = {}) {
  lmc_test::TinyModel m = lmc_test::make_tiny_model("llama", 3);
  if (change) change(m);
  const auto path = scratch_file(name);
  lmc_test::write_gguf(m, path, lmc::DType::f32, tweak);
  std::string message;
  try {
    lmc::Model::load(path);
  } catch (const lmc::Error& e) {
    message = e.what();
  }
  std::filesystem::remove(path);
  return message;
}

TEST(BadModels, TheUnchangedModelLoads) { EXPECT_EQ(load_error("good", {}), ""); }

TEST(BadModels, MissingTensorIsNamed) {
  const std::string message = load_error("missing", [](lmc_test::TinyModel& m) {
    std::erase_if(m.tensors, [](const lmc_test::TinyTensor& t) {
      return t.gguf_name == "blk.1.ffn_up.weight";
    });
  });
  EXPECT_NE(message.find("missing tensor 'blk.1.ffn_up.weight'"), std::string::npos) << message;
}

TEST(BadModels, WrongShapeIsNamedWithTheExpectedShape) {
  const std::string message = load_error("shape", [](lmc_test::TinyModel& m) {
    for (auto& t : m.tensors) {
      if (t.gguf_name == "blk.0.attn_k.weight") {
        t.shape = {8, 32};
        t.values.resize(8 * 32);
        t.convention = lmc_test::TinyTensor::Convention::plain;
      }
    }
  });
  EXPECT_NE(message.find("tensor 'blk.0.attn_k.weight' has shape [8, 32], expected [16, 32]"),
            std::string::npos)
      << message;
}

// A tensor the architecture does not read (here a second attention norm, as Falcon-40B has) is
// a part of the computation lmc would leave out: refused by name, never ignored.
TEST(BadModels, TensorThatNothingReadsIsRefusedByName) {
  const std::string message = load_error("extra", [](lmc_test::TinyModel& m) {
    lmc_test::TinyTensor extra;
    extra.gguf_name = "blk.1.attn_norm_2.weight";
    extra.shape = {m.sizes.embd};
    extra.values.assign(static_cast<std::size_t>(m.sizes.embd), 1.0f);
    m.tensors.push_back(extra);
  });
  EXPECT_NE(message.find("tensor 'blk.1.attn_norm_2.weight' is not part of lmc's 'llama'"),
            std::string::npos)
      << message;
}

TEST(BadModels, UnknownArchitectureIsNamed) {
  const std::string message = load_error(
      "arch", {}, [](lmc::GgufWriter& w) { w.set_string("general.architecture", "rwkv6"); });
  EXPECT_NE(message.find("architecture 'rwkv6'"), std::string::npos) << message;
  EXPECT_NE(message.find("not supported"), std::string::npos) << message;
}

TEST(BadModels, HyperParametersThatDisagreeWithShapesNameTheKey) {
  // feed_forward_length says 40, the FFN tensors are 64 wide.
  std::string message =
      load_error("ffn", {}, [](lmc::GgufWriter& w) { w.set_u32("llama.feed_forward_length", 40); });
  EXPECT_NE(message.find("blk.0.ffn_gate.weight"), std::string::npos) << message;
  EXPECT_NE(message.find("llama.feed_forward_length"), std::string::npos) << message;
  // 4 query heads cannot share 3 KV heads.
  message = load_error("kv", {},
                       [](lmc::GgufWriter& w) { w.set_u32("llama.attention.head_count_kv", 3); });
  EXPECT_NE(message.find("llama.attention.head_count_kv"), std::string::npos) << message;
  // 32 is not divisible into 5 heads.
  message = load_error("heads", {},
                       [](lmc::GgufWriter& w) { w.set_u32("llama.attention.head_count", 5); });
  EXPECT_NE(message.find("llama.attention.head_count"), std::string::npos) << message;
  // A missing required key.
  message = load_error("key", {}, [](lmc::GgufWriter& w) { w.remove("llama.embedding_length"); });
  EXPECT_NE(message.find("llama.embedding_length"), std::string::npos) << message;
  // A layer count the tensors cannot back.
  message = load_error("layers", {}, [](lmc::GgufWriter& w) { w.set_u32("llama.block_count", 3); });
  EXPECT_NE(message.find("missing tensor 'blk.2."), std::string::npos) << message;
  message = load_error("huge", {},
                       [](lmc::GgufWriter& w) { w.set_u32("llama.block_count", 4000000000u); });
  EXPECT_NE(message.find("layer count"), std::string::npos) << message;
}

TEST(BadModels, BadTokensAndContextOverflowAreRefused) {
  lmc_test::TinyModel m = lmc_test::make_tiny_model("llama", 3);
  const auto path = scratch_file("tokens");
  lmc_test::write_gguf(m, path);
  lmc::ModelOptions options;
  options.context = 8;
  const lmc::Model model = lmc::Model::load(path, options);
  std::filesystem::remove(path);
  EXPECT_THROW(model.token_logprobs(std::vector<std::int32_t>{1, 64}), lmc::Error);
  EXPECT_THROW(model.token_logprobs(std::vector<std::int32_t>{1, -1}), lmc::Error);
  EXPECT_THROW(model.token_logprobs(std::vector<std::int32_t>(10, 1)), lmc::Error);
  EXPECT_EQ(model.token_logprobs(std::vector<std::int32_t>(9, 1)).size(), 8u);
  lmc::Session session(model);
  session.feed(std::vector<std::int32_t>(6, 2));
  EXPECT_THROW(session.feed(std::vector<std::int32_t>(3, 2)), lmc::Error);
  EXPECT_EQ(session.position(), 6u);
}

TEST(BadModels, UnsupportedHuggingFaceModelType) {
  const auto dir = std::filesystem::temp_directory_path() / "lmc_bad_model_hf_type";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "config.json") << R"({"model_type": "rwkv6", "hidden_size": 8})";
  try {
    lmc::Model::load(dir);
    ADD_FAILURE() << "loaded";
  } catch (const lmc::Error& e) {
    EXPECT_NE(std::string(e.what()).find("model_type 'rwkv6'"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

// Keys llama.cpp reads for every architecture and that change what it computes, which lmc does
// not implement: refused by name (Error unsupported), never ignored.
TEST(BadModels, GenericKeysLmcDoesNotComputeAreRefusedByName) {
  using Tweak = std::function<void(lmc::GgufWriter&)>;
  const std::pair<const char*, Tweak> cases[] = {
      {"llama.attention.causal",
       [](lmc::GgufWriter& w) { w.set_bool("llama.attention.causal", false); }},
      {"llama.pooling_type", [](lmc::GgufWriter& w) { w.set_u32("llama.pooling_type", 1); }},
      {"llama.rope.scaling.alpha",
       [](lmc::GgufWriter& w) { w.set_f32("llama.rope.scaling.alpha", 1000); }},
      {"llama.attention.key_length_swa",
       [](lmc::GgufWriter& w) { w.set_u32("llama.attention.key_length_swa", 4); }},
      {"llama.rope.scaling.attn_factor",
       [](lmc::GgufWriter& w) { w.set_f32("llama.rope.scaling.attn_factor", 1.2f); }},
  };
  for (const auto& [key, tweak] : cases) {
    const std::string message = load_error(key, {}, tweak);
    EXPECT_NE(message.find(std::string("'") + key + "'"), std::string::npos)
        << key << ": " << message;
  }
  // The values that change nothing load.
  EXPECT_EQ(load_error("harmless_generic_keys", {},
                       [](lmc::GgufWriter& w) {
                         w.set_bool("llama.attention.causal", true);
                         w.set_u32("llama.pooling_type", 0);
                         w.set_u32("llama.attention.key_length_swa", 8);
                         w.set_f32("llama.rope.scaling.attn_factor", 1.0f);
                       }),
            "");
}

}  // namespace

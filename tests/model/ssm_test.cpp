// State-space architectures (mamba, jamba) against llama.cpp's references in
// ../shared/testdata/archs2, and the recurrent state's contract: one batched pass and any split
// into smaller feeds (down to one token at a time) give bit-identical logits, on any thread
// count; the state cannot be rewound except by a reset; bad files are refused with the key or
// tensor named.
#include "nn/cpu_features.hpp"
#include "reference_cases.hpp"
#include "support/testdata.hpp"

#include <lmc/error.hpp>
#include <lmc/gguf.hpp>
#include <lmc/model.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <set>

namespace {

std::filesystem::path archs2(const std::string& file) {
  return lmc_test::testdata("archs2/" + file);
}

class StateSpaceReference : public ::testing::TestWithParam<const char*> {};

// Each model within the tolerance its reference states (2e-4 for both).
TEST_P(StateSpaceReference, MatchesLlamaCpp) {
  LMC_REQUIRE_TESTDATA();
  const std::string name = GetParam();
  const auto model_path = archs2(name + ".gguf");
  if (!std::filesystem::exists(model_path)) GTEST_SKIP() << model_path << " absent";
  const auto ref = lmc_test::read_reference(archs2(name + ".ref.json"));
  ASSERT_FALSE(ref.cases.empty());
  ASSERT_GT(ref.tolerance, 0.0);
  lmc::ModelOptions options;
  options.threads = 2;
  const lmc::Model model = lmc::Model::load(model_path, options);
  EXPECT_EQ(model.info().architecture, name);
  for (const auto& c : ref.cases) {
    const std::vector<float> lp = model.token_logprobs(c.tokens);
    ASSERT_EQ(lp.size(), c.logprob_next.size());
    double worst = 0;
    for (std::size_t i = 0; i < lp.size(); ++i)
      worst = std::max(worst, std::abs(lp[i] - c.logprob_next[i]));
    EXPECT_LE(worst, ref.tolerance) << name << "/" << c.name;
    std::printf("%s/%s: max |Δ| %.3g (tolerance %.3g)\n", name.c_str(), c.name.c_str(), worst,
                ref.tolerance);
  }
}

INSTANTIATE_TEST_SUITE_P(Archs2, StateSpaceReference, ::testing::Values("mamba", "jamba"),
                         [](const auto& info) { return std::string(info.param); });

// Logits of every position of `tokens`, fed in pieces of the given sizes (the last piece takes
// the rest).
std::vector<float> logits_fed_in(const lmc::Model& model, const std::vector<lmc::Token>& tokens,
                                 std::size_t piece) {
  lmc::Session session(model);
  std::vector<float> all;
  for (std::size_t begin = 0; begin < tokens.size(); begin += piece) {
    const std::size_t count = std::min(piece, tokens.size() - begin);
    session.feed(std::span<const lmc::Token>(tokens).subspan(begin, count), lmc::Outputs::all);
    for (std::size_t i = 0; i < count; ++i) {
      const auto row = session.logits(i);
      all.insert(all.end(), row.begin(), row.end());
    }
  }
  return all;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

class StateSpaceState : public ::testing::TestWithParam<const char*> {};

TEST_P(StateSpaceState, BatchedSplitAndOneTokenRunsAreBitIdenticalOnAnyThreadCount) {
  LMC_REQUIRE_TESTDATA();
  const std::string name = GetParam();
  const auto model_path = archs2(name + ".gguf");
  if (!std::filesystem::exists(model_path)) GTEST_SKIP() << model_path << " absent";
  const auto ref = lmc_test::read_reference(archs2(name + ".ref.json"));
  ASSERT_FALSE(ref.cases.empty());
  const std::vector<lmc::Token> tokens = ref.cases.back().tokens;  // the paragraph
  ASSERT_GT(tokens.size(), 100u);
  lmc::ModelOptions one_thread;
  one_thread.threads = 1;
  const lmc::Model model = lmc::Model::load(model_path, one_thread);
  const std::vector<float> batched = logits_fed_in(model, tokens, tokens.size());
  for (std::size_t piece : {std::size_t{1}, std::size_t{3}, std::size_t{64}}) {
    EXPECT_TRUE(same_bits(batched, logits_fed_in(model, tokens, piece))) << "pieces of " << piece;
  }
  for (std::size_t threads : {2, 3}) {
    lmc::ModelOptions options;
    options.threads = threads;
    const lmc::Model threaded = lmc::Model::load(model_path, options);
    EXPECT_TRUE(same_bits(batched, logits_fed_in(threaded, tokens, tokens.size())))
        << threads << " threads";
    EXPECT_TRUE(same_bits(batched, logits_fed_in(threaded, tokens, 1)))
        << threads << " threads, one token at a time";
  }
}

TEST_P(StateSpaceState, EverySimdPathGivesTheSameBits) {
  LMC_REQUIRE_TESTDATA();
  const std::string name = GetParam();
  const auto model_path = archs2(name + ".gguf");
  if (!std::filesystem::exists(model_path)) GTEST_SKIP() << model_path << " absent";
  const auto ref = lmc_test::read_reference(archs2(name + ".ref.json"));
  ASSERT_FALSE(ref.cases.empty());
  const lmc::Model model = lmc::Model::load(model_path);
  const lmc::nn::KernelPath saved = lmc::nn::active_kernel_path();
  std::vector<float> reference;
  for (lmc::nn::KernelPath path :
       {lmc::nn::KernelPath::scalar, lmc::nn::KernelPath::avx2, lmc::nn::KernelPath::avx512}) {
    if (!lmc::nn::cpu_supports(path)) continue;
    lmc::nn::force_kernel_path(path);
    const std::vector<float> lp = model.token_logprobs(ref.cases.back().tokens);
    if (reference.empty()) {
      reference = lp;
    } else {
      EXPECT_TRUE(same_bits(lp, reference)) << lmc::nn::to_string(path);
    }
  }
  lmc::nn::force_kernel_path(saved);
}

TEST_P(StateSpaceState, StateRewindsOnlyToZero) {
  LMC_REQUIRE_TESTDATA();
  const std::string name = GetParam();
  const auto model_path = archs2(name + ".gguf");
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
  EXPECT_TRUE(same_bits(expected, std::vector<float>(again.begin(), again.end())));
  // A bad token is refused before the state moves.
  const std::vector<lmc::Token> bad = {3, 100000};
  EXPECT_THROW(session.feed(bad, lmc::Outputs::all), lmc::Error);
  EXPECT_EQ(session.position(), tokens.size());
}

INSTANTIATE_TEST_SUITE_P(Archs2, StateSpaceState, ::testing::Values("mamba", "jamba"),
                         [](const auto& info) { return std::string(info.param); });

// Rewrites `source` with its metadata and tensors, except that `edit_keys` may change the
// writer's keys and tensors named in `drop` or replaced by `replace` are changed.
void rewrite(const std::filesystem::path& source, const std::filesystem::path& target,
             const std::function<void(lmc::GgufWriter&)>& edit_keys,
             const std::set<std::string>& drop = {},
             const std::function<bool(const lmc::Tensor&, lmc::GgufWriter&)>& replace = {}) {
  const lmc::GgufFile in = lmc::GgufFile::open(source);
  lmc::GgufWriter out;
  for (const std::string& key : in.metadata_keys()) out.set_value(*in.find(key));
  edit_keys(out);
  for (const lmc::Tensor& t : in.tensors()) {
    if (drop.count(t.name)) continue;
    if (replace && replace(t, out)) continue;
    out.add_tensor(t.name, t.type, t.shape, t.data);
  }
  out.write(target);
}

std::string load_error(const std::filesystem::path& path) {
  try {
    (void)lmc::Model::load(path);
  } catch (const lmc::Error& e) {
    return e.what();
  }
  return "";
}

class StateSpaceBadFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!lmc_test::have_testdata()) GTEST_SKIP() << "testdata absent";
    if (!std::filesystem::exists(archs2("jamba.gguf"))) GTEST_SKIP() << "archs2 absent";
    dir_ = std::filesystem::temp_directory_path() /
           ("lmc_ssm_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

TEST_F(StateSpaceBadFiles, UnchangedCopiesLoad) {
  for (const char* name : {"mamba", "jamba"}) {
    const auto path = dir_ / (std::string(name) + ".gguf");
    rewrite(archs2(std::string(name) + ".gguf"), path, [](lmc::GgufWriter&) {});
    EXPECT_EQ(load_error(path), "") << name;
  }
}

TEST_F(StateSpaceBadFiles, PerLayerKvHeadsOfTheWrongLengthAreNamed) {
  const auto path = dir_ / "jamba.gguf";
  rewrite(archs2("jamba.gguf"), path, [](lmc::GgufWriter& w) {
    const std::int32_t counts[] = {0, 0, 2};
    w.set_i32s("jamba.attention.head_count_kv", counts);
  });
  const std::string error = load_error(path);
  EXPECT_NE(error.find("jamba.attention.head_count_kv"), std::string::npos) << error;
  EXPECT_NE(error.find("3 entries for 4 layers"), std::string::npos) << error;
}

TEST_F(StateSpaceBadFiles, AttentionLayersWithDifferentKvHeadCountsAreUnsupported) {
  const auto path = dir_ / "jamba.gguf";
  rewrite(archs2("jamba.gguf"), path, [](lmc::GgufWriter& w) {
    const std::int32_t counts[] = {1, 0, 2, 0};
    w.set_i32s("jamba.attention.head_count_kv", counts);
  });
  try {
    (void)lmc::Model::load(path);
    ADD_FAILURE() << "loaded";
  } catch (const lmc::Error& e) {
    EXPECT_EQ(e.code(), lmc::ErrorCode::unsupported);
    EXPECT_NE(std::string(e.what()).find("head_count_kv"), std::string::npos) << e.what();
  }
}

TEST_F(StateSpaceBadFiles, MissingSsmKeyOrTensorIsNamed) {
  const auto no_key = dir_ / "no_key.gguf";
  rewrite(archs2("mamba.gguf"), no_key,
          [](lmc::GgufWriter& w) { w.remove("mamba.ssm.state_size"); });
  EXPECT_NE(load_error(no_key).find("mamba.ssm.state_size"), std::string::npos)
      << load_error(no_key);

  const auto zero_key = dir_ / "zero_key.gguf";
  rewrite(archs2("mamba.gguf"), zero_key,
          [](lmc::GgufWriter& w) { w.set_u32("mamba.ssm.conv_kernel", 0); });
  EXPECT_NE(load_error(zero_key).find("mamba.ssm.conv_kernel"), std::string::npos)
      << load_error(zero_key);

  const auto no_tensor = dir_ / "no_tensor.gguf";
  rewrite(archs2("jamba.gguf"), no_tensor, [](lmc::GgufWriter&) {}, {"blk.3.ssm_b_norm.weight"});
  EXPECT_NE(load_error(no_tensor).find("missing tensor 'blk.3.ssm_b_norm.weight'"),
            std::string::npos)
      << load_error(no_tensor);
}

TEST_F(StateSpaceBadFiles, SsmTensorShapesThatDisagreeWithTheKeysAreNamed) {
  // ssm.state_size says 4 while ssm_a has 8 columns.
  const auto state = dir_ / "state.gguf";
  rewrite(archs2("mamba.gguf"), state,
          [](lmc::GgufWriter& w) { w.set_u32("mamba.ssm.state_size", 4); });
  const std::string error = load_error(state);
  EXPECT_NE(error.find("mamba.ssm.state_size"), std::string::npos) << error;
  EXPECT_NE(error.find("has shape"), std::string::npos) << error;

  // A convolution with its taps and channels the other way round.
  const auto conv = dir_ / "conv.gguf";
  rewrite(
      archs2("mamba.gguf"), conv, [](lmc::GgufWriter&) {}, {},
      [](const lmc::Tensor& t, lmc::GgufWriter& w) {
        if (t.name != "blk.1.ssm_conv1d.weight") return false;
        const std::int64_t shape[] = {t.shape[1], t.shape[0]};
        w.add_tensor(t.name, t.type, shape, t.data);
        return true;
      });
  EXPECT_NE(load_error(conv).find("blk.1.ssm_conv1d.weight"), std::string::npos)
      << load_error(conv);
}

}  // namespace

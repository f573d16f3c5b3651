// lmc's bundled model (models/lmc-tiny.gguf) against the PyTorch reference that its training
// script wrote beside it (models/lmc-tiny.reference.json: the token ids of each demo sample
// from the script's own BPE, and float64 log-probabilities on the file's F16 weights). These
// tests need nothing outside the repository.
#include <lmc/compressor.hpp>
#include <lmc/corpus.hpp>
#include <lmc/eval.hpp>
#include <lmc/model.hpp>
#include <lmc/tokenizer.hpp>

#include "coding/stories_support.hpp"
#include "nn/cpu_features.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path kModels = LMC_BUNDLED_DIR;
constexpr double kTolerance = 1e-4;  // nats, the bound for lmc against PyTorch

struct Sample {
  std::string name;
  std::string text;
  std::uint64_t characters = 0;
  std::uint64_t bytes = 0;
  std::vector<lmc::Token> ids;  // BOS first
  std::vector<double> logprob_next;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<Sample> read_samples() {
  rapidjson::Document doc;
  const std::string json = read_text(kModels / "lmc-tiny.reference.json");
  doc.Parse(json.data(), json.size());
  EXPECT_FALSE(doc.HasParseError());
  std::vector<Sample> samples;
  for (const auto& record : doc["records"].GetArray()) {
    Sample s;
    s.name = record["name"].GetString();
    s.text = read_text(kModels / "demo" / s.name);
    s.characters = record["characters"].GetUint64();
    s.bytes = record["bytes"].GetUint64();
    for (const auto& id : record["ids"].GetArray()) s.ids.push_back(id.GetUint());
    for (const auto& lp : record["logprob_next"].GetArray())
      s.logprob_next.push_back(lp.GetDouble());
    samples.push_back(std::move(s));
  }
  EXPECT_EQ(samples.size(), 3u);
  return samples;
}

lmc::Model load(std::size_t threads) {
  return lmc::Model::load((kModels / "lmc-tiny.gguf").string(), {.threads = threads});
}

TEST(BundledModel, TokenizesLikeTheTrainingScript) {
  const lmc::Model model = load(1);
  for (const Sample& s : read_samples()) {
    std::vector<lmc::Token> ids{*model.tokenizer().bos()};
    for (lmc::Token t : model.tokenizer().encode(s.text)) ids.push_back(t);
    EXPECT_EQ(ids, s.ids) << s.name;
    EXPECT_EQ(model.tokenizer().decode(std::vector<lmc::Token>(s.ids.begin() + 1, s.ids.end())),
              s.text)
        << s.name;
  }
}

// Whole samples on the path the CPU picks, with one and two threads; the first 256 tokens of
// each on every other SIMD path (the scalar one is slow). Each log-probability within 1e-4
// nats of PyTorch's.
TEST(BundledModel, LogprobsMatchPyTorchOnEveryPathAndThreadCount) {
  lmc_test::KernelPathGuard guard;
  const lmc::nn::KernelPath native = lmc::nn::active_kernel_path();
  const std::vector<Sample> samples = read_samples();
  for (std::size_t threads : {1u, 2u}) {
    const lmc::Model model = load(threads);
    for (auto path : lmc_test::supported_paths()) {
      if (threads == 2 && path != native) continue;
      lmc::nn::force_kernel_path(path);
      for (const Sample& s : samples) {
        const std::size_t n =
            path == native ? s.ids.size() : std::min<std::size_t>(256, s.ids.size());
        const std::vector<float> lp =
            model.token_logprobs(std::span<const lmc::Token>(s.ids.data(), n));
        ASSERT_EQ(lp.size(), n - 1) << s.name;
        double worst = 0;
        for (std::size_t i = 0; i < lp.size(); ++i) {
          worst = std::max(worst, std::abs(static_cast<double>(lp[i]) - s.logprob_next[i]));
        }
        EXPECT_LE(worst, kTolerance)
            << s.name << ", " << lmc::nn::to_string(path) << ", " << threads << " threads";
      }
    }
  }
}

// BPC of each demo sample the paper's way (1900/512; each sample fits one window): the
// evaluator's sums against the reference's, and its counts against the script's.
TEST(BundledModel, BpcAccountingMatchesTheReference) {
  const lmc::Model model = load(2);
  for (const Sample& s : read_samples()) {
    double nats = 0;
    for (double lp : s.logprob_next) nats -= lp;
    lmc::Corpus corpus = lmc::Corpus::open((kModels / "demo" / s.name).string(),
                                           {.format = lmc::CorpusFormat::text});
    lmc::BpcOptions options;
    options.context = 1900;
    options.stride = 512;
    const lmc::BpcResult r = lmc::evaluate_bpc(model, corpus, options);
    EXPECT_EQ(r.characters(), s.characters) << s.name;
    EXPECT_EQ(r.bytes(), s.bytes) << s.name;
    EXPECT_EQ(r.tokens(), s.ids.size()) << s.name;
    EXPECT_EQ(r.scored_tokens(), s.ids.size() - 1) << s.name;
    const double bits = nats / std::numbers::ln2;
    EXPECT_NEAR(r.bpc(), bits / static_cast<double>(s.characters), 1e-6) << s.name;
    EXPECT_NEAR(r.bits_per_byte(), bits / static_cast<double>(s.bytes), 1e-6) << s.name;
  }
}

// Compress under every SIMD path with one and two threads, decompress under every path: one
// container, always the input back (demo text, then bytes no tokenizer expects).
TEST(BundledModel, RoundTripsAcrossThreadsAndKernelPaths) {
  lmc_test::KernelPathGuard guard;
  const lmc::Model model = load(1);
  // A piece of each sample: decompression runs the model once per token, under every path.
  std::string text;
  for (const Sample& s : read_samples()) text += s.text.substr(0, 400);
  text += std::string("\r\n\0\xff\xfe  \t\t\t   tail\xc3", 18);
  const auto* begin = reinterpret_cast<const std::byte*>(text.data());
  const std::vector<std::byte> input(begin, begin + text.size());
  lmc::Compressor one(model, {.threads = 1, .chunk_bytes = 500});
  lmc::Compressor two(model, {.threads = 2, .chunk_bytes = 500});
  std::vector<std::byte> reference;
  for (auto compress_path : lmc_test::supported_paths()) {
    lmc::nn::force_kernel_path(compress_path);
    const std::vector<std::byte> by_one = one.compress(input);
    const std::vector<std::byte> by_two = two.compress(input);
    EXPECT_EQ(by_one, by_two) << lmc::nn::to_string(compress_path);
    if (reference.empty()) reference = by_one;
    EXPECT_EQ(by_one, reference) << "compressed under " << lmc::nn::to_string(compress_path);
    for (auto decompress_path : lmc_test::supported_paths()) {
      lmc::nn::force_kernel_path(decompress_path);
      const lmc::Compressor& decoder = decompress_path == compress_path ? one : two;
      EXPECT_EQ(decoder.decompress(by_two), input)
          << "compressed under " << lmc::nn::to_string(compress_path) << ", decompressed under "
          << lmc::nn::to_string(decompress_path);
    }
  }
}

}  // namespace

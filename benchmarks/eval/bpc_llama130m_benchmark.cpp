// End-to-end BPC throughput on a ~130M-parameter llama with random weights (dim 768, 12
// layers, 12 heads, ffn 2048, vocab 32000, F32; the shape of the forward-pass benchmark),
// through evaluate_bpc with lmc::eval::ModelScorer, context 1900 / stride 512, 1 and 2 threads.
// The model has no tokenizer: a byte tokenizer (id = byte + 3, BOS = 1) feeds it.
// The corpus is one document of 1901 + 4 · 512 bytes: 5 windows, 3948 scored targets,
// 9500 - 1 tokens read (in steady state the model reads C / S ≈ 3.7 tokens per target).
//
//   build/benchmarks/eval/lmc_eval_bpc_benchmark
//   LMC_BENCH_DIR=<dir> keeps the generated model between runs (default: the temp folder).
#include <lmc/eval.hpp>

#include <lmc/gguf.hpp>
#include "eval/scorer.hpp"

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr std::int64_t kDim = 768, kLayers = 12, kHeads = 12, kFfn = 2048, kVocab = 32000;

std::filesystem::path bench_dir() {
  const char* dir = std::getenv("LMC_BENCH_DIR");
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::temp_directory_path();
}

// Writes the random llama once (fixed seed, σ = 1/sqrt(fan-in)).
std::filesystem::path model_file() {
  const auto path = bench_dir() / "lmc_bench_eval_llama130m_f32.gguf";
  if (std::filesystem::exists(path)) return path;
  std::mt19937 rng(1234);
  lmc::GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", "lmc eval benchmark llama 130M (random)");
  w.set_u32("llama.embedding_length", kDim);
  w.set_u32("llama.block_count", kLayers);
  w.set_u32("llama.feed_forward_length", kFfn);
  w.set_u32("llama.attention.head_count", kHeads);
  w.set_u32("llama.attention.head_count_kv", kHeads);
  w.set_u32("llama.context_length", 2048);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_f32("llama.rope.freq_base", 10000.0f);
  auto add = [&](const std::string& name, std::vector<std::int64_t> shape, float sigma,
                 float mean) {
    std::size_t n = 1;
    for (auto d : shape) n *= static_cast<std::size_t>(d);
    std::normal_distribution<float> normal(mean, sigma);
    std::vector<float> values(n);
    for (float& x : values) x = normal(rng);
    w.add_tensor_f32(name, shape, values);
  };
  const float s = 1.0f / std::sqrt(static_cast<float>(kDim));
  add("token_embd.weight", {kVocab, kDim}, 1.0f, 0);
  for (std::int64_t l = 0; l < kLayers; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    add(b + "attn_norm.weight", {kDim}, 0.1f, 1.0f);
    add(b + "attn_q.weight", {kDim, kDim}, s, 0);
    add(b + "attn_k.weight", {kDim, kDim}, s, 0);
    add(b + "attn_v.weight", {kDim, kDim}, s, 0);
    add(b + "attn_output.weight", {kDim, kDim}, s, 0);
    add(b + "ffn_norm.weight", {kDim}, 0.1f, 1.0f);
    add(b + "ffn_gate.weight", {kFfn, kDim}, s, 0);
    add(b + "ffn_up.weight", {kFfn, kDim}, s, 0);
    add(b + "ffn_down.weight", {kDim, kFfn}, 1.0f / std::sqrt(static_cast<float>(kFfn)), 0);
  }
  add("output_norm.weight", {kDim}, 0.1f, 1.0f);
  add("output.weight", {kVocab, kDim}, s, 0);
  w.write(path);
  return path;
}

std::string corpus_file() {
  const auto path = bench_dir() / ("lmc_bench_eval_corpus_" + std::to_string(::getpid()) + ".txt");
  std::string text;
  std::mt19937 rng(7);
  for (int i = 0; i < 1901 + 4 * 512 - 1; ++i) text += static_cast<char>('a' + rng() % 26);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

void bpc_llama130m(benchmark::State& state) {
  lmc::ModelOptions model_options;
  model_options.threads = static_cast<std::size_t>(state.range(0));
  model_options.context = 1900;
  const lmc::Model model = lmc::Model::load(model_file(), model_options);
  const std::string corpus_path = corpus_file();
  lmc::eval::EvalTokenizer tokenizer;
  tokenizer.encode = [](std::string_view text) {
    std::vector<lmc::Token> ids{1};
    for (unsigned char c : text) ids.push_back(static_cast<lmc::Token>(c) + 3);
    return ids;
  };
  tokenizer.bos = 1;
  double scored = 0, forward = 0, seconds = 0;
  for (auto _ : state) {
    lmc::Corpus corpus = lmc::Corpus::open(corpus_path);
    lmc::eval::ModelScorer scorer(model);
    const lmc::BpcResult result = lmc::eval::evaluate_bpc(corpus, tokenizer, scorer);
    scored += static_cast<double>(result.scored_tokens());
    forward += static_cast<double>(result.forward_tokens());
    seconds += result.seconds();
  }
  std::filesystem::remove(corpus_path);
  state.counters["scored_tokens_per_s"] = scored / seconds;
  state.counters["forward_tokens_per_s"] = forward / seconds;
}
BENCHMARK(bpc_llama130m)->Arg(1)->Arg(2)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

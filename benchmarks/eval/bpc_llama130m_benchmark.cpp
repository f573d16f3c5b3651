// End-to-end BPC throughput on a ~130M-parameter llama with random weights (dim 768, 12
// layers, 12 heads, ffn 2048, vocab 32000, F32: the forward-pass benchmark's model,
// lmc_bench::random_llama), through evaluate_bpc with lmc::eval::ModelScorer, context 1900 /
// stride 512, 1 and 2 threads. A byte tokenizer (id = byte + 3, BOS = 1) feeds it, not the
// vocabulary the file carries.
// The corpus is one document of 1901 + 4 · 512 bytes: 5 windows, 3948 scored targets,
// 9500 - 1 tokens read (in steady state the model reads C / S ≈ 3.7 tokens per target).
//
//   build/benchmarks/eval/lmc_eval_bpc_benchmark
//   LMC_BENCH_DIR=<dir> keeps the generated model between runs (default: the temp folder).
#include <lmc/eval.hpp>

#include "eval/scorer.hpp"
#include "random_llama.hpp"

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

std::string corpus_file() {
  const auto path =
      lmc_bench::bench_dir() / ("lmc_bench_eval_corpus_" + std::to_string(::getpid()) + ".txt");
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
  const lmc::Model model =
      lmc::Model::load(lmc_bench::random_llama(lmc::DType::f32), model_options);
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

// Compression and decompression speed with real models, 1 and 2 threads (chunks in parallel;
// each model is loaded with one forward-pass thread), and bits per byte next to gzip -9 and
// zstd -19 of the same bytes:
//   - stories260K (512 tokens, context 128) on the whole of alice29.txt (152 089 bytes);
//   - the random ~130M-parameter llama of benchmarks/support (dim 768, 12 layers, 12 heads,
//     ffn 2048, F32) on the first 8192 bytes
//     of alice29.txt in 2 chunks of 4096 bytes (so 2 threads have a chunk each). Its tokenizer
//     is Llama 2's SentencePiece vocabulary (32 000 tokens) copied from the conformance file
//     vocab/ggml-vocab-llama-spm.gguf: the text is tokenized as a real llama would, and the
//     random weights make the predictions near uniform (about 15 bits per token).
//   - the same llama on the first 16 384 bytes of alice29.txt in 8 chunks of 2048 bytes
//     (Llama130MChunks/threads/lanes): decompression advances the chunks in lock step, one
//     batched forward pass per step over all threads (docs/container.md); lanes 0 is the
//     decompressor's default (coding::lockstep_lanes), lanes 1 decodes one chunk at a time.
//     Decompression reports its lanes, the rows per batched pass and the most session state
//     held (peak_state_MB, against coding::lockstep_state_budget(), a quarter of the memory).
//   - the same llama on all of alice29.txt (152 089 bytes, 75 chunks of 2048 bytes;
//     Llama130MAlice/threads): the acceptance case of issue 18. Its compression reports no
//     tokens (counting them would run the model again); its decompression counts them.
// Every case reports cpu_s (the process's CPU seconds, all threads) and tokens per CPU-second
// next to the wall-clock rates. A decompression case reuses the container (and token count) of
// the compression case of the same setup when that ran first in the same process (the bytes do
// not depend on the thread count), so it times decompression alone.
// Decompression runs the model one token at a time per chunk, compression in batches. The timed
// runs code every piece the tokenizer reproduces with the model (choose_by_cost = false), so both
// directions run the model over all of the text; bits_per_byte is that container's size, and
// bits_per_byte_by_cost (compress, 1 thread) the default's, where a piece the model predicts
// worse than an order-0 byte model is escaped.
//
//   build/benchmarks/coding/lmc_coding_model_benchmark
//   LMC_BENCH_DIR=<dir> keeps the generated 130M model (~520 MB) between runs (default: the
//   temp folder).
#include <lmc/coding_model.hpp>
#include <lmc/compressor.hpp>
#include <lmc/model.hpp>

#include "coding/container_decoder.hpp"
#include "coding/model_coding_adapter.hpp"
#include "random_llama.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

fs::path testdata(const std::string& relative) { return fs::path(LMC_TESTDATA_DIR) / relative; }

std::vector<std::byte> alice(std::size_t limit) {
  std::ifstream file(testdata("corpora/classic/canterbury/alice29.txt"), std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(file)), {});
  chars.resize(std::min(chars.size(), limit));
  std::vector<std::byte> bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

struct Setup {
  fs::path model;
  std::size_t input_bytes;
  std::size_t chunk_bytes;
  /// Whether compression counts its tokens with Compressor::estimate (another pass of the
  /// model); otherwise decompression counts them as it feeds them.
  bool estimate_tokens = true;
};

Setup stories() {
  return {testdata("models/stories260K.gguf"), SIZE_MAX, lmc::CompressorOptions{}.chunk_bytes};
}
Setup llama130m() { return {lmc_bench::random_llama(lmc::DType::f32), 8192, 4096}; }
Setup llama130m_chunks() { return {lmc_bench::random_llama(lmc::DType::f32), 16384, 2048}; }
Setup llama130m_alice() {
  return {lmc_bench::random_llama(lmc::DType::f32), SIZE_MAX, 2048, false};
}

// Containers and token counts made so far, by model, input size and chunk size.
struct Made {
  std::vector<std::byte> container;
  double tokens = 0;
};
std::map<std::string, Made>& made() {
  static std::map<std::string, Made> cache;
  return cache;
}
std::string key_of(const Setup& setup) {
  return setup.model.string() + "|" + std::to_string(setup.input_bytes) + "|" +
         std::to_string(setup.chunk_bytes);
}

// One compress or decompress per iteration; counters: bytes/s (input bytes), tokens/s (model
// tokens coded), cpu_s and tokens_per_cpu_s (process CPU time), bits per byte of the container,
// and gzip -9 / zstd -19 of the same bytes. `lanes` (decompression only): chunks in lock step,
// 0 for the decompressor's default.
void run(benchmark::State& state, const Setup& setup, bool decompress, std::size_t lanes = 0) {
  const lmc::Model model = lmc::Model::load(setup.model, {.threads = 1});
  const std::vector<std::byte> input = alice(setup.input_bytes);
  const auto threads = static_cast<std::size_t>(state.range(0));
  lmc::Compressor compressor(
      model, {.threads = threads, .chunk_bytes = setup.chunk_bytes, .choose_by_cost = false});
  const std::string key = key_of(setup);
  auto found = made().find(key);
  std::vector<std::byte> container;
  if (decompress) {
    container = found != made().end() ? found->second.container : compressor.compress(input);
  }
  const auto adapter = lmc::coding::adapt_model(model);
  // What Compressor::decompress runs, with the lanes given (0: its default).
  if (lanes == 0) lanes = lmc::coding::lockstep_lanes(*adapter, threads);
  lmc::coding::LockstepStats stats;
  const std::clock_t cpu_start = std::clock();
  for (auto _ : state) {
    if (!decompress) {
      container = compressor.compress(input);
    } else {
      std::vector<std::byte> out;
      stats = lmc::coding::decode_container_chunks(
          *adapter, container, lmc::inspect(container), "benchmark", threads, lanes,
          lmc::coding::lockstep_state_budget(), [&](std::span<const std::byte> bytes) {
            out.insert(out.end(), bytes.begin(), bytes.end());
          });
      if (out != input) state.SkipWithError("round trip failed");
    }
  }
  const double cpu_s = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  double tokens = 0;
  if (decompress) {
    tokens = static_cast<double>(stats.rows);
  } else if (found != made().end()) {
    tokens = found->second.tokens;
  } else if (setup.estimate_tokens) {
    tokens = static_cast<double>(compressor.estimate(input).tokens);
  }
  if (found == made().end()) made()[key] = Made{container, tokens};
  const lmc::BaselineSizes baselines = lmc::baseline_sizes(input);
  const auto bytes = static_cast<double>(input.size());
  const auto iterations = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(iterations * bytes));
  state.counters["input_bytes"] = bytes;
  state.counters["tokens"] = tokens;
  state.counters["tokens/s"] = benchmark::Counter(tokens * iterations, benchmark::Counter::kIsRate);
  state.counters["cpu_s"] = cpu_s;
  state.counters["tokens_per_cpu_s"] = cpu_s > 0 ? tokens * iterations / cpu_s : 0.0;
  if (decompress) {
    state.counters["lanes"] = static_cast<double>(lanes);
    state.counters["rows_per_step"] =
        stats.steps > 0 ? static_cast<double>(stats.rows) / static_cast<double>(stats.steps) : 0.0;
    state.counters["peak_state_MB"] = static_cast<double>(stats.peak_state_bytes) / 1e6;
    state.counters["budget_MB"] = static_cast<double>(lmc::coding::lockstep_state_budget()) / 1e6;
  }
  state.counters["bits_per_byte"] = 8.0 * static_cast<double>(container.size()) / bytes;
  if (!decompress && threads == 1) {
    lmc::Compressor by_cost(model, {.threads = 2, .chunk_bytes = setup.chunk_bytes});
    state.counters["bits_per_byte_by_cost"] =
        8.0 * static_cast<double>(by_cost.compress(input).size()) / bytes;
  }
  state.counters["gzip9_bpb"] = 8.0 * static_cast<double>(baselines.gzip9) / bytes;
  state.counters["zstd19_bpb"] = 8.0 * static_cast<double>(baselines.zstd19_long) / bytes;
}

void BM_CompressStories260K(benchmark::State& state) { run(state, stories(), false); }
void BM_DecompressStories260K(benchmark::State& state) { run(state, stories(), true); }
void BM_CompressLlama130M(benchmark::State& state) { run(state, llama130m(), false); }
void BM_DecompressLlama130M(benchmark::State& state) { run(state, llama130m(), true); }
void BM_CompressLlama130MChunks(benchmark::State& state) { run(state, llama130m_chunks(), false); }
void BM_DecompressLlama130MChunks(benchmark::State& state) {
  run(state, llama130m_chunks(), true, static_cast<std::size_t>(state.range(1)));
}
void BM_CompressLlama130MAlice(benchmark::State& state) { run(state, llama130m_alice(), false); }
void BM_DecompressLlama130MAlice(benchmark::State& state) { run(state, llama130m_alice(), true); }

BENCHMARK(BM_CompressStories260K)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();
BENCHMARK(BM_DecompressStories260K)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();
BENCHMARK(BM_CompressLlama130M)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();
BENCHMARK(BM_DecompressLlama130M)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();
BENCHMARK(BM_CompressLlama130MChunks)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();
BENCHMARK(BM_DecompressLlama130MChunks)
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({2, 1})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();
// Only 2 threads: the acceptance case, several minutes each.
BENCHMARK(BM_CompressLlama130MAlice)
    ->Arg(2)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();
BENCHMARK(BM_DecompressLlama130MAlice)
    ->Arg(2)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

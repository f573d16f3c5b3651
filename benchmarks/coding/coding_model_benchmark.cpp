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
//     (Llama130MChunks): decompression advances the chunks of each thread in lock step, one
//     batched forward pass per step for up to 16 chunks (docs/container.md).
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

#include "random_llama.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
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
};

Setup stories() {
  return {testdata("models/stories260K.gguf"), SIZE_MAX, lmc::CompressorOptions{}.chunk_bytes};
}
Setup llama130m() { return {lmc_bench::random_llama(lmc::DType::f32), 8192, 4096}; }
Setup llama130m_chunks() { return {lmc_bench::random_llama(lmc::DType::f32), 16384, 2048}; }

// One compress or decompress per iteration; counters: bytes/s (input bytes), tokens/s (model
// tokens coded), bits per byte of the container, and gzip -9 / zstd -19 of the same bytes.
void run(benchmark::State& state, const Setup& setup, bool decompress) {
  const lmc::Model model = lmc::Model::load(setup.model, {.threads = 1});
  const std::vector<std::byte> input = alice(setup.input_bytes);
  lmc::Compressor compressor(model, {.threads = static_cast<std::size_t>(state.range(0)),
                                     .chunk_bytes = setup.chunk_bytes,
                                     .choose_by_cost = false});
  std::vector<std::byte> container;
  if (decompress) container = compressor.compress(input);
  for (auto _ : state) {
    if (decompress) {
      if (compressor.decompress(container) != input) state.SkipWithError("round trip failed");
    } else {
      container = compressor.compress(input);
    }
  }
  const lmc::SizeEstimate estimate = compressor.estimate(input);
  const lmc::BaselineSizes baselines = lmc::baseline_sizes(input);
  const auto bytes = static_cast<double>(input.size());
  const auto iterations = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(iterations * bytes));
  state.counters["input_bytes"] = bytes;
  state.counters["tokens"] = static_cast<double>(estimate.tokens);
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(estimate.tokens) * iterations,
                                                  benchmark::Counter::kIsRate);
  state.counters["bits_per_byte"] = 8.0 * static_cast<double>(container.size()) / bytes;
  if (!decompress && state.range(0) == 1) {
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
void BM_DecompressLlama130MChunks(benchmark::State& state) { run(state, llama130m_chunks(), true); }

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
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

// Compression and decompression speed with real models, 1 and 2 threads (chunks in parallel;
// each model is loaded with one forward-pass thread), and bits per byte next to gzip -9 and
// zstd -19 of the same bytes:
//   - stories260K (512 tokens, context 128) on the whole of alice29.txt (152 089 bytes);
//   - a ~130M-parameter llama with random weights (dim 768, 12 layers, 12 heads, ffn 2048,
//     F32: the shape of benchmarks/eval/bpc_llama130m_benchmark.cpp) on the first 8192 bytes
//     of alice29.txt in 2 chunks of 4096 bytes (so 2 threads have a chunk each). Its tokenizer
//     is Llama 2's SentencePiece vocabulary (32 000 tokens) copied from the conformance file
//     vocab/ggml-vocab-llama-spm.gguf: the text is tokenized as a real llama would, and the
//     random weights make the predictions near uniform (about 15 bits per token).
// Decompression runs the model one token at a time, compression in batches. The timed runs
// code every piece the tokenizer reproduces with the model (choose_by_cost = false), so both
// directions run the model over all of the text; bits_per_byte is that container's size, and
// bits_per_byte_by_cost (compress, 1 thread) the default's, where a piece the model predicts
// worse than an order-0 byte model is escaped.
//
//   build/benchmarks/coding/lmc_coding_model_benchmark
//   LMC_BENCH_DIR=<dir> keeps the generated 130M model (~520 MB) between runs (default: the
//   temp folder).
#include <lmc/coding_model.hpp>
#include <lmc/compressor.hpp>
#include <lmc/gguf.hpp>
#include <lmc/model.hpp>

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

constexpr std::int64_t kDim = 768, kLayers = 12, kHeads = 12, kFfn = 2048, kVocab = 32000;

fs::path testdata(const std::string& relative) { return fs::path(LMC_TESTDATA_DIR) / relative; }

fs::path bench_dir() {
  const char* dir = std::getenv("LMC_BENCH_DIR");
  return dir != nullptr ? fs::path(dir) : fs::temp_directory_path();
}

// Writes the random llama once (fixed seed, σ = 1/sqrt(fan-in)) with the Llama 2 tokenizer.
fs::path llama130m_file() {
  const auto path = bench_dir() / "lmc_bench_coding_llama130m_spm_f32.gguf";
  if (fs::exists(path)) return path;
  const lmc::GgufFile vocab = lmc::GgufFile::open(testdata("vocab/ggml-vocab-llama-spm.gguf"));
  std::mt19937 rng(1234);
  lmc::GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", "lmc coding benchmark llama 130M (random, Llama 2 tokenizer)");
  w.set_u32("llama.embedding_length", kDim);
  w.set_u32("llama.block_count", kLayers);
  w.set_u32("llama.feed_forward_length", kFfn);
  w.set_u32("llama.attention.head_count", kHeads);
  w.set_u32("llama.attention.head_count_kv", kHeads);
  w.set_u32("llama.context_length", 2048);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_f32("llama.rope.freq_base", 10000.0f);
  for (const std::string& key : vocab.metadata_keys()) {
    if (key.starts_with("tokenizer.")) w.set_value(*vocab.find(key));
  }
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
  const fs::path partial = path.string() + ".partial";
  w.write(partial);
  fs::rename(partial, path);
  return path;
}

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
Setup llama130m() { return {llama130m_file(), 8192, 4096}; }

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

}  // namespace

BENCHMARK_MAIN();

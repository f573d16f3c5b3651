// Forward-pass throughput on a ~130M-parameter llama with random weights (dim 768, 12 layers,
// 12 heads, ffn 2048, vocab 32000), written once per weight type through GgufWriter:
// 512-token batched scoring and one-token decoding, 1 and 2 threads, F32/F16/BF16/Q8_0, next to
// the machine's measured F32 GEMM peak (Eigen, same run).
//
//   build/benchmarks/nn/lmc_nn_forward_benchmark [--benchmark_filter=...]
//   LMC_BENCH_DIR=<dir> keeps the generated models between runs (default: the temp folder).
#include "peak_gemm.hpp"

#include "base/thread_pool.hpp"
#include "model/checkpoint.hpp"
#include "model/weight_binding.hpp"
#include "nn/cpu_features.hpp"
#include "nn/transformer.hpp"

#include <lmc/gguf.hpp>

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <random>

namespace {

// CPU seconds used by the whole process: on a shared machine the figures per CPU-second stay
// meaningful when wall-clock rates do not.
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

constexpr std::int64_t dim = 768, layers = 12, heads = 12, ffn = 2048, vocab = 32000;

std::filesystem::path model_path(lmc::DType type) {
  const char* dir = std::getenv("LMC_BENCH_DIR");
  const std::filesystem::path base = dir ? dir : std::filesystem::temp_directory_path();
  return base / ("lmc_bench_llama130m_" + std::string(lmc::dtype_name(type)) + ".gguf");
}

// Writes the random llama once per type (values from a fixed seed, σ = 1/sqrt(fan-in)).
void ensure_model(lmc::DType type) {
  const auto path = model_path(type);
  if (std::filesystem::exists(path)) return;
  std::mt19937 rng(1234);
  lmc::GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", "lmc benchmark llama 130M (random)");
  w.set_u32("llama.embedding_length", dim);
  w.set_u32("llama.block_count", layers);
  w.set_u32("llama.feed_forward_length", ffn);
  w.set_u32("llama.attention.head_count", heads);
  w.set_u32("llama.attention.head_count_kv", heads);
  w.set_u32("llama.context_length", 2048);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_f32("llama.rope.freq_base", 10000.0f);
  auto add = [&](const std::string& name, std::vector<std::int64_t> shape, float sigma, float mean,
                 bool matrix) {
    std::size_t n = 1;
    for (auto d : shape) n *= static_cast<std::size_t>(d);
    std::normal_distribution<float> normal(mean, sigma);
    std::vector<float> v(n);
    for (float& x : v) x = normal(rng);
    w.add_tensor_f32(name, shape, v, matrix ? type : lmc::DType::f32);
  };
  const float s = 1.0f / std::sqrt(static_cast<float>(dim));
  add("token_embd.weight", {vocab, dim}, 1.0f, 0, true);
  for (std::int64_t l = 0; l < layers; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    add(b + "attn_norm.weight", {dim}, 0.1f, 1.0f, false);
    add(b + "attn_q.weight", {dim, dim}, s, 0, true);
    add(b + "attn_k.weight", {dim, dim}, s, 0, true);
    add(b + "attn_v.weight", {dim, dim}, s, 0, true);
    add(b + "attn_output.weight", {dim, dim}, s, 0, true);
    add(b + "ffn_norm.weight", {dim}, 0.1f, 1.0f, false);
    add(b + "ffn_gate.weight", {ffn, dim}, s, 0, true);
    add(b + "ffn_up.weight", {ffn, dim}, s, 0, true);
    add(b + "ffn_down.weight", {dim, ffn}, 1.0f / std::sqrt(static_cast<float>(ffn)), 0, true);
  }
  add("output_norm.weight", {dim}, 0.1f, 1.0f, false);
  add("output.weight", {vocab, dim}, s, 0, true);
  w.write(path);
}

struct LoadedModel {
  std::unique_ptr<lmc::model::Checkpoint> checkpoint;
  lmc::model::BoundModel bound;
  std::unique_ptr<lmc::nn::Transformer> transformer;
};

LoadedModel& loaded(lmc::DType type) {
  static std::map<lmc::DType, std::unique_ptr<LoadedModel>> cache;
  auto& slot = cache[type];
  if (!slot) {
    ensure_model(type);
    slot = std::make_unique<LoadedModel>();
    slot->checkpoint = lmc::model::Checkpoint::open(model_path(type), true);
    lmc::model::bind_weights(*slot->checkpoint, slot->bound);
    slot->transformer =
        std::make_unique<lmc::nn::Transformer>(slot->bound.config, slot->bound.weights);
  }
  return *slot;
}

// Multiply-adds of the matrices per token (×2 = FLOP), and of attention at position p.
double matrix_flops_per_token() {
  return 2.0 * static_cast<double>(layers * (4 * dim * dim + 3 * dim * ffn) + vocab * dim);
}

std::vector<std::int32_t> tokens(std::size_t n) {
  std::vector<std::int32_t> t(n);
  for (std::size_t i = 0; i < n; ++i) t[i] = static_cast<std::int32_t>((i * 7919 + 1) % vocab);
  return t;
}

void batched(benchmark::State& state, lmc::DType type) {
  LoadedModel& m = loaded(type);
  lmc::base::ThreadPool pool(static_cast<std::size_t>(state.range(0)));
  const auto input = tokens(512);
  std::vector<float> logits(input.size() * vocab);
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    lmc::nn::KvCache cache = m.transformer->make_cache(input.size());
    m.transformer->forward(input, cache, &pool, lmc::nn::LogitsFor::all, logits.data());
    benchmark::DoNotOptimize(logits.data());
  }
  const double n = static_cast<double>(input.size()) * static_cast<double>(state.iterations());
  // Attention: QKᵀ is computed for all 512×512 pairs per head, PV only for the causal half.
  const double attention = 2.0 * layers * dim * (512.0 + 256.0);
  state.counters["tokens/s"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  const double cpu = process_cpu_seconds() - cpu_start;
  state.counters["GFLOP/s"] = benchmark::Counter(n * (matrix_flops_per_token() + attention) / 1e9,
                                                 benchmark::Counter::kIsRate);
  state.counters["GFLOP/cpu-s"] = n * (matrix_flops_per_token() + attention) / 1e9 / cpu;
  state.counters["cpu-s/batch"] = cpu / static_cast<double>(state.iterations());
}

void decode(benchmark::State& state, lmc::DType type) {
  LoadedModel& m = loaded(type);
  lmc::base::ThreadPool pool(static_cast<std::size_t>(state.range(0)));
  const auto prefix = tokens(128);
  lmc::nn::KvCache cache = m.transformer->make_cache(prefix.size() + 1);
  std::vector<float> logits(vocab);
  m.transformer->forward(prefix, cache, &pool, lmc::nn::LogitsFor::none, nullptr);
  const std::int32_t next = 42;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    cache.truncate(prefix.size());
    m.transformer->forward(std::span<const std::int32_t>(&next, 1), cache, &pool,
                           lmc::nn::LogitsFor::last, logits.data());
    benchmark::DoNotOptimize(logits.data());
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["tokens/s"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  state.counters["GB/s"] = benchmark::Counter(n * static_cast<double>(m.bound.weight_bytes) / 1e9,
                                              benchmark::Counter::kIsRate);
  state.counters["cpu-ms/token"] = 1e3 * (process_cpu_seconds() - cpu_start) / n;
}

void peak(benchmark::State& state) {
  double gflops = 0, per_cpu = 0;
  for (auto _ : state)
    gflops = eigen_gemm_gflops(1536, static_cast<int>(state.range(0)), 2.0, &per_cpu);
  state.counters["GFLOP/s"] = gflops;
  state.counters["GFLOP/cpu-s"] = per_cpu;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::RegisterBenchmark("PeakEigenGemmF32/threads", peak)
      ->Arg(1)
      ->Arg(2)
      ->Iterations(1)
      ->Unit(benchmark::kSecond);
  for (lmc::DType type : {lmc::DType::f32, lmc::DType::f16, lmc::DType::bf16, lmc::DType::q8_0}) {
    const std::string name(lmc::dtype_name(type));
    benchmark::RegisterBenchmark(("Batched512/" + name + "/threads").c_str(), batched, type)
        ->Arg(1)
        ->Arg(2)
        ->Iterations(2)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("Decode/" + name + "/threads").c_str(), decode, type)
        ->Arg(1)
        ->Arg(2)
        ->MinTime(1.0)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  std::printf("kernel path: %s\n",
              std::string(lmc::nn::to_string(lmc::nn::active_kernel_path())).c_str());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// causal_attention alone, 1 thread, on the active kernel path (LMC_KERNEL_PATH=scalar|avx2|
// avx512 picks one): stories260K's shape (8 heads, 4 KV heads, head_dim 8) batched at context
// 1900 and 256 and decoding one token after 127; a 130M llama's (12 heads, head_dim 64)
// batched at 512 and decoding after 1899 and after 299 (also from memory, over 64 caches).
// Counters: visible (query, key) pairs per second
// per head, and
// bytes of keys and values read per second.
//
//   build/benchmarks/nn/lmc_nn_attention_benchmark [--benchmark_filter=...]
#include "nn/attention.hpp"
#include "nn/cpu_features.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace {

struct Shape {
  std::size_t n_heads, n_kv_heads, head_dim, n_queries, first_position;
  std::size_t n_caches = 1;  ///< caches attended in turn, one per iteration (> 1: from memory)
};

void attention(benchmark::State& state, Shape shape) {
  lmc::nn::AttentionConfig c;
  c.n_heads = shape.n_heads;
  c.n_kv_heads = shape.n_kv_heads;
  c.key_dim = c.value_dim = shape.head_dim;
  c.scale = 0.125f;
  const std::size_t n_keys = shape.first_position + shape.n_queries;
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const std::size_t key_floats = n_keys * c.n_kv_heads * c.key_dim;
  const std::size_t value_floats = n_keys * c.n_kv_heads * c.value_dim;
  std::vector<float> q(shape.n_queries * c.n_heads * c.key_dim), k(shape.n_caches * key_floats),
      v(shape.n_caches * value_floats), out(shape.n_queries * c.n_heads * c.value_dim);
  for (auto* x : {&q, &k, &v}) {
    for (float& f : *x) f = normal(rng);
  }
  std::size_t cache = 0;
  for (auto _ : state) {
    lmc::nn::causal_attention(c, q.data(), c.n_heads * c.key_dim, shape.n_queries,
                              shape.first_position, k.data() + cache * key_floats,
                              v.data() + cache * value_floats, out.data(), nullptr);
    benchmark::DoNotOptimize(out.data());
    cache = (cache + 1) % shape.n_caches;
  }
  // Query t sees first_position + t + 1 keys.
  const double pairs =
      static_cast<double>(shape.n_queries) * (static_cast<double>(shape.first_position) +
                                              (static_cast<double>(shape.n_queries) + 1.0) / 2.0);
  state.counters["pairs/s/head"] = benchmark::Counter(
      pairs * static_cast<double>(c.n_heads), benchmark::Counter::kIsIterationInvariantRate);
  // Bytes of keys and values a pass reads (each visible position once).
  state.counters["kv_bytes/s"] =
      benchmark::Counter(static_cast<double>((key_floats + value_floats) * sizeof(float)),
                         benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

int main(int argc, char** argv) {
  const std::pair<const char*, Shape> shapes[] = {
      {"stories/batch1900", {8, 4, 8, 1900, 0}},
      {"stories/batch256", {8, 4, 8, 256, 0}},
      {"stories/decode128", {8, 4, 8, 1, 127}},
      {"llama130m/batch512", {12, 12, 64, 512, 0}},
      {"llama130m/decode1900", {12, 12, 64, 1, 1899}},
      // One layer of one lock-step lane at alice29.txt's typical position: in cache, and
      // cycling over 64 caches (115 MB) so that keys and values come from memory as they do
      // when the decompressor advances 64 chunks.
      {"llama130m/decode300", {12, 12, 64, 1, 299}},
      {"llama130m/decode300/64caches", {12, 12, 64, 1, 299, 64}},
  };
  for (const auto& [name, shape] : shapes) {
    benchmark::RegisterBenchmark(name, attention, shape)->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  std::printf("kernel path: %s\n",
              std::string(lmc::nn::to_string(lmc::nn::active_kernel_path())).c_str());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// Forward-pass throughput on the random ~130M llama of benchmarks/support (dim 768, 12 layers,
// 12 heads, ffn 2048, vocab 32000) in F32/F16/BF16/Q8_0/Q4_K_M/Q6_K, 1 and 2 threads, next to
// the machine's F32 peak measured in the same run; quantized types twice, with the float recipe
// (<type>) and with the integer recipe (<type>-int, ModelOptions::integer_products):
//   - Peak/FMA, Peak/EigenGemm: the yardsticks of peak.hpp (widest vectors this CPU has);
//   - Matmul/<type>: lmc's matmul alone on the llama's three matrix shapes for 512 tokens
//     (768→768, 768→2048, 2048→768, weighted as in a layer), the "batched GEMM";
//   - Matmul512x7B/F32, F16: the same on a Llama-2-7B layer's shapes (4096→4096, 4096→11008,
//     11008→4096), random weights made in memory (about 0.4 GB for F32);
//   - Prompt512: 512 tokens in one batch, logits of the last one (llama-bench's pp512);
//   - Batched512: the same with logits at every position (what BPC and the compressor need);
//   - Generate128: 128 tokens one at a time from an empty context, logits of each
//     (llama-bench's tg128);
//   - Decode/<file>/tokens: for a --model file, every matrix product of one forward pass of 1
//     to 5 tokens (all layers and the output matrix, no attention), on the calling thread: the
//     decoding kernels alone, per token count.
// Kernels are chosen at run time (LMC_KERNEL_PATH=scalar|avx2|avx512 forces one).
//
//   build/benchmarks/nn/lmc_nn_forward_benchmark [--model=FILE.gguf ...] [--benchmark_filter=...]
//   LMC_BENCH_DIR=<dir> keeps the generated models between runs (default: the temp folder).
//   --model=FILE (repeatable) measures Prompt512/Batched512/Generate128 on that GGUF file or
//   Hugging Face folder instead of the generated models (cases named Prompt512/<file name>/...;
//   benchmarks/compare_llama_cpp.py runs it next to llama-bench on the same files).
//   --integer measures those files with the integer recipe.
#include "peak.hpp"
#include "random_llama.hpp"

#include <lmc/dtype.hpp>
#include "base/thread_pool.hpp"
#include "model/checkpoint.hpp"
#include "model/weight_binding.hpp"
#include "nn/cpu_features.hpp"
#include "nn/matmul.hpp"
#include "nn/transformer.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using lmc_bench::llama_ffn;

// CPU seconds used by the whole process: on a shared machine the figures per CPU-second stay
// meaningful when wall-clock rates do not.
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// A loaded model: a generated random llama of one type, or a file named with --model.
struct LoadedModel {
  std::unique_ptr<lmc::model::Checkpoint> checkpoint;
  lmc::model::BoundModel bound;
  std::unique_ptr<lmc::nn::Transformer> transformer;
};

LoadedModel& loaded(const std::filesystem::path& path, lmc::nn::QuantRecipe recipe) {
  static std::map<std::pair<std::filesystem::path, lmc::nn::QuantRecipe>,
                  std::unique_ptr<LoadedModel>>
      cache;
  auto& slot = cache[{path, recipe}];
  if (!slot) {
    slot = std::make_unique<LoadedModel>();
    slot->checkpoint = lmc::model::Checkpoint::open(path, true);
    lmc::model::bind_weights(*slot->checkpoint, slot->bound, recipe);
    slot->transformer =
        std::make_unique<lmc::nn::Transformer>(slot->bound.config, slot->bound.weights);
  }
  return *slot;
}

LoadedModel& loaded(lmc::DType type, lmc::nn::QuantRecipe recipe) {
  return loaded(lmc_bench::random_llama(type), recipe);
}

std::vector<std::int32_t> tokens(std::size_t n, std::size_t vocab) {
  std::vector<std::int32_t> t(n);
  for (std::size_t i = 0; i < n; ++i) t[i] = static_cast<std::int32_t>((i * 7919 + 1) % vocab);
  return t;
}

// Multiply-adds ×2 of every matrix of a model per token (attention not counted).
double matrix_flops_per_token(const LoadedModel& m) {
  double flop = 0;
  auto add = [&](const lmc::nn::WeightMatrix& w) {
    if (w) flop += 2.0 * static_cast<double>(w.rows * w.cols);
  };
  for (const lmc::nn::LayerWeights& l : m.bound.weights.layers) {
    for (const lmc::nn::Linear* linear : {&l.query, &l.key, &l.value, &l.query_key_value,
                                          &l.attention_output, &l.gate, &l.up, &l.down}) {
      add(linear->weight);
    }
  }
  add(m.bound.weights.output.weight);
  return flop;
}

void set_rates(benchmark::State& state, double flop_per_iteration, double cpu_seconds) {
  const double iterations = static_cast<double>(state.iterations());
  state.counters["GFLOP/s"] =
      benchmark::Counter(flop_per_iteration * iterations / 1e9, benchmark::Counter::kIsRate);
  state.counters["GFLOP/cpu-s"] = flop_per_iteration * iterations / 1e9 / cpu_seconds;
}

void peak_fma(benchmark::State& state) {
  lmc_bench::PeakRate rate;
  for (auto _ : state) rate = lmc_bench::fma_peak(static_cast<int>(state.range(0)), 2.0);
  state.counters["GFLOP/s"] = rate.gflops;
  state.counters["GFLOP/cpu-s"] = rate.gflops_per_cpu_second;
}

void peak_eigen(benchmark::State& state) {
  lmc_bench::PeakRate rate;
  for (auto _ : state)
    rate = lmc_bench::eigen_gemm_peak(1536, static_cast<int>(state.range(0)), 3.0);
  state.counters["GFLOP/s"] = rate.gflops;
  state.counters["GFLOP/cpu-s"] = rate.gflops_per_cpu_second;
}

// The three matrix shapes of a layer for 512 tokens, each as often as a layer runs it.
void matmul_layer(benchmark::State& state, LoadedModel& m) {
  lmc::base::ThreadPool pool(static_cast<std::size_t>(state.range(0)));
  const lmc::nn::LayerWeights& layer = m.bound.weights.layers[0];
  constexpr std::size_t t = 512;
  std::vector<float> x(t * llama_ffn), y(t * llama_ffn);
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : x) v = normal(rng);
  const lmc::nn::WeightMatrix* mats[] = {
      &layer.query.weight, &layer.key.weight, &layer.value.weight, &layer.attention_output.weight,
      &layer.gate.weight,  &layer.up.weight,  &layer.down.weight};
  double flop = 0;
  for (const auto* w : mats) flop += 2.0 * static_cast<double>(t * w->rows * w->cols);
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    for (const auto* w : mats) {
      lmc::nn::matmul(*w, x.data(), w->cols, t, y.data(), w->rows, nullptr, &pool);
    }
    benchmark::DoNotOptimize(y.data());
  }
  set_rates(state, flop, process_cpu_seconds() - cpu_start);
}

// The matrix shapes of a Llama-2-7B layer (dim 4096, ffn 11008) for 512 tokens, random F32 or F16
// weights made here (no model file): rows of 11008 values are what the AVX2 product's K-blocks
// are for. q, k, v, o once each, gate and up, down: one layer's products.
void matmul_7b_layer(benchmark::State& state, lmc::nn::WeightType type) {
  constexpr std::size_t t = 512, dim = 4096, ffn = 11008;
  struct Shape {
    std::size_t rows, cols, count;
  };
  constexpr Shape shapes[] = {{dim, dim, 4}, {ffn, dim, 2}, {dim, ffn, 1}};
  static std::map<lmc::nn::WeightType, std::vector<std::vector<std::byte>>> cache;
  auto& storage = cache[type];
  if (storage.empty()) {
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    for (const Shape& s : shapes) {
      const std::size_t n = s.rows * s.cols;
      std::vector<std::byte>& bytes =
          storage.emplace_back(n * (type == lmc::nn::WeightType::f16 ? 2 : 4));
      for (std::size_t i = 0; i < n; ++i) {
        const float v = normal(rng);
        if (type == lmc::nn::WeightType::f16) {
          const std::uint16_t h = lmc::f32_to_fp16(v);
          std::memcpy(bytes.data() + 2 * i, &h, 2);
        } else {
          std::memcpy(bytes.data() + 4 * i, &v, 4);
        }
      }
    }
  }
  lmc::base::ThreadPool pool(static_cast<std::size_t>(state.range(0)));
  std::vector<float> x(t * ffn), y(t * ffn);
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : x) v = normal(rng);
  double flop = 0;
  for (const Shape& s : shapes) flop += 2.0 * static_cast<double>(t * s.rows * s.cols * s.count);
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    for (std::size_t i = 0; i < std::size(shapes); ++i) {
      const lmc::nn::WeightMatrix w{type,
                                    shapes[i].rows,
                                    shapes[i].cols,
                                    storage[i].data(),
                                    0,
                                    lmc::nn::QuantRecipe::float_exact};
      for (std::size_t c = 0; c < shapes[i].count; ++c) {
        lmc::nn::matmul(w, x.data(), w.cols, t, y.data(), w.rows, nullptr, &pool);
      }
    }
    benchmark::DoNotOptimize(y.data());
  }
  set_rates(state, flop, process_cpu_seconds() - cpu_start);
}

// 512 tokens in one forward call; logits for the last position or for all of them.
void batched(benchmark::State& state, LoadedModel& m, lmc::nn::LogitsFor which) {
  lmc::base::ThreadPool pool(static_cast<std::size_t>(state.range(0)));
  const std::size_t vocab = m.bound.config.n_vocab;
  const auto input = tokens(512, vocab);
  std::vector<float> logits((which == lmc::nn::LogitsFor::all ? input.size() : 1) * vocab);
  {
    // Warm-up, untimed (as llama-bench's): page faults of the mapped weights, buffers.
    lmc::nn::KvCache cache = m.transformer->make_cache(input.size());
    m.transformer->forward(input, cache, &pool, which, logits.data());
  }
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    lmc::nn::KvCache cache = m.transformer->make_cache(input.size());
    m.transformer->forward(input, cache, &pool, which, logits.data());
    benchmark::DoNotOptimize(logits.data());
  }
  const double n = static_cast<double>(input.size());
  const double cpu = process_cpu_seconds() - cpu_start;
  state.counters["tokens/s"] =
      benchmark::Counter(n * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["tokens/cpu-s"] = n * static_cast<double>(state.iterations()) / cpu;
  double flop = n * matrix_flops_per_token(m);
  if (which != lmc::nn::LogitsFor::all) {
    flop -= (n - 1) * 2.0 * static_cast<double>(vocab * m.bound.config.n_embd);
  }
  set_rates(state, flop, cpu);
}

// 128 tokens fed one at a time from an empty context, with the logits of each.
void generate(benchmark::State& state, LoadedModel& m) {
  lmc::base::ThreadPool pool(static_cast<std::size_t>(state.range(0)));
  const std::size_t vocab = m.bound.config.n_vocab;
  const auto input = tokens(128, vocab);
  lmc::nn::KvCache cache = m.transformer->make_cache(input.size());
  std::vector<float> logits(vocab);
  // Warm-up, untimed: one token (as llama-bench's).
  m.transformer->forward(std::span<const std::int32_t>(input.data(), 1), cache, &pool,
                         lmc::nn::LogitsFor::last, logits.data());
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    cache.reset();
    for (const std::int32_t& token : input) {
      m.transformer->forward(std::span<const std::int32_t>(&token, 1), cache, &pool,
                             lmc::nn::LogitsFor::last, logits.data());
    }
    benchmark::DoNotOptimize(logits.data());
  }
  const double n = static_cast<double>(state.iterations()) * static_cast<double>(input.size());
  const double cpu = process_cpu_seconds() - cpu_start;
  state.counters["tokens/s"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  state.counters["tokens/cpu-s"] = n / cpu;
  state.counters["GB/s"] = benchmark::Counter(n * static_cast<double>(m.bound.weight_bytes) / 1e9,
                                              benchmark::Counter::kIsRate);
}

// Every matrix of the model (each layer's and the output's) against `tokens` rows of X, on the
// calling thread: what one forward pass of that many tokens spends in matmul.
void decode_products(benchmark::State& state, LoadedModel& m) {
  const auto t = static_cast<std::size_t>(state.range(0));
  std::vector<const lmc::nn::WeightMatrix*> mats;
  for (const lmc::nn::LayerWeights& l : m.bound.weights.layers) {
    for (const lmc::nn::Linear* linear : {&l.query, &l.key, &l.value, &l.query_key_value,
                                          &l.attention_output, &l.gate, &l.up, &l.down}) {
      if (linear->weight) mats.push_back(&linear->weight);
    }
  }
  if (m.bound.weights.output.weight) mats.push_back(&m.bound.weights.output.weight);
  std::size_t width = 0, height = 0;
  for (const auto* w : mats) width = std::max(width, w->cols), height = std::max(height, w->rows);
  std::vector<float> x(t * width), y(t * height);
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : x) v = normal(rng);
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    for (const auto* w : mats) {
      lmc::nn::matmul(*w, x.data(), width, t, y.data(), height, nullptr, nullptr);
    }
    benchmark::DoNotOptimize(y.data());
  }
  const double n = static_cast<double>(state.iterations()) * static_cast<double>(t);
  state.counters["tokens/cpu-s"] = n / (process_cpu_seconds() - cpu_start);
  // The bytes of the matrices read per pass (the embedding table is not one of them).
  double bytes = 0;
  for (const auto* w : mats) bytes += static_cast<double>(w->rows * w->row_bytes());
  state.counters["GB/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * bytes / 1e9,
                                              benchmark::Counter::kIsRate);
}

// The whole-model cases of one model under `name`, with 1 and 2 threads.
void register_model_cases(const std::string& name, const std::function<LoadedModel&()>& model) {
  benchmark::RegisterBenchmark(
      ("Prompt512/" + name + "/threads").c_str(),
      [model](benchmark::State& state) { batched(state, model(), lmc::nn::LogitsFor::last); })
      ->Arg(1)
      ->Arg(2)
      ->Iterations(2)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(
      ("Batched512/" + name + "/threads").c_str(),
      [model](benchmark::State& state) { batched(state, model(), lmc::nn::LogitsFor::all); })
      ->Arg(1)
      ->Arg(2)
      ->Iterations(2)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(("Generate128/" + name + "/threads").c_str(),
                               [model](benchmark::State& state) { generate(state, model()); })
      ->Arg(1)
      ->Arg(2)
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  // --model=FILE arguments are ours; the rest go to Google Benchmark.
  std::vector<std::filesystem::path> models;
  lmc::nn::QuantRecipe file_recipe = lmc::nn::QuantRecipe::float_exact;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    if (arg.starts_with("--model=")) {
      models.emplace_back(std::string(arg.substr(8)));
    } else if (arg == "--integer") {
      file_recipe = lmc::nn::QuantRecipe::integer;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::RegisterBenchmark("Peak/FMA/threads", peak_fma)
      ->Arg(1)
      ->Arg(2)
      ->Iterations(1)
      ->Unit(benchmark::kSecond);
  benchmark::RegisterBenchmark("Peak/EigenGemm1536/threads", peak_eigen)
      ->Arg(1)
      ->Arg(2)
      ->Iterations(1)
      ->Unit(benchmark::kSecond);
  for (const std::filesystem::path& path : models) {
    register_model_cases(path.filename().string(), [path, file_recipe]() -> LoadedModel& {
      return loaded(path, file_recipe);
    });
    benchmark::RegisterBenchmark(("Decode/" + path.filename().string() + "/tokens").c_str(),
                                 [path, file_recipe](benchmark::State& state) {
                                   decode_products(state, loaded(path, file_recipe));
                                 })
        ->DenseRange(1, 5)
        ->MinTime(1.0)
        ->Unit(benchmark::kMillisecond);
  }
  if (models.empty()) {
    using lmc::nn::QuantRecipe;
    for (lmc::DType type : {lmc::DType::f32, lmc::DType::f16, lmc::DType::bf16, lmc::DType::q8_0,
                            lmc::DType::q4_k, lmc::DType::q6_k}) {
      const bool quantized = lmc::dtype_block_size(type) > 1;
      for (QuantRecipe recipe : {QuantRecipe::float_exact, QuantRecipe::integer}) {
        if (!quantized && recipe == QuantRecipe::integer) continue;
        const std::string name = (type == lmc::DType::q4_k ? std::string("Q4_K_M")
                                                           : std::string(lmc::dtype_name(type))) +
                                 (recipe == QuantRecipe::integer ? "-int" : "");
        benchmark::RegisterBenchmark(
            ("Matmul512/" + name + "/threads").c_str(),
            [type, recipe](benchmark::State& state) { matmul_layer(state, loaded(type, recipe)); })
            ->Arg(1)
            ->Arg(2)
            ->MinTime(1.0)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
        register_model_cases(name,
                             [type, recipe]() -> LoadedModel& { return loaded(type, recipe); });
      }
    }
    for (lmc::nn::WeightType type : {lmc::nn::WeightType::f32, lmc::nn::WeightType::f16}) {
      benchmark::RegisterBenchmark(
          (std::string("Matmul512x7B/") + (type == lmc::nn::WeightType::f16 ? "F16" : "F32") +
           "/threads")
              .c_str(),
          [type](benchmark::State& state) { matmul_7b_layer(state, type); })
          ->Arg(1)
          ->Arg(2)
          ->Iterations(1)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  benchmark::Initialize(&argc, argv);
  std::fprintf(stderr, "kernel path: %s, peak measured with: %s\n",
               std::string(lmc::nn::to_string(lmc::nn::active_kernel_path())).c_str(),
               lmc_bench::peak_vector_path());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

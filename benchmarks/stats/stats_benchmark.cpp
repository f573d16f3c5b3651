// How long a study analysis takes: every statistic on n models, and the resampling that
// dominates it. Run: build/benchmarks/stats/lmc_stats_benchmarks
#include <lmc/stats.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

namespace {

struct Sample {
  std::vector<double> x, y;
};

// A deterministic paper-like sample: score falls with BPC, with some scatter.
Sample make_sample(std::size_t n) {
  Sample sample;
  for (std::size_t i = 0; i < n; ++i) {
    const double bpc = 0.5 + 0.25 * static_cast<double>(i) / static_cast<double>(n);
    sample.x.push_back(bpc);
    sample.y.push_back(110 - 120 * bpc + 3 * std::sin(static_cast<double>(i) * 1.7));
  }
  return sample;
}

void BM_AnalyzeWithoutResampling(benchmark::State& state) {
  const Sample sample = make_sample(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(lmc::stats::analyze(sample.x, sample.y));
}
BENCHMARK(BM_AnalyzeWithoutResampling)->Arg(30)->Arg(200);

void BM_PermutationTest(benchmark::State& state) {
  const Sample sample = make_sample(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(lmc::stats::permutation_test(
        sample.x, sample.y, lmc::stats::Alternative::two_sided, {.resamples = 9999}));
  }
}
BENCHMARK(BM_PermutationTest)->Arg(30)->Unit(benchmark::kMillisecond);

void BM_Bootstrap(benchmark::State& state) {
  const Sample sample = make_sample(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(lmc::stats::bootstrap(sample.x, sample.y, {.resamples = 9999}));
  }
}
BENCHMARK(BM_Bootstrap)->Arg(30)->Unit(benchmark::kMillisecond);

void BM_KendallExact(benchmark::State& state) {
  Sample sample = make_sample(33);
  for (auto _ : state) benchmark::DoNotOptimize(lmc::stats::kendall(sample.x, sample.y));
}
BENCHMARK(BM_KendallExact);

}  // namespace

BENCHMARK_MAIN();

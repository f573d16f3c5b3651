// Speed of the coding stage on its own: the logits-to-frequencies mapping (per token, by
// vocabulary size), the range coder, and whole compress/decompress runs with the test's fake
// bigram model on alice29.txt (so the figures show the coder's cost without a forward pass).
#include <lmc/compressor.hpp>

#include "coding/range_coder.hpp"
#include "coding/token_frequencies.hpp"
#include "support/fake_model.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace {

void BM_TokenFrequencies(benchmark::State& state) {
  auto vocab = static_cast<std::size_t>(state.range(0));
  std::mt19937 random(1);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> logits(vocab);
  for (auto& logit : logits) logit = normal(random);
  lmc::coding::TokenFrequencies table;
  std::size_t token = 0;
  for (auto _ : state) {
    table.assign(logits);
    benchmark::DoNotOptimize(table.cumulative(token));
    token = (token + 7919) % vocab;
  }
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TokenFrequencies)->Arg(512)->Arg(32000)->Arg(152064);

void BM_RangeEncoder(benchmark::State& state) {
  std::vector<std::byte> out;
  out.reserve(1 << 24);
  for (auto _ : state) {
    out.clear();
    lmc::coding::RangeEncoder encoder(out);
    for (std::uint64_t i = 0; i < 100000; ++i)
      encoder.encode((i * 2654435761u) & 0xFFFF, 1, 1 << 16);
    encoder.finish();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 100000);
}
BENCHMARK(BM_RangeEncoder);

std::string alice() {
  std::filesystem::path path =
      std::filesystem::path(LMC_TESTDATA_DIR) / "corpora/classic/canterbury/alice29.txt";
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::string text;
    for (int i = 0; i < 100; ++i) text += lmc_test::english_sample();
    return text;
  }
  return {std::istreambuf_iterator<char>(file), {}};
}

void BM_Compress(benchmark::State& state) {
  static const std::string text = alice();
  static const lmc_test::FakeModel model(text);
  lmc::Compressor compressor(model, {.threads = static_cast<std::size_t>(state.range(0))});
  auto input = lmc_test::as_bytes(text);
  std::size_t size = 0;
  for (auto _ : state) size = compressor.compress(input).size();
  auto tokens = static_cast<double>(compressor.estimate(input).tokens);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
  state.counters["tokens/s"] = benchmark::Counter(tokens * static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate);
  state.counters["bits_per_byte"] =
      8.0 * static_cast<double>(size) / static_cast<double>(input.size());
}
BENCHMARK(BM_Compress)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Decompress(benchmark::State& state) {
  static const std::string text = alice();
  static const lmc_test::FakeModel model(text);
  lmc::Compressor compressor(model, {.threads = static_cast<std::size_t>(state.range(0))});
  auto input = lmc_test::as_bytes(text);
  auto container = compressor.compress(input);
  for (auto _ : state) benchmark::DoNotOptimize(compressor.decompress(container).data());
  auto tokens = static_cast<double>(compressor.estimate(input).tokens);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
  state.counters["tokens/s"] = benchmark::Counter(tokens * static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Decompress)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Baselines(benchmark::State& state) {
  static const std::string text = alice();
  auto input = lmc_test::as_bytes(text);
  lmc::BaselineSizes sizes;
  for (auto _ : state) sizes = lmc::baseline_sizes(input);
  state.counters["gzip9_bits_per_byte"] =
      8.0 * static_cast<double>(sizes.gzip9) / static_cast<double>(input.size());
  state.counters["zstd19_bits_per_byte"] =
      8.0 * static_cast<double>(sizes.zstd19_long) / static_cast<double>(input.size());
}
BENCHMARK(BM_Baselines)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

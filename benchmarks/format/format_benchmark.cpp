// Throughput of row dequantization per type, and of opening GGUF files (metadata parsing,
// large string arrays).
#include <lmc/gguf.hpp>

#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>
#include <vector>

namespace {

constexpr std::int64_t row_elements = 4096;

void BM_DequantizeRow(benchmark::State& state) {
  const auto type = static_cast<lmc::DType>(state.range(0));
  state.SetLabel(std::string(lmc::dtype_name(type)));
  // Random bytes are valid blocks for every type except for NaN/inf scales, which do not
  // change the work done.
  std::vector<std::byte> row(lmc::dtype_row_bytes(type, row_elements));
  std::mt19937 generator(1);
  for (auto& b : row) b = static_cast<std::byte>(generator() & 0x3b);  // keep f16 scales finite
  std::vector<float> out(row_elements);
  for (auto _ : state) {
    lmc::dequantize_row(type, row.data(), out.data(), row_elements);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * row_elements);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(row.size()));
}
BENCHMARK(BM_DequantizeRow)->DenseRange(0, lmc::dtype_count - 1);

void BM_QuantizeRowQ8_0(benchmark::State& state) {
  std::vector<float> values(row_elements);
  std::mt19937 generator(2);
  std::normal_distribution<float> normal;
  for (auto& v : values) v = normal(generator);
  std::vector<std::byte> row(lmc::dtype_row_bytes(lmc::DType::q8_0, row_elements));
  for (auto _ : state) {
    lmc::quantize_row(lmc::DType::q8_0, values.data(), row.data(), row_elements);
    benchmark::DoNotOptimize(row.data());
  }
  state.SetItemsProcessed(state.iterations() * row_elements);
}
BENCHMARK(BM_QuantizeRowQ8_0);

void BM_OpenGguf(benchmark::State& state, const char* relative) {
  const auto path = std::filesystem::path(LMC_TESTDATA_DIR) / relative;
  if (!std::filesystem::exists(path)) {
    state.SkipWithError("testdata not found");
    return;
  }
  for (auto _ : state) {
    auto file = lmc::GgufFile::open(path);
    benchmark::DoNotOptimize(file.tensors().data());
  }
}
// 151,669 tokens and 151,387 merges as string arrays.
BENCHMARK_CAPTURE(BM_OpenGguf, qwen2_vocab, "vocab/ggml-vocab-qwen2.gguf")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OpenGguf, stories260K, "models/stories260K.gguf")
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

// Tokenizer speed: encode throughput (MB/s of UTF-8 input, one thread) on the evaluation
// sets of ../shared/testdata/corpora, and load time of the large tokenizer.json files.
//
//   build/benchmarks/tokenizer/lmc_tokenizer_benchmark
#include <lmc/tokenizer.hpp>

#include <benchmark/benchmark.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::filesystem::path testdata(const std::string& relative) {
  return std::filesystem::path(LMC_TESTDATA_DIR) / relative;
}

// The "content" of every record of a corpus set.
const std::vector<std::string>& documents(const std::string& set) {
  static std::map<std::string, std::vector<std::string>> cache;
  auto it = cache.find(set);
  if (it != cache.end()) return it->second;
  std::vector<std::string> out;
  std::ifstream in(testdata("corpora/sets/" + set + ".jsonl"));
  std::string line;
  while (std::getline(in, line)) {
    rapidjson::Document d;
    d.Parse(line.data(), line.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("content")) continue;
    out.emplace_back(d["content"].GetString(), d["content"].GetStringLength());
  }
  return cache.emplace(set, std::move(out)).first->second;
}

const lmc::Tokenizer& tokenizer(const std::string& path) {
  static std::map<std::string, lmc::Tokenizer> cache;
  auto it = cache.find(path);
  if (it == cache.end()) it = cache.emplace(path, lmc::Tokenizer::from_file(testdata(path))).first;
  return it->second;
}

void encode(benchmark::State& state, const std::string& tokenizer_path, const std::string& set) {
  if (!std::filesystem::exists(testdata(tokenizer_path))) {
    state.SkipWithError("testdata not found");
    return;
  }
  const lmc::Tokenizer& t = tokenizer(tokenizer_path);
  const auto& docs = documents(set);
  std::size_t bytes = 0, tokens = 0;
  for (auto _ : state) {
    for (const auto& doc : docs) {
      auto ids = t.encode(doc);
      tokens += ids.size();
      bytes += doc.size();
      benchmark::DoNotOptimize(ids.data());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["bytes_per_token"] =
      tokens ? static_cast<double>(bytes) / static_cast<double>(tokens) : 0.0;
}

void load(benchmark::State& state, const std::string& tokenizer_path) {
  if (!std::filesystem::exists(testdata(tokenizer_path))) {
    state.SkipWithError("testdata not found");
    return;
  }
  for (auto _ : state) {
    auto t = lmc::Tokenizer::from_file(testdata(tokenizer_path));
    benchmark::DoNotOptimize(t.vocab_size());
  }
}

const int registered = [] {
  const std::pair<const char*, const char*> tokenizers[] = {
      {"llama3", "tokenizers/llama3"},
      {"qwen3", "tokenizers/qwen3"},
      {"llama2-json", "tokenizers/llama2"},
      {"llama-spm-gguf", "vocab/ggml-vocab-llama-spm.gguf"},
  };
  for (const auto& [name, path] : tokenizers) {
    for (const char* set : {"cc_like", "python", "arxiv_math_like"}) {
      benchmark::RegisterBenchmark((std::string("encode/") + name + "/" + set).c_str(), encode,
                                   std::string(path), std::string(set))
          ->Unit(benchmark::kMillisecond)
          ->MinTime(1.0);
    }
  }
  for (const char* name : {"llama3", "qwen3", "gemma3", "deepseek_v3"}) {
    benchmark::RegisterBenchmark((std::string("load/") + name).c_str(), load,
                                 std::string("tokenizers/") + name)
        ->Unit(benchmark::kMillisecond)
        ->MinTime(2.0);
  }
  return 0;
}();

}  // namespace

BENCHMARK_MAIN();

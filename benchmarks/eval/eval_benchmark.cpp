// Throughput of the parts of a BPC evaluation that are not the model: reading corpora (plain,
// gzip, zstd) and the evaluator's own bookkeeping around a scorer that costs nothing.
//
//   build/benchmarks/eval/lmc_eval_benchmarks
#include <lmc/eval.hpp>

#include "eval/scorer.hpp"

#include <benchmark/benchmark.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace {

const std::string kCorpus = std::string(LMC_TESTDATA_DIR) + "/corpora/sets/cc_like.jsonl";

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Removes the compressed copies when the program ends.
struct Cleanup {
  std::string base;
  ~Cleanup() {
    std::error_code ignored;
    std::filesystem::remove(base + ".jsonl.gz", ignored);
    std::filesystem::remove(base + ".jsonl.zst", ignored);
  }
};

// Compressed copies of the corpus in the temporary folder, made once.
const std::string& copy_of(const std::string& kind) {
  static const Cleanup cleanup{
      (std::filesystem::temp_directory_path() / ("lmc_eval_bench_" + std::to_string(::getpid())))
          .string()};
  static const std::string& base = cleanup.base;
  static const std::string gz = [] {
    const std::string bytes = read_bytes(kCorpus);
    uLongf size = compressBound(static_cast<uLong>(bytes.size())) + 64;
    std::string out(size, '\0');
    z_stream stream{};
    deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    stream.avail_in = static_cast<uInt>(bytes.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    write_bytes(base + ".jsonl.gz", out);
    return base + ".jsonl.gz";
  }();
  static const std::string zst = [] {
    const std::string bytes = read_bytes(kCorpus);
    std::string out(ZSTD_compressBound(bytes.size()), '\0');
    out.resize(ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), 3));
    write_bytes(base + ".jsonl.zst", out);
    return base + ".jsonl.zst";
  }();
  if (kind == "gz") return gz;
  if (kind == "zst") return zst;
  return kCorpus;
}

void read_corpus(benchmark::State& state, const std::string& kind) {
  if (!std::filesystem::exists(kCorpus)) {
    state.SkipWithError("testdata not found");
    return;
  }
  const std::string& path = copy_of(kind);
  std::int64_t bytes = 0;
  for (auto _ : state) {
    lmc::Corpus corpus = lmc::Corpus::open(path);
    lmc::Document document;
    while (corpus.next(document)) bytes += static_cast<std::int64_t>(document.text.size());
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK_CAPTURE(read_corpus, plain, std::string("plain"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(read_corpus, gzip, std::string("gz"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(read_corpus, zstd, std::string("zst"))->Unit(benchmark::kMillisecond);

class FreeScorer final : public lmc::eval::LogprobScorer {
 public:
  std::vector<float> score(std::span<const lmc::Token> window, std::size_t first_target) override {
    return std::vector<float>(window.size() - first_target, -1.0f);
  }
};

// Everything but the model: reading, a byte tokenizer, windows, accounting.
void evaluator_overhead(benchmark::State& state) {
  if (!std::filesystem::exists(kCorpus)) {
    state.SkipWithError("testdata not found");
    return;
  }
  lmc::eval::EvalTokenizer tokenizer;
  tokenizer.encode = [](std::string_view text) {
    std::vector<lmc::Token> ids{0};
    for (unsigned char c : text) ids.push_back(c + 1);
    return ids;
  };
  tokenizer.bos = 0;
  FreeScorer scorer;
  std::int64_t scored = 0;
  for (auto _ : state) {
    lmc::Corpus corpus = lmc::Corpus::open(kCorpus);
    scored += static_cast<std::int64_t>(
        lmc::eval::evaluate_bpc(corpus, tokenizer, scorer).scored_tokens());
  }
  state.SetItemsProcessed(scored);
}
BENCHMARK(evaluator_overhead)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

// The acceptance sweep of the compressor with the real model (stories260K): every file under
// corpora/ whole (classic files, and each set as one file) round-trips byte for byte, compressed
// with N threads and decompressed with M threads, N, M in {1, 2}, across every SIMD path this
// CPU supports; and the coding overhead over the ideal Σ −log2 p on the whole of cc_like.jsonl.
//
// Slow, so it has its own label (corpus_sweep) and is not part of the default CI run. To keep
// it cheap, each file is compressed once and decompressed once, under one configuration
// (N, compress path, M, decompress path): every combination of N, M and an ordered pair of
// different paths (24 with three paths) is given to one file. Files go smallest first, and the
// combinations that involve the scalar path (several times slower than the vector paths) go to
// the smallest files; the larger files cycle through the combinations of the vector paths (with
// one vector path only, as on an AVX2-only CPU, that path on both sides, threads crossed). Each
// file is cut into at least two chunks (chunk size min(32 KiB, ceil(size / 2))) so that two
// threads have work. Each file's first chunk is compressed again with the other thread count on
// the decompressing path and must give the same stream: the container depends on neither.
// The escape path is not chosen by cost here (choose_by_cost = false): stories260K predicts
// most of the corpus worse than an order-0 byte model, so with the choice most files would be
// escaped and the model's decoding would hardly be crossed between paths; this way every piece
// the tokenizer reproduces is coded and decoded with the model. The choice itself is covered by
// the fast tests (lmc_coding_tests, lmc_coding_model_tests).
#include <lmc/coding_model.hpp>
#include <lmc/compressor.hpp>
#include <lmc/model.hpp>

#include "coding/stories_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using lmc::nn::KernelPath;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Every corpus file, smallest first.
std::vector<fs::path> corpus_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(lmc_test::testdata("corpora"))) {
    const fs::path& p = entry.path();
    if (!entry.is_regular_file()) continue;
    if (p.parent_path().filename() == "corpora") continue;  // README, checksums and scripts
    files.push_back(p);
  }
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    const auto size_a = fs::file_size(a), size_b = fs::file_size(b);
    return size_a != size_b ? size_a < size_b : a < b;
  });
  return files;
}

struct Configuration {
  std::size_t compress_threads;
  KernelPath compress_path;
  std::size_t decompress_threads;
  KernelPath decompress_path;
};

// Every (N, compress path, M, decompress path) with different paths, those involving paths[0]
// (scalar, the slow one) first. Where no two different vector paths exist (an AVX2-only CPU),
// each vector path is also paired with itself, the thread counts still crossed: otherwise every
// combination involves the scalar path, and the largest files would all run it (hours).
std::vector<Configuration> configurations(const std::vector<KernelPath>& paths) {
  std::vector<Configuration> slow, fast;
  const auto add = [&](std::size_t from, std::size_t to) {
    for (std::size_t n : {1, 2}) {
      for (std::size_t m : {1, 2}) {
        (from == 0 || to == 0 ? slow : fast).push_back({n, paths[from], m, paths[to]});
      }
    }
  };
  for (std::size_t from = 0; from < paths.size(); ++from) {
    for (std::size_t to = 0; to < paths.size(); ++to) {
      if (from != to) add(from, to);
    }
  }
  if (fast.empty()) {
    for (std::size_t path = 1; path < paths.size(); ++path) add(path, path);
  }
  if (slow.empty() && fast.empty()) add(0, 0);  // the scalar path alone
  slow.insert(slow.end(), fast.begin(), fast.end());
  return slow;
}

// File i (smallest first) gets combination i; files beyond them cycle through the combinations
// without the slow path (or through all when every combination involves it).
Configuration configuration(std::size_t i, const std::vector<Configuration>& all,
                            std::size_t slow_count) {
  if (i < all.size()) return all[i];
  const std::size_t fast = all.size() - slow_count;
  return fast > 0 ? all[slow_count + (i - all.size()) % fast] : all[i % all.size()];
}

std::span<const std::byte> chunk_stream(std::span<const std::byte> container,
                                        const lmc::ChunkInfo& chunk) {
  return container.subspan(chunk.compressed_offset, chunk.compressed_size);
}

// Coded bytes (chunk streams) of cc_like.jsonl against Σ −log2 p from Model::token_logprobs.
void expect_overhead_below_half_percent(const lmc::Model& model, std::span<const std::byte> input,
                                        std::span<const std::byte> container) {
  const lmc::ContainerInfo info = lmc::inspect(container);
  std::uint64_t coded = 0;
  for (const lmc::ChunkInfo& chunk : info.chunks) coded += chunk.compressed_size;
  const auto started = Clock::now();
  const double ideal_bytes = lmc_test::ideal_bits(model, input, info.chunk_bytes, info.context) / 8;
  const double overhead = static_cast<double>(coded) / ideal_bytes - 1;
  std::printf("cc_like.jsonl: ideal %.1f bytes, coded %llu bytes (%+.3f %%), ideal in %.0f s\n",
              ideal_bytes, static_cast<unsigned long long>(coded), 100 * overhead,
              seconds_since(started));
  EXPECT_LE(overhead, 0.005);
}

TEST(CorpusSweep, EveryFileRoundTripsAcrossThreadsAndPaths) {
  LMC_REQUIRE_TESTDATA();
  lmc_test::KernelPathGuard guard;
  lmc::Model model = lmc_test::load_stories();
  const std::vector<KernelPath> paths = lmc_test::supported_paths();
  const std::vector<fs::path> files = corpus_files();
  ASSERT_GE(files.size(), 30u);
  // A prefix of the file list (LMC_SWEEP_FILES=n) for a shorter run; the default is all.
  std::size_t count = files.size();
  if (const char* limit = std::getenv("LMC_SWEEP_FILES")) {
    count = std::min(count, static_cast<std::size_t>(std::stoul(limit)));
  }
  const std::vector<Configuration> all = configurations(paths);
  const std::size_t combinations = all.size();
  const auto slow_count =
      static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [&](const Configuration& c) {
        return c.compress_path == paths[0] || c.decompress_path == paths[0];
      }));
  std::printf("%zu files, %zu SIMD paths, %zu combinations\n", count, paths.size(), combinations);
  std::uint64_t total_in = 0, total_out = 0;
  double compress_seconds = 0, decompress_seconds = 0;
  const auto started = Clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    const fs::path& file = files[i];
    const Configuration c = configuration(i, all, slow_count);
    const std::vector<std::byte> input = lmc_test::read_bytes(file);
    const std::size_t chunk_bytes =
        std::clamp<std::size_t>((input.size() + 1) / 2, 1, std::size_t{1} << 15);

    lmc::nn::force_kernel_path(c.compress_path);
    lmc::Compressor compressor(
        model,
        {.threads = c.compress_threads, .chunk_bytes = chunk_bytes, .choose_by_cost = false});
    auto t = Clock::now();
    const std::vector<std::byte> container = compressor.compress(input);
    const double compressed_in = seconds_since(t);

    lmc::nn::force_kernel_path(c.decompress_path);
    lmc::Compressor decompressor(model,
                                 {.threads = c.decompress_threads, .chunk_bytes = chunk_bytes});
    t = Clock::now();
    EXPECT_TRUE(decompressor.decompress(container) == input) << file;
    const double decompressed_in = seconds_since(t);

    // The first chunk again, with the other thread count on the decompressing path.
    const lmc::ContainerInfo info = lmc::inspect(container);
    if (!info.chunks.empty()) {
      lmc::Compressor other(
          model,
          {.threads = 3 - c.compress_threads, .chunk_bytes = chunk_bytes, .choose_by_cost = false});
      const auto first = std::span(input).first(info.chunks[0].original_size);
      const std::vector<std::byte> again = other.compress(first);
      const auto a = chunk_stream(container, info.chunks[0]);
      const auto b = chunk_stream(again, lmc::inspect(again).chunks[0]);
      EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()))
          << file << ": the first chunk's stream depends on the path or thread count";
    }
    if (file.filename() == "cc_like.jsonl") {
      expect_overhead_below_half_percent(model, input, container);
    }

    total_in += input.size();
    total_out += container.size();
    compress_seconds += compressed_in;
    decompress_seconds += decompressed_in;
    std::printf(
        "%2zu/%zu %-22s %8zu -> %8zu bytes (%5.2f bits/byte)  compress N=%zu %-6s %6.1f s, "
        "decompress M=%zu %-6s %6.1f s, elapsed %.0f s\n",
        i + 1, count, file.filename().c_str(), input.size(), container.size(),
        input.empty() ? 0.0 : 8.0 * static_cast<double>(container.size()) / input.size(),
        c.compress_threads, std::string(lmc::nn::to_string(c.compress_path)).c_str(), compressed_in,
        c.decompress_threads, std::string(lmc::nn::to_string(c.decompress_path)).c_str(),
        decompressed_in, seconds_since(started));
    std::fflush(stdout);  // progress of a long run
  }
  const double mb = static_cast<double>(total_in) / 1e6;
  std::printf(
      "%zu files, %llu -> %llu bytes; compress %.0f s (%.1f s/MB), decompress %.0f s "
      "(%.1f s/MB), total %.0f s\n",
      count, static_cast<unsigned long long>(total_in), static_cast<unsigned long long>(total_out),
      compress_seconds, compress_seconds / mb, decompress_seconds, decompress_seconds / mb,
      seconds_since(started));
  if (count == files.size()) {
    EXPECT_GE(count, combinations);
  }
}

}  // namespace

// lmc-bpc's demo (no --corpus): the bundled samples of prose, Python and LaTeX mathematics,
// each measured under the model with the paper's window (1900 tokens, stride 512) and
// compressed with gzip -9, xz -9e and zstd -19, all as bits per character and per byte.
#pragma once

#include <lmc/lmc.hpp>

#include "bundled.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

namespace bpc_demo {

inline std::vector<std::byte> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw lmc::Error(lmc::ErrorCode::io, path.string() + ": cannot open");
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto* bytes = reinterpret_cast<const std::byte*>(text.data());
  return {bytes, bytes + text.size()};
}

/// Prints one row per sample; returns 0.
inline int run(const lmc::Model& model, const std::string& model_path,
               const lmc::BpcOptions& options) {
  std::printf("model    %s\n", model_path.c_str());
  std::printf(
      "windows  %zu tokens, stride %zu (%s mode); baselines: compressed size of each "
      "sample alone\n\n",
      options.context, options.stride, std::string(lmc::to_string(options.mode)).c_str());
  std::printf("%-10s %6s %6s | %-15s | %-15s | %-15s | %-15s\n", "", "", "", "      lmc",
              "    gzip -9", "    xz -9e", " zstd -19 long");
  std::printf("%-10s %6s %6s | %7s %7s | %7s %7s | %7s %7s | %7s %7s\n", "sample", "chars", "bytes",
              "BPC", "bits/B", "BPC", "bits/B", "BPC", "bits/B", "BPC", "bits/B");
  for (const std::filesystem::path& sample : bundled::demo_samples()) {
    lmc::Corpus corpus = lmc::Corpus::open(sample.string(), {.format = lmc::CorpusFormat::text});
    const lmc::BpcResult result = lmc::evaluate_bpc(model, corpus, options);
    const std::vector<std::byte> bytes = read_file(sample);
    const lmc::BaselineSizes sizes = lmc::baseline_sizes(bytes);
    const auto chars = static_cast<double>(result.characters());
    const auto n_bytes = static_cast<double>(result.bytes());
    std::printf("%-10s %6.0f %6.0f | %7.3f %7.3f", sample.filename().c_str(), chars, n_bytes,
                result.bpc(), result.bits_per_byte());
    for (std::uint64_t size : {sizes.gzip9, sizes.xz9e, sizes.zstd19_long}) {
      const double bits = 8.0 * static_cast<double>(size);
      std::printf(" | %7.3f %7.3f", bits / chars, bits / n_bytes);
    }
    std::printf("\n");
  }
  return 0;
}

}  // namespace bpc_demo

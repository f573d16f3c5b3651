// The round-trip soak: thousands of generated inputs (empty, one byte, every byte value, long
// runs, invalid UTF-8, random binary, text made of the vocabulary's longest tokens, sizes around
// every chunk and window boundary) compressed and decompressed with the real model
// (stories260K), crossing thread counts, chunk sizes, window lengths and SIMD kernel paths.
// Every case must come back byte for byte, and a container must not depend on the thread count
// or the kernel path that made it.
//
// Long: label corpus_sweep (not in the default run). Environment:
//   LMC_SOAK_CASES  cases to run (default 10000)
//   LMC_SOAK_SEED   first seed (default 1); case i uses seed LMC_SOAK_SEED + i
//   LMC_SOAK_ONLY   run only the case of this seed (what a failure prints, to replay it)
#include <lmc/compressor.hpp>
#include <lmc/error.hpp>
#include <lmc/model.hpp>
#include <lmc/tokenizer.hpp>

#include "coding/stories_support.hpp"
#include "nn/cpu_features.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::strtoull(value, nullptr, 10) : fallback;
}

// Settings a case is coded with: chunk bytes and window tokens small enough that most inputs
// cross several chunks and windows.
constexpr std::size_t kChunkSizes[] = {1, 7, 64, 255, 1000};
constexpr std::size_t kContexts[] = {2, 9, 32, 128};

struct Case {
  std::string kind;
  std::vector<std::byte> input;
  std::size_t chunk_bytes = 0;
  std::size_t context = 0;
};

// The vocabulary's tokens, longest first, as the bytes they decode to.
std::vector<std::string> longest_tokens(const lmc::Tokenizer& tokenizer, std::size_t count) {
  std::vector<std::string> tokens;
  for (std::size_t id = 0; id < tokenizer.vocab_size(); ++id) {
    const auto token = static_cast<lmc::Token>(id);
    if (tokenizer.is_special(token) || tokenizer.is_byte_token(token)) continue;
    tokens.push_back(tokenizer.token_bytes(token));
  }
  std::stable_sort(tokens.begin(), tokens.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  tokens.resize(std::min(tokens.size(), count));
  return tokens;
}

Case make_case(std::uint64_t seed, const std::vector<std::string>& long_tokens) {
  std::mt19937_64 rng(seed);
  auto below = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  Case c;
  c.chunk_bytes = kChunkSizes[below(std::size(kChunkSizes))];
  c.context = kContexts[below(std::size(kContexts))];
  // A size near a multiple of the chunk size (or just a small one).
  auto boundary_size = [&] {
    const std::size_t multiple = c.chunk_bytes * (1 + below(4));
    const std::size_t size = multiple + below(3) - 1;  // multiple - 1, multiple, multiple + 1
    return std::min<std::size_t>(size, 1200);
  };
  std::string bytes;
  switch (below(10)) {
    case 0:
      c.kind = "empty or one byte";
      if (below(4) != 0) bytes.push_back(static_cast<char>(below(256)));
      break;
    case 1:
      c.kind = "every byte value";
      for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
      if (below(2) == 0) std::shuffle(bytes.begin(), bytes.end(), rng);
      break;
    case 2: {
      c.kind = "long run";
      const char fill = below(2) == 0 ? " a\n\xFF\0e"[below(6)] : static_cast<char>(below(256));
      bytes.assign(boundary_size(), fill);
      break;
    }
    case 3: {
      c.kind = "invalid UTF-8";
      static const char* pieces[] = {"\x80",
                                     "\xC3",
                                     "\xE2\x82",
                                     "\xF0\x9F\x98",
                                     "\xED\xA0\x80",
                                     "\xC0\xAF",
                                     "\xF8\x88\x80\x80\x80",
                                     "\xFE\xFF",
                                     "ok ",
                                     "\xC3\xA9"};
      const std::size_t n = 1 + below(200);
      for (std::size_t i = 0; i < n; ++i) bytes += pieces[below(std::size(pieces))];
      break;
    }
    case 4: {
      c.kind = "random binary";
      const std::size_t n = boundary_size();
      for (std::size_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(below(256)));
      break;
    }
    case 5:
    case 6: {
      c.kind = "longest tokens";
      const std::size_t n = 1 + below(150);
      for (std::size_t i = 0; i < n; ++i) bytes += long_tokens[below(long_tokens.size())];
      break;
    }
    case 7: {
      c.kind = "random code points";
      const std::size_t n = 1 + below(400);
      for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t cp = static_cast<std::uint32_t>(below(0x110000));
        if (below(2) == 0) cp = static_cast<std::uint32_t>(below(0x800));
        if (cp >= 0xD800 && cp < 0xE000) cp = 'x';
        if (cp < 0x80) {
          bytes.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
          bytes.push_back(static_cast<char>(0xC0 | (cp >> 6)));
          bytes.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
          bytes.push_back(static_cast<char>(0xE0 | (cp >> 12)));
          bytes.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
          bytes.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
          bytes.push_back(static_cast<char>(0xF0 | (cp >> 18)));
          bytes.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
          bytes.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
          bytes.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
      }
      break;
    }
    default: {
      c.kind = "words and whitespace";
      static const char* words[] = {
          "Once", "upon", "a",      "time",         " ",    "  ",   "\n", "\n\n",
          "\t",   "the",  "little", "girl",         ".",    ",",    "\"", "\r\n",
          "123",  "<s>",  "</s>",   "\xE2\x96\x81", "Lily", "said", "!"};
      const std::size_t n = 1 + below(600);
      for (std::size_t i = 0; i < n; ++i) bytes += words[below(std::size(words))];
      break;
    }
  }
  c.input.resize(bytes.size());
  std::memcpy(c.input.data(), bytes.data(), bytes.size());
  return c;
}

TEST(Soak, GeneratedInputsRoundTripAcrossThreadsChunksWindowsAndPaths) {
  LMC_REQUIRE_TESTDATA();
  lmc_test::KernelPathGuard guard;
  const lmc::Model model = lmc_test::load_stories();
  const std::vector<std::string> long_tokens = longest_tokens(model.tokenizer(), 64);
  const std::vector<lmc::nn::KernelPath> paths = lmc_test::supported_paths();
  const std::uint64_t first_seed = env_number("LMC_SOAK_SEED", 1);
  const std::uint64_t cases = env_number("LMC_SOAK_CASES", 10000);
  const std::uint64_t only = env_number("LMC_SOAK_ONLY", 0);

  // One compressor per (threads, chunk, context); made on first use.
  std::map<std::tuple<std::size_t, std::size_t, std::size_t>, std::unique_ptr<lmc::Compressor>>
      compressors;
  auto compressor = [&](std::size_t threads, const Case& c) -> const lmc::Compressor& {
    auto& slot = compressors[{threads, c.chunk_bytes, c.context}];
    if (!slot) {
      slot = std::make_unique<lmc::Compressor>(
          model, lmc::CompressorOptions{
                     .threads = threads, .chunk_bytes = c.chunk_bytes, .context = c.context});
    }
    return *slot;
  };

  const auto start = std::chrono::steady_clock::now();
  std::uint64_t run = 0, failed = 0, input_bytes = 0;
  for (std::uint64_t i = 0; i < cases; ++i) {
    const std::uint64_t seed = only != 0 ? only : first_seed + i;
    if (only != 0 && i > 0) break;
    const Case c = make_case(seed, long_tokens);
    std::mt19937_64 pick(seed ^ 0x9E3779B97F4A7C15ull);
    const std::size_t threads_in = 1 + pick() % 3, threads_out = 1 + pick() % 3;
    const lmc::nn::KernelPath path_in = paths[pick() % paths.size()];
    const lmc::nn::KernelPath path_out = paths[pick() % paths.size()];
    const std::string where =
        "seed " + std::to_string(seed) + " (replay: LMC_SOAK_ONLY=" + std::to_string(seed) +
        "): " + c.kind + ", " + std::to_string(c.input.size()) + " bytes, chunk " +
        std::to_string(c.chunk_bytes) + ", context " + std::to_string(c.context) + ", threads " +
        std::to_string(threads_in) + "->" + std::to_string(threads_out) + ", path " +
        std::string(lmc::nn::to_string(path_in)) + "->" + std::string(lmc::nn::to_string(path_out));
    ++run;
    input_bytes += c.input.size();
    try {
      lmc::nn::force_kernel_path(path_in);
      const std::vector<std::byte> container = compressor(threads_in, c).compress(c.input);
      lmc::nn::force_kernel_path(path_out);
      const std::vector<std::byte> back = compressor(threads_out, c).decompress(container);
      bool ok = back == c.input;
      EXPECT_TRUE(ok) << where << ": decompressed bytes differ";
      // Every tenth case: the container does not depend on who made it.
      if (ok && i % 10 == 0) {
        const std::vector<std::byte> again = compressor(threads_out, c).compress(c.input);
        ok = again == container;
        EXPECT_TRUE(ok) << where << ": the container depends on the threads or the path";
      }
      if (!ok) ++failed;
    } catch (const lmc::Error& e) {
      ++failed;
      ADD_FAILURE() << where << ": " << e.what();
    }
    if (failed >= 10) break;  // enough to replay
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("soak: %llu cases (%llu input bytes), %llu failed, %.1f s\n",
              static_cast<unsigned long long>(run), static_cast<unsigned long long>(input_bytes),
              static_cast<unsigned long long>(failed), seconds);
  EXPECT_EQ(failed, 0u);
}

}  // namespace

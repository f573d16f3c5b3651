// Scale benchmark: a random-weight Llama-2-7B-shaped model (dim 4096, 32 layers, ffn 11008, 32
// heads, vocab 32000, context 4096) and its quantized copies, measured the way a user runs
// them. Never run in CI.
//
//   lmc_scale_benchmark write DIR     writes DIR/llama7b-F16.gguf once (13.5 GB, streamed
//                                     through lmc's GGUF writer: a few MiB in memory)
//   lmc_scale_benchmark run FILE [--threads N] [--batch 512] [--decode 64]
//                                     loads FILE, scores a batch of N tokens (logits at every
//                                     position) in a fresh session, then decodes 64 tokens one
//                                     at a time; prints one JSON line: peak RSS, time from
//                                     process start to the first logits, tokens/s batched and
//                                     decoding
//
// Quantized copies come from llama.cpp's quantizer (docs/forward_pass.md, "Scale"):
//   llama-quantize DIR/llama7b-F16.gguf DIR/llama7b-Q4_K_M.gguf Q4_K_M   (also Q8_0, Q6_K)
// and llama.cpp's own figures on the same files from
//   /usr/bin/time -v llama-bench -m FILE -p 512 -n 64 -t N
// Run one 7B job at a time: each maps the whole file.
#include "random_llama.hpp"

#include <lmc/dtype.hpp>
#include <lmc/gguf.hpp>
#include <lmc/model.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t dim = 4096, layers = 32, ffn = 11008, heads = 32, vocab = 32000,
                       context = 4096;
constexpr lmc_bench::LlamaSizes llama7b{dim, layers, ffn, heads, vocab, context};

// A fixed pseudo-random value in [-1, 1) for (tensor, index): splitmix64, so that any row can
// be produced on its own and the file is the same on every run.
float unit(std::uint64_t tensor, std::uint64_t index) {
  std::uint64_t z = (tensor << 40) + index + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * (2.0f / 16777216.0f) - 1.0f;
}

int write_model(const fs::path& dir) {
  fs::create_directories(dir);
  const fs::path path = dir / "llama7b-F16.gguf";
  if (fs::exists(path)) {
    std::printf("%s exists\n", path.c_str());
    return 0;
  }
  lmc::GgufWriter w;
  lmc_bench::set_llama_keys(w, "lmc scale benchmark llama 7B (random)", llama7b);
  w.set_u32("general.file_type", 1);  // mostly F16, as llama-quantize expects to read
  w.set_u32("llama.rope.dimension_count", dim / heads);
  lmc_bench::set_llama_vocabulary(w);
  std::uint64_t tensor_id = 0;
  // Uniform weights of standard deviation sigma around mean (√3 · unit has variance 1).
  auto add = [&](const std::string& name, std::vector<std::int64_t> shape, float sigma, float mean,
                 lmc::DType type) {
    const std::uint64_t id = tensor_id++;
    const std::int64_t cols = shape.back();
    w.add_tensor_rows(
        name, type, shape, [=](std::int64_t first, std::int64_t count, std::span<std::byte> out) {
          std::vector<float> row(static_cast<std::size_t>(cols));
          const std::uint64_t row_bytes = lmc::dtype_row_bytes(type, cols);
          for (std::int64_t r = 0; r < count; ++r) {
            const auto base = static_cast<std::uint64_t>((first + r) * cols);
            for (std::int64_t c = 0; c < cols; ++c) {
              row[static_cast<std::size_t>(c)] =
                  mean + sigma * std::sqrt(3.0f) * unit(id, base + static_cast<std::uint64_t>(c));
            }
            lmc::quantize_row(type, row.data(),
                              out.data() + static_cast<std::uint64_t>(r) * row_bytes, cols);
          }
        });
  };
  for (const lmc_bench::LlamaTensor& t : lmc_bench::llama_tensors(llama7b)) {
    add(t.name, t.shape, t.sigma, t.mean, t.matrix ? lmc::DType::f16 : lmc::DType::f32);
  }
  w.write(path);
  std::printf("wrote %s (%ju bytes)\n", path.c_str(),
              static_cast<std::uintmax_t>(fs::file_size(path)));
  return 0;
}

// Seconds since the process started (from /proc/self/stat's start time).
double seconds_since_process_start() {
  std::ifstream stat("/proc/self/stat");
  std::string field;
  for (int i = 0; i < 22 && stat >> field; ++i) {
  }
  const double start = std::stod(field) / static_cast<double>(sysconf(_SC_CLK_TCK));
  std::ifstream uptime("/proc/uptime");
  double now = 0;
  uptime >> now;
  return now - start;
}

double peak_rss_gib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / (1024.0 * 1024.0);  // ru_maxrss is in KiB
}

int run_model(const fs::path& file, std::size_t threads, std::size_t batch, std::size_t decode) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const double before_main = seconds_since_process_start();
  lmc::ModelOptions options;
  options.threads = threads;
  options.context = batch + decode + 1;
  const lmc::Model model = lmc::Model::load(file, options);
  const auto loaded = clock::now();
  std::vector<lmc::Token> tokens(batch);
  for (std::size_t i = 0; i < batch; ++i) {
    tokens[i] = static_cast<lmc::Token>(3 + (i * 7919) % (static_cast<std::size_t>(vocab) - 3));
  }
  lmc::Session first(model);
  first.feed(tokens[0]);
  const auto first_logits = clock::now();
  lmc::Session session(model);
  const auto b0 = clock::now();
  session.feed(tokens, lmc::Outputs::all);
  const auto b1 = clock::now();
  for (std::size_t i = 0; i < decode; ++i) {
    session.feed(static_cast<lmc::Token>(3 + (i * 104729) % (static_cast<std::size_t>(vocab) - 3)));
  }
  const auto d1 = clock::now();
  const auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::printf(
      "{\"file\": \"%s\", \"bytes\": %ju, \"weight_type\": \"%s\", \"copied_weight_bytes\": %ju, "
      "\"threads\": %zu, \"load_s\": %.3f, \"start_to_first_logits_s\": %.3f, "
      "\"batch\": %zu, \"batch_tokens_per_s\": %.2f, \"decode\": %zu, "
      "\"decode_tokens_per_s\": %.2f, \"peak_rss_gib\": %.3f}\n",
      file.filename().c_str(), static_cast<std::uintmax_t>(fs::file_size(file)),
      model.info().weight_type.c_str(),
      static_cast<std::uintmax_t>(model.info().copied_weight_bytes), model.threads(),
      secs(t0, loaded), before_main + secs(t0, first_logits), batch,
      static_cast<double>(batch) / secs(b0, b1), decode, static_cast<double>(decode) / secs(b1, d1),
      peak_rss_gib());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 2 && args[0] == "write") return write_model(args[1]);
    if (args.size() >= 2 && args[0] == "run") {
      std::size_t threads = 0, batch = 512, decode = 64;
      for (std::size_t i = 2; i + 1 < args.size(); i += 2) {
        const std::size_t v = std::stoul(args[i + 1]);
        if (args[i] == "--threads")
          threads = v;
        else if (args[i] == "--batch")
          batch = v;
        else if (args[i] == "--decode")
          decode = v;
        else
          throw std::invalid_argument("unknown option " + args[i]);
      }
      return run_model(args[1], threads, batch, decode);
    }
    std::fprintf(stderr,
                 "usage: lmc_scale_benchmark write DIR\n"
                 "       lmc_scale_benchmark run FILE [--threads N] [--batch 512] [--decode 64]\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lmc_scale_benchmark: %s\n", e.what());
    return 1;
  }
}

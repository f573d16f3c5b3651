// lmc-zip: lossless compression of any file with a language model.
//
//   lmc-zip compress   [--model M] [--threads N] [--force] IN OUT
//   lmc-zip decompress [--model M] [--threads N] [--force] IN OUT
//   lmc-zip info IN
//
// IN or OUT "-" means standard input or output. An existing OUT is replaced only with
// --force; the result is written to a temporary file next to OUT and renamed into place, so a
// failed run leaves no partial OUT. Without --model, the bundled model (examples/bundled.hpp). Exit
// 0 on success, 1 with a one-line message on error.
#include <lmc/lmc.hpp>

#include "bundled.hpp"
#include "cli.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: lmc-zip compress [--model M] [--threads N] [--force] IN OUT\n"
    "       lmc-zip decompress [--model M] [--threads N] [--force] IN OUT\n"
    "       lmc-zip info IN\n"
    "IN or OUT '-' means standard input or output. Without --model: the bundled model.";

std::vector<std::byte> read_input(const std::string& path) {
  std::vector<std::byte> data;
  std::vector<char> buffer(1 << 16);
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) throw lmc::Error(lmc::ErrorCode::io, path + ": cannot open for reading");
    in = &file;
  }
  while (*in) {
    in->read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    auto* bytes = reinterpret_cast<const std::byte*>(buffer.data());
    data.insert(data.end(), bytes, bytes + in->gcount());
  }
  if (in->bad()) throw lmc::Error(lmc::ErrorCode::io, path + ": read error");
  return data;
}

// Writes `bytes` to OUT: standard output for "-", else through lmc::AtomicFile (a temporary
// file beside OUT, renamed into place), so a failed run leaves no partial OUT.
void write_output(const std::string& path, std::span<const std::byte> bytes) {
  if (path == "-") {
    std::cout.write(reinterpret_cast<const char*>(bytes.data()),
                    static_cast<std::streamsize>(bytes.size()));
    std::cout.flush();
    if (!std::cout) throw lmc::Error(lmc::ErrorCode::io, "standard output: write error");
    return;
  }
  lmc::write_file_atomically(path, bytes);
}

void print_info(const std::string& source, const lmc::ContainerInfo& info) {
  std::printf("%s: lmc container, format version %u\n", source.c_str(), info.format_version);
  std::printf("model fingerprint  %s\n", info.fingerprint.c_str());
  std::printf("numeric profile    %#x\n", info.numeric_profile);
  std::printf("vocabulary         %u tokens, context window %u tokens\n", info.vocab_size,
              info.context);
  std::printf("original size      %llu bytes\n",
              static_cast<unsigned long long>(info.original_size));
  std::printf("compressed size    %llu bytes",
              static_cast<unsigned long long>(info.container_size));
  if (info.original_size > 0) {
    std::printf(" (%.4f bits per byte)", 8.0 * static_cast<double>(info.container_size) /
                                             static_cast<double>(info.original_size));
  }
  std::printf("\nchunks             %zu of up to %u bytes\n", info.chunks.size(), info.chunk_bytes);
}

void print_compress_report(std::FILE* out, std::span<const std::byte> input,
                           std::size_t compressed) {
  lmc::BaselineSizes baselines = lmc::baseline_sizes(input);
  auto bytes = static_cast<double>(input.size());
  auto characters = static_cast<double>(lmc::count_characters(input));
  auto bits_per = [](double size, double units) { return units == 0 ? 0.0 : 8.0 * size / units; };
  std::fprintf(out, "original       %zu bytes, %.0f characters\n", input.size(), characters);
  auto row = [&](const char* name, std::uint64_t size) {
    auto compressed_size = static_cast<double>(size);
    std::fprintf(out, "%-14s %llu bytes, %.4f bits per byte, %.4f bits per character\n", name,
                 static_cast<unsigned long long>(size), bits_per(compressed_size, bytes),
                 bits_per(compressed_size, characters));
  };
  row("lmc", compressed);
  row("gzip -9", baselines.gzip9);
  row("xz -9e", baselines.xz9e);
  row("zstd -19 long", baselines.zstd19_long);
}

int run(int argc, char** argv) {
  cli::Arguments args(argc, argv, {"model", "threads"}, {"force", "help"});
  const auto& positional = args.positional();
  if (args.flag("help")) {
    std::puts(kUsage);
    return 0;
  }
  if (positional.empty())
    throw std::invalid_argument("missing command (compress, decompress or info)");
  const std::string& command = positional[0];
  if (command == "info") {
    if (positional.size() != 2) throw std::invalid_argument("info takes one argument: IN");
    std::vector<std::byte> container = read_input(positional[1]);
    std::string source = positional[1] == "-" ? "<stdin>" : positional[1];
    print_info(source, lmc::inspect(container, source));
    return 0;
  }
  if (command != "compress" && command != "decompress") {
    throw std::invalid_argument("unknown command '" + command + "' (compress, decompress or info)");
  }
  if (positional.size() != 3) throw std::invalid_argument(command + " takes two arguments: IN OUT");
  const std::string& in_path = positional[1];
  const std::string& out_path = positional[2];
  std::string model_path = args.get("model").value_or(bundled::model_path());
  auto threads = args.integer<std::size_t>("threads", 0);
  // Refuse an existing OUT before the (slow) model load.
  if (out_path != "-" && !args.flag("force") && fs::exists(out_path)) {
    throw lmc::Error(lmc::ErrorCode::invalid_argument,
                     out_path + ": exists (use --force to replace it)");
  }
  // Chunks run in parallel on `threads` threads; each forward call then uses one thread, which
  // keeps the threads busy without oversubscribing (results do not depend on either count).
  const lmc::Model model = lmc::Model::load(model_path, {.threads = 1});
  const lmc::Compressor compressor(model, {.threads = threads});
  std::vector<std::byte> input = read_input(in_path);
  if (command == "compress") {
    std::vector<std::byte> container = compressor.compress(input);
    write_output(out_path, container);
    print_compress_report(out_path == "-" ? stderr : stdout, input, container.size());
  } else {
    std::string source = in_path == "-" ? "<stdin>" : in_path;
    write_output(out_path, compressor.decompress(input, source));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return cli::run_main("lmc-zip", run, argc, argv); }

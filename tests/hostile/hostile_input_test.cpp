// Hostile files: small inputs whose headers claim huge counts, sizes or nesting. Each reader
// runs in a child process under an address-space limit and a time limit (limited_run.hpp) and
// must refuse the file with an lmc::Error whose message names the file and the field, instead
// of allocating what the file asks for, hanging, or crashing.
#include <lmc/compressor.hpp>
#include <lmc/corpus.hpp>
#include <lmc/error.hpp>
#include <lmc/eval.hpp>
#include <lmc/gguf.hpp>
#include <lmc/hf_config.hpp>
#include <lmc/model.hpp>
#include <lmc/safetensors.hpp>
#include <lmc/stats/study.hpp>
#include <lmc/tokenizer.hpp>

#include "coding/crc32c.hpp"
#include "format/raw_bytes.hpp"
#include "format/temp_folder.hpp"
#include "fuzz/byte_model.hpp"
#include "support/limited_run.hpp"

#include <gtest/gtest.h>
#include <zstd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <span>
#include <string>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define LMC_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LMC_TEST_ASAN 1
#endif
#endif
#ifdef LMC_TEST_ASAN
// Under AddressSanitizer no address-space limit can be set; its cap on a single allocation
// stands in: an allocation sized by a lying header is reported (and fails the test) instead of
// being attempted.
extern "C" const char* __asan_default_options() { return "max_allocation_size_mb=2048"; }
#endif

namespace {

using lmc_test::LimitedRun;
using lmc_test::RawBytes;

// Address space a reader may use beyond what the test process maps: far below what any of the
// files below claims, far above what refusing them needs.
constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::uint64_t kAddressSpace = 512 * kMiB;
constexpr unsigned kSeconds = 60;

void write_file(const std::filesystem::path& path, const std::vector<std::byte>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Runs `body` limited and expects an lmc::Error whose message holds every one of `names`.
void expect_refused(const std::function<void()>& body, const std::vector<std::string>& names,
                    std::uint64_t address_space = kAddressSpace) {
  const LimitedRun run = lmc_test::run_limited(body, address_space, kSeconds);
  ASSERT_EQ(run.end, LimitedRun::End::error)
      << "ended with " << lmc_test::to_string(run.end) << ": " << run.message
      << (run.signal != 0 ? " (signal " + std::to_string(run.signal) + ")" : "");
  // Printed so that the run shows what a user would read for each hostile file.
  std::printf("refused: %s\n", run.message.c_str());
  for (const std::string& name : names) {
    EXPECT_NE(run.message.find(name), std::string::npos)
        << "the message does not name '" << name << "': " << run.message;
  }
}

// A GGUF v3 header: magic, version, tensor count, metadata count.
RawBytes gguf_header(std::uint64_t tensors, std::uint64_t keys) {
  RawBytes b;
  b.text("GGUF").u32(3).u64(tensors).u64(keys);
  return b;
}

constexpr std::uint32_t kGgufU8 = 0, kGgufString = 8, kGgufArray = 9;

TEST(HostileInput, GgufArrayClaimingTwoToTheFortyElements) {
  lmc_test::TempFolder folder;
  RawBytes b = gguf_header(0, 1);
  b.str("general.huge").u32(kGgufArray).u32(kGgufU8).u64(std::uint64_t{1} << 40).zeros(1000);
  const auto path = folder / "huge_array.gguf";
  write_file(path, b.bytes());
  expect_refused([&] { (void)lmc::GgufFile::open(path); }, {path.string(), "general.huge"});
}

TEST(HostileInput, GgufStringArrayClaimingTwoToTheFortyStrings) {
  lmc_test::TempFolder folder;
  RawBytes b = gguf_header(0, 1);
  b.str("tokenizer.ggml.tokens").u32(kGgufArray).u32(kGgufString).u64(std::uint64_t{1} << 40);
  for (int i = 0; i < 100; ++i) b.str("x");
  const auto path = folder / "huge_strings.gguf";
  write_file(path, b.bytes());
  expect_refused([&] { (void)lmc::GgufFile::open(path); },
                 {path.string(), "tokenizer.ggml.tokens"});
}

TEST(HostileInput, GgufStringClaimingTwoToTheSixtyBytes) {
  lmc_test::TempFolder folder;
  RawBytes b = gguf_header(0, 1);
  b.str("general.name").u32(kGgufString).u64(std::uint64_t{1} << 60).zeros(100);
  const auto path = folder / "huge_string.gguf";
  write_file(path, b.bytes());
  expect_refused([&] { (void)lmc::GgufFile::open(path); }, {path.string(), "general.name"});
}

TEST(HostileInput, GgufCountsClaimingTwoToTheForty) {
  lmc_test::TempFolder folder;
  for (const bool tensors : {true, false}) {
    RawBytes b =
        tensors ? gguf_header(std::uint64_t{1} << 40, 0) : gguf_header(0, std::uint64_t{1} << 40);
    b.zeros(1000);
    const auto path = folder / (tensors ? "tensor_count.gguf" : "key_count.gguf");
    write_file(path, b.bytes());
    expect_refused([&] { (void)lmc::GgufFile::open(path); },
                   {path.string(), tensors ? "tensor count" : "metadata"});
  }
}

TEST(HostileInput, GgufTensorLargerThanTheFile) {
  lmc_test::TempFolder folder;
  RawBytes b = gguf_header(1, 0);
  b.str("token_embd.weight").u32(2).u64(std::uint64_t{1} << 31).u64(std::uint64_t{1} << 31);
  b.u32(0).u64(0).pad_to(32).zeros(64);
  const auto path = folder / "huge_tensor.gguf";
  write_file(path, b.bytes());
  expect_refused([&] { (void)lmc::GgufFile::open(path); }, {path.string(), "token_embd.weight"});
}

TEST(HostileInput, SafetensorsHeaderLengthAndShapes) {
  lmc_test::TempFolder folder;
  {
    RawBytes b;
    b.u64(std::uint64_t{1} << 60).text("{}");
    const auto path = folder / "header_length.safetensors";
    write_file(path, b.bytes());
    expect_refused([&] { (void)lmc::SafetensorsFile::open(path); },
                   {path.string(), "header length"});
  }
  {
    const std::string header =
        R"({"lm_head.weight": {"dtype": "F32", "shape": [1099511627776, 1099511627776],
            "data_offsets": [0, 16]}})";
    RawBytes b;
    b.u64(header.size()).text(header).zeros(16);
    const auto path = folder / "shape.safetensors";
    write_file(path, b.bytes());
    expect_refused([&] { (void)lmc::SafetensorsFile::open(path); },
                   {path.string(), "'lm_head.weight'", "element count"});
  }
}

TEST(HostileInput, TokenizerJsonOfTenMillionNestedArrays) {
  lmc_test::TempFolder folder;
  const auto path = folder / "tokenizer.json";
  write_file(path, std::string(10'000'000, '['));
  expect_refused([&] { (void)lmc::Tokenizer::from_tokenizer_json(path); },
                 {path.string(), "offset 128", "nested deeper"});
}

TEST(HostileInput, TokenizerJsonVocabularyIdNearTwoToTheThirty) {
  // One token whose id would make the vocabulary a billion entries long.
  lmc_test::TempFolder folder;
  const auto path = folder / "tokenizer.json";
  write_file(path, R"({"model": {"type": "BPE", "vocab": {"a": 1073741000}, "merges": []}})");
  expect_refused([&] { (void)lmc::Tokenizer::from_tokenizer_json(path); },
                 {path.string(), "model.vocab"});
  const auto added = folder / "added.json";
  write_file(added, R"({"added_tokens": [{"id": 1073741000, "content": "<s>"}],
                        "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})");
  expect_refused([&] { (void)lmc::Tokenizer::from_tokenizer_json(added); },
                 {added.string(), "added_tokens"});
}

TEST(HostileInput, TiktokenRankNearTwoToTheTwentyFour) {
  lmc_test::TempFolder folder;
  const auto path = folder / "ranks.tiktoken";
  write_file(path, "IQ== 0\nIg== 16777000\n");
  expect_refused([&] { (void)lmc::Tokenizer::from_tiktoken(path); },
                 {path.string(), "line 2", "rank"});
}

TEST(HostileInput, GgufTokenizerClaimingTwoToTheFortyTokens) {
  lmc_test::TempFolder folder;
  RawBytes b = gguf_header(0, 2);
  b.str("tokenizer.ggml.model").u32(kGgufString).str("gpt2");
  b.str("tokenizer.ggml.tokens").u32(kGgufArray).u32(kGgufString).u64(std::uint64_t{1} << 40);
  b.str("a").str("b");
  const auto path = folder / "tokens.gguf";
  write_file(path, b.bytes());
  expect_refused([&] { (void)lmc::Tokenizer::from_file(path); },
                 {path.string(), "tokenizer.ggml.tokens"});
}

// A zstd frame of `size` bytes of `c` and then a newline (compresses to a few kB).
std::vector<std::byte> zstd_run(char c, std::uint64_t size) {
  ZSTD_CCtx* context = ZSTD_createCCtx();
  const std::string block(std::size_t{1} << 20, c);
  std::vector<std::byte> out;
  std::vector<std::byte> buffer(ZSTD_CStreamOutSize());
  auto feed = [&](const char* data, std::size_t n, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{data, n, 0};
    for (;;) {
      ZSTD_outBuffer o{buffer.data(), buffer.size(), 0};
      const std::size_t left = ZSTD_compressStream2(context, &o, &in, mode);
      out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(o.pos));
      if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size) break;
    }
  };
  for (std::uint64_t done = 0; done < size; done += block.size()) {
    feed(block.data(), static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), size - done)),
         ZSTD_e_continue);
  }
  feed("\n", 1, ZSTD_e_end);
  ZSTD_freeCCtx(context);
  return out;
}

TEST(HostileInput, CorpusLineOfOneGigabyteOfBrackets) {
  // The line is within the default line limit (1 GiB), so the reader holds it once; the JSON
  // door then refuses it at its 129th bracket without recursing.
  lmc_test::TempFolder folder;
  const auto path = folder / "brackets.jsonl.zst";
  write_file(path, zstd_run('[', 1'000'000'000));
  expect_refused(
      [&] {
        lmc::Corpus corpus = lmc::Corpus::open(path.string());
        lmc::Document document;
        while (corpus.next(document)) {
        }
      },
      {path.string(), "line 1", "offset 128", "nested deeper"}, 3 * 1024 * kMiB);
}

TEST(HostileInput, CorpusLineLongerThanTheLimit) {
  lmc_test::TempFolder folder;
  const auto path = folder / "long.jsonl.zst";
  write_file(path, zstd_run('x', 64 * kMiB));
  lmc::CorpusOptions options;
  options.max_document_bytes = kMiB;
  expect_refused(
      [&] {
        lmc::Corpus corpus = lmc::Corpus::open(path.string(), options);
        lmc::Document document;
        while (corpus.next(document)) {
        }
      },
      {path.string(), "line 1", "limit"});
}

TEST(HostileInput, NestedBpcResultAndConfig) {
  const std::string deep = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  expect_refused([&] { (void)lmc::BpcResult::from_json(deep, "result.json"); },
                 {"result.json", "offset 128", "nested deeper"});
  expect_refused([&] { (void)lmc::HfConfig::parse(deep, "config.json"); },
                 {"config.json", "offset 128", "nested deeper"});
  const std::string deep_object = "{\"a\": " + std::string(1'000'000, '[');
  expect_refused([&] { (void)lmc::HfConfig::parse(deep_object, "config.json"); },
                 {"config.json", "offset 133", "nested deeper"});
}

TEST(HostileInput, ContainerClaimingFourBillionChunks) {
  // A real container whose header (checksum recomputed, so that it passes) claims 2^32 - 1
  // chunks of 64 MiB: the chunk table it announces (64 GiB) must be checked against the
  // container's size before anything is sized by it.
  const lmc_fuzz::ByteModel model;
  const lmc::Compressor compressor(model, {.threads = 1});
  const std::string text = "a small text";
  std::vector<std::byte> bytes =
      compressor.compress(std::as_bytes(std::span(text.data(), text.size())));
  std::uint16_t header_size = 0;
  std::memcpy(&header_size, bytes.data() + 10, 2);
  constexpr std::uint32_t chunk_bytes = 64u << 20;
  constexpr std::uint32_t chunks = 0xFFFFFFFFu;
  lmc_test::patch<std::uint32_t>(bytes, 28, chunk_bytes);
  lmc_test::patch<std::uint64_t>(bytes, 32, std::uint64_t{chunks} * chunk_bytes);
  lmc_test::patch<std::uint32_t>(bytes, 40, chunks);
  lmc_test::patch<std::uint32_t>(bytes, header_size - 4u,
                                 lmc::coding::crc32c(std::span(bytes).first(header_size - 4u)));
  expect_refused([&] { (void)lmc::inspect(bytes, "hostile.lmcz"); },
                 {"hostile.lmcz", "chunk table"});
  expect_refused([&] { (void)compressor.decompress(bytes, "hostile.lmcz"); },
                 {"hostile.lmcz", "chunk table"});
}

TEST(HostileInput, StudyCsvWithUnterminatedQuote) {
  const std::string csv = "model,bpc\n\"" + std::string(20'000'000, 'a');
  expect_refused([&] { (void)lmc::stats::StudyTable::parse_csv(csv, "study.csv"); },
                 {"study.csv", "line 2", "quoted field"});
}

TEST(HostileInput, GgufModelClaimingHugeShapes) {
  // Hyper-parameters claiming a model far larger than the file: binding the weights must check
  // the declared shapes against the tensors present before allocating anything by them.
  lmc_test::TempFolder folder;
  lmc::GgufWriter writer;
  writer.set_string("general.architecture", "llama");
  writer.set_u32("llama.block_count", 1u << 30);
  writer.set_u32("llama.embedding_length", 1u << 30);
  writer.set_u32("llama.feed_forward_length", 1u << 30);
  writer.set_u32("llama.attention.head_count", 1u << 20);
  writer.set_u32("llama.attention.head_count_kv", 1u << 20);
  writer.set_u32("llama.context_length", 1u << 31);
  writer.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  const std::vector<float> values(64, 0.5f);
  const std::vector<std::int64_t> shape = {8, 8};
  writer.add_tensor_f32("token_embd.weight", shape, values);
  const auto path = folder / "huge_model.gguf";
  writer.write(path);
  expect_refused([&] { (void)lmc::Model::load(path, {.threads = 1}); },
                 {path.string(), "llama.block_count"});
}

}  // namespace

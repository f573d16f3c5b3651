// Decompression with chunks in lock step (coding::decode_chunks through
// coding::decode_container_chunks): whatever the number of lanes and threads, the decoded
// bytes are the input, and the container is the one the compressor made before lock-step
// decoding existed (a golden size and checksum). With stories260K (one batched forward pass per
// step, Session::feed_each) and with a plug-in CodingModel (one logits_next per session).
#include <lmc/coding_model.hpp>
#include <lmc/compressor.hpp>
#include <lmc/error.hpp>
#include <lmc/model.hpp>

#include "coding/container_decoder.hpp"
#include "coding/crc32c.hpp"
#include "coding/model_coding_adapter.hpp"
#include "coding/stories_support.hpp"
#include "support/fake_model.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

using lmc_test::read_bytes;

std::vector<std::byte> decode_with(const lmc::CodingModel& model,
                                   const std::vector<std::byte>& container, std::size_t threads,
                                   std::size_t lanes) {
  const lmc::ContainerInfo info = lmc::inspect(container);
  std::vector<std::byte> out;
  lmc::coding::decode_container_chunks(
      model, container, info, "test container", threads, lanes,
      [&](std::span<const std::byte> bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); });
  return out;
}

// 6000 bytes of alice29 with a block of binary bytes in the middle (escape segments next to
// model segments) and a chunk of pure binary at the end (no model token at all), in chunks of
// 500 bytes with a context of 48 tokens, so that windows restart inside chunks: 13 chunks.
std::vector<std::byte> mixed_input() {
  std::vector<std::byte> input =
      read_bytes(lmc_test::testdata("corpora/classic/canterbury/alice29.txt"), 6000);
  for (std::size_t i = 0; i < 300; ++i) {
    input[2200 + i] = static_cast<std::byte>((i * 131 + 17) % 256);
  }
  for (std::size_t i = 0; i < 500; ++i) input.push_back(static_cast<std::byte>((i * 77) % 256));
  return input;
}

const lmc::CompressorOptions mixed_options{.threads = 1, .chunk_bytes = 500, .context = 48};

TEST(LockstepDecode, AnyLanesAndThreadsGiveTheInputBack) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Model model = lmc_test::load_stories();
  const std::vector<std::byte> input = mixed_input();
  const lmc::Compressor compressor(model, mixed_options);
  const std::vector<std::byte> container = compressor.compress(input);
  lmc::CompressorOptions two_threads = mixed_options;
  two_threads.threads = 2;
  EXPECT_EQ(lmc::Compressor(model, two_threads).compress(input), container);
  ASSERT_EQ(lmc::inspect(container).chunks.size(), 13u);
  const auto adapter = lmc::coding::adapt_model(model);
  // Lanes from one chunk at a time to more lanes than chunks (13); with 13 lanes or fewer the
  // waves (2 x lanes chunks) refill lanes as chunks complete.
  for (std::size_t threads : {1, 2, 3}) {
    for (std::size_t lanes : {1, 2, 3, 5, 6, 7, 12, 13, 16, 64}) {
      EXPECT_EQ(decode_with(*adapter, container, threads, lanes), input)
          << threads << " threads, " << lanes << " lanes";
    }
  }
  EXPECT_EQ(compressor.decompress(container), input);
  // The forward pass itself on two threads, chunks in lock step on one.
  const lmc::Model threaded =
      lmc::Model::load(lmc_test::testdata("models/stories260K.gguf"), {.threads = 2});
  EXPECT_EQ(decode_with(*lmc::coding::adapt_model(threaded), container, 1, 7), input);
}

TEST(LockstepDecode, EverySimdPathDecodesInLockStep) {
  LMC_REQUIRE_TESTDATA();
  const lmc_test::KernelPathGuard guard;
  const lmc::Model model = lmc_test::load_stories();
  const std::vector<std::byte> input = mixed_input();
  const std::vector<std::byte> container = lmc::Compressor(model, mixed_options).compress(input);
  const auto adapter = lmc::coding::adapt_model(model);
  for (auto path : lmc_test::supported_paths()) {
    lmc::nn::force_kernel_path(path);
    EXPECT_EQ(decode_with(*adapter, container, 2, 3), input) << lmc::nn::to_string(path);
  }
}

// The container of the first 70 000 bytes of alice29 with stories260K and the default options
// (3 chunks of 32 KiB), as the compressor made it before decoding in lock step (`lmc-zip
// compress --threads 2` built from commit 03c4c41): lock-step decoding changed nothing the
// compressor writes. A change of nn::numerics_version or of the container format changes
// these bytes on purpose; then write the new size and CRC32C here.
constexpr std::size_t kGoldenSize = 38109;
constexpr std::uint32_t kGoldenCrc32c = 0x658aa72a;

TEST(LockstepDecode, ContainerEqualsTheGoldenOneAndDecodesInAnyLanes) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Model model = lmc_test::load_stories();
  const std::vector<std::byte> input =
      read_bytes(lmc_test::testdata("corpora/classic/canterbury/alice29.txt"), 70000);
  const lmc::Compressor compressor(model, {.threads = 2});
  const std::vector<std::byte> container = compressor.compress(input);
  EXPECT_EQ(container.size(), kGoldenSize);
  EXPECT_EQ(lmc::coding::crc32c(container), kGoldenCrc32c);
  const auto adapter = lmc::coding::adapt_model(model);
  for (const auto& [threads, lanes] : {std::pair<std::size_t, std::size_t>{1, 1}, {1, 3}, {2, 2}}) {
    EXPECT_EQ(decode_with(*adapter, container, threads, lanes), input)
        << threads << " threads, " << lanes << " lanes";
  }
}

TEST(LockstepDecode, PlugInModelsDecodeInLockStepOneSessionAtATime) {
  const std::string text =
      "the cat sat on the mat and the dog sat on the log; the cat and the dog ran to the mat. ";
  std::string input_text;
  for (int i = 0; i < 40; ++i) input_text += text;
  const lmc_test::FakeModel model(text + text);
  std::vector<std::byte> input(input_text.size());
  std::memcpy(input.data(), input_text.data(), input.size());
  const lmc::Compressor compressor(model, {.threads = 1, .chunk_bytes = 300, .context = 40});
  const std::vector<std::byte> container = compressor.compress(input);
  ASSERT_GT(lmc::inspect(container).chunks.size(), 8u);
  for (std::size_t threads : {1, 2, 3}) {
    for (std::size_t lanes : {1, 3, 7, 64}) {
      EXPECT_EQ(decode_with(model, container, threads, lanes), input)
          << threads << " threads, " << lanes << " lanes";
    }
  }
}

TEST(LockstepDecode, LanesAreBoundedByTheCacheBudgetAndOnePerThreadForPlugInModels) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Model model = lmc_test::load_stories();
  const auto adapter = lmc::coding::adapt_model(model);
  // stories260K: a few kB of keys and values per window of 128 tokens.
  EXPECT_EQ(lmc::coding::lockstep_lanes(*adapter, 128, 2), lmc::coding::kMaxDefaultLockstepLanes);
  // A window whose one session exceeds the budget: still one lane (as before lock step).
  const lmc::Model long_context = lmc::Model::load(lmc_test::testdata("models/stories260K.gguf"),
                                                   {.threads = 1, .context = 1u << 26});
  EXPECT_EQ(lmc::coding::lockstep_lanes(*lmc::coding::adapt_model(long_context), 1u << 26, 2), 1u);
  // The cache of a session grows by doubling from 64 positions, up to the model's context.
  EXPECT_EQ(lmc::coding::lockstep_positions(10, 512), 64u);
  EXPECT_EQ(lmc::coding::lockstep_positions(100, 512), 200u);
  EXPECT_EQ(lmc::coding::lockstep_positions(300, 512), 512u);
  // The budget over the model's real per-session state: keys and values of every layer, F32
  // (stories260K: 5 layers, 4 KV heads of 8 values), so 5 * 4 * 8 * 2 * 4 = 1280 bytes a
  // position.
  const lmc::ModelInfo& info = model.info();
  ASSERT_EQ(info.n_layers * info.n_kv_heads * info.head_dim, 160);
  EXPECT_EQ(model.session_bytes(1), 1280u);
  EXPECT_EQ(model.session_bytes(100), 128000u);
  const std::size_t positions = lmc::coding::kLockstepCacheBudget / (3 * 1280);
  const lmc::Model big_context = lmc::Model::load(lmc_test::testdata("models/stories260K.gguf"),
                                                  {.threads = 1, .context = positions});
  EXPECT_EQ(lmc::coding::lockstep_lanes(*lmc::coding::adapt_model(big_context), positions, 2), 3u);
  // The thread count does not divide the budget: the lanes are one group over all threads.
  EXPECT_EQ(lmc::coding::lockstep_lanes(*lmc::coding::adapt_model(big_context), positions, 1), 3u);
  const lmc_test::FakeModel fake("abc");
  EXPECT_EQ(lmc::coding::lockstep_lanes(fake, 128, 2), 2u);
  EXPECT_EQ(lmc::coding::lockstep_lanes(fake, 128, 1), 1u);
}

TEST(LockstepDecode, CorruptChunkIsNamedWhileOthersAreInFlight) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Model model = lmc_test::load_stories();
  const std::vector<std::byte> input = mixed_input();
  std::vector<std::byte> container = lmc::Compressor(model, mixed_options).compress(input);
  const lmc::ContainerInfo info = lmc::inspect(container);
  const lmc::ChunkInfo& chunk = info.chunks[5];
  // A stream byte of chunk 5 flipped after the container's checksums were checked (inspect of
  // the intact container), so only decoding can find it.
  const auto adapter = lmc::coding::adapt_model(model);
  std::vector<std::byte> bad = container;
  bad[chunk.compressed_offset + chunk.compressed_size / 2] ^= std::byte{0x5a};
  try {
    lmc::coding::decode_container_chunks(*adapter, bad, info, "test container", 1, 7,
                                         [](std::span<const std::byte>) {});
    FAIL() << "a corrupt chunk was decoded";
  } catch (const lmc::Error& error) {
    EXPECT_EQ(error.code(), lmc::ErrorCode::corrupt_data);
    EXPECT_NE(std::string(error.what()).find("chunk 5"), std::string::npos) << error.what();
  }
}

}  // namespace

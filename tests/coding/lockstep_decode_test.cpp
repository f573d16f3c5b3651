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

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace {

using lmc_test::read_bytes;

std::vector<std::byte> decode_with(const lmc::CodingModel& model,
                                   const std::vector<std::byte>& container, std::size_t threads,
                                   std::size_t lanes,
                                   std::size_t budget = lmc::coding::kLockstepCacheBudget,
                                   lmc::coding::LockstepStats* stats = nullptr) {
  const lmc::ContainerInfo info = lmc::inspect(container);
  std::vector<std::byte> out;
  const lmc::coding::LockstepStats got = lmc::coding::decode_container_chunks(
      model, container, info, "test container", threads, lanes, budget,
      [&](std::span<const std::byte> bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); });
  if (stats) *stats = got;
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

TEST(LockstepDecode, LanesAreManyForModelsAndOnePerThreadForPlugInModels) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Model model = lmc_test::load_stories();
  EXPECT_EQ(lmc::coding::lockstep_lanes(*lmc::coding::adapt_model(model), 2),
            lmc::coding::kMaxDefaultLockstepLanes);
  const lmc_test::FakeModel fake("abc");
  EXPECT_EQ(lmc::coding::lockstep_lanes(fake, 2), 2u);
  EXPECT_EQ(lmc::coding::lockstep_lanes(fake, 1), 1u);
}

// The state budget: with none, one chunk advances at a time (one step per model token, as many
// as the compressor's estimate counts); with room for a few sessions, several advance per step
// and the sessions never hold more than the budget plus one session of a whole window. The
// bytes are the input whatever the budget.
TEST(LockstepDecode, TheStateBudgetBoundsTheSessionsAndChangesNoByte) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Model model = lmc_test::load_stories();
  const std::vector<std::byte> input = mixed_input();
  const lmc::Compressor compressor(model, mixed_options);
  const std::vector<std::byte> container = compressor.compress(input);
  const std::uint64_t tokens = compressor.estimate(input).tokens;
  ASSERT_GT(tokens, 1000u);
  const auto adapter = lmc::coding::adapt_model(model);
  // stories260K: 1280 bytes a position; a session of the 48-token window grows to 64 positions.
  const std::size_t session = model.session_bytes(64);
  ASSERT_EQ(session, 64u * 1280);
  for (std::size_t threads : {1, 2}) {
    lmc::coding::LockstepStats none;
    EXPECT_EQ(decode_with(*adapter, container, threads, 7, 0, &none), input);
    EXPECT_EQ(none.steps, tokens);
    EXPECT_EQ(none.rows, tokens);
    EXPECT_EQ(none.peak_state_bytes, session);
    lmc::coding::LockstepStats three;
    EXPECT_EQ(decode_with(*adapter, container, threads, 7, 3 * session, &three), input);
    EXPECT_EQ(three.rows, tokens);
    EXPECT_LT(three.steps, tokens / 2);
    EXPECT_LE(three.peak_state_bytes, 3 * session + session);
    lmc::coding::LockstepStats ample;
    EXPECT_EQ(decode_with(*adapter, container, threads, 7, SIZE_MAX, &ample), input);
    EXPECT_EQ(ample.rows, tokens);
    EXPECT_LE(ample.steps, three.steps);
    EXPECT_LE(ample.peak_state_bytes, 7 * session);
    // The decompressor's defaults (all 13 chunks in flight: 128 lanes, a quarter of the
    // memory) give the same bytes as one chunk at a time.
    lmc::coding::LockstepStats defaults;
    EXPECT_EQ(
        decode_with(*adapter, container, threads, lmc::coding::lockstep_lanes(*adapter, threads),
                    lmc::coding::lockstep_state_budget(), &defaults),
        input);
    EXPECT_EQ(defaults.rows, tokens);
    EXPECT_LE(defaults.steps, ample.steps);
    EXPECT_LE(defaults.peak_state_bytes, 13 * session);
    lmc::coding::LockstepStats one;
    EXPECT_EQ(decode_with(*adapter, container, threads, 1, SIZE_MAX, &one), input);
    EXPECT_EQ(one.steps, tokens);
  }
}

// The default budget is a quarter of the machine's memory (here read from /proc/meminfo,
// where the system has one).
TEST(LockstepDecode, TheDefaultBudgetIsAQuarterOfTheMemory) {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::size_t kib = 0;
  while (meminfo >> key) {
    if (key == "MemTotal:") {
      meminfo >> kib;
      break;
    }
  }
  if (kib == 0) GTEST_SKIP() << "no /proc/meminfo MemTotal on this system";
  const double quarter = static_cast<double>(kib) * 1024.0 / 4.0;
  const auto budget = static_cast<double>(lmc::coding::lockstep_state_budget());
  EXPECT_NEAR(budget, quarter, quarter * 0.01);
}

// Session::state_bytes follows the cache as it grows (at least 64 positions, then steps of a
// quarter, at least 64, rounded up to 64: tests/nn/kv_cache_test.cpp; never shrinking on
// reset): what the budget above counts.
TEST(LockstepDecode, SessionStateGrowsInStepsAndKeepsItsRoom) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Model model = lmc_test::load_stories();
  lmc::Session session(model);
  ASSERT_EQ(model.context(), 128u);
  EXPECT_EQ(session.state_bytes(0), 0u);
  EXPECT_EQ(session.state_bytes(1), 64u * 1280);
  EXPECT_EQ(session.state_bytes(64), 64u * 1280);
  // From an empty cache the first growth is to the positions asked for rounded up to 64.
  EXPECT_EQ(session.state_bytes(65), 128u * 1280);
  session.feed(std::vector<lmc::Token>(40, 1), lmc::Outputs::last);
  EXPECT_EQ(session.state_bytes(session.position()), 64u * 1280);
  session.feed(std::vector<lmc::Token>(30, 1), lmc::Outputs::last);
  EXPECT_EQ(session.state_bytes(session.position()), 128u * 1280);
  // The context (128 positions) bounds the growth.
  EXPECT_EQ(session.state_bytes(1000), 128u * 1280);
  session.reset();
  EXPECT_EQ(session.position(), 0u);
  EXPECT_EQ(session.state_bytes(session.position()), 128u * 1280);
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
                                         lmc::coding::kLockstepCacheBudget,
                                         [](std::span<const std::byte>) {});
    FAIL() << "a corrupt chunk was decoded";
  } catch (const lmc::Error& error) {
    EXPECT_EQ(error.code(), lmc::ErrorCode::corrupt_data);
    EXPECT_NE(std::string(error.what()).find("chunk 5"), std::string::npos) << error.what();
  }
}

}  // namespace

// nn::KvCache's growth: steps of a quarter of its room (at least 64 positions, rounded up to
// a multiple of 64) up to the context, the positions already held kept bit for bit, and the
// context enforced. The lock-step decompressor budgets sessions by this room
// (docs/container.md, "Speed with real models").
#include "nn/kv_cache.hpp"

#include <lmc/error.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

namespace {

using lmc::nn::KvCache;

TEST(KvCache, GrowsByAQuarterInStepsOf64UpToTheContext) {
  KvCache cache(2, 3, 5, 2048);
  EXPECT_EQ(cache.capacity(), 0u);
  EXPECT_EQ(cache.capacity_for(0), 0u);
  // Worked by hand: 64, then +64 while a quarter is under 64, then +1/4 rounded up to 64.
  const std::vector<std::size_t> expected{64,  128, 192,  256,  320,  448, 576,
                                          768, 960, 1216, 1536, 1920, 2048};
  std::vector<std::size_t> seen;
  for (std::size_t length = 1; length <= 2048; ++length) {
    const std::size_t before = cache.capacity();
    const std::size_t planned = cache.capacity_for(length);
    cache.reserve(length);
    EXPECT_EQ(cache.capacity(), planned) << length;
    if (cache.capacity() != before) seen.push_back(cache.capacity());
    // The room never exceeds a quarter more than the positions asked for, plus 64.
    EXPECT_LE(cache.capacity(), length + length / 4 + 64) << length;
  }
  EXPECT_EQ(seen, expected);
}

TEST(KvCache, AJumpGrowsToThePositionsAskedForRoundedUp) {
  KvCache cache(1, 4, 4, 4096);
  EXPECT_EQ(cache.capacity_for(1000), 1024u);
  cache.reserve(1000);
  EXPECT_EQ(cache.capacity(), 1024u);
  // Room enough: no growth.
  EXPECT_EQ(cache.capacity_for(1024), 1024u);
  // The next step is a quarter (256), not the 1 position asked for beyond the room.
  EXPECT_EQ(cache.capacity_for(1025), 1280u);
  // The context caps the room, and a length past it is refused.
  KvCache small(1, 4, 4, 100);
  EXPECT_EQ(small.capacity_for(65), 100u);
  EXPECT_THROW(small.reserve(101), lmc::Error);
}

TEST(KvCache, GrowingKeepsEveryPositionsKeysAndValues) {
  const std::size_t layers = 3, key_width = 7, value_width = 5;
  KvCache cache(layers, key_width, value_width, 4096);
  auto key = [](std::size_t l, std::size_t p, std::size_t i) {
    return static_cast<float>(l * 1000003 + p * 131 + i) * 0.25f;
  };
  auto value = [](std::size_t l, std::size_t p, std::size_t i) {
    return -static_cast<float>(l * 999983 + p * 17 + i) * 0.5f;
  };
  // Fed one position at a time through many growths (0 -> 64 -> ... -> 3 072).
  for (std::size_t p = 0; p < 3000; ++p) {
    cache.reserve(p + 1);
    for (std::size_t l = 0; l < layers; ++l) {
      for (std::size_t i = 0; i < key_width; ++i) cache.keys(l)[p * key_width + i] = key(l, p, i);
      for (std::size_t i = 0; i < value_width; ++i) {
        cache.values(l)[p * value_width + i] = value(l, p, i);
      }
    }
    cache.set_length(p + 1);
  }
  for (std::size_t l = 0; l < layers; ++l) {
    for (std::size_t p = 0; p < 3000; ++p) {
      for (std::size_t i = 0; i < key_width; ++i) {
        ASSERT_EQ(cache.keys(l)[p * key_width + i], key(l, p, i)) << l << " " << p;
      }
      for (std::size_t i = 0; i < value_width; ++i) {
        ASSERT_EQ(cache.values(l)[p * value_width + i], value(l, p, i)) << l << " " << p;
      }
    }
  }
  // reset() keeps the room.
  const std::size_t room = cache.capacity();
  cache.reset();
  EXPECT_EQ(cache.length(), 0u);
  EXPECT_EQ(cache.capacity(), room);
}

}  // namespace

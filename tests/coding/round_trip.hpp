// The round-trip check every CodingModel must pass, for the fake model here and for the real
// one (an lmc::Model adapter) once the forward pass is merged: compress with N threads,
// decompress with M threads, N, M in {1, 2}; the container must not depend on N.
#pragma once

#include <lmc/compressor.hpp>

#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

namespace lmc_test {

inline void expect_round_trips(const lmc::CodingModel& model, std::span<const std::byte> input,
                               lmc::CompressorOptions options = {}) {
  options.threads = 1;
  lmc::Compressor one(model, options);
  options.threads = 2;
  lmc::Compressor two(model, options);
  std::vector<std::byte> by_one = one.compress(input);
  std::vector<std::byte> by_two = two.compress(input);
  EXPECT_EQ(by_one, by_two) << "the container depends on the thread count";
  std::vector<std::byte> expected(input.begin(), input.end());
  for (const lmc::Compressor* decoder : {&one, &two}) {
    for (const auto* container : {&by_one, &by_two}) {
      EXPECT_EQ(decoder->decompress(*container), expected);
    }
  }
}

}  // namespace lmc_test

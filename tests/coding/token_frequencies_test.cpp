#include "coding/token_frequencies.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace {

using lmc::coding::kTokenFrequencyTotal;

void expect_valid_table(const lmc::coding::TokenFrequencies& table) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < table.vocab_size(); ++i) {
    ASSERT_GE(table.frequency(i), 1u) << i;
    sum += table.frequency(i);
  }
  EXPECT_EQ(sum, kTokenFrequencyTotal);
}

TEST(TokenFrequencies, FixedPointExpMatchesLibm) {
  // Reference: libm's exp in double (independent of the tables). Tolerance: the base-2 exponent
  // is rounded to 2^-17, a relative error up to ln(2) * 2^-17 = 5.3e-6, plus table rounding.
  for (std::int64_t y = 0; y < 24 * 65536; y += 997) {
    double expected = std::ldexp(std::exp(-static_cast<double>(y) / 65536.0), 30);
    EXPECT_NEAR(lmc::coding::fixed_exp_weight(y), expected, expected * 6e-6 + 2) << y;
  }
  EXPECT_EQ(lmc::coding::fixed_exp_weight(0), 1u << 30);
  EXPECT_EQ(lmc::coding::fixed_exp_weight(24 * 65536), 0u);
}

TEST(TokenFrequencies, RoundingStepIsTruncationOfLogitTimes65536) {
  EXPECT_EQ(lmc::coding::logit_to_fixed(1.5f), 98304);
  EXPECT_EQ(lmc::coding::logit_to_fixed(-1.5f), -98304);
  EXPECT_EQ(lmc::coding::logit_to_fixed(0.00001f), 0);  // 0.655.. truncates to 0
  EXPECT_EQ(lmc::coding::logit_to_fixed(-0.00002f), -1);
  EXPECT_EQ(lmc::coding::logit_to_fixed(1e9f), 16384 * 65536);
  EXPECT_EQ(lmc::coding::logit_to_fixed(-std::numeric_limits<float>::infinity()), -16384 * 65536);
  EXPECT_EQ(lmc::coding::logit_to_fixed(std::numeric_limits<float>::quiet_NaN()), -16384 * 65536);
}

TEST(TokenFrequencies, HandComputedTwoTokenTable) {
  // p = (1/4, 3/4): frequencies 2^30 and 3 * 2^30, up to the rounding of the logits to 2^-16
  // nats (relative error <= 1.6e-5, i.e. 17000 here) and of log(3) to float.
  lmc::coding::TokenFrequencies table;
  std::vector<float> logits = {0.0f, static_cast<float>(std::log(3.0))};
  table.assign(logits);
  expect_valid_table(table);
  EXPECT_NEAR(static_cast<double>(table.frequency(0)), std::ldexp(1, 30), 20000);
  EXPECT_NEAR(static_cast<double>(table.frequency(1)), 3 * std::ldexp(1, 30), 20000);
  EXPECT_EQ(table.cumulative(1), table.frequency(0));
}

TEST(TokenFrequencies, UniformAndDegenerateRows) {
  lmc::coding::TokenFrequencies table;
  std::vector<float> uniform(1000, 2.5f);
  table.assign(uniform);
  expect_valid_table(table);
  for (std::size_t i = 1; i < 1000; ++i) EXPECT_EQ(table.frequency(i), table.frequency(1));

  std::vector<float> spike(50000, -30.0f);
  spike[123] = 40.0f;
  table.assign(spike);
  expect_valid_table(table);
  EXPECT_EQ(table.frequency(0), 1u);
  EXPECT_EQ(table.frequency(123), kTokenFrequencyTotal - 49999);

  std::vector<float> hostile = {std::numeric_limits<float>::quiet_NaN(),
                                std::numeric_limits<float>::infinity(),
                                -std::numeric_limits<float>::infinity(), 0.0f};
  table.assign(hostile);
  expect_valid_table(table);
  EXPECT_EQ(table.frequency(1), kTokenFrequencyTotal - 3);
}

TEST(TokenFrequencies, LargeVocabularyFindsEveryInterval) {
  constexpr std::size_t kVocab = 256 * 1024;
  std::mt19937 random(3);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> logits(kVocab);
  for (auto& logit : logits) logit = normal(random);
  lmc::coding::TokenFrequencies table;
  table.assign(logits);
  expect_valid_table(table);
  for (std::size_t token : {std::size_t{0}, std::size_t{1}, kVocab / 2, kVocab - 2, kVocab - 1}) {
    std::uint64_t cum = table.cumulative(token);
    std::uint64_t found_cum = 0;
    std::uint64_t found_freq = 0;
    EXPECT_EQ(table.find(cum, found_cum, found_freq), token);
    EXPECT_EQ(table.find(cum + table.frequency(token) - 1, found_cum, found_freq), token);
    EXPECT_EQ(found_cum, cum);
    EXPECT_EQ(found_freq, table.frequency(token));
  }
}

TEST(TokenFrequencies, CodingCostIsWithinATenthOfAPercentOfTheSoftmax) {
  // Cross-entropy of the integer table against the double-precision softmax, for rows shaped
  // like a language model's (a few likely tokens among 32000).
  std::mt19937 random(11);
  std::normal_distribution<float> normal(0.0f, 2.5f);
  std::vector<float> logits(32000);
  lmc::coding::TokenFrequencies table;
  double ideal = 0;
  double coded = 0;
  for (int row = 0; row < 20; ++row) {
    for (auto& logit : logits) logit = normal(random);
    for (int k = 0; k < 5; ++k) logits[static_cast<std::size_t>(random() % 32000)] += 12.0f;
    table.assign(logits);
    double largest = *std::max_element(logits.begin(), logits.end());
    double sum = 0;
    for (float logit : logits) sum += std::exp(logit - largest);
    for (std::size_t i = 0; i < logits.size(); ++i) {
      double p = std::exp(logits[i] - largest) / sum;
      ideal -= p * std::log2(p);
      coded -= p * std::log2(static_cast<double>(table.frequency(i)) / std::ldexp(1, 32));
    }
  }
  EXPECT_LE(coded, ideal * 1.001);
}

}  // namespace

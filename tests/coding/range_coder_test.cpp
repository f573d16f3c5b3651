#include "coding/range_coder.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

struct Table {
  std::vector<std::uint64_t> freq;
  std::vector<std::uint64_t> cum;
  std::uint64_t total = 0;

  explicit Table(std::vector<std::uint64_t> frequencies) : freq(std::move(frequencies)) {
    for (std::uint64_t f : freq) {
      cum.push_back(total);
      total += f;
    }
  }
  std::size_t find(std::uint64_t position) const {
    auto it = std::upper_bound(cum.begin(), cum.end(), position);
    return static_cast<std::size_t>(it - cum.begin()) - 1;
  }
  double bits(std::size_t s) const {
    return std::log2(static_cast<double>(total) / static_cast<double>(freq[s]));
  }
};

// Codes `symbols` with `table`, decodes them back, and returns the coded size in bytes.
std::size_t round_trip(const Table& table, const std::vector<std::size_t>& symbols) {
  std::vector<std::byte> out;
  lmc::coding::RangeEncoder encoder(out);
  for (std::size_t s : symbols) encoder.encode(table.cum[s], table.freq[s], table.total);
  encoder.finish();
  lmc::coding::RangeDecoder decoder(out);
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    std::uint64_t position = 0;
    EXPECT_TRUE(decoder.target(table.total, position));
    std::size_t s = table.find(position);
    decoder.consume(table.cum[s], table.freq[s]);
    if (s != symbols[i]) {
      ADD_FAILURE() << "symbol " << i << ": decoded " << s << ", coded " << symbols[i];
      break;
    }
  }
  return out.size();
}

TEST(RangeCoder, RandomTablesRoundTripAtTheirEntropy) {
  std::mt19937_64 random(42);
  for (int trial = 0; trial < 50; ++trial) {
    std::size_t n_symbols = 2 + random() % 300;
    unsigned total_bits = 8 + static_cast<unsigned>(random() % 25);  // totals up to 2^32
    std::vector<std::uint64_t> freq(n_symbols);
    for (auto& f : freq) f = 1 + random() % ((std::uint64_t{1} << total_bits) / n_symbols);
    Table table(freq);
    ASSERT_LE(table.total, lmc::coding::kRangeCoderMaxTotal);
    std::discrete_distribution<std::size_t> pick(freq.begin(), freq.end());
    std::vector<std::size_t> symbols(2000);
    double ideal = 0;
    for (auto& s : symbols) {
      s = pick(random);
      ideal += table.bits(s);
    }
    std::size_t bytes = round_trip(table, symbols);
    EXPECT_LE(bytes * 8.0, ideal * 1.001 + 64) << "trial " << trial;
  }
}

TEST(RangeCoder, OneSymbolWithAllTheMassCostsAlmostNothing) {
  std::vector<std::uint64_t> freq(1000, 1);
  freq[17] = lmc::coding::kRangeCoderMaxTotal - 999;
  Table table(freq);
  std::vector<std::size_t> symbols(100000, 17);
  EXPECT_LE(round_trip(table, symbols), 2u);
  symbols[5000] = 999;  // one improbable symbol in the middle: about 32 bits
  EXPECT_LE(round_trip(table, symbols), 6u);
}

TEST(RangeCoder, HugeVocabularyWithMinimalFrequencies) {
  constexpr std::size_t kVocab = 256 * 1024;
  std::vector<std::uint64_t> freq(kVocab, 1);
  freq[0] = lmc::coding::kRangeCoderMaxTotal - (kVocab - 1);
  Table table(freq);
  std::mt19937_64 random(7);
  std::vector<std::size_t> symbols(3000);
  double ideal = 0;
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    symbols[i] = i % 3 == 0 ? random() % kVocab : 0;  // a third are (mostly) frequency-1 tokens
    ideal += table.bits(symbols[i]);
  }
  symbols.push_back(kVocab - 1);  // the very last symbol
  ideal += table.bits(kVocab - 1);
  EXPECT_LE(round_trip(table, symbols) * 8.0, ideal * 1.001 + 64);
}

TEST(RangeCoder, CarriesPropagateThroughRunsOfFF) {
  // Symbols at the top of the interval drive low towards 2^64 and force long carry chains.
  Table table({1, (std::uint64_t{1} << 32) - 2, 1});
  std::vector<std::size_t> symbols;
  for (int i = 0; i < 20000; ++i) symbols.push_back(i % 97 == 0 ? 2 : (i % 89 == 0 ? 0 : 1));
  round_trip(table, symbols);
  Table uniform(std::vector<std::uint64_t>(256, 1));
  std::vector<std::size_t> top(5000, 255);
  top.push_back(0);
  top.insert(top.end(), 5000, 255);
  EXPECT_LE(round_trip(uniform, top), 10002u);
}

TEST(RangeCoder, EmptyStreamAndBits) {
  std::vector<std::byte> out;
  lmc::coding::RangeEncoder encoder(out);
  encoder.finish();
  EXPECT_TRUE(out.empty());
  lmc::coding::RangeEncoder bits(out);
  for (std::uint64_t v = 0; v < 1000; ++v) bits.encode_bits((v * 2654435761u) & 0xFFFFFFFF, 32);
  bits.finish();
  lmc::coding::RangeDecoder decoder(out);
  for (std::uint64_t v = 0; v < 1000; ++v) {
    std::uint64_t value = 0;
    ASSERT_TRUE(decoder.decode_bits(32, value));
    ASSERT_EQ(value, (v * 2654435761u) & 0xFFFFFFFF);
  }
}

}  // namespace

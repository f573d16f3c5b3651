// BpcResult: JSON both ways, merge rules, the exact loss accumulator, option parsing.
#include <lmc/eval.hpp>

#include "eval/bpc_result_impl.hpp"
#include "eval/fixed_loss.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace {

using lmc::eval::FixedLoss;

// A shard result filled by hand.
lmc::BpcResult shard(std::size_t index, std::size_t count, std::int64_t units,
                     std::uint64_t scored) {
  lmc::BpcResult result;
  auto& state = lmc::eval::Access::state(result);
  state.context = 1900;
  state.stride = 512;
  state.model_name = "m";
  state.corpus = "c.jsonl";
  state.shard_count = count;
  state.shards = {index};
  state.documents = 2;
  state.characters = 1000;
  state.bytes = 1010;
  state.tokens = 300;
  state.loss.add_units(units);
  state.scored_tokens = scored;
  state.windows = 1;
  state.forward_tokens = 1900;
  state.seconds = 2.0;
  state.per_document = true;
  state.documents_figures = {{"c.jsonl", 1, 600, 605, 180, 0, 0},
                             {"c.jsonl", 2, 400, 405, 120, 0, 0}};
  state.document_losses.resize(2);
  state.document_losses[0].add_units(units);
  state.documents_figures[0].scored_tokens = scored;
  state.refresh_document_bits();
  return result;
}

TEST(FixedLoss, RoundsEachTermOnceAndPrintsExactly) {
  EXPECT_EQ(FixedLoss::units_of(-1.0f), std::int64_t{1} << 32);
  EXPECT_EQ(FixedLoss::units_of(-0.5f), std::int64_t{1} << 31);
  EXPECT_EQ(FixedLoss::units_of(0.0f), 0);
  FixedLoss loss;
  for (int i = 0; i < 3; ++i) loss.add_units(std::int64_t{1} << 62);  // beyond 64 bits
  EXPECT_EQ(loss.to_decimal(), "13835058055282163712");
  EXPECT_EQ(FixedLoss::from_decimal("13835058055282163712"), loss);
  EXPECT_EQ(FixedLoss::from_decimal("-42")->to_decimal(), "-42");
  EXPECT_EQ(FixedLoss::from_decimal("0")->to_decimal(), "0");
  EXPECT_FALSE(FixedLoss::from_decimal(""));
  EXPECT_FALSE(FixedLoss::from_decimal("1.5"));
  EXPECT_FALSE(FixedLoss::from_decimal("12a"));
  EXPECT_NEAR(FixedLoss::from_decimal("4294967296")->nats(), 1.0, 0);
  EXPECT_NEAR(FixedLoss::from_decimal("4294967296")->bits(), 1.0 / std::log(2.0), 1e-15);
}

TEST(BpcResult, JsonRoundTripKeepsEveryFigure) {
  const lmc::BpcResult result = shard(1, 3, 123456789012345, 250);
  const std::string json = result.to_json();
  for (const char* key :
       {"\"bpc\"", "\"bpb\"", "\"bits_per_token\"", "\"total_bits\"", "\"characters\"", "\"bytes\"",
        "\"tokens\"", "\"scored_tokens\"", "\"documents\"", "\"windows\"", "\"context\"",
        "\"stride\"", "\"mode\"", "\"seconds\"", "\"tokens_per_second\"", "\"per_document\""}) {
    EXPECT_NE(json.find(key), std::string::npos) << key;
  }
  const lmc::BpcResult back = lmc::BpcResult::from_json(json);
  EXPECT_EQ(back.to_json(), json);
  EXPECT_EQ(back.total_bits(), result.total_bits());
  EXPECT_EQ(back.shards(), std::vector<std::size_t>{1});
  EXPECT_EQ(back.shard_count(), 3u);
  EXPECT_FALSE(back.complete());
  EXPECT_EQ(back.document_figures().size(), 2u);
  EXPECT_EQ(back.document_figures()[0].bits, result.document_figures()[0].bits);
  // Hand check of the derived figures: 123456789012345 / 2^32 nats over 1000 characters.
  const double bits = 123456789012345.0 / 4294967296.0 / std::log(2.0);
  EXPECT_NEAR(back.bpc(), bits / 1000.0, 1e-12);
  EXPECT_NEAR(back.bits_per_byte(), bits / 1010.0, 1e-12);
  EXPECT_NEAR(back.bits_per_token(), bits / 250.0, 1e-12);
  EXPECT_NEAR(back.tokens_per_second(), 125.0, 1e-12);
  EXPECT_NEAR(back.forward_tokens_per_second(), 950.0, 1e-12);
}

TEST(BpcResult, FromJsonNamesTheBadKey) {
  const std::string json = shard(0, 1, 1, 1).to_json();
  const auto expect_message = [](const std::string& text, const std::string& part) {
    try {
      lmc::BpcResult::from_json(text, "r.json");
      ADD_FAILURE() << "no error";
    } catch (const lmc::Error& error) {
      EXPECT_EQ(error.code(), lmc::ErrorCode::format);
      EXPECT_NE(std::string(error.what()).find(part), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("r.json"), std::string::npos) << error.what();
    }
  };
  expect_message("{", "invalid JSON");
  expect_message("[]", "not a JSON object");
  std::string missing = json;
  missing.replace(missing.find("\"windows\""), 9, "\"windowz\"");
  expect_message(missing, "\"windows\"");
  std::string wrong = json;
  wrong.replace(wrong.find("\"mode\": \"exact\""), 15, "\"mode\": \"other\"");
  expect_message(wrong, "\"mode\"");
  std::string negative = json;
  negative.replace(negative.find("\"tokens\": 300"), 13, "\"tokens\": -30");
  expect_message(negative, "\"tokens\"");
  std::string bad_loss = json;
  bad_loss.replace(bad_loss.find("\"loss_nats_q32\": \"1\""), 20, "\"loss_nats_q32\": \"x\"");
  expect_message(bad_loss, "loss_nats_q32");
}

TEST(BpcResult, MergeAddsWindowFiguresAndKeepsCorpusFigures) {
  lmc::BpcResult merged = shard(2, 3, 5, 10);
  merged.merge(shard(0, 3, 7, 20));
  merged.merge(shard(1, 3, 11, 30));
  EXPECT_TRUE(merged.complete());
  EXPECT_EQ(merged.shards(), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(lmc::eval::Access::state(merged).loss.to_decimal(), "23");
  EXPECT_EQ(merged.scored_tokens(), 60u);
  EXPECT_EQ(merged.windows(), 3u);
  EXPECT_EQ(merged.seconds(), 6.0);
  EXPECT_EQ(merged.characters(), 1000u);  // not tripled
  EXPECT_EQ(merged.documents(), 2u);
  EXPECT_EQ(merged.document_figures()[0].scored_tokens, 60u);
}

TEST(BpcResult, MergeRefusesResultsOfDifferentEvaluations) {
  const auto refuses = [](lmc::BpcResult other, const std::string& part) {
    lmc::BpcResult result = shard(0, 2, 1, 1);
    try {
      result.merge(other);
      ADD_FAILURE() << "no error for " << part;
    } catch (const lmc::Error& error) {
      EXPECT_EQ(error.code(), lmc::ErrorCode::invalid_argument);
      EXPECT_NE(std::string(error.what()).find(part), std::string::npos) << error.what();
    }
  };
  refuses(shard(0, 2, 1, 1), "shard 0/2");
  refuses(shard(1, 3, 1, 1), "they differ in the shard count (2 and 3)");
  lmc::BpcResult other = shard(1, 2, 1, 1);
  lmc::eval::Access::state(other).context = 256;
  refuses(other, "they differ in the context");
  other = shard(1, 2, 1, 1);
  lmc::eval::Access::state(other).characters = 999;
  refuses(other, "they differ in the character count");
  other = shard(1, 2, 1, 1);
  lmc::eval::Access::state(other).model_name = "n";
  refuses(other, "they differ in the model name");
}

TEST(BpcOptionsParsing, ShardsAndModes) {
  EXPECT_EQ(lmc::parse_shard("0/1").count, 1u);
  EXPECT_EQ(lmc::parse_shard("2/3").index, 2u);
  for (const char* bad : {"3/3", "1/0", "1", "a/2", "1/2x", "/2", "-1/2"}) {
    EXPECT_THROW(lmc::parse_shard(bad), lmc::Error) << bad;
  }
  EXPECT_EQ(lmc::parse_window_mode("paper"), lmc::WindowMode::paper);
  EXPECT_EQ(lmc::parse_window_mode("exact"), lmc::WindowMode::exact);
  EXPECT_THROW(lmc::parse_window_mode("Exact"), lmc::Error);
  EXPECT_EQ(lmc::to_string(lmc::WindowMode::paper), "paper");
}

}  // namespace

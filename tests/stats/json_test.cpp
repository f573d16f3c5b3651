// to_json: the keys lmc-correlate --json promises, with values that read back exactly.
#include <lmc/stats.hpp>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <vector>

namespace {

const std::vector<double> bpc = {0.52, 0.55, 0.57, 0.60, 0.63, 0.66, 0.70, 0.73};
const std::vector<double> score = {61.0, 58.5, 59.0, 52.5, 49.0, 46.0, 41.0, 40.0};

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseFullPrecisionFlag>(text.c_str());
  EXPECT_FALSE(document.HasParseError()) << text;
  return document;
}

TEST(StatsJson, HasThePromisedKeysAndExactValues) {
  const auto analysis = lmc::stats::analyze(bpc, score);
  const auto json = parse(lmc::stats::to_json(analysis));
  EXPECT_EQ(json["n"].GetUint64(), 8u);
  EXPECT_EQ(json["pearson"]["r"].GetDouble(), analysis.pearson.r);
  EXPECT_EQ(json["pearson"]["p"].GetDouble(), analysis.pearson.pvalue);
  EXPECT_EQ(json["pearson"]["ci_low"].GetDouble(), analysis.pearson.ci_low);
  EXPECT_EQ(json["pearson"]["ci_high"].GetDouble(), analysis.pearson.ci_high);
  EXPECT_EQ(json["spearman"]["rho"].GetDouble(), analysis.spearman.rho);
  EXPECT_EQ(json["spearman"]["p"].GetDouble(), analysis.spearman.pvalue);
  EXPECT_EQ(json["kendall"]["tau"].GetDouble(), analysis.kendall.tau);
  EXPECT_EQ(json["kendall"]["p"].GetDouble(), analysis.kendall.pvalue);
  EXPECT_STREQ(json["kendall"]["method"].GetString(), "exact");
  for (const char* key : {"slope", "intercept", "r2", "rmse", "slope_stderr", "intercept_stderr"}) {
    EXPECT_TRUE(json["fit"].HasMember(key)) << key;
  }
  EXPECT_EQ(json["fit"]["slope"].GetDouble(), analysis.fit.slope);
  EXPECT_EQ(json["fit"]["rmse"].GetDouble(), analysis.fit.rmse);
  EXPECT_EQ(json["loo_mae"].GetDouble(), analysis.leave_one_out.mae);
  EXPECT_FALSE(json.HasMember("permutation"));
  EXPECT_FALSE(json.HasMember("labels"));
}

TEST(StatsJson, IncludesDataAndResamplingWhenAsked) {
  lmc::stats::StudyData data{.x_name = "bpc \"cc\"",
                             .y_name = "score",
                             .labels = {},
                             .x = bpc,
                             .y = score,
                             .skipped = {"m9 (line 10): y column 'score' is missing"}};
  for (std::size_t i = 0; i < bpc.size(); ++i) data.labels.push_back("model-" + std::to_string(i));
  lmc::stats::AnalysisOptions options;
  options.resampling.resamples = 100;
  const auto json = parse(lmc::stats::to_json(lmc::stats::analyze(bpc, score, options), &data));
  EXPECT_STREQ(json["x"].GetString(), "bpc \"cc\"");
  EXPECT_EQ(json["labels"].Size(), 8u);
  EXPECT_EQ(json["skipped"].Size(), 1u);
  EXPECT_TRUE(json["permutation"].HasMember("p"));
  EXPECT_TRUE(json["bootstrap"].HasMember("slope_low"));
}

TEST(StatsJson, UndefinedLeaveOneOutIsNull) {
  const std::vector<double> x = {1, 2, 3}, y = {1, 3, 2};
  const auto json = parse(lmc::stats::to_json(lmc::stats::analyze(x, y)));
  EXPECT_TRUE(json["loo_mae"].IsNull());
}

}  // namespace

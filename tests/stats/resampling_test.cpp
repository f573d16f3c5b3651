// Permutation test and bootstrap: reproducible for a seed, sensible against the analytic
// results, and exact when every permutation is enumerated (exactness is checked against a
// brute-force reference in reference_test.cpp).
#include <lmc/stats.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

// A paper-like sample: 14 models, score falling with BPC (r ≈ -0.9).
const std::vector<double> bpc = {0.52, 0.55, 0.57, 0.58, 0.60, 0.61, 0.63,
                                 0.64, 0.66, 0.68, 0.70, 0.71, 0.73, 0.76};
const std::vector<double> score = {61.0, 58.5, 59.0, 55.0, 52.5, 54.0, 49.0,
                                   50.5, 46.0, 47.5, 41.0, 44.0, 40.0, 36.5};

TEST(Resampling, PermutationTestIsReproducibleAndAgreesWithTheTTest) {
  const lmc::stats::ResamplingOptions options{.resamples = 2000, .seed = 42};
  const auto first =
      lmc::stats::permutation_test(bpc, score, lmc::stats::Alternative::two_sided, options);
  const auto second =
      lmc::stats::permutation_test(bpc, score, lmc::stats::Alternative::two_sided, options);
  EXPECT_EQ(first.pvalue, second.pvalue);
  EXPECT_FALSE(first.exact);
  EXPECT_EQ(first.permutations, 2000u);
  // r ≈ -0.98: no random permutation comes close, so p is the smallest possible, 1/(B+1).
  EXPECT_DOUBLE_EQ(first.pvalue, 1.0 / 2001);

  // A weak relation: the permutation p-value lies near the t-test p-value.
  const std::vector<double> noisy = {48, 52, 47, 55, 50, 46, 53, 49, 51, 45, 50, 47, 52, 44};
  const auto permutation =
      lmc::stats::permutation_test(bpc, noisy, lmc::stats::Alternative::two_sided, options);
  const auto analytic = lmc::stats::pearson(bpc, noisy);
  EXPECT_NEAR(permutation.pvalue, analytic.pvalue, 0.05);
  const auto other_seed = lmc::stats::permutation_test(
      bpc, noisy, lmc::stats::Alternative::two_sided, {.resamples = 2000, .seed = 7});
  EXPECT_NE(permutation.pvalue, other_seed.pvalue);
}

TEST(Resampling, OneSidedPermutationPValues) {
  const lmc::stats::ResamplingOptions options{.resamples = 1000, .seed = 3};
  const auto less =
      lmc::stats::permutation_test(bpc, score, lmc::stats::Alternative::less, options);
  const auto greater =
      lmc::stats::permutation_test(bpc, score, lmc::stats::Alternative::greater, options);
  EXPECT_DOUBLE_EQ(less.pvalue, 1.0 / 1001);
  EXPECT_DOUBLE_EQ(greater.pvalue, 1.0);
}

TEST(Resampling, BootstrapIntervalsAreReproducibleAndCoverTheEstimate) {
  const lmc::stats::ResamplingOptions options{
      .resamples = 1000, .seed = 11, .confidence_level = 0.9};
  const auto first = lmc::stats::bootstrap(bpc, score, options);
  const auto second = lmc::stats::bootstrap(bpc, score, options);
  EXPECT_EQ(first.r_low, second.r_low);
  EXPECT_EQ(first.slope_high, second.slope_high);
  EXPECT_EQ(first.resamples, 1000u);
  EXPECT_EQ(first.confidence_level, 0.9);

  const auto r = lmc::stats::pearson(bpc, score).r;
  const auto slope = lmc::stats::linear_fit(bpc, score).slope;
  EXPECT_LT(first.r_low, r);
  EXPECT_GT(first.r_high, r);
  EXPECT_GE(first.r_low, -1.0);
  EXPECT_LE(first.r_high, 1.0);
  EXPECT_LT(first.slope_low, slope);
  EXPECT_GT(first.slope_high, slope);
  // Wider at a higher level.
  const auto wide =
      lmc::stats::bootstrap(bpc, score, {.resamples = 1000, .seed = 11, .confidence_level = 0.99});
  EXPECT_LE(wide.slope_low, first.slope_low);
  EXPECT_GE(wide.slope_high, first.slope_high);
}

TEST(Resampling, BootstrapRedrawsDegenerateSamples) {
  // Four points, two x values: many samples have constant x and must be redrawn.
  const std::vector<double> x = {0, 0, 1, 1};
  const std::vector<double> y = {1, 2, 3, 5};
  const auto result = lmc::stats::bootstrap(x, y, {.resamples = 300, .seed = 5});
  EXPECT_EQ(result.resamples, 300u);
  EXPECT_GT(result.degenerate, 0u);
  EXPECT_TRUE(std::isfinite(result.slope_low));
}

TEST(Resampling, AnalyzeRunsResamplingOnRequest) {
  lmc::stats::AnalysisOptions options;
  EXPECT_FALSE(lmc::stats::analyze(bpc, score, options).permutation.has_value());
  options.resampling.resamples = 500;
  const auto analysis = lmc::stats::analyze(bpc, score, options);
  ASSERT_TRUE(analysis.permutation.has_value());
  ASSERT_TRUE(analysis.bootstrap.has_value());
  EXPECT_EQ(analysis.bootstrap->resamples, 500u);
}

}  // namespace

// Bad input to every statistic gets lmc::Error with a clear message, never a NaN result.
#include <lmc/stats.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace {

std::string error_message(const auto& action) {
  try {
    action();
  } catch (const lmc::Error& error) {
    EXPECT_EQ(error.code(), lmc::ErrorCode::invalid_argument);
    return error.what();
  }
  return "(no error)";
}

const std::vector<double> x = {1, 2, 3, 4, 5};
const std::vector<double> y = {2, 1, 4, 3, 6};

TEST(StatsValidation, LengthsMustMatch) {
  const std::vector<double> short_y = {1, 2, 3, 4};
  EXPECT_EQ(error_message([&] { lmc::stats::pearson(x, short_y); }),
            "pearson: x has 5 values but y has 4; they must be paired");
  EXPECT_THROW(lmc::stats::spearman(x, short_y), lmc::Error);
  EXPECT_THROW(lmc::stats::kendall(x, short_y), lmc::Error);
  EXPECT_THROW(lmc::stats::linear_fit(x, short_y), lmc::Error);
  EXPECT_THROW(lmc::stats::leave_one_out(x, short_y), lmc::Error);
  EXPECT_THROW(lmc::stats::permutation_test(x, short_y), lmc::Error);
  EXPECT_THROW(lmc::stats::bootstrap(x, short_y), lmc::Error);
}

TEST(StatsValidation, NeedsThreePairs) {
  const std::vector<double> two = {1, 2};
  EXPECT_EQ(error_message([&] { lmc::stats::kendall(two, two); }),
            "kendall: 2 pairs given, at least 3 are needed");
  const std::vector<double> three = {1, 2, 3};
  EXPECT_EQ(error_message([&] { lmc::stats::leave_one_out(three, three); }),
            "leave_one_out: 3 pairs given, at least 4 are needed");
}

TEST(StatsValidation, RefusesNonFiniteValues) {
  std::vector<double> bad = y;
  bad[2] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(error_message([&] { lmc::stats::spearman(x, bad); }),
            "spearman: y[2] is nan; every value must be finite");
  bad[2] = std::numeric_limits<double>::infinity();
  EXPECT_EQ(error_message([&] { lmc::stats::linear_fit(bad, y); }),
            "linear_fit: x[2] is inf; every value must be finite");
}

TEST(StatsValidation, RefusesZeroVariance) {
  const std::vector<double> constant = {3, 3, 3, 3, 3};
  EXPECT_EQ(error_message([&] { lmc::stats::pearson(constant, y); }),
            "pearson: every x equals 3; a correlation with a constant is undefined");
  EXPECT_EQ(error_message([&] { lmc::stats::kendall(x, constant); }),
            "kendall: every y equals 3; a correlation with a constant is undefined");
}

TEST(StatsValidation, LeaveOneOutNeedsVaryingX) {
  const std::vector<double> almost = {1, 1, 1, 1, 2};
  EXPECT_EQ(error_message([&] { lmc::stats::leave_one_out(almost, y); }),
            "leave_one_out: without point 4 every x equals 1, so no line can be fitted");
}

TEST(StatsValidation, ConfidenceLevelAndOptions) {
  EXPECT_EQ(
      error_message([&] { lmc::stats::pearson(x, y, lmc::stats::Alternative::two_sided, 1.0); }),
      "pearson: confidence level 1 is not in (0, 1)");
  const auto fit = lmc::stats::linear_fit(x, y);
  EXPECT_THROW(lmc::stats::predict(fit, 1.0, 0.0), lmc::Error);
  EXPECT_THROW(lmc::stats::predict(fit, std::nan("")), lmc::Error);
  EXPECT_THROW(lmc::stats::predict(lmc::stats::LinearFit{}, 1.0), lmc::Error);
  EXPECT_EQ(error_message([&] { lmc::stats::bootstrap(x, y, {.resamples = 0}); }),
            "bootstrap: resamples is 0; at least 1 is needed");
}

TEST(StatsValidation, KendallExactRefusesTies) {
  const std::vector<double> tied = {1, 1, 2, 3, 4};
  EXPECT_THROW(lmc::stats::kendall(tied, y, lmc::stats::Alternative::two_sided,
                                   lmc::stats::KendallMethod::exact),
               lmc::Error);
  const auto forced = lmc::stats::kendall(x, y, lmc::stats::Alternative::two_sided,
                                          lmc::stats::KendallMethod::asymptotic);
  EXPECT_EQ(forced.method, lmc::stats::KendallMethod::asymptotic);
}

TEST(StatsValidation, PredictionIntervalsNest) {
  const auto fit = lmc::stats::linear_fit(x, y);
  const auto p = lmc::stats::predict(fit, 3.5);
  EXPECT_LT(p.prediction_low, p.mean_low);
  EXPECT_LT(p.mean_low, p.y);
  EXPECT_LT(p.y, p.mean_high);
  EXPECT_LT(p.mean_high, p.prediction_high);
}

}  // namespace

namespace {

TEST(StatsValidation, KendallExactIsBoundedInSize) {
  std::vector<double> x(1200), y(1200);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<double>(i);
    y[i] = static_cast<double>((i * 7919) % x.size());  // a scrambled order, no ties
  }
  EXPECT_THROW(lmc::stats::kendall(x, y, lmc::stats::Alternative::two_sided,
                                   lmc::stats::KendallMethod::exact),
               lmc::Error);
  EXPECT_EQ(lmc::stats::kendall(x, y).method, lmc::stats::KendallMethod::asymptotic);
}

}  // namespace

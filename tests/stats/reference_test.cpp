// Every statistic against SciPy 1.10 on the data sets of reference.json (made by
// make_reference.py): 1e-9 relative, or 1e-12 absolute for tiny values.
#include <lmc/stats.hpp>

#include "reference_data.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace {

using lmc::stats::Alternative;
using lmc_stats_test::doubles;

struct NamedAlternative {
  const char* name;
  Alternative value;
};
constexpr NamedAlternative alternatives[] = {{"two-sided", Alternative::two_sided},
                                             {"less", Alternative::less},
                                             {"greater", Alternative::greater}};

const rapidjson::Document& reference() {
  static const rapidjson::Document document = lmc_stats_test::load_reference("reference.json");
  return document;
}

// Calls `check(entry, x, y)` for every data set SciPy computed statistics for, and counts them.
template <typename Check>
int for_each_valid(Check check) {
  int count = 0;
  for (const auto& entry : reference()["datasets"].GetArray()) {
    if (entry.HasMember("expect_error")) continue;
    SCOPED_TRACE(entry["name"].GetString());
    check(entry, doubles(entry["x"]), doubles(entry["y"]));
    ++count;
  }
  return count;
}

TEST(StatsReference, HasEnoughDataSets) {
  int sizes_small = 0, sizes_large = 0, total = 0;
  for (const auto& entry : reference()["datasets"].GetArray()) {
    const auto n = entry["x"].Size();
    sizes_small += n <= 5;
    sizes_large += n >= 200;
    ++total;
  }
  EXPECT_GE(total, 40);
  EXPECT_GT(sizes_small, 0);
  EXPECT_GT(sizes_large, 0);
}

TEST(StatsReference, AverageRanks) {
  for_each_valid([](const rapidjson::Value& entry, const auto& x, const auto& y) {
    const auto rx = lmc::stats::average_ranks(x);
    const auto ry = lmc::stats::average_ranks(y);
    EXPECT_EQ(rx, doubles(entry["ranks_x"]));
    EXPECT_EQ(ry, doubles(entry["ranks_y"]));
  });
}

TEST(StatsReference, Pearson) {
  const int count = for_each_valid([](const rapidjson::Value& entry, const auto& x, const auto& y) {
    for (const auto& alternative : alternatives) {
      SCOPED_TRACE(alternative.name);
      const auto& expected = entry["pearson"][alternative.name];
      const auto result = lmc::stats::pearson(x, y, alternative.value);
      EXPECT_EQ(result.n, x.size());
      EXPECT_CLOSE(result.r, expected["r"].GetDouble());
      EXPECT_CLOSE(result.pvalue, expected["p"].GetDouble());
      EXPECT_CLOSE(result.ci_low, expected["ci95"][0].GetDouble());
      EXPECT_CLOSE(result.ci_high, expected["ci95"][1].GetDouble());
      const auto ninety = lmc::stats::pearson(x, y, alternative.value, 0.90);
      EXPECT_CLOSE(ninety.ci_low, expected["ci90"][0].GetDouble());
      EXPECT_CLOSE(ninety.ci_high, expected["ci90"][1].GetDouble());
    }
  });
  EXPECT_GE(count, 40);
}

TEST(StatsReference, Spearman) {
  for_each_valid([](const rapidjson::Value& entry, const auto& x, const auto& y) {
    for (const auto& alternative : alternatives) {
      SCOPED_TRACE(alternative.name);
      const auto& expected = entry["spearman"][alternative.name];
      const auto result = lmc::stats::spearman(x, y, alternative.value);
      EXPECT_CLOSE(result.rho, expected["rho"].GetDouble());
      EXPECT_CLOSE(result.pvalue, expected["p"].GetDouble());
    }
  });
}

TEST(StatsReference, Kendall) {
  for_each_valid([](const rapidjson::Value& entry, const auto& x, const auto& y) {
    const std::string method = entry["kendall"]["method"].GetString();
    for (const auto& alternative : alternatives) {
      SCOPED_TRACE(alternative.name);
      const auto& expected = entry["kendall"][alternative.name];
      const auto result = lmc::stats::kendall(x, y, alternative.value);
      EXPECT_CLOSE(result.tau, expected["tau"].GetDouble());
      EXPECT_CLOSE(result.pvalue, expected["p"].GetDouble());
      EXPECT_EQ(result.method, method == "exact" ? lmc::stats::KendallMethod::exact
                                                 : lmc::stats::KendallMethod::asymptotic);
    }
  });
}

TEST(StatsReference, LinearFit) {
  for_each_valid([](const rapidjson::Value& entry, const auto& x, const auto& y) {
    const auto& expected = entry["linregress"];
    const auto fit = lmc::stats::linear_fit(x, y);
    EXPECT_CLOSE(fit.slope, expected["slope"].GetDouble());
    EXPECT_CLOSE(fit.intercept, expected["intercept"].GetDouble());
    EXPECT_CLOSE(fit.r, expected["r"].GetDouble());
    EXPECT_CLOSE(fit.r2, expected["r"].GetDouble() * expected["r"].GetDouble());
    EXPECT_CLOSE(fit.pvalue, expected["p"].GetDouble());
    EXPECT_CLOSE(fit.slope_stderr, expected["slope_stderr"].GetDouble());
    EXPECT_CLOSE(fit.intercept_stderr, expected["intercept_stderr"].GetDouble());
    EXPECT_CLOSE(fit.rmse, expected["rmse"].GetDouble());
    EXPECT_CLOSE(fit.residual_stderr, expected["residual_stderr"].GetDouble());
    const auto residuals = doubles(expected["residuals"]);
    ASSERT_EQ(fit.residuals.size(), residuals.size());
    // Residuals are differences of nearly equal numbers: compare them on the scale of y.
    double y_scale = 0;
    for (double v : y) y_scale = std::max(y_scale, std::abs(v));
    for (std::size_t i = 0; i < residuals.size(); ++i) {
      EXPECT_NEAR(fit.residuals[i], residuals[i], 1e-9 * y_scale) << "residual " << i;
    }

    const auto& p = expected["prediction"];
    const auto prediction = lmc::stats::predict(fit, p["x"].GetDouble());
    EXPECT_CLOSE(prediction.y, p["y"].GetDouble());
    EXPECT_CLOSE(prediction.prediction_low, p["prediction_low"].GetDouble());
    EXPECT_CLOSE(prediction.prediction_high, p["prediction_high"].GetDouble());
    EXPECT_CLOSE(prediction.mean_low, p["mean_low"].GetDouble());
    EXPECT_CLOSE(prediction.mean_high, p["mean_high"].GetDouble());
  });
}

TEST(StatsReference, LeaveOneOut) {
  int checked = 0;
  for_each_valid([&](const rapidjson::Value& entry, const auto& x, const auto& y) {
    if (!entry.HasMember("leave_one_out")) {
      EXPECT_THROW(lmc::stats::leave_one_out(x, y), lmc::Error);  // n < 4
      return;
    }
    const auto& expected = entry["leave_one_out"];
    if (expected.HasMember("expect_error")) {
      EXPECT_THROW(lmc::stats::leave_one_out(x, y), lmc::Error);
      return;
    }
    const auto result = lmc::stats::leave_one_out(x, y);
    const auto predicted = doubles(expected["predicted"]);
    ASSERT_EQ(result.predicted.size(), predicted.size());
    for (std::size_t i = 0; i < predicted.size(); ++i)
      EXPECT_CLOSE(result.predicted[i], predicted[i]);
    EXPECT_CLOSE(result.mae, expected["mae"].GetDouble());
    EXPECT_CLOSE(result.rmse, expected["rmse"].GetDouble());
    ++checked;
  });
  EXPECT_GE(checked, 30);
}

TEST(StatsReference, ExactPermutationTest) {
  int checked = 0;
  for_each_valid([&](const rapidjson::Value& entry, const auto& x, const auto& y) {
    if (!entry.HasMember("exact_permutation")) return;
    for (const auto& alternative : alternatives) {
      SCOPED_TRACE(alternative.name);
      const auto result =
          lmc::stats::permutation_test(x, y, alternative.value, {.resamples = 9999});
      EXPECT_TRUE(result.exact);
      EXPECT_CLOSE(result.pvalue, entry["exact_permutation"][alternative.name].GetDouble());
    }
    ++checked;
  });
  EXPECT_GE(checked, 5);
}

TEST(StatsReference, ConstantInputIsRefused) {
  int refused = 0;
  for (const auto& entry : reference()["datasets"].GetArray()) {
    if (!entry.HasMember("expect_error")) continue;
    SCOPED_TRACE(entry["name"].GetString());
    const auto x = doubles(entry["x"]);
    const auto y = doubles(entry["y"]);
    EXPECT_THROW(lmc::stats::pearson(x, y), lmc::Error);
    EXPECT_THROW(lmc::stats::spearman(x, y), lmc::Error);
    EXPECT_THROW(lmc::stats::kendall(x, y), lmc::Error);
    EXPECT_THROW(lmc::stats::linear_fit(x, y), lmc::Error);
    ++refused;
  }
  EXPECT_GE(refused, 2);
}

}  // namespace

// The distribution functions behind every p-value, against 50-digit values from mpmath, and
// Kendall's exact null distribution against exact integer counts (special_functions.json, made
// by make_reference.py). Required: 1e-10 relative over the ranges the statistics use.
#include "stats/distributions.hpp"
#include "stats/kendall_exact.hpp"

#include "reference_data.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

namespace detail = lmc::stats::detail;

constexpr double required_relative = 1e-10;

const rapidjson::Document& reference() {
  static const rapidjson::Document document =
      lmc_stats_test::load_reference("special_functions.json");
  return document;
}

double parse(const rapidjson::Value& value) { return std::strtod(value.GetString(), nullptr); }

// Relative error, except below the normal range of doubles where only absolute error is
// meaningful.
class ErrorTracker {
 public:
  explicit ErrorTracker(const char* name) : name_(name) {}
  ~ErrorTracker() { std::printf("%s: largest relative error %.3g\n", name_, largest_); }

  void check(double actual, double expected, const std::string& where) {
    if (std::abs(expected) < 1e-300) {
      EXPECT_NEAR(actual, expected, 1e-300) << where;
      return;
    }
    const double error = lmc_stats_test::relative_difference(actual, expected);
    largest_ = std::max(largest_, error);
    EXPECT_LE(error, required_relative) << where << ": got " << actual << ", expected " << expected;
  }

 private:
  const char* name_;
  double largest_ = 0;
};

TEST(SpecialFunctions, IncompleteBeta) {
  ErrorTracker tracker("incomplete beta"), complement("incomplete beta complement");
  int cases = 0;
  for (const auto& c : reference()["incomplete_beta"].GetArray()) {
    const double a = c["a"].GetDouble(), b = c["b"].GetDouble(), x = c["x"].GetDouble();
    const std::string where =
        "I(" + std::to_string(a) + ", " + std::to_string(b) + ", " + std::to_string(x) + ")";
    tracker.check(detail::incomplete_beta(a, b, x), parse(c["value"]), where);
    complement.check(detail::incomplete_beta_complement(a, b, x), parse(c["complement"]), where);
    ++cases;
  }
  EXPECT_GE(cases, 100);
}

TEST(SpecialFunctions, Normal) {
  ErrorTracker cdf("normal cdf"), sf("normal sf"), quantile("normal quantile");
  for (const auto& c : reference()["normal_cdf"].GetArray()) {
    const double z = c["z"].GetDouble();
    cdf.check(detail::normal_cdf(z), parse(c["cdf"]), "cdf z=" + std::to_string(z));
    sf.check(detail::normal_sf(z), parse(c["sf"]), "sf z=" + std::to_string(z));
  }
  for (const auto& c : reference()["normal_quantile"].GetArray()) {
    const double p = c["p"].GetDouble();
    quantile.check(detail::normal_quantile(p), parse(c["z"]), "quantile p=" + std::to_string(p));
  }
  EXPECT_EQ(detail::normal_cdf(-INFINITY), 0.0);
  EXPECT_EQ(detail::normal_sf(-INFINITY), 1.0);
}

TEST(SpecialFunctions, StudentT) {
  ErrorTracker cdf("student t cdf"), quantile("student t quantile");
  for (const auto& c : reference()["student_t_cdf"].GetArray()) {
    const double t = c["t"].GetDouble(), df = c["df"].GetDouble();
    cdf.check(detail::student_t_cdf(t, df), parse(c["cdf"]),
              "t=" + std::to_string(t) + " df=" + std::to_string(df));
    // The upper tail is the lower tail of -t, by symmetry.
    cdf.check(detail::student_t_sf(-t, df), parse(c["cdf"]),
              "sf t=" + std::to_string(-t) + " df=" + std::to_string(df));
  }
  for (const auto& c : reference()["student_t_quantile"].GetArray()) {
    const double p = c["p"].GetDouble(), df = c["df"].GetDouble();
    quantile.check(detail::student_t_quantile(p, df), parse(c["t"]),
                   "p=" + std::to_string(p) + " df=" + std::to_string(df));
  }
  EXPECT_EQ(detail::student_t_cdf(INFINITY, 5), 1.0);
  EXPECT_EQ(detail::student_t_cdf(-INFINITY, 5), 0.0);
}

TEST(SpecialFunctions, KendallExactDistribution) {
  ErrorTracker tracker("kendall exact");
  using lmc::stats::Alternative;
  for (const auto& c : reference()["kendall_exact"].GetArray()) {
    const auto n = c["n"].GetInt64(), concordant = c["concordant"].GetInt64();
    const std::string where = "n=" + std::to_string(n) + " c=" + std::to_string(concordant);
    // SciPy's convention at the exact centre of the distribution: the two-sided p-value is 1.
    tracker.check(detail::kendall_exact_pvalue(n, concordant, Alternative::two_sided),
                  c["two-sided"].GetDouble(), where + " two-sided");
    tracker.check(detail::kendall_exact_pvalue(n, concordant, Alternative::less),
                  c["less"].GetDouble(), where + " less");
    tracker.check(detail::kendall_exact_pvalue(n, concordant, Alternative::greater),
                  c["greater"].GetDouble(), where + " greater");
  }
}

}  // namespace

// Loading the committed reference values (tests/stats/*.json) and comparing against them with
// the tolerance the acceptance asks for: 1e-9 relative, or 1e-12 absolute for tiny values.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

namespace lmc_stats_test {

inline rapidjson::Document load_reference(const std::string& file) {
  const std::string path = std::string(LMC_STATS_REFERENCE_DIR) + "/" + file;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document document;
  // Full precision: the data and the reference values must read back to the exact doubles.
  document.Parse<rapidjson::kParseFullPrecisionFlag>(text.str().c_str());
  if (document.HasParseError() || !document.IsObject()) {
    ADD_FAILURE() << "cannot read " << path;
  }
  return document;
}

inline std::vector<double> doubles(const rapidjson::Value& array) {
  std::vector<double> out;
  for (const auto& v : array.GetArray()) out.push_back(v.GetDouble());
  return out;
}

inline double relative_difference(double actual, double expected) {
  if (actual == expected) return 0;
  return std::abs(actual - expected) / std::max(std::abs(expected), 1e-300);
}

inline ::testing::AssertionResult Close(const char* actual_text, const char* expected_text,
                                        double actual, double expected) {
  const double difference = std::abs(actual - expected);
  if (actual == expected || difference <= 1e-12 || difference <= 1e-9 * std::abs(expected)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << actual_text << " = " << std::setprecision(17) << actual << ", reference "
         << expected_text << " = " << expected << " (relative difference "
         << relative_difference(actual, expected) << ")";
}

}  // namespace lmc_stats_test

/// Within 1e-9 relative or 1e-12 absolute of the reference.
#define EXPECT_CLOSE(actual, expected) \
  EXPECT_PRED_FORMAT2(::lmc_stats_test::Close, actual, expected)

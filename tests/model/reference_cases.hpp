// Reads the reference cases of ../shared/testdata (*.ref.json): tokens and llama.cpp's
// next-token log-probabilities; and the check that a model is within their tolerance.
#pragma once

#include <lmc/model.hpp>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace lmc_test {

struct ReferenceCase {
  std::string name;
  std::string text;
  std::vector<std::int32_t> tokens;
  std::vector<double> logprob_next;
  // quantized/ only: llama.cpp on the same weights dequantized to F32 (empty elsewhere).
  std::vector<double> logprob_next_dequantized_f32;
};

struct Reference {
  std::vector<ReferenceCase> cases;
  // checks.recommended_f32_tolerance_max_abs, or checks.tolerance_max_abs, when present
  double tolerance = 0;
};

// Largest |a[i] - b[i]|; infinity when the lengths differ, so that a mismatch cannot pass.
template <typename A, typename B>
double max_abs_difference(const std::vector<A>& a, const std::vector<B>& b) {
  if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
  }
  return worst;
}

inline Reference read_reference(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse(text.str().c_str());
  Reference ref;
  if (doc.HasParseError() || !doc.IsObject()) return ref;
  if (doc.HasMember("checks") && doc["checks"].HasMember("recommended_f32_tolerance_max_abs")) {
    ref.tolerance = doc["checks"]["recommended_f32_tolerance_max_abs"].GetDouble();
  } else if (doc.HasMember("checks") && doc["checks"].HasMember("tolerance_max_abs")) {
    ref.tolerance = doc["checks"]["tolerance_max_abs"].GetDouble();
  }
  for (const auto& c : doc["cases"].GetArray()) {
    ReferenceCase rc;
    rc.name = c["name"].GetString();
    rc.text = c["text"].GetString();
    for (const auto& t : c["tokens"].GetArray()) rc.tokens.push_back(t.GetInt());
    for (const auto& v : c["logprob_next"].GetArray()) rc.logprob_next.push_back(v.GetDouble());
    if (c.HasMember("logprob_next_dequantized_f32")) {
      for (const auto& v : c["logprob_next_dequantized_f32"].GetArray()) {
        rc.logprob_next_dequantized_f32.push_back(v.GetDouble());
      }
    }
    ref.cases.push_back(std::move(rc));
  }
  return ref;
}

/// Every case of `ref` scored by `model` within ref.tolerance of llama.cpp's log-probabilities
/// (a failure names `label` and the case); prints the largest difference of each case.
inline void expect_within_tolerance(const lmc::Model& model, const Reference& ref,
                                    const std::string& label) {
  for (const auto& c : ref.cases) {
    const std::vector<float> lp = model.token_logprobs(c.tokens);
    ASSERT_EQ(lp.size(), c.logprob_next.size()) << label << "/" << c.name;
    const double worst = max_abs_difference(lp, c.logprob_next);
    EXPECT_LE(worst, ref.tolerance) << label << "/" << c.name;
    std::printf("%s/%s: max |Δ| %.3g (tolerance %.3g)\n", label.c_str(), c.name.c_str(), worst,
                ref.tolerance);
  }
}

}  // namespace lmc_test

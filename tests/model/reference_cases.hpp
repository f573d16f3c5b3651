// Reads the reference cases of ../shared/testdata (*.ref.json): tokens and llama.cpp's
// next-token log-probabilities.
#pragma once

#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace lmc_test {

struct ReferenceCase {
  std::string name;
  std::string text;
  std::vector<std::int32_t> tokens;
  std::vector<double> logprob_next;
};

struct Reference {
  std::vector<ReferenceCase> cases;
  double tolerance = 0;  // checks.recommended_f32_tolerance_max_abs, when present
};

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
  }
  for (const auto& c : doc["cases"].GetArray()) {
    ReferenceCase rc;
    rc.name = c["name"].GetString();
    rc.text = c["text"].GetString();
    for (const auto& t : c["tokens"].GetArray()) rc.tokens.push_back(t.GetInt());
    for (const auto& v : c["logprob_next"].GetArray()) rc.logprob_next.push_back(v.GetDouble());
    ref.cases.push_back(std::move(rc));
  }
  return ref;
}

}  // namespace lmc_test

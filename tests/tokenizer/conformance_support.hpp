// Reading the reference tokenizations of ../shared/testdata (tokenizers/*/cases.jsonl and
// vocab/*.inp/.out) for the conformance tests.
#pragma once

#include <lmc/tokenizer.hpp>

#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace lmc_test {

struct TokenizerCase {
  std::string text;
  std::vector<lmc::Token> ids;
  std::vector<lmc::Token> ids_with_special;
  std::string decoded;
  std::string source;
};

inline std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::vector<lmc::Token> json_ids(const rapidjson::Value& array) {
  std::vector<lmc::Token> ids;
  for (const auto& id : array.GetArray()) ids.push_back(id.GetInt());
  return ids;
}

inline std::vector<TokenizerCase> read_cases(const std::filesystem::path& path) {
  std::vector<TokenizerCase> cases;
  std::istringstream lines(read_whole_file(path));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    rapidjson::Document d;
    d.Parse(line.data(), line.size());
    if (d.HasParseError()) continue;
    cases.push_back({std::string(d["text"].GetString(), d["text"].GetStringLength()),
                     json_ids(d["ids"]), json_ids(d["ids_with_special"]),
                     std::string(d["decoded"].GetString(), d["decoded"].GetStringLength()),
                     d["source"].GetString()});
  }
  return cases;
}

inline std::string show_ids(const std::vector<lmc::Token>& ids) {
  std::string out;
  for (lmc::Token id : ids) {
    out.push_back(' ');
    out.append(std::to_string(id));
  }
  return out;
}

}  // namespace lmc_test

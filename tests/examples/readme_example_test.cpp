// The README's worked example of lmc-study is true: its sh block (the one after the comment
// naming this test) runs as it is, with the built programs first on PATH, in an empty folder;
// the output block after it appears in what the commands print, line by line and in order
// (numbers to the digits the README shows, within a rounding of the last one), and the files
// the README names are written.
#include "support/run_program.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The fenced block of `language` that follows `from` in `text`.
std::string block_after(const std::string& text, std::size_t from, const std::string& language) {
  const std::string fence = "```" + language + "\n";
  const std::size_t begin = text.find(fence, from);
  if (begin == std::string::npos) return {};
  const std::size_t body = begin + fence.size();
  const std::size_t end = text.find("\n```", body);
  if (end == std::string::npos) return {};
  return text.substr(body, end - body + 1);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// A word as a number, without the brackets and commas around it; false when it is none.
bool number_of(std::string word, double& value, int& decimals) {
  while (!word.empty() && (word.front() == '[' || word.front() == '(')) word.erase(0, 1);
  while (!word.empty() && (word.back() == ']' || word.back() == ',' || word.back() == ')')) {
    word.pop_back();
  }
  if (word.empty()) return false;
  const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (error != std::errc() || end != word.data() + word.size()) return false;
  const std::size_t point = word.find('.');
  decimals = point == std::string::npos ? 0 : static_cast<int>(word.size() - point - 1);
  return true;
}

// The README's line and a printed line agree: the same words, numbers within one unit of the
// README's last digit (another CPU may round a last digit the other way).
bool same_line(const std::string& readme, const std::string& printed) {
  const std::vector<std::string> a = words_of(readme);
  const std::vector<std::string> b = words_of(printed);
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    double x = 0, y = 0;
    int decimals = 0, ignored = 0;
    if (number_of(a[i], x, decimals) && number_of(b[i], y, ignored)) {
      if (std::fabs(x - y) > std::pow(10.0, -decimals) * 1.0001) return false;
    } else if (a[i] != b[i]) {
      return false;
    }
  }
  return true;
}

TEST(ReadmeExample, TheStudyExampleRunsAndPrintsWhatTheReadmeShows) {
  const std::string readme = read_file(fs::path(LMC_SOURCE_DIR) / "README.md");
  const std::size_t marker =
      readme.find("tests/examples/readme_example_test.cpp runs the sh block");
  ASSERT_NE(marker, std::string::npos) << "README.md lost the marked example";
  const std::string commands = block_after(readme, marker, "sh");
  ASSERT_FALSE(commands.empty());
  const std::string expected = block_after(readme, readme.find(commands, marker), "text");
  ASSERT_FALSE(expected.empty());
  ASSERT_NE(commands.find("lmc-study --example demo"), std::string::npos) << commands;

  static std::atomic<int> counter{0};
  const fs::path dir =
      fs::temp_directory_path() /
      ("lmc_readme_example_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path script = dir / "example.sh";
  {
    std::ofstream out(script);
    out << "set -e\ncd " << lmc_test::shell_quote(dir.string())
        << "\nPATH=" << lmc_test::shell_quote(LMC_PROGRAMS_DIR) << ":\"$PATH\"\n"
        << commands;
  }
  const lmc_test::ProgramRun run =
      lmc_test::run_program("/bin/sh", lmc_test::shell_quote(script.string()));
  ASSERT_EQ(run.status, 0) << run.output;

  const std::vector<std::string> printed = lines_of(run.output);
  std::size_t at = 0;
  for (const std::string& line : lines_of(expected)) {
    while (at < printed.size() && !same_line(line, printed[at])) ++at;
    EXPECT_LT(at, printed.size()) << "the README shows a line the example does not print:\n"
                                  << line << "\nit printed:\n"
                                  << run.output;
    if (at >= printed.size()) break;
    ++at;
  }

  for (const char* file :
       {"study.csv", "study.json", "knowledge.svg", "coding.svg", "math.svg", "overall.svg"}) {
    EXPECT_TRUE(fs::is_regular_file(dir / "demo" / "out" / file)) << file;
  }
  std::size_t results = 0;
  for (const auto& entry : fs::directory_iterator(dir / "demo" / "out" / "results")) {
    results += entry.path().extension() == ".json";
  }
  EXPECT_EQ(results, 9u);

  // --example never overwrites: a second one into the same folder is refused.
  const lmc_test::ProgramRun again =
      lmc_test::run_program((fs::path(LMC_PROGRAMS_DIR) / "lmc-study").string(),
                            "--example " + lmc_test::shell_quote((dir / "demo").string()));
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.output.find("exists already"), std::string::npos) << again.output;
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

}  // namespace

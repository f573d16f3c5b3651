// The paper's own figures, shipped in examples/data/huang2024, reproduce the correlations the
// paper prints (Huang et al., "Compression Represents Intelligence Linearly", COLM 2024,
// Figure 1): overall r = -0.931 with RMSE 3.1 points, and per area r = -0.935 (knowledge and
// commonsense), -0.937 (coding), -0.953 (mathematical reasoning). Every expected number below
// is the paper's, never one lmc produced; the comparison is to the digits the paper prints.
#include <lmc/stats.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace {

using lmc::stats::StudyData;
using lmc::stats::StudySelection;
using lmc::stats::StudyTable;

std::string data_file(const std::string& name) {
  return std::string(LMC_PAPER_DATA_DIR) + "/" + name;
}

// `value` as the paper would print it with `decimals` digits after the point.
double printed(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

struct Fit {
  std::size_t n;
  double r;
  double rmse;
};

Fit fit(const StudyTable& table, const StudySelection& selection) {
  const StudyData data = table.select(selection);
  const lmc::stats::LinearFit line = lmc::stats::linear_fit(data.x, data.y);
  return {data.x.size(), lmc::stats::pearson(data.x, data.y).r, line.rmse};
}

const std::vector<std::string> kQwen = {"Qwen-7b", "Qwen-14b", "Qwen-72b"};

TEST(PaperData, OverallAverageOfTheNineteenGeneralModels) {
  // Figure 1: the mean of the three area averages against the mean of the three BPCs, over the
  // models evaluated in all three areas (the code and math models have empty cells and are
  // skipped). RMSE divides by n: 3.11 (by n - 2 it would be 3.29, which does not print as 3.1).
  const StudyTable models = StudyTable::read_csv(data_file("models.csv"));
  const StudyData data = models.select({.y = {"knowledge_avg", "coding_avg", "math_avg"},
                                        .x_mean = {"BPC_cc", "BPC_python", "BPC_arxiv_math"}});
  EXPECT_EQ(data.x.size(), 19U);
  EXPECT_EQ(data.skipped.size(), 12U);  // 9 code and 3 math models
  const lmc::stats::LinearFit line = lmc::stats::linear_fit(data.x, data.y);
  EXPECT_EQ(printed(lmc::stats::pearson(data.x, data.y).r, 3), -0.931);
  EXPECT_EQ(printed(line.rmse, 1), 3.1);
  EXPECT_NE(printed(line.residual_stderr, 1), 3.1);  // the n - 2 convention is not the paper's
}

TEST(PaperData, KnowledgeAndCommonsense) {
  const StudyTable table = StudyTable::read_csv(data_file("knowledge_table4.csv"));
  const Fit f = fit(table, {.x = "BPC_CC", .y = {"Average"}});
  EXPECT_EQ(f.n, 19U);
  EXPECT_EQ(printed(f.r, 3), -0.935);
}

TEST(PaperData, Coding) {
  const StudyTable table = StudyTable::read_csv(data_file("coding_table6.csv"));
  const Fit f = fit(table, {.x = "BPC_Python", .y = {"Average"}});
  EXPECT_EQ(f.n, 28U);
  EXPECT_EQ(printed(f.r, 3), -0.937);
}

TEST(PaperData, MathematicalReasoningWithoutQwen) {
  const StudyTable table = StudyTable::read_csv(data_file("math_table8.csv"));
  const Fit f = fit(table, {.x = "BPC_ArXivMath", .y = {"Average"}, .exclude = kQwen});
  EXPECT_EQ(f.n, 19U);
  EXPECT_EQ(printed(f.r, 3), -0.953);
  // With the Qwen models the published figure is not reached: they are what the fit leaves out.
  EXPECT_NE(printed(fit(table, {.x = "BPC_ArXivMath", .y = {"Average"}}).r, 3), -0.953);
}

TEST(PaperData, ModelsTableGivesTheSamePerAreaFits) {
  // models.csv holds the same figures as the three tables: the per-area fits agree with the
  // printed r, and a row's empty cells leave out exactly the models a table lacks.
  const StudyTable models = StudyTable::read_csv(data_file("models.csv"));
  const Fit knowledge = fit(models, {.x = "BPC_cc", .y = {"knowledge_avg"}});
  const Fit coding = fit(models, {.x = "BPC_python", .y = {"coding_avg"}});
  const Fit math = fit(models, {.x = "BPC_arxiv_math", .y = {"math_avg"}, .exclude = kQwen});
  EXPECT_EQ(knowledge.n, 19U);
  EXPECT_EQ(coding.n, 28U);
  EXPECT_EQ(math.n, 19U);
  EXPECT_EQ(printed(knowledge.r, 3), -0.935);
  EXPECT_EQ(printed(coding.r, 3), -0.937);
  EXPECT_EQ(printed(math.r, 3), -0.953);
}

TEST(PaperData, AreaAveragesAreTheMeansOfTheirBenchmarks) {
  // The transcription's own consistency: each printed average is the mean of its benchmark
  // columns to the paper's rounding: within half a unit of its one printed decimal.
  const StudyTable models = StudyTable::read_csv(data_file("models.csv"));
  const std::vector<std::pair<std::string, std::vector<std::string>>> areas = {
      {"knowledge_avg", {"HellaSwag", "ARC-Challenge", "NaturalQuestions", "TriviaQA", "MMLU"}},
      {"coding_avg", {"HumanEval", "MBPP", "DS-1000"}},
      {"math_avg", {"GSM8K", "MATH", "SAT-Math", "MMLU-Math"}}};
  for (const auto& [average, columns] : areas) {
    const StudyData mean = models.select({.x = average, .y = columns});
    ASSERT_GE(mean.x.size(), 19U) << average;
    for (std::size_t i = 0; i < mean.x.size(); ++i) {
      EXPECT_NEAR(mean.x[i], mean.y[i], 0.05 + 1e-9) << average << " of " << mean.labels[i];
    }
  }
}

TEST(PaperData, ExcludeNamesRowsThatExist) {
  const StudyTable table = StudyTable::read_csv(data_file("math_table8.csv"));
  try {
    table.select({.x = "BPC_ArXivMath", .y = {"Average"}, .exclude = {"Qwen-8b"}});
    FAIL() << "an unknown label to exclude was accepted";
  } catch (const lmc::Error& error) {
    EXPECT_NE(std::string(error.what()).find("no row labelled 'Qwen-8b'"), std::string::npos)
        << error.what();
  }
}

TEST(PaperData, OneXColumnOrSeveralNotBoth) {
  const StudyTable table = StudyTable::read_csv(data_file("models.csv"));
  EXPECT_THROW(table.select({.x = "BPC_cc", .y = {"knowledge_avg"}, .x_mean = {"BPC_python"}}),
               lmc::Error);
  EXPECT_THROW(table.select({.y = {"knowledge_avg"}}), lmc::Error);
}

}  // namespace

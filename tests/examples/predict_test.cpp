// lmc-predict with the paper's fit: for every model of the paper's overall fit, the 95%
// prediction interval at its BPCs holds its published average (the paper's Figure 1 models,
// examples/data/huang2024/models.csv), and the leave-one-out error stays near the paper's RMSE
// of 3.1 points. A model the paper did not study (from the repository's leaderboard) is placed
// on the plot.
#include "support/run_program.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::string kPredict = LMC_PREDICT_PATH;
const std::string kPaper = LMC_PAPER_DATA_DIR;

rapidjson::Document predict(const std::string& arguments) {
  const lmc_test::ProgramRun run = lmc_test::run_program(kPredict, arguments + " --json");
  EXPECT_EQ(run.status, 0) << run.output;
  rapidjson::Document json;
  json.Parse(run.output.c_str(), run.output.size());
  EXPECT_FALSE(json.HasParseError()) << run.output;
  return json;
}

// models.csv rows of the general-purpose models: BPC on the three corpora, the area averages.
struct PaperModel {
  std::string name;
  double bpc[3];
  double average;  // mean of the three area averages
};

std::vector<PaperModel> general_models() {
  std::ifstream in(kPaper + "/models.csv");
  std::string line;
  std::getline(in, line);  // header: model,series,creator,params_B,model_type,BPC_cc,...
  std::vector<PaperModel> models;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    std::string cell;
    while (std::getline(fields, cell, ',')) cells.push_back(cell);
    if (cells.size() < 11 || cells[8].empty() || cells[9].empty() || cells[10].empty()) continue;
    models.push_back({cells[0],
                      {std::stod(cells[5]), std::stod(cells[6]), std::stod(cells[7])},
                      (std::stod(cells[8]) + std::stod(cells[9]) + std::stod(cells[10])) / 3});
  }
  return models;
}

TEST(LmcPredict, ThePapersFitCoversThePapersModels) {
  const std::vector<PaperModel> models = general_models();
  ASSERT_EQ(models.size(), 19u);
  int covered = 0;
  for (const PaperModel& model : models) {
    std::ostringstream bpc;
    bpc.precision(17);
    bpc << model.bpc[0] << "," << model.bpc[1] << "," << model.bpc[2];
    const rapidjson::Document json = predict("--bpc " + bpc.str() + " --name " + model.name);
    ASSERT_TRUE(json.IsObject());
    EXPECT_EQ(json["fit"]["n"].GetUint(), 19u);
    // The fit itself is the paper's: r = -0.931, RMSE 3.1 points (Figure 1).
    EXPECT_NEAR(json["fit"]["r"].GetDouble(), -0.931, 0.0005);
    EXPECT_NEAR(json["fit"]["rmse"].GetDouble(), 3.1, 0.05);
    const double low = json["prediction_low"].GetDouble();
    const double high = json["prediction_high"].GetDouble();
    covered += low <= model.average && model.average <= high;
    // Within three RMSEs of the published figure.
    EXPECT_LT(std::abs(json["predicted"].GetDouble() - model.average), 3 * 3.1) << model.name;
  }
  // A 95% interval misses about 1 in 20.
  EXPECT_GE(covered, 17);
  // The leave-one-out error of the paper's fit is of the order of its RMSE.
  const rapidjson::Document json = predict("--bpc 0.6,0.3,0.45");
  EXPECT_GT(json["fit"]["loo_rmse"].GetDouble(), 3.1);
  EXPECT_LT(json["fit"]["loo_rmse"].GetDouble(), 4.5);
}

TEST(LmcPredict, PerAreaFitsAreThePapers) {
  // The printed r of each area (Figure 1's panels).
  EXPECT_NEAR(predict("--area knowledge --bpc 0.6")["fit"]["r"].GetDouble(), -0.935, 0.0005);
  EXPECT_NEAR(predict("--area coding --bpc 0.3")["fit"]["r"].GetDouble(), -0.937, 0.0005);
  EXPECT_NEAR(predict("--area math --bpc 0.45")["fit"]["r"].GetDouble(), -0.953, 0.0005);
  EXPECT_EQ(predict("--area coding --bpc 0.3")["fit"]["n"].GetUint(), 28u);
}

TEST(LmcPredict, ANewModelIsPlacedOnThePlot) {
  const std::filesystem::path svg = std::filesystem::temp_directory_path() /
                                    ("lmc_predict_" + std::to_string(::getpid()) + ".svg");
  // Llama-3-8b, from the leaderboard of the paper's repository (not in the paper's fit).
  const lmc_test::ProgramRun run =
      lmc_test::run_program(kPredict, "--bpc 0.582,0.268,0.430 --name Llama-3-8b --plot " +
                                          lmc_test::shell_quote(svg.string()));
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("prediction interval"), std::string::npos) << run.output;
  std::ifstream in(svg);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::filesystem::remove(svg);
  EXPECT_NE(text.find(">Llama-3-8b<"), std::string::npos);
  EXPECT_NE(text.find("<polygon points="), std::string::npos);  // the diamond
}

TEST(LmcPredict, BadInputIsRefused) {
  const lmc_test::ProgramRun count = lmc_test::run_program(kPredict, "--bpc 0.5,0.3");
  EXPECT_EQ(count.status, 1);
  EXPECT_NE(count.output.find("the mean of 3 BPCs, but 2 were given"), std::string::npos)
      << count.output;
  const lmc_test::ProgramRun area = lmc_test::run_program(kPredict, "--area physics --bpc 0.5");
  EXPECT_EQ(area.status, 1);
  const lmc_test::ProgramRun number = lmc_test::run_program(kPredict, "--area math --bpc zero");
  EXPECT_EQ(number.status, 1);
  EXPECT_NE(number.output.find("--bpc needs a number, got 'zero'"), std::string::npos);
}

}  // namespace

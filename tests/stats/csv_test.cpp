// Study tables: CSV parsing, selections, averages, missing cells, and the errors bad files get.
#include <lmc/stats.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using lmc::stats::StudySelection;
using lmc::stats::StudyTable;

const char* const study_csv =
    "model,bpc_cc,bpc_code,mmlu,gsm8k\n"
    "alpha,0.60,0.40,50.0,30.0\n"
    "\"beta, large\",0.55,0.35,55.5,40.5\n"
    "gamma,0.70,,45.0,NA\n"
    "delta,0.50,0.30,60.0,50.0\r\n"
    "epsilon,0.65,0.38,,35\n";

std::string error_message(const auto& action) {
  try {
    action();
  } catch (const lmc::Error& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(StudyTable, ParsesQuotedFieldsAndLineEnds) {
  const StudyTable table = StudyTable::parse_csv(study_csv, "study.csv");
  EXPECT_EQ(table.column_names(),
            (std::vector<std::string>{"model", "bpc_cc", "bpc_code", "mmlu", "gsm8k"}));
  EXPECT_EQ(table.row_count(), 5u);
  EXPECT_EQ(table.cell(1, 0), "beta, large");
  EXPECT_EQ(table.cell(3, 4), "50.0");
  EXPECT_THROW(table.cell(5, 0), lmc::Error);
}

TEST(StudyTable, SelectsPairsAndReportsMissingCells) {
  const StudyTable table = StudyTable::parse_csv(study_csv, "study.csv");
  const auto data = table.select({.x = "bpc_cc", .y = {"mmlu"}});
  EXPECT_EQ(data.labels, (std::vector<std::string>{"alpha", "beta, large", "gamma", "delta"}));
  EXPECT_EQ(data.x, (std::vector<double>{0.60, 0.55, 0.70, 0.50}));
  EXPECT_EQ(data.y, (std::vector<double>{50.0, 55.5, 45.0, 60.0}));
  ASSERT_EQ(data.skipped.size(), 1u);
  EXPECT_EQ(data.skipped[0], "epsilon (line 6): y column 'mmlu' is missing");
  EXPECT_EQ(data.y_name, "mmlu");
}

TEST(StudyTable, AveragesSeveralColumns) {
  const StudyTable table = StudyTable::parse_csv(study_csv, "study.csv");
  const auto data = table.select({.x = "bpc_code", .y = {"mmlu", "gsm8k"}});
  EXPECT_EQ(data.y_name, "mean(mmlu, gsm8k)");
  EXPECT_EQ(data.labels, (std::vector<std::string>{"alpha", "beta, large", "delta"}));
  EXPECT_EQ(data.y, (std::vector<double>{40.0, 48.0, 55.0}));
  ASSERT_EQ(data.skipped.size(), 2u);
  EXPECT_EQ(data.skipped[0], "gamma (line 4): x column 'bpc_code' is missing");
  EXPECT_EQ(data.skipped[1], "epsilon (line 6): y column 'mmlu' is missing");
}

TEST(StudyTable, SelectsRowsByLabel) {
  const StudyTable table = StudyTable::parse_csv(study_csv, "study.csv");
  const auto data = table.select(
      {.x = "bpc_cc", .y = {"gsm8k"}, .label = "model", .rows = {"delta", "alpha", "epsilon"}});
  EXPECT_EQ(data.labels, (std::vector<std::string>{"alpha", "delta", "epsilon"}));  // table order
  EXPECT_EQ(data.y, (std::vector<double>{30.0, 50.0, 35.0}));
  EXPECT_EQ(error_message([&] { table.select({.x = "bpc_cc", .y = {"mmlu"}, .rows = {"zeta"}}); }),
            "study.csv: no row labelled 'zeta' in column 'model'");
}

TEST(StudyTable, UnknownColumnIsNamed) {
  const StudyTable table = StudyTable::parse_csv(study_csv, "study.csv");
  EXPECT_EQ(error_message([&] { table.select({.x = "bpc", .y = {"mmlu"}}); }),
            "study.csv: line 1: no x column named 'bpc' (columns: model, bpc_cc, bpc_code, mmlu, "
            "gsm8k)");
  EXPECT_EQ(error_message([&] {
              table.select({.x = "bpc_cc", .y = {"mmlu", "arc"}});
            }),
            "study.csv: line 1: no y column named 'arc' (columns: model, bpc_cc, bpc_code, mmlu, "
            "gsm8k)");
  EXPECT_EQ(error_message([&] { table.select({.x = "bpc_cc", .y = {}}); }),
            "study.csv: no y column selected");
}

TEST(StudyTable, NonNumericCellNamesLineAndColumn) {
  const StudyTable table =
      StudyTable::parse_csv("model,bpc,score\na,0.5,10\nb,0.6,ten\nc,0.7,30\n", "t.csv");
  EXPECT_EQ(error_message([&] { table.select({.x = "bpc", .y = {"score"}}); }),
            "t.csv: line 3: column 3 ('score'): 'ten' is not a number");
  const StudyTable infinite = StudyTable::parse_csv("model,bpc,score\na,inf,10\n", "i.csv");
  EXPECT_EQ(error_message([&] { infinite.select({.x = "bpc", .y = {"score"}}); }),
            "i.csv: line 2: column 2 ('bpc'): 'inf' is not a finite number");
  const StudyTable trailing = StudyTable::parse_csv("model,bpc,score\na,0.5x,10\n", "j.csv");
  EXPECT_EQ(error_message([&] { trailing.select({.x = "bpc", .y = {"score"}}); }),
            "j.csv: line 2: column 2 ('bpc'): '0.5x' is not a number");
}

TEST(StudyTable, RaggedRowsAreRefused) {
  EXPECT_EQ(
      error_message([] { StudyTable::parse_csv("model,bpc,score\na,0.5,10\nb,0.6\n", "r.csv"); }),
      "r.csv: line 3: 2 fields, but the header has 3 columns");
  EXPECT_EQ(error_message([] { StudyTable::parse_csv("model,bpc\na,0.5,10,11\n", "r.csv"); }),
            "r.csv: line 2: 4 fields, but the header has 2 columns");
}

TEST(StudyTable, MalformedQuotingAndHeaders) {
  EXPECT_EQ(error_message([] { StudyTable::parse_csv("model,bpc\n\"a,0.5\n", "q.csv"); }),
            "q.csv: line 2: quoted field is never closed");
  EXPECT_EQ(error_message([] { StudyTable::parse_csv("model,bpc\n\"a\"x,0.5\n", "q.csv"); }),
            "q.csv: line 2: column 1: unexpected 'x' after a closing quote");
  EXPECT_EQ(error_message([] { StudyTable::parse_csv("model,bpc,bpc\n", "h.csv"); }),
            "h.csv: line 1: column 3: column name 'bpc' appears twice");
  EXPECT_EQ(error_message([] { StudyTable::parse_csv("model,,score\n", "h.csv"); }),
            "h.csv: line 1: column 2: the header names no column");
  EXPECT_EQ(error_message([] { StudyTable::parse_csv("\n\n", "e.csv"); }),
            "e.csv: the file has no header row");
}

TEST(StudyTable, QuotedLineBreaksKeepLineNumbers) {
  const StudyTable table =
      StudyTable::parse_csv("model,bpc,score\n\"two\nlines\",0.5,1\nb,0.6,oops\n", "m.csv");
  EXPECT_EQ(table.cell(0, 0), "two\nlines");
  EXPECT_EQ(error_message([&] { table.select({.x = "bpc", .y = {"score"}}); }),
            "m.csv: line 4: column 3 ('score'): 'oops' is not a number");
}

TEST(StudyTable, ReadsFilesAndNamesMissingOnes) {
  const auto path = std::filesystem::temp_directory_path() / "lmc_stats_study_test.csv";
  {
    std::ofstream out(path);
    out << "\xEF\xBB\xBFmodel,bpc,score\na,0.5,10\nb,0.6,+20\nc,0.7,3e1\n";
  }
  const StudyTable table = StudyTable::read_csv(path.string());
  EXPECT_EQ(table.column_names().front(), "model");  // the byte order mark is skipped
  EXPECT_EQ(table.select({.x = "bpc", .y = {"score"}}).y, (std::vector<double>{10, 20, 30}));
  std::filesystem::remove(path);
  const std::string missing = (std::filesystem::temp_directory_path() / "no_such_lmc.csv").string();
  EXPECT_EQ(error_message([&] { StudyTable::read_csv(missing); }),
            missing + ": cannot open the file for reading");
}

}  // namespace

namespace {

// Arbitrary bytes either parse or get lmc::Error; nothing else escapes, nothing crashes (the
// sanitizer builds run this too).
TEST(StudyTable, ArbitraryBytesNeverCrash) {
  std::uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<unsigned>(state >> 33);
  };
  const std::string alphabet = "ab,\"\r\n 0.5-NA1e9x";
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const unsigned length = next() % 60;
    for (unsigned i = 0; i < length; ++i) {
      text +=
          next() % 8 == 0 ? static_cast<char>(next() % 256) : alphabet[next() % alphabet.size()];
    }
    try {
      const StudyTable table = StudyTable::parse_csv(text, "fuzz.csv");
      const auto& columns = table.column_names();
      if (columns.size() >= 2) {
        try {
          table.select({.x = columns[0], .y = {columns[1]}});
        } catch (const lmc::Error&) {
        }
      }
    } catch (const lmc::Error&) {
    }
  }
}

}  // namespace

// lmc-bpc --checkpoint with the bundled model, killed with SIGKILL at random points several
// times: the run restarted with the same arguments ends with the result of an uninterrupted
// run, equal in every figure but the timings; the checkpoint is gone once the result is
// written; a checkpoint of other arguments is refused.
#include "eval_test_support.hpp"
#include "support/kill_resume.hpp"
#include "support/run_program.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace {

using eval_test::TempDir;

const std::string kBpc = LMC_BPC_PATH;
const std::string kModel = std::string(LMC_BUNDLED_DIR) + "/lmc-tiny.gguf";

// A corpus of the bundled demo samples, repeated, as JSONL.
std::string make_corpus(const TempDir& dir, int copies) {
  std::string jsonl;
  for (const char* name : {"prose.txt", "code.py", "math.tex"}) {
    const std::string text = eval_test::read_file(std::string(LMC_BUNDLED_DIR) + "/demo/" + name);
    std::string escaped;
    for (char c : text) {
      if (c == '"' || c == '\\') {
        escaped += '\\';
        escaped += c;
      } else if (c == '\n') {
        escaped += "\\n";
      } else if (c == '\t') {
        escaped += "\\t";
      } else if (static_cast<unsigned char>(c) >= 0x20) {
        escaped += c;
      }
    }
    for (int i = 0; i < copies; ++i) jsonl += "{\"content\": \"" + escaped + "\"}\n";
  }
  const std::string path = dir.file("corpus.jsonl");
  eval_test::write_file(path, jsonl);
  return path;
}

std::vector<std::string> arguments(const std::string& corpus, const std::string& json,
                                   const std::string& checkpoint) {
  std::vector<std::string> args = {kBpc,        "--model", kModel,     "--corpus", corpus,
                                   "--context", "96",      "--stride", "24",       "--threads",
                                   "1",         "--json",  json};
  if (!checkpoint.empty()) {
    args.insert(args.end(), {"--checkpoint", checkpoint, "--checkpoint-seconds", "0"});
  }
  return args;
}

TEST(LmcBpcCheckpoint, KilledAtRandomPointsResumesToTheUninterruptedResult) {
  TempDir dir;
  const std::string corpus = make_corpus(dir, 2);

  const auto begin = std::chrono::steady_clock::now();
  ASSERT_EQ(
      lmc_test::wait_for(lmc_test::start_program(arguments(corpus, dir.file("whole.json"), ""))),
      0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();

  // Kill the checkpointed run at random moments within the uninterrupted run's time, four
  // times, then let it finish.
  const std::string checkpoint = dir.file("run.ckpt");
  const lmc_test::Resumable run{
      .start =
          [&] {
            return lmc_test::start_program(arguments(corpus, dir.file("resumed.json"), checkpoint));
          },
      .has_state = [&] { return std::filesystem::exists(checkpoint); },
      .reset = [&] { std::filesystem::remove(checkpoint); }};
  ASSERT_TRUE(lmc_test::kill_at_random_points(run, seconds))
      << "no run was killed four times and then resumed from a checkpoint";
  EXPECT_FALSE(std::filesystem::exists(checkpoint)) << "the checkpoint outlived the result";

  EXPECT_EQ(lmc_test::result_difference(eval_test::read_file(dir.file("whole.json")),
                                        eval_test::read_file(dir.file("resumed.json"))),
            "");
}

TEST(LmcBpcCheckpoint, ACheckpointOfOtherArgumentsIsRefused) {
  TempDir dir;
  const std::string corpus = make_corpus(dir, 1);
  const std::string checkpoint = dir.file("run.ckpt");
  // Leave a checkpoint behind: the first run is killed once it has written one.
  const pid_t pid = lmc_test::start_program(arguments(corpus, dir.file("a.json"), checkpoint));
  const std::optional<int> ended =
      lmc_test::wait_until(pid, [&] { return std::filesystem::exists(checkpoint); });
  ::kill(pid, SIGKILL);
  if (!ended) lmc_test::wait_for(pid);
  if (!std::filesystem::exists(checkpoint)) GTEST_SKIP() << "the run ended before a checkpoint";

  const lmc_test::ProgramRun other = lmc_test::run_program(
      kBpc, "--model " + lmc_test::shell_quote(kModel) + " --corpus " +
                lmc_test::shell_quote(corpus) + " --context 96 --stride 32 --checkpoint " +
                lmc_test::shell_quote(checkpoint));
  EXPECT_EQ(other.status, 1);
  EXPECT_NE(other.output.find("checkpoint of another evaluation: the stride is 24 there but 32"),
            std::string::npos)
      << other.output;
  EXPECT_TRUE(std::filesystem::exists(checkpoint)) << "a refused checkpoint must stay";
}

}  // namespace

// lmc-bpc --checkpoint with the bundled model, killed with SIGKILL at random points several
// times: the run restarted with the same arguments ends with the result of an uninterrupted
// run, equal in every figure but the timings; the checkpoint is gone once the result is
// written; a checkpoint of other arguments is refused.
#include "eval_test_support.hpp"
#include "support/run_program.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <thread>
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

rapidjson::Document read_json(const std::string& path) {
  rapidjson::Document document;
  const std::string text = eval_test::read_file(path);
  document.Parse(text.c_str(), text.size());
  EXPECT_FALSE(document.HasParseError()) << path;
  return document;
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
  // times, then let it finish. The machine may be less busy now than it was: when a run ends
  // before it is killed, the sequence starts over with earlier moments.
  const std::string checkpoint = dir.file("run.ckpt");
  std::mt19937 random(12345);
  std::uniform_real_distribution<double> fraction(0.1, 0.8);
  double scale = seconds;
  bool done = false;
  for (int sequence = 0; sequence < 6 && !done; ++sequence, scale *= 0.5) {
    std::filesystem::remove(checkpoint);
    int killed_mid_run = 0;
    while (true) {
      const bool had_checkpoint = std::filesystem::exists(checkpoint);
      const pid_t pid =
          lmc_test::start_program(arguments(corpus, dir.file("resumed.json"), checkpoint));
      if (killed_mid_run < 4) {
        std::this_thread::sleep_for(std::chrono::duration<double>(fraction(random) * scale));
        ::kill(pid, SIGKILL);
      }
      const int status = lmc_test::wait_for(pid);
      if (status == -SIGKILL) {
        ++killed_mid_run;
        continue;
      }
      ASSERT_EQ(status, 0);
      // Finished: either after its four kills, from a checkpoint (done), or too early.
      done = killed_mid_run == 4 && had_checkpoint;
      break;
    }
  }
  ASSERT_TRUE(done) << "no run was killed four times and then resumed from a checkpoint";
  EXPECT_FALSE(std::filesystem::exists(checkpoint)) << "the checkpoint outlived the result";

  const rapidjson::Document whole = read_json(dir.file("whole.json"));
  const rapidjson::Document resumed = read_json(dir.file("resumed.json"));
  ASSERT_TRUE(whole.IsObject() && resumed.IsObject());
  for (auto it = whole.MemberBegin(); it != whole.MemberEnd(); ++it) {
    const std::string key = it->name.GetString();
    if (key == "seconds" || key == "tokens_per_second" || key == "forward_tokens_per_second") {
      continue;
    }
    ASSERT_TRUE(resumed.HasMember(key.c_str())) << key;
    EXPECT_TRUE(resumed[key.c_str()] == it->value) << key;
  }
  EXPECT_EQ(resumed.MemberCount(), whole.MemberCount());
}

TEST(LmcBpcCheckpoint, ACheckpointOfOtherArgumentsIsRefused) {
  TempDir dir;
  const std::string corpus = make_corpus(dir, 1);
  const std::string checkpoint = dir.file("run.ckpt");
  // Leave a checkpoint behind: the first run is killed once it has written one.
  const pid_t pid = lmc_test::start_program(arguments(corpus, dir.file("a.json"), checkpoint));
  for (int i = 0; i < 2000 && !std::filesystem::exists(checkpoint); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  lmc_test::wait_for(pid);
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

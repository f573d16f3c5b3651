// lmc-study end to end: three test models (the bundled model and two copies with a softened
// final norm, so that their BPC differ) on three corpora (the bundled demo samples), with
// made-up scores. The study is killed (SIGKILL) once a pair has finished; the restarted study
// does not redo finished pairs, and writes the table, the JSON and the SVG plots; its table
// equals that of a study run without interruption. A bad manifest is refused with the line.
#include <lmc/gguf.hpp>
#include <lmc/tensor.hpp>

#include "support/run_program.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::string kStudy = LMC_STUDY_PATH;
const fs::path kBundled = LMC_BUNDLED_DIR;

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("lmc_study_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// The bundled model with its final norm's weights multiplied by `scale`: flatter predictions,
// a higher BPC.
void write_softened_model(const fs::path& out, float scale) {
  const lmc::GgufFile in = lmc::GgufFile::open(kBundled / "lmc-tiny.gguf");
  lmc::GgufWriter writer;
  for (const std::string& key : in.metadata_keys()) {
    if (key != "general.alignment") writer.set_value(in.at(key), key);
  }
  for (const lmc::Tensor& tensor : in.tensors()) {
    if (tensor.name == "output_norm.weight") {
      std::vector<float> values = lmc::to_f32(tensor);
      for (float& v : values) v *= scale;
      writer.add_tensor_f32(tensor.name, tensor.shape, values);
    } else {
      writer.add_tensor(tensor.name, tensor.type, tensor.shape, tensor.data);
    }
  }
  writer.write(out);
}

// A study folder: models, corpora, scores and the manifest.
fs::path make_study(const fs::path& dir) {
  fs::copy_file(kBundled / "lmc-tiny.gguf", dir / "tiny-a.gguf");
  write_softened_model(dir / "tiny-b.gguf", 0.7f);
  write_softened_model(dir / "tiny-c.gguf", 0.5f);
  write_file(dir / "scores.csv",
             "model,trivia,arc,humaneval,gsm8k\n"
             "tiny-a,40.5,38.0,12.0,9.5\n"
             "tiny-b,33.0,31.5,8.0,6.0\n"
             "tiny-c,21.0,24.0,3.5,2.0\n");
  write_file(dir / "study.ini",
             "# three test models on the bundled demo samples\n"
             "[study]\n"
             "output = out\n"
             "context = 64\n"
             "stride = 32\n"
             "threads = 1\n"
             "checkpoint_seconds = 0\n"
             "scores = scores.csv\n"
             "reference = paper\n"
             "\n"
             "[model tiny-a]\npath = tiny-a.gguf\n"
             "[model tiny-b]\npath = tiny-b.gguf\n"
             "[model tiny-c]\npath = tiny-c.gguf\n"
             "\n"
             "[corpus prose]\npath = " +
                 (kBundled / "demo" / "prose.txt").string() +
                 "\n"
                 "[corpus code]\npath = " +
                 (kBundled / "demo" / "code.py").string() +
                 "\n"
                 "[corpus math]\npath = " +
                 (kBundled / "demo" / "math.tex").string() +
                 "\n"
                 "\n"
                 "[area knowledge]\ncorpus = prose\nscores = trivia, arc\npaper = knowledge\n"
                 "[area coding]\ncorpus = code\nscores = humaneval\npaper = coding\n"
                 "[area math]\ncorpus = math\nscores = gsm8k   # one column\npaper = math\n");
  return dir / "study.ini";
}

std::vector<fs::path> finished_results(const fs::path& results) {
  std::vector<fs::path> out;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(results, error)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".json") && name.find(".tmp.") == std::string::npos) {
      out.push_back(entry.path());
    }
  }
  return out;
}

std::string table_of(const fs::path& csv) { return read_file(csv); }

TEST(LmcStudy, ResumesAfterAKillWithoutRedoingFinishedPairsAndWritesItsOutputs) {
  TempDir dir;
  const fs::path manifest = make_study(dir.path());
  const fs::path out = dir.path() / "out";

  // Kill the study as soon as its first pair has a result.
  const pid_t pid = lmc_test::start_program({kStudy, manifest.string()});
  for (int i = 0; i < 60000 && finished_results(out / "results").empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::kill(pid, SIGKILL);
  const int status = lmc_test::wait_for(pid);
  const std::vector<fs::path> before = finished_results(out / "results");
  ASSERT_FALSE(before.empty());
  if (status >= 0) GTEST_SKIP() << "the study finished before it could be killed";
  ASSERT_LT(before.size(), 9u) << "the study finished before it could be killed";
  std::map<fs::path, std::string> kept;
  std::map<fs::path, fs::file_time_type> times;
  for (const fs::path& path : before) {
    kept[path] = read_file(path);
    times[path] = fs::last_write_time(path);
  }

  const lmc_test::ProgramRun resumed =
      lmc_test::run_program(kStudy, lmc_test::shell_quote(manifest.string()));
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find(std::to_string(9 - before.size()) + " of 9 evaluations to run"),
            std::string::npos)
      << resumed.output;
  for (const fs::path& path : before) {
    EXPECT_EQ(read_file(path), kept[path]) << path << " was evaluated again";
    EXPECT_EQ(fs::last_write_time(path), times[path]) << path << " was written again";
  }
  EXPECT_EQ(finished_results(out / "results").size(), 9u);

  // Outputs: the table, the JSON and one SVG per area and overall.
  const std::string csv = table_of(out / "study.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "model,bpc_prose,bpc_code,bpc_math,score_knowledge,score_coding,score_math,"
            "bpc_overall,score_overall");
  EXPECT_NE(csv.find("\ntiny-a,"), std::string::npos);
  EXPECT_NE(csv.find(",39.25,12,9.5,"), std::string::npos) << csv;  // (40.5 + 38) / 2
  rapidjson::Document json;
  const std::string json_text = read_file(out / "study.json");
  json.Parse(json_text.c_str(), json_text.size());
  ASSERT_FALSE(json.HasParseError()) << json_text;
  ASSERT_TRUE(json["models"].IsArray());
  EXPECT_EQ(json["models"].Size(), 3u);
  for (const auto& model : json["models"].GetArray()) {
    for (const char* corpus : {"prose", "code", "math"}) {
      ASSERT_TRUE(model["bpc"][corpus].IsNumber());
      EXPECT_GT(model["bpc"][corpus].GetDouble(), 0.3);
      EXPECT_LT(model["bpc"][corpus].GetDouble(), 8.0);
    }
  }
  // Softening the final norm raises the BPC, so the made-up scores fall as BPC rises.
  const double a = json["models"][0]["bpc"]["prose"].GetDouble();
  const double c = json["models"][2]["bpc"]["prose"].GetDouble();
  EXPECT_LT(a, c);
  for (const char* fit : {"knowledge", "coding", "math", "overall"}) {
    ASSERT_TRUE(json["fits"].HasMember(fit)) << fit;
    EXPECT_EQ(json["fits"][fit]["n"].GetUint(), 3u);
    EXPECT_LT(json["fits"][fit]["pearson_r"].GetDouble(), 0) << fit;
    const std::string svg = read_file(out / (std::string(fit) + ".svg"));
    EXPECT_TRUE(svg.starts_with("<svg ")) << fit;
    EXPECT_TRUE(svg.ends_with("</svg>\n")) << fit;
    // The paper's models are drawn for reference: its Llama-2-7b is among them.
    EXPECT_NE(svg.find(">Llama-2-7b<"), std::string::npos) << fit;
    EXPECT_NE(svg.find(">tiny-b<"), std::string::npos) << fit;
  }

  // A study run in one go gives the same table.
  TempDir again;
  const fs::path manifest2 = make_study(again.path());
  const lmc_test::ProgramRun whole =
      lmc_test::run_program(kStudy, lmc_test::shell_quote(manifest2.string()));
  ASSERT_EQ(whole.status, 0) << whole.output;
  EXPECT_EQ(table_of(again.path() / "out" / "study.csv"), csv);

  // Run again: nothing left to do, the outputs are written again from the results.
  const lmc_test::ProgramRun third =
      lmc_test::run_program(kStudy, lmc_test::shell_quote(manifest.string()));
  ASSERT_EQ(third.status, 0) << third.output;
  EXPECT_NE(third.output.find("0 of 9 evaluations to run"), std::string::npos) << third.output;

  // --plan lists nothing once all is done.
  const lmc_test::ProgramRun plan =
      lmc_test::run_program(kStudy, lmc_test::shell_quote(manifest.string()) + " --plan");
  EXPECT_EQ(plan.status, 0);
  EXPECT_NE(plan.output.find("0 of 9 evaluations have no result yet"), std::string::npos)
      << plan.output;
}

TEST(LmcStudy, ABadManifestIsRefusedWithItsLine) {
  TempDir dir;
  write_file(dir.path() / "bad.ini", "[study]\ncontext = 64\nstrid = 32\n");
  const lmc_test::ProgramRun run =
      lmc_test::run_program(kStudy, lmc_test::shell_quote((dir.path() / "bad.ini").string()));
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.output.find("bad.ini: line 3: unknown key 'strid' in [study]"), std::string::npos)
      << run.output;

  write_file(dir.path() / "area.ini",
             "[model m]\npath = m.gguf\n[corpus c]\npath = c.txt\n"
             "[area knowledge]\ncorpus = cc\nscores = a\n[study]\nscores = s.csv\n");
  const lmc_test::ProgramRun area =
      lmc_test::run_program(kStudy, lmc_test::shell_quote((dir.path() / "area.ini").string()));
  EXPECT_EQ(area.status, 1);
  EXPECT_NE(area.output.find("area 'knowledge' names corpus 'cc', which no [corpus] section"),
            std::string::npos)
      << area.output;
}

TEST(LmcStudy, PlanPrintsAnLmcBpcCommandPerPair) {
  TempDir dir;
  const fs::path manifest = make_study(dir.path());
  const lmc_test::ProgramRun plan =
      lmc_test::run_program(kStudy, lmc_test::shell_quote(manifest.string()) + " --plan");
  ASSERT_EQ(plan.status, 0) << plan.output;
  std::size_t commands = 0;
  for (std::size_t at = plan.output.find("lmc-bpc --model"); at != std::string::npos;
       at = plan.output.find("lmc-bpc --model", at + 1)) {
    ++commands;
  }
  EXPECT_EQ(commands, 9u);
  EXPECT_NE(plan.output.find("--context 64 --stride 32"), std::string::npos);
  EXPECT_NE(plan.output.find("tiny-b__code.json"), std::string::npos);
}

}  // namespace

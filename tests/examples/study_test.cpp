// lmc-study end to end on the study `lmc-study --example` writes: three test models (the bundled
// model and two copies with a softened final norm, so that their BPC differ) on three corpora
// (the bundled demo samples), with made-up scores. The study is killed (SIGKILL) once a pair has
// finished; the restarted study does not redo finished pairs, and writes the table, the JSON and
// the SVG plots; its table equals that of a study run without interruption. Killed at random
// points four times, it resumes to results bit-identical to an uninterrupted study's. It resumes
// from another working directory; moved to another folder, it keeps its results, and results
// and checkpoints recording absolute paths are still read; --plan's commands run on a fresh
// study from anywhere; results of other settings are refused; study.json records each corpus's
// text field; headless Chromium draws the SVGs as they say (skipped without Chromium). A bad
// manifest is refused with the line.
#include "support/base64.hpp"
#include "support/kill_resume.hpp"
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
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::string kStudy = LMC_STUDY_PATH;
const std::string kBpc = LMC_BPC_PATH;
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

// The study `lmc-study --example DIR` writes (the bundled model and two copies with a softened
// final norm, the bundled demo samples, made-up scores), with a checkpoint after every document
// so that a kill at any point finds one. Returns its manifest.
fs::path make_study(const fs::path& dir) {
  const lmc_test::ProgramRun made =
      lmc_test::run_program(kStudy, "--example " + lmc_test::shell_quote(dir.string()));
  if (made.status != 0) throw std::runtime_error("lmc-study --example failed: " + made.output);
  const fs::path manifest = dir / "study.ini";
  std::string text = read_file(manifest);
  const std::string section = "[study]\n";
  const std::size_t at = text.find(section);
  if (at == std::string::npos) throw std::runtime_error("no [study] in " + manifest.string());
  text.insert(at + section.size(), "checkpoint_seconds = 0\n");
  write_file(manifest, text);
  return manifest;
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
  const std::optional<int> ended =
      lmc_test::wait_until(pid, [&] { return !finished_results(out / "results").empty(); });
  ::kill(pid, SIGKILL);
  const int status = ended ? *ended : lmc_test::wait_for(pid);
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

// Where headless Chromium is: $LMC_CHROMIUM, else chromium or chromium-browser on PATH; empty
// when there is none (the rendering test is then skipped).
std::string find_chromium() {
  if (const char* path = std::getenv("LMC_CHROMIUM"); path != nullptr && *path != '\0') return path;
  const lmc_test::ProgramRun which =
      lmc_test::run_program("/bin/sh", "-c 'command -v chromium || command -v chromium-browser'");
  std::string path = which.output.substr(0, which.output.find('\n'));
  return which.status == 0 ? path : std::string();
}

// A page that draws each SVG (as a data: URL, so that the canvas may be read back) and reports,
// per image, its rendered size and how many of the SVG's own marks show in the pixels: the
// study's points (filled circles) at their centres in their colour, the reference points
// (grey rings) on their ring, and the fitted line's colour anywhere.
std::string render_page(const std::vector<std::pair<std::string, std::string>>& svgs) {
  std::string page = "<!DOCTYPE html><html><body>\n";
  for (const auto& [name, svg] : svgs) {
    page += "<img id=\"" + name + "\" src=\"data:image/svg+xml;base64," + lmc_test::base64(svg) +
            "\">\n";
  }
  page += R"js(<pre id="report">not run</pre>
<script>
function near(d, i, rgb, tolerance) {
  return Math.abs(d[i] - rgb[0]) <= tolerance && Math.abs(d[i + 1] - rgb[1]) <= tolerance &&
         Math.abs(d[i + 2] - rgb[2]) <= tolerance;
}
function hex(text) {
  return [1, 3, 5].map((k) => parseInt(text.substr(k, 2), 16));
}
window.addEventListener("load", () => {
  const lines = [];
  for (const img of document.images) {
    if (!img.complete || img.naturalWidth === 0) {
      lines.push(img.id + " broken");
      continue;
    }
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext("2d");
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
    const at = (x, y) => 4 * (Math.round(y) * canvas.width + Math.round(x));
    const svg = new DOMParser().parseFromString(atob(img.src.split(",")[1]), "image/svg+xml");
    let points = 0, points_shown = 0, rings = 0, rings_shown = 0;
    for (const group of svg.querySelectorAll("g[fill^='#']")) {
      const colour = hex(group.getAttribute("fill"));
      for (const c of group.querySelectorAll("circle")) {
        ++points;
        points_shown += near(d, at(+c.getAttribute("cx"), +c.getAttribute("cy")), colour, 40);
      }
    }
    for (const group of svg.querySelectorAll("g[fill='none'][stroke^='#']")) {
      for (const c of group.querySelectorAll("circle")) {
        ++rings;
        const x = +c.getAttribute("cx"), y = +c.getAttribute("cy"), r = +c.getAttribute("r");
        let shown = false;
        for (let a = 0; a < 16 && !shown; ++a) {
          const i = at(x + r * Math.cos(a * Math.PI / 8), y + r * Math.sin(a * Math.PI / 8));
          shown = d[i] < 200 && Math.abs(d[i] - d[i + 1]) < 24 && Math.abs(d[i + 1] - d[i + 2]) < 24;
        }
        rings_shown += shown;
      }
    }
    let line = 0;
    const line_colour = hex(svg.querySelector("line[stroke^='#']").getAttribute("stroke"));
    for (let i = 0; i < d.length; i += 4) line += near(d, i, line_colour, 30);
    lines.push(img.id + " " + canvas.width + "x" + canvas.height + " points " + points_shown +
               "/" + points + " rings " + rings_shown + "/" + rings + " line " + line);
  }
  document.getElementById("report").textContent = lines.join("\n");
});
</script></body></html>
)js";
  return page;
}

// Runs `command` (shell text) in `directory` with its output captured.
lmc_test::ProgramRun run_in(const fs::path& directory, const std::string& command) {
  return lmc_test::run_program(
      "/bin/sh", "-c " + lmc_test::shell_quote("cd " + lmc_test::shell_quote(directory.string()) +
                                               " && " + command));
}

std::vector<fs::path> files_ending(const fs::path& folder, const std::string& end) {
  std::vector<fs::path> out;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    if (entry.path().filename().string().ends_with(end)) out.push_back(entry.path());
  }
  return out;
}

TEST(LmcStudy, ResumesFromAnotherWorkingDirectory) {
  // Started from the study's parent folder with a relative manifest path, killed while a pair
  // runs (a result and a checkpoint on disk), resumed from inside the study's folder: the
  // results and the checkpoint must not record paths that only hold from where they were made.
  TempDir dir;
  make_study(dir.path() / "study");
  const fs::path results = dir.path() / "study" / "out" / "results";
  const pid_t pid = lmc_test::start_program({kStudy, "study/study.ini"}, dir.path().string());
  const std::optional<int> ended = lmc_test::wait_until(pid, [&] {
    return !finished_results(results).empty() && !files_ending(results, ".ckpt").empty();
  });
  ::kill(pid, SIGKILL);
  const int status = ended ? *ended : lmc_test::wait_for(pid);
  if (status >= 0) GTEST_SKIP() << "the study finished before it could be killed";
  ASSERT_FALSE(finished_results(results).empty());
  ASSERT_FALSE(files_ending(results, ".ckpt").empty());

  const lmc_test::ProgramRun resumed =
      run_in(dir.path() / "study", lmc_test::shell_quote(kStudy) + " study.ini");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("(resuming from its checkpoint)"), std::string::npos)
      << resumed.output;
  EXPECT_EQ(finished_results(results).size(), 9u);
  // Printed paths are relative to where it runs.
  EXPECT_NE(resumed.output.find("(out/overall.svg)"), std::string::npos) << resumed.output;

  // And once more from elsewhere, with an absolute manifest path: nothing left to run.
  const lmc_test::ProgramRun again =
      run_in(fs::temp_directory_path(),
             lmc_test::shell_quote(kStudy) + " " +
                 lmc_test::shell_quote((dir.path() / "study" / "study.ini").string()));
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("0 of 9 evaluations to run"), std::string::npos) << again.output;
}

// `"key": "from"` replaced by `"key": "to"` in a result or checkpoint's JSON text (which must
// hold it).
std::string with_member(std::string json, const std::string& key, const std::string& from,
                        const std::string& to) {
  const std::string old_member = "\"" + key + "\": \"" + from + "\"";
  const std::size_t at = json.find(old_member);
  if (at == std::string::npos) throw std::runtime_error("no " + old_member + " in " + json);
  return json.replace(at, old_member.size(), "\"" + key + "\": \"" + to + "\"");
}

// The model and corpus files of the example study's <model>__<corpus>.json or .ckpt.
std::pair<std::string, std::string> files_of(const fs::path& path) {
  const std::string name = path.filename().string();
  const std::string corpus = name.find("__prose") != std::string::npos  ? "prose.txt"
                             : name.find("__code") != std::string::npos ? "code.py"
                                                                        : "math.tex";
  return {name.substr(0, name.find("__")) + ".gguf", corpus};
}

TEST(LmcStudy, AMovedStudyKeepsItsResultsAndAbsolutePathsStillName) {
  // Results and study.json record the manifest-relative paths; the study folder moved
  // elsewhere has nothing left to run.
  TempDir dir;
  make_study(dir.path() / "before");
  const lmc_test::ProgramRun whole =
      run_in(dir.path(), lmc_test::shell_quote(kStudy) + " before/study.ini");
  ASSERT_EQ(whole.status, 0) << whole.output;
  const std::string table = read_file(dir.path() / "before" / "out" / "study.csv");
  const std::string result = read_file(dir.path() / "before/out/results/tiny-b__prose.json");
  EXPECT_NE(result.find("\"model\": \"tiny-b.gguf\""), std::string::npos) << result;
  EXPECT_NE(result.find("\"corpus\": \"prose.txt\""), std::string::npos) << result;
  rapidjson::Document json;
  const std::string json_text = read_file(dir.path() / "before" / "out" / "study.json");
  json.Parse(json_text.c_str(), json_text.size());
  ASSERT_FALSE(json.HasParseError()) << json_text;
  EXPECT_STREQ(json["manifest"].GetString(), "study.ini");
  EXPECT_STREQ(json["models"][0]["path"].GetString(), "tiny-a.gguf");
  EXPECT_STREQ(json["corpora"][1]["path"].GetString(), "code.py");

  const fs::path study = dir.path() / "after";
  fs::rename(dir.path() / "before", study);
  const fs::path results = study / "out" / "results";
  const std::string manifest = lmc_test::shell_quote((study / "study.ini").string());
  const lmc_test::ProgramRun moved = lmc_test::run_program(kStudy, manifest);
  ASSERT_EQ(moved.status, 0) << moved.output;
  EXPECT_NE(moved.output.find("0 of 9 evaluations to run"), std::string::npos) << moved.output;
  EXPECT_EQ(read_file(study / "out" / "study.csv"), table);

  // Absolute paths, as earlier versions recorded them, name the same files: still no work.
  for (const fs::path& path : finished_results(results)) {
    const auto [model, corpus] = files_of(path);
    std::string text = with_member(read_file(path), "model", model, (study / model).string());
    write_file(path, with_member(text, "corpus", corpus, (study / corpus).string()));
  }
  const lmc_test::ProgramRun absolute = lmc_test::run_program(kStudy, manifest);
  ASSERT_EQ(absolute.status, 0) << absolute.output;
  EXPECT_NE(absolute.output.find("0 of 9 evaluations to run"), std::string::npos)
      << absolute.output;
  EXPECT_EQ(read_file(study / "out" / "study.csv"), table);

  // An absolute path of another file is another study's.
  const fs::path other = results / "tiny-a__code.json";
  write_file(other, with_member(read_file(other), "model", (study / "tiny-a.gguf").string(),
                                "/elsewhere/tiny-a.gguf"));
  const lmc_test::ProgramRun refused = lmc_test::run_program(kStudy, manifest);
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.output.find(": a result of another study: the model is "
                                "/elsewhere/tiny-a.gguf there but tiny-a.gguf in the manifest"),
            std::string::npos)
      << refused.output;
}

TEST(LmcStudy, ACheckpointOfAbsolutePathsResumes) {
  // Killed while a pair runs; its checkpoint then records absolute paths, as an earlier
  // version's (or a --plan command's) does: the study resumes it rather than refusing it, and
  // ends with the uninterrupted study's table.
  TempDir dir;
  const fs::path manifest = make_study(dir.path() / "whole");
  ASSERT_EQ(lmc_test::run_program(kStudy, lmc_test::shell_quote(manifest.string())).status, 0);
  const std::string table = read_file(dir.path() / "whole" / "out" / "study.csv");

  const fs::path study = dir.path() / "killed";
  make_study(study);
  const fs::path results = study / "out" / "results";
  const pid_t pid = lmc_test::start_program({kStudy, (study / "study.ini").string()});
  const std::optional<int> ended =
      lmc_test::wait_until(pid, [&] { return !files_ending(results, ".ckpt").empty(); });
  ::kill(pid, SIGKILL);
  const int status = ended ? *ended : lmc_test::wait_for(pid);
  if (status >= 0) GTEST_SKIP() << "the study finished before it could be killed";
  const std::vector<fs::path> checkpoints = files_ending(results, ".ckpt");
  ASSERT_EQ(checkpoints.size(), 1u);
  const std::string name = checkpoints[0].filename().string();
  const auto [model, corpus] = files_of(checkpoints[0]);
  std::string text =
      with_member(read_file(checkpoints[0]), "model", model, (study / model).string());
  write_file(checkpoints[0], with_member(text, "corpus", corpus, (study / corpus).string()));

  const lmc_test::ProgramRun resumed =
      lmc_test::run_program(kStudy, lmc_test::shell_quote((study / "study.ini").string()));
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("(resuming from its checkpoint)"), std::string::npos)
      << resumed.output;
  EXPECT_EQ(finished_results(results).size(), 9u);
  EXPECT_EQ(read_file(study / "out" / "study.csv"), table);
  // That pair's result records the names of the checkpoint it continued.
  const std::string result = read_file(results / (name.substr(0, name.size() - 5) + ".json"));
  EXPECT_NE(result.find("\"model\": \"" + (study / model).string() + "\""), std::string::npos)
      << result;
}

TEST(LmcStudy, PlanOnAFreshStudyGivesCommandsThatRunFromAnywhere) {
  // --plan before anything ran: its lmc-bpc commands, run from another folder, write every
  // result where the study finds it, and the study then has nothing left to run.
  TempDir dir;
  const fs::path manifest = make_study(dir.path() / "study");
  const lmc_test::ProgramRun plan =
      run_in(dir.path(), lmc_test::shell_quote(kStudy) + " study/study.ini --plan");
  ASSERT_EQ(plan.status, 0) << plan.output;
  std::istringstream lines(plan.output);
  std::size_t commands = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("lmc-bpc ")) continue;
    ++commands;
    const lmc_test::ProgramRun bpc =
        run_in(fs::temp_directory_path(),
               lmc_test::shell_quote(kBpc) + " --threads 1" + line.substr(std::strlen("lmc-bpc")));
    ASSERT_EQ(bpc.status, 0) << line << "\n" << bpc.output;
  }
  EXPECT_EQ(commands, 9u) << plan.output;
  const fs::path results = dir.path() / "study" / "out" / "results";
  EXPECT_EQ(finished_results(results).size(), 9u);
  EXPECT_TRUE(files_ending(results, ".ckpt").empty()) << "lmc-bpc leaves no checkpoint behind";

  const lmc_test::ProgramRun study =
      lmc_test::run_program(kStudy, lmc_test::shell_quote(manifest.string()));
  ASSERT_EQ(study.status, 0) << study.output;
  EXPECT_NE(study.output.find("0 of 9 evaluations to run"), std::string::npos) << study.output;
  EXPECT_TRUE(fs::exists(dir.path() / "study" / "out" / "study.csv"));
}

TEST(LmcStudy, ResultsOfOtherMaxDocumentsOrBosSettingsAreRefused) {
  TempDir dir;
  const fs::path manifest = make_study(dir.path());
  const lmc_test::ProgramRun whole =
      lmc_test::run_program(kStudy, lmc_test::shell_quote(manifest.string()));
  ASSERT_EQ(whole.status, 0) << whole.output;
  const std::string original = read_file(manifest);
  const std::map<fs::path, std::string> kept = [&] {
    std::map<fs::path, std::string> files;
    for (const fs::path& path : finished_results(dir.path() / "out" / "results")) {
      files[path] = read_file(path);
    }
    return files;
  }();

  // Each setting in a second [study] section of the manifest, and the refusal it must get.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"max_documents = 1",
       ": a result of another study: max_documents is 0 there but 1 in the manifest (remove it "
       "to evaluate it again)"},
      {"score_bos = true", ": a result of another study: score_bos is false there but true in "},
  };
  for (const auto& [setting, refusal] : cases) {
    std::string text = original;
    text.insert(text.find("[model tiny-a]"), "[study]\n" + setting + "\n");
    write_file(manifest, text);
    const lmc_test::ProgramRun run =
        lmc_test::run_program(kStudy, lmc_test::shell_quote(manifest.string()));
    EXPECT_EQ(run.status, 1) << setting;
    EXPECT_NE(run.output.find(refusal), std::string::npos) << run.output;
  }
  // Refused, the results stay as they were.
  for (const auto& [path, text] : kept) EXPECT_EQ(read_file(path), text) << path;
}

TEST(LmcStudy, KilledAtRandomPointsResumesToTheUninterruptedStudy) {
  TempDir dir;
  const fs::path manifest = make_study(dir.path());
  const fs::path out = dir.path() / "out";

  // The uninterrupted study: its outputs, and its time to scale the kills.
  const auto begin = std::chrono::steady_clock::now();
  ASSERT_EQ(lmc_test::wait_for(lmc_test::start_program({kStudy, manifest.string()})), 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::map<std::string, std::string> whole;  // file name -> contents
  for (const fs::path& path : finished_results(out / "results")) {
    whole[path.filename().string()] = read_file(path);
  }
  ASSERT_EQ(whole.size(), 9u);
  const std::vector<std::string> outputs = {"study.csv",  "study.json", "knowledge.svg",
                                            "coding.svg", "math.svg",   "overall.svg"};
  std::map<std::string, std::string> whole_outputs;
  for (const std::string& name : outputs) whole_outputs[name] = read_file(out / name);

  const lmc_test::Resumable run{.start =
                                    [&] {
                                      return lmc_test::start_program({kStudy, manifest.string()});
                                    },
                                .has_state = [&] { return !fs::is_empty(out / "results"); },
                                .reset =
                                    [&] {
                                      fs::remove_all(out);
                                      fs::create_directories(out / "results");
                                    }};
  ASSERT_TRUE(lmc_test::kill_at_random_points(run, seconds))
      << "no study was killed four times and then resumed from what it had left";

  EXPECT_TRUE(files_ending(out / "results", ".ckpt").empty()) << "a checkpoint outlived its pair";
  ASSERT_EQ(finished_results(out / "results").size(), 9u);
  for (const auto& [name, text] : whole) {
    EXPECT_EQ(lmc_test::result_difference(text, read_file(out / "results" / name)), "") << name;
  }
  // Everything written from the results is the same to the byte.
  for (const std::string& name : outputs) {
    EXPECT_EQ(read_file(out / name), whole_outputs[name]) << name;
  }
}

TEST(LmcStudy, RecordsEachCorpusTextField) {
  // A JSONL corpus whose text is in "body": the study reads that field and says so in
  // study.json.
  TempDir dir;
  write_file(dir.path() / "docs.jsonl",
             "{\"body\": \"def add(a, b):\\n    return a + b\\n\", \"content\": \"x\"}\n"
             "{\"body\": \"The cat sat on the mat.\", \"content\": \"y\"}\n");
  write_file(dir.path() / "study.ini",
             "[study]\noutput = out\ncontext = 64\nstride = 32\nthreads = 1\n"
             "[model tiny]\npath = " +
                 (kBundled / "lmc-tiny.gguf").string() +
                 "\n[corpus docs]\npath = docs.jsonl\ntext_field = body\n");
  const lmc_test::ProgramRun run =
      lmc_test::run_program(kStudy, lmc_test::shell_quote((dir.path() / "study.ini").string()));
  ASSERT_EQ(run.status, 0) << run.output;
  rapidjson::Document json;
  const std::string text = read_file(dir.path() / "out" / "study.json");
  json.Parse(text.c_str(), text.size());
  ASSERT_FALSE(json.HasParseError()) << text;
  ASSERT_TRUE(json.HasMember("corpora") && json["corpora"].IsArray()) << text;
  ASSERT_EQ(json["corpora"].Size(), 1u);
  EXPECT_STREQ(json["corpora"][0]["label"].GetString(), "docs");
  EXPECT_STREQ(json["corpora"][0]["text_field"].GetString(), "body");
  EXPECT_TRUE(std::string(json["corpora"][0]["path"].GetString()).ends_with("docs.jsonl"));
  // The "body" texts were read, not the one-letter "content" ones: 32 + 23 characters.
  rapidjson::Document result;
  const std::string result_text = read_file(dir.path() / "out" / "results" / "tiny__docs.json");
  result.Parse(result_text.c_str(), result_text.size());
  ASSERT_FALSE(result.HasParseError()) << result_text;
  EXPECT_EQ(result["characters"].GetUint64(), 32u + 23u);
}

TEST(LmcStudy, PlotsRenderInHeadlessChromium) {
  // The four SVGs of a finished study, drawn by a browser: each renders at its size, every
  // point of the study shows at its place in its colour, the paper's reference points show as
  // rings, and the fitted line is drawn. Skipped without Chromium (.ci/run installs it).
  const std::string chromium = find_chromium();
  if (chromium.empty()) GTEST_SKIP() << "chromium not found (apt-get install chromium)";
  TempDir dir;
  const fs::path manifest = make_study(dir.path());
  const lmc_test::ProgramRun study =
      lmc_test::run_program(kStudy, lmc_test::shell_quote(manifest.string()));
  ASSERT_EQ(study.status, 0) << study.output;
  std::vector<std::pair<std::string, std::string>> svgs;
  for (const char* name : {"knowledge", "coding", "math", "overall"}) {
    svgs.emplace_back(name, read_file(dir.path() / "out" / (std::string(name) + ".svg")));
  }
  write_file(dir.path() / "render.html", render_page(svgs));
  fs::create_directories(dir.path() / "profile");
  // A browser that hangs must not hang the test: coreutils' timeout ends it.
  const lmc_test::ProgramRun browser = lmc_test::run_program(
      "timeout", "120 " + lmc_test::shell_quote(chromium) +
                     " --headless --no-sandbox --disable-gpu --disable-background-networking "
                     "--disable-component-update --disable-sync --no-first-run --user-data-dir=" +
                     lmc_test::shell_quote((dir.path() / "profile").string()) + " --dump-dom " +
                     lmc_test::shell_quote("file://" + (dir.path() / "render.html").string()) +
                     " 2>/dev/null");
  ASSERT_EQ(browser.status, 0) << browser.output;
  const std::size_t begin = browser.output.find("<pre id=\"report\">");
  const std::size_t end = browser.output.find("</pre>", begin);
  ASSERT_NE(begin, std::string::npos) << browser.output;
  std::istringstream report(browser.output.substr(begin + 17, end - begin - 17));
  std::size_t images = 0;
  for (std::string line; std::getline(report, line);) {
    ++images;
    std::istringstream words(line);
    std::string name, size, points_word, points, rings_word, rings, line_word;
    std::size_t line_pixels = 0;
    words >> name >> size >> points_word >> points >> rings_word >> rings >> line_word >>
        line_pixels;
    EXPECT_EQ(size, "900x700") << line;
    EXPECT_EQ(points, "3/3") << line;  // the three test models
    const std::size_t slash = rings.find('/');
    ASSERT_NE(slash, std::string::npos) << line;
    const int shown = std::stoi(rings.substr(0, slash));
    const int drawn = std::stoi(rings.substr(slash + 1));
    EXPECT_GE(drawn, 19) << line;              // the paper's models of the area
    EXPECT_GE(shown * 10, drawn * 9) << line;  // labels may cover a few rings
    EXPECT_GT(line_pixels, 200u) << line;
  }
  EXPECT_EQ(images, 4u) << browser.output.substr(begin);
}

}  // namespace

// lmc-study: the paper's whole study as one workflow. Reads a study manifest (models, corpora,
// window settings, optional benchmark scores and areas; examples/study_manifest.hpp), runs
// every model × corpus evaluation that has no finished result yet (each kept as its JSON,
// checkpointed while it runs), then writes the study table (CSV and JSON), the correlations
// and fits per area and overall, and one SVG plot each, with the paper's own models drawn for
// reference when the manifest asks for them.
//
//   lmc-study MANIFEST [--shard i/n] [--plan] [--progress]
//   lmc-study --example DIR
//
// --shard i/n evaluates shard i of every unfinished pair (results/<pair>.shard-i-of-n.json);
// whichever process finds all n shards merges them. --plan prints an lmc-bpc command per
// unfinished pair (to run under mpirun or a batch system) and runs nothing. --example writes
// a small study that runs anywhere into DIR: three test models made from the bundled model,
// the bundled demo samples as corpora, made-up scores and the manifest (README's worked
// example).
#include <lmc/lmc.hpp>

#include "bundled.hpp"
#include "cli.hpp"
#include "study_manifest.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace fs = std::filesystem;

// Where the paper's data is: share/lmc/huang2024 of the installed tree, else the source tree.
std::optional<fs::path> paper_data_dir() {
  std::vector<fs::path> dirs;
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (!error)
    dirs.push_back((self.parent_path() / LMC_DATA_FROM_BINDIR / "huang2024").lexically_normal());
  dirs.emplace_back(LMC_SOURCE_PAPER_DIR);
  for (const fs::path& dir : dirs) {
    if (fs::is_regular_file(dir / "models.csv", error)) return dir;
  }
  return std::nullopt;
}

// The working directory lmc-study was started in (it then works in the manifest's folder).
fs::path& started_in() {
  static fs::path dir = fs::current_path();
  return dir;
}

// A path as the user would type it where lmc-study was started: relative to that folder when
// it lies below it (the manifest's paths are absolute).
std::string shown(const fs::path& path) {
  std::error_code error;
  const fs::path relative = fs::proximate(path, started_in(), error);
  if (error || relative.empty() || *relative.begin() == "..") return path.string();
  return relative.string();
}

struct Pair {
  const study::ModelEntry* model;
  const study::CorpusEntry* corpus;
  fs::path result;          // the finished result
  fs::path checkpoint;      // while it runs
  std::uintmax_t work = 1;  // corpus bytes: the unit of the study's ETA
};

class Study {
 public:
  Study(study::Manifest manifest, std::optional<lmc::Shard> shard, bool progress_always)
      : m_(std::move(manifest)), shard_(shard), progress_always_(progress_always) {
    results_dir_ = m_.output / "results";
    for (const auto& model : m_.models) {
      for (const auto& corpus : m_.corpora) {
        Pair pair{
            &model, &corpus, results_dir_ / (model.label + "__" + corpus.label + ".json"), {}, 1};
        pair.checkpoint = results_dir_ / (model.label + "__" + corpus.label + suffix() + ".ckpt");
        std::error_code error;
        const auto size = fs::file_size(corpus.path, error);
        if (!error && size > 0) pair.work = size;
        pairs_.push_back(pair);
      }
    }
  }

  const study::Manifest& manifest() const { return m_; }

  // ".shard-i-of-n" under --shard, else "".
  std::string suffix() const {
    if (!shard_) return "";
    return ".shard-" + std::to_string(shard_->index) + "-of-" + std::to_string(shard_->count);
  }
  fs::path shard_result(const Pair& pair, std::size_t index, std::size_t count) const {
    return results_dir_ / (pair.model->label + "__" + pair.corpus->label + ".shard-" +
                           std::to_string(index) + "-of-" + std::to_string(count) + ".json");
  }

  // How a pair's evaluation names its model and corpus (and so how its result and checkpoint
  // record them): the manifest's recorded forms, or the names of the checkpoint it resumes
  // when those name the same files (a checkpoint of an older study, or of a --plan command,
  // records absolute paths; the evaluation refuses a checkpoint whose names differ).
  struct Names {
    std::string model, corpus;
  };
  Names names_for(const Pair& pair) const {
    Names names{pair.model->recorded, pair.corpus->recorded};
    std::error_code error;
    if (!fs::is_regular_file(pair.checkpoint, error)) return names;
    try {
      const lmc::BpcResult saved =
          lmc::BpcResult::from_json(cli::read_text(pair.checkpoint), pair.checkpoint.string());
      if (study::names_entry(m_, saved.model_name(), pair.model->path) &&
          study::names_entry(m_, saved.corpus(), pair.corpus->path)) {
        names = {saved.model_name(), saved.corpus()};
      }
    } catch (const lmc::Error&) {
      // A damaged checkpoint: the evaluation itself reports it.
    }
    return names;
  }

  lmc::BpcOptions options_for(const Pair& pair) const {
    lmc::BpcOptions options;
    options.context = m_.context;
    options.stride = m_.stride;
    options.mode = lmc::parse_window_mode(m_.mode);
    options.score_bos = m_.score_bos;
    options.max_documents = m_.max_documents;
    options.model_name = pair.model->recorded;
    options.checkpoint = pair.checkpoint.string();
    options.checkpoint_seconds = m_.checkpoint_seconds;
    if (shard_) {
      options.shard_index = shard_->index;
      options.shard_count = shard_->count;
    }
    return options;
  }

  // A result on disk, checked against the manifest: one computed with other settings is an
  // error rather than a silent mix of two studies.
  std::optional<lmc::BpcResult> load_result(const Pair& pair, const fs::path& path,
                                            bool whole) const {
    std::error_code error;
    if (!fs::is_regular_file(path, error)) return std::nullopt;
    lmc::BpcResult result = lmc::BpcResult::from_json(cli::read_text(path), path.string());
    const lmc::BpcOptions expected = options_for(pair);
    auto differs = [&](const std::string& what, const std::string& there, const std::string& here) {
      if (there == here) return;
      throw lmc::Error(lmc::ErrorCode::invalid_argument,
                       path.string() + ": a result of another study: " + what + " is " + there +
                           " there but " + here + " in the manifest (remove it to evaluate it " +
                           "again)");
    };
    auto text = [](bool value) { return std::string(value ? "true" : "false"); };
    // Relative to the manifest's folder, or absolute (older results, --plan's commands).
    if (!study::names_entry(m_, result.model_name(), pair.model->path))
      differs("the model", result.model_name(), pair.model->recorded);
    if (!study::names_entry(m_, result.corpus(), pair.corpus->path))
      differs("the corpus", result.corpus(), pair.corpus->recorded);
    differs("the context", std::to_string(result.context()), std::to_string(expected.context));
    differs("the stride", std::to_string(result.stride()), std::to_string(expected.stride));
    differs("the mode", std::string(lmc::to_string(result.mode())), m_.mode);
    // Paper mode scores BOS whatever score_bos says; a result records what was scored.
    differs("score_bos", text(result.score_bos()),
            text(expected.score_bos || expected.mode == lmc::WindowMode::paper));
    differs("max_documents", std::to_string(result.max_documents()),
            std::to_string(expected.max_documents));
    if (whole && !result.complete()) {
      throw std::runtime_error(path.string() + ": not every shard is included");
    }
    return result;
  }

  // Merges a pair's shard results when all are there; true when the pair then has a result.
  bool merge_shards(const Pair& pair) const {
    if (!shard_) return false;
    std::optional<lmc::BpcResult> merged;
    for (std::size_t i = 0; i < shard_->count; ++i) {
      std::optional<lmc::BpcResult> part =
          load_result(pair, shard_result(pair, i, shard_->count), false);
      if (!part) return false;
      if (merged) {
        merged->merge(*part);
      } else {
        merged = std::move(part);
      }
    }
    lmc::write_file_atomically(pair.result, merged->to_json());
    return true;
  }

  bool finished(const Pair& pair) const { return load_result(pair, pair.result, true).has_value(); }
  bool shard_finished(const Pair& pair) const {
    return shard_ && load_result(pair, shard_result(pair, shard_->index, shard_->count), false);
  }

  // lmc-bpc commands for the unfinished pairs, with absolute paths: they may run from anywhere
  // (a batch system's working directory), and they write into the results folder, which must
  // then exist.
  void print_plan() const {
    fs::create_directories(results_dir_);
    std::size_t open = 0;
    for (const Pair& pair : pairs_) {
      if (finished(pair)) continue;
      ++open;
      const fs::path checkpoint =
          results_dir_ / (pair.model->label + "__" + pair.corpus->label + ".ckpt");
      std::printf(
          "lmc-bpc --model %s --corpus %s --text-field %s --context %zu --stride %zu --mode "
          "%s%s%s --checkpoint %s --json %s\n",
          quote(pair.model->path).c_str(), quote(pair.corpus->path).c_str(),
          quote(pair.corpus->text_field).c_str(), m_.context, m_.stride, m_.mode.c_str(),
          m_.score_bos ? " --score-bos" : "",
          m_.max_documents ? (" --max-docs " + std::to_string(m_.max_documents)).c_str() : "",
          quote(fs::absolute(checkpoint).string()).c_str(),
          quote(fs::absolute(pair.result).string()).c_str());
    }
    std::fprintf(stderr, "%zu of %zu evaluations have no result yet\n", open, pairs_.size());
  }

  // Runs what is missing; false when some pair still lacks its whole result (other shards).
  bool run() {
    fs::create_directories(results_dir_);
    std::vector<Pair*> todo;
    for (Pair& pair : pairs_) {
      if (finished(pair)) continue;
      if (merge_shards(pair)) continue;
      if (shard_finished(pair)) continue;
      todo.push_back(&pair);
    }
    std::uintmax_t total_work = 0;
    for (const Pair* pair : todo) total_work += pair->work;
    std::printf("%zu of %zu evaluations to run\n", todo.size(), pairs_.size());
    std::fflush(stdout);

    const bool terminal = ::isatty(STDERR_FILENO) != 0;
    const auto start = std::chrono::steady_clock::now();
    auto last_line = start - std::chrono::hours(1);
    std::uintmax_t done_work = 0;
    std::size_t number = 0;
    const lmc::Model* loaded = nullptr;
    std::optional<lmc::Model> model;
    for (Pair* pair : todo) {
      ++number;
      if (loaded == nullptr || model_label_ != pair->model->label) {
        model.reset();
        lmc::ModelOptions model_options;
        model_options.threads = m_.threads;
        model_options.context = m_.context;
        model.emplace(lmc::Model::load(pair->model->path, model_options));
        loaded = &*model;
        model_label_ = pair->model->label;
      }
      const Names names = names_for(*pair);
      lmc::CorpusOptions corpus_options;
      corpus_options.text_field = pair->corpus->text_field;
      // The recorded name: relative to the manifest's folder, the working directory.
      lmc::Corpus corpus = lmc::Corpus::open(names.corpus, corpus_options);
      lmc::BpcOptions options = options_for(*pair);
      options.model_name = names.model;
      const bool resumed = fs::exists(pair->checkpoint);
      std::fprintf(stderr, "[%zu/%zu] %s on %s%s\n", number, todo.size(),
                   pair->model->label.c_str(), pair->corpus->label.c_str(),
                   resumed ? " (resuming from its checkpoint)" : "");
      if (terminal || progress_always_) {
        options.progress = [&](const lmc::EvalProgress& p) {
          const auto now = std::chrono::steady_clock::now();
          if (now - last_line <
              (terminal ? std::chrono::milliseconds(500) : std::chrono::seconds(30))) {
            return;
          }
          last_line = now;
          const double fraction = p.scored_tokens_total > 0
                                      ? static_cast<double>(p.scored_tokens_done) /
                                            static_cast<double>(p.scored_tokens_total)
                                      : 0.0;
          const double done =
              static_cast<double>(done_work) + fraction * static_cast<double>(pair->work);
          const double seconds = std::chrono::duration<double>(now - start).count();
          const double eta =
              done > 0 ? seconds * (static_cast<double>(total_work) - done) / done : NAN;
          std::fprintf(stderr, "%s[%zu/%zu] %s on %s: %.0f%%  study %.0f%%  ETA %s%s",
                       terminal ? "\r" : "", number, todo.size(), pair->model->label.c_str(),
                       pair->corpus->label.c_str(), fraction * 100,
                       total_work ? done / static_cast<double>(total_work) * 100 : 100.0,
                       cli::format_duration(eta).c_str(), terminal ? "   " : "\n");
          std::fflush(stderr);
        };
      }
      const lmc::BpcResult result = lmc::evaluate_bpc(*loaded, corpus, options);
      if (terminal && options.progress) std::fputs("\n", stderr);
      const fs::path out =
          shard_ ? shard_result(*pair, shard_->index, shard_->count) : pair->result;
      lmc::write_file_atomically(out, result.to_json());
      std::error_code ignored;
      fs::remove(pair->checkpoint, ignored);
      done_work += pair->work;
      std::printf("%s on %s: BPC %.6f (%s)\n", pair->model->label.c_str(),
                  pair->corpus->label.c_str(), result.bpc(), shown(out).c_str());
      std::fflush(stdout);
      if (shard_) merge_shards(*pair);
    }
    std::size_t missing = 0;
    for (const Pair& pair : pairs_) missing += !finished(pair);
    if (missing > 0) {
      std::printf("%zu evaluations wait for other shards; the table is written once all are in\n",
                  missing);
    }
    return missing == 0;
  }

  // BPC of every pair, by model and corpus label.
  std::map<std::string, std::map<std::string, double>> bpc_table() const {
    std::map<std::string, std::map<std::string, double>> table;
    for (const Pair& pair : pairs_) {
      table[pair.model->label][pair.corpus->label] = load_result(pair, pair.result, true)->bpc();
    }
    return table;
  }

 private:
  static std::string quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }

  study::Manifest m_;
  std::optional<lmc::Shard> shard_;
  bool progress_always_;
  fs::path results_dir_;
  std::vector<Pair> pairs_;
  std::string model_label_;
};

std::string number_text(double value) {
  if (!std::isfinite(value)) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

// CSV field, quoted when it must be.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

struct Fit {
  std::string name;  // area label or "overall"
  std::string x_name;
  std::string y_name;
  lmc::stats::StudyData data;
  lmc::stats::Analysis analysis;
  std::vector<lmc::stats::PlotPoint> reference;
};

// The paper's models for one area (or overall, paper empty), as reference points.
std::vector<lmc::stats::PlotPoint> paper_points(const fs::path& dir, const std::string& paper) {
  const lmc::stats::StudyTable table =
      lmc::stats::StudyTable::read_csv((dir / "models.csv").string());
  lmc::stats::StudySelection selection;
  if (paper == "knowledge") {
    selection = {.x = "BPC_cc", .y = {"knowledge_avg"}};
  } else if (paper == "coding") {
    selection = {.x = "BPC_python", .y = {"coding_avg"}};
  } else if (paper == "math") {
    selection = {.x = "BPC_arxiv_math", .y = {"math_avg"}};
  } else {
    selection = {.y = {"knowledge_avg", "coding_avg", "math_avg"},
                 .x_mean = {"BPC_cc", "BPC_python", "BPC_arxiv_math"}};
  }
  const lmc::stats::StudyData data = table.select(selection);
  std::vector<lmc::stats::PlotPoint> points;
  for (std::size_t i = 0; i < data.x.size(); ++i) {
    points.push_back({.label = data.labels[i], .x = data.x[i], .y = data.y[i]});
  }
  return points;
}

void write_outputs(const Study& study) {
  const study::Manifest& m = study.manifest();
  const auto bpc = study.bpc_table();

  // Area scores per model from the score table: the mean of the area's columns.
  std::map<std::string, std::map<std::string, double>> area_scores;  // model -> area -> score
  if (!m.scores.empty()) {
    const lmc::stats::StudyTable scores = lmc::stats::StudyTable::read_csv(m.scores.string());
    for (const study::AreaEntry& area : m.areas) {
      const lmc::stats::StudyData data =
          scores.select({.x = area.scores.front(), .y = area.scores, .label = m.score_label});
      for (std::size_t i = 0; i < data.labels.size(); ++i) {
        area_scores[data.labels[i]][area.label] = data.y[i];
      }
    }
  }
  // The overall figures (the paper's convention): the mean of the area scores against the
  // mean of the BPCs of the areas' corpora, for models with every area.
  auto overall_bpc = [&](const std::string& model) {
    double sum = 0;
    for (const study::AreaEntry& area : m.areas) sum += bpc.at(model).at(area.corpus);
    return sum / static_cast<double>(m.areas.size());
  };
  auto overall_score = [&](const std::string& model) -> double {
    const auto it = area_scores.find(model);
    if (it == area_scores.end() || it->second.size() != m.areas.size()) return NAN;
    double sum = 0;
    for (const auto& [area, score] : it->second) sum += score;
    return sum / static_cast<double>(m.areas.size());
  };

  // The study table.
  fs::create_directories(m.output);
  std::string csv = "model";
  for (const auto& corpus : m.corpora) csv += "," + csv_field("bpc_" + corpus.label);
  for (const auto& area : m.areas) csv += "," + csv_field("score_" + area.label);
  if (m.areas.size() >= 2) csv += ",bpc_overall,score_overall";
  csv += "\n";
  for (const auto& model : m.models) {
    csv += csv_field(model.label);
    for (const auto& corpus : m.corpora)
      csv += "," + number_text(bpc.at(model.label).at(corpus.label));
    for (const auto& area : m.areas) {
      const auto it = area_scores.find(model.label);
      csv += "," + (it != area_scores.end() && it->second.contains(area.label)
                        ? number_text(it->second.at(area.label))
                        : std::string());
    }
    if (m.areas.size() >= 2) {
      csv += "," + number_text(overall_bpc(model.label)) + "," +
             number_text(overall_score(model.label));
    }
    csv += "\n";
  }
  lmc::write_file_atomically(m.output / "study.csv", csv);

  // Fits per area and overall, where at least 3 models have scores.
  const std::optional<fs::path> paper_dir = m.paper_reference ? paper_data_dir() : std::nullopt;
  if (m.paper_reference && !paper_dir) {
    std::fprintf(stderr,
                 "lmc-study: the paper's data (huang2024) is not installed: plots "
                 "without reference points\n");
  }
  std::vector<Fit> fits;
  // `paper`: the paper's area whose models are drawn for reference ("" for its overall
  // average); nullopt: none.
  auto add_fit = [&](const std::string& name, const std::string& x_name, const std::string& y_name,
                     auto x_of, auto y_of, const std::optional<std::string>& paper) {
    Fit fit{name, x_name, y_name, {}, {}, {}};
    fit.data.x_name = x_name;
    fit.data.y_name = y_name;
    for (const auto& model : m.models) {
      const double y = y_of(model.label);
      if (!std::isfinite(y)) continue;
      fit.data.labels.push_back(model.label);
      fit.data.x.push_back(x_of(model.label));
      fit.data.y.push_back(y);
    }
    if (fit.data.x.size() < 3) {
      std::printf("%s: %zu models with scores, too few for a fit\n", name.c_str(),
                  fit.data.x.size());
      return;
    }
    try {
      fit.analysis = lmc::stats::analyze(fit.data.x, fit.data.y);
    } catch (const lmc::Error& error) {
      std::printf("%s: no fit: %s\n", name.c_str(), error.what());
      return;
    }
    if (paper_dir && paper) fit.reference = paper_points(*paper_dir, *paper);
    fits.push_back(std::move(fit));
  };
  for (const study::AreaEntry& area : m.areas) {
    add_fit(
        area.label, "BPC on " + area.corpus, area.label + " score",
        [&](const std::string& model) { return bpc.at(model).at(area.corpus); },
        [&](const std::string& model) {
          const auto it = area_scores.find(model);
          return it != area_scores.end() && it->second.contains(area.label)
                     ? it->second.at(area.label)
                     : NAN;
        },
        area.paper.empty() ? std::nullopt : std::optional<std::string>(area.paper));
  }
  if (m.areas.size() >= 2) {
    // The paper's overall average is comparable only when the areas are its three.
    std::set<std::string> papers;
    for (const auto& area : m.areas) papers.insert(area.paper);
    const bool paper_areas =
        m.areas.size() == 3 && papers == std::set<std::string>{"coding", "knowledge", "math"};
    add_fit("overall", "mean BPC of the areas' corpora", "mean of the area scores", overall_bpc,
            overall_score, paper_areas ? std::optional<std::string>("") : std::nullopt);
  }
  for (const Fit& fit : fits) {
    lmc::stats::PlotOptions plot;
    plot.title = fit.name + ": score against BPC";
    plot.reference = fit.reference;
    plot.reference_name = "Huang et al. 2024";
    lmc::write_file_atomically(m.output / (fit.name + ".svg"),
                               lmc::stats::scatter_plot_svg(fit.data, plot));
  }

  // study.json: the settings, every model's figures and the fits.
  lmc::JsonWriter json(lmc::JsonWriter::Style::indented, 2);
  json.begin_object();
  json.member("manifest", m.file.filename().string());  // in its own folder
  json.key("settings").begin_object();
  json.member("context", m.context).member("stride", m.stride).member("mode", m.mode);
  json.member("score_bos", m.score_bos).member("max_documents", m.max_documents);
  json.end_object();
  json.key("corpora").begin_array();
  for (const auto& corpus : m.corpora) {
    json.begin_object().member("label", corpus.label).member("path", corpus.recorded);
    json.member("text_field", corpus.text_field).end_object();
  }
  json.end_array();
  json.key("models").begin_array();
  for (const auto& model : m.models) {
    json.begin_object().member("label", model.label).member("path", model.recorded);
    json.key("bpc").begin_object();
    for (const auto& corpus : m.corpora)
      json.member(corpus.label, bpc.at(model.label).at(corpus.label));
    json.end_object();
    if (!m.areas.empty()) {
      json.key("scores").begin_object();
      for (const auto& area : m.areas) {
        const auto it = area_scores.find(model.label);
        json.key(area.label);
        if (it != area_scores.end() && it->second.contains(area.label)) {
          json.value(it->second.at(area.label));
        } else {
          json.null();
        }
      }
      json.end_object();
    }
    json.end_object();
  }
  json.end_array();
  json.key("fits").begin_object();
  for (const Fit& fit : fits) {
    const lmc::stats::Analysis& a = fit.analysis;
    json.key(fit.name).begin_object();
    json.member("x", fit.x_name).member("y", fit.y_name).member("n", a.n);
    json.member("pearson_r", a.pearson.r).member("pearson_p", a.pearson.pvalue);
    json.member("pearson_ci_low", a.pearson.ci_low).member("pearson_ci_high", a.pearson.ci_high);
    json.member("spearman_rho", a.spearman.rho).member("kendall_tau", a.kendall.tau);
    json.member("slope", a.fit.slope).member("intercept", a.fit.intercept);
    json.member("r2", a.fit.r2).member("rmse", a.fit.rmse).member("rmse_n2", a.fit.residual_stderr);
    json.member("loo_mae", a.leave_one_out.mae).member("loo_rmse", a.leave_one_out.rmse);
    json.member("plot", (fit.name + ".svg"));
    json.end_object();
  }
  json.end_object();
  json.end_object();
  lmc::write_file_atomically(m.output / "study.json", json.str() + "\n");

  // A summary on stdout.
  std::printf("\n%-24s", "model");
  for (const auto& corpus : m.corpora) std::printf(" %12s", ("bpc_" + corpus.label).c_str());
  std::printf("\n");
  for (const auto& model : m.models) {
    std::printf("%-24s", model.label.c_str());
    for (const auto& corpus : m.corpora)
      std::printf(" %12.6f", bpc.at(model.label).at(corpus.label));
    std::printf("\n");
  }
  for (const Fit& fit : fits) {
    const double loo = fit.analysis.leave_one_out.mae;
    std::printf("%-10s n = %zu  r = %+.4f  RMSE = %.4g  LOO MAE = %s  (%s)\n", fit.name.c_str(),
                fit.analysis.n, fit.analysis.pearson.r, fit.analysis.fit.rmse,
                std::isfinite(loo) ? number_text(loo).c_str() : "- (needs 4 models)",
                shown(m.output / (fit.name + ".svg")).c_str());
  }
  std::printf("table: %s, %s\n", shown(m.output / "study.csv").c_str(),
              shown(m.output / "study.json").c_str());
}

// The bundled model with its final norm's weights multiplied by `scale`: the same model with
// flatter predictions, hence a higher BPC on every corpus. It gives a study test models whose
// BPCs differ in a known direction without shipping more model files.
void write_softened_model(const fs::path& bundled, const fs::path& out, float scale) {
  const lmc::GgufFile in = lmc::GgufFile::open(bundled);
  lmc::GgufWriter writer;
  for (const std::string& key : in.metadata_keys()) {
    if (key != "general.alignment") writer.set_value(in.at(key), key);  // the writer sets it
  }
  bool softened = false;
  for (const lmc::Tensor& tensor : in.tensors()) {
    if (tensor.name == "output_norm.weight") {
      std::vector<float> values = lmc::to_f32(tensor);
      for (float& v : values) v *= scale;
      writer.add_tensor_f32(tensor.name, tensor.shape, values);
      softened = true;
    } else {
      writer.add_tensor(tensor.name, tensor.type, tensor.shape, tensor.data);
    }
  }
  if (!softened) throw std::runtime_error(bundled.string() + ": no output_norm.weight tensor");
  writer.write(out);
}

// --example DIR: a whole study folder. Nothing in DIR is overwritten.
void write_example(const fs::path& dir) {
  const fs::path data = bundled::data_dir();
  const std::vector<std::pair<std::string, std::string>> corpora = {
      {"prose", "prose.txt"}, {"code", "code.py"}, {"math", "math.tex"}};
  std::vector<std::string> files = {"study.ini", "scores.csv", "tiny-a.gguf", "tiny-b.gguf",
                                    "tiny-c.gguf"};
  for (const auto& [label, name] : corpora) files.push_back(name);
  for (const std::string& name : files) {
    if (fs::exists(dir / name)) {
      throw std::runtime_error((dir / name).string() + " exists already: give --example a " +
                               "new or empty folder");
    }
  }
  fs::create_directories(dir);
  for (const auto& [label, name] : corpora) fs::copy_file(data / "demo" / name, dir / name);
  fs::copy_file(data / bundled::kModelFile, dir / "tiny-a.gguf");
  write_softened_model(data / bundled::kModelFile, dir / "tiny-b.gguf", 0.7f);
  write_softened_model(data / bundled::kModelFile, dir / "tiny-c.gguf", 0.5f);
  // Made-up scores, falling as the final norm is softened: they only give the fits something
  // to fit. They are no model's measured benchmark scores.
  lmc::write_file_atomically(dir / "scores.csv",
                             "model,trivia,arc,humaneval,gsm8k\n"
                             "tiny-a,40.5,38.0,12.0,9.5\n"
                             "tiny-b,33.0,31.5,8.0,6.0\n"
                             "tiny-c,21.0,24.0,3.5,2.0\n");
  lmc::write_file_atomically(
      dir / "study.ini",
      "# A small study written by `lmc-study --example`: the bundled model (tiny-a) and two\n"
      "# copies whose final norm is scaled by 0.7 (tiny-b) and 0.5 (tiny-c), on the bundled\n"
      "# demo samples, with made-up scores. Run it with: lmc-study study.ini\n"
      "[study]\n"
      "output = out\n"
      "context = 64\n"
      "stride = 32\n"
      "threads = 1\n"
      "scores = scores.csv        # made up: model,trivia,arc,humaneval,gsm8k\n"
      "reference = paper          # draw the paper's models in the plots\n"
      "\n"
      "[model tiny-a]\npath = tiny-a.gguf\n"
      "[model tiny-b]\npath = tiny-b.gguf\n"
      "[model tiny-c]\npath = tiny-c.gguf\n"
      "\n"
      "[corpus prose]\npath = prose.txt\n"
      "[corpus code]\npath = code.py\n"
      "[corpus math]\npath = math.tex\n"
      "\n"
      "[area knowledge]\ncorpus = prose\nscores = trivia, arc\npaper = knowledge\n"
      "[area coding]\ncorpus = code\nscores = humaneval\npaper = coding\n"
      "[area math]\ncorpus = math\nscores = gsm8k\npaper = math\n");
  std::printf("wrote a study of 3 test models x 3 corpora to %s; run: lmc-study %s\n",
              dir.string().c_str(), (dir / "study.ini").string().c_str());
}

constexpr const char* kUsage =
    "lmc-study MANIFEST [--shard i/n] [--plan] [--progress] | lmc-study --example DIR";

int run(int argc, char** argv) {
  const cli::Arguments args(argc, argv, {"shard", "example"}, {"plan", "progress", "help"});
  if (args.flag("help")) {
    std::printf("usage: %s\n", kUsage);
    return 0;
  }
  if (auto dir = args.get("example")) {
    if (!args.positional().empty() || args.get("shard") || args.flag("plan") ||
        args.flag("progress")) {
      throw std::invalid_argument("--example takes only its folder (usage: " + std::string(kUsage) +
                                  ")");
    }
    write_example(*dir);
    return 0;
  }
  if (args.positional().size() != 1) {
    throw std::invalid_argument("give one manifest file (usage: " + std::string(kUsage) + ")");
  }
  std::optional<lmc::Shard> shard;
  if (auto text = args.get("shard")) shard = lmc::parse_shard(*text);
  Study study(study::read_manifest(args.positional().front()), shard, args.flag("progress"));
  // Work in the manifest's folder: the corpora are opened by the names results record,
  // relative to it (shown() still prints paths relative to where lmc-study was started).
  started_in();
  fs::current_path(study.manifest().folder);
  if (args.flag("plan")) {
    study.print_plan();
    return 0;
  }
  if (study.run()) write_outputs(study);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return cli::run_main("lmc-study", run, argc, argv); }

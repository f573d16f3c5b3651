// The study manifest of lmc-study: an INI-style text file naming the models, the corpora, the
// window settings and, optionally, benchmark scores and the areas that pair them with a
// corpus. Errors name the file and line.
//
//   [study]
//   output = out              # results, table and plots go here (default: "study")
//   context = 1900            # window settings, as lmc-bpc's options
//   stride = 512
//   mode = exact              # or paper
//   score_bos = false         # exact mode: score each document's BOS too (lmc-bpc --score-bos)
//   threads = 0               # 0: all cores
//   max_documents = 0         # 0: whole corpora
//   checkpoint_seconds = 60
//   scores = scores.csv       # benchmark scores: one row per model, a 'model' column
//   reference = paper         # draw the paper's own models in the plots (areas say which)
//
//   [model llama-7b]          # one section per model; the label names it everywhere
//   path = /models/llama-7b
//
//   [corpus cc]               # one section per corpus
//   path = cc.jsonl.zst
//   text_field = content
//
//   [area knowledge]          # optional: score columns averaged, against BPC on one corpus
//   corpus = cc
//   scores = HellaSwag, ARC-Challenge, MMLU
//   paper = knowledge         # the paper's area for reference points: knowledge|coding|math
//
// Relative paths are relative to the manifest's folder. Each model and corpus has its absolute
// path, to open it from any working directory, and the form that results, checkpoints and
// study.json record: relative to the manifest's folder when it lies inside it (lmc-study runs
// there), else absolute. A study folder moved elsewhere therefore keeps its results; a
// record of the absolute path (older results, lmc-bpc runs of --plan) names the same file and
// is accepted too (names_entry). '#' or ';' after whitespace, or at the start of a line, begins
// a comment.
#pragma once

#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace study {

struct ModelEntry {
  std::string label;
  std::string path;      ///< absolute
  std::string recorded;  ///< as results record it: relative to the manifest's folder, if inside
};

struct CorpusEntry {
  std::string label;
  std::string path;  ///< absolute
  std::string text_field = "content";
  std::string recorded;  ///< as results record it: relative to the manifest's folder, if inside
};

struct AreaEntry {
  std::string label;
  std::string corpus;               ///< label of a corpus
  std::vector<std::string> scores;  ///< columns of the score table, averaged
  std::string paper;                ///< "knowledge", "coding", "math" or empty
};

struct Manifest {
  std::filesystem::path file;
  std::filesystem::path folder;  ///< the manifest's folder, absolute
  std::filesystem::path output;
  std::size_t context = 1900;
  std::size_t stride = 512;
  std::string mode = "exact";
  bool score_bos = false;
  std::size_t threads = 0;
  std::uint64_t max_documents = 0;
  double checkpoint_seconds = 60;
  std::filesystem::path scores;  ///< empty: no score table
  std::string score_label = "model";
  bool paper_reference = false;
  std::vector<ModelEntry> models;
  std::vector<CorpusEntry> corpora;
  std::vector<AreaEntry> areas;
};

namespace detail {

inline std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

inline std::string strip_comment(const std::string& line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if ((line[i] == '#' || line[i] == ';') &&
        (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(0, i);
    }
  }
  return line;
}

// Labels become file names: letters, digits, '.', '_' and '-' only, not starting with '.'.
inline bool good_label(const std::string& label) {
  if (label.empty() || label.front() == '.' || label.size() > 100) return false;
  for (char c : label) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

inline std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

// `path` (absolute) as a study records it: relative to `folder` when it lies inside it.
inline std::string recorded_form(const std::filesystem::path& folder,
                                 const std::filesystem::path& path) {
  const std::filesystem::path relative = path.lexically_relative(folder);
  if (relative.empty() || *relative.begin() == ".." || relative == ".") return path.string();
  return relative.string();
}

}  // namespace detail

/// True when `recorded` (a path a result or checkpoint records: relative to the manifest's
/// folder, or absolute as older studies and lmc-bpc record it) names `path` (absolute).
inline bool names_entry(const Manifest& manifest, const std::string& recorded,
                        const std::string& path) {
  const std::filesystem::path p(recorded);
  if (p.empty()) return false;
  const std::filesystem::path absolute = p.is_absolute() ? p : manifest.folder / p;
  return absolute.lexically_normal() == std::filesystem::path(path).lexically_normal();
}

/// Reads a manifest. Throws std::runtime_error "FILE: line N: ..." on any mistake: an unknown
/// section or key, a bad number, a duplicate or unusable label, a model or corpus without a
/// path, an area naming an unknown corpus, no models or no corpora.
inline Manifest read_manifest(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot open the manifest");
  Manifest manifest;
  manifest.file = file;
  // Absolute, whatever the working directory: the paths end up in results and checkpoints.
  const std::filesystem::path base =
      std::filesystem::absolute(file).lexically_normal().parent_path();
  manifest.folder = base;
  auto resolve = [&](const std::string& path) {
    const std::filesystem::path p(path);
    return p.is_absolute() ? p : (base / p).lexically_normal();
  };
  manifest.output = resolve("study");

  std::string section;  // "study", "model", "corpus", "area"
  std::size_t line_number = 0;
  std::set<std::string> keys_seen;
  std::string line;
  auto fail = [&](const std::string& message) {
    throw std::runtime_error(file.string() + ": line " + std::to_string(line_number) + ": " +
                             message);
  };
  auto to_size = [&](const std::string& key, const std::string& value) {
    std::uint64_t number = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (error != std::errc() || end != value.data() + value.size()) {
      fail("'" + key + "' needs a non-negative integer, got '" + value + "'");
    }
    return number;
  };
  std::map<std::string, std::set<std::string>> labels;  // per kind
  auto section_end = [&]() {
    if (section == "model" && manifest.models.back().path.empty()) {
      fail("model '" + manifest.models.back().label + "' has no path");
    }
    if (section == "corpus" && manifest.corpora.back().path.empty()) {
      fail("corpus '" + manifest.corpora.back().label + "' has no path");
    }
    if (section == "area" &&
        (manifest.areas.back().corpus.empty() || manifest.areas.back().scores.empty())) {
      fail("area '" + manifest.areas.back().label + "' needs a corpus and scores");
    }
  };
  while (std::getline(in, line)) {
    ++line_number;
    const std::string text = detail::trim(detail::strip_comment(line));
    if (text.empty()) continue;
    if (text.front() == '[') {
      if (text.back() != ']') fail("a section header ends with ']'");
      if (!section.empty()) section_end();
      std::istringstream words(text.substr(1, text.size() - 2));
      std::string kind, label, extra;
      words >> kind >> label >> extra;
      if (!extra.empty()) fail("a section header is [kind label]");
      if (kind == "study") {
        if (!label.empty()) fail("[study] takes no label");
      } else if (kind == "model" || kind == "corpus" || kind == "area") {
        if (!detail::good_label(label)) {
          fail("[" + kind + " " + label +
               "]: a label is 1 to 100 letters, digits, '.', '_' or '-', not starting with '.'");
        }
        if (!labels[kind].insert(label).second) fail(kind + " '" + label + "' appears twice");
        if (kind == "model") manifest.models.push_back({label, "", ""});
        if (kind == "corpus") manifest.corpora.push_back({label, "", "content", ""});
        if (kind == "area") manifest.areas.push_back({label, "", {}, ""});
      } else {
        fail("unknown section [" + kind + "] (expected study, model, corpus or area)");
      }
      section = kind;
      keys_seen.clear();
      continue;
    }
    const auto eq = text.find('=');
    if (eq == std::string::npos) fail("expected 'key = value'");
    const std::string key = detail::trim(text.substr(0, eq));
    const std::string value = detail::trim(text.substr(eq + 1));
    if (section.empty()) fail("'" + key + "' before any section");
    if (!keys_seen.insert(key).second) fail("'" + key + "' appears twice in this section");
    if (value.empty()) fail("'" + key + "' has no value");
    if (section == "study") {
      if (key == "output") {
        manifest.output = resolve(value);
      } else if (key == "context") {
        manifest.context = to_size(key, value);
      } else if (key == "stride") {
        manifest.stride = to_size(key, value);
      } else if (key == "mode") {
        if (value != "exact" && value != "paper") fail("mode is exact or paper");
        manifest.mode = value;
      } else if (key == "score_bos") {
        if (value != "true" && value != "false") fail("score_bos is true or false");
        manifest.score_bos = value == "true";
      } else if (key == "threads") {
        manifest.threads = to_size(key, value);
      } else if (key == "max_documents") {
        manifest.max_documents = to_size(key, value);
      } else if (key == "checkpoint_seconds") {
        manifest.checkpoint_seconds = static_cast<double>(to_size(key, value));
      } else if (key == "scores") {
        manifest.scores = resolve(value);
      } else if (key == "score_label") {
        manifest.score_label = value;
      } else if (key == "reference") {
        if (value != "paper" && value != "none") fail("reference is paper or none");
        manifest.paper_reference = value == "paper";
      } else {
        fail("unknown key '" + key + "' in [study]");
      }
    } else if (section == "model") {
      if (key != "path") fail("unknown key '" + key + "' in [model] (expected path)");
      manifest.models.back().path = resolve(value).string();
      manifest.models.back().recorded = detail::recorded_form(base, resolve(value));
    } else if (section == "corpus") {
      if (key == "path") {
        manifest.corpora.back().path = resolve(value).string();
        manifest.corpora.back().recorded = detail::recorded_form(base, resolve(value));
      } else if (key == "text_field") {
        manifest.corpora.back().text_field = value;
      } else {
        fail("unknown key '" + key + "' in [corpus] (expected path, text_field)");
      }
    } else {  // area
      AreaEntry& area = manifest.areas.back();
      if (key == "corpus") {
        area.corpus = value;
      } else if (key == "scores") {
        area.scores = detail::split_list(value);
      } else if (key == "paper") {
        if (value != "knowledge" && value != "coding" && value != "math") {
          fail("paper is knowledge, coding or math");
        }
        area.paper = value;
      } else {
        fail("unknown key '" + key + "' in [area] (expected corpus, scores, paper)");
      }
    }
  }
  if (!section.empty()) section_end();
  line_number = 0;
  auto fail_whole = [&](const std::string& message) {
    throw std::runtime_error(file.string() + ": " + message);
  };
  if (manifest.models.empty()) fail_whole("no [model ...] section");
  if (manifest.corpora.empty()) fail_whole("no [corpus ...] section");
  for (const AreaEntry& area : manifest.areas) {
    if (!labels["corpus"].contains(area.corpus)) {
      fail_whole("area '" + area.label + "' names corpus '" + area.corpus +
                 "', which no [corpus] section defines");
    }
  }
  if (manifest.score_bos && manifest.mode == "paper") {
    fail_whole("score_bos is for mode = exact (paper mode always scores BOS)");
  }
  if (!manifest.areas.empty() && manifest.scores.empty()) {
    fail_whole("areas need a score table ([study] scores = FILE.csv)");
  }
  return manifest;
}

}  // namespace study

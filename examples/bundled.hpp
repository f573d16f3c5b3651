// Where the programs find lmc's bundled model (models/lmc-tiny.gguf) and the demo samples
// (models/demo/): the share/lmc folder of the tree the program is installed in, else the
// source tree it was built from. The build passes both places in (LMC_DATA_FROM_BINDIR, a
// path relative to the program's folder, and LMC_SOURCE_DATA_DIR).
#pragma once

#include <lmc/error.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace bundled {

inline constexpr const char* kModelFile = "lmc-tiny.gguf";

inline std::vector<std::filesystem::path> candidate_dirs() {
  std::vector<std::filesystem::path> dirs;
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) dirs.push_back((self.parent_path() / LMC_DATA_FROM_BINDIR).lexically_normal());
  dirs.emplace_back(LMC_SOURCE_DATA_DIR);
  return dirs;
}

/// The first candidate folder that holds the bundled model. Throws Error(io) naming
/// the folders looked in.
inline std::filesystem::path data_dir() {
  std::string looked;
  for (const auto& dir : candidate_dirs()) {
    std::error_code error;
    if (std::filesystem::is_regular_file(dir / kModelFile, error)) return dir;
    looked += (looked.empty() ? "" : ", ") + dir.string();
  }
  throw lmc::Error(lmc::ErrorCode::io, std::string("the bundled model ") + kModelFile +
                                           " is in none of: " + looked + " (pass --model)");
}

inline std::string model_path() { return (data_dir() / kModelFile).string(); }

/// The demo samples (one file per domain), sorted by name.
inline std::vector<std::filesystem::path> demo_samples() {
  const std::filesystem::path dir = data_dir() / "demo";
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  if (error || files.empty()) {
    throw lmc::Error(lmc::ErrorCode::io, dir.string() + ": no demo samples");
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace bundled

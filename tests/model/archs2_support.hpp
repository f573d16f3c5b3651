// What the tests of the second set of random-weight models (../shared/testdata/archs2) share:
// the files' paths, a GGUF rewriter, a writer of the same weights as a Hugging Face folder, the
// comparison of two models over the reference cases and a config.json editor (feed_pieces.hpp:
// logits of a session fed in pieces, bit-for-bit comparison).
#pragma once

#include "feed_pieces.hpp"
#include "reference_cases.hpp"
#include "support/testdata.hpp"

#include <lmc/gguf.hpp>
#include <lmc/model.hpp>
#include <lmc/safetensors.hpp>
#include <lmc/tensor.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmc_test {

inline std::filesystem::path archs2(const std::string& file) { return testdata("archs2/" + file); }

/// Rewrites `source` with its metadata and tensors, except that `edit_keys` may change the
/// writer's keys and tensors named in `drop` or replaced by `replace` are changed.
inline void rewrite_gguf(
    const std::filesystem::path& source, const std::filesystem::path& target,
    const std::function<void(lmc::GgufWriter&)>& edit_keys, const std::set<std::string>& drop = {},
    const std::function<bool(const lmc::Tensor&, lmc::GgufWriter&)>& replace = {}) {
  const lmc::GgufFile in = lmc::GgufFile::open(source);
  lmc::GgufWriter out;
  for (const std::string& key : in.metadata_keys()) out.set_value(*in.find(key));
  edit_keys(out);
  for (const lmc::Tensor& t : in.tensors()) {
    if (drop.count(t.name)) continue;
    if (replace && replace(t, out)) continue;
    out.add_tensor(t.name, t.type, t.shape, t.data);
  }
  out.write(target);
}

/// The message of the lmc::Error that loading `path` throws ("" when it loads).
inline std::string load_error(const std::filesystem::path& path) {
  try {
    (void)lmc::Model::load(path);
  } catch (const lmc::Error& e) {
    return e.what();
  }
  return "";
}

/// Success when loading `path` fails with an lmc::Error whose message contains `needle` (and
/// whose code is `code`, when given); the failure shows the message.
inline ::testing::AssertionResult load_error_names(const std::filesystem::path& path,
                                                   std::string_view needle,
                                                   std::optional<lmc::ErrorCode> code = {}) {
  const std::string file = path.filename().string();
  try {
    (void)lmc::Model::load(path);
  } catch (const lmc::Error& e) {
    const std::string error = e.what();
    if (code && e.code() != *code) {
      return ::testing::AssertionFailure()
             << file << ": error code " << lmc::to_string(e.code()) << ", expected "
             << lmc::to_string(*code) << ": " << error;
    }
    if (error.find(needle) == std::string::npos) {
      return ::testing::AssertionFailure()
             << file << ": error \"" << error << "\" does not name \"" << needle << "\"";
    }
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << file << " loaded";
}

/// "blk.3.ssm_in.weight" → {3, "ssm_in.weight"}; a global tensor has layer -1.
inline std::pair<int, std::string> split_layer_name(const std::string& name) {
  if (!name.starts_with("blk.")) return {-1, name};
  const std::size_t dot = name.find('.', 4);
  return {std::stoi(name.substr(4, dot - 4)), name.substr(dot + 1)};
}

/// Largest |Δ| between the log-probabilities of two models over every archs2 case of `name`
/// (archs2/<name>.ref.json); infinity where the two disagree in length.
inline double worst_difference(const lmc::Model& a, const lmc::Model& b, const std::string& name) {
  const auto ref = read_reference(archs2(name + ".ref.json"));
  EXPECT_FALSE(ref.cases.empty()) << name;
  double worst = 0;
  for (const auto& c : ref.cases) {
    worst =
        std::max(worst, max_abs_difference(a.token_logprobs(c.tokens), b.token_logprobs(c.tokens)));
  }
  return worst;
}

/// `config` with `from` replaced by `to` (a failure when `config` does not contain `from`).
inline std::string edited(std::string config, const std::string& from, const std::string& to) {
  const auto at = config.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) config.replace(at, from.size(), to);
  return config;
}

/// The weights of a GGUF file written as a Hugging Face folder, with transformers' shapes:
/// conv1d as [I][1][K], Mamba's A as A_log, stacked experts as one tensor per expert (their
/// name's "{}" is the expert). `config` is config.json; `rename` maps a GGUF name to the HF one.
/// GGUF matrices of the rotate_half architectures are stored as transformers stores them.
inline void write_hf_folder(const std::filesystem::path& gguf, const std::filesystem::path& folder,
                            const std::string& config,
                            const std::function<std::string(const std::string&)>& rename) {
  const lmc::GgufFile in = lmc::GgufFile::open(gguf);
  lmc::SafetensorsWriter out;
  for (const lmc::Tensor& t : in.tensors()) {
    std::vector<float> values = lmc::to_f32(t);
    std::vector<std::int64_t> shape = t.shape;
    const std::string name = t.name;
    const auto ends = [&](const char* s) { return name.ends_with(s); };
    if (ends(".ssm_conv1d.weight")) shape = {shape[0], 1, shape[1]};
    if (ends(".ssm_a")) {
      for (float& v : values) v = std::log(-v);
    }
    if (ends("_exps.weight")) {
      // [experts][rows][cols] → one [rows][cols] tensor per expert.
      const std::int64_t n = shape[0], rows = shape[1], cols = shape[2];
      for (std::int64_t e = 0; e < n; ++e) {
        const std::vector<std::int64_t> one = {rows, cols};
        const auto first = values.begin() + e * rows * cols;
        const std::vector<float> slice(first, first + rows * cols);
        std::string hf = rename(name);
        hf.replace(hf.find("{}"), 2, std::to_string(e));
        out.add_tensor_f32(hf, one, slice);
      }
      continue;
    }
    out.add_tensor_f32(rename(name), shape, values);
  }
  std::filesystem::create_directories(folder);
  out.write(folder / "model.safetensors");
  std::ofstream(folder / "config.json") << config;
}

/// A scratch folder per test, removed at its end.
class Archs2Scratch : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_testdata()) GTEST_SKIP() << "testdata absent";
    if (!std::filesystem::exists(archs2("jamba.gguf"))) GTEST_SKIP() << "archs2 absent";
    dir_ = std::filesystem::temp_directory_path() /
           ("lmc_archs2_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  /// archs2/`source` copied by rewrite_gguf (same `edit_keys`, `drop` and `replace`) to
  /// `target` in this test's folder; returns the copy's path.
  std::filesystem::path rewritten(
      const std::string& source, const std::filesystem::path& target,
      const std::function<void(lmc::GgufWriter&)>& edit_keys,
      const std::set<std::string>& drop = {},
      const std::function<bool(const lmc::Tensor&, lmc::GgufWriter&)>& replace = {}) const {
    const std::filesystem::path path = dir_ / target;
    rewrite_gguf(archs2(source), path, edit_keys, drop, replace);
    return path;
  }
  std::filesystem::path dir_;
};

}  // namespace lmc_test

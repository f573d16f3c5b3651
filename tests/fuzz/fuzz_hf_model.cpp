// Fuzz target: arbitrary bytes as the config.json of a Hugging Face folder holding a fixed tiny
// llama model.safetensors, given to lmc::Model::load (hyper-parameters bound to weight shapes).
// Loading must either succeed or throw lmc::Error; a loaded model must score a few tokens.
#include <lmc/error.hpp>
#include <lmc/model.hpp>

#include "fuzz/fuzz_support.hpp"
#include "model/random_models.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path folder = [] {
    auto path = lmc_fuzz::scratch_folder() / "hf";
    lmc_test::write_hf_folder(lmc_test::make_tiny_model("llama", 1), path);
    return path;
  }();
  lmc_fuzz::write_file(folder / "config.json", data, size);
  try {
    const lmc::Model model = lmc::Model::load(folder, {.threads = 1, .context = 8});
    lmc_fuzz::score_a_few_tokens(model);
  } catch (const lmc::Error&) {
  }
  return 0;
}

// Fuzz target: arbitrary bytes as a GGUF model file given to lmc::Model::load (architecture
// table, hyper-parameters, weight shapes checked against the file). Loading must either succeed
// or throw lmc::Error; a loaded model must score a few tokens.
#include <lmc/error.hpp>
#include <lmc/model.hpp>

#include "fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path path = lmc_fuzz::scratch_folder() / "model.gguf";
  lmc_fuzz::write_file(path, data, size);
  try {
    const lmc::Model model = lmc::Model::load(path, {.threads = 1, .context = 8});
    lmc_fuzz::score_a_few_tokens(model);
  } catch (const lmc::Error&) {
  }
  return 0;
}

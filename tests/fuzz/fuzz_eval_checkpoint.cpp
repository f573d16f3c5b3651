// libFuzzer target: an evaluation checkpoint (BpcOptions::checkpoint, lmc-bpc --checkpoint).
// The input is read by checkpoint_from_json (what it accepts must write back to JSON that reads
// to the same JSON), then given as the checkpoint of a small evaluation with and without
// per-document figures (eval_checkpoint_setup.hpp), which must resume from it or refuse it
// with lmc::Error: a checkpoint is a file like any other, and may be damaged or someone
// else's.
#include <lmc/error.hpp>

#include "eval/checkpoint.hpp"
#include "fuzz/eval_checkpoint_setup.hpp"
#include "fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const lmc::eval::Checkpoint checkpoint = lmc::eval::checkpoint_from_json(text, "fuzz");
    const std::string json = lmc::eval::checkpoint_to_json(checkpoint);
    const std::string again =
        lmc::eval::checkpoint_to_json(lmc::eval::checkpoint_from_json(json, "round trip"));
    if (again != json) std::abort();
  } catch (const lmc::Error&) {
  }
  const std::string path = (lmc_fuzz::scratch_folder() / "checkpoint.json").string();
  for (const bool per_document : {false, true}) {
    lmc_fuzz::write_file(path, data, size);
    try {
      // Only the final checkpoint is written: one file write per run keeps fuzzing fast.
      (void)lmc_fuzz::run_checkpointed(path, per_document, 1e9);
    } catch (const lmc::Error&) {
    }
  }
  return 0;
}

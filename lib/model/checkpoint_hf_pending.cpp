// Temporary: Hugging Face folders are refused until the safetensors and config.json readers
// of lib/format are implemented (checkpoint_hf.cpp then replaces this file in CMakeLists.txt).
#include "base/fail.hpp"
#include "model/checkpoint.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

std::unique_ptr<Checkpoint> open_hf_checkpoint(const std::filesystem::path& folder, bool) {
  fail(ErrorCode::unsupported, "{}: Hugging Face folders are not readable yet", folder.string());
}

}  // namespace model
LMC_END_NAMESPACE

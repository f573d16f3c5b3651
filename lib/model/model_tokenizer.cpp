#include "model/model_tokenizer.hpp"

// The tokenizer stage (lib/tokenizer, <lmc/tokenizer.hpp>) is developed in parallel: until it
// is merged, models load without a tokenizer.
#if __has_include(<lmc/tokenizer.hpp>)
#include <lmc/gguf.hpp>
#include <lmc/tokenizer.hpp>
#define LMC_MODEL_HAS_TOKENIZER 1
#endif

LMC_BEGIN_NAMESPACE

#ifndef LMC_MODEL_HAS_TOKENIZER
class Tokenizer {};
#endif

namespace model {

std::shared_ptr<Tokenizer> load_tokenizer(const Checkpoint& checkpoint, std::string& error) {
  error.clear();
#ifdef LMC_MODEL_HAS_TOKENIZER
  try {
    if (const GgufFile* gguf = checkpoint.gguf()) {
      if (!gguf->find("tokenizer.ggml.model")) return nullptr;
      return std::make_shared<Tokenizer>(Tokenizer::from_gguf(*gguf));
    }
    const std::filesystem::path json = checkpoint.tokenizer_json();
    if (json.empty()) return nullptr;
    return std::make_shared<Tokenizer>(Tokenizer::from_file(json.parent_path()));
  } catch (const Error& e) {
    // The model stays usable with token ids; tokenizer() reports this.
    error = e.what();
    return nullptr;
  }
#else
  (void)checkpoint;
  error = "this build of lmc has no tokenizer stage yet";
  return nullptr;
#endif
}

}  // namespace model
LMC_END_NAMESPACE

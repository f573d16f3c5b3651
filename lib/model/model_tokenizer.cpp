#include "model/model_tokenizer.hpp"

#include <lmc/gguf.hpp>
#include <lmc/tokenizer.hpp>

LMC_BEGIN_NAMESPACE
namespace model {

std::shared_ptr<Tokenizer> load_tokenizer(const Checkpoint& checkpoint, std::string& error) {
  error.clear();
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
}

}  // namespace model
LMC_END_NAMESPACE

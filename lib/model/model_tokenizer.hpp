// The tokenizer that comes with a checkpoint (GGUF metadata or tokenizer.json), if any.
#pragma once

#include "model/checkpoint.hpp"

#include <memory>
#include <string>

LMC_BEGIN_NAMESPACE

class Tokenizer;

namespace model {

/// The checkpoint's tokenizer, or nullptr when it carries none lmc can read; then `error`
/// says why (empty when the files simply have no tokenizer).
std::shared_ptr<Tokenizer> load_tokenizer(const Checkpoint& checkpoint, std::string& error);

}  // namespace model
LMC_END_NAMESPACE

// The tokenizer that comes with a checkpoint (GGUF metadata or tokenizer.json), if any.
#pragma once

#include "model/checkpoint.hpp"

#include <memory>

LMC_BEGIN_NAMESPACE

class Tokenizer;

namespace model {

/// The checkpoint's tokenizer, or nullptr when it carries none lmc can read.
std::shared_ptr<Tokenizer> load_tokenizer(const Checkpoint& checkpoint);

}  // namespace model
LMC_END_NAMESPACE

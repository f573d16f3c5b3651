#include "model/model_tokenizer.hpp"

LMC_BEGIN_NAMESPACE

// Complete once <lmc/tokenizer.hpp> lands; until then models load without a tokenizer.
class Tokenizer {};

namespace model {

std::shared_ptr<Tokenizer> load_tokenizer(const Checkpoint&) { return nullptr; }

}  // namespace model
LMC_END_NAMESPACE

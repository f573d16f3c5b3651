#include <lmc/coding_model.hpp>

LMC_BEGIN_NAMESPACE

CodingSession::~CodingSession() = default;

void CodingSession::logits_next(Token token, std::span<float> logits) {
  logits_batch(std::span<const Token>(&token, 1), logits);
}

CodingModel::~CodingModel() = default;

LMC_END_NAMESPACE

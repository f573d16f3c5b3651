// lmc::Model as the compressor's CodingModel: what Compressor(const Model&) builds and owns.
#pragma once

#include <lmc/coding_model.hpp>
#include <lmc/model.hpp>

#include <memory>

LMC_BEGIN_NAMESPACE
namespace coding {

/// An adapter that references `model` (which must outlive it): Model::fingerprint() and
/// numeric_profile(), the tokenizer's BOS as start token, encode without special tokens, decode,
/// Model::context(), sessions on lmc::Session keeping every fed position's logits. Throws
/// Error(unsupported) when the model has no tokenizer or no BOS token.
std::unique_ptr<CodingModel> adapt_model(const Model& model);

}  // namespace coding
LMC_END_NAMESPACE

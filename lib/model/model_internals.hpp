// Read-only access to a loaded Model's bound weights, for code inside lmc that must identify a
// model exactly (the compressor's fingerprint hashes every weight byte).
#pragma once

#include <lmc/model.hpp>

#include "model/weight_binding.hpp"

LMC_BEGIN_NAMESPACE

struct ModelInternals {
  static const model::BoundModel& bound(const Model& model);
};

LMC_END_NAMESPACE

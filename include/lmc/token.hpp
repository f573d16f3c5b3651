// lmc::Token: the id of one vocabulary entry, shared by tokenizers, models and evaluators.
#pragma once

#include <lmc/version.hpp>

#include <cstdint>

LMC_BEGIN_NAMESPACE

using Token = std::int32_t;

LMC_END_NAMESPACE

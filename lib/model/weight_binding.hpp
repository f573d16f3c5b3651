// Binding a checkpoint's tensors to the forward pass: every tensor the architecture needs is
// looked up by role, its shape checked against the hyper-parameters, and viewed in place
// (F32/F16/BF16 and every block-quantized type the kernels read: Q4_0 … Q8_0, Q2_K … Q6_K,
// IQ4_NL, IQ4_XS)
// or, for any other type, dequantized once.
#pragma once

#include "model/checkpoint.hpp"
#include "nn/transformer.hpp"

#include <deque>
#include <string>

LMC_BEGIN_NAMESPACE
namespace model {

struct BoundModel {
  nn::TransformerConfig config;
  nn::TransformerWeights weights;
  std::int64_t n_parameters = 0;
  std::uint64_t weight_bytes = 0;
  std::string weight_type;                     ///< "F32", "Q8_0", ... or "mixed"
  std::uint64_t copied_weight_bytes = 0;       ///< bytes of `dequantized`
  std::deque<std::vector<float>> dequantized;  ///< storage for tensors of other types
  /// How quantized matrices are multiplied (every quantized view carries it).
  nn::QuantRecipe recipe = nn::QuantRecipe::float_exact;
};

/// Throws lmc::Error(format) naming the tensor (missing, wrong shape, unusable type) or the
/// hyper-parameter key that disagrees with the shapes.
/// Quantized matrices are multiplied with `recipe`.
void bind_weights(Checkpoint& checkpoint, BoundModel& out,
                  nn::QuantRecipe recipe = nn::QuantRecipe::float_exact);

}  // namespace model
LMC_END_NAMESPACE

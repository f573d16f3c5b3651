// Falcon (7B layout): one LayerNorm per block, attention and MLP in parallel, fused qkv
// without bias and multi-query attention, rotate_half RoPE, GELU MLP without biases.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& falcon_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "falcon";
    s.norm = nn::NormKind::layer;
    s.activation = nn::Activation::gelu_tanh;
    s.feed_forward = nn::FeedForwardKind::plain;
    s.residual = nn::ResidualKind::parallel_shared;
    s.rope = RopeStyle::half_split;
    s.tensors = tensor_table({
        {Role::token_embedding, required},
        {Role::output_norm, required},
        {Role::output_norm_bias, required},
        {Role::output, optional},
        {Role::attn_norm, required},
        {Role::attn_norm_bias, required},
        {Role::attn_qkv, required},
        {Role::attn_output, required},
        {Role::ffn_up, required},
        {Role::ffn_down, required},
    });
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

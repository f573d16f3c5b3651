// GPT-NeoX / Pythia: parallel residual with two LayerNorms, fused qkv with bias, partial
// rotate_half RoPE (rope.dimension_count), GELU MLP with biases.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& gptneox_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "gptneox";
    s.norm = nn::NormKind::layer;
    s.activation = nn::Activation::gelu_tanh;
    s.feed_forward = nn::FeedForwardKind::plain;
    s.residual = nn::ResidualKind::parallel_separate;
    s.rope = RopeStyle::half_split;
    s.tensors = tensor_table({
        {Role::token_embedding, required},
        {Role::output_norm, required},
        {Role::output_norm_bias, required},
        {Role::output, required},
        {Role::attn_norm, required},
        {Role::attn_norm_bias, required},
        {Role::attn_qkv, required},
        {Role::attn_qkv_bias, required},
        {Role::attn_output, required},
        {Role::attn_output_bias, required},
        {Role::ffn_norm, required},
        {Role::ffn_norm_bias, required},
        {Role::ffn_up, required},
        {Role::ffn_up_bias, required},
        {Role::ffn_down, required},
        {Role::ffn_down_bias, required},
    });
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

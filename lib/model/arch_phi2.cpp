// Phi-2: one LayerNorm per block feeding attention and MLP in parallel, q/k/v (or fused qkv)
// with biases, partial rotate_half RoPE, GELU MLP with biases, output with a bias.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& phi2_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "phi2";
    s.norm = nn::NormKind::layer;
    s.activation = nn::Activation::gelu_tanh;
    s.feed_forward = nn::FeedForwardKind::plain;
    s.residual = nn::ResidualKind::parallel_shared;
    s.rope = RopeStyle::half_split;
    s.tensors = tensor_table({
        {Role::token_embedding, required},  {Role::output_norm, required},
        {Role::output_norm_bias, required}, {Role::output, required},
        {Role::output_bias, required},      {Role::attn_norm, required},
        {Role::attn_norm_bias, required},   {Role::attn_qkv, optional},
        {Role::attn_qkv_bias, optional},    {Role::attn_q, required},
        {Role::attn_q_bias, required},      {Role::attn_k, required},
        {Role::attn_k_bias, required},      {Role::attn_v, required},
        {Role::attn_v_bias, required},      {Role::attn_output, required},
        {Role::attn_output_bias, required}, {Role::ffn_up, required},
        {Role::ffn_up_bias, required},      {Role::ffn_down, required},
        {Role::ffn_down_bias, required},
    });
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

// Jamba (AI21's Jamba-v0.1 52B, Jamba-1.5): a hybrid of Mamba blocks and attention. Every layer
// is x += mixer(RMS(x)); x += ffn(RMS(x)). The mixer is a Mamba block with RMS norms on dt, B
// and C (nn/ssm.hpp) where the layer's entry of the per-layer head_count_kv array is 0, else
// attention without any positional encoding (no RoPE). The FFN is SwiGLU, or on the layers
// that have a router a softmax mixture of experts whose top-k weights are the probabilities
// themselves (not renormalised).
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& jamba_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "jamba";
    s.rope = RopeStyle::none;
    s.ssm_layers = SsmLayers::no_kv_heads;
    s.allows_experts = true;
    s.renormalize_experts = false;
    s.experts_where_router = true;
    s.tensors = tensor_table({
        {Role::token_embedding, required}, {Role::output_norm, required},
        {Role::output, optional},          {Role::attn_norm, required},
        {Role::attn_q, required},          {Role::attn_k, required},
        {Role::attn_v, required},          {Role::attn_output, required},
        {Role::ffn_norm, required},        {Role::ffn_gate, required},
        {Role::ffn_up, required},          {Role::ffn_down, required},
        {Role::ffn_router, optional},      {Role::ffn_gate_experts, required},
        {Role::ffn_up_experts, required},  {Role::ffn_down_experts, required},
        {Role::ssm_in, required},          {Role::ssm_conv1d, required},
        {Role::ssm_conv1d_bias, required}, {Role::ssm_x, required},
        {Role::ssm_dt_norm, required},     {Role::ssm_dt, required},
        {Role::ssm_dt_bias, required},     {Role::ssm_b_norm, required},
        {Role::ssm_c_norm, required},      {Role::ssm_a, required},
        {Role::ssm_d, required},           {Role::ssm_out, required},
    });
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

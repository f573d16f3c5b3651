// StableLM (2): pre-LayerNorm with biases, optional q/k/v biases, partial rotate_half RoPE,
// SwiGLU.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& stablelm_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "stablelm";
    s.norm = nn::NormKind::layer;
    s.rope = RopeStyle::half_split;
    s.tensors = llama_block_tensors({
        {Role::output, required},
        {Role::output_norm_bias, required},
        {Role::attn_norm_bias, required},
        {Role::attn_q_bias, optional},
        {Role::attn_k_bias, optional},
        {Role::attn_v_bias, optional},
        {Role::ffn_norm_bias, required},
    });
    s.hf.model_types = {"stablelm"};
    s.hf.names = hf_llama_style_names();
    s.hf.keys.activation = "hidden_act";
    s.hf.defaults.rotary_fraction = 0.25;
    s.hf.defaults.eps = 1e-5;
    s.hf.flags = {{"use_qkv_bias", {"false", "true"}},
                  {"qk_layernorm", {"false"}},
                  {"use_parallel_residual", {"false"}}};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

// OLMo 2: no norm before attention or the FFN (both read the residual stream); RMSNorms after
// them instead, on their outputs before the residual add; q and k RMS-normalised over the whole
// projection (all heads together) before rotate_half RoPE; SwiGLU FFN; own output matrix.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& olmo2_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "olmo2";
    s.rope = RopeStyle::half_split;
    s.qk_norm_width = QkNormWidth::all_heads;
    s.tensors = tensor_table({
        {Role::token_embedding, required},
        {Role::output_norm, required},
        {Role::output, required},  // llama.cpp requires it for olmo2
        {Role::attn_q, required},
        {Role::attn_k, required},
        {Role::attn_v, required},
        {Role::attn_q_norm, required},
        {Role::attn_k_norm, required},
        {Role::attn_output, required},
        {Role::post_attn_norm, required},
        {Role::ffn_gate, required},
        {Role::ffn_up, required},
        {Role::ffn_down, required},
        {Role::post_ffn_norm, required},
    });
    s.hf.model_types = {"olmo2"};
    s.hf.names = hf_qwen3_names();
    s.hf.names[static_cast<std::size_t>(Role::attn_norm)] = {};
    s.hf.names[static_cast<std::size_t>(Role::ffn_norm)] = {};
    s.hf.names[static_cast<std::size_t>(Role::post_attn_norm)] =
        "model.layers.{}.post_attention_layernorm.weight";
    s.hf.names[static_cast<std::size_t>(Role::post_ffn_norm)] =
        "model.layers.{}.post_feedforward_layernorm.weight";
    s.hf.keys.activation = "hidden_act";
    // Olmo2Config: rope_theta 10000, rms_norm_eps 1e-5, untied output.
    s.hf.defaults.eps = 1e-5;
    s.hf.flags = {{"attention_bias", {"false"}}};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

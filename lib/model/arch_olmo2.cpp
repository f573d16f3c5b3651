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
    s.tensors = llama_block_tensors({
        {Role::output, required},  // llama.cpp requires it for olmo2
        {Role::attn_norm, absent},
        {Role::ffn_norm, absent},  // norms after attention and FFN instead of before
        {Role::attn_q_norm, required},
        {Role::attn_k_norm, required},
        {Role::post_attn_norm, required},
        {Role::post_ffn_norm, required},
    });
    s.hf.model_types = {"olmo2"};
    s.hf.names = hf_qwen3_names();
    rename_hf(s.hf.names,
              {{Role::attn_norm, {}},
               {Role::ffn_norm, {}},
               {Role::post_attn_norm, "model.layers.{}.post_attention_layernorm.weight"},
               {Role::post_ffn_norm, "model.layers.{}.post_feedforward_layernorm.weight"}});
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

// Gemma 2: Gemma plus norms after attention and after the FFN, attention-score and final-logit
// soft-capping, and a sliding window on even layers.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& gemma2_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "gemma2";
    s.activation = nn::Activation::gelu_tanh;
    s.rope = RopeStyle::half_split;
    s.scale_embeddings = true;
    s.sliding = nn::SlidingLayers::even;
    s.soft_caps = true;
    s.tensors = tensor_table({
        {Role::token_embedding, required},
        {Role::output_norm, required},
        {Role::output, optional},
        {Role::attn_norm, required},
        {Role::attn_q, required},
        {Role::attn_k, required},
        {Role::attn_v, required},
        {Role::attn_output, required},
        {Role::post_attn_norm, required},
        {Role::ffn_norm, required},
        {Role::ffn_gate, required},
        {Role::ffn_up, required},
        {Role::ffn_down, required},
        {Role::post_ffn_norm, required},
    });
    s.hf.model_types = {"gemma2"};
    s.hf.names = hf_llama_style_names();
    s.hf.names[static_cast<std::size_t>(Role::post_attn_norm)] =
        "model.layers.{}.post_attention_layernorm.weight";
    s.hf.names[static_cast<std::size_t>(Role::ffn_norm)] =
        "model.layers.{}.pre_feedforward_layernorm.weight";
    s.hf.names[static_cast<std::size_t>(Role::post_ffn_norm)] =
        "model.layers.{}.post_feedforward_layernorm.weight";
    s.hf.norm_weight_offset = 1.0f;
    s.hf.keys.sliding_window = "sliding_window";
    s.hf.keys.attention_soft_cap = "attn_logit_softcapping";
    s.hf.keys.final_soft_cap = "final_logit_softcapping";
    s.hf.keys.query_scale = "query_pre_attn_scalar";
    s.hf.keys.activation = "hidden_activation";
    s.hf.defaults.activation = "gelu_pytorch_tanh";
    s.hf.defaults.eps = 1e-6;
    s.hf.defaults.tied = true;
    s.hf.defaults.sliding_window = 4096;
    s.hf.defaults.query_scale = 256;  // Gemma2Config's query_pre_attn_scalar
    s.hf.flags = {{"attention_bias", {"false"}}};
    s.hf.understood = {"hidden_act", "cache_implementation"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

// Gemma 2: Gemma plus norms after attention and after the FFN, attention-score and final-logit
// soft-capping, and a sliding window on even layers.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& gemma2_architecture() {
  static const ArchitectureSpec spec = [] {
    // Gemma's block, activation, embedding scale and Hugging Face layout, with what Gemma 2 adds.
    ArchitectureSpec s = gemma_architecture();
    s.name = "gemma2";
    s.sliding = nn::SlidingLayers::even;
    s.soft_caps = true;
    s.tensors = with_tensors(s.tensors,
                             {{Role::post_attn_norm, required}, {Role::post_ffn_norm, required}});
    s.hf.model_types = {"gemma2"};
    rename_hf(s.hf.names,
              {{Role::post_attn_norm, "model.layers.{}.post_attention_layernorm.weight"},
               {Role::ffn_norm, "model.layers.{}.pre_feedforward_layernorm.weight"},
               {Role::post_ffn_norm, "model.layers.{}.post_feedforward_layernorm.weight"}});
    s.hf.keys.sliding_window = "sliding_window";
    s.hf.keys.attention_soft_cap = "attn_logit_softcapping";
    s.hf.keys.final_soft_cap = "final_logit_softcapping";
    s.hf.keys.query_scale = "query_pre_attn_scalar";
    s.hf.defaults.sliding_window = 4096;
    s.hf.defaults.query_scale = 256;  // Gemma2Config's query_pre_attn_scalar
    s.hf.understood = {"hidden_act", "cache_implementation"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

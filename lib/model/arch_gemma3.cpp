// Gemma 3 (text): Gemma 2's block without soft-capping, plus per-head RMS q/k norms before
// RoPE, and five local layers (sliding window, their own RoPE base, no RoPE scaling) to each
// global one.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& gemma3_architecture() {
  static const ArchitectureSpec spec = [] {
    // Gemma 2's table and Hugging Face layout, changed where Gemma 3 differs.
    ArchitectureSpec s = gemma2_architecture();
    s.name = "gemma3";
    s.sliding = nn::SlidingLayers::listed;
    s.sliding_period = 6;
    s.soft_caps = false;
    s.final_soft_cap = true;
    s.tensors =
        with_tensors(s.tensors, {{Role::attn_q_norm, required}, {Role::attn_k_norm, required}});
    // Gemma3ForCausalLM's Gemma3TextConfig ("gemma3_text"); the multimodal "gemma3" nests its
    // text model's config under text_config, which lmc does not read.
    s.hf.model_types = {"gemma3_text"};
    rename_hf(s.hf.names, {{Role::attn_q_norm, "model.layers.{}.self_attn.q_norm.weight"},
                           {Role::attn_k_norm, "model.layers.{}.self_attn.k_norm.weight"}});
    // Gemma3RMSNorm computes with 1 + w (norm_weight_offset), q/k norms included.
    s.hf.keys.local_rope_theta = "rope_local_base_freq";
    s.hf.keys.layer_types = "layer_types";
    s.hf.keys.sliding_pattern = "sliding_window_pattern";
    s.hf.sliding = nn::SlidingLayers::listed;
    s.hf.defaults.rope_theta = 1e6;
    s.hf.defaults.query_scale = 256;
    s.hf.defaults.local_rope_theta = 10000.0;
    s.hf.defaults.sliding_pattern = 6;
    s.hf.flags = {{"attention_bias", {"false"}}, {"use_bidirectional_attention", {"false"}}};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

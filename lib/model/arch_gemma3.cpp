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
    // Gemma3ForCausalLM's Gemma3TextConfig ("gemma3_text").
    s.hf.model_types = {"gemma3_text"};
    // Gemma3ForConditionalGeneration ("gemma3"): the text model's config under text_config, its
    // tensors under language_model.model. and language_model.lm_head. as the published
    // checkpoints store them, or model.language_model. and lm_head. as transformers 4.52 and
    // later save them. The SigLIP vision tower (vision_tower.*, vision_config) and the
    // projector (multi_modal_projector.*) are not read: lmc scores text.
    s.hf.multimodal.model_type = "gemma3";
    s.hf.multimodal.prefixes = {{"model.", "language_model.model."},
                                {"model.", "model.language_model."},
                                {"lm_head.", "language_model.lm_head."},
                                {"lm_head.", "lm_head."}};
    s.hf.multimodal.understood = {"vision_config", "mm_tokens_per_image", "boi_token_index",
                                  "eoi_token_index", "image_token_index"};
    rename_hf(s.hf.names, {{Role::attn_q_norm, "model.layers.{}.self_attn.q_norm.weight"},
                           {Role::attn_k_norm, "model.layers.{}.self_attn.k_norm.weight"}});
    // Gemma3RMSNorm computes with 1 + w (norm_weight_offset), q/k norms included.
    s.hf.keys.local_rope_theta = "rope_local_base_freq";
    s.hf.keys.layer_types = "layer_types";
    s.hf.keys.sliding_pattern = "sliding_window_pattern";
    s.hf.sliding = nn::SlidingLayers::listed;
    // Gemma3TextConfig's defaults (a multimodal text_config often states little more than the
    // sizes that differ).
    s.hf.defaults.heads = 8;
    s.hf.defaults.kv_heads = 4;
    s.hf.defaults.head_dim = 256;
    s.hf.defaults.context = 131072;
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

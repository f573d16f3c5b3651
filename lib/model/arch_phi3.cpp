// Phi-3: RMSNorm, fused qkv (no bias), rotate_half RoPE, SwiGLU with gate and up fused in one
// matrix [gate; up], sliding-window attention on every layer.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& phi3_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "phi3";
    s.feed_forward = nn::FeedForwardKind::gated_fused;
    s.rope = RopeStyle::half_split;
    s.sliding = nn::SlidingLayers::all;
    s.tensors = llama_block_tensors({
        {Role::output, required},
        {Role::attn_qkv, optional},  // fused qkv_proj
        {Role::ffn_gate, absent},    // gate and up fused in ffn_up
    });
    s.hf.model_types = {"phi3"};
    s.hf.names = hf_llama_style_names();
    rename_hf(s.hf.names, {{Role::attn_qkv, "model.layers.{}.self_attn.qkv_proj.weight"},
                           {Role::ffn_up, "model.layers.{}.mlp.gate_up_proj.weight"}});
    s.hf.keys.sliding_window = "sliding_window";
    s.hf.keys.activation = "hidden_act";
    s.hf.defaults.eps = 1e-5;
    s.hf.flags = {{"attention_bias", {"false"}}};
    s.hf.understood = {"original_max_position_embeddings"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

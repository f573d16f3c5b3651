// Qwen3: llama without biases, with an RMSNorm on every query and key head (one weight of the
// head width shared by all heads) before rotate_half RoPE; the head width is its own key.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& qwen3_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "qwen3";
    s.rope = RopeStyle::half_split;
    s.qk_norm_width = QkNormWidth::head;
    s.tensors = llama_block_tensors({{Role::attn_q_norm, required}, {Role::attn_k_norm, required}});
    s.hf.model_types = {"qwen3"};
    s.hf.names = hf_qwen3_names();
    s.hf.keys.activation = "hidden_act";
    // Qwen3Config: head_dim 128, rms_norm_eps 1e-6 when config.json leaves them out.
    s.hf.defaults.head_dim = 128;
    s.hf.defaults.eps = 1e-6;
    // With use_sliding_window false, sliding_window, max_window_layers and layer_types change
    // nothing (Qwen3Config sets the window to None).
    s.hf.flags = {{"attention_bias", {"false"}}, {"use_sliding_window", {"false"}}};
    s.hf.understood = {"sliding_window", "max_window_layers", "layer_types"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

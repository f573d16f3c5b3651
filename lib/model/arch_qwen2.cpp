// Qwen2 (and Qwen1.5): llama with biases on q/k/v (none on o) and rotate_half RoPE.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& qwen2_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "qwen2";
    s.rope = RopeStyle::half_split;
    s.tensors = llama_block_tensors({{Role::attn_q_bias, required},
                                     {Role::attn_k_bias, required},
                                     {Role::attn_v_bias, required}});
    s.hf.model_types = {"qwen2"};
    s.hf.names = hf_llama_style_names();
    s.hf.keys.activation = "hidden_act";
    s.hf.defaults.eps = 1e-6;
    // Qwen2Config keeps sliding_window and max_window_layers even when the window is off.
    s.hf.flags = {{"use_sliding_window", {"false"}}};
    s.hf.understood = {"sliding_window", "max_window_layers"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

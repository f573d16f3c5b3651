// SmolLM3: llama's block (RMSNorm, SwiGLU, GQA, no biases) with NoPE layers: every fourth
// layer attends without RoPE.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& smollm3_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "smollm3";
    s.no_rope_period = 4;
    s.tensors = llama_block_tensors();
    s.hf.model_types = {"smollm3"};
    s.hf.names = hf_llama_style_names();
    s.hf.keys.activation = "hidden_act";
    s.hf.keys.no_rope_layers = "no_rope_layers";
    s.hf.keys.no_rope_interval = "no_rope_layer_interval";
    s.hf.keys.layer_types = "layer_types";
    s.hf.defaults.eps = 1e-6;
    s.hf.defaults.tied = true;
    s.hf.defaults.rope_theta = 2e6;
    s.hf.defaults.no_rope_interval = 4;
    // SmolLM3Config: use_sliding_window puts a window on the NoPE layers; lmc computes without.
    s.hf.flags = {
        {"use_sliding_window", {"false"}}, {"attention_bias", {"false"}}, {"mlp_bias", {"false"}}};
    // sliding_window and max_window_layers only matter with use_sliding_window.
    s.hf.understood = {"sliding_window", "max_window_layers"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

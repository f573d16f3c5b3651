// Mixtral as transformers stores it: the llama layout with a sparse mixture of experts in place
// of the MLP (block_sparse_moe: a router `gate` and one w1/w3/w2 = gate/up/down matrix per
// expert). llama.cpp converts it to the llama architecture with stacked expert tensors, so the
// family computes as llama; only the Hugging Face layout and MixtralConfig's defaults differ.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& mixtral_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s = llama_architecture();
    s.hf.model_types = {"mixtral"};
    s.hf.names = hf_llama_style_names();
    rename_hf(s.hf.names,
              {{Role::ffn_router, "model.layers.{}.block_sparse_moe.gate.weight"},
               {Role::ffn_gate_experts, "model.layers.{}.block_sparse_moe.experts.{}.w1.weight"},
               {Role::ffn_up_experts, "model.layers.{}.block_sparse_moe.experts.{}.w3.weight"},
               {Role::ffn_down_experts, "model.layers.{}.block_sparse_moe.experts.{}.w2.weight"}});
    s.hf.per_expert_tensors = true;
    s.hf.keys.experts = "num_local_experts";
    s.hf.keys.experts_used = "num_experts_per_tok";
    s.hf.keys.activation = "hidden_act";
    s.hf.keys.sliding_window = "sliding_window";
    s.hf.sliding = nn::SlidingLayers::all;
    // MixtralConfig: rope_theta 1e6, rms_norm_eps 1e-5, no sliding window.
    s.hf.defaults = {};
    s.hf.defaults.rope_theta = 1e6;
    s.hf.defaults.eps = 1e-5;
    s.hf.flags = {};
    // router_jitter_noise perturbs the router only while training.
    s.hf.understood = {"router_jitter_noise"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

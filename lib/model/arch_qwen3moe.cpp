// Qwen3-MoE: Qwen3's attention (per-head q/k RMSNorms) with a softmax mixture of experts on
// every layer: top-k by probability, the chosen probabilities renormalised (llama.cpp always
// does for this architecture; transformers when norm_topk_prob is true), each expert a SwiGLU
// of its own width (expert_feed_forward_length, moe_intermediate_size); no shared expert.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& qwen3moe_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s = qwen3_architecture();
    s.name = "qwen3moe";
    s.allows_experts = true;
    s.renormalize_experts = true;
    for (Role dense : {Role::ffn_gate, Role::ffn_up, Role::ffn_down})
      s.tensors[static_cast<std::size_t>(dense)] = Presence::absent;
    const auto set = [&](Role role, std::string_view name) {
      s.tensors[static_cast<std::size_t>(role)] = required;
      s.hf.names[static_cast<std::size_t>(role)] = name;
    };
    set(Role::ffn_router, "model.layers.{}.mlp.gate.weight");
    set(Role::ffn_gate_experts, "model.layers.{}.mlp.experts.{}.gate_proj.weight");
    set(Role::ffn_up_experts, "model.layers.{}.mlp.experts.{}.up_proj.weight");
    set(Role::ffn_down_experts, "model.layers.{}.mlp.experts.{}.down_proj.weight");
    s.hf.model_types = {"qwen3_moe"};
    s.hf.per_expert_tensors = true;
    s.hf.keys.experts = "num_experts";
    s.hf.keys.experts_used = "num_experts_per_tok";
    s.hf.keys.expert_ffn = "moe_intermediate_size";
    s.hf.keys.renormalize_experts = "norm_topk_prob";
    // Qwen3MoeConfig: norm_topk_prob false; no head_dim default (the attention falls back to
    // hidden / heads).
    s.hf.defaults.head_dim = 0;
    s.hf.defaults.renormalize_experts = false;
    // decoder_sparse_step 1 and an empty mlp_only_layers put experts on every layer; a non-empty
    // mlp_only_layers (dense layers between them) is a key lmc does not read, so it is refused.
    s.hf.flags.push_back({"decoder_sparse_step", {"1"}});
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

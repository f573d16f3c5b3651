// The llama family: Llama 1/2/3, Mistral, Mixtral (experts), Yi, DeepSeek LLM/Coder,
// CodeLlama, Llemma. RMSNorm, SwiGLU, RoPE on adjacent pairs in GGUF files (llama.cpp's
// converter permutes q/k rows), rotate_half in Hugging Face checkpoints.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& llama_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "llama";
    s.allows_experts = true;
    s.tensors = llama_block_tensors({
        {Role::attn_q_bias, optional},
        {Role::attn_k_bias, optional},
        {Role::attn_v_bias, optional},
        {Role::attn_output_bias, optional},
        {Role::ffn_router, required},
        {Role::ffn_gate_experts, required},
        {Role::ffn_up_experts, required},
        {Role::ffn_down_experts, required},
    });
    s.hf.model_types = {"llama", "mistral"};
    s.hf.names = hf_llama_style_names();
    s.hf.keys.activation = "hidden_act";
    s.hf.keys.sliding_window = "sliding_window";  // MistralConfig; LlamaConfig has none
    s.hf.sliding = nn::SlidingLayers::all;
    s.hf.defaults.eps = 1e-6;
    s.hf.flags = {{"mlp_bias", {"false"}}, {"attention_bias", {"false", "true"}}};
    s.hf.understood = {"pretraining_tp"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

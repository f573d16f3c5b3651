// InternLM2 as llama.cpp's converter writes it: the llama layout (q/k/v split from wqkv), no
// biases, RoPE on adjacent pairs. Hugging Face checkpoints (fused, grouped wqkv) are not read.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& internlm2_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "internlm2";
    s.tensors = tensor_table({
        {Role::token_embedding, required},
        {Role::output_norm, required},
        {Role::output, optional},
        {Role::attn_norm, required},
        {Role::attn_q, required},
        {Role::attn_k, required},
        {Role::attn_v, required},
        {Role::attn_output, required},
        {Role::ffn_norm, required},
        {Role::ffn_gate, required},
        {Role::ffn_up, required},
        {Role::ffn_down, required},
    });
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

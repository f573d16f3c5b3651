// Qwen-1: RMSNorm, fused qkv with bias (rows [Q; K; V], no GQA), rotate_half RoPE, SwiGLU
// with SiLU on ffn_gate (HF's mlp.w2). Its GGUF feed_forward_length is twice the FFN width.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& qwen_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "qwen";
    s.rope = RopeStyle::half_split;
    s.ffn_key_is_doubled = true;
    s.tensors = tensor_table({
        {Role::token_embedding, required},
        {Role::output_norm, required},
        {Role::output, required},
        {Role::attn_norm, required},
        {Role::attn_qkv, required},
        {Role::attn_qkv_bias, required},
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

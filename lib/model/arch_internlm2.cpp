// InternLM2: the llama layout without biases. llama.cpp's converter splits the fused wqkv into
// q/k/v and permutes q/k for RoPE on adjacent pairs; Hugging Face checkpoints (the remote code
// modeling_internlm2.py) keep one wqkv grouped per KV head ([group][its query heads, k, v]) and
// rotate halves.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& internlm2_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "internlm2";
    s.tensors = llama_block_tensors();
    s.hf.model_types = {"internlm2"};
    s.hf.names = hf_name_table({
        {Role::token_embedding, "model.tok_embeddings.weight"},
        {Role::output_norm, "model.norm.weight"},
        {Role::output, "output.weight"},
        {Role::attn_norm, "model.layers.{}.attention_norm.weight"},
        {Role::attn_qkv, "model.layers.{}.attention.wqkv.weight"},
        {Role::attn_output, "model.layers.{}.attention.wo.weight"},
        {Role::ffn_norm, "model.layers.{}.ffn_norm.weight"},
        {Role::ffn_gate, "model.layers.{}.feed_forward.w1.weight"},
        {Role::ffn_up, "model.layers.{}.feed_forward.w3.weight"},
        {Role::ffn_down, "model.layers.{}.feed_forward.w2.weight"},
    });
    s.hf.split_qkv = true;
    s.hf.qkv_layout = HfQkvLayout::grouped;
    s.hf.keys.activation = "hidden_act";
    // InternLM2Config: rms_norm_eps 1e-6 and bias true (biases on wqkv and wo) unless stated.
    s.hf.defaults.eps = 1e-6;
    s.hf.flags = {{"bias", {"false"}, "true"}};
    s.hf.understood = {"pretraining_tp"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

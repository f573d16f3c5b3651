// Qwen-1: RMSNorm, fused qkv with bias (rows [Q; K; V], no GQA), rotate_half RoPE, SwiGLU
// with SiLU on ffn_gate (HF's mlp.w2). Its feed_forward_length (GGUF) and intermediate_size
// (config.json) are twice the FFN width. Hugging Face folders are QWenLMHeadModel's remote
// code (modeling_qwen.py) with a tiktoken rank file (qwen.tiktoken) as the tokenizer.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& qwen_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "qwen";
    s.rope = RopeStyle::half_split;
    s.ffn_key_is_doubled = true;
    s.tensors = llama_block_tensors({
        {Role::output, required},
        {Role::attn_q, absent},
        {Role::attn_k, absent},
        {Role::attn_v, absent},
        {Role::attn_qkv, required},
        {Role::attn_qkv_bias, required},
    });
    s.hf.model_types = {"qwen"};
    s.hf.names = hf_name_table({
        {Role::token_embedding, "transformer.wte.weight"},
        {Role::output_norm, "transformer.ln_f.weight"},
        {Role::output, "lm_head.weight"},
        {Role::attn_norm, "transformer.h.{}.ln_1.weight"},
        {Role::attn_qkv, "transformer.h.{}.attn.c_attn.weight"},
        {Role::attn_qkv_bias, "transformer.h.{}.attn.c_attn.bias"},
        {Role::attn_output, "transformer.h.{}.attn.c_proj.weight"},
        {Role::ffn_norm, "transformer.h.{}.ln_2.weight"},
        {Role::ffn_gate, "transformer.h.{}.mlp.w2.weight"},  // QWenMLP: w1(x) * silu(w2(x))
        {Role::ffn_up, "transformer.h.{}.mlp.w1.weight"},
        {Role::ffn_down, "transformer.h.{}.mlp.c_proj.weight"},
    });
    s.hf.keys.kv_heads = "";
    s.hf.keys.head_dim = "kv_channels";
    s.hf.keys.rope_theta = "rotary_emb_base";
    s.hf.keys.partial_rotary = "rotary_pct";
    s.hf.keys.eps = "layer_norm_epsilon";
    // QWenConfig's defaults.
    s.hf.defaults.eps = 1e-6;
    s.hf.flags = {{"no_bias", {"true"}}, {"use_cache_quantization", {"false"}}};
    // QWenAttention scales by 1/sqrt(head_dim) whatever scale_attn_weights says; the cache
    // kernel exists only with cache quantization; the NTK and log-n settings bound the context
    // (checkpoint_hf.cpp).
    s.hf.understood = {"scale_attn_weights", "use_cache_kernel", "use_dynamic_ntk", "use_logn_attn",
                       "seq_length"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

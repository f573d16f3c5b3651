// Falcon: attention and MLP in parallel, fused qkv without bias, rotate_half RoPE, GELU MLP
// without biases. The 7B layout has one LayerNorm per block and multi-query attention; the 40B
// layout (new_decoder_architecture) has grouped KV heads and two LayerNorms, attn_norm_2
// (ln_attn) feeding attention and attn_norm (ln_mlp) feeding the MLP.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& falcon_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "falcon";
    s.norm = nn::NormKind::layer;
    s.activation = nn::Activation::gelu_tanh;
    s.feed_forward = nn::FeedForwardKind::plain;
    s.residual = nn::ResidualKind::parallel_shared;
    s.rope = RopeStyle::half_split;
    s.tensors = tensor_table({
        {Role::token_embedding, required},
        {Role::output_norm, required},
        {Role::output_norm_bias, required},
        {Role::output, optional},
        {Role::attn_norm, required},
        {Role::attn_norm_bias, required},
        {Role::attn_norm_2, optional},
        {Role::attn_norm_2_bias, optional},
        {Role::attn_qkv, required},
        {Role::attn_output, required},
        {Role::ffn_up, required},
        {Role::ffn_down, required},
    });
    s.hf.model_types = {"falcon"};
    s.hf.names = hf_name_table({
        {Role::token_embedding, "transformer.word_embeddings.weight"},
        {Role::output_norm, "transformer.ln_f.weight"},
        {Role::output_norm_bias, "transformer.ln_f.bias"},
        {Role::output, "lm_head.weight"},
        {Role::attn_norm, "transformer.h.{}.input_layernorm.weight|transformer.h.{}.ln_mlp.weight"},
        {Role::attn_norm_bias,
         "transformer.h.{}.input_layernorm.bias|transformer.h.{}.ln_mlp.bias"},
        {Role::attn_norm_2, "transformer.h.{}.ln_attn.weight"},
        {Role::attn_norm_2_bias, "transformer.h.{}.ln_attn.bias"},
        {Role::attn_qkv, "transformer.h.{}.self_attention.query_key_value.weight"},
        {Role::attn_output, "transformer.h.{}.self_attention.dense.weight"},
        {Role::ffn_up, "transformer.h.{}.mlp.dense_h_to_4h.weight"},
        {Role::ffn_down, "transformer.h.{}.mlp.dense_4h_to_h.weight"},
    });
    s.hf.keys.kv_heads = "num_kv_heads";
    s.hf.keys.head_dim = "";
    s.hf.keys.ffn = "ffn_hidden_size";
    s.hf.default_ffn_multiple = 4;
    s.hf.keys.eps = "layer_norm_epsilon";
    s.hf.keys.activation = "activation";
    // FalconConfig: exact GELU, tied output, LayerNorm epsilon 1e-5.
    s.hf.defaults.activation = "gelu";
    s.hf.defaults.eps = 1e-5;
    s.hf.defaults.tied = true;
    // transformers' FalconModel ignores apply_residual_connection_post_layernorm (the original
    // RefinedWeb code honoured it): only the value both agree on is read.
    s.hf.flags = {{"alibi", {"false"}},
                  {"bias", {"false"}},
                  {"parallel_attn", {"true"}},
                  {"apply_residual_connection_post_layernorm", {"false"}},
                  {"num_ln_in_parallel_attn", {"null", "1", "2"}}};
    // new_decoder_architecture and multi_query choose the qkv layout (checkpoint_hf.cpp).
    s.hf.understood = {"new_decoder_architecture", "multi_query"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

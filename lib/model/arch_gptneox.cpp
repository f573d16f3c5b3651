// GPT-NeoX / Pythia: parallel residual with two LayerNorms, fused qkv with bias, partial
// rotate_half RoPE (rope.dimension_count), GELU MLP with biases.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& gptneox_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "gptneox";
    s.norm = nn::NormKind::layer;
    s.activation = nn::Activation::gelu_tanh;
    s.feed_forward = nn::FeedForwardKind::plain;
    s.residual = nn::ResidualKind::parallel_separate;
    s.rope = RopeStyle::half_split;
    s.tensors = biased_block_tensors();
    s.hf.model_types = {"gpt_neox"};
    s.hf.names = hf_name_table({
        {Role::token_embedding, "gpt_neox.embed_in.weight"},
        {Role::output_norm, "gpt_neox.final_layer_norm.weight"},
        {Role::output_norm_bias, "gpt_neox.final_layer_norm.bias"},
        {Role::output, "embed_out.weight"},
        {Role::attn_norm, "gpt_neox.layers.{}.input_layernorm.weight"},
        {Role::attn_norm_bias, "gpt_neox.layers.{}.input_layernorm.bias"},
        {Role::attn_qkv, "gpt_neox.layers.{}.attention.query_key_value.weight"},
        {Role::attn_qkv_bias, "gpt_neox.layers.{}.attention.query_key_value.bias"},
        {Role::attn_output, "gpt_neox.layers.{}.attention.dense.weight"},
        {Role::attn_output_bias, "gpt_neox.layers.{}.attention.dense.bias"},
        {Role::ffn_norm, "gpt_neox.layers.{}.post_attention_layernorm.weight"},
        {Role::ffn_norm_bias, "gpt_neox.layers.{}.post_attention_layernorm.bias"},
        {Role::ffn_up, "gpt_neox.layers.{}.mlp.dense_h_to_4h.weight"},
        {Role::ffn_up_bias, "gpt_neox.layers.{}.mlp.dense_h_to_4h.bias"},
        {Role::ffn_down, "gpt_neox.layers.{}.mlp.dense_4h_to_h.weight"},
        {Role::ffn_down_bias, "gpt_neox.layers.{}.mlp.dense_4h_to_h.bias"},
    });
    s.hf.qkv_layout = HfQkvLayout::per_head;
    s.hf.keys.kv_heads = "";
    s.hf.keys.head_dim = "";
    s.hf.keys.rope_theta = "rotary_emb_base";
    s.hf.keys.partial_rotary = "rotary_pct";
    s.hf.keys.activation = "hidden_act";
    s.hf.defaults.rotary_fraction = 0.25;
    s.hf.defaults.eps = 1e-5;
    s.hf.defaults.activation = "gelu";  // GPTNeoXConfig: the exact (erf) GELU
    s.hf.flags = {{"use_parallel_residual", {"true"}}, {"attention_bias", {"true"}}};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

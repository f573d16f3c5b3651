// Phi-2: one LayerNorm per block feeding attention and MLP in parallel, q/k/v (or fused qkv)
// with biases, partial rotate_half RoPE, GELU MLP with biases, output with a bias.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& phi2_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "phi2";
    s.norm = nn::NormKind::layer;
    s.activation = nn::Activation::gelu_tanh;
    s.feed_forward = nn::FeedForwardKind::plain;
    s.residual = nn::ResidualKind::parallel_shared;
    s.rope = RopeStyle::half_split;
    // One LayerNorm feeds attention and the MLP: no ffn_norm.
    s.tensors = biased_block_tensors(
        {{Role::output_bias, required}, {Role::ffn_norm, absent}, {Role::ffn_norm_bias, absent}});
    s.tensors = with_split_qkv_biases(s.tensors, optional);
    s.hf.model_types = {"phi"};
    // Llama's names but for the final norm, the attention output (dense), the MLP (fc1, fc2)
    // and the biases; llama's ffn_norm and ffn_gate names stay but are never looked up, as the
    // table above has neither tensor.
    s.hf.names = hf_llama_style_names();
    rename_hf(s.hf.names, {
                              {Role::output_norm, "model.final_layernorm.weight"},
                              {Role::output_norm_bias, "model.final_layernorm.bias"},
                              {Role::output_bias, "lm_head.bias"},
                              {Role::attn_output, "model.layers.{}.self_attn.dense.weight"},
                              {Role::attn_output_bias, "model.layers.{}.self_attn.dense.bias"},
                              {Role::ffn_up, "model.layers.{}.mlp.fc1.weight"},
                              {Role::ffn_up_bias, "model.layers.{}.mlp.fc1.bias"},
                              {Role::ffn_down, "model.layers.{}.mlp.fc2.weight"},
                              {Role::ffn_down_bias, "model.layers.{}.mlp.fc2.bias"},
                          });
    s.hf.keys.activation = "hidden_act";
    s.hf.defaults.rotary_fraction = 0.5;
    s.hf.defaults.eps = 1e-5;
    s.hf.defaults.activation = "gelu_new";
    s.hf.flags = {{"qk_layernorm", {"false"}}};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

// StarCoder2: pre-LayerNorm with biases, q/k/v/o with biases, GQA, rotate_half RoPE, GELU MLP
// with biases (HF c_fc / c_proj).
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& starcoder2_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "starcoder2";
    s.norm = nn::NormKind::layer;
    s.activation = nn::Activation::gelu_tanh;
    s.feed_forward = nn::FeedForwardKind::plain;
    s.rope = RopeStyle::half_split;
    s.tensors = tensor_table({
        {Role::token_embedding, required},  {Role::output_norm, required},
        {Role::output_norm_bias, required}, {Role::output, optional},
        {Role::attn_norm, required},        {Role::attn_norm_bias, required},
        {Role::attn_q, required},           {Role::attn_q_bias, required},
        {Role::attn_k, required},           {Role::attn_k_bias, required},
        {Role::attn_v, required},           {Role::attn_v_bias, required},
        {Role::attn_output, required},      {Role::attn_output_bias, required},
        {Role::ffn_norm, required},         {Role::ffn_norm_bias, required},
        {Role::ffn_up, required},           {Role::ffn_up_bias, required},
        {Role::ffn_down, required},         {Role::ffn_down_bias, required},
    });
    s.hf.model_types = {"starcoder2"};
    s.hf.names = hf_llama_style_names();
    s.hf.names[static_cast<std::size_t>(Role::ffn_up)] = "model.layers.{}.mlp.c_fc.weight";
    s.hf.names[static_cast<std::size_t>(Role::ffn_up_bias)] = "model.layers.{}.mlp.c_fc.bias";
    s.hf.names[static_cast<std::size_t>(Role::ffn_down)] = "model.layers.{}.mlp.c_proj.weight";
    s.hf.names[static_cast<std::size_t>(Role::ffn_down_bias)] = "model.layers.{}.mlp.c_proj.bias";
    s.hf.keys.eps = "norm_epsilon";
    s.hf.keys.activation = "hidden_act";
    s.hf.keys.sliding_window = "sliding_window";
    s.hf.sliding = nn::SlidingLayers::all;
    s.hf.defaults.activation = "gelu_pytorch_tanh";
    s.hf.defaults.eps = 1e-5;
    s.hf.defaults.tied = true;
    s.hf.flags = {{"use_bias", {"true"}}};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

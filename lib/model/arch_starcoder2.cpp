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
    s.tensors = with_split_qkv_biases(biased_block_tensors({{Role::output, optional}}), absent);
    s.hf.model_types = {"starcoder2"};
    s.hf.names = hf_llama_style_names();
    rename_hf(s.hf.names, {{Role::ffn_up, "model.layers.{}.mlp.c_fc.weight"},
                           {Role::ffn_up_bias, "model.layers.{}.mlp.c_fc.bias"},
                           {Role::ffn_down, "model.layers.{}.mlp.c_proj.weight"},
                           {Role::ffn_down_bias, "model.layers.{}.mlp.c_proj.bias"}});
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

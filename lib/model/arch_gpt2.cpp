// GPT-2: learned absolute positions, pre-LayerNorm, fused qkv with bias, GELU MLP with biases,
// no RoPE. Hugging Face's Conv1D layers store their matrices transposed ([in][out]).
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& gpt2_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "gpt2";
    s.norm = nn::NormKind::layer;
    s.activation = nn::Activation::gelu_tanh;
    s.feed_forward = nn::FeedForwardKind::plain;
    s.rope = RopeStyle::none;
    s.tensors =
        biased_block_tensors({{Role::position_embedding, required}, {Role::output, optional}});
    s.hf.model_types = {"gpt2"};
    s.hf.names = hf_name_table({
        {Role::token_embedding, "transformer.wte.weight|wte.weight"},
        {Role::position_embedding, "transformer.wpe.weight|wpe.weight"},
        {Role::output_norm, "transformer.ln_f.weight|ln_f.weight"},
        {Role::output_norm_bias, "transformer.ln_f.bias|ln_f.bias"},
        {Role::output, "lm_head.weight"},
        {Role::attn_norm, "transformer.h.{}.ln_1.weight|h.{}.ln_1.weight"},
        {Role::attn_norm_bias, "transformer.h.{}.ln_1.bias|h.{}.ln_1.bias"},
        {Role::attn_qkv, "transformer.h.{}.attn.c_attn.weight|h.{}.attn.c_attn.weight"},
        {Role::attn_qkv_bias, "transformer.h.{}.attn.c_attn.bias|h.{}.attn.c_attn.bias"},
        {Role::attn_output, "transformer.h.{}.attn.c_proj.weight|h.{}.attn.c_proj.weight"},
        {Role::attn_output_bias, "transformer.h.{}.attn.c_proj.bias|h.{}.attn.c_proj.bias"},
        {Role::ffn_norm, "transformer.h.{}.ln_2.weight|h.{}.ln_2.weight"},
        {Role::ffn_norm_bias, "transformer.h.{}.ln_2.bias|h.{}.ln_2.bias"},
        {Role::ffn_up, "transformer.h.{}.mlp.c_fc.weight|h.{}.mlp.c_fc.weight"},
        {Role::ffn_up_bias, "transformer.h.{}.mlp.c_fc.bias|h.{}.mlp.c_fc.bias"},
        {Role::ffn_down, "transformer.h.{}.mlp.c_proj.weight|h.{}.mlp.c_proj.weight"},
        {Role::ffn_down_bias, "transformer.h.{}.mlp.c_proj.bias|h.{}.mlp.c_proj.bias"},
    });
    s.hf.rope = RopeStyle::none;
    s.hf.transposed_linear = true;
    s.hf.keys.hidden = "n_embd";
    s.hf.keys.layers = "n_layer";
    s.hf.keys.heads = "n_head";
    s.hf.keys.kv_heads = "";
    s.hf.keys.ffn = "n_inner";
    s.hf.keys.context = "n_positions";
    s.hf.default_ffn_multiple = 4;
    s.hf.keys.activation = "activation_function";
    s.hf.defaults.activation = "gelu_new";
    s.hf.defaults.tied = true;
    s.hf.flags = {{"scale_attn_weights", {"true"}},
                  {"scale_attn_by_inverse_layer_idx", {"false"}},
                  {"add_cross_attention", {"false"}}};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

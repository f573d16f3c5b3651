// Helpers the family files share to fill their tables.
#pragma once

#include "model/architecture.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

using HfNames = std::array<std::string_view, role_count>;

inline HfNames hf_name_table(std::initializer_list<std::pair<Role, std::string_view>> entries) {
  HfNames names{};
  for (const auto& [role, name] : entries) names[static_cast<std::size_t>(role)] = name;
  return names;
}

/// The names of transformers' LlamaForCausalLM and the many models that copy its layout
/// (Mistral, Qwen2, Gemma, StableLM, Starcoder2, Phi-3 with a few changes).
inline HfNames hf_llama_style_names() {
  return hf_name_table({
      {Role::token_embedding, "model.embed_tokens.weight"},
      {Role::output_norm, "model.norm.weight"},
      {Role::output_norm_bias, "model.norm.bias"},
      {Role::output, "lm_head.weight"},
      {Role::attn_norm, "model.layers.{}.input_layernorm.weight"},
      {Role::attn_norm_bias, "model.layers.{}.input_layernorm.bias"},
      {Role::attn_q, "model.layers.{}.self_attn.q_proj.weight"},
      {Role::attn_q_bias, "model.layers.{}.self_attn.q_proj.bias"},
      {Role::attn_k, "model.layers.{}.self_attn.k_proj.weight"},
      {Role::attn_k_bias, "model.layers.{}.self_attn.k_proj.bias"},
      {Role::attn_v, "model.layers.{}.self_attn.v_proj.weight"},
      {Role::attn_v_bias, "model.layers.{}.self_attn.v_proj.bias"},
      {Role::attn_output, "model.layers.{}.self_attn.o_proj.weight"},
      {Role::attn_output_bias, "model.layers.{}.self_attn.o_proj.bias"},
      {Role::ffn_norm, "model.layers.{}.post_attention_layernorm.weight"},
      {Role::ffn_norm_bias, "model.layers.{}.post_attention_layernorm.bias"},
      {Role::ffn_gate, "model.layers.{}.mlp.gate_proj.weight"},
      {Role::ffn_up, "model.layers.{}.mlp.up_proj.weight"},
      {Role::ffn_down, "model.layers.{}.mlp.down_proj.weight"},
  });
}

/// The llama names plus the per-head query/key norms of Qwen3 (also OLMo 2's, over all heads).
inline HfNames hf_qwen3_names() {
  HfNames names = hf_llama_style_names();
  names[static_cast<std::size_t>(Role::attn_q_norm)] = "model.layers.{}.self_attn.q_norm.weight";
  names[static_cast<std::size_t>(Role::attn_k_norm)] = "model.layers.{}.self_attn.k_norm.weight";
  return names;
}

inline constexpr Presence required = Presence::required;
inline constexpr Presence optional = Presence::optional;

}  // namespace model
LMC_END_NAMESPACE

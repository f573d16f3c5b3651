// Helpers the family files share to fill their tables.
#pragma once

#include "model/architecture.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

using HfNames = std::array<std::string_view, role_count>;

/// Sets the Hugging Face name of each role in `names` (the families that rename a few tensors
/// of a shared layout).
inline void rename_hf(HfNames& table,
                      std::initializer_list<std::pair<Role, std::string_view>> names) {
  for (const auto& [role, name] : names) table[static_cast<std::size_t>(role)] = name;
}

inline HfNames hf_name_table(std::initializer_list<std::pair<Role, std::string_view>> entries) {
  HfNames names{};
  rename_hf(names, entries);
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
  rename_hf(names, {{Role::attn_q_norm, "model.layers.{}.self_attn.q_norm.weight"},
                    {Role::attn_k_norm, "model.layers.{}.self_attn.k_norm.weight"}});
  return names;
}

inline constexpr Presence required = Presence::required;
inline constexpr Presence optional = Presence::optional;
inline constexpr Presence absent = Presence::absent;

using TensorTable = std::array<Presence, role_count>;
using TensorChanges = std::initializer_list<std::pair<Role, Presence>>;

/// `table` with each role of `changes` set to its presence (absent drops a tensor).
inline TensorTable with_tensors(TensorTable table, TensorChanges changes) {
  for (const auto& [role, presence] : changes) table[static_cast<std::size_t>(role)] = presence;
  return table;
}

/// Llama's block without biases, the table most families start from: token embedding, final
/// norm, an output matrix (optional: absent, the logits come from the embedding), and per layer
/// attn_norm, q/k/v/o, ffn_norm and the gated FFN's gate/up/down. `changes` add, drop or relax
/// tensors.
inline TensorTable llama_block_tensors(TensorChanges changes = {}) {
  return with_tensors(tensor_table({
                          {Role::token_embedding, required},
                          {Role::output_norm, required},
                          {Role::output, optional},
                          {Role::attn_norm, required},
                          {Role::attn_q, required},
                          {Role::attn_k, required},
                          {Role::attn_v, required},
                          {Role::attn_output, required},
                          {Role::ffn_norm, required},
                          {Role::ffn_gate, required},
                          {Role::ffn_up, required},
                          {Role::ffn_down, required},
                      }),
                      changes);
}

/// GPT-NeoX's block, the table of the LayerNorm families: every norm and matrix with a bias,
/// fused qkv, a plain (ungated) FFN, a required output matrix. `changes` as above.
inline TensorTable biased_block_tensors(TensorChanges changes = {}) {
  return with_tensors(tensor_table({
                          {Role::token_embedding, required},
                          {Role::output_norm, required},
                          {Role::output_norm_bias, required},
                          {Role::output, required},
                          {Role::attn_norm, required},
                          {Role::attn_norm_bias, required},
                          {Role::attn_qkv, required},
                          {Role::attn_qkv_bias, required},
                          {Role::attn_output, required},
                          {Role::attn_output_bias, required},
                          {Role::ffn_norm, required},
                          {Role::ffn_norm_bias, required},
                          {Role::ffn_up, required},
                          {Role::ffn_up_bias, required},
                          {Role::ffn_down, required},
                          {Role::ffn_down_bias, required},
                      }),
                      changes);
}

/// `table` with q, k and v as three matrices with biases, in place of the fused qkv and its
/// bias, which become `fused` (optional: a checkpoint may still hold them fused).
inline TensorTable with_split_qkv_biases(TensorTable table, Presence fused) {
  return with_tensors(table, {{Role::attn_qkv, fused},
                              {Role::attn_qkv_bias, fused},
                              {Role::attn_q, required},
                              {Role::attn_q_bias, required},
                              {Role::attn_k, required},
                              {Role::attn_k_bias, required},
                              {Role::attn_v, required},
                              {Role::attn_v_bias, required}});
}

}  // namespace model
LMC_END_NAMESPACE

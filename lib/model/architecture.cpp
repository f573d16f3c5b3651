#include "model/architecture.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

namespace {

constexpr std::array<std::string_view, role_count> gguf_names = {
    "token_embd.weight",
    "position_embd.weight",
    "output_norm.weight",
    "output_norm.bias",
    "output.weight",
    "output.bias",
    "blk.{}.attn_norm.weight",
    "blk.{}.attn_norm.bias",
    "blk.{}.attn_norm_2.weight",
    "blk.{}.attn_norm_2.bias",
    "blk.{}.attn_q.weight",
    "blk.{}.attn_q.bias",
    "blk.{}.attn_k.weight",
    "blk.{}.attn_k.bias",
    "blk.{}.attn_v.weight",
    "blk.{}.attn_v.bias",
    "blk.{}.attn_qkv.weight",
    "blk.{}.attn_qkv.bias",
    "blk.{}.attn_output.weight",
    "blk.{}.attn_output.bias",
    "blk.{}.attn_q_norm.weight",
    "blk.{}.attn_k_norm.weight",
    "blk.{}.post_attention_norm.weight",
    "blk.{}.ffn_norm.weight",
    "blk.{}.ffn_norm.bias",
    "blk.{}.ffn_gate.weight",
    "blk.{}.ffn_up.weight",
    "blk.{}.ffn_up.bias",
    "blk.{}.ffn_down.weight",
    "blk.{}.ffn_down.bias",
    "blk.{}.post_ffw_norm.weight",
    "blk.{}.ffn_gate_inp.weight",
    "blk.{}.ffn_gate_exps.weight",
    "blk.{}.ffn_up_exps.weight",
    "blk.{}.ffn_down_exps.weight",
    "blk.{}.attn_q_a.weight",
    "blk.{}.attn_q_a_norm.weight",
    "blk.{}.attn_q_b.weight",
    "blk.{}.attn_kv_a_mqa.weight",
    "blk.{}.attn_kv_a_norm.weight",
    "blk.{}.attn_kv_b.weight",
    "blk.{}.attn_k_b.weight",
    "blk.{}.attn_v_b.weight",
    "blk.{}.ffn_gate_shexp.weight",
    "blk.{}.ffn_up_shexp.weight",
    "blk.{}.ffn_down_shexp.weight",
    "blk.{}.ssm_in.weight",
    "blk.{}.ssm_conv1d.weight",
    "blk.{}.ssm_conv1d.bias",
    "blk.{}.ssm_x.weight",
    "blk.{}.ssm_dt_norm.weight",
    "blk.{}.ssm_dt.weight",
    "blk.{}.ssm_dt.bias",
    "blk.{}.ssm_b_norm.weight",
    "blk.{}.ssm_c_norm.weight",
    "blk.{}.ssm_a",
    "blk.{}.ssm_d",
    "blk.{}.ssm_out.weight",
};

}  // namespace

std::string_view gguf_tensor_name(Role role) noexcept {
  return gguf_names[static_cast<std::size_t>(role)];
}

bool is_per_layer(Role role) noexcept { return gguf_tensor_name(role).starts_with("blk."); }

std::array<Presence, role_count> tensor_table(
    std::initializer_list<std::pair<Role, Presence>> entries) {
  std::array<Presence, role_count> table{};
  table.fill(Presence::absent);
  for (const auto& [role, presence] : entries) table[static_cast<std::size_t>(role)] = presence;
  return table;
}

std::span<const ArchitectureSpec* const> architectures() {
  static const ArchitectureSpec* const all[] = {
      &llama_architecture(),
      &internlm2_architecture(),
      &qwen2_architecture(),
      &qwen_architecture(),
      &gemma_architecture(),
      &gemma2_architecture(),
      &gpt2_architecture(),
      &starcoder_architecture(),
      &gptneox_architecture(),
      &phi2_architecture(),
      &phi3_architecture(),
      &falcon_architecture(),
      &starcoder2_architecture(),
      &stablelm_architecture(),
      &mamba_architecture(),
      &jamba_architecture(),
      &deepseek2_architecture(),
      &qwen3_architecture(),
      &qwen3moe_architecture(),
      &olmo2_architecture(),
      &gemma3_architecture(),
      &smollm3_architecture(),
      // Computes as llama (found first by GGUF name); only its Hugging Face layout differs.
      &mixtral_architecture(),
  };
  return all;
}

const ArchitectureSpec* find_architecture(std::string_view gguf_name) {
  for (const ArchitectureSpec* spec : architectures()) {
    if (spec->name == gguf_name) return spec;
  }
  return nullptr;
}

const ArchitectureSpec* find_hf_architecture(std::string_view model_type) {
  for (const ArchitectureSpec* spec : architectures()) {
    for (std::string_view type : spec->hf.model_types) {
      if (type == model_type) return spec;
    }
  }
  return nullptr;
}

const ArchitectureSpec* find_hf_multimodal(std::string_view model_type) {
  for (const ArchitectureSpec* spec : architectures()) {
    if (!model_type.empty() && spec->hf.multimodal.model_type == model_type) return spec;
  }
  return nullptr;
}

}  // namespace model
LMC_END_NAMESPACE

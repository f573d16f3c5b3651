// DeepSeek-V2 and V2-Lite (and DeepSeek-V2.5, DeepSeek-Coder-V2): RMSNorm blocks with multi-head
// latent attention (nn/latent_attention.hpp: keys and values decompressed from one kv_lora-wide
// latent per token, queries optionally through a q_lora-wide one, a decoupled RoPE part of
// qk_rope dimensions on adjacent pairs, one k_pe shared by all heads), a dense SwiGLU FFN on the
// first leading_dense_block_count layers and on the others a softmax mixture of SwiGLU experts
// (top-k weights not renormalised unless expert_weights_norm says so, times
// expert_weights_scale) plus shared experts, one SwiGLU every token runs. Hugging Face folders:
// transformers' DeepseekV2ForCausalLM, where kv_b_proj holds both decompressions
// ([head][k_nope; v] rows), split here as llama.cpp's converter splits it into attn_k_b
// (transposed) and attn_v_b.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& deepseek2_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "deepseek2";
    s.allows_experts = true;
    s.renormalize_experts = false;
    s.tensors = llama_block_tensors({
        {Role::attn_q, optional},
        {Role::attn_k, absent},
        {Role::attn_v, absent},
        {Role::attn_q_a, optional},
        {Role::attn_q_a_norm, optional},
        {Role::attn_q_b, optional},
        {Role::attn_kv_a_mqa, required},
        {Role::attn_kv_a_norm, required},
        {Role::attn_kv_b, optional},
        {Role::attn_k_b, optional},
        {Role::attn_v_b, optional},
        {Role::ffn_router, required},
        {Role::ffn_gate_experts, required},
        {Role::ffn_up_experts, required},
        {Role::ffn_down_experts, required},
        {Role::ffn_gate_shared, optional},
        {Role::ffn_up_shared, optional},
        {Role::ffn_down_shared, optional},
    });
    s.hf.model_types = {"deepseek_v2"};
    s.hf.rope = RopeStyle::adjacent_pairs;  // its rotary embedding pairs (x[2i], x[2i+1])
    s.hf.names = hf_llama_style_names();
    rename_hf(s.hf.names,
              {{Role::attn_q_a, "model.layers.{}.self_attn.q_a_proj.weight"},
               {Role::attn_q_a_norm, "model.layers.{}.self_attn.q_a_layernorm.weight"},
               {Role::attn_q_b, "model.layers.{}.self_attn.q_b_proj.weight"},
               {Role::attn_kv_a_mqa, "model.layers.{}.self_attn.kv_a_proj_with_mqa.weight"},
               {Role::attn_kv_a_norm, "model.layers.{}.self_attn.kv_a_layernorm.weight"},
               {Role::attn_kv_b, "model.layers.{}.self_attn.kv_b_proj.weight"},
               {Role::ffn_router, "model.layers.{}.mlp.gate.weight"},
               {Role::ffn_gate_experts, "model.layers.{}.mlp.experts.{}.gate_proj.weight"},
               {Role::ffn_up_experts, "model.layers.{}.mlp.experts.{}.up_proj.weight"},
               {Role::ffn_down_experts, "model.layers.{}.mlp.experts.{}.down_proj.weight"},
               {Role::ffn_gate_shared, "model.layers.{}.mlp.shared_experts.gate_proj.weight"},
               {Role::ffn_up_shared, "model.layers.{}.mlp.shared_experts.up_proj.weight"},
               {Role::ffn_down_shared, "model.layers.{}.mlp.shared_experts.down_proj.weight"}});
    s.hf.per_expert_tensors = true;
    s.hf.keys.head_dim = "";        // the per-head sizes are qk_nope/qk_rope/v_head_dim
    s.hf.keys.partial_rotary = "";  // qk_rope_head_dim
    s.hf.keys.experts = "n_routed_experts";
    s.hf.keys.experts_used = "num_experts_per_tok";
    s.hf.keys.activation = "hidden_act";
    // DeepseekV2Config: rms_norm_eps 1e-6, rope_theta 10000, no tied embeddings.
    s.hf.defaults.eps = 1e-6;
    s.hf.flags = {{"attention_bias", {"false"}, "false"},
                  {"mlp_bias", {"false"}},
                  {"scoring_func", {"\"softmax\""}},
                  {"norm_topk_prob", {"false"}, "false"},
                  {"moe_layer_freq", {"1"}},
                  {"pretraining_tp", {"1"}}};
    // Read by checkpoint_hf.cpp's DeepSeek-V2 part; the rest only train or place experts.
    s.hf.understood = {"q_lora_rank",
                       "kv_lora_rank",
                       "qk_nope_head_dim",
                       "qk_rope_head_dim",
                       "v_head_dim",
                       "moe_intermediate_size",
                       "n_shared_experts",
                       "routed_scaling_factor",
                       "first_k_dense_replace",
                       "topk_method",
                       "n_group",
                       "topk_group",
                       "aux_loss_alpha",
                       "seq_aux",
                       "ep_size",
                       "head_dim"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

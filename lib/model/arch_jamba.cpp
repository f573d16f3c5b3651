// Jamba (AI21's Jamba-v0.1 52B, Jamba-1.5): a hybrid of Mamba blocks and attention. Every layer
// is x += mixer(RMS(x)); x += ffn(RMS(x)). The mixer is a Mamba block with RMS norms on dt, B
// and C (nn/ssm.hpp) where the layer's entry of the per-layer head_count_kv array is 0, else
// attention without any positional encoding (no RoPE). The FFN is SwiGLU, or on the layers
// that have a router a softmax mixture of experts whose top-k weights are the probabilities
// themselves (not renormalised). Hugging Face folders: transformers' JambaForCausalLM, where
// attn_layer_period/attn_layer_offset say which layers attend and the router tensors (placed
// by expert_layer_period/expert_layer_offset) which layers are MoE.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& jamba_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "jamba";
    s.rope = RopeStyle::none;
    s.ssm_layers = SsmLayers::no_kv_heads;
    s.allows_experts = true;
    s.renormalize_experts = false;
    s.experts_where_router = true;
    s.tensors = llama_block_tensors({
        {Role::ffn_router, optional},
        {Role::ffn_gate_experts, required},
        {Role::ffn_up_experts, required},
        {Role::ffn_down_experts, required},
        {Role::ssm_in, required},
        {Role::ssm_conv1d, required},
        {Role::ssm_conv1d_bias, required},
        {Role::ssm_x, required},
        {Role::ssm_dt_norm, required},
        {Role::ssm_dt, required},
        {Role::ssm_dt_bias, required},
        {Role::ssm_b_norm, required},
        {Role::ssm_c_norm, required},
        {Role::ssm_a, required},
        {Role::ssm_d, required},
        {Role::ssm_out, required},
    });
    s.hf.model_types = {"jamba"};
    s.hf.rope = RopeStyle::none;
    s.hf.names = hf_name_table({
        {Role::token_embedding, "model.embed_tokens.weight"},
        {Role::output_norm, "model.final_layernorm.weight"},
        {Role::output, "lm_head.weight"},
        {Role::attn_norm, "model.layers.{}.input_layernorm.weight"},
        {Role::attn_q, "model.layers.{}.self_attn.q_proj.weight"},
        {Role::attn_k, "model.layers.{}.self_attn.k_proj.weight"},
        {Role::attn_v, "model.layers.{}.self_attn.v_proj.weight"},
        {Role::attn_output, "model.layers.{}.self_attn.o_proj.weight"},
        {Role::ffn_norm, "model.layers.{}.pre_ff_layernorm.weight"},
        {Role::ffn_gate, "model.layers.{}.feed_forward.gate_proj.weight"},
        {Role::ffn_up, "model.layers.{}.feed_forward.up_proj.weight"},
        {Role::ffn_down, "model.layers.{}.feed_forward.down_proj.weight"},
        {Role::ffn_router, "model.layers.{}.feed_forward.router.weight"},
        {Role::ffn_gate_experts, "model.layers.{}.feed_forward.experts.{}.gate_proj.weight"},
        {Role::ffn_up_experts, "model.layers.{}.feed_forward.experts.{}.up_proj.weight"},
        {Role::ffn_down_experts, "model.layers.{}.feed_forward.experts.{}.down_proj.weight"},
        {Role::ssm_in, "model.layers.{}.mamba.in_proj.weight"},
        {Role::ssm_conv1d, "model.layers.{}.mamba.conv1d.weight"},
        {Role::ssm_conv1d_bias, "model.layers.{}.mamba.conv1d.bias"},
        {Role::ssm_x, "model.layers.{}.mamba.x_proj.weight"},
        {Role::ssm_dt_norm, "model.layers.{}.mamba.dt_layernorm.weight"},
        {Role::ssm_dt, "model.layers.{}.mamba.dt_proj.weight"},
        {Role::ssm_dt_bias, "model.layers.{}.mamba.dt_proj.bias"},
        {Role::ssm_b_norm, "model.layers.{}.mamba.b_layernorm.weight"},
        {Role::ssm_c_norm, "model.layers.{}.mamba.c_layernorm.weight"},
        {Role::ssm_a, "model.layers.{}.mamba.A_log"},
        {Role::ssm_d, "model.layers.{}.mamba.D"},
        {Role::ssm_out, "model.layers.{}.mamba.out_proj.weight"},
    });
    s.hf.per_expert_tensors = true;
    s.hf.keys.experts = "num_experts";
    s.hf.keys.experts_used = "num_experts_per_tok";
    s.hf.keys.rope_theta = "";
    s.hf.keys.partial_rotary = "";
    s.hf.keys.head_dim = "";
    // JambaConfig: rms_norm_eps 1e-6, tie_word_embeddings false, attention every 8th layer from
    // layer 4, Mamba sizes 16 / 4 / expand 2 / dt_rank "auto".
    s.hf.defaults.eps = 1e-6;
    s.hf.ssm.state = "mamba_d_state";
    s.hf.ssm.conv = "mamba_d_conv";
    s.hf.ssm.expand = "mamba_expand";
    s.hf.ssm.dt_rank = "mamba_dt_rank";
    s.hf.ssm.attention_period = "attn_layer_period";
    s.hf.ssm.attention_offset = "attn_layer_offset";
    s.hf.ssm.attention_period_default = 8;
    s.hf.ssm.attention_offset_default = 4;
    s.hf.flags = {{"mamba_conv_bias", {"true"}, "true"},
                  {"mamba_proj_bias", {"false"}, "false"},
                  {"hidden_act", {"\"silu\""}, "\"silu\""},
                  // JambaAttention passes a sliding window to the attention kernel when set.
                  {"sliding_window", {"null"}}};
    // Which layers hold experts is read from the router tensors; the rest select kernels or
    // cap the logits computed during generation.
    s.hf.understood = {"expert_layer_period", "expert_layer_offset", "use_mamba_kernels",
                       "num_logits_to_keep",  "use_mambapy",         "use_associative_scan"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

// Mamba (Mamba-1: state-spaces/mamba-130m … 2.8b, Falcon-Mamba): every layer is
// x += mamba_block(RMS(x)), no attention and no FFN; final RMSNorm; output usually tied to the
// embedding. The block is nn/ssm.hpp's; Falcon-Mamba's weightless dt/B/C RMS norms are switched
// on by the GGUF key ssm.dt_b_c_rms. Hugging Face folders: transformers' MambaForCausalLM
// (backbone.layers.{}.mixer.*, A stored as A_log, conv1d as [I][1][K]).
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& mamba_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "mamba";
    s.rope = RopeStyle::none;
    s.ssm_layers = SsmLayers::all;
    s.tensors = tensor_table({
        {Role::token_embedding, required},
        {Role::output_norm, required},
        {Role::output, optional},
        {Role::attn_norm, required},
        {Role::ssm_in, required},
        {Role::ssm_conv1d, required},
        {Role::ssm_conv1d_bias, required},
        {Role::ssm_x, required},
        {Role::ssm_dt, required},
        {Role::ssm_dt_bias, required},
        {Role::ssm_a, required},
        {Role::ssm_d, required},
        {Role::ssm_out, required},
    });
    s.hf.model_types = {"mamba"};
    s.hf.rope = RopeStyle::none;
    s.hf.names = hf_name_table({
        // The original state-spaces checkpoints say "embedding", transformers "embeddings".
        {Role::token_embedding, "backbone.embeddings.weight|backbone.embedding.weight"},
        {Role::output_norm, "backbone.norm_f.weight"},
        {Role::output, "lm_head.weight"},
        {Role::attn_norm, "backbone.layers.{}.norm.weight"},
        {Role::ssm_in, "backbone.layers.{}.mixer.in_proj.weight"},
        {Role::ssm_conv1d, "backbone.layers.{}.mixer.conv1d.weight"},
        {Role::ssm_conv1d_bias, "backbone.layers.{}.mixer.conv1d.bias"},
        {Role::ssm_x, "backbone.layers.{}.mixer.x_proj.weight"},
        {Role::ssm_dt, "backbone.layers.{}.mixer.dt_proj.weight"},
        {Role::ssm_dt_bias, "backbone.layers.{}.mixer.dt_proj.bias"},
        {Role::ssm_a, "backbone.layers.{}.mixer.A_log"},
        {Role::ssm_d, "backbone.layers.{}.mixer.D"},
        {Role::ssm_out, "backbone.layers.{}.mixer.out_proj.weight"},
    });
    // MambaConfig: no attention or FFN keys; layer_norm_epsilon 1e-5; tie_word_embeddings true.
    s.hf.keys.heads = "";
    s.hf.keys.kv_heads = "";
    s.hf.keys.ffn = "";
    s.hf.keys.head_dim = "";
    s.hf.keys.context = "";
    s.hf.keys.rope_theta = "";
    s.hf.keys.partial_rotary = "";
    s.hf.keys.eps = "layer_norm_epsilon";
    s.hf.defaults.eps = 1e-5;
    s.hf.defaults.tied = true;
    s.hf.ssm.state = "state_size";
    s.hf.ssm.conv = "conv_kernel";
    s.hf.ssm.expand = "expand";
    s.hf.ssm.inner = "intermediate_size";
    s.hf.ssm.dt_rank = "time_step_rank";
    // use_bias (in_proj/out_proj biases) defaults to true in MambaConfig; lmc computes none.
    s.hf.flags = {{"use_bias", {"false"}, "true"},
                  {"use_conv_bias", {"true"}, "true"},
                  {"hidden_act", {"\"silu\""}, "\"silu\""}};
    // Initialisation (time_step_*, rescale_prenorm_residual), precision of the residual in
    // half-precision runs (lmc keeps F32 throughout), training fallbacks.
    s.hf.understood = {"residual_in_fp32",
                       "time_step_scale",
                       "time_step_min",
                       "time_step_max",
                       "time_step_init_scheme",
                       "time_step_floor",
                       "rescale_prenorm_residual",
                       "use_mambapy",
                       "pad_vocab_size_multiple"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

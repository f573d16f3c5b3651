// Mamba (Mamba-1: state-spaces/mamba-130m … 2.8b, Falcon-Mamba): every layer is
// x += mamba_block(RMS(x)), no attention and no FFN; final RMSNorm; output usually tied to the
// embedding. The block is nn/ssm.hpp's; Falcon-Mamba's weightless dt/B/C RMS norms are switched
// on by the GGUF key ssm.dt_b_c_rms.
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
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

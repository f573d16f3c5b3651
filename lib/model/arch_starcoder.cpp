// StarCoder / StarCoderBase (HF gpt_bigcode): GPT-2's block with multi-query attention (fused
// qkv rows [Q (n_embd); K (head_dim); V (head_dim)]) and learned absolute positions.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& starcoder_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s = gpt2_architecture();
    s.name = "starcoder";
    s.hf = HfLayout{};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

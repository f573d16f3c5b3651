// StarCoder / StarCoderBase (HF gpt_bigcode): GPT-2's block with multi-query attention (fused
// qkv rows [Q (n_embd); K (head_dim); V (head_dim)]) and learned absolute positions.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& starcoder_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s = gpt2_architecture();
    s.name = "starcoder";
    s.hf.model_types = {"gpt_bigcode"};
    for (std::string_view& name : s.hf.names) {
      // GPTBigCode's layers are nn.Linear ([out][in]), named like GPT-2's.
      if (name.starts_with("transformer.")) name = name.substr(0, name.find('|'));
    }
    s.hf.transposed_linear = false;
    s.hf.keys.multi_query = "multi_query";
    s.hf.defaults.activation = "gelu_pytorch_tanh";
    s.hf.understood = {"inference_runner", "max_batch_size", "pad_key_length",
                       "pre_allocate_kv_cache"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

// Gemma: embeddings × sqrt(n_embd), GeGLU (tanh GELU), rotate_half RoPE, head width from
// key_length, output tied to the embedding. GGUF norms already hold 1 + w; Hugging Face
// checkpoints store w.
#include "model/arch_common.hpp"

LMC_BEGIN_NAMESPACE
namespace model {

const ArchitectureSpec& gemma_architecture() {
  static const ArchitectureSpec spec = [] {
    ArchitectureSpec s;
    s.name = "gemma";
    s.activation = nn::Activation::gelu_tanh;
    s.rope = RopeStyle::half_split;
    s.scale_embeddings = true;
    s.tensors = llama_block_tensors();
    s.hf.model_types = {"gemma"};
    s.hf.names = hf_llama_style_names();
    s.hf.norm_weight_offset = 1.0f;
    s.hf.keys.activation = "hidden_activation";  // GemmaMLP ignores hidden_act
    s.hf.defaults.activation = "gelu_pytorch_tanh";
    s.hf.defaults.eps = 1e-6;
    s.hf.defaults.tied = true;
    s.hf.flags = {{"attention_bias", {"false"}}};
    s.hf.understood = {"hidden_act"};
    return s;
  }();
  return spec;
}

}  // namespace model
LMC_END_NAMESPACE

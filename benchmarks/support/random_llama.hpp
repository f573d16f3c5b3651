// The random-weight llama the benchmarks measure (dim 768, 12 layers, 12 heads, ffn 2048,
// vocab 32000, context 2048: about 130M parameters), written once per weight type through
// lmc's GGUF writer into LMC_BENCH_DIR (default: the temp folder). Its tokenizer is Llama 2's
// SentencePiece vocabulary copied from the conformance data (vocab/ggml-vocab-llama-spm.gguf)
// when that is present, else a made-up SentencePiece vocabulary of the same size (specials,
// 256 byte tokens, every lowercase piece of one to three letters with and without the word
// marker), so that llama.cpp's tools load the same file.
#pragma once

#include <lmc/dtype.hpp>
#include <lmc/gguf.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lmc_bench {

inline constexpr std::int64_t llama_dim = 768, llama_layers = 12, llama_heads = 12,
                              llama_ffn = 2048, llama_vocab = 32000, llama_context = 2048;

/// The sizes of a llama (heads of dim / heads, as many KV heads as heads).
struct LlamaSizes {
  std::int64_t dim, layers, ffn, heads, vocab, context;
};
inline constexpr LlamaSizes llama130m{llama_dim,   llama_layers, llama_ffn,
                                      llama_heads, llama_vocab,  llama_context};

/// Sets general.architecture "llama", general.name `name` and the llama keys of `sizes`
/// (RMSNorm epsilon 1e-5, RoPE base 10000).
void set_llama_keys(lmc::GgufWriter& w, const std::string& name, const LlamaSizes& sizes);

/// One tensor of a random llama: where it stands, and how its values are drawn.
struct LlamaTensor {
  std::string name;                 // "token_embd.weight", "blk.3.attn_q.weight", ...
  std::vector<std::int64_t> shape;  // outermost first
  float sigma, mean;                // σ = 1/sqrt(fan-in) for matrices; norms 1 ± 0.1
  bool matrix;                      // false for the norms, which stay F32
  std::int64_t layer;               // the block, or -1 for the embedding, final norm and output
};

/// The tensors of a llama of `sizes` (no biases, an output matrix of its own), in file order.
std::vector<LlamaTensor> llama_tensors(const LlamaSizes& sizes);

/// Sets the tokenizer keys: Llama 2's vocabulary from the conformance data, or the made-up one
/// described above.
void set_llama_vocabulary(lmc::GgufWriter& w);

/// The folder benchmark models are kept in: LMC_BENCH_DIR, or the temp folder.
std::filesystem::path bench_dir();

/// The random llama with its matrices stored as `type` (f32, f16, bf16, q8_0, q6_k, or q4_k as
/// llama.cpp's Q4_K_M mix: attn_v and ffn_down of the layers llama.cpp gives more bits, and
/// output, in Q6_K; norms stay F32), written on first use (fixed seed, σ = 1/sqrt(fan-in)); every
/// type holds the same values before conversion. The K-quant blocks take plain min/max scales,
/// not llama.cpp's search: the benchmarks time them, the quality does not matter. Returns its
/// path (named …_Q4_K_M.gguf for q4_k).
std::filesystem::path random_llama(lmc::DType type);

/// Multiply-adds ×2 of the llama's matrices per token (attention not counted).
double random_llama_matrix_flops_per_token();

}  // namespace lmc_bench

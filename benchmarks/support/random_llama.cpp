#include "random_llama.hpp"

#include <lmc/gguf.hpp>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace lmc_bench {
namespace {

namespace fs = std::filesystem;

// A SentencePiece vocabulary llama.cpp and lmc both read: <unk>, <s>, </s>, byte tokens, then
// lowercase pieces (shorter pieces score higher, so merges prefer them as SentencePiece does).
void set_made_up_vocabulary(lmc::GgufWriter& w) {
  std::vector<std::string> tokens{"<unk>", "<s>", "</s>"};
  std::vector<std::int32_t> types{2, 3, 3};
  for (int b = 0; b < 256; ++b) {
    static const char* hex = "0123456789ABCDEF";
    tokens.push_back(std::string("<0x") + hex[b / 16] + hex[b % 16] + ">");
    types.push_back(6);
  }
  const std::string marker = "\xe2\x96\x81";  // U+2581, SentencePiece's word marker
  for (int length = 1; length <= 3 && tokens.size() < llama_vocab; ++length) {
    int count = 1;
    for (int i = 0; i < length; ++i) count *= 26;
    for (const bool word_start : {true, false}) {
      for (int n = 0; n < count && tokens.size() < llama_vocab; ++n) {
        std::string piece = word_start ? marker : "";
        for (int i = 0, v = n; i < length; ++i, v /= 26) piece += static_cast<char>('a' + v % 26);
        tokens.push_back(piece);
        types.push_back(1);
      }
    }
  }
  std::vector<float> scores(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) scores[i] = -static_cast<float>(i);
  w.set_string("tokenizer.ggml.model", "llama");
  w.set_strings("tokenizer.ggml.tokens", tokens);
  w.set_f32s("tokenizer.ggml.scores", scores);
  w.set_i32s("tokenizer.ggml.token_type", types);
  w.set_u32("tokenizer.ggml.unknown_token_id", 0);
  w.set_u32("tokenizer.ggml.bos_token_id", 1);
  w.set_u32("tokenizer.ggml.eos_token_id", 2);
}

}  // namespace

void set_llama_vocabulary(lmc::GgufWriter& w) {
  const fs::path llama2 = fs::path(LMC_TESTDATA_DIR) / "vocab/ggml-vocab-llama-spm.gguf";
  if (!fs::exists(llama2)) {
    set_made_up_vocabulary(w);
    return;
  }
  const lmc::GgufFile vocab = lmc::GgufFile::open(llama2);
  for (const std::string& key : vocab.metadata_keys()) {
    if (key.starts_with("tokenizer.")) w.set_value(*vocab.find(key));
  }
}

fs::path bench_dir() {
  const char* dir = std::getenv("LMC_BENCH_DIR");
  return dir != nullptr && *dir != '\0' ? fs::path(dir) : fs::temp_directory_path();
}

fs::path random_llama(lmc::DType type) {
  const fs::path path =
      bench_dir() / ("lmc_bench_llama130m_" + std::string(lmc::dtype_name(type)) + ".gguf");
  if (fs::exists(path)) return path;
  std::mt19937 rng(1234);
  lmc::GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", "lmc benchmark llama 130M (random)");
  w.set_u32("llama.embedding_length", llama_dim);
  w.set_u32("llama.block_count", llama_layers);
  w.set_u32("llama.feed_forward_length", llama_ffn);
  w.set_u32("llama.attention.head_count", llama_heads);
  w.set_u32("llama.attention.head_count_kv", llama_heads);
  w.set_u32("llama.context_length", llama_context);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_f32("llama.rope.freq_base", 10000.0f);
  set_llama_vocabulary(w);
  auto add = [&](const std::string& name, std::vector<std::int64_t> shape, float sigma, float mean,
                 bool matrix) {
    std::size_t n = 1;
    for (auto d : shape) n *= static_cast<std::size_t>(d);
    std::normal_distribution<float> normal(mean, sigma);
    std::vector<float> v(n);
    for (float& x : v) x = normal(rng);
    w.add_tensor_f32(name, shape, v, matrix ? type : lmc::DType::f32);
  };
  const float s = 1.0f / std::sqrt(static_cast<float>(llama_dim));
  const float s_down = 1.0f / std::sqrt(static_cast<float>(llama_ffn));
  add("token_embd.weight", {llama_vocab, llama_dim}, 1.0f, 0, true);
  for (std::int64_t l = 0; l < llama_layers; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    add(b + "attn_norm.weight", {llama_dim}, 0.1f, 1.0f, false);
    add(b + "attn_q.weight", {llama_dim, llama_dim}, s, 0, true);
    add(b + "attn_k.weight", {llama_dim, llama_dim}, s, 0, true);
    add(b + "attn_v.weight", {llama_dim, llama_dim}, s, 0, true);
    add(b + "attn_output.weight", {llama_dim, llama_dim}, s, 0, true);
    add(b + "ffn_norm.weight", {llama_dim}, 0.1f, 1.0f, false);
    add(b + "ffn_gate.weight", {llama_ffn, llama_dim}, s, 0, true);
    add(b + "ffn_up.weight", {llama_ffn, llama_dim}, s, 0, true);
    add(b + "ffn_down.weight", {llama_dim, llama_ffn}, s_down, 0, true);
  }
  add("output_norm.weight", {llama_dim}, 0.1f, 1.0f, false);
  add("output.weight", {llama_vocab, llama_dim}, s, 0, true);
  // Written under another name and renamed, so an interrupted run leaves no partial model.
  const fs::path partial = path.string() + ".partial";
  w.write(partial);
  fs::rename(partial, path);
  return path;
}

double random_llama_matrix_flops_per_token() {
  return 2.0 * static_cast<double>(llama_layers *
                                       (4 * llama_dim * llama_dim + 3 * llama_dim * llama_ffn) +
                                   llama_vocab * llama_dim);
}

}  // namespace lmc_bench

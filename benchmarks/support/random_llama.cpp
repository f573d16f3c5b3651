#include "random_llama.hpp"

#include "nn/weights.hpp"

#include <lmc/gguf.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace lmc_bench {
namespace {

namespace fs = std::filesystem;

// Q4_K and Q6_K blocks for the benchmark models: a plain min/max choice of scales (not ggml's
// search, whose quality the benchmarks do not need), in ggml's block layouts (as
// lib/format/quantization.cpp reads them), so that both lmc and llama.cpp load the files.
void put_half(std::uint8_t* p, float v) {
  const std::uint16_t h = lmc::nn::float_to_half(v);
  std::memcpy(p, &h, 2);
}

int clamp_round(float v, int low, int high) {
  const int r = static_cast<int>(std::nearbyint(v));
  return r < low ? low : r > high ? high : r;
}

void q6_k_block(const float* x, std::uint8_t* b) {
  float group_scale[16], max_scale = 0;
  for (int g = 0; g < 16; ++g) {
    float amax = 0;
    for (int i = 0; i < 16; ++i) amax = std::max(amax, std::fabs(x[16 * g + i]));
    group_scale[g] = amax / 31.0f;
    max_scale = std::max(max_scale, group_scale[g]);
  }
  const float d = lmc::nn::half_to_float(lmc::nn::float_to_half(max_scale / 127.0f));
  put_half(b + 208, d);
  std::uint8_t q[256];
  for (int g = 0; g < 16; ++g) {
    const int sc = d > 0 ? clamp_round(group_scale[g] / d, 0, 127) : 0;
    b[192 + g] = static_cast<std::uint8_t>(sc);
    const float step = d * static_cast<float>(sc);
    for (int i = 0; i < 16; ++i) {
      q[16 * g + i] = static_cast<std::uint8_t>(
          step > 0 ? clamp_round(x[16 * g + i] / step, -32, 31) + 32 : 32);
    }
  }
  std::memset(b, 0, 192);
  for (int h = 0; h < 2; ++h) {
    std::uint8_t* ql = b + 64 * h;
    std::uint8_t* qh = b + 128 + 32 * h;
    const std::uint8_t* v = q + 128 * h;
    for (int l = 0; l < 32; ++l) {
      ql[l] = static_cast<std::uint8_t>((v[l] & 15) | ((v[l + 64] & 15) << 4));
      ql[l + 32] = static_cast<std::uint8_t>((v[l + 32] & 15) | ((v[l + 96] & 15) << 4));
      qh[l] = static_cast<std::uint8_t>((v[l] >> 4) | ((v[l + 32] >> 4) << 2) |
                                        ((v[l + 64] >> 4) << 4) | ((v[l + 96] >> 4) << 6));
    }
  }
}

void q4_k_block(const float* x, std::uint8_t* b) {
  float scale[8], min[8], max_scale = 0, max_min = 0;
  for (int j = 0; j < 8; ++j) {
    float low = 0, high = 0;
    for (int i = 0; i < 32; ++i) {
      low = std::min(low, x[32 * j + i]);
      high = std::max(high, x[32 * j + i]);
    }
    scale[j] = (high - low) / 15.0f;
    min[j] = -low;
    max_scale = std::max(max_scale, scale[j]);
    max_min = std::max(max_min, min[j]);
  }
  const float d = lmc::nn::half_to_float(lmc::nn::float_to_half(max_scale / 63.0f));
  const float dmin = lmc::nn::half_to_float(lmc::nn::float_to_half(max_min / 63.0f));
  put_half(b, d);
  put_half(b + 2, dmin);
  int sc[8], mn[8];
  for (int j = 0; j < 8; ++j) {
    sc[j] = d > 0 ? clamp_round(scale[j] / d, 0, 63) : 0;
    mn[j] = dmin > 0 ? clamp_round(min[j] / dmin, 0, 63) : 0;
  }
  std::uint8_t* packed = b + 4;
  for (int j = 0; j < 4; ++j) {
    packed[j] = static_cast<std::uint8_t>((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
    packed[j + 4] = static_cast<std::uint8_t>((mn[j] & 63) | ((mn[j + 4] >> 4) << 6));
    packed[j + 8] = static_cast<std::uint8_t>((sc[j + 4] & 15) | ((mn[j + 4] & 15) << 4));
  }
  std::uint8_t* qs = b + 16;
  for (int g = 0; g < 4; ++g) {
    for (int l = 0; l < 32; ++l) {
      int q[2];
      for (int half = 0; half < 2; ++half) {
        const int j = 2 * g + half;
        const float step = d * static_cast<float>(sc[j]);
        const float v = x[64 * g + 32 * half + l] + dmin * static_cast<float>(mn[j]);
        q[half] = step > 0 ? clamp_round(v / step, 0, 15) : 0;
      }
      qs[32 * g + l] = static_cast<std::uint8_t>(q[0] | (q[1] << 4));
    }
  }
}

// Rows of `values` (rows of 256-multiples) as Q4_K or Q6_K blocks.
std::vector<std::byte> k_quantize(lmc::DType type, const std::vector<float>& values) {
  const std::size_t block_bytes = type == lmc::DType::q4_k ? 144 : 210;
  std::vector<std::byte> out(values.size() / 256 * block_bytes);
  for (std::size_t b = 0; b < values.size() / 256; ++b) {
    auto* block = reinterpret_cast<std::uint8_t*>(out.data() + b * block_bytes);
    if (type == lmc::DType::q4_k) {
      q4_k_block(values.data() + 256 * b, block);
    } else {
      q6_k_block(values.data() + 256 * b, block);
    }
  }
  return out;
}

// llama.cpp's use_more_bits: the layers whose attn_v and ffn_down Q4_K_M keeps in Q6_K.
bool more_bits(std::int64_t layer, std::int64_t layers) {
  return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
}

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

void set_llama_keys(lmc::GgufWriter& w, const std::string& name, const LlamaSizes& sizes) {
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", name);
  w.set_u32("llama.embedding_length", static_cast<std::uint32_t>(sizes.dim));
  w.set_u32("llama.block_count", static_cast<std::uint32_t>(sizes.layers));
  w.set_u32("llama.feed_forward_length", static_cast<std::uint32_t>(sizes.ffn));
  w.set_u32("llama.attention.head_count", static_cast<std::uint32_t>(sizes.heads));
  w.set_u32("llama.attention.head_count_kv", static_cast<std::uint32_t>(sizes.heads));
  w.set_u32("llama.context_length", static_cast<std::uint32_t>(sizes.context));
  w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_f32("llama.rope.freq_base", 10000.0f);
}

std::vector<LlamaTensor> llama_tensors(const LlamaSizes& sizes) {
  const std::int64_t dim = sizes.dim, layers = sizes.layers, ffn = sizes.ffn, vocab = sizes.vocab;
  const float s = 1.0f / std::sqrt(static_cast<float>(dim));
  const float s_down = 1.0f / std::sqrt(static_cast<float>(ffn));
  std::vector<LlamaTensor> out;
  out.push_back({"token_embd.weight", {vocab, dim}, 1.0f, 0, true, -1});
  for (std::int64_t l = 0; l < layers; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    out.push_back({b + "attn_norm.weight", {dim}, 0.1f, 1.0f, false, l});
    out.push_back({b + "attn_q.weight", {dim, dim}, s, 0, true, l});
    out.push_back({b + "attn_k.weight", {dim, dim}, s, 0, true, l});
    out.push_back({b + "attn_v.weight", {dim, dim}, s, 0, true, l});
    out.push_back({b + "attn_output.weight", {dim, dim}, s, 0, true, l});
    out.push_back({b + "ffn_norm.weight", {dim}, 0.1f, 1.0f, false, l});
    out.push_back({b + "ffn_gate.weight", {ffn, dim}, s, 0, true, l});
    out.push_back({b + "ffn_up.weight", {ffn, dim}, s, 0, true, l});
    out.push_back({b + "ffn_down.weight", {dim, ffn}, s_down, 0, true, l});
  }
  out.push_back({"output_norm.weight", {dim}, 0.1f, 1.0f, false, -1});
  out.push_back({"output.weight", {vocab, dim}, s, 0, true, -1});
  return out;
}

fs::path random_llama(lmc::DType type) {
  const std::string type_name =
      type == lmc::DType::q4_k ? std::string("Q4_K_M") : std::string(lmc::dtype_name(type));
  const fs::path path = bench_dir() / ("lmc_bench_llama130m_" + type_name + ".gguf");
  if (fs::exists(path)) return path;
  std::mt19937 rng(1234);
  lmc::GgufWriter w;
  set_llama_keys(w, "lmc benchmark llama 130M (random)", llama130m);
  set_llama_vocabulary(w);
  for (const LlamaTensor& t : llama_tensors(llama130m)) {
    std::size_t n = 1;
    for (auto d : t.shape) n *= static_cast<std::size_t>(d);
    std::normal_distribution<float> normal(t.mean, t.sigma);
    std::vector<float> v(n);
    for (float& x : v) x = normal(rng);
    lmc::DType store = t.matrix ? type : lmc::DType::f32;
    if (store == lmc::DType::q4_k &&
        (t.name == "output.weight" ||
         ((t.name.ends_with("attn_v.weight") || t.name.ends_with("ffn_down.weight")) &&
          more_bits(t.layer, llama_layers)))) {
      store = lmc::DType::q6_k;
    }
    if (store == lmc::DType::q4_k || store == lmc::DType::q6_k) {
      w.add_tensor(t.name, store, t.shape, k_quantize(store, v));
    } else {
      w.add_tensor_f32(t.name, t.shape, v, store);
    }
  }
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

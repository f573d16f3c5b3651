// Small random-weight models written by the tests through lmc's own writers, in the two
// layouts lmc reads: GGUF as llama.cpp's converter writes it, and a Hugging Face folder as
// transformers saves it (config.json + model.safetensors). The conventions that differ
// (llama's permuted q/k rows, GPT-2's transposed Conv1D matrices, Gemma's 1 + w norms) are
// written out here from the public converters' documented behaviour, independently of lib/model.
#pragma once

#include <lmc/gguf.hpp>
#include <lmc/safetensors.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace lmc_test {

struct TinySizes {
  std::int64_t vocab = 64, embd = 32, layers = 2, heads = 4, kv_heads = 2, ffn = 64, head_dim = 8;
};

/// One tensor in both layouts. `values` are row-major in HF's orientation and conventions.
struct TinyTensor {
  std::string gguf_name, hf_name;
  std::vector<std::int64_t> shape;  // HF shape (outermost first)
  std::vector<float> values;
  enum class Convention {
    plain,
    llama_rope_rows,
    conv1d,
    gemma_norm
  } convention = Convention::plain;
  std::int64_t rope_heads = 0;  // for llama_rope_rows
};

struct TinyModel {
  std::string arch;  // GGUF general.architecture
  TinySizes sizes;
  std::vector<TinyTensor> tensors;
  std::map<std::string, double> gguf_numbers;  // "<arch>.key" → value (written as u32 or f32)
  std::string hf_config_json;
};

inline std::vector<float> random_values(std::mt19937& rng, std::size_t n, float sigma,
                                        float mean = 0.0f) {
  std::normal_distribution<float> normal(mean, sigma);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

/// llama.cpp's convert_hf_to_gguf permutes q/k rows so that RoPE can rotate adjacent pairs:
/// within each head, HF row (half·hd/2 + i) becomes GGUF row (2i + half).
inline std::vector<float> permute_rope_rows(const std::vector<float>& hf, std::int64_t rows,
                                            std::int64_t cols, std::int64_t heads) {
  std::vector<float> out(hf.size());
  const std::int64_t hd = rows / heads;
  for (std::int64_t h = 0; h < heads; ++h) {
    for (std::int64_t i = 0; i < hd / 2; ++i) {
      for (std::int64_t half = 0; half < 2; ++half) {
        const std::int64_t from = h * hd + half * (hd / 2) + i, to = h * hd + 2 * i + half;
        std::copy_n(hf.begin() + from * cols, cols, out.begin() + to * cols);
      }
    }
  }
  return out;
}

inline void write_gguf(const TinyModel& m, const std::filesystem::path& path,
                       lmc::DType store_as = lmc::DType::f32,
                       const std::function<void(lmc::GgufWriter&)>& tweak = {}) {
  lmc::GgufWriter writer;
  writer.set_string("general.architecture", m.arch);
  writer.set_string("general.name", "lmc test model");
  for (const auto& [key, value] : m.gguf_numbers) {
    if (key.find("epsilon") != std::string::npos || key.find("freq_base") != std::string::npos ||
        key.find("softcapping") != std::string::npos) {
      writer.set_f32(key, static_cast<float>(value));
    } else {
      writer.set_u32(key, static_cast<std::uint32_t>(value));
    }
  }
  for (const TinyTensor& t : m.tensors) {
    std::vector<float> values = t.values;
    std::vector<std::int64_t> shape = t.shape;
    switch (t.convention) {
      case TinyTensor::Convention::plain: break;
      case TinyTensor::Convention::llama_rope_rows:
        values = permute_rope_rows(t.values, t.shape[0], t.shape[1], t.rope_heads);
        break;
      case TinyTensor::Convention::conv1d: {
        // HF Conv1D stores [in][out]; GGUF stores the [out][in] matrix.
        const std::int64_t in = t.shape[0], out = t.shape[1];
        for (std::int64_t r = 0; r < in; ++r) {
          for (std::int64_t c = 0; c < out; ++c) values[c * in + r] = t.values[r * out + c];
        }
        shape = {out, in};
        break;
      }
      case TinyTensor::Convention::gemma_norm:
        for (float& v : values) v += 1.0f;  // the converter folds Gemma's 1 + w
        break;
    }
    const bool matrix = shape.size() >= 2;
    writer.add_tensor_f32(t.gguf_name, shape, values, matrix ? store_as : lmc::DType::f32);
  }
  if (tweak) tweak(writer);
  writer.write(path);
}

inline void write_hf_folder(const TinyModel& m, const std::filesystem::path& folder) {
  std::filesystem::create_directories(folder);
  lmc::SafetensorsWriter writer;
  for (const TinyTensor& t : m.tensors) {
    if (!t.hf_name.empty()) writer.add_tensor_f32(t.hf_name, t.shape, t.values);
  }
  writer.write(folder / "model.safetensors");
  std::ofstream(folder / "config.json") << m.hf_config_json;
}

/// A llama-family model in the given family's conventions. `family`: llama, qwen2, gemma, gpt2.
inline TinyModel make_tiny_model(const std::string& family, std::uint32_t seed) {
  std::mt19937 rng(seed);
  TinyModel m;
  m.arch = family;
  TinySizes& s = m.sizes;
  if (family == "gpt2") s.kv_heads = s.heads;
  if (family == "gemma") s.head_dim = 12;  // ≠ embd / heads, as Gemma allows
  const std::int64_t e = s.embd, q = s.heads * s.head_dim, kv = s.kv_heads * s.head_dim;
  const float w_sigma = 1.0f / std::sqrt(static_cast<float>(e));
  auto add = [&](std::string gguf, std::string hf, std::vector<std::int64_t> shape, float sigma,
                 float mean = 0.0f,
                 TinyTensor::Convention convention = TinyTensor::Convention::plain,
                 std::int64_t rope_heads = 0) {
    std::size_t n = 1;
    for (auto d : shape) n *= static_cast<std::size_t>(d);
    m.tensors.push_back({std::move(gguf), std::move(hf), std::move(shape),
                         random_values(rng, n, sigma, mean), convention, rope_heads});
  };
  const std::string a = family + ".";
  if (family == "gpt2") {
    add("token_embd.weight", "transformer.wte.weight", {s.vocab, e}, 1.0f);
    add("position_embd.weight", "transformer.wpe.weight", {64, e}, 0.5f);
    for (std::int64_t l = 0; l < s.layers; ++l) {
      const std::string g = "blk." + std::to_string(l) + ".",
                        h = "transformer.h." + std::to_string(l) + ".";
      add(g + "attn_norm.weight", h + "ln_1.weight", {e}, 0.1f, 1.0f);
      add(g + "attn_norm.bias", h + "ln_1.bias", {e}, 0.05f);
      add(g + "attn_qkv.weight", h + "attn.c_attn.weight", {e, 3 * e}, w_sigma, 0,
          TinyTensor::Convention::conv1d);
      add(g + "attn_qkv.bias", h + "attn.c_attn.bias", {3 * e}, 0.05f);
      add(g + "attn_output.weight", h + "attn.c_proj.weight", {e, e}, w_sigma, 0,
          TinyTensor::Convention::conv1d);
      add(g + "attn_output.bias", h + "attn.c_proj.bias", {e}, 0.05f);
      add(g + "ffn_norm.weight", h + "ln_2.weight", {e}, 0.1f, 1.0f);
      add(g + "ffn_norm.bias", h + "ln_2.bias", {e}, 0.05f);
      add(g + "ffn_up.weight", h + "mlp.c_fc.weight", {e, s.ffn}, w_sigma, 0,
          TinyTensor::Convention::conv1d);
      add(g + "ffn_up.bias", h + "mlp.c_fc.bias", {s.ffn}, 0.05f);
      add(g + "ffn_down.weight", h + "mlp.c_proj.weight", {s.ffn, e},
          1.0f / std::sqrt(float(s.ffn)), 0, TinyTensor::Convention::conv1d);
      add(g + "ffn_down.bias", h + "mlp.c_proj.bias", {e}, 0.05f);
    }
    add("output_norm.weight", "transformer.ln_f.weight", {e}, 0.1f, 1.0f);
    add("output_norm.bias", "transformer.ln_f.bias", {e}, 0.05f);
    m.gguf_numbers = {
        {a + "embedding_length", e},        {a + "block_count", s.layers},
        {a + "feed_forward_length", s.ffn}, {a + "attention.head_count", s.heads},
        {a + "context_length", 64},         {a + "attention.layer_norm_epsilon", 1e-5}};
    m.hf_config_json =
        R"({"model_type": "gpt2", "n_embd": 32, "n_layer": 2, "n_head": 4, "n_inner": 64,
      "n_positions": 64, "vocab_size": 64, "layer_norm_epsilon": 1e-05})";
    return m;
  }
  const bool gemma = family == "gemma";
  const auto norm_convention =
      gemma ? TinyTensor::Convention::gemma_norm : TinyTensor::Convention::plain;
  const float norm_mean = gemma ? 0.0f : 1.0f;
  const auto rope_rows =
      family == "llama" ? TinyTensor::Convention::llama_rope_rows : TinyTensor::Convention::plain;
  add("token_embd.weight", "model.embed_tokens.weight", {s.vocab, e},
      gemma ? w_sigma * 2.5f : 1.0f);
  for (std::int64_t l = 0; l < s.layers; ++l) {
    const std::string g = "blk." + std::to_string(l) + ".",
                      h = "model.layers." + std::to_string(l) + ".";
    add(g + "attn_norm.weight", h + "input_layernorm.weight", {e}, 0.1f, norm_mean,
        norm_convention);
    add(g + "attn_q.weight", h + "self_attn.q_proj.weight", {q, e}, 1.2f * w_sigma, 0, rope_rows,
        s.heads);
    add(g + "attn_k.weight", h + "self_attn.k_proj.weight", {kv, e}, 1.2f * w_sigma, 0, rope_rows,
        s.kv_heads);
    add(g + "attn_v.weight", h + "self_attn.v_proj.weight", {kv, e}, w_sigma);
    if (family == "qwen2") {
      add(g + "attn_q.bias", h + "self_attn.q_proj.bias", {q}, 0.05f);
      add(g + "attn_k.bias", h + "self_attn.k_proj.bias", {kv}, 0.05f);
      add(g + "attn_v.bias", h + "self_attn.v_proj.bias", {kv}, 0.05f);
    }
    add(g + "attn_output.weight", h + "self_attn.o_proj.weight", {e, q},
        2.0f / std::sqrt(float(q)));
    add(g + "ffn_norm.weight", h + "post_attention_layernorm.weight", {e}, 0.1f, norm_mean,
        norm_convention);
    add(g + "ffn_gate.weight", h + "mlp.gate_proj.weight", {s.ffn, e}, w_sigma);
    add(g + "ffn_up.weight", h + "mlp.up_proj.weight", {s.ffn, e}, w_sigma);
    add(g + "ffn_down.weight", h + "mlp.down_proj.weight", {e, s.ffn},
        2.0f / std::sqrt(float(s.ffn)));
  }
  add("output_norm.weight", "model.norm.weight", {e}, 0.1f, norm_mean, norm_convention);
  if (!gemma) add("output.weight", "lm_head.weight", {s.vocab, e}, 2.5f * w_sigma);
  m.gguf_numbers = {{a + "embedding_length", e},
                    {a + "block_count", s.layers},
                    {a + "feed_forward_length", s.ffn},
                    {a + "attention.head_count", s.heads},
                    {a + "attention.head_count_kv", s.kv_heads},
                    {a + "context_length", 64},
                    {a + "attention.layer_norm_rms_epsilon", 1e-5},
                    {a + "rope.freq_base", 10000.0}};
  if (gemma) {
    m.gguf_numbers[a + "attention.key_length"] = s.head_dim;
    m.gguf_numbers[a + "attention.value_length"] = s.head_dim;
  }
  m.hf_config_json =
      "{\"model_type\": \"" + family + R"(", "hidden_size": 32, "num_hidden_layers": 2,
    "intermediate_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": )" +
      std::to_string(s.head_dim) + R"(, "max_position_embeddings": 64, "vocab_size": 64,
    "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "tie_word_embeddings": )" +
      (gemma ? "true" : "false") + "}";
  return m;
}

}  // namespace lmc_test

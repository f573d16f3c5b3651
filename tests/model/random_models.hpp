// Small random-weight models written by the tests through lmc's own writers, in
// the two layouts lmc reads: GGUF as llama.cpp's converter writes it, and a
// Hugging Face folder as transformers saves it (config.json +
// model.safetensors). The conventions that differ (llama's permuted q/k rows,
// GPT-2's transposed Conv1D matrices, Gemma's 1 + w norms) are written out here
// from the public converters' documented behaviour, independently of lib/model.
#pragma once

#include <lmc/gguf.hpp>
#include <lmc/safetensors.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace lmc_test {

struct TinySizes {
  std::int64_t vocab = 64, embd = 32, layers = 2, heads = 4, kv_heads = 2, ffn = 64, head_dim = 8;
};

/// One tensor in both layouts. `values` are row-major in HF's orientation and
/// conventions. An empty gguf_name or hf_name: the tensor exists in one layout
/// only (fused or split differently in the other, or a constant such as
/// rope_freqs).
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
  std::map<std::string, std::string> gguf_strings;
  /// config.json: key → JSON value as written ("4", "\"llama\"", "{...}").
  std::map<std::string, std::string> hf_config;
  /// ModelOptions::context to load both layouts with (0: the model's own).
  std::size_t context = 0;

  std::string hf_config_json() const {
    std::string json = "{";
    for (const auto& [key, value] : hf_config) {
      json += (json.size() > 1 ? ",\n  \"" : "\n  \"") + key + "\": " + value;
    }
    return json + "\n}\n";
  }
};

inline std::vector<float> random_values(std::mt19937& rng, std::size_t n, float sigma,
                                        float mean = 0.0f) {
  std::normal_distribution<float> normal(mean, sigma);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

/// llama.cpp's convert_hf_to_gguf permutes q/k rows so that RoPE can rotate
/// adjacent pairs: within each head, HF row (half·hd/2 + i) becomes GGUF row
/// (2i + half).
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
        key.find("softcapping") != std::string::npos || key.find("factor") != std::string::npos ||
        key.ends_with("_scale") || key.find("multiplier") != std::string::npos) {
      writer.set_f32(key, static_cast<float>(value));
    } else {
      writer.set_u32(key, static_cast<std::uint32_t>(value));
    }
  }
  for (const auto& [key, value] : m.gguf_strings) writer.set_string(key, value);
  for (const TinyTensor& t : m.tensors) {
    if (t.gguf_name.empty()) continue;
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
  std::ofstream(folder / "config.json") << m.hf_config_json();
}

// The builders. Each draws its weights in Hugging Face's layout (as
// transformers' model code names and shapes them) and adds each tensor in both
// layouts, converting where llama.cpp's converter does.
class TinyBuilder {
 public:
  TinyBuilder(TinyModel& m, std::uint32_t seed) : m_(m), rng_(seed) {}

  std::vector<float> draw(std::size_t n, float sigma, float mean = 0.0f) {
    return random_values(rng_, n, sigma, mean);
  }
  static std::size_t count(const std::vector<std::int64_t>& shape) {
    std::size_t n = 1;
    for (auto d : shape) n *= static_cast<std::size_t>(d);
    return n;
  }
  // The same tensor in both layouts.
  TinyTensor& add(std::string gguf, std::string hf, std::vector<std::int64_t> shape, float sigma,
                  float mean = 0.0f,
                  TinyTensor::Convention convention = TinyTensor::Convention::plain,
                  std::int64_t rope_heads = 0) {
    std::vector<float> values = draw(count(shape), sigma, mean);
    m_.tensors.push_back({std::move(gguf), std::move(hf), std::move(shape), std::move(values),
                          convention, rope_heads});
    return m_.tensors.back();
  }
  // A tensor of one layout only, with given values.
  void add_values(std::string gguf, std::string hf, std::vector<std::int64_t> shape,
                  std::vector<float> values) {
    m_.tensors.push_back({std::move(gguf), std::move(hf), std::move(shape), std::move(values),
                          TinyTensor::Convention::plain, 0});
  }

 private:
  TinyModel& m_;
  std::mt19937 rng_;
};

inline std::string json_number(double v) {
  std::ostringstream out;
  out.precision(17);
  out << v;
  std::string s = out.str();
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

using NumberKeys = std::initializer_list<std::pair<std::string, double>>;
using ConfigKeys = std::initializer_list<std::pair<std::string, std::string>>;

/// m.gguf_numbers: under "<m.arch>.", the sizes every family writes (embedding_length,
/// block_count, feed_forward_length, attention.head_count, context_length 64), then `more`
/// (keys without the prefix; a size given again overrides).
inline void set_gguf_numbers(TinyModel& m, NumberKeys more) {
  const TinySizes& s = m.sizes;
  const std::string a = m.arch + ".";
  m.gguf_numbers = {{a + "embedding_length", s.embd},
                    {a + "block_count", s.layers},
                    {a + "feed_forward_length", s.ffn},
                    {a + "attention.head_count", s.heads},
                    {a + "context_length", 64}};
  for (const auto& [key, value] : more) m.gguf_numbers[a + key] = value;
}

/// m.hf_config: model_type, the sizes transformers' configs share (hidden_size,
/// num_hidden_layers, num_attention_heads, max_position_embeddings 64, vocab_size), then
/// `more` (JSON values as written; a size given again overrides).
inline void set_hf_config(TinyModel& m, const std::string& model_type, ConfigKeys more) {
  const TinySizes& s = m.sizes;
  m.hf_config = {{"model_type", "\"" + model_type + "\""},
                 {"hidden_size", std::to_string(s.embd)},
                 {"num_hidden_layers", std::to_string(s.layers)},
                 {"num_attention_heads", std::to_string(s.heads)},
                 {"max_position_embeddings", "64"},
                 {"vocab_size", std::to_string(s.vocab)}};
  for (const auto& [key, value] : more) m.hf_config[key] = value;
}

// LlamaForCausalLM and the models that copy its layout: model.embed_tokens,
// model.layers.N.{input_layernorm, self_attn.{q,k,v,o}_proj,
// post_attention_layernorm, mlp.{gate,up,down}_proj}, model.norm, lm_head.
struct LlamaStyle {
  std::string model_type;
  bool permute_qk = false;    // llama.cpp's llama converter permutes q/k rows
  bool qkv_bias = false;      // qwen2
  bool gemma_norms = false;   // stored w, computed with 1 + w; GGUF holds 1 + w
  bool tied = false;          // no lm_head, logits from the embedding
  bool layer_norm = false;    // stablelm, starcoder2: LayerNorm with biases
  bool all_biases = false;    // starcoder2: biases on q/k/v/o and the MLP
  bool plain_mlp = false;     // starcoder2: mlp.c_fc / mlp.c_proj with GELU
  bool fused_phi3 = false;    // phi3: self_attn.qkv_proj, mlp.gate_up_proj
  bool gemma2_norms = false;  // gemma2: pre/post feed-forward and post-attention norms
  bool qk_norms = false;      // gemma3: self_attn.q_norm / k_norm, one weight per head width
  std::int64_t head_dim = 8;
  /// Mixtral: a sparse mixture of `experts` (block_sparse_moe) in place of the MLP.
  std::int64_t experts = 0, experts_used = 0;
};

inline void build_llama_style(TinyModel& m, const LlamaStyle& style, std::uint32_t seed) {
  TinyBuilder b(m, seed);
  TinySizes& s = m.sizes;
  s.head_dim = style.head_dim;
  const std::int64_t e = s.embd, q = s.heads * s.head_dim, kv = s.kv_heads * s.head_dim;
  const float w_sigma = 1.0f / std::sqrt(static_cast<float>(e));
  const auto norm_convention =
      style.gemma_norms ? TinyTensor::Convention::gemma_norm : TinyTensor::Convention::plain;
  const float norm_mean = style.gemma_norms ? 0.0f : 1.0f;
  const auto rope_rows =
      style.permute_qk ? TinyTensor::Convention::llama_rope_rows : TinyTensor::Convention::plain;
  auto norm = [&](const std::string& g, const std::string& h) {
    b.add(g + ".weight", h + ".weight", {e}, 0.1f, norm_mean, norm_convention);
    if (style.layer_norm) b.add(g + ".bias", h + ".bias", {e}, 0.05f);
  };
  b.add("token_embd.weight", "model.embed_tokens.weight", {s.vocab, e},
        style.tied ? w_sigma * 2.5f : 1.0f);
  for (std::int64_t l = 0; l < s.layers; ++l) {
    const std::string g = "blk." + std::to_string(l) + ".",
                      h = "model.layers." + std::to_string(l) + ".";
    norm(g + "attn_norm", h + "input_layernorm");
    if (style.fused_phi3) {
      b.add(g + "attn_qkv.weight", h + "self_attn.qkv_proj.weight", {q + 2 * kv, e},
            1.2f * w_sigma);
    } else {
      b.add(g + "attn_q.weight", h + "self_attn.q_proj.weight", {q, e}, 1.2f * w_sigma, 0,
            rope_rows, s.heads);
      b.add(g + "attn_k.weight", h + "self_attn.k_proj.weight", {kv, e}, 1.2f * w_sigma, 0,
            rope_rows, s.kv_heads);
      b.add(g + "attn_v.weight", h + "self_attn.v_proj.weight", {kv, e}, w_sigma);
    }
    if (style.qk_norms) {
      b.add(g + "attn_q_norm.weight", h + "self_attn.q_norm.weight", {s.head_dim}, 0.1f, norm_mean,
            norm_convention);
      b.add(g + "attn_k_norm.weight", h + "self_attn.k_norm.weight", {s.head_dim}, 0.1f, norm_mean,
            norm_convention);
    }
    if (style.qkv_bias || style.all_biases) {
      b.add(g + "attn_q.bias", h + "self_attn.q_proj.bias", {q}, 0.05f);
      b.add(g + "attn_k.bias", h + "self_attn.k_proj.bias", {kv}, 0.05f);
      b.add(g + "attn_v.bias", h + "self_attn.v_proj.bias", {kv}, 0.05f);
    }
    b.add(g + "attn_output.weight", h + "self_attn.o_proj.weight", {e, q},
          2.0f / std::sqrt(float(q)));
    if (style.all_biases) b.add(g + "attn_output.bias", h + "self_attn.o_proj.bias", {e}, 0.05f);
    if (style.gemma2_norms) {
      norm(g + "post_attention_norm", h + "post_attention_layernorm");
      norm(g + "ffn_norm", h + "pre_feedforward_layernorm");
    } else {
      norm(g + "ffn_norm", h + "post_attention_layernorm");
    }
    if (style.plain_mlp) {
      b.add(g + "ffn_up.weight", h + "mlp.c_fc.weight", {s.ffn, e}, w_sigma);
      b.add(g + "ffn_up.bias", h + "mlp.c_fc.bias", {s.ffn}, 0.05f);
      b.add(g + "ffn_down.weight", h + "mlp.c_proj.weight", {e, s.ffn},
            2.0f / std::sqrt(float(s.ffn)));
      b.add(g + "ffn_down.bias", h + "mlp.c_proj.bias", {e}, 0.05f);
    } else if (style.fused_phi3) {
      b.add(g + "ffn_up.weight", h + "mlp.gate_up_proj.weight", {2 * s.ffn, e}, w_sigma);
      b.add(g + "ffn_down.weight", h + "mlp.down_proj.weight", {e, s.ffn},
            2.0f / std::sqrt(float(s.ffn)));
    } else if (style.experts > 0) {
      // MixtralSparseMoeBlock: a router `gate` and per expert w1 (gate), w3 (up), w2 (down);
      // llama.cpp's converter stacks each kind into one [experts][rows][cols] tensor.
      const std::string moe = h + "block_sparse_moe.";
      b.add(g + "ffn_gate_inp.weight", moe + "gate.weight", {style.experts, e}, 2.0f * w_sigma);
      const std::pair<const char*, const char*> kinds[] = {
          {"ffn_gate_exps", "w1"}, {"ffn_up_exps", "w3"}, {"ffn_down_exps", "w2"}};
      for (const auto& [gguf_kind, hf_kind] : kinds) {
        const bool down = std::string(hf_kind) == "w2";
        const std::int64_t rows = down ? e : s.ffn, cols = down ? s.ffn : e;
        const float sigma = down ? 2.0f / std::sqrt(float(s.ffn)) : w_sigma;
        std::vector<float> stacked;
        for (std::int64_t x = 0; x < style.experts; ++x) {
          const std::vector<float> one = b.draw(static_cast<std::size_t>(rows * cols), sigma);
          b.add_values("", moe + "experts." + std::to_string(x) + "." + hf_kind + ".weight",
                       {rows, cols}, one);
          stacked.insert(stacked.end(), one.begin(), one.end());
        }
        b.add_values(g + gguf_kind + ".weight", "", {style.experts, rows, cols}, stacked);
      }
    } else {
      b.add(g + "ffn_gate.weight", h + "mlp.gate_proj.weight", {s.ffn, e}, w_sigma);
      b.add(g + "ffn_up.weight", h + "mlp.up_proj.weight", {s.ffn, e}, w_sigma);
      b.add(g + "ffn_down.weight", h + "mlp.down_proj.weight", {e, s.ffn},
            2.0f / std::sqrt(float(s.ffn)));
    }
    if (style.gemma2_norms) norm(g + "post_ffw_norm", h + "post_feedforward_layernorm");
  }
  norm("output_norm", "model.norm");
  if (!style.tied) b.add("output.weight", "lm_head.weight", {s.vocab, e}, 2.5f * w_sigma);
  const std::string a = m.arch + ".";
  set_gguf_numbers(
      m, {{"attention.head_count_kv", s.kv_heads},
          {"rope.freq_base", 10000.0},
          {style.layer_norm ? "attention.layer_norm_epsilon" : "attention.layer_norm_rms_epsilon",
           1e-5}});
  if (s.head_dim * s.heads != e) {
    m.gguf_numbers[a + "attention.key_length"] = s.head_dim;
    m.gguf_numbers[a + "attention.value_length"] = s.head_dim;
  }
  set_hf_config(m, style.model_type,
                {{"intermediate_size", std::to_string(s.ffn)},
                 {"num_key_value_heads", std::to_string(s.kv_heads)},
                 {"head_dim", std::to_string(s.head_dim)},
                 {style.layer_norm ? "layer_norm_eps" : "rms_norm_eps", "1e-05"},
                 {"rope_theta", "10000.0"},
                 {"tie_word_embeddings", style.tied ? "true" : "false"}});
  if (style.experts > 0) {
    m.gguf_numbers[a + "expert_count"] = style.experts;
    m.gguf_numbers[a + "expert_used_count"] = style.experts_used;
    m.hf_config["num_local_experts"] = std::to_string(style.experts);
    m.hf_config["num_experts_per_tok"] = std::to_string(style.experts_used);
  }
}

inline void build_gpt2(TinyModel& m, std::uint32_t seed) {
  TinyBuilder b(m, seed);
  TinySizes& s = m.sizes;
  s.kv_heads = s.heads;
  const std::int64_t e = s.embd;
  const float w_sigma = 1.0f / std::sqrt(static_cast<float>(e));
  const auto conv1d = TinyTensor::Convention::conv1d;
  b.add("token_embd.weight", "transformer.wte.weight", {s.vocab, e}, 1.0f);
  b.add("position_embd.weight", "transformer.wpe.weight", {64, e}, 0.5f);
  for (std::int64_t l = 0; l < s.layers; ++l) {
    const std::string g = "blk." + std::to_string(l) + ".",
                      h = "transformer.h." + std::to_string(l) + ".";
    b.add(g + "attn_norm.weight", h + "ln_1.weight", {e}, 0.1f, 1.0f);
    b.add(g + "attn_norm.bias", h + "ln_1.bias", {e}, 0.05f);
    b.add(g + "attn_qkv.weight", h + "attn.c_attn.weight", {e, 3 * e}, w_sigma, 0, conv1d);
    b.add(g + "attn_qkv.bias", h + "attn.c_attn.bias", {3 * e}, 0.05f);
    b.add(g + "attn_output.weight", h + "attn.c_proj.weight", {e, e}, w_sigma, 0, conv1d);
    b.add(g + "attn_output.bias", h + "attn.c_proj.bias", {e}, 0.05f);
    b.add(g + "ffn_norm.weight", h + "ln_2.weight", {e}, 0.1f, 1.0f);
    b.add(g + "ffn_norm.bias", h + "ln_2.bias", {e}, 0.05f);
    b.add(g + "ffn_up.weight", h + "mlp.c_fc.weight", {e, s.ffn}, w_sigma, 0, conv1d);
    b.add(g + "ffn_up.bias", h + "mlp.c_fc.bias", {s.ffn}, 0.05f);
    b.add(g + "ffn_down.weight", h + "mlp.c_proj.weight", {s.ffn, e},
          1.0f / std::sqrt(float(s.ffn)), 0, conv1d);
    b.add(g + "ffn_down.bias", h + "mlp.c_proj.bias", {e}, 0.05f);
  }
  b.add("output_norm.weight", "transformer.ln_f.weight", {e}, 0.1f, 1.0f);
  b.add("output_norm.bias", "transformer.ln_f.bias", {e}, 0.05f);
  set_gguf_numbers(m, {{"attention.layer_norm_epsilon", 1e-5}});
  m.hf_config = {{"model_type", "\"gpt2\""}, {"n_embd", "32"},
                 {"n_layer", "2"},           {"n_head", "4"},
                 {"n_inner", "64"},          {"n_positions", "64"},
                 {"vocab_size", "64"},       {"layer_norm_epsilon", "1e-05"}};
}

/// A fused qkv stored per head ([head][q, k, v][head_dim] rows, as GPT-NeoX and GPTBigCode
/// without multi-query keep it) reordered to [Q; K; V], as llama.cpp's converter writes it.
inline std::vector<float> per_head_qkv_to_blocks(const std::vector<float>& v, std::int64_t heads,
                                                 std::int64_t head_dim, std::int64_t cols) {
  std::vector<float> out(v.size());
  for (std::int64_t part = 0; part < 3; ++part)
    for (std::int64_t head = 0; head < heads; ++head)
      for (std::int64_t i = 0; i < head_dim; ++i)
        std::copy_n(v.begin() + ((head * 3 + part) * head_dim + i) * cols, cols,
                    out.begin() + ((part * heads + head) * head_dim + i) * cols);
  return out;
}

// GPTNeoXForCausalLM: gpt_neox.layers.N.attention.query_key_value holds, per
// head, its q, k and v rows ([head][3][head_dim]); llama.cpp's converter
// reorders them to [Q; K; V].
inline void build_gptneox(TinyModel& m, std::uint32_t seed) {
  TinyBuilder b(m, seed);
  TinySizes& s = m.sizes;
  s.kv_heads = s.heads;
  const std::int64_t e = s.embd, d = s.head_dim, h = s.heads;
  const float w_sigma = 1.0f / std::sqrt(static_cast<float>(e));
  auto to_blocks = [&](const std::vector<float>& v, std::int64_t cols) {
    return per_head_qkv_to_blocks(v, h, d, cols);
  };
  b.add("token_embd.weight", "gpt_neox.embed_in.weight", {s.vocab, e}, 1.0f);
  for (std::int64_t l = 0; l < s.layers; ++l) {
    const std::string g = "blk." + std::to_string(l) + ".",
                      n = "gpt_neox.layers." + std::to_string(l) + ".";
    b.add(g + "attn_norm.weight", n + "input_layernorm.weight", {e}, 0.1f, 1.0f);
    b.add(g + "attn_norm.bias", n + "input_layernorm.bias", {e}, 0.05f);
    const std::vector<float> qkv = b.draw(static_cast<std::size_t>(3 * e * e), 1.2f * w_sigma);
    const std::vector<float> qkv_bias = b.draw(static_cast<std::size_t>(3 * e), 0.05f);
    b.add_values("", n + "attention.query_key_value.weight", {3 * e, e}, qkv);
    b.add_values("", n + "attention.query_key_value.bias", {3 * e}, qkv_bias);
    b.add_values(g + "attn_qkv.weight", "", {3 * e, e}, to_blocks(qkv, e));
    b.add_values(g + "attn_qkv.bias", "", {3 * e}, to_blocks(qkv_bias, 1));
    b.add(g + "attn_output.weight", n + "attention.dense.weight", {e, e}, w_sigma);
    b.add(g + "attn_output.bias", n + "attention.dense.bias", {e}, 0.05f);
    b.add(g + "ffn_norm.weight", n + "post_attention_layernorm.weight", {e}, 0.1f, 1.0f);
    b.add(g + "ffn_norm.bias", n + "post_attention_layernorm.bias", {e}, 0.05f);
    b.add(g + "ffn_up.weight", n + "mlp.dense_h_to_4h.weight", {s.ffn, e}, w_sigma);
    b.add(g + "ffn_up.bias", n + "mlp.dense_h_to_4h.bias", {s.ffn}, 0.05f);
    b.add(g + "ffn_down.weight", n + "mlp.dense_4h_to_h.weight", {e, s.ffn},
          1.0f / std::sqrt(float(s.ffn)));
    b.add(g + "ffn_down.bias", n + "mlp.dense_4h_to_h.bias", {e}, 0.05f);
  }
  b.add("output_norm.weight", "gpt_neox.final_layer_norm.weight", {e}, 0.1f, 1.0f);
  b.add("output_norm.bias", "gpt_neox.final_layer_norm.bias", {e}, 0.05f);
  b.add("output.weight", "embed_out.weight", {s.vocab, e}, 2.5f * w_sigma);
  set_gguf_numbers(m, {{"attention.layer_norm_epsilon", 1e-5},
                       {"rope.dimension_count", d / 2},
                       {"rope.freq_base", 10000.0}});
  // The GGUF computes llama.cpp's tanh GELU; transformers' hidden_act gelu_new
  // is the same.
  set_hf_config(m, "gpt_neox",
                {{"intermediate_size", std::to_string(s.ffn)},
                 {"rotary_pct", "0.5"},
                 {"rotary_emb_base", "10000"},
                 {"layer_norm_eps", "1e-05"},
                 {"hidden_act", "\"gelu_new\""},
                 {"use_parallel_residual", "true"},
                 {"tie_word_embeddings", "false"}});
}

// PhiForCausalLM (Phi-2): one LayerNorm per block, q/k/v/dense with biases,
// mlp.fc1/fc2, model.final_layernorm, lm_head with a bias; partial rotary.
inline void build_phi2(TinyModel& m, std::uint32_t seed) {
  TinyBuilder b(m, seed);
  TinySizes& s = m.sizes;
  s.kv_heads = s.heads;
  const std::int64_t e = s.embd;
  const float w_sigma = 1.0f / std::sqrt(static_cast<float>(e));
  b.add("token_embd.weight", "model.embed_tokens.weight", {s.vocab, e}, 1.0f);
  for (std::int64_t l = 0; l < s.layers; ++l) {
    const std::string g = "blk." + std::to_string(l) + ".",
                      n = "model.layers." + std::to_string(l) + ".";
    b.add(g + "attn_norm.weight", n + "input_layernorm.weight", {e}, 0.1f, 1.0f);
    b.add(g + "attn_norm.bias", n + "input_layernorm.bias", {e}, 0.05f);
    for (const char* p : {"q", "k", "v"}) {
      b.add(g + "attn_" + p + ".weight", n + "self_attn." + p + "_proj.weight", {e, e},
            1.2f * w_sigma);
      b.add(g + "attn_" + p + ".bias", n + "self_attn." + p + "_proj.bias", {e}, 0.05f);
    }
    b.add(g + "attn_output.weight", n + "self_attn.dense.weight", {e, e}, w_sigma);
    b.add(g + "attn_output.bias", n + "self_attn.dense.bias", {e}, 0.05f);
    b.add(g + "ffn_up.weight", n + "mlp.fc1.weight", {s.ffn, e}, w_sigma);
    b.add(g + "ffn_up.bias", n + "mlp.fc1.bias", {s.ffn}, 0.05f);
    b.add(g + "ffn_down.weight", n + "mlp.fc2.weight", {e, s.ffn}, 1.0f / std::sqrt(float(s.ffn)));
    b.add(g + "ffn_down.bias", n + "mlp.fc2.bias", {e}, 0.05f);
  }
  b.add("output_norm.weight", "model.final_layernorm.weight", {e}, 0.1f, 1.0f);
  b.add("output_norm.bias", "model.final_layernorm.bias", {e}, 0.05f);
  b.add("output.weight", "lm_head.weight", {s.vocab, e}, 2.5f * w_sigma);
  b.add("output.bias", "lm_head.bias", {s.vocab}, 0.05f);
  set_gguf_numbers(m, {{"attention.head_count_kv", s.heads},
                       {"attention.layer_norm_epsilon", 1e-5},
                       {"rope.dimension_count", s.head_dim / 2},
                       {"rope.freq_base", 10000.0}});
  set_hf_config(m, "phi",
                {{"num_key_value_heads", std::to_string(s.heads)},
                 {"intermediate_size", std::to_string(s.ffn)},
                 {"partial_rotary_factor", "0.5"},
                 {"rope_theta", "10000.0"},
                 {"layer_norm_eps", "1e-05"},
                 {"hidden_act", "\"gelu_new\""},
                 {"qk_layernorm", "false"},
                 {"tie_word_embeddings", "false"}});
}

// GPTBigCodeForCausalLM (StarCoder): GPT-2's names with nn.Linear matrices
// ([out][in]). With multi_query (the default), c_attn rows are [Q (n_embd); K (head_dim);
// V (head_dim)]; without it, [head][q, k, v][head_dim].
inline void build_starcoder(TinyModel& m, std::uint32_t seed, bool multi_query = true) {
  TinyBuilder b(m, seed);
  TinySizes& s = m.sizes;
  s.kv_heads = multi_query ? 1 : s.heads;
  const std::int64_t e = s.embd, d = s.head_dim, qkv_rows = e + 2 * d * s.kv_heads;
  const float w_sigma = 1.0f / std::sqrt(static_cast<float>(e));
  b.add("token_embd.weight", "transformer.wte.weight", {s.vocab, e}, 1.0f);
  b.add("position_embd.weight", "transformer.wpe.weight", {64, e}, 0.5f);
  for (std::int64_t l = 0; l < s.layers; ++l) {
    const std::string g = "blk." + std::to_string(l) + ".",
                      n = "transformer.h." + std::to_string(l) + ".";
    b.add(g + "attn_norm.weight", n + "ln_1.weight", {e}, 0.1f, 1.0f);
    b.add(g + "attn_norm.bias", n + "ln_1.bias", {e}, 0.05f);
    if (multi_query) {
      b.add(g + "attn_qkv.weight", n + "attn.c_attn.weight", {qkv_rows, e}, 1.2f * w_sigma);
      b.add(g + "attn_qkv.bias", n + "attn.c_attn.bias", {qkv_rows}, 0.05f);
    } else {
      const std::vector<float> qkv = b.draw(static_cast<std::size_t>(qkv_rows * e), 1.2f * w_sigma);
      const std::vector<float> bias = b.draw(static_cast<std::size_t>(qkv_rows), 0.05f);
      b.add_values("", n + "attn.c_attn.weight", {qkv_rows, e}, qkv);
      b.add_values("", n + "attn.c_attn.bias", {qkv_rows}, bias);
      b.add_values(g + "attn_qkv.weight", "", {qkv_rows, e},
                   per_head_qkv_to_blocks(qkv, s.heads, d, e));
      b.add_values(g + "attn_qkv.bias", "", {qkv_rows},
                   per_head_qkv_to_blocks(bias, s.heads, d, 1));
    }
    b.add(g + "attn_output.weight", n + "attn.c_proj.weight", {e, e}, w_sigma);
    b.add(g + "attn_output.bias", n + "attn.c_proj.bias", {e}, 0.05f);
    b.add(g + "ffn_norm.weight", n + "ln_2.weight", {e}, 0.1f, 1.0f);
    b.add(g + "ffn_norm.bias", n + "ln_2.bias", {e}, 0.05f);
    b.add(g + "ffn_up.weight", n + "mlp.c_fc.weight", {s.ffn, e}, w_sigma);
    b.add(g + "ffn_up.bias", n + "mlp.c_fc.bias", {s.ffn}, 0.05f);
    b.add(g + "ffn_down.weight", n + "mlp.c_proj.weight", {e, s.ffn},
          1.0f / std::sqrt(float(s.ffn)));
    b.add(g + "ffn_down.bias", n + "mlp.c_proj.bias", {e}, 0.05f);
  }
  b.add("output_norm.weight", "transformer.ln_f.weight", {e}, 0.1f, 1.0f);
  b.add("output_norm.bias", "transformer.ln_f.bias", {e}, 0.05f);
  set_gguf_numbers(
      m, {{"attention.head_count_kv", s.kv_heads}, {"attention.layer_norm_epsilon", 1e-5}});
  m.hf_config = {{"model_type", "\"gpt_bigcode\""},
                 {"n_embd", std::to_string(e)},
                 {"n_layer", "2"},
                 {"n_head", std::to_string(s.heads)},
                 {"n_inner", std::to_string(s.ffn)},
                 {"n_positions", "64"},
                 {"vocab_size", std::to_string(s.vocab)},
                 {"layer_norm_epsilon", "1e-05"},
                 {"multi_query", multi_query ? "true" : "false"},
                 {"activation_function", "\"gelu_pytorch_tanh\""},
                 {"scale_attn_weights", "true"}};
}

// QWenLMHeadModel (Qwen-1, remote code modeling_qwen.py): transformer.wte, h.N.{ln_1,
// attn.c_attn (with bias, rows [Q; K; V]), attn.c_proj, ln_2, mlp.{w1, w2, c_proj}}, ln_f,
// lm_head. QWenMLP computes c_proj(w1(x) * silu(w2(x))): w2 is the gate. intermediate_size is
// twice the width of w1 and w2, as is the GGUF feed_forward_length.
inline void build_qwen(TinyModel& m, std::uint32_t seed) {
  TinyBuilder b(m, seed);
  TinySizes& s = m.sizes;
  s.kv_heads = s.heads;
  const std::int64_t e = s.embd;
  const float w_sigma = 1.0f / std::sqrt(static_cast<float>(e));
  b.add("token_embd.weight", "transformer.wte.weight", {s.vocab, e}, 1.0f);
  for (std::int64_t l = 0; l < s.layers; ++l) {
    const std::string g = "blk." + std::to_string(l) + ".",
                      n = "transformer.h." + std::to_string(l) + ".";
    b.add(g + "attn_norm.weight", n + "ln_1.weight", {e}, 0.1f, 1.0f);
    b.add(g + "attn_qkv.weight", n + "attn.c_attn.weight", {3 * e, e}, 1.2f * w_sigma);
    b.add(g + "attn_qkv.bias", n + "attn.c_attn.bias", {3 * e}, 0.05f);
    b.add(g + "attn_output.weight", n + "attn.c_proj.weight", {e, e}, w_sigma);
    b.add(g + "ffn_norm.weight", n + "ln_2.weight", {e}, 0.1f, 1.0f);
    b.add(g + "ffn_up.weight", n + "mlp.w1.weight", {s.ffn, e}, w_sigma);
    b.add(g + "ffn_gate.weight", n + "mlp.w2.weight", {s.ffn, e}, w_sigma);
    b.add(g + "ffn_down.weight", n + "mlp.c_proj.weight", {e, s.ffn},
          2.0f / std::sqrt(float(s.ffn)));
  }
  b.add("output_norm.weight", "transformer.ln_f.weight", {e}, 0.1f, 1.0f);
  b.add("output.weight", "lm_head.weight", {s.vocab, e}, 2.5f * w_sigma);
  set_gguf_numbers(m, {{"feed_forward_length", 2 * s.ffn},
                       {"attention.layer_norm_rms_epsilon", 1e-6},
                       {"rope.dimension_count", s.head_dim},
                       {"rope.freq_base", 10000.0}});
  set_hf_config(m, "qwen",
                {{"architectures", "[\"QWenLMHeadModel\"]"},
                 {"kv_channels", std::to_string(s.head_dim)},
                 {"intermediate_size", std::to_string(2 * s.ffn)},
                 {"layer_norm_epsilon", "1e-06"},
                 {"seq_length", "64"},
                 {"rotary_emb_base", "10000"},
                 {"rotary_pct", "1.0"},
                 {"no_bias", "true"},
                 {"scale_attn_weights", "true"},
                 {"use_dynamic_ntk", "true"},
                 {"use_logn_attn", "true"},
                 {"use_flash_attn", "\"auto\""},
                 {"bf16", "false"},
                 {"fp16", "false"},
                 {"fp32", "false"},
                 {"attn_dropout_prob", "0.0"},
                 {"emb_dropout_prob", "0.0"},
                 {"onnx_safe", "null"},
                 {"tie_word_embeddings", "false"}});
}

// InternLM2ForCausalLM (remote code modeling_internlm2.py): model.tok_embeddings,
// layers.N.{attention_norm, attention.wqkv, attention.wo, ffn_norm, feed_forward.{w1, w3, w2}},
// model.norm, output. wqkv rows are grouped per KV head: [group][its query heads, k, v][d].
// llama.cpp's converter splits it into q/k/v and permutes q/k for RoPE on adjacent pairs.
inline void build_internlm2(TinyModel& m, std::uint32_t seed) {
  TinyBuilder b(m, seed);
  TinySizes& s = m.sizes;
  const std::int64_t e = s.embd, d = s.head_dim, per_group = s.heads / s.kv_heads;
  const float w_sigma = 1.0f / std::sqrt(static_cast<float>(e));
  b.add("token_embd.weight", "model.tok_embeddings.weight", {s.vocab, e}, 1.0f);
  for (std::int64_t l = 0; l < s.layers; ++l) {
    const std::string g = "blk." + std::to_string(l) + ".",
                      n = "model.layers." + std::to_string(l) + ".";
    b.add(g + "attn_norm.weight", n + "attention_norm.weight", {e}, 0.1f, 1.0f);
    const std::vector<float> q = b.draw(static_cast<std::size_t>(s.heads * d * e), 1.2f * w_sigma),
                             k = b.draw(static_cast<std::size_t>(s.kv_heads * d * e),
                                        1.2f * w_sigma),
                             v = b.draw(static_cast<std::size_t>(s.kv_heads * d * e), w_sigma);
    std::vector<float> wqkv;
    auto append_head = [&](const std::vector<float>& from, std::int64_t head) {
      wqkv.insert(wqkv.end(), from.begin() + head * d * e, from.begin() + (head + 1) * d * e);
    };
    for (std::int64_t group = 0; group < s.kv_heads; ++group) {
      for (std::int64_t i = 0; i < per_group; ++i) append_head(q, group * per_group + i);
      append_head(k, group);
      append_head(v, group);
    }
    b.add_values("", n + "attention.wqkv.weight", {(s.heads + 2 * s.kv_heads) * d, e}, wqkv);
    b.add_values(g + "attn_q.weight", "", {s.heads * d, e},
                 permute_rope_rows(q, s.heads * d, e, s.heads));
    b.add_values(g + "attn_k.weight", "", {s.kv_heads * d, e},
                 permute_rope_rows(k, s.kv_heads * d, e, s.kv_heads));
    b.add_values(g + "attn_v.weight", "", {s.kv_heads * d, e}, v);
    b.add(g + "attn_output.weight", n + "attention.wo.weight", {e, s.heads * d},
          2.0f / std::sqrt(float(s.heads * d)));
    b.add(g + "ffn_norm.weight", n + "ffn_norm.weight", {e}, 0.1f, 1.0f);
    b.add(g + "ffn_gate.weight", n + "feed_forward.w1.weight", {s.ffn, e}, w_sigma);
    b.add(g + "ffn_up.weight", n + "feed_forward.w3.weight", {s.ffn, e}, w_sigma);
    b.add(g + "ffn_down.weight", n + "feed_forward.w2.weight", {e, s.ffn},
          2.0f / std::sqrt(float(s.ffn)));
  }
  b.add("output_norm.weight", "model.norm.weight", {e}, 0.1f, 1.0f);
  b.add("output.weight", "output.weight", {s.vocab, e}, 2.5f * w_sigma);
  set_gguf_numbers(m, {{"attention.head_count_kv", s.kv_heads},
                       {"attention.layer_norm_rms_epsilon", 1e-6},
                       {"rope.freq_base", 10000.0}});
  set_hf_config(m, "internlm2",
                {{"architectures", "[\"InternLM2ForCausalLM\"]"},
                 {"intermediate_size", std::to_string(s.ffn)},
                 {"num_key_value_heads", std::to_string(s.kv_heads)},
                 {"hidden_act", "\"silu\""},
                 {"rms_norm_eps", "1e-06"},
                 {"rope_theta", "10000"},
                 {"rope_scaling", "null"},
                 {"bias", "false"},
                 {"attn_implementation", "\"eager\""},
                 {"tie_word_embeddings", "false"}});
}

// FalconForCausalLM: transformer.word_embeddings, h.N.{input_layernorm,
// self_attention.{query_key_value, dense}, mlp.{dense_h_to_4h, dense_4h_to_h}}, ln_f; the output
// tied to the embedding. Attention and MLP run in parallel on one LayerNorm. Falcon-7B
// (multi_query) keeps query_key_value as [Q; K (d); V (d)]; the new decoder architecture with
// num_ln_in_parallel_attn = 1 (Falcon2-11B) groups it per KV head, which llama.cpp's converter
// reorders to [Q; K; V].
// Falcon: 7B (multi-query, one LayerNorm), the grouped new decoder with one LayerNorm (11B's
// num_ln_in_parallel_attn = 1) or with two (40B: ln_attn feeds attention, ln_mlp the MLP).
inline void build_falcon(TinyModel& m, std::uint32_t seed, bool new_decoder,
                         bool two_norms = false) {
  TinyBuilder b(m, seed);
  TinySizes& s = m.sizes;
  if (!new_decoder) s.kv_heads = 1;
  const std::int64_t e = s.embd, d = s.head_dim, per_group = s.heads / s.kv_heads,
                     rows = (s.heads + 2 * s.kv_heads) * d;
  const float w_sigma = 1.0f / std::sqrt(static_cast<float>(e));
  b.add("token_embd.weight", "transformer.word_embeddings.weight", {s.vocab, e}, 1.0f);
  for (std::int64_t l = 0; l < s.layers; ++l) {
    const std::string g = "blk." + std::to_string(l) + ".",
                      n = "transformer.h." + std::to_string(l) + ".";
    const std::string norm = two_norms ? "ln_mlp" : "input_layernorm";
    b.add(g + "attn_norm.weight", n + norm + ".weight", {e}, 0.1f, 1.0f);
    b.add(g + "attn_norm.bias", n + norm + ".bias", {e}, 0.05f);
    if (two_norms) {
      b.add(g + "attn_norm_2.weight", n + "ln_attn.weight", {e}, 0.1f, 1.0f);
      b.add(g + "attn_norm_2.bias", n + "ln_attn.bias", {e}, 0.05f);
    }
    const std::vector<float> qkv = b.draw(static_cast<std::size_t>(rows * e), 1.2f * w_sigma);
    std::vector<float> hf = qkv;
    if (new_decoder) {  // [Q; K; V] → [group][its query heads, k, v]
      hf.clear();
      auto append_head = [&](std::int64_t first_row) {
        hf.insert(hf.end(), qkv.begin() + first_row * e, qkv.begin() + (first_row + d) * e);
      };
      for (std::int64_t group = 0; group < s.kv_heads; ++group) {
        for (std::int64_t i = 0; i < per_group; ++i) append_head((group * per_group + i) * d);
        append_head((s.heads + group) * d);
        append_head((s.heads + s.kv_heads + group) * d);
      }
    }
    b.add_values(g + "attn_qkv.weight", "", {rows, e}, qkv);
    b.add_values("", n + "self_attention.query_key_value.weight", {rows, e}, hf);
    b.add(g + "attn_output.weight", n + "self_attention.dense.weight", {e, e}, w_sigma);
    b.add(g + "ffn_up.weight", n + "mlp.dense_h_to_4h.weight", {s.ffn, e}, w_sigma);
    b.add(g + "ffn_down.weight", n + "mlp.dense_4h_to_h.weight", {e, s.ffn},
          1.0f / std::sqrt(float(s.ffn)));
  }
  b.add("output_norm.weight", "transformer.ln_f.weight", {e}, 0.1f, 1.0f);
  b.add("output_norm.bias", "transformer.ln_f.bias", {e}, 0.05f);
  set_gguf_numbers(m, {{"attention.head_count_kv", s.kv_heads},
                       {"attention.layer_norm_epsilon", 1e-5},
                       {"rope.freq_base", 10000.0}});
  // The GGUF computes llama.cpp's tanh GELU; FalconConfig's default "gelu" is the exact one.
  set_hf_config(m, "falcon",
                {{"architectures", "[\"FalconForCausalLM\"]"},
                 {"ffn_hidden_size", std::to_string(s.ffn)},
                 {"layer_norm_epsilon", "1e-05"},
                 {"rope_theta", "10000.0"},
                 {"activation", "\"gelu_pytorch_tanh\""},
                 {"alibi", "false"},
                 {"bias", "false"},
                 {"parallel_attn", "true"},
                 {"multi_query", new_decoder ? "false" : "true"},
                 {"new_decoder_architecture", new_decoder ? "true" : "false"},
                 {"hidden_dropout", "0.0"},
                 {"attention_dropout", "0.0"}});
  if (new_decoder) {
    m.hf_config["num_kv_heads"] = std::to_string(s.kv_heads);
    // Falcon-40B's config.json has no num_ln_in_parallel_attn: two norms is the default.
    if (!two_norms) m.hf_config["num_ln_in_parallel_attn"] = "1";
  } else {
    m.hf_config["apply_residual_connection_post_layernorm"] = "false";
  }
}

/// A model of `family` (a name of tiny_families()) with seeded random weights.
inline TinyModel make_tiny_model(const std::string& family, std::uint32_t seed) {
  TinyModel m;
  m.arch = family;
  if (family == "gpt2") {
    build_gpt2(m, seed);
  } else if (family == "llama" || family == "mistral") {
    m.arch = "llama";
    build_llama_style(m, {.model_type = family, .permute_qk = true}, seed);
  } else if (family == "qwen2") {
    build_llama_style(m, {.model_type = "qwen2", .qkv_bias = true}, seed);
  } else if (family == "gemma") {
    // head_dim ≠ embd / heads, as Gemma allows
    build_llama_style(m, {.model_type = "gemma", .gemma_norms = true, .tied = true, .head_dim = 12},
                      seed);
    m.hf_config["hidden_activation"] = "\"gelu_pytorch_tanh\"";
  } else if (family == "gemma2" || family == "gemma3") {
    // Gemma 3 (Gemma3ForCausalLM) is Gemma 2 with q/k norms: six layers, so that the default
    // 5:1 pattern has its global layer; a window shorter than the test text; RoPE bases 1e6
    // (global) and 10000 (local, the default of rope_local_base_freq, which the converter
    // writes as rope.freq_base_swa).
    const bool gemma3 = family == "gemma3";
    if (gemma3) m.sizes.layers = 6;
    build_llama_style(m,
                      {.model_type = gemma3 ? "gemma3_text" : "gemma2",
                       .gemma_norms = true,
                       .tied = true,
                       .gemma2_norms = true,
                       .qk_norms = gemma3,
                       .head_dim = 12},
                      seed);
    m.hf_config["hidden_activation"] = "\"gelu_pytorch_tanh\"";
    m.hf_config["query_pre_attn_scalar"] = "12";
    if (gemma3) {
      m.hf_config["sliding_window"] = "8";
      m.hf_config["rope_theta"] = "1000000.0";
      m.gguf_numbers["gemma3.attention.sliding_window"] = 8;
      m.gguf_numbers["gemma3.rope.freq_base"] = 1e6;
      m.gguf_numbers["gemma3.rope.freq_base_swa"] = 10000.0;
    } else {
      m.hf_config["attn_logit_softcapping"] = "50.0";
      m.hf_config["final_logit_softcapping"] = "30.0";
      m.hf_config["sliding_window"] = "16";
      m.gguf_numbers["gemma2.attn_logit_softcapping"] = 50.0;
      m.gguf_numbers["gemma2.final_logit_softcapping"] = 30.0;
      m.gguf_numbers["gemma2.attention.sliding_window"] = 16;
    }
  } else if (family == "smollm3") {
    // SmolLM3ForCausalLM: four layers, so that the default NoPE interval (4) skips RoPE on the
    // last; llama.cpp's converter permutes q/k rows as for llama.
    m.sizes.layers = 4;
    build_llama_style(m, {.model_type = "smollm3", .permute_qk = true, .tied = true}, seed);
  } else if (family == "stablelm") {
    build_llama_style(m, {.model_type = "stablelm", .layer_norm = true}, seed);
  } else if (family == "starcoder2") {
    build_llama_style(
        m, {.model_type = "starcoder2", .layer_norm = true, .all_biases = true, .plain_mlp = true},
        seed);
    m.hf_config.erase("layer_norm_eps");
    m.hf_config["norm_epsilon"] = "1e-05";
    m.hf_config["hidden_act"] = "\"gelu_pytorch_tanh\"";
  } else if (family == "gptneox") {
    build_gptneox(m, seed);
  } else if (family == "phi2") {
    build_phi2(m, seed);
  } else if (family == "starcoder") {
    build_starcoder(m, seed);
  } else if (family == "starcoder_mha") {
    m.arch = "starcoder";
    build_starcoder(m, seed, false);
  } else if (family == "mixtral") {
    m.arch = "llama";
    build_llama_style(
        m, {.model_type = "mixtral", .permute_qk = true, .experts = 4, .experts_used = 2}, seed);
  } else if (family == "qwen") {
    build_qwen(m, seed);
  } else if (family == "internlm2") {
    build_internlm2(m, seed);
  } else if (family == "falcon") {
    build_falcon(m, seed, false);
  } else if (family == "falcon_grouped") {
    m.arch = "falcon";
    build_falcon(m, seed, true);
  } else if (family == "falcon40b") {
    m.arch = "falcon";
    build_falcon(m, seed, true, true);
  } else if (family == "phi3") {
    build_llama_style(m, {.model_type = "phi3", .fused_phi3 = true}, seed);
  } else {
    throw std::invalid_argument("no tiny model builder for family " + family);
  }
  return m;
}

/// The families make_tiny_model builds.
inline std::vector<std::string> tiny_families() {
  return {"llama",         "mistral",    "qwen2",  "gemma",     "gemma2",  "gpt2",
          "stablelm",      "starcoder2", "phi3",   "phi2",      "gptneox", "starcoder",
          "starcoder_mha", "mixtral",    "qwen",   "internlm2", "falcon",  "falcon_grouped",
          "falcon40b",     "gemma3",     "smollm3"};
}

// RoPE scaling, written as config.json states it and as llama.cpp's converter
// stores it in GGUF. The GGUF values are computed here from the converter's and
// transformers' formulas.

/// rope_scaling {"type": "linear", "factor": f}; GGUF rope.scaling.type/factor.
inline void add_linear_rope(TinyModel& m, double factor) {
  m.hf_config["rope_scaling"] = R"({"type": "linear", "factor": )" + json_number(factor) + "}";
  m.gguf_strings[m.arch + ".rope.scaling.type"] = "linear";
  m.gguf_numbers[m.arch + ".rope.scaling.factor"] = factor;
}

/// rope_scaling {"rope_type": "dynamic", "factor": f}, loaded with a context of
/// `context`
/// (> max_position_embeddings M = 64): transformers raises θ to θ·((f·L/M) − (f
/// − 1))^(d/(d−2)) at sequence length L; GGUF has no dynamic type, so the GGUF
/// copy states that base.
inline void add_dynamic_rope(TinyModel& m, double factor, std::size_t context) {
  m.hf_config["rope_scaling"] =
      R"({"rope_type": "dynamic", "factor": )" + json_number(factor) + "}";
  const double d = static_cast<double>(m.sizes.head_dim), l = static_cast<double>(context);
  m.gguf_numbers[m.arch + ".rope.freq_base"] =
      10000.0 * std::pow(factor * l / 64.0 - (factor - 1.0), d / (d - 2.0));
  m.context = context;
}

/// rope_scaling {"rope_type": "yarn", "factor": f,
/// "original_max_position_embeddings": n}; GGUF rope.scaling.type yarn, factor,
/// original_context_length.
inline void add_yarn_rope(TinyModel& m, double factor, std::int64_t original) {
  m.hf_config["rope_scaling"] = R"({"rope_type": "yarn", "factor": )" + json_number(factor) +
                                R"(, "original_max_position_embeddings": )" +
                                std::to_string(original) + "}";
  m.gguf_strings[m.arch + ".rope.scaling.type"] = "yarn";
  m.gguf_numbers[m.arch + ".rope.scaling.factor"] = factor;
  m.gguf_numbers[m.arch + ".rope.scaling.original_context_length"] = original;
}

/// rope_scaling llama3 (factor, low/high_freq_factor,
/// original_max_position_embeddings); GGUF gets the rope_freqs tensor the
/// converter computes from them (in double here).
inline void add_llama3_rope(TinyModel& m, double factor, double low, double high, double original) {
  m.hf_config["rope_scaling"] = R"({"rope_type": "llama3", "factor": )" + json_number(factor) +
                                R"(, "low_freq_factor": )" + json_number(low) +
                                R"(, "high_freq_factor": )" + json_number(high) +
                                R"(, "original_max_position_embeddings": )" +
                                std::to_string(static_cast<std::int64_t>(original)) + "}";
  const std::int64_t d = m.sizes.head_dim;
  std::vector<float> factors;
  for (std::int64_t i = 0; i < d / 2; ++i) {
    const double freq = 1.0 / std::pow(10000.0, static_cast<double>(2 * i) / d);
    const double wavelength = 2 * 3.14159265358979323846 / freq;
    if (wavelength < original / high) {
      factors.push_back(1.0f);
    } else if (wavelength > original / low) {
      factors.push_back(static_cast<float>(factor));
    } else {
      const double smooth = (original / wavelength - low) / (high - low);
      factors.push_back(static_cast<float>(1.0 / ((1 - smooth) / factor + smooth)));
    }
  }
  TinyBuilder(m, 0).add_values("rope_freqs.weight", "", {d / 2}, factors);
}

/// Phi-3's LongRoPE: rope_scaling {"type": "longrope", "long_factor": [...],
/// "short_factor":
/// [...]} and a top-level original_max_position_embeddings; GGUF gets
/// rope_factors_long/short, rope.scaling.original_context_length and the
/// attention factor the converter computes, sqrt(1 + ln(M/orig)/ln(orig)).
inline void add_longrope(TinyModel& m, std::int64_t original) {
  const std::int64_t pairs = m.sizes.head_dim / 2;
  std::vector<float> long_factors, short_factors;
  std::string long_json, short_json;
  for (std::int64_t i = 0; i < pairs; ++i) {
    const double u = static_cast<double>(i) / static_cast<double>(pairs - 1);
    long_factors.push_back(static_cast<float>(1 + 23 * u * u * u));
    short_factors.push_back(static_cast<float>(1 + 0.6 * u * u));
    if (i > 0) long_json.append(", "), short_json.append(", ");
    long_json.append(json_number(long_factors.back()));
    short_json.append(json_number(short_factors.back()));
  }
  m.hf_config["rope_scaling"] = R"({"type": "longrope", "long_factor": [)" + long_json +
                                R"(], "short_factor": [)" + short_json + "]}";
  m.hf_config["original_max_position_embeddings"] = std::to_string(original);
  TinyBuilder b(m, 0);
  b.add_values("rope_factors_long.weight", "", {pairs}, long_factors);
  b.add_values("rope_factors_short.weight", "", {pairs}, short_factors);
  const double scale = 64.0 / static_cast<double>(original);
  m.gguf_numbers[m.arch + ".rope.scaling.original_context_length"] = original;
  m.gguf_numbers[m.arch + ".rope.scaling.attn_factor"] =
      std::sqrt(1 + std::log(scale) / std::log(static_cast<double>(original)));
}

}  // namespace lmc_test

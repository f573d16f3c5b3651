// DeepSeek-V2 test models in both layouts: transformers' DeepseekV2ForCausalLM (config.json
// keys and tensor names of its DeepseekV2Config / modeling code) and the GGUF that llama.cpp's
// converter writes from it (kv_b_proj split per head into attn_k_b, transposed, and attn_v_b;
// experts stacked; num_key_value_heads 1 with key_length kv_lora + rope, value_length kv_lora,
// the per-head sizes in key_length_mla / value_length_mla).
#pragma once

#include "random_models.hpp"

namespace lmc_test {

struct Deepseek2Style {
  std::int64_t q_lora = 0;  ///< 0: one q_proj (V2-Lite); else q_a_proj, q_a_layernorm, q_b_proj
  std::int64_t shared_experts = 2;
  double routed_scale = 1.5;  ///< routed_scaling_factor = expert_weights_scale
};

inline TinyModel make_deepseek2(const Deepseek2Style& style, std::uint32_t seed) {
  TinyModel m;
  m.arch = "deepseek2";
  TinyBuilder b(m, seed);
  TinySizes& s = m.sizes;
  s.layers = 3;  // one dense layer, then two MoE layers
  const std::int64_t e = s.embd, heads = s.heads, kv_lora = 16, nope = 8, rope = 4, dv = 6;
  const std::int64_t experts = 4, used = 2, moe_ffn = 16, dense = 1;
  s.head_dim = nope + rope;
  const std::int64_t qk = heads * (nope + rope);
  const float w_sigma = 1.0f / std::sqrt(static_cast<float>(e));
  b.add("token_embd.weight", "model.embed_tokens.weight", {s.vocab, e}, 1.0f);
  auto mlp = [&](const std::string& g, const std::string& h, const std::string& suffix,
                 std::int64_t width) {
    b.add(g + "ffn_gate" + suffix + ".weight", h + "gate_proj.weight", {width, e}, w_sigma);
    b.add(g + "ffn_up" + suffix + ".weight", h + "up_proj.weight", {width, e}, w_sigma);
    b.add(g + "ffn_down" + suffix + ".weight", h + "down_proj.weight", {e, width},
          1.0f / std::sqrt(float(width)));
  };
  for (std::int64_t l = 0; l < s.layers; ++l) {
    const std::string g = "blk." + std::to_string(l) + ".",
                      h = "model.layers." + std::to_string(l) + ".";
    const std::string a = h + "self_attn.";
    b.add(g + "attn_norm.weight", h + "input_layernorm.weight", {e}, 0.1f, 1.0f);
    if (style.q_lora > 0) {
      b.add(g + "attn_q_a.weight", a + "q_a_proj.weight", {style.q_lora, e}, w_sigma);
      b.add(g + "attn_q_a_norm.weight", a + "q_a_layernorm.weight", {style.q_lora}, 0.1f, 1.0f);
      b.add(g + "attn_q_b.weight", a + "q_b_proj.weight", {qk, style.q_lora},
            1.2f / std::sqrt(float(style.q_lora)));
    } else {
      b.add(g + "attn_q.weight", a + "q_proj.weight", {qk, e}, 1.2f * w_sigma);
    }
    b.add(g + "attn_kv_a_mqa.weight", a + "kv_a_proj_with_mqa.weight", {kv_lora + rope, e},
          1.2f * w_sigma);
    b.add(g + "attn_kv_a_norm.weight", a + "kv_a_layernorm.weight", {kv_lora}, 0.1f, 1.0f);
    // kv_b_proj: per head, nope rows of k then dv rows of v.
    const std::vector<float> kv_b = b.draw(static_cast<std::size_t>(heads * (nope + dv) * kv_lora),
                                           1.2f / std::sqrt(float(kv_lora)));
    b.add_values("", a + "kv_b_proj.weight", {heads * (nope + dv), kv_lora}, kv_b);
    std::vector<float> k_b(static_cast<std::size_t>(heads * kv_lora * nope)),
        v_b(static_cast<std::size_t>(heads * dv * kv_lora));
    for (std::int64_t hd = 0; hd < heads; ++hd) {
      for (std::int64_t i = 0; i < nope; ++i)
        for (std::int64_t j = 0; j < kv_lora; ++j)
          k_b[static_cast<std::size_t>((hd * kv_lora + j) * nope + i)] =
              kv_b[static_cast<std::size_t>((hd * (nope + dv) + i) * kv_lora + j)];
      for (std::int64_t i = 0; i < dv; ++i)
        for (std::int64_t j = 0; j < kv_lora; ++j)
          v_b[static_cast<std::size_t>((hd * dv + i) * kv_lora + j)] =
              kv_b[static_cast<std::size_t>((hd * (nope + dv) + nope + i) * kv_lora + j)];
    }
    b.add_values(g + "attn_k_b.weight", "", {heads, kv_lora, nope}, k_b);
    b.add_values(g + "attn_v_b.weight", "", {heads, dv, kv_lora}, v_b);
    b.add(g + "attn_output.weight", a + "o_proj.weight", {e, heads * dv},
          1.0f / std::sqrt(float(heads * dv)));
    b.add(g + "ffn_norm.weight", h + "post_attention_layernorm.weight", {e}, 0.1f, 1.0f);
    if (l < dense) {
      mlp(g, h + "mlp.", "", s.ffn);
      continue;
    }
    b.add(g + "ffn_gate_inp.weight", h + "mlp.gate.weight", {experts, e}, 2.0f * w_sigma);
    const std::pair<const char*, const char*> kinds[] = {
        {"ffn_gate_exps", "gate_proj"}, {"ffn_up_exps", "up_proj"}, {"ffn_down_exps", "down_proj"}};
    for (const auto& [gguf_kind, hf_kind] : kinds) {
      const bool down = std::string(hf_kind) == "down_proj";
      const std::int64_t rows = down ? e : moe_ffn, cols = down ? moe_ffn : e;
      const float sigma = down ? 1.0f / std::sqrt(float(moe_ffn)) : w_sigma;
      std::vector<float> stacked;
      for (std::int64_t x = 0; x < experts; ++x) {
        const std::vector<float> one = b.draw(static_cast<std::size_t>(rows * cols), sigma);
        b.add_values("", h + "mlp.experts." + std::to_string(x) + "." + hf_kind + ".weight",
                     {rows, cols}, one);
        stacked.insert(stacked.end(), one.begin(), one.end());
      }
      b.add_values(g + gguf_kind + ".weight", "", {experts, rows, cols}, stacked);
    }
    if (style.shared_experts > 0)
      mlp(g, h + "mlp.shared_experts.", "_shexp", moe_ffn * style.shared_experts);
  }
  b.add("output_norm.weight", "model.norm.weight", {e}, 0.1f, 1.0f);
  b.add("output.weight", "lm_head.weight", {s.vocab, e}, 2.5f * w_sigma);
  set_gguf_numbers(m, {{"attention.head_count_kv", 1},
                       {"attention.key_length", kv_lora + rope},
                       {"attention.value_length", kv_lora},
                       {"attention.key_length_mla", nope + rope},
                       {"attention.value_length_mla", dv},
                       {"attention.kv_lora_rank", kv_lora},
                       {"attention.q_lora_rank", style.q_lora},
                       {"attention.layer_norm_rms_epsilon", 1e-6},
                       {"rope.dimension_count", rope},
                       {"rope.freq_base", 10000.0},
                       {"leading_dense_block_count", dense},
                       {"expert_feed_forward_length", moe_ffn},
                       {"expert_count", experts},
                       {"expert_used_count", used},
                       {"expert_shared_count", style.shared_experts},
                       {"expert_weights_scale", style.routed_scale}});
  set_hf_config(m, "deepseek_v2",
                {{"architectures", "[\"DeepseekV2ForCausalLM\"]"},
                 {"intermediate_size", std::to_string(s.ffn)},
                 {"moe_intermediate_size", std::to_string(moe_ffn)},
                 {"num_key_value_heads", std::to_string(heads)},
                 {"kv_lora_rank", std::to_string(kv_lora)},
                 {"q_lora_rank", style.q_lora > 0 ? std::to_string(style.q_lora) : "null"},
                 {"qk_nope_head_dim", std::to_string(nope)},
                 {"qk_rope_head_dim", std::to_string(rope)},
                 {"v_head_dim", std::to_string(dv)},
                 {"n_routed_experts", std::to_string(experts)},
                 {"num_experts_per_tok", std::to_string(used)},
                 {"n_shared_experts", std::to_string(style.shared_experts)},
                 {"routed_scaling_factor", json_number(style.routed_scale)},
                 {"first_k_dense_replace", std::to_string(dense)},
                 {"moe_layer_freq", "1"},
                 {"topk_method", "\"greedy\""},
                 {"n_group", "1"},
                 {"topk_group", "1"},
                 {"norm_topk_prob", "false"},
                 {"scoring_func", "\"softmax\""},
                 {"aux_loss_alpha", "0.001"},
                 {"seq_aux", "true"},
                 {"hidden_act", "\"silu\""},
                 {"rms_norm_eps", "1e-06"},
                 {"rope_theta", "10000.0"},
                 {"attention_bias", "false"},
                 {"tie_word_embeddings", "false"}});
  return m;
}

/// The GGUF as older converters wrote it: one attn_kv_b per layer (HF's kv_b_proj as it is)
/// and the per-head sizes in key_length / value_length with head_count_kv = heads.
inline void use_legacy_kv_b(TinyModel& m) {
  for (TinyTensor& t : m.tensors) {
    if (t.gguf_name.ends_with("attn_k_b.weight") || t.gguf_name.ends_with("attn_v_b.weight"))
      t.gguf_name.clear();
    if (t.hf_name.ends_with("kv_b_proj.weight")) {
      const std::string layer = t.hf_name.substr(0, t.hf_name.find(".self_attn"));
      t.gguf_name = "blk." + layer.substr(layer.rfind('.') + 1) + ".attn_kv_b.weight";
    }
  }
  const std::string a = "deepseek2.";
  m.gguf_numbers[a + "attention.key_length"] = m.gguf_numbers[a + "attention.key_length_mla"];
  m.gguf_numbers[a + "attention.value_length"] = m.gguf_numbers[a + "attention.value_length_mla"];
  m.gguf_numbers[a + "attention.head_count_kv"] = m.sizes.heads;
  m.gguf_numbers.erase(a + "attention.key_length_mla");
  m.gguf_numbers.erase(a + "attention.value_length_mla");
}

/// DeepSeek-V2's YaRN: rope_scaling with mscale = mscale_all_dim (as the V2 configs have it);
/// GGUF: rope.scaling.* and yarn_log_multiplier = 0.1·mscale_all_dim, as the converter writes.
inline void add_deepseek2_yarn(TinyModel& m, double factor, std::int64_t original, double mscale) {
  m.hf_config["rope_scaling"] =
      R"({"type": "yarn", "factor": )" + json_number(factor) +
      R"(, "original_max_position_embeddings": )" + std::to_string(original) +
      R"(, "beta_fast": 32, "beta_slow": 1, "mscale": )" + json_number(mscale) +
      R"(, "mscale_all_dim": )" + json_number(mscale) + "}";
  m.gguf_strings["deepseek2.rope.scaling.type"] = "yarn";
  m.gguf_numbers["deepseek2.rope.scaling.factor"] = factor;
  m.gguf_numbers["deepseek2.rope.scaling.original_context_length"] = original;
  m.gguf_numbers["deepseek2.rope.scaling.yarn_log_multiplier"] = 0.1 * mscale;
}

}  // namespace lmc_test

#include "model/weight_binding.hpp"

#include "base/fail.hpp"

#include <fmt/ranges.h>

#include <cmath>
#include <optional>
#include <set>

LMC_BEGIN_NAMESPACE
namespace model {

namespace {

std::string shape_text(std::span<const std::int64_t> shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

class Binder {
 public:
  Binder(Checkpoint& checkpoint, BoundModel& out)
      : checkpoint_(checkpoint),
        spec_(checkpoint.spec()),
        h_(checkpoint.hyper_parameters()),
        out_(out) {}

  void run() {
    check_hyper_parameters();
    nn::TransformerConfig& c = out_.config;
    nn::TransformerWeights& w = out_.weights;

    // The vocabulary is the embedding's row count.
    const Tensor& embedding = required(Role::token_embedding, 0);
    if (embedding.shape.size() != 2 || embedding.shape[1] != static_cast<std::int64_t>(h_.n_embd) ||
        embedding.shape[0] <= 0) {
      shape_error(embedding, Role::token_embedding, 0, fmt::format("[n_vocab, {}]", h_.n_embd),
                  h_.key_n_embd);
    }
    c.n_vocab = static_cast<std::size_t>(embedding.shape[0]);
    w.token_embedding = view(embedding);
    count(embedding);

    const std::size_t e = h_.n_embd, q = h_.n_heads * h_.key_dim, k = h_.n_kv_heads * h_.key_dim,
                      v = h_.n_kv_heads * h_.value_dim, attn = h_.n_heads * h_.value_dim,
                      f = h_.n_ff;
    const std::string head_keys = h_.key_n_heads + ", " + h_.key_n_kv_heads + ", " + h_.key_key_dim;
    if (wanted(Role::position_embedding)) {
      const Tensor& positions = required(Role::position_embedding, 0);
      if (positions.shape.size() != 2 || positions.shape[1] != static_cast<std::int64_t>(e) ||
          positions.shape[0] <= 0) {
        shape_error(positions, Role::position_embedding, 0, fmt::format("[n_positions, {}]", e),
                    h_.key_n_embd);
      }
      w.position_embedding = view(positions);
      count(positions);
    }

    const bool mixture = spec_.allows_experts && h_.n_experts > 0;
    const std::size_t fe = h_.n_ff_expert != 0 ? h_.n_ff_expert : f;
    // Falcon-40B: attention reads attn_norm_2, the MLP attn_norm (then every layer has both).
    const bool second_norm = wanted(Role::attn_norm_2) && checkpoint_.find(Role::attn_norm_2, 0);
    const bool latent = wanted(Role::attn_kv_a_mqa);
    w.layers.resize(h_.n_layers);
    for (std::size_t l = 0; l < h_.n_layers; ++l) {
      nn::LayerWeights& layer = w.layers[l];
      if (second_norm) {
        layer.attention_norm = norm(Role::attn_norm_2, Role::attn_norm_2_bias, l);
        layer.feed_forward_norm = norm(Role::attn_norm, Role::attn_norm_bias, l);
      } else if (wanted(Role::attn_norm)) {
        layer.attention_norm = norm(Role::attn_norm, Role::attn_norm_bias, l);
      }
      const bool ssm = l < h_.ssm_layer.size() && h_.ssm_layer[l];
      const Tensor* fused = wanted(Role::attn_qkv) ? checkpoint_.find(Role::attn_qkv, l) : nullptr;
      if (ssm) {
        layer.mamba = mamba(l);
      } else if (latent) {
        layer.latent = latent_attention(l);
      } else if (fused) {
        layer.query_key_value =
            linear(Role::attn_qkv, Role::attn_qkv_bias, l, q + k + v, e, head_keys);
      } else {
        layer.query = linear(Role::attn_q, Role::attn_q_bias, l, q, e, head_keys);
        layer.key = linear(Role::attn_k, Role::attn_k_bias, l, k, e, head_keys);
        layer.value = linear(Role::attn_v, Role::attn_v_bias, l, v, e, head_keys);
      }
      if (!ssm && wanted(Role::attn_q_norm)) {
        // One head's width shared by all heads, or the whole projection.
        const bool per_head = spec_.qk_norm_width == QkNormWidth::head;
        layer.query_norm = qk_norm(Role::attn_q_norm, l, per_head ? h_.key_dim : q, head_keys);
        layer.key_norm = qk_norm(Role::attn_k_norm, l, per_head ? h_.key_dim : k, head_keys);
      }
      if (!ssm)
        layer.attention_output = linear(Role::attn_output, Role::attn_output_bias, l, e,
                                        latent ? h_.n_heads * h_.latent_attention.value_dim : attn,
                                        latent ? h_.key_latent : head_keys);
      if (wanted(Role::post_attn_norm))
        layer.post_attention_norm = norm(Role::post_attn_norm, Role::output_norm_bias, l, false);
      if (spec_.residual != nn::ResidualKind::parallel_shared && wanted(Role::ffn_norm) &&
          !second_norm)
        layer.feed_forward_norm = norm(Role::ffn_norm, Role::ffn_norm_bias, l);
      if (wanted(Role::post_ffn_norm))
        layer.post_feed_forward_norm = norm(Role::post_ffn_norm, Role::output_norm_bias, l, false);

      const std::string ffn_keys = h_.key_n_ff + ", " + h_.key_n_embd;
      if (mixture && l >= h_.leading_dense_layers &&
          (!spec_.experts_where_router || checkpoint_.find(Role::ffn_router, l))) {
        layer.router =
            linear(Role::ffn_router, Role::ffn_router, l, h_.n_experts, e, h_.key_n_experts, false);
        layer.expert_gate = experts(Role::ffn_gate_experts, l, fe, e);
        layer.expert_up = experts(Role::ffn_up_experts, l, fe, e);
        layer.expert_down = experts(Role::ffn_down_experts, l, e, fe);
        if (wanted(Role::ffn_gate_shared) && h_.n_shared_experts > 0) {
          const std::size_t fs = fe * h_.n_shared_experts;
          layer.shared_gate = linear(Role::ffn_gate_shared, Role::ffn_gate_shared, l, fs, e,
                                     expert_ffn_key(), false);
          layer.shared_up =
              linear(Role::ffn_up_shared, Role::ffn_up_shared, l, fs, e, expert_ffn_key(), false);
          layer.shared_down = linear(Role::ffn_down_shared, Role::ffn_down_shared, l, e, fs,
                                     expert_ffn_key(), false);
        }
      } else if (!wanted(Role::ffn_up)) {
        // no FFN (mamba)
      } else if (spec_.feed_forward == nn::FeedForwardKind::gated) {
        layer.gate = linear(Role::ffn_gate, Role::ffn_gate, l, f, e, ffn_keys, false);
        layer.up = linear(Role::ffn_up, Role::ffn_up_bias, l, f, e, ffn_keys);
        layer.down = linear(Role::ffn_down, Role::ffn_down_bias, l, e, f, ffn_keys);
      } else if (spec_.feed_forward == nn::FeedForwardKind::gated_fused) {
        layer.up = linear(Role::ffn_up, Role::ffn_up_bias, l, 2 * f, e, ffn_keys);
        layer.down = linear(Role::ffn_down, Role::ffn_down_bias, l, e, f, ffn_keys);
      } else {
        layer.up = linear(Role::ffn_up, Role::ffn_up_bias, l, f, e, ffn_keys);
        layer.down = linear(Role::ffn_down, Role::ffn_down_bias, l, e, f, ffn_keys);
      }
    }
    w.output_norm = norm(Role::output_norm, Role::output_norm_bias, 0);
    if (!h_.tied_output &&
        (checkpoint_.find(Role::output, 0) ||
         spec_.tensors[static_cast<std::size_t>(Role::output)] == Presence::required)) {
      w.output = linear(
          Role::output, Role::output_bias, 0, c.n_vocab, e,
          fmt::format("n_vocab (rows of {})", checkpoint_.tensor_name(Role::token_embedding, 0)));
    } else {
      w.output.weight = w.token_embedding;  // tied
    }

    c.n_embd = e;
    c.n_layers = h_.n_layers;
    c.n_heads = h_.n_heads;
    c.n_kv_heads = h_.n_kv_heads;
    c.key_dim = h_.key_dim;
    c.value_dim = h_.value_dim;
    c.n_ff = f;
    c.n_experts = mixture ? h_.n_experts : 0;
    c.n_experts_used = mixture ? h_.n_experts_used : 0;
    c.n_ff_expert = mixture && fe != f ? fe : 0;
    c.norm = spec_.norm;
    c.norm_eps = h_.norm_eps;
    const RopeStyle rope = checkpoint_.rope_style();
    c.use_rope = rope != RopeStyle::none;
    c.rope.pairing =
        rope == RopeStyle::adjacent_pairs ? nn::RopePairing::adjacent : nn::RopePairing::half_split;
    c.rope.rotated_dims = h_.rope_dims;
    c.rope.base = h_.rope_base;
    c.rope.freq_scale = h_.rope_freq_scale;
    c.rope.freq_factors = h_.rope_freq_factors;
    c.rope.yarn_ext_factor = h_.rope_yarn_ext_factor;
    c.rope.yarn_low = h_.rope_yarn_low;
    c.rope.yarn_high = h_.rope_yarn_high;
    c.rope.attention_factor = h_.rope_attention_factor;
    c.activation = h_.activation.value_or(spec_.activation);
    c.feed_forward = mixture && !spec_.experts_where_router && h_.leading_dense_layers == 0
                         ? nn::FeedForwardKind::mixture
                         : spec_.feed_forward;
    c.renormalize_experts = h_.renormalize_experts.value_or(spec_.renormalize_experts);
    c.expert_weights_scale = h_.expert_weights_scale;
    c.latent_attention = h_.latent_attention;
    c.expert_groups = mixture ? h_.expert_groups : 0;
    c.expert_groups_used = mixture ? h_.expert_groups_used : 0;
    if (h_.ssm.enabled()) {
      c.ssm = h_.ssm;
      c.ssm.norm_eps = h_.norm_eps;
      c.ssm.dt_bc_norm = h_.ssm.dt_bc_norm || wanted(Role::ssm_dt_norm);
    }
    c.residual = second_norm ? nn::ResidualKind::parallel_separate : spec_.residual;
    if (spec_.scale_embeddings) c.embedding_scale = std::sqrt(static_cast<float>(e));
    c.attention_scale = h_.attention_scale;
    c.attention_soft_cap = h_.attention_soft_cap;
    c.final_soft_cap = h_.final_soft_cap;
    c.sliding_window = h_.sliding_window;
    c.sliding_layers =
        h_.sliding_window > 0 ? h_.sliding_layers.value_or(spec_.sliding) : nn::SlidingLayers::none;
    c.local_layer = h_.local_layer;
    c.local_rope_base = h_.local_layer.empty() ? 0.0 : h_.rope_local_base;
    c.no_rope_layer = h_.no_rope_layer;
    out_.weight_type = weight_types_.size() == 1 ? *weight_types_.begin() : "mixed";
    checkpoint_.check_every_tensor_used();
  }

 private:
  [[noreturn]] void key_error(std::string_view key, std::string_view what) {
    base::fail(ErrorCode::format, "{}: {} ({})", checkpoint_.source(), what, key);
  }

  void check_hyper_parameters() {
    if (h_.n_layers == 0 || h_.n_layers > checkpoint_.tensor_count()) {
      base::fail(ErrorCode::format,
                 "{}: layer count {} ({}) does not fit the {} tensors of the file",
                 checkpoint_.source(), h_.n_layers, h_.key_n_layers, checkpoint_.tensor_count());
    }
    if (spec_.ssm_layers != SsmLayers::none) {
      const nn::SsmConfig& s = h_.ssm;
      if (s.inner == 0 || s.state == 0 || s.conv == 0 || s.dt_rank == 0)
        key_error(h_.key_ssm, "a state-space size is 0");
      if (h_.n_embd == 0) key_error(h_.key_n_embd, "zero embedding width");
      if (spec_.ssm_layers == SsmLayers::all) return;  // no attention sizes to check
    }
    if (h_.n_embd == 0 || h_.n_heads == 0)
      key_error(h_.key_n_embd, "zero embedding width or head count");
    if (h_.n_heads % h_.n_kv_heads != 0) {
      key_error(h_.key_n_kv_heads,
                fmt::format("{} query heads cannot share {} KV heads", h_.n_heads, h_.n_kv_heads));
    }
    if (h_.key_dim == 0 || h_.value_dim == 0 ||
        (h_.key_key_dim.find(" / ") != std::string::npos && h_.n_embd % h_.n_heads != 0)) {
      key_error(h_.key_key_dim, fmt::format("embedding width {} is not divisible into {} heads",
                                            h_.n_embd, h_.n_heads));
    }
    if (checkpoint_.rope_style() != RopeStyle::none &&
        (h_.rope_dims == 0 || h_.rope_dims > h_.key_dim || h_.rope_dims % 2 != 0)) {
      key_error(h_.key_rope_dims,
                fmt::format("rotary dimensions {} must be even and at most the head width {}",
                            h_.rope_dims, h_.key_dim));
    }
    if (!h_.rope_freq_factors.empty() && h_.rope_freq_factors.size() != h_.rope_dims / 2) {
      base::fail(ErrorCode::format, "{}: tensor 'rope_freqs.weight' has {} values, expected {}",
                 checkpoint_.source(), h_.rope_freq_factors.size(), h_.rope_dims / 2);
    }
    for (const auto* factors : {&h_.rope_long_factors, &h_.rope_short_factors}) {
      if (!factors->empty() && factors->size() != h_.rope_dims / 2) {
        base::fail(ErrorCode::format, "{}: LongRoPE factors have {} values, expected {} ({} / 2)",
                   checkpoint_.source(), factors->size(), h_.rope_dims / 2, h_.key_rope_dims);
      }
    }
    for (const auto& [flags, key] : {std::pair{&h_.local_layer, &h_.key_local_layers},
                                     std::pair{&h_.no_rope_layer, &h_.key_no_rope_layers}}) {
      if (!flags->empty() && flags->size() != h_.n_layers) {
        key_error(*key,
                  fmt::format("{} per-layer entries for {} layers", flags->size(), h_.n_layers));
      }
    }
    // A family with experts and no dense FFN tensors (qwen3moe) would otherwise have no FFN.
    if (spec_.allows_experts && !wanted(Role::ffn_up) && h_.n_experts == 0) {
      key_error(h_.key_n_experts, fmt::format("'{}' computes a mixture of experts on every "
                                              "layer, but the expert count is 0 or absent",
                                              spec_.name));
    }
    if (spec_.allows_experts && h_.n_experts > 0 &&
        (h_.n_experts_used == 0 || h_.n_experts_used > h_.n_experts)) {
      key_error(h_.key_n_experts,
                fmt::format("{} experts used out of {}", h_.n_experts_used, h_.n_experts));
    }
  }

  bool wanted(Role role) const {
    return spec_.tensors[static_cast<std::size_t>(role)] != Presence::absent;
  }

  const Tensor& required(Role role, std::size_t layer) {
    const Tensor* t = wanted(role) ? checkpoint_.find(role, layer) : nullptr;
    if (!t)
      base::fail(ErrorCode::format, "{}: missing tensor '{}'", checkpoint_.source(),
                 checkpoint_.tensor_name(role, layer));
    return *t;
  }

  const Tensor* optional(Role role, std::size_t layer) {
    if (!wanted(role)) return nullptr;
    const Tensor* t = checkpoint_.find(role, layer);
    if (!t && spec_.tensors[static_cast<std::size_t>(role)] == Presence::required) {
      base::fail(ErrorCode::format, "{}: missing tensor '{}'", checkpoint_.source(),
                 checkpoint_.tensor_name(role, layer));
    }
    return t;
  }

  [[noreturn]] void shape_error(const Tensor& t, Role role, std::size_t layer,
                                const std::string& expected, std::string_view keys) {
    base::fail(ErrorCode::format, "{}: tensor '{}' has shape {}, expected {} (from {})",
               checkpoint_.source(), checkpoint_.tensor_name(role, layer), shape_text(t.shape),
               expected, keys);
  }

  void count(const Tensor& t) {
    out_.n_parameters += t.n_elements();
    out_.weight_bytes += t.data.size();
  }

  // The kernels' type for a stored type, or nullopt for types they do not read.
  static std::optional<nn::WeightType> kernel_type(DType type) {
    switch (type) {
      case DType::f32: return nn::WeightType::f32;
      case DType::f16: return nn::WeightType::f16;
      case DType::bf16: return nn::WeightType::bf16;
      case DType::q8_0: return nn::WeightType::q8_0;
      case DType::q4_0: return nn::WeightType::q4_0;
      case DType::q4_1: return nn::WeightType::q4_1;
      case DType::q5_0: return nn::WeightType::q5_0;
      case DType::q5_1: return nn::WeightType::q5_1;
      case DType::q2_k: return nn::WeightType::q2_k;
      case DType::q3_k: return nn::WeightType::q3_k;
      case DType::q4_k: return nn::WeightType::q4_k;
      case DType::q5_k: return nn::WeightType::q5_k;
      case DType::q6_k: return nn::WeightType::q6_k;
      case DType::iq4_nl: return nn::WeightType::iq4_nl;
      case DType::iq4_xs: return nn::WeightType::iq4_xs;
      default: return std::nullopt;
    }
  }

  nn::WeightMatrix view(const Tensor& t) {
    nn::WeightMatrix m;
    m.rows = static_cast<std::size_t>(t.rows());
    m.cols = static_cast<std::size_t>(t.cols());
    weight_types_.insert(std::string(dtype_name(t.type)));
    const std::optional<nn::WeightType> type = kernel_type(t.type);
    if (!type) {
      // Types the kernels do not read (integer tensors, ...): one dequantized F32 copy.
      out_.dequantized.push_back(to_f32(t));
      out_.copied_weight_bytes += out_.dequantized.back().size() * sizeof(float);
      m.type = nn::WeightType::f32;
      m.data = reinterpret_cast<const std::byte*>(out_.dequantized.back().data());
      return m;
    }
    m.type = *type;
    m.recipe = out_.recipe;
    // The readers already refuse rows that are not whole blocks and files shorter than their
    // tensors; the kernels read rows·row_bytes bytes, so check it here too rather than trust it.
    const std::size_t block = nn::weight_block_values(m.type);
    if (m.cols % block != 0 || t.data.size() != m.rows * nn::weight_row_bytes(m.type, m.cols)) {
      base::fail(ErrorCode::format,
                 "{}: tensor '{}' of type {} holds {} bytes for {} rows of {} values (blocks of "
                 "{} values, {} bytes each)",
                 checkpoint_.source(), t.name, dtype_name(t.type), t.data.size(), m.rows, m.cols,
                 block, nn::weight_block_bytes(m.type));
    }
    m.data = t.data.data();
    return m;
  }

  std::vector<float> vector(const Tensor& t, Role role, std::size_t layer, std::size_t n,
                            std::string_view keys) {
    if (t.shape.size() != 1 || t.shape[0] != static_cast<std::int64_t>(n)) {
      shape_error(t, role, layer, fmt::format("[{}]", n), keys);
    }
    count(t);
    return to_f32(t);
  }

  nn::Norm norm(Role weight, Role bias, std::size_t layer, bool with_bias = true) {
    nn::Norm n;
    n.weight = vector(required(weight, layer), weight, layer, h_.n_embd, h_.key_n_embd);
    if (with_bias && spec_.norm == nn::NormKind::layer) {
      if (const Tensor* b = optional(bias, layer))
        n.bias = vector(*b, bias, layer, h_.n_embd, h_.key_n_embd);
    }
    return n;
  }

  // A q/k norm weight of n values (RMSNorm: no bias).
  nn::Norm qk_norm(Role role, std::size_t layer, std::size_t n, std::string_view keys) {
    nn::Norm norm;
    norm.weight = vector(required(role, layer), role, layer, n, keys);
    return norm;
  }

  nn::Linear linear(Role weight, Role bias, std::size_t layer, std::size_t rows, std::size_t cols,
                    std::string_view keys, bool with_bias = true) {
    const Tensor& t = required(weight, layer);
    if (t.shape.size() != 2 || t.shape[0] != static_cast<std::int64_t>(rows) ||
        t.shape[1] != static_cast<std::int64_t>(cols)) {
      shape_error(t, weight, layer, fmt::format("[{}, {}]", rows, cols), keys);
    }
    nn::Linear l;
    l.weight = view(t);
    count(t);
    if (with_bias) {
      if (const Tensor* b = optional(bias, layer)) l.bias = vector(*b, bias, layer, rows, keys);
    }
    return l;
  }

  const std::string& expert_ffn_key() const {
    return h_.n_ff_expert != 0 ? h_.key_n_ff_expert : h_.key_n_ff;
  }

  std::vector<nn::WeightMatrix> experts(Role role, std::size_t layer, std::size_t rows,
                                        std::size_t cols) {
    if (checkpoint_.find_expert(role, layer, 0)) {
      std::vector<nn::WeightMatrix> each(h_.n_experts);
      for (std::size_t i = 0; i < h_.n_experts; ++i) {
        const Tensor* t = checkpoint_.find_expert(role, layer, i);
        if (!t) {
          base::fail(ErrorCode::format, "{}: missing the tensor of expert {} for '{}'",
                     checkpoint_.source(), i, checkpoint_.tensor_name(role, layer));
        }
        if (t->shape.size() != 2 || t->shape[0] != static_cast<std::int64_t>(rows) ||
            t->shape[1] != static_cast<std::int64_t>(cols)) {
          shape_error(*t, role, layer, fmt::format("[{}, {}] for each expert", rows, cols),
                      expert_ffn_key() + ", " + h_.key_n_embd);
        }
        each[i] = view(*t);
        count(*t);
      }
      return each;
    }
    const Tensor& t = required(role, layer);
    const std::int64_t x = static_cast<std::int64_t>(h_.n_experts);
    if (t.shape.size() != 3 || t.shape[0] != x || t.shape[1] != static_cast<std::int64_t>(rows) ||
        t.shape[2] != static_cast<std::int64_t>(cols)) {
      shape_error(t, role, layer, fmt::format("[{}, {}, {}]", x, rows, cols),
                  h_.key_n_experts + ", " + expert_ffn_key() + ", " + h_.key_n_embd);
    }
    nn::WeightMatrix all = view(t);  // rows = experts·rows
    count(t);
    std::vector<nn::WeightMatrix> slices(h_.n_experts, all);
    for (std::size_t i = 0; i < h_.n_experts; ++i) {
      slices[i].rows = rows;
      slices[i].data = all.data + i * rows * all.row_bytes();
    }
    return slices;
  }

  // A [rows][cols] tensor's values as F32 (the Mamba block's small per-channel tables).
  std::vector<float> table(Role role, std::size_t layer, std::size_t rows, std::size_t cols,
                           std::string_view keys) {
    const Tensor& t = required(role, layer);
    if (t.shape.size() != 2 || t.shape[0] != static_cast<std::int64_t>(rows) ||
        t.shape[1] != static_cast<std::int64_t>(cols)) {
      shape_error(t, role, layer, fmt::format("[{}, {}]", rows, cols), keys);
    }
    count(t);
    return to_f32(t);
  }

  // Per-head [rows][cols] matrices of a [heads][rows][cols] tensor, viewed in place.
  std::vector<nn::WeightMatrix> per_head(Role role, std::size_t layer, std::size_t rows,
                                         std::size_t cols, std::string_view keys) {
    const Tensor& t = required(role, layer);
    const std::size_t heads = h_.n_heads;
    if (t.shape.size() != 3 || t.shape[0] != static_cast<std::int64_t>(heads) ||
        t.shape[1] != static_cast<std::int64_t>(rows) ||
        t.shape[2] != static_cast<std::int64_t>(cols)) {
      shape_error(t, role, layer, fmt::format("[{}, {}, {}]", heads, rows, cols), keys);
    }
    const nn::WeightMatrix all = view(t);
    count(t);
    std::vector<nn::WeightMatrix> slices(heads, all);
    for (std::size_t i = 0; i < heads; ++i) {
      slices[i].rows = rows;
      slices[i].data = all.data + i * rows * all.row_bytes();
    }
    return slices;
  }

  nn::LatentAttentionWeights latent_attention(std::size_t l) {
    const nn::LatentAttentionConfig& a = h_.latent_attention;
    const std::size_t e = h_.n_embd, heads = h_.n_heads, head = a.nope_dim + a.rope_dim;
    const std::string& keys = h_.key_latent;
    nn::LatentAttentionWeights m;
    if (a.q_lora > 0) {
      m.query_a = linear(Role::attn_q_a, Role::attn_q_a, l, a.q_lora, e, keys, false).weight;
      m.query_a_norm =
          vector(required(Role::attn_q_a_norm, l), Role::attn_q_a_norm, l, a.q_lora, keys);
      m.query_b =
          linear(Role::attn_q_b, Role::attn_q_b, l, heads * head, a.q_lora, keys, false).weight;
    } else {
      m.query = linear(Role::attn_q, Role::attn_q, l, heads * head, e, keys, false).weight;
    }
    m.kv_a =
        linear(Role::attn_kv_a_mqa, Role::attn_kv_a_mqa, l, a.kv_lora + a.rope_dim, e, keys, false)
            .weight;
    m.kv_a_norm =
        vector(required(Role::attn_kv_a_norm, l), Role::attn_kv_a_norm, l, a.kv_lora, keys);
    if (checkpoint_.find(Role::attn_k_b, l)) {
      m.key_b = per_head(Role::attn_k_b, l, a.kv_lora, a.nope_dim, keys);
      m.value_b = per_head(Role::attn_v_b, l, a.value_dim, a.kv_lora, keys);
      return m;
    }
    // One [H·(nope + Dv)][kv_lora] matrix: each head's v rows are viewed in place, its k rows
    // transposed (into F32) to the [kv_lora][nope] that the absorbed queries multiply with.
    const std::size_t per = a.nope_dim + a.value_dim;
    const nn::WeightMatrix kv =
        linear(Role::attn_kv_b, Role::attn_kv_b, l, heads * per, a.kv_lora, keys, false).weight;
    std::vector<float> row(a.kv_lora);
    for (std::size_t h = 0; h < heads; ++h) {
      nn::WeightMatrix v = kv;
      v.rows = a.value_dim;
      v.data = kv.row(h * per + a.nope_dim);
      m.value_b.push_back(v);
      std::vector<float>& k = out_.dequantized.emplace_back(a.kv_lora * a.nope_dim);
      for (std::size_t i = 0; i < a.nope_dim; ++i) {
        nn::dequantize_row(kv, h * per + i, row.data());
        for (std::size_t j = 0; j < a.kv_lora; ++j) k[j * a.nope_dim + i] = row[j];
      }
      out_.copied_weight_bytes += k.size() * sizeof(float);
      nn::WeightMatrix kt;
      kt.rows = a.kv_lora;
      kt.cols = a.nope_dim;
      kt.data = reinterpret_cast<const std::byte*>(k.data());
      m.key_b.push_back(kt);
    }
    return m;
  }

  nn::MambaWeights mamba(std::size_t l) {
    const nn::SsmConfig& s = h_.ssm;
    const std::size_t e = h_.n_embd, inner = s.inner, state = s.state, rank = s.dt_rank;
    const std::string keys = h_.key_ssm + ", " + h_.key_n_embd;
    nn::MambaWeights m;
    m.in_proj = linear(Role::ssm_in, Role::ssm_in, l, 2 * inner, e, keys, false).weight;
    m.conv_weight = table(Role::ssm_conv1d, l, inner, s.conv, keys);
    m.conv_bias = vector(required(Role::ssm_conv1d_bias, l), Role::ssm_conv1d_bias, l, inner, keys);
    m.x_proj = linear(Role::ssm_x, Role::ssm_x, l, rank + 2 * state, inner, keys, false).weight;
    if (wanted(Role::ssm_dt_norm)) {
      m.dt_norm = vector(required(Role::ssm_dt_norm, l), Role::ssm_dt_norm, l, rank, keys);
      m.b_norm = vector(required(Role::ssm_b_norm, l), Role::ssm_b_norm, l, state, keys);
      m.c_norm = vector(required(Role::ssm_c_norm, l), Role::ssm_c_norm, l, state, keys);
    }
    nn::Linear dt = linear(Role::ssm_dt, Role::ssm_dt_bias, l, inner, rank, keys);
    m.dt_proj = dt.weight;
    m.dt_bias = std::move(dt.bias);
    if (m.dt_bias.empty()) m.dt_bias.assign(inner, 0.0f);
    m.a = table(Role::ssm_a, l, inner, state, keys);
    m.d = vector(required(Role::ssm_d, l), Role::ssm_d, l, inner, keys);
    m.out_proj = linear(Role::ssm_out, Role::ssm_out, l, e, inner, keys, false).weight;
    return m;
  }

  Checkpoint& checkpoint_;
  const ArchitectureSpec& spec_;
  const HyperParameters& h_;
  BoundModel& out_;
  std::set<std::string> weight_types_;
};

}  // namespace

void bind_weights(Checkpoint& checkpoint, BoundModel& out, nn::QuantRecipe recipe) {
  out.recipe = recipe;
  Binder(checkpoint, out).run();
}

}  // namespace model
LMC_END_NAMESPACE

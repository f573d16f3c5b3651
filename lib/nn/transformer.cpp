#include "nn/transformer.hpp"

#include "nn/attention.hpp"
#include "nn/elementwise.hpp"
#include "nn/matmul.hpp"
#include "nn/normalization.hpp"
#include "nn/softmax.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

LMC_BEGIN_NAMESPACE
namespace nn {

namespace {

// Runs per_token(t) for t < n, split over the pool by token (each token's result depends on
// that token only, so the split cannot change anything).
void for_each_token(base::ThreadPool* pool, std::size_t n,
                    const std::function<void(std::size_t)>& per_token) {
  if (!pool || pool->size() == 1 || n < 4) {
    for (std::size_t t = 0; t < n; ++t) per_token(t);
    return;
  }
  const std::size_t n_tasks = std::min(n, pool->size() * 4);
  const std::size_t per_task = (n + n_tasks - 1) / n_tasks;
  pool->parallel_for(n_tasks, [&](std::size_t task) {
    const std::size_t end = std::min(n, (task + 1) * per_task);
    for (std::size_t t = task * per_task; t < end; ++t) per_token(t);
  });
}

void apply_norm(const TransformerConfig& config, const Norm& norm, const float* x, float* out) {
  if (config.norm == NormKind::rms) {
    rms_norm(x, norm.weight.data(), config.norm_eps, config.n_embd, out);
  } else {
    layer_norm(x, norm.weight.data(), norm.bias.empty() ? nullptr : norm.bias.data(),
               config.norm_eps, config.n_embd, out);
  }
}

void norm_rows(base::ThreadPool* pool, const TransformerConfig& config, const Norm& norm,
               const float* x, float* out, std::size_t n_rows) {
  const std::size_t e = config.n_embd;
  for_each_token(pool, n_rows,
                 [&](std::size_t t) { apply_norm(config, norm, x + t * e, out + t * e); });
}

// The pre-norm of a block, or the residual stream itself when the block has none.
void norm_or_copy(base::ThreadPool* pool, const TransformerConfig& config, const Norm& norm,
                  const float* x, float* out, std::size_t n_rows) {
  if (norm.present()) {
    norm_rows(pool, config, norm, x, out, n_rows);
  } else {
    std::copy_n(x, n_rows * config.n_embd, out);
  }
}

// RMSNorm of each run of norm.weight.size() values of the rows [n_rows][width] (q/k norms).
void norm_runs(base::ThreadPool* pool, const TransformerConfig& config, const Norm& norm, float* x,
               std::size_t width, std::size_t n_rows) {
  const std::size_t run = norm.weight.size();
  for_each_token(pool, n_rows, [&](std::size_t t) {
    float* row = x + t * width;
    for (std::size_t i = 0; i + run <= width; i += run)
      rms_norm(row + i, norm.weight.data(), config.norm_eps, run, row + i);
  });
}

// Gemma 3's local layers: their own base, none of the scaling of the global layers.
RopeConfig local_rope_config(const RopeConfig& global, double base) {
  RopeConfig local;
  local.pairing = global.pairing;
  local.rotated_dims = global.rotated_dims;
  local.base = base;
  return local;
}

bool flagged(const std::vector<bool>& flags, std::size_t layer) {
  return layer < flags.size() && flags[layer];
}

void activate(Activation activation, float* x, std::size_t n) {
  switch (activation) {
    case Activation::silu: silu(x, n); return;
    case Activation::gelu_tanh: gelu_tanh(x, n); return;
    case Activation::gelu_erf: gelu_erf(x, n); return;
  }
}

// At least n floats of `buffer`, which only grows. Batched passes keep their buffers in
// thread_local vectors through this, so that a call reuses the pages of the last one instead
// of allocating, faulting in and zeroing fresh ones (measured: about 3 % of a 512-token pass
// went to the page faults and clearing of feed_forward's buffers). Contents are left over
// from earlier calls: every user writes each element before it reads it.
float* grown(std::vector<float>& buffer, std::size_t n) {
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}

void project(const Linear& linear, const float* x, std::size_t x_stride, std::size_t n_rows,
             float* y, std::size_t y_stride, base::ThreadPool* pool) {
  matmul(linear.weight, x, x_stride, n_rows, y, y_stride, linear.bias_or_null(), pool);
}

// y[T][E] = down(act(gate·x) ⊙ up·x), of the width of gate's rows.
void gated_feed_forward(const TransformerConfig& config, const Linear& gate_w, const Linear& up_w,
                        const Linear& down_w, const float* x, std::size_t n_rows, float* y,
                        base::ThreadPool* pool) {
  const std::size_t e = config.n_embd, f = gate_w.weight.rows;
  thread_local std::vector<float> gate_buffer, up_buffer;
  float* gate = grown(gate_buffer, n_rows * f);
  float* up = grown(up_buffer, n_rows * f);
  const MatmulOutput both[] = {{&gate_w.weight, gate, f, gate_w.bias_or_null()},
                               {&up_w.weight, up, f, up_w.bias_or_null()}};
  matmul_set(both, x, e, n_rows, pool);
  for_each_token(pool, n_rows, [&](std::size_t t) {
    float* g = gate + t * f;
    const float* u = up + t * f;
    activate(config.activation, g, f);
    for (std::size_t i = 0; i < f; ++i) g[i] = g[i] * u[i];
  });
  project(down_w, gate, f, n_rows, y, e, pool);
}

// Group-limited routing (DeepSeek-V2's group_limited_greedy): the experts form expert_groups
// groups of consecutive indices; only the expert_groups_used groups with the highest maximum
// probability (ties to the lower group) keep theirs, the others' become 0, as transformers
// masks them before its top-k.
void limit_to_expert_groups(const TransformerConfig& config, float* p) {
  const std::size_t groups = config.expert_groups;
  if (groups <= 1) return;
  const std::size_t per = config.n_experts / groups;
  std::vector<float> best(groups);
  for (std::size_t g = 0; g < groups; ++g)
    best[g] = *std::max_element(p + g * per, p + (g + 1) * per);
  std::vector<std::size_t> order(groups);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return best[a] > best[b]; });
  for (std::size_t r = config.expert_groups_used; r < groups; ++r)
    std::fill(p + order[r] * per, p + (order[r] + 1) * per, 0.0f);
}

// y[T][E] = down(act(gate·x) ⊙ up·x) for the gated form; the other forms likewise.
void feed_forward(const TransformerConfig& config, const LayerWeights& layer, const float* x,
                  std::size_t n_rows, float* y, base::ThreadPool* pool) {
  const std::size_t e = config.n_embd;
  const FeedForwardKind kind =
      layer.router.present() ? FeedForwardKind::mixture : config.feed_forward;
  const std::size_t f = kind == FeedForwardKind::mixture && config.n_ff_expert != 0
                            ? config.n_ff_expert
                            : config.n_ff;
  switch (kind) {
    case FeedForwardKind::gated:
      gated_feed_forward(config, layer.gate, layer.up, layer.down, x, n_rows, y, pool);
      return;
    case FeedForwardKind::plain: {
      thread_local std::vector<float> up_buffer;
      float* up = grown(up_buffer, n_rows * f);
      project(layer.up, x, e, n_rows, up, f, pool);
      for_each_token(pool, n_rows,
                     [&](std::size_t t) { activate(config.activation, up + t * f, f); });
      project(layer.down, up, f, n_rows, y, e, pool);
      return;
    }
    case FeedForwardKind::gated_fused: {
      thread_local std::vector<float> both_buffer;
      float* both = grown(both_buffer, n_rows * 2 * f);
      project(layer.up, x, e, n_rows, both, 2 * f, pool);
      for_each_token(pool, n_rows, [&](std::size_t t) {
        float* g = both + t * 2 * f;
        activate(config.activation, g, f);
        for (std::size_t i = 0; i < f; ++i) g[i] = g[i] * g[f + i];
      });
      project(layer.down, both, 2 * f, n_rows, y, e, pool);
      return;
    }
    case FeedForwardKind::mixture: {
      const std::size_t n_experts = config.n_experts, used = config.n_experts_used;
      std::vector<float> router(n_rows * n_experts);
      project(layer.router, x, e, n_rows, router.data(), n_experts, pool);
      // choice[t·used + r] = r-th expert of token t (by probability, ties to the lower index);
      // weight = its probability renormalized over the chosen ones.
      std::vector<std::size_t> choice(n_rows * used);
      std::vector<float> choice_weight(n_rows * used);
      for (std::size_t t = 0; t < n_rows; ++t) {
        float* p = router.data() + t * n_experts;
        softmax(p, n_experts);
        limit_to_expert_groups(config, p);
        std::vector<std::size_t> order(n_experts);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return p[a] > p[b]; });
        double total = 0;
        for (std::size_t r = 0; r < used; ++r) total += p[order[r]];
        if (!config.renormalize_experts) total = 1.0;
        for (std::size_t r = 0; r < used; ++r) {
          choice[t * used + r] = order[r];
          choice_weight[t * used + r] = static_cast<float>(p[order[r]] / total);
          if (config.expert_weights_scale != 1.0f)
            choice_weight[t * used + r] = choice_weight[t * used + r] * config.expert_weights_scale;
        }
      }
      // Each expert runs once on the rows routed to it; results land in expert_out[t·used + r].
      std::vector<float> expert_out(n_rows * used * e);
      for (std::size_t expert = 0; expert < n_experts; ++expert) {
        std::vector<std::size_t> slots;
        for (std::size_t s = 0; s < n_rows * used; ++s) {
          if (choice[s] == expert) slots.push_back(s);
        }
        if (slots.empty()) continue;
        const std::size_t m = slots.size();
        std::vector<float> xs(m * e), gate(m * f), up(m * f), out(m * e);
        for (std::size_t i = 0; i < m; ++i)
          std::copy_n(x + slots[i] / used * e, e, xs.data() + i * e);
        matmul(layer.expert_gate[expert], xs.data(), e, m, gate.data(), f, nullptr, pool);
        matmul(layer.expert_up[expert], xs.data(), e, m, up.data(), f, nullptr, pool);
        for (std::size_t i = 0; i < m; ++i) {
          float* g = gate.data() + i * f;
          activate(config.activation, g, f);
          for (std::size_t k = 0; k < f; ++k) g[k] = g[k] * up[i * f + k];
        }
        matmul(layer.expert_down[expert], gate.data(), f, m, out.data(), e, nullptr, pool);
        for (std::size_t i = 0; i < m; ++i)
          std::copy_n(out.data() + i * e, e, expert_out.data() + slots[i] * e);
      }
      // Sum in rank order, a fixed order per token.
      std::fill(y, y + n_rows * e, 0.0f);
      for (std::size_t t = 0; t < n_rows; ++t) {
        for (std::size_t r = 0; r < used; ++r) {
          axpy(choice_weight[t * used + r], expert_out.data() + (t * used + r) * e, y + t * e, e);
        }
      }
      if (layer.shared_gate.present()) {  // DeepSeek-V2: added after the routed experts
        std::vector<float> shared(n_rows * e);
        gated_feed_forward(config, layer.shared_gate, layer.shared_up, layer.shared_down, x, n_rows,
                           shared.data(), pool);
        for (std::size_t i = 0; i < n_rows * e; ++i) y[i] = y[i] + shared[i];
      }
      return;
    }
  }
}

}  // namespace

void Transformer::check_tokens(std::span<const std::int32_t> tokens) const {
  for (std::int32_t token : tokens) {
    if (token < 0 || static_cast<std::size_t>(token) >= config_.n_vocab) {
      base::fail(ErrorCode::invalid_argument, "token id {} is outside the vocabulary (size {})",
                 token, config_.n_vocab);
    }
  }
}

void Transformer::forward(std::span<const std::int32_t> tokens, KvCache& cache,
                          base::ThreadPool* pool, LogitsFor which, float* logits) const {
  check_tokens(tokens);
  cache.reserve(cache.length() + tokens.size());
  for (std::size_t begin = 0; begin < tokens.size(); begin += max_batch) {
    const std::size_t count = std::min(max_batch, tokens.size() - begin);
    const bool is_last_chunk = begin + count == tokens.size();
    LogitsFor chunk_which = which;
    float* chunk_logits = logits;
    if (which == LogitsFor::all) {
      chunk_logits = logits + begin * config_.n_vocab;
    } else if (which == LogitsFor::last && !is_last_chunk) {
      chunk_which = LogitsFor::none;
    }
    const SequenceFeed sequence{tokens.subspan(begin, count), &cache};
    forward_chunk({&sequence, 1}, pool, chunk_which, chunk_logits);
  }
}

void Transformer::forward_many(std::span<const SequenceFeed> sequences, base::ThreadPool* pool,
                               LogitsFor which, float* logits) const {
  std::size_t total = 0;
  for (std::size_t s = 0; s < sequences.size(); ++s) {
    const SequenceFeed& sequence = sequences[s];
    if (!sequence.cache) {
      base::fail(ErrorCode::invalid_argument, "forward_many: sequence {} has no cache", s);
    }
    for (std::size_t r = 0; r < s; ++r) {
      if (sequences[r].cache == sequence.cache) {
        base::fail(ErrorCode::invalid_argument, "forward_many: sequences {} and {} share one cache",
                   r, s);
      }
    }
    if (which == LogitsFor::last && sequence.tokens.empty()) {
      base::fail(ErrorCode::invalid_argument,
                 "forward_many: sequence {} has no token to take the last logits of", s);
    }
    check_tokens(sequence.tokens);
    total += sequence.tokens.size();
  }
  if (total > max_batch) {
    base::fail(ErrorCode::invalid_argument, "forward_many: {} tokens in all, at most {}", total,
               max_batch);
  }
  for (const SequenceFeed& sequence : sequences) {
    sequence.cache->reserve(sequence.cache->length() + sequence.tokens.size());
  }
  if (total == 0) return;
  forward_chunk(sequences, pool, which, logits);
}

// The pass over the rows of every sequence: row r is token r − offset[s] of the sequence s
// whose rows [offset[s], offset[s + 1]) hold it. Matrix products, norms and the FFN run over
// all rows; keys and values go to each sequence's cache, attention and recurrent state per
// sequence.
void Transformer::forward_chunk(std::span<const SequenceFeed> sequences, base::ThreadPool* pool,
                                LogitsFor which, float* logits) const {
  const TransformerConfig& c = config_;
  const TransformerWeights& w = weights_;
  const std::size_t n_seq = sequences.size(), e = c.n_embd;
  const std::size_t q_width = c.n_heads * c.key_dim;
  const std::size_t k_width = c.n_kv_heads * c.key_dim;
  const std::size_t v_width = c.n_kv_heads * c.value_dim;
  const std::size_t attn_width = c.n_heads * c.value_dim;

  std::vector<std::size_t> offset(n_seq + 1, 0), first(n_seq);
  for (std::size_t s = 0; s < n_seq; ++s) {
    first[s] = sequences[s].cache->length();
    offset[s + 1] = offset[s] + sequences[s].tokens.size();
  }
  const std::size_t n = offset[n_seq];
  std::vector<std::int32_t> tokens(n);
  std::vector<std::size_t> positions(n);
  for (std::size_t s = 0; s < n_seq; ++s) {
    const std::size_t count = sequences[s].tokens.size();
    std::copy_n(sequences[s].tokens.begin(), count, tokens.begin() + offset[s]);
    std::iota(positions.begin() + offset[s], positions.begin() + offset[s] + count, first[s]);
    if (w.position_embedding && first[s] + count > w.position_embedding.rows) {
      base::fail(ErrorCode::out_of_range, "position {} is past the model's {} learned positions",
                 first[s] + count - 1, w.position_embedding.rows);
    }
  }
  // One sequence writes its keys and values straight into its cache; several write them to
  // `new_keys`/`new_values` first and copy each sequence's rows into its cache (exact copies).
  const bool single = n_seq == 1;
  std::vector<float> new_keys, new_values;
  if (!single) {
    new_keys.resize(n * k_width);
    new_values.resize(n * v_width);
  }
  // Runs attend(s) for every sequence: one sequence with the pool, several split over it.
  auto per_sequence = [&](const std::function<void(std::size_t, base::ThreadPool*)>& attend) {
    if (single) {
      attend(0, pool);
    } else {
      for_each_token(pool, n_seq, [&](std::size_t s) { attend(s, nullptr); });
    }
  };

  // The activations live with the calling thread between passes (see grown()); each is
  // written before it is read. Local references, because the lambdas below run on the pool's
  // threads, where the thread_local's name would mean their own instance.
  thread_local std::vector<float> x_buffer, normed_buffer, branch_buffer, ffn_out_buffer,
      queries_buffer, attention_buffer, fused_buffer, latent_heads_buffer;
  std::vector<float>& x = x_buffer;  // the residual stream [T][E]
  std::vector<float>& normed = normed_buffer;
  std::vector<float>& branch = branch_buffer;
  std::vector<float>& ffn_out = ffn_out_buffer;
  for (auto* buffer : {&x, &normed, &branch, &ffn_out}) grown(*buffer, n * e);
  for_each_token(pool, n, [&](std::size_t t) {
    float* row = x.data() + t * e;
    dequantize_row(w.token_embedding, static_cast<std::size_t>(tokens[t]), row);
    if (c.embedding_scale > 0) {
      for (std::size_t i = 0; i < e; ++i) row[i] = row[i] * c.embedding_scale;
    }
    if (w.position_embedding) {
      std::vector<float> position(e);
      dequantize_row(w.position_embedding, positions[t], position.data());
      for (std::size_t i = 0; i < e; ++i) row[i] = row[i] + position[i];
    }
  });

  const RopeTable rope =
      c.use_rope ? RopeTable(c.rope, positions.data(), n) : RopeTable(c.rope, positions.data(), 0);
  const bool local_rope = c.use_rope && c.local_rope_base > 0;
  const RopeConfig local_config = local_rope_config(c.rope, c.local_rope_base);
  const RopeTable rope_local(local_config, positions.data(), local_rope ? n : 0);
  std::vector<float>& queries = queries_buffer;
  std::vector<float>& attention = attention_buffer;
  std::vector<float>& fused = fused_buffer;
  std::vector<float>& latent_heads = latent_heads_buffer;
  grown(queries, n * q_width);
  grown(attention, n * attn_width);
  AttentionConfig attention_config{
      c.n_heads,
      c.n_kv_heads,
      c.key_dim,
      c.value_dim,
      c.attention_scale > 0 ? c.attention_scale
                            : static_cast<float>(1.0 / std::sqrt(static_cast<double>(c.key_dim))),
      c.attention_soft_cap,
      0};

  for (std::size_t l = 0; l < c.n_layers; ++l) {
    const LayerWeights& layer = w.layers[l];
    if (layer.mamba.present()) {
      // A Mamba block in place of attention; then the FFN, if the layer has one (Jamba).
      norm_rows(pool, c, layer.attention_norm, x.data(), normed.data(), n);
      per_sequence([&](std::size_t s, base::ThreadPool* p) {
        mamba_block(c.ssm, layer.mamba, normed.data() + offset[s] * e, offset[s + 1] - offset[s],
                    sequences[s].cache->recurrent(l), branch.data() + offset[s] * e, p);
      });
      for (std::size_t i = 0; i < n * e; ++i) x[i] = x[i] + branch[i];
      if (layer.feed_forward_norm.present()) {
        norm_rows(pool, c, layer.feed_forward_norm, x.data(), normed.data(), n);
        feed_forward(c, layer, normed.data(), n, ffn_out.data(), pool);
        for (std::size_t i = 0; i < n * e; ++i) x[i] = x[i] + ffn_out[i];
      }
      continue;
    }
    float* keys = single ? sequences[0].cache->keys(l) + first[0] * k_width : new_keys.data();
    float* values = single ? sequences[0].cache->values(l) + first[0] * v_width : new_values.data();

    norm_or_copy(pool, c, layer.attention_norm, x.data(), normed.data(), n);

    if (layer.latent.present()) {
      latent_queries_keys_values(c.latent_attention, layer.latent, c.n_heads, e, c.norm_eps, rope,
                                 normed.data(), n, queries.data(), keys, values, pool);
    } else if (layer.query_key_value.present()) {
      const std::size_t fused_width = q_width + k_width + v_width;
      grown(fused, n * fused_width);
      project(layer.query_key_value, normed.data(), e, n, fused.data(), fused_width, pool);
      for (std::size_t t = 0; t < n; ++t) {
        const float* row = fused.data() + t * fused_width;
        std::copy_n(row, q_width, queries.data() + t * q_width);
        std::copy_n(row + q_width, k_width, keys + t * k_width);
        std::copy_n(row + q_width + k_width, v_width, values + t * v_width);
      }
    } else {
      const MatmulOutput qkv[] = {
          {&layer.query.weight, queries.data(), q_width, layer.query.bias_or_null()},
          {&layer.key.weight, keys, k_width, layer.key.bias_or_null()},
          {&layer.value.weight, values, v_width, layer.value.bias_or_null()}};
      matmul_set(qkv, normed.data(), e, n, pool);
    }
    if (layer.query_norm.present())
      norm_runs(pool, c, layer.query_norm, queries.data(), q_width, n);
    if (layer.key_norm.present()) norm_runs(pool, c, layer.key_norm, keys, k_width, n);
    const bool local = flagged(c.local_layer, l);
    if (c.use_rope && !layer.latent.present() && !flagged(c.no_rope_layer, l)) {
      const RopeTable& table = local && local_rope ? rope_local : rope;
      for_each_token(pool, n, [&](std::size_t t) {
        table.apply(t, queries.data() + t * q_width, c.n_heads, c.key_dim);
        table.apply(t, keys + t * k_width, c.n_kv_heads, c.key_dim);
      });
    }
    if (!single) {
      for (std::size_t s = 0; s < n_seq; ++s) {
        const std::size_t count = offset[s + 1] - offset[s];
        std::copy_n(keys + offset[s] * k_width, count * k_width,
                    sequences[s].cache->keys(l) + first[s] * k_width);
        std::copy_n(values + offset[s] * v_width, count * v_width,
                    sequences[s].cache->values(l) + first[s] * v_width);
      }
    }

    attention_config.window = 0;
    if (c.sliding_layers == SlidingLayers::all ||
        (c.sliding_layers == SlidingLayers::even && l % 2 == 0) ||
        (c.sliding_layers == SlidingLayers::listed && local)) {
      attention_config.window = c.sliding_window;
    }
    per_sequence([&](std::size_t s, base::ThreadPool* p) {
      KvCache& cache = *sequences[s].cache;
      causal_attention(attention_config, queries.data() + offset[s] * q_width, q_width,
                       offset[s + 1] - offset[s], first[s], cache.keys(l), cache.values(l),
                       attention.data() + offset[s] * attn_width, p);
    });
    if (layer.latent.present()) {
      const std::size_t heads_width = c.n_heads * c.latent_attention.value_dim;
      grown(latent_heads, n * heads_width);
      latent_value_heads(c.latent_attention, layer.latent, c.n_heads, attention.data(), n,
                         latent_heads.data(), pool);
      project(layer.attention_output, latent_heads.data(), heads_width, n, branch.data(), e, pool);
    } else {
      project(layer.attention_output, attention.data(), attn_width, n, branch.data(), e, pool);
    }
    if (layer.post_attention_norm.present()) {
      norm_rows(pool, c, layer.post_attention_norm, branch.data(), branch.data(), n);
    }

    switch (c.residual) {
      case ResidualKind::sequential:
        for (std::size_t i = 0; i < n * e; ++i) x[i] = x[i] + branch[i];
        norm_or_copy(pool, c, layer.feed_forward_norm, x.data(), normed.data(), n);
        feed_forward(c, layer, normed.data(), n, ffn_out.data(), pool);
        if (layer.post_feed_forward_norm.present()) {
          norm_rows(pool, c, layer.post_feed_forward_norm, ffn_out.data(), ffn_out.data(), n);
        }
        for (std::size_t i = 0; i < n * e; ++i) x[i] = x[i] + ffn_out[i];
        break;
      case ResidualKind::parallel_shared:
        feed_forward(c, layer, normed.data(), n, ffn_out.data(), pool);
        for (std::size_t i = 0; i < n * e; ++i) x[i] = x[i] + (branch[i] + ffn_out[i]);
        break;
      case ResidualKind::parallel_separate:
        norm_rows(pool, c, layer.feed_forward_norm, x.data(), normed.data(), n);
        feed_forward(c, layer, normed.data(), n, ffn_out.data(), pool);
        for (std::size_t i = 0; i < n * e; ++i) x[i] = x[i] + (branch[i] + ffn_out[i]);
        break;
    }
  }
  for (std::size_t s = 0; s < n_seq; ++s) {
    sequences[s].cache->set_length(first[s] + offset[s + 1] - offset[s]);
  }

  if (which == LogitsFor::none) return;
  // The rows that get logits: every row, or the last row of each sequence.
  std::size_t n_out = n;
  if (which == LogitsFor::last) {
    n_out = n_seq;
    for (std::size_t s = 0; s < n_seq; ++s) {
      std::copy_n(x.data() + (offset[s + 1] - 1) * e, e, branch.data() + s * e);
    }
  }
  norm_rows(pool, c, w.output_norm, which == LogitsFor::last ? branch.data() : x.data(),
            normed.data(), n_out);
  project(w.output, normed.data(), e, n_out, logits, c.n_vocab, pool);
  if (c.final_soft_cap > 0) {
    for_each_token(pool, n_out, [&](std::size_t t) {
      soft_cap(logits + t * c.n_vocab, c.n_vocab, c.final_soft_cap);
    });
  }
}

}  // namespace nn
LMC_END_NAMESPACE

#include "nn/ssm.hpp"

#include "nn/elementwise.hpp"
#include "nn/matmul.hpp"
#include "nn/normalization.hpp"

#include <algorithm>
#include <functional>

LMC_BEGIN_NAMESPACE
namespace nn {

namespace {

// Runs body(begin, end) over channel ranges covering [0, n). Each channel's result depends on
// that channel only, so the split cannot change any value.
void for_channels(base::ThreadPool* pool, std::size_t n,
                  const std::function<void(std::size_t, std::size_t)>& body) {
  if (!pool || pool->size() == 1 || n < 64) {
    body(0, n);
    return;
  }
  const std::size_t n_tasks = std::min(n / 16, pool->size() * 4);
  const std::size_t per_task = (n + n_tasks - 1) / n_tasks;
  pool->parallel_for(n_tasks, [&](std::size_t task) {
    const std::size_t begin = task * per_task;
    if (begin < n) body(begin, std::min(n, begin + per_task));
  });
}

}  // namespace

float softplus(float v) {
  if (v > 20.0f) return v;
  const double e = exp_fixed(static_cast<double>(v));
  // ln(1 + e) loses e's digits when e is tiny; its series does not.
  if (e < 1e-8) return static_cast<float>(e - 0.5 * e * e);
  return static_cast<float>(log_fixed(1.0 + e));
}

void mamba_block(const SsmConfig& config, const MambaWeights& w, const float* x, std::size_t n_rows,
                 float* state, float* out, base::ThreadPool* pool) {
  const std::size_t n = n_rows, inner = config.inner, s_count = config.state, taps = config.conv,
                    rank = config.dt_rank;
  const std::size_t e = w.in_proj.cols;
  const std::size_t history = taps - 1;
  const std::size_t dbc_width = rank + 2 * s_count;
  float* conv_state = state;                    // [I][K−1], oldest first
  float* scan_state = state + history * inner;  // [I][S]

  // [x ; z] for every row.
  std::vector<float> xz(n * 2 * inner);
  matmul(w.in_proj, x, e, n, xz.data(), 2 * inner, nullptr, pool);

  // Causal depthwise convolution over [history ; x], then SiLU.
  std::vector<float> xc(n * inner);
  for_channels(pool, inner, [&](std::size_t begin, std::size_t end) {
    std::vector<float> window(history + n);
    for (std::size_t c = begin; c < end; ++c) {
      float* hist = conv_state + c * history;
      std::copy_n(hist, history, window.data());
      for (std::size_t t = 0; t < n; ++t) window[history + t] = xz[t * 2 * inner + c];
      const float* tap = w.conv_weight.data() + c * taps;
      for (std::size_t t = 0; t < n; ++t) {
        float sum = 0.0f;
        for (std::size_t k = 0; k < taps; ++k) sum = sum + tap[k] * window[t + k];
        xc[t * inner + c] = sum + w.conv_bias[c];
      }
      std::copy_n(window.data() + n, history, hist);
    }
  });
  silu(xc.data(), xc.size());

  // [dt ; B ; C] per row, optionally RMS-normalised piece by piece.
  std::vector<float> dbc(n * dbc_width);
  matmul(w.x_proj, xc.data(), inner, n, dbc.data(), dbc_width, nullptr, pool);
  if (config.dt_bc_norm) {
    const auto weight = [](const std::vector<float>& v) { return v.empty() ? nullptr : v.data(); };
    for (std::size_t t = 0; t < n; ++t) {
      float* row = dbc.data() + t * dbc_width;
      rms_norm(row, weight(w.dt_norm), config.norm_eps, rank, row);
      rms_norm(row + rank, weight(w.b_norm), config.norm_eps, s_count, row + rank);
      rms_norm(row + rank + s_count, weight(w.c_norm), config.norm_eps, s_count,
               row + rank + s_count);
    }
  }

  // Δ = softplus(dt_proj · dt + bias).
  std::vector<float> delta(n * inner);
  matmul(w.dt_proj, dbc.data(), dbc_width, n, delta.data(), inner, w.dt_bias.data(), pool);
  for (float& v : delta) v = softplus(v);

  // SiLU of the gate.
  std::vector<float> gate(n * inner);
  for (std::size_t t = 0; t < n; ++t)
    std::copy_n(xz.data() + t * 2 * inner + inner, inner, gate.data() + t * inner);
  silu(gate.data(), gate.size());

  // The selective scan, token after token per channel.
  std::vector<float> y(n * inner);
  for_channels(pool, inner, [&](std::size_t begin, std::size_t end) {
    std::vector<float> decay(s_count);
    for (std::size_t c = begin; c < end; ++c) {
      float* h = scan_state + c * s_count;
      const float* a = w.a.data() + c * s_count;
      for (std::size_t t = 0; t < n; ++t) {
        const float dt = delta[t * inner + c];
        const float xv = xc[t * inner + c];
        const float dx = dt * xv;
        const float* b = dbc.data() + t * dbc_width + rank;
        const float* cc = b + s_count;
        for (std::size_t s = 0; s < s_count; ++s) decay[s] = dt * a[s];
        exp_in_place(decay.data(), s_count);
        float sum = 0.0f;
        for (std::size_t s = 0; s < s_count; ++s) {
          h[s] = h[s] * decay[s] + b[s] * dx;
          sum = sum + h[s] * cc[s];
        }
        y[t * inner + c] = (sum + xv * w.d[c]) * gate[t * inner + c];
      }
    }
  });

  matmul(w.out_proj, y.data(), inner, n, out, e, nullptr, pool);
}

}  // namespace nn
LMC_END_NAMESPACE

// Selective state-space layers (Mamba-1 blocks, also Jamba's): a causal depthwise convolution
// and the selective scan, whose recurrent state takes the place of a KV cache.
//
// Per token t, channel c < I (inner width), state index s < S:
//   [x ; z]  = in · n                                   (2I rows: x first, then the gate z)
//   xc[t,c]  = silu(Σ_k conv[c,k] · x[t-(K-1)+k, c] + conv_bias[c])   (K taps; the last
//              tap multiplies the current token; x before the first token is 0)
//   [dt ; B ; C] = x_proj · xc                          (R, S, S rows)
//   dt, B, C are RMS-normalised (weights optional) when SsmConfig::dt_bc_norm (Jamba)
//   Δ[t,c]   = softplus(dt_proj · dt + dt_bias)[c]       (softplus(v) = v for v > 20)
//   h[c,s]   = h[c,s] · exp(Δ[t,c] · A[c,s]) + Δ[t,c] · xc[t,c] · B[t,s]
//   y[t,c]   = Σ_s h[c,s] · C[t,s] + D[c] · xc[t,c],  y ⊙= silu(z)
//   out      = out_proj · y
//
// Numerics: the matrices go through matmul (its fixed order); every other step is computed
// element by element, in a fixed order per element, token after token. A chunk of T tokens
// therefore gives bit-identical outputs and state to T one-token calls, on every thread count
// (threads split channels, never a sum).
#pragma once

#include "base/thread_pool.hpp"
#include "nn/weights.hpp"

#include <cstddef>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace nn {

struct SsmConfig {
  std::size_t inner = 0;    ///< I: channels of the scan (d_inner)
  std::size_t state = 0;    ///< S: state size per channel (d_state)
  std::size_t conv = 0;     ///< K: convolution taps (d_conv), ≥ 1
  std::size_t dt_rank = 0;  ///< R: rank of the Δ projection
  bool dt_bc_norm = false;  ///< RMS-normalise dt, B and C (Jamba, Falcon-Mamba)
  float norm_eps = 1e-5f;   ///< epsilon of those norms

  bool enabled() const { return inner != 0; }
  /// Floats of recurrent state one layer keeps: (K−1)·I convolution history + I·S scan state.
  std::size_t state_floats() const { return (conv - 1) * inner + inner * state; }
};

/// One Mamba block's parameters (vectors as F32; matrices in their stored type).
struct MambaWeights {
  WeightMatrix in_proj;            ///< [2I][E]
  std::vector<float> conv_weight;  ///< [I][K] row-major
  std::vector<float> conv_bias;    ///< [I]
  WeightMatrix x_proj;             ///< [R + 2S][I]
  std::vector<float> dt_norm;      ///< [R], or empty (no weight) — only with dt_bc_norm
  std::vector<float> b_norm;       ///< [S], or empty
  std::vector<float> c_norm;       ///< [S], or empty
  WeightMatrix dt_proj;            ///< [I][R]
  std::vector<float> dt_bias;      ///< [I]
  std::vector<float> a;            ///< [I][S]: A itself (−exp(A_log)), not A_log
  std::vector<float> d;            ///< [I]
  WeightMatrix out_proj;           ///< [E][I]

  bool present() const { return static_cast<bool>(in_proj); }
};

/// Runs the block on `n_rows` normalised rows `x` ([T][E], E = in_proj.cols) and writes
/// out_proj's result to `out` ([T][E]). `state` holds config.state_floats() floats: zero for
/// a fresh sequence, updated to follow the last row.
void mamba_block(const SsmConfig& config, const MambaWeights& weights, const float* x,
                 std::size_t n_rows, float* state, float* out, base::ThreadPool* pool);

/// softplus(v) = ln(1 + e^v) in double with lmc's exp/log, v itself above 20 (as llama.cpp).
float softplus(float v);

}  // namespace nn
LMC_END_NAMESPACE

// Rotary position embedding (RoPE) of query and key heads, with the frequency adjustments that
// context-extension schemes make (linear interpolation, per-pair factors, YaRN's ramp, an
// attention factor on cos and sin). Which scheme a checkpoint asks for, and how its settings
// become these numbers, is decided in lib/model.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>
#include <utility>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace nn {

/// Which pairs of a head's dimensions rotate together.
enum class RopePairing {
  adjacent,    ///< (x[2i], x[2i+1]): llama.cpp's "normal" mode, GGUF llama-family files
  half_split,  ///< (x[i], x[i + rotated/2]): "NeoX" mode, Hugging Face's rotate_half
};

/// The angle of pair i at position p is p · ω_i with
///   ω⁰_i = base^(−2i/rotated_dims) / freq_factors[i]   (the "extrapolated" frequency)
///   ω_i  = ω⁰_i · freq_scale                            without YaRN, and with it
///   ω_i  = ω⁰_i · freq_scale · (1 − r_i) + ω⁰_i · r_i,   r_i = yarn_ext_factor ·
///          (1 − clamp((i − yarn_low) / max(0.001, yarn_high − yarn_low), 0, 1));
/// the rotation's cos and sin are both multiplied by attention_factor.
struct RopeConfig {
  RopePairing pairing = RopePairing::adjacent;
  std::size_t rotated_dims = 0;     ///< dimensions rotated per head (≤ head_dim); the rest pass
  double base = 10000.0;            ///< θ of RoPE
  double freq_scale = 1.0;          ///< linear position interpolation (1 / scaling factor)
  std::vector<float> freq_factors;  ///< per-pair divisors (llama3, LongRoPE); empty: all 1
  double yarn_ext_factor = 0.0;     ///< 0: no YaRN ramp
  double yarn_low = 0.0, yarn_high = 0.0;  ///< YaRN's correction range, in pair indices
  double attention_factor = 1.0;           ///< multiplies cos and sin (YaRN, LongRoPE)
};

/// YaRN's correction range for `rotated_dims` rotated dimensions: the (fractional) pair
/// indices whose wavelength fits beta_fast resp. beta_slow rotations into original_context
/// positions, floored resp. ceiled when `truncate`, and clamped to [0, rotated_dims − 1] (as
/// Hugging Face's find_correction_range and ggml's rope_yarn_corr_dims compute it).
std::pair<double, double> yarn_correction_range(std::size_t rotated_dims, double base,
                                                double original_context, double beta_fast,
                                                double beta_slow, bool truncate);

/// The cos/sin table of one batch: for each of `positions`, rotated_dims/2 pairs.
class RopeTable {
 public:
  RopeTable(const RopeConfig& config, const std::size_t* positions, std::size_t count);

  /// Rotates `n_heads` heads of `head_dim` floats (head h at x + h·head_dim) of token t.
  void apply(std::size_t t, float* x, std::size_t n_heads, std::size_t head_dim) const;

 private:
  const RopeConfig& config_;
  std::size_t pairs_;
  std::vector<float> cos_, sin_;
};

}  // namespace nn
LMC_END_NAMESPACE

// Rotary position embedding (RoPE) of query and key heads.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace nn {

/// Which pairs of a head's dimensions rotate together.
enum class RopePairing {
  adjacent,    ///< (x[2i], x[2i+1]): llama.cpp's "normal" mode, GGUF llama-family files
  half_split,  ///< (x[i], x[i + rotated/2]): "NeoX" mode, Hugging Face's rotate_half
};

struct RopeConfig {
  RopePairing pairing = RopePairing::adjacent;
  std::size_t rotated_dims = 0;  ///< dimensions rotated per head (≤ head_dim); the rest pass
  double base = 10000.0;  ///< θ_i = position · freq_scale · base^(−2i/rotated_dims) / factor_i
  double freq_scale = 1.0;          ///< linear position interpolation (1 / scaling factor)
  std::vector<float> freq_factors;  ///< optional per-pair divisors (llama3 rope_freqs); empty: 1
};

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

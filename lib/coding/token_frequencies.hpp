// The mapping from one row of logits to the integer frequency table the range coder uses.
// Compressor and decompressor both run it on the logits of the same position; since it is
// integer arithmetic after one exact rounding step, identical logits give identical tables
// on every CPU, compiler and SIMD width.
//
// The mapping (docs/container.md, "Token frequencies"), for a vocabulary of V tokens:
//  1. Rounding step: q_i = trunc(clamp(logit_i, -16384, 16384) * 65536), an int32 (NaN is
//     taken as -16384). Multiplying by 2^16 is exact in binary32; truncation is exact.
//  2. y_i = max_j q_j - q_i >= 0, the distance below the largest logit in 2^-16 nats.
//  3. Weight w_i ~ 2^30 * exp(-y_i / 65536) in fixed point: t = (y_i * 6196328019 + 2^31) >> 32
//     is y_i * log2(e) in 2^-16 units; w_i = ((A[t>>8 & 255] * B[t & 255] + 2^29) >> 30)
//     >> (t >> 16), with A[k] = round(2^30 * 2^(-k/256)) and B[k] = round(2^30 * 2^(-k/65536));
//     w_i = 0 when y_i >= 24 * 65536 or t >> 16 >= 31. The largest logit has w = 2^30.
//  4. With W = sum w_i, B = 2^32 - V and M = floor(B * 2^32 / W):
//     f_i = 1 + floor(w_i * M / 2^32), and the remainder 2^32 - sum f_i (< 1.25 V) is added to
//     the first token with the largest weight. Every token gets >= 1; the total is 2^32.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace coding {

inline constexpr unsigned kTokenFrequencyBits = 32;
inline constexpr std::uint64_t kTokenFrequencyTotal = std::uint64_t{1} << kTokenFrequencyBits;
/// Largest vocabulary the mapping supports (keeps sum w_i below 2^54 and V well below 2^32).
inline constexpr std::size_t kMaxCodingVocab = std::size_t{1} << 24;

/// Step 1 of the mapping: the exact fixed-point value of a logit, in 2^-16 nats.
std::int32_t logit_to_fixed(float logit) noexcept;

/// Step 3 of the mapping: 2^30 * exp(-y / 65536) in fixed point, for y >= 0.
std::uint32_t fixed_exp_weight(std::int64_t y) noexcept;

class TokenFrequencies {
 public:
  /// Builds the table from one row of logits (its size is the vocabulary, 2 .. 2^24).
  void assign(std::span<const float> logits);

  std::size_t vocab_size() const noexcept { return weights_.size(); }
  std::uint64_t frequency(std::size_t token) const noexcept {
    return 1 + scaled(token) + (token == largest_ ? remainder_ : 0);
  }
  /// Sum of the frequencies of the tokens before `token`.
  std::uint64_t cumulative(std::size_t token) const noexcept;
  /// The token whose interval [cum, cum + freq) holds position (< total); sets cum and freq.
  std::size_t find(std::uint64_t position, std::uint64_t& cum, std::uint64_t& freq) const noexcept;

 private:
  std::uint64_t scaled(std::size_t token) const noexcept {
    return (weights_[token] * multiplier_) >> 32;
  }

  std::vector<std::uint64_t> weights_;
  std::uint64_t multiplier_ = 0;
  std::size_t largest_ = 0;
  std::uint64_t remainder_ = 0;
};

/// -log2 p(token) with p the softmax of `logits` in double precision (for size reports; never
/// used for coding).
double ideal_token_bits(std::span<const float> logits, std::size_t token);

}  // namespace coding
LMC_END_NAMESPACE

// RoPE scaling. config.json's rope_scaling (or transformers 5's rope_parameters) becomes lmc's
// RoPE numbers as Hugging Face's modeling_rope_utils computes them and as llama.cpp's converter
// stores them in GGUF (rope_freqs for llama3, rope_factors_long/short for LongRoPE, the
// rope.scaling.* keys for linear and YaRN); and the settings that depend on the context a
// session holds (LongRoPE's long or short factors, dynamic NTK's base) are resolved here.
#pragma once

#include "model/checkpoint.hpp"

#include <lmc/hf_config.hpp>

LMC_BEGIN_NAMESPACE
namespace model {

/// Reads rope_parameters (else rope_scaling) of config.json into `h`: rope_theta and
/// partial_rotary_factor inside it, and the scaling of rope_type "default", "linear",
/// "dynamic", "yarn", "llama3" or "longrope" ("su" is longrope's old name; "type" the old
/// key of rope_type). `head_dim` is the per-head width the rotated dimensions derive from;
/// h.rope_dims, h.rope_base and h.context_length (max_position_embeddings) must be set.
/// Throws Error(unsupported) naming the key for a rope type or field lmc does not implement,
/// Error(format) naming the key for a missing or malformed value.
/// `dictionary` names the dictionary to read ("rope_parameters.full_attention."); empty:
/// rope_parameters when config.json has any key in it, else rope_scaling.
void read_hf_rope_scaling(const HfConfig& config, std::size_t head_dim, HyperParameters& h,
                          std::string_view dictionary = {});

/// transformers 5's rope_parameters per layer type ({"full_attention": {...},
/// "sliding_attention": {...}}, Gemma 3): the full-attention dictionary as read_hf_rope_scaling
/// reads one, and the sliding one's rope_theta as h.rope_local_base (its rope_type must be
/// "default": local layers rotate without scaling). False when config.json has neither.
bool read_hf_layer_type_rope(const HfConfig& config, std::size_t head_dim, HyperParameters& h);

/// llama3's per-pair divisors, as llama.cpp's converter writes them to rope_freqs (float32
/// arithmetic, as it does in torch): 1 for wavelengths below original_context /
/// high_freq_factor, `factor` above original_context / low_freq_factor, and
/// 1 / ((1 − s)/factor + s), s = (original_context / wavelength − low) / (high − low), between.
std::vector<float> llama3_rope_factors(std::size_t rope_dims, double base, double factor,
                                       double low_freq_factor, double high_freq_factor,
                                       double original_context);

/// YaRN's attention factor for scaling `factor`: 0.1·mscale·ln(factor) + 1 (1 for factor ≤ 1).
double yarn_mscale(double factor, double mscale = 1.0);

/// Sets `rope` (already filled from `h` by the binder) for a session of `context` positions:
/// LongRoPE's long factors when context > h.rope_original_context, else the short ones;
/// dynamic NTK's base θ·((f·L/M) − (f − 1))^(d/(d−2)) with L = max(context, M), M =
/// h.context_length, d = rotated dimensions (Hugging Face's value for a sequence of L).
void apply_rope_context(const HyperParameters& h, std::size_t context, nn::RopeConfig& rope);

}  // namespace model
LMC_END_NAMESPACE

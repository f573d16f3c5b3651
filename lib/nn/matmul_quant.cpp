// Activation quantization (one scalar implementation for every path) and the scalar reference
// of the integer recipe in matmul.hpp.
#include "nn/matmul_quant.hpp"

#include "nn/cpu_features.hpp"
#include "nn/quant_blocks.hpp"

#include <cpuid.h>

#include <algorithm>
#include <cmath>

LMC_BEGIN_NAMESPACE
namespace nn::detail {

bool cpu_has_avx512_vnni() noexcept {
  // CPUID leaf 7, ECX bit 11 (read directly, as cpu_features.cpp reads F16C, for clang 14).
  static const bool has = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
    return (ecx & (1u << 11)) != 0 && cpu_supports(KernelPath::avx512);
  }();
  return has;
}

std::size_t activation_block(WeightType type) { return quant_traits(type).k_quant ? 256 : 32; }

namespace {

// Nearest integer, ties to even (the default rounding mode), clamped to ±127; NaN → 0.
std::int8_t code(float v) {
  if (!(v == v)) return 0;
  const float r = std::nearbyint(v);
  return static_cast<std::int8_t>(r >= 127.0f ? 127 : r <= -127.0f ? -127 : static_cast<int>(r));
}

void quantize_row(const float* x, std::size_t cols, std::size_t block, std::int8_t* q, float* d,
                  std::int16_t* sum16, std::int32_t* sum32, float* s32, bool avx2) {
  for (std::size_t b = 0; b < cols / block; ++b) {
    const float* v = x + b * block;
    std::int8_t* out = q + b * block;
    float amax = 0.0f;
    if (avx2) {
      amax = block_amax_avx2(v, block);
    } else {
      for (std::size_t i = 0; i < block; ++i) amax = std::max(amax, std::fabs(v[i]));
    }
    const float scale = amax != 0.0f ? 127.0f / amax : 0.0f;
    if (avx2) {
      block_codes_avx2(v, block, scale, out);
    } else {
      for (std::size_t i = 0; i < block; ++i) out[i] = code(v[i] * scale);
    }
    if (block == 32) {
      // As ggml's Q8_0 (x86 path): the scale is stored as fp16, the codes use 127 / amax.
      d[b] = half_to_float(float_to_half(amax / 127.0f));
      int sum = 0;
      for (std::size_t i = 0; i < block; ++i) sum += out[i];
      s32[b] = half_to_float(float_to_half(amax / 127.0f * static_cast<float>(sum)));
    } else {
      // As ggml's Q8_K: float scale 1 / s.
      d[b] = amax != 0.0f ? 1.0f / scale : 0.0f;
    }
  }
  for (std::size_t g = 0; g < cols / 16; ++g) {
    int s = 0;
    for (std::size_t i = 0; i < 16; ++i) s += q[16 * g + i];
    sum16[g] = static_cast<std::int16_t>(s);
  }
  for (std::size_t g = 0; g < cols / 32; ++g) sum32[g] = sum16[2 * g] + sum16[2 * g + 1];
}

}  // namespace

void quantize_activations(const float* x, std::size_t x_stride, std::size_t tokens,
                          std::size_t cols, std::size_t block, QuantizedActivations& out,
                          base::ThreadPool* pool) {
  out.cols = cols;
  out.tokens = tokens;
  out.block = block;
  out.q.resize(tokens * cols);
  out.d.resize(tokens * (cols / block));
  out.sum16.resize(tokens * (cols / 16));
  out.sum32.resize(tokens * (cols / 32));
  out.s32.resize(block == 32 ? tokens * (cols / 32) : 0);
  const bool avx2 = active_kernel_path() != KernelPath::scalar;
  auto one = [&](std::size_t t) {
    quantize_row(x + t * x_stride, cols, block, out.q.data() + t * cols,
                 out.d.data() + t * (cols / block), out.sum16.data() + t * (cols / 16),
                 out.sum32.data() + t * (cols / 32),
                 block == 32 ? out.s32.data() + t * (cols / 32) : nullptr, avx2);
  };
  if (!pool || pool->size() == 1 || tokens < 4) {
    for (std::size_t t = 0; t < tokens; ++t) one(t);
    return;
  }
  const std::size_t n_tasks = std::min(tokens, pool->size() * 4);
  const std::size_t per_task = (tokens + n_tasks - 1) / n_tasks;
  pool->parallel_for(n_tasks, [&](std::size_t task) {
    const std::size_t end = std::min(tokens, (task + 1) * per_task);
    for (std::size_t t = task * per_task; t < end; ++t) one(t);
  });
}

void quant_rows_scalar(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                       const QuantizedActivations& x, float* y, std::size_t y_stride) {
  const QuantTraits traits = quant_traits(w.type);
  const std::size_t chunks = (w.cols + chunk_values - 1) / chunk_values;
  const std::size_t tokens = x.tokens;
  // Per token: 8 lanes (blocks of 32) or one accumulator (K-quants), kept across chunks.
  std::vector<float> state(tokens * 8);
  Chunk c;
  for (std::size_t n = n_begin; n < n_end; ++n) {
    std::fill(state.begin(), state.end(), 0.0f);
    const std::byte* row = w.row(n);
    for (std::size_t ci = 0; ci < chunks; ++ci) {
      decode_chunk(w, row, ci, c);
      for (std::size_t t = 0; t < tokens; ++t) {
        const std::int8_t* xq = x.row_q(t) + ci * chunk_values;
        float* lane = state.data() + 8 * t;
        if (!traits.k_quant) {
          const float* dx = x.row_d(t) + ci * 8;
          const std::int32_t* xsum = x.row_sum32(t) + ci * 8;
          const float* xs = x.row_s32(t) + ci * 8;
          for (std::size_t j = 0; j < c.blocks; ++j) {
            std::int32_t s = 0;
            for (std::size_t i = 0; i < 32; ++i) {
              const std::uint8_t q = c.q[32 * j + i];
              const int value = traits.is_signed ? static_cast<std::int8_t>(q) : q;
              s += value * xq[32 * j + i];
            }
            s -= traits.offset * xsum[j];
            lane[j] = std::fma(c.d[j] * dx[j], static_cast<float>(s), lane[j]);
            if (traits.has_min) {
              lane[j] = std::fma(c.m[j], xs[j], lane[j]);
            }
          }
        } else {
          const float dx = x.row_d(t)[ci];
          const std::int16_t* bsum = x.row_sum16(t) + ci * 16;
          std::int32_t dot = 0, offset = 0, min = 0;
          for (std::size_t g = 0; g < 16; ++g) {
            std::int32_t s = 0;
            for (std::size_t i = 0; i < 16; ++i) {
              const std::uint8_t q = c.q[16 * g + i];
              s += (traits.is_signed ? static_cast<std::int8_t>(q) : q) * xq[16 * g + i];
            }
            dot += c.sc[g] * s;
            offset += c.sc[g] * bsum[g];
            min += c.mn[g] * bsum[g];
          }
          const std::int32_t total = dot - traits.offset * offset;
          lane[0] = std::fma(c.dk * dx, static_cast<float>(total), lane[0]);
          if (traits.has_min) lane[0] = std::fma(c.dmink * dx, static_cast<float>(-min), lane[0]);
        }
      }
    }
    for (std::size_t t = 0; t < tokens; ++t) {
      float* lane = state.data() + 8 * t;
      if (!traits.k_quant) {
        for (std::size_t width = 4; width >= 1; width /= 2) {
          for (std::size_t j = 0; j < width; ++j) lane[j] = lane[j] + lane[j + width];
        }
      }
      y[t * y_stride + n] = lane[0];
    }
  }
}

}  // namespace nn::detail
LMC_END_NAMESPACE

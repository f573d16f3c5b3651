// The AVX2 path's matrix product for many tokens (gemm_avx2.hpp). It computes every output in
// the 16-lane order of matmul.hpp, operation for operation, so its results are those of the
// other kernels bit for bit.
//
// The 16 lanes of one output are two independent chains until the final tree: lanes 0–7 take
// k ≡ 0…7 (mod 16), lanes 8–15 take k ≡ 8…15. The kernel computes them in two passes over K, so
// that an output needs one ymm accumulator at a time instead of two: the tile is 4 tokens × 3
// rows (12 accumulators, 3 weight and 1 activation vector; 7 loads per 12 fused
// multiply-adds). The first pass stores its 8 lanes, the second adds them to its own before
// the tree: reduce_tree_8(low + high), as the one-pass kernels do.
//
// Both operands are packed so that each pass streams contiguous memory: the activations once
// per product, in groups of 4 tokens, [half][k / 16][token][8]; the weights a block of rows at
// a time (decoded exactly from their stored type), in panels of 3 rows, [half][k / 16][row][8].
// F16 panels keep the halves, converted in the pass (vcvtph2ps, exact): half the bytes to stream
// from L2 for the same FMAs, and twice the rows per block (measured 4–10 % faster than F32
// panels; BF16 kept as 16 bits and shifted in the pass was 5 % slower, so BF16 panels are F32).
// K is padded to a multiple of 16 with zeros: a missing lane gets fma(0, 0, lane), as the
// one-pass AVX2 kernel's tail does.
//
// For 8 token groups or more, long rows are walked in K-blocks of at most k_block steps of 16
// (2048 values): a block of rows holds about block_bytes of floats per K-block, so that its
// slice of one K-block stays in L2 while every token group passes it, and a group's slice of
// the activations (4 tokens × 1024 floats per half) stays in L1 while the panels stream past. A
// pass then starts from the accumulators the previous K-block stored and stores its own: the
// same fused multiply-adds in the same order per lane, so a K-block changes no result. Rows of
// up to 2048 values are one K-block.
#include "nn/gemm_avx2.hpp"

#include "nn/simd.hpp"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

LMC_NN_TARGET_AVX2_BEGIN

#include "nn/quant_blocks.hpp"

LMC_BEGIN_NAMESPACE
namespace nn::detail {
namespace {

constexpr std::size_t group_tokens = gemm_avx2_group_tokens;
constexpr std::size_t panel_rows = gemm_avx2_panel_rows;
// Bytes of packed weights (floats, or F16 halves) one block holds per K-block: with one group's
// half of the activations in L1 (4 rows of at most 1024 floats), they stay in the 512 KiB L2 of
// a Zen 2/3 core.
constexpr std::size_t block_bytes = std::size_t{192} << 10;
// Steps of 16 values per K-block, and the token groups from which rows are K-blocked.
constexpr std::size_t k_block = 128;
constexpr std::size_t k_block_min_groups = 8;

// Storage with the alignment of a ymm register (a type of this file only).
struct alignas(32) Lanes8 {
  float v[8];
};

float* floats(std::vector<Lanes8>& buffer, std::size_t n) {
  buffer.resize((n + 7) / 8);
  return buffer.front().v;
}

// The tree of 8 lanes (simd.hpp's reduce_tree_8) of v[0..7] side by side: the same adds of the
// same lanes, so out[i] == reduce_tree_8(v[i]) bit for bit.
inline void reduce_tree_8x8(const __m256* v, float* out) {
  __m256 s4[4];  // s4[p] = [v[2p][j] + v[2p][j+4] | v[2p+1][j] + v[2p+1][j+4]], j < 4
  for (int p = 0; p < 4; ++p) {
    s4[p] = _mm256_add_ps(_mm256_permute2f128_ps(v[2 * p], v[2 * p + 1], 0x20),
                          _mm256_permute2f128_ps(v[2 * p], v[2 * p + 1], 0x31));
  }
  __m256 s2[2];  // s2[q] = [v[4q] s2 0, 1, v[4q+2] s2 0, 1 | v[4q+1] …, v[4q+3] …]
  for (int q = 0; q < 2; ++q) {
    s2[q] = _mm256_add_ps(_mm256_shuffle_ps(s4[2 * q], s4[2 * q + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                          _mm256_shuffle_ps(s4[2 * q], s4[2 * q + 1], _MM_SHUFFLE(3, 2, 3, 2)));
  }
  // [v0, v2, v4, v6 | v1, v3, v5, v7]
  const __m256 r = _mm256_add_ps(_mm256_shuffle_ps(s2[0], s2[1], _MM_SHUFFLE(2, 0, 2, 0)),
                                 _mm256_shuffle_ps(s2[0], s2[1], _MM_SHUFFLE(3, 1, 3, 1)));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, r);
  for (int i = 0; i < 4; ++i) {
    out[2 * i] = lanes[i];
    out[2 * i + 1] = lanes[4 + i];
  }
}

// 8 weights of a panel: floats, or halves converted exactly.
template <typename WT>
inline __m256 load_weights(const WT* p) {
  if constexpr (sizeof(WT) == 2) {
    return _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(p)));
  } else {
    return _mm256_load_ps(p);
  }
}

// Y[t][n] for one group of MT tokens and one panel of NT rows, one half of the lanes, over kn
// steps of K. The accumulators start from `in` (zero when null). Without `y` they are stored at
// `out`; with `y` (the second half's last K-block) they are added to the first half's at `out`
// and the tree of 8 lanes is written to y.
template <int MT, int NT, typename WT>
void tile_pass(const float* xp, const WT* wp, std::size_t kn, const float* in, float* out, float* y,
               std::size_t y_stride) {
  __m256 acc[MT][NT];
  for (int t = 0; t < MT; ++t) {
    for (int n = 0; n < NT; ++n) {
      acc[t][n] = in ? _mm256_load_ps(in + 8 * (t * NT + n)) : _mm256_setzero_ps();
    }
  }
  // Two steps per iteration (measured: 3–4 % faster on Zen 3).
#pragma GCC unroll 2
  for (std::size_t k = 0; k < kn; ++k) {
    __m256 wv[NT];
    for (int n = 0; n < NT; ++n) wv[n] = load_weights(wp + 8 * n);
    for (int t = 0; t < MT; ++t) {
      const __m256 xv = _mm256_load_ps(xp + 8 * t);
      for (int n = 0; n < NT; ++n) acc[t][n] = _mm256_fmadd_ps(xv, wv[n], acc[t][n]);
    }
    wp += 8 * NT;
    xp += 8 * MT;
  }
  if (!y) {
    for (int t = 0; t < MT; ++t) {
      for (int n = 0; n < NT; ++n) _mm256_store_ps(out + 8 * (t * NT + n), acc[t][n]);
    }
    return;
  }
  // low + high, then the tree of 8 lanes for 8 outputs at a time (the last group padded with
  // copies of its first output).
  constexpr int outputs = MT * NT, groups = (outputs + 7) / 8;
  __m256 v[8 * groups];
  for (int i = 0; i < 8 * groups; ++i) {
    const int o = i < outputs ? i : 8 * (i / 8);
    v[i] = _mm256_add_ps(_mm256_load_ps(out + 8 * o), acc[o / NT][o % NT]);
  }
  alignas(32) float sums[8 * groups];
  for (int g = 0; g < groups; ++g) reduce_tree_8x8(v + 8 * g, sums + 8 * g);
  for (int t = 0; t < MT; ++t) {
    for (int n = 0; n < NT; ++n) y[t * y_stride + n] = sums[t * NT + n];
  }
}

template <typename WT>
using TilePass = void (*)(const float*, const WT*, std::size_t, const float*, float*, float*,
                          std::size_t);

// The pass for mt ≤ MT tokens and nt ≤ NT rows.
template <int MT, int NT, typename WT>
TilePass<WT> tile_pass_for(std::size_t mt, std::size_t nt) {
  if constexpr (MT > 1) {
    if (mt < static_cast<std::size_t>(MT)) return tile_pass_for<MT - 1, NT, WT>(mt, nt);
  }
  if constexpr (NT > 1) {
    if (nt < static_cast<std::size_t>(NT)) return tile_pass_for<MT, NT - 1, WT>(mt, nt);
  }
  return tile_pass<MT, NT, WT>;
}

// One weight row's K values into its place in a panel of `nt` rows: 8 values at a time from
// `load(k)` (k a multiple of 8, all 8 in the row), the last ones from `one(k)`, zeros after.
template <typename Load, typename One>
void pack_row(Load load, One one, std::size_t cols, std::size_t k16, std::size_t nt, float* dst) {
  const std::size_t full = cols / 8;
  for (std::size_t c = 0; c < 2 * k16; ++c) {
    float* out = dst + ((c % 2) * k16 + c / 2) * nt * 8;
    if (c < full) {
      _mm256_store_ps(out, load(8 * c));
    } else {
      for (std::size_t j = 0; j < 8; ++j) out[j] = 8 * c + j < cols ? one(8 * c + j) : 0.0f;
    }
  }
}

// Rows [n_begin, n_end) of F16 w as panels of halves in the layout of pack_rows (converted to
// float in the pass, exactly).
void pack_rows_f16(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end, std::size_t k16,
                   std::uint16_t* out) {
  const std::size_t cols = w.cols, full = cols / 8;
  for (std::size_t p = n_begin; p < n_end; p += panel_rows) {
    const std::size_t nt = std::min(panel_rows, n_end - p);
    std::uint16_t* panel = out + (p - n_begin) * k16 * 16;
    for (std::size_t r = 0; r < nt; ++r) {
      const std::byte* row = w.row(p + r);
      for (std::size_t c = 0; c < 2 * k16; ++c) {
        std::uint16_t* o = panel + 8 * r + ((c % 2) * k16 + c / 2) * nt * 8;
        if (c < full) {
          _mm_store_si128(reinterpret_cast<__m128i*>(o),
                          _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 16 * c)));
        } else {
          for (std::size_t j = 0; j < 8; ++j) {
            o[j] = 8 * c + j < cols ? load_u16(row + 2 * (8 * c + j)) : std::uint16_t{0};
          }
        }
      }
    }
  }
}

// Rows [n_begin, n_end) of w, exactly decoded, as panels of panel_rows rows (the last may have
// fewer) at `out`.
void pack_rows(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end, std::size_t k16,
               float* out, std::vector<Lanes8>& row_buffer) {
  const std::size_t cols = w.cols;
  for (std::size_t p = n_begin; p < n_end; p += panel_rows) {
    const std::size_t nt = std::min(panel_rows, n_end - p);
    float* panel = out + (p - n_begin) * k16 * 16;
    for (std::size_t r = 0; r < nt; ++r) {
      const std::byte* row = w.row(p + r);
      float* dst = panel + 8 * r;
      switch (w.type) {
        case WeightType::f32: {
          const float* f = reinterpret_cast<const float*>(row);
          pack_row([f](std::size_t k) { return _mm256_loadu_ps(f + k); },
                   [f](std::size_t k) { return f[k]; }, cols, k16, nt, dst);
          break;
        }
        case WeightType::bf16:
          pack_row(
              [row](std::size_t k) {
                const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * k));
                return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
              },
              [row](std::size_t k) { return bf16_to_float(load_u16(row + 2 * k)); }, cols, k16, nt,
              dst);
          break;
        case WeightType::q8_0:
          // d · q, one float multiply per value, as every path decodes it.
          pack_row(
              [row](std::size_t k) {
                const std::byte* block = row + (k / q8_0_block_values) * q8_0_block_bytes;
                const __m256 d = _mm256_set1_ps(_cvtsh_ss(load_u16(block)));
                const __m128i q = _mm_loadl_epi64(
                    reinterpret_cast<const __m128i*>(block + 2 + k % q8_0_block_values));
                return _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q)));
              },
              [row](std::size_t k) {
                const std::byte* block = row + (k / q8_0_block_values) * q8_0_block_bytes;
                return _cvtsh_ss(load_u16(block)) * static_cast<float>(static_cast<std::int8_t>(
                                                        block[2 + k % q8_0_block_values]));
              },
              cols, k16, nt, dst);
          break;
        default: {
          // The other block types: the float recipe's row (dequantize_row's floats), then packed.
          float* f = floats(row_buffer, (cols + chunk_values - 1) / chunk_values * chunk_values);
          dequantize_row_avx2(w, p + r, f);
          pack_row([f](std::size_t k) { return _mm256_load_ps(f + k); },
                   [f](std::size_t k) { return f[k]; }, cols, k16, nt, dst);
          break;
        }
      }
    }
  }
}

}  // namespace

std::size_t gemm_avx2_packed_floats(std::size_t tokens, std::size_t cols) {
  return tokens * ((cols + 15) / 16) * 16;
}

void gemm_avx2_pack_activations(const float* x, std::size_t x_stride, std::size_t tokens,
                                std::size_t cols, std::size_t group_begin, std::size_t group_end,
                                float* out) {
  const std::size_t k16 = (cols + 15) / 16;
  for (std::size_t g = group_begin; g < group_end; ++g) {
    const std::size_t t0 = g * group_tokens;
    const std::size_t mt = std::min(group_tokens, tokens - t0);
    float* o = out + t0 * k16 * 16;
    for (std::size_t h = 0; h < 2; ++h) {
      for (std::size_t k = 0; k < k16; ++k) {
        const std::size_t c = 16 * k + 8 * h;
        for (std::size_t t = 0; t < mt; ++t, o += 8) {
          const float* xt = x + (t0 + t) * x_stride;
          if (c + 8 <= cols) {
            _mm256_storeu_ps(o, _mm256_loadu_ps(xt + c));
          } else {
            for (std::size_t j = 0; j < 8; ++j) o[j] = c + j < cols ? xt[c + j] : 0.0f;
          }
        }
      }
    }
  }
}

namespace {

// The product with the weights packed as WT (float, or std::uint16_t for F16).
template <typename WT>
void rows(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end, const float* packed_x,
          std::size_t tokens, float* y, std::size_t y_stride) {
  const std::size_t k16 = (w.cols + 15) / 16;
  const std::size_t groups = (tokens + group_tokens - 1) / group_tokens;
  // Few groups read a block's weights only a few times: one K-block then costs less than
  // keeping each group's accumulators between K-blocks (measured).
  const std::size_t kb_steps = groups >= k_block_min_groups ? std::min(k16, k_block) : k16;
  const std::size_t block_rows =
      std::clamp<std::size_t>(block_bytes / (kb_steps * 16 * sizeof(WT)), panel_rows, 1020) /
      panel_rows * panel_rows;
  // Accumulators between passes: per half and panel, 8 lanes of each of its outputs; with
  // several K-blocks for every token group, since a K-block passes all groups before the next.
  const std::size_t state_groups = kb_steps < k16 ? groups : 1;
  const std::size_t half_floats = block_rows * group_tokens * 8;
  thread_local std::vector<Lanes8> weights_buffer, state_buffer, row_buffer;
  WT* packed_w = reinterpret_cast<WT*>(floats(
      weights_buffer, (std::min(block_rows, n_end - n_begin) * k16 * 16 * sizeof(WT) + 3) / 4));
  float* state = floats(state_buffer, state_groups * 2 * half_floats);
  for (std::size_t nb = n_begin; nb < n_end; nb += block_rows) {
    const std::size_t ne = std::min(n_end, nb + block_rows);
    if constexpr (sizeof(WT) == 2) {
      pack_rows_f16(w, nb, ne, k16, packed_w);
    } else {
      pack_rows(w, nb, ne, k16, packed_w, row_buffer);
    }
    for (std::size_t kb = 0; kb < k16; kb += kb_steps) {
      const std::size_t kn = std::min(kb_steps, k16 - kb);
      const bool last = kb + kn == k16;
      for (std::size_t g = 0; g < groups; ++g) {
        const std::size_t t0 = g * group_tokens;
        const std::size_t mt = std::min(group_tokens, tokens - t0);
        const float* xg = packed_x + t0 * k16 * 16;
        float* group_state = state + (g % state_groups) * 2 * half_floats;
        for (std::size_t h = 0; h < 2; ++h) {
          for (std::size_t p = nb; p < ne; p += panel_rows) {
            const std::size_t nt = std::min(panel_rows, ne - p);
            const WT* panel = packed_w + (p - nb) * k16 * 16;
            float* low = group_state + (p - nb) * group_tokens * 8;
            float* own = low + h * half_floats;
            float* out_y = h == 1 && last ? y + t0 * y_stride + p : nullptr;
            tile_pass_for<group_tokens, panel_rows, WT>(mt, nt)(
                xg + (h * k16 + kb) * mt * 8, panel + (h * k16 + kb) * nt * 8, kn,
                kb == 0 ? nullptr : own, out_y ? low : own, out_y, y_stride);
          }
        }
      }
    }
  }
}

}  // namespace

void gemm_avx2_rows(const WeightMatrix& w, std::size_t n_begin, std::size_t n_end,
                    const float* packed_x, std::size_t tokens, float* y, std::size_t y_stride) {
  if (n_begin >= n_end || tokens == 0) return;
  if (w.type == WeightType::f16) {
    rows<std::uint16_t>(w, n_begin, n_end, packed_x, tokens, y, y_stride);
  } else {
    rows<float>(w, n_begin, n_end, packed_x, tokens, y, y_stride);
  }
}

}  // namespace nn::detail
LMC_END_NAMESPACE

LMC_NN_TARGET_END

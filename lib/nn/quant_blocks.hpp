// Decoding of quantized weight blocks into the small per-thread tile the integer kernels read
// (lib/nn/matmul_quant.hpp): one chunk of 256 values of one row, as unsigned codes plus the
// block's integer sub-scales and float scales. Included by matmul.cpp and by each SIMD file,
// which compile it under their own target options; everything here has internal linkage so
// that the copies never mix (an AVX2 copy must not serve the scalar path).
//
// Every function is plain integer code, so every copy computes the same bytes.
#pragma once

#include "base/k_quant_scales.hpp"
#include "nn/weights.hpp"

#include <immintrin.h>

#include <array>
#include <cstdint>
#include <cstring>

LMC_BEGIN_NAMESPACE
namespace nn::detail {
namespace {  // NOLINT(google-build-namespaces): one private copy per including file

/// Values per chunk: one K-quant super-block, or 8 blocks of 32.
constexpr std::size_t chunk_values = 256;

/// What the integer recipe needs of one chunk of one weight row.
struct Chunk {
  /// Codes in element order: unsigned for every type but q8_0 (whose bytes are int8) and the
  /// iq4 types (whose codes are stored as their int8 levels).
  alignas(32) std::uint8_t q[chunk_values];
  /// Blocks of 32 (q4_0 … q8_0): scale and min (0 for the symmetric types) of each block.
  alignas(32) float d[8];
  alignas(32) float m[8];
  /// K-quants: integer scale and min of each group of 16 values (a scale of 32 values is
  /// repeated), and the super-block's float scale d and min scale dmin.
  alignas(32) std::int16_t sc[16];
  alignas(32) std::int16_t mn[16];
  float dk = 0;
  float dmink = 0;
  std::size_t blocks = 0;  ///< blocks of 32 in this chunk (8 but for a row's last chunk)
};

/// How a type's codes become values: value = code − offset (× scales), minus a min term when
/// has_min; q8_0's codes are already signed.
struct QuantTraits {
  int offset;
  bool has_min;
  bool is_signed;
  bool k_quant;
};

constexpr QuantTraits quant_traits(WeightType type) {
  switch (type) {
    case WeightType::q8_0: return {0, false, true, false};
    case WeightType::q4_0: return {8, false, false, false};
    case WeightType::q4_1: return {0, true, false, false};
    case WeightType::q5_0: return {16, false, false, false};
    case WeightType::q5_1: return {0, true, false, false};
    case WeightType::q2_k: return {0, true, false, true};
    case WeightType::q3_k: return {4, false, false, true};
    case WeightType::q4_k: return {0, true, false, true};
    case WeightType::q5_k: return {0, true, false, true};
    case WeightType::q6_k: return {32, false, false, true};
    case WeightType::iq4_nl: return {0, false, true, false};
    case WeightType::iq4_xs: return {0, false, true, true};
    default: return {0, false, false, false};
  }
}

inline float block_half(const std::uint8_t* p) {
  std::uint16_t bits;
  std::memcpy(&bits, p, 2);
  return half_to_float(bits);
}

inline std::uint16_t block_u16(const std::uint8_t* p) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

inline std::uint32_t block_u32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The eight 6-bit scales and mins of base::k4_scale_min (Q4_K, Q5_K), one byte each in `scales`
// and `mins`, from the 12 packed bytes at `packed`, four bytes at a time: bytes 0–3 hold scales
// 0–3 and the high bits of scales 4–7, bytes 4–7 mins 0–3 and the high bits of mins 4–7, bytes
// 8–11 the low nibbles of scales (low) and mins (high) 4–7.
inline void k4_scales_mins(const std::uint8_t* packed, std::uint64_t& scales, std::uint64_t& mins) {
  const std::uint32_t u0 = block_u32(packed), u1 = block_u32(packed + 4),
                      u2 = block_u32(packed + 8);
  scales =
      (u0 & 0x3f3f3f3fu) |
      (static_cast<std::uint64_t>((u2 & 0x0f0f0f0fu) | (((u0 >> 6) & 0x03030303u) << 4)) << 32);
  mins = (u1 & 0x3f3f3f3fu) |
         (static_cast<std::uint64_t>(((u2 >> 4) & 0x0f0f0f0fu) | (((u1 >> 6) & 0x03030303u) << 4))
          << 32);
}

// --- blocks of 32 ---------------------------------------------------------------------------

// ggml's 16 non-uniform levels of the iq4 codes (kvalues_iq4nl), denser near zero.
inline constexpr std::int8_t iq4_levels[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                               1,    13,   25,  38,  53,  69,  89,  113};

// 32 iq4 codes (16 bytes of nibbles, low nibbles first) as their levels, stored as int8 bytes.
inline void decode_iq4_nibbles(const std::uint8_t* qs, std::uint8_t* q) {
  for (int j = 0; j < 16; ++j) {
    q[j] = static_cast<std::uint8_t>(iq4_levels[qs[j] & 0x0f]);
    q[j + 16] = static_cast<std::uint8_t>(iq4_levels[qs[j] >> 4]);
  }
}

inline void decode_nibbles(const std::uint8_t* qs, std::uint8_t* q) {
  for (int j = 0; j < 16; ++j) {
    q[j] = static_cast<std::uint8_t>(qs[j] & 0x0f);
    q[j + 16] = static_cast<std::uint8_t>(qs[j] >> 4);
  }
}

inline void decode_fifth_bits(std::uint32_t qh, std::uint8_t* q) {
  for (int j = 0; j < 32; ++j) q[j] = static_cast<std::uint8_t>(q[j] | (((qh >> j) & 1u) << 4));
}

inline void decode_block32(WeightType type, const std::uint8_t* b, std::uint8_t* q, float& d,
                           float& m) {
  d = block_half(b);
  m = 0;
  switch (type) {
    case WeightType::q8_0: std::memcpy(q, b + 2, 32); return;
    case WeightType::q4_0: decode_nibbles(b + 2, q); return;
    case WeightType::q4_1:
      m = block_half(b + 2);
      decode_nibbles(b + 4, q);
      return;
    case WeightType::q5_0:
      decode_nibbles(b + 6, q);
      decode_fifth_bits(block_u32(b + 2), q);
      return;
    case WeightType::q5_1:
      m = block_half(b + 2);
      decode_nibbles(b + 8, q);
      decode_fifth_bits(block_u32(b + 4), q);
      return;
    case WeightType::iq4_nl: decode_iq4_nibbles(b + 2, q); return;
    default: return;
  }
}

// --- K-quants (super-blocks of 256) ---------------------------------------------------------

inline void decode_q2_k(const std::uint8_t* b, Chunk& c) {
  const std::uint8_t* scales = b;
  const std::uint8_t* qs = b + 16;
  for (int g = 0; g < 16; ++g) {
    c.sc[g] = static_cast<std::int16_t>(scales[g] & 0x0f);
    c.mn[g] = static_cast<std::int16_t>(scales[g] >> 4);
  }
  // Element 128h + 32s + 16p + l is bits 2s..2s+1 of qs[32h + 16p + l].
  for (int h = 0; h < 2; ++h) {
    for (int s = 0; s < 4; ++s) {
      for (int l = 0; l < 32; ++l) {
        c.q[128 * h + 32 * s + l] = static_cast<std::uint8_t>((qs[32 * h + l] >> (2 * s)) & 3);
      }
    }
  }
  c.dk = block_half(b + 80);
  c.dmink = block_half(b + 82);
}

inline void decode_q3_k(const std::uint8_t* b, Chunk& c) {
  const std::uint8_t* hmask = b;
  const std::uint8_t* qs = b + 32;
  const std::uint8_t* packed = b + 96;
  for (int i = 0; i < 16; ++i) {
    const int low = (i < 8) ? (packed[i] & 0x0f) : (packed[i - 8] >> 4);
    const int high = (packed[8 + (i % 4)] >> (2 * (i / 4))) & 3;
    c.sc[i] = static_cast<std::int16_t>((low | (high << 4)) - 32);
    c.mn[i] = 0;
  }
  // Element 128h + 32s + l: low bits 2s.. of qs[32h + l], high bit 4h + s of hmask[l]; the
  // value is code − 4 with code = low + 4·high.
  for (int h = 0; h < 2; ++h) {
    for (int s = 0; s < 4; ++s) {
      for (int l = 0; l < 32; ++l) {
        const int low = (qs[32 * h + l] >> (2 * s)) & 3;
        const int high = (hmask[l] >> (4 * h + s)) & 1;
        c.q[128 * h + 32 * s + l] = static_cast<std::uint8_t>(low | (high << 2));
      }
    }
  }
  c.dk = block_half(b + 108);
  c.dmink = 0;
}

inline void k4_scales(const std::uint8_t* packed, Chunk& c) {
  for (int j = 0; j < 8; ++j) {
    int scale = 0, min = 0;
    base::k4_scale_min(j, packed, scale, min);
    c.sc[2 * j] = c.sc[2 * j + 1] = static_cast<std::int16_t>(scale);
    c.mn[2 * j] = c.mn[2 * j + 1] = static_cast<std::int16_t>(min);
  }
}

inline void decode_q4_k(const std::uint8_t* b, Chunk& c) {
  c.dk = block_half(b);
  c.dmink = block_half(b + 2);
  k4_scales(b + 4, c);
  const std::uint8_t* qs = b + 16;
  // 64 values per 32 bytes: low nibbles first, then high nibbles.
  for (int g = 0; g < 4; ++g) {
    for (int l = 0; l < 32; ++l) {
      c.q[64 * g + l] = static_cast<std::uint8_t>(qs[32 * g + l] & 0x0f);
      c.q[64 * g + 32 + l] = static_cast<std::uint8_t>(qs[32 * g + l] >> 4);
    }
  }
}

inline void decode_q5_k(const std::uint8_t* b, Chunk& c) {
  c.dk = block_half(b);
  c.dmink = block_half(b + 2);
  k4_scales(b + 4, c);
  const std::uint8_t* qh = b + 16;
  const std::uint8_t* ql = b + 48;
  for (int g = 0; g < 4; ++g) {
    for (int l = 0; l < 32; ++l) {
      c.q[64 * g + l] =
          static_cast<std::uint8_t>((ql[32 * g + l] & 0x0f) | (((qh[l] >> (2 * g)) & 1) << 4));
      c.q[64 * g + 32 + l] =
          static_cast<std::uint8_t>((ql[32 * g + l] >> 4) | (((qh[l] >> (2 * g + 1)) & 1) << 4));
    }
  }
}

inline void decode_q6_k(const std::uint8_t* b, Chunk& c) {
  const std::uint8_t* ql = b;
  const std::uint8_t* qh = b + 128;
  for (int g = 0; g < 16; ++g) {
    c.sc[g] = static_cast<std::int16_t>(static_cast<std::int8_t>(b[192 + g]));
    c.mn[g] = 0;
  }
  for (int h = 0; h < 2; ++h) {
    const std::uint8_t* l6 = ql + 64 * h;
    const std::uint8_t* h6 = qh + 32 * h;
    std::uint8_t* q = c.q + 128 * h;
    for (int l = 0; l < 32; ++l) {
      q[l] = static_cast<std::uint8_t>((l6[l] & 0x0f) | ((h6[l] & 3) << 4));
      q[l + 32] = static_cast<std::uint8_t>((l6[l + 32] & 0x0f) | (((h6[l] >> 2) & 3) << 4));
      q[l + 64] = static_cast<std::uint8_t>((l6[l] >> 4) | (((h6[l] >> 4) & 3) << 4));
      q[l + 96] = static_cast<std::uint8_t>((l6[l + 32] >> 4) | (((h6[l] >> 6) & 3) << 4));
    }
  }
  c.dk = block_half(b + 208);
  c.dmink = 0;
}

// IQ4_XS: d, 16 bits holding the 2 high bits of each group's scale, 4 bytes of low nibbles,
// then 8 groups of 32 codes. A group's scale is (low | high << 4) − 32, repeated for both of
// its halves of 16.
inline void decode_iq4_xs(const std::uint8_t* b, Chunk& c) {
  c.dk = block_half(b);
  c.dmink = 0;
  const std::uint32_t high =
      static_cast<std::uint32_t>(b[2]) | (static_cast<std::uint32_t>(b[3]) << 8);
  for (int g = 0; g < 8; ++g) {
    const int low = (b[4 + g / 2] >> (4 * (g % 2))) & 0x0f;
    const int scale = (low | static_cast<int>(((high >> (2 * g)) & 3) << 4)) - 32;
    c.sc[2 * g] = c.sc[2 * g + 1] = static_cast<std::int16_t>(scale);
    c.mn[2 * g] = c.mn[2 * g + 1] = 0;
    decode_iq4_nibbles(b + 8 + 16 * g, c.q + 32 * g);
  }
}

/// Chunk `index` (values 256·index …) of weight row `row` of a quantized type.
inline void decode_chunk(const WeightMatrix& w, const std::byte* row, std::size_t index, Chunk& c) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(row);
  if (quant_traits(w.type).k_quant) {
    const std::uint8_t* b = bytes + index * weight_block_bytes(w.type);
    c.blocks = 8;
    switch (w.type) {
      case WeightType::q2_k: decode_q2_k(b, c); return;
      case WeightType::q3_k: decode_q3_k(b, c); return;
      case WeightType::q4_k: decode_q4_k(b, c); return;
      case WeightType::q5_k: decode_q5_k(b, c); return;
      case WeightType::q6_k: decode_q6_k(b, c); return;
      case WeightType::iq4_xs: decode_iq4_xs(b, c); return;
      default: return;
    }
  }
  const std::size_t block_bytes = weight_block_bytes(w.type);
  const std::size_t first = index * 8, row_blocks = w.cols / 32;
  c.blocks = row_blocks - first < 8 ? row_blocks - first : 8;
  for (std::size_t j = 0; j < 8; ++j) {
    if (j < c.blocks) {
      decode_block32(w.type, bytes + (first + j) * block_bytes, c.q + 32 * j, c.d[j], c.m[j]);
    } else {
      c.d[j] = c.m[j] = 0;
      std::memset(c.q + 32 * j, 0, 32);
    }
  }
}

// Q4_K and Q6_K super-block b decoded with AVX2 into element order, the bytes decode_q4_k and
// decode_q6_k write.
__attribute__((target("avx2,f16c"))) inline void decode_k_avx2(WeightType type,
                                                               const std::uint8_t* b, Chunk& c) {
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  if (type == WeightType::q4_k) {
    c.dk = _cvtsh_ss(block_u16(b));
    c.dmink = _cvtsh_ss(block_u16(b + 2));
    std::uint64_t scales = 0, mins = 0;
    k4_scales_mins(b + 4, scales, mins);
    // Each scale covers two groups of 16: repeat it.
    const __m128i s8 = _mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<long long>(scales)));
    const __m128i m8 = _mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<long long>(mins)));
    _mm256_store_si256(reinterpret_cast<__m256i*>(c.sc),
                       _mm256_set_m128i(_mm_unpackhi_epi16(s8, s8), _mm_unpacklo_epi16(s8, s8)));
    _mm256_store_si256(reinterpret_cast<__m256i*>(c.mn),
                       _mm256_set_m128i(_mm_unpackhi_epi16(m8, m8), _mm_unpacklo_epi16(m8, m8)));
    for (int g = 0; g < 4; ++g) {
      const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16 + 32 * g));
      _mm256_store_si256(reinterpret_cast<__m256i*>(c.q + 64 * g), _mm256_and_si256(q, low4));
      _mm256_store_si256(reinterpret_cast<__m256i*>(c.q + 64 * g + 32),
                         _mm256_and_si256(_mm256_srli_epi16(q, 4), low4));
    }
    return;
  }
  // q6_k
  const __m256i low2 = _mm256_set1_epi8(0x03);
  _mm256_store_si256(
      reinterpret_cast<__m256i*>(c.sc),
      _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 192))));
  _mm256_store_si256(reinterpret_cast<__m256i*>(c.mn), _mm256_setzero_si256());
  for (int h = 0; h < 2; ++h) {
    const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 64 * h));
    const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 64 * h + 32));
    const __m256i hb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 128 + 32 * h));
    // Codes 32s … 32s + 31 of this half: a nibble of l0 or l1, bits 2s, 2s + 1 of hb above it.
    const __m256i low[4] = {l0, l1, _mm256_srli_epi16(l0, 4), _mm256_srli_epi16(l1, 4)};
    for (int s = 0; s < 4; ++s) {
      const __m256i high = _mm256_and_si256(_mm256_srli_epi16(hb, 2 * s), low2);
      _mm256_store_si256(
          reinterpret_cast<__m256i*>(c.q + 128 * h + 32 * s),
          _mm256_or_si256(_mm256_and_si256(low[s], low4), _mm256_slli_epi16(high, 4)));
    }
  }
  c.dk = _cvtsh_ss(block_u16(b + 208));
  c.dmink = 0;
}

/// decode_chunk, with the Q4_K and Q6_K codes unpacked by AVX2 (the same bytes): for the SIMD
/// kernels, which call it only where the CPU has AVX2.
__attribute__((target("avx2,f16c"))) inline void decode_chunk_avx2(const WeightMatrix& w,
                                                                   const std::byte* row,
                                                                   std::size_t index, Chunk& c) {
  if (w.type == WeightType::q4_k || w.type == WeightType::q6_k) {
    c.blocks = 8;
    decode_k_avx2(
        w.type, reinterpret_cast<const std::uint8_t*>(row) + index * weight_block_bytes(w.type), c);
    return;
  }
  decode_chunk(w, row, index, c);
}

/// The floats of a decoded chunk, as ggml's reference dequantizers compute them (the products
/// d·scale and dmin·min first, each rounded once, as they do).
inline void chunk_to_float(WeightType type, const Chunk& c, float* out) {
  const QuantTraits t = quant_traits(type);
  if (!t.k_quant) {
    for (std::size_t j = 0; j < c.blocks; ++j) {
      for (int i = 0; i < 32; ++i) {
        const std::uint8_t code = c.q[32 * j + i];
        const int value = t.is_signed ? static_cast<std::int8_t>(code) : code - t.offset;
        out[32 * j + i] = t.has_min ? static_cast<float>(value) * c.d[j] + c.m[j]
                                    : static_cast<float>(value) * c.d[j];
      }
    }
    return;
  }
  for (int g = 0; g < 16; ++g) {
    const float dl = c.dk * static_cast<float>(c.sc[g]);
    const float ml = c.dmink * static_cast<float>(c.mn[g]);
    for (int i = 0; i < 16; ++i) {
      const std::uint8_t code = c.q[16 * g + i];
      const float value =
          static_cast<float>(t.is_signed ? static_cast<std::int8_t>(code) : code - t.offset);
      out[16 * g + i] = t.has_min ? dl * value - ml : dl * value;
    }
  }
}

// Eight codes at p as int32 values code − offset (or as int8 for the signed types).
__attribute__((target("avx2"))) inline __m256 code_values_avx2(const std::uint8_t* p,
                                                               const QuantTraits& t) {
  std::int64_t bytes;
  std::memcpy(&bytes, p, 8);
  const __m128i v = _mm_cvtsi64_si128(bytes);
  const __m256i wide = t.is_signed
                           ? _mm256_cvtepi8_epi32(v)
                           : _mm256_sub_epi32(_mm256_cvtepu8_epi32(v), _mm256_set1_epi32(t.offset));
  return _mm256_cvtepi32_ps(wide);
}

/// chunk_to_float with AVX2: the same multiplies and adds per value, eight at a time.
__attribute__((target("avx2"))) inline void chunk_to_float_avx2(WeightType type, const Chunk& c,
                                                                float* out) {
  const QuantTraits t = quant_traits(type);
  if (!t.k_quant) {
    for (std::size_t j = 0; j < c.blocks; ++j) {
      const __m256 d = _mm256_set1_ps(c.d[j]), m = _mm256_set1_ps(c.m[j]);
      for (int i = 0; i < 32; i += 8) {
        const __m256 v = _mm256_mul_ps(code_values_avx2(c.q + 32 * j + i, t), d);
        _mm256_storeu_ps(out + 32 * j + i, t.has_min ? _mm256_add_ps(v, m) : v);
      }
    }
    return;
  }
  for (int g = 0; g < 16; ++g) {
    const __m256 dl = _mm256_set1_ps(c.dk * static_cast<float>(c.sc[g]));
    const __m256 ml = _mm256_set1_ps(c.dmink * static_cast<float>(c.mn[g]));
    for (int i = 0; i < 16; i += 8) {
      const __m256 v = _mm256_mul_ps(dl, code_values_avx2(c.q + 16 * g + i, t));
      _mm256_storeu_ps(out + 16 * g + i, t.has_min ? _mm256_sub_ps(v, ml) : v);
    }
  }
}

/// dequantize_row for a quantized type with AVX2 (the same floats): the float recipe's tiles on
/// the SIMD paths.
__attribute__((target("avx2,f16c"))) inline void dequantize_row_avx2(const WeightMatrix& w,
                                                                     std::size_t n, float* out) {
  Chunk c;
  for (std::size_t ci = 0; ci * chunk_values < w.cols; ++ci) {
    decode_chunk_avx2(w, w.row(n), ci, c);
    chunk_to_float_avx2(w.type, c, out + ci * chunk_values);
  }
}

}  // namespace
}  // namespace nn::detail
LMC_END_NAMESPACE

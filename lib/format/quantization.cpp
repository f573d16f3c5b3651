// Row conversion between stored tensor elements and float32: dequantization of every DType and
// quantization to the types the writers produce.
//
// Block layouts (byte order within a block; "f16" is an IEEE half, little-endian):
//   Q4_0  32 el / 18 B: d f16, qs[16]   low nibbles = elements 0..15, high = 16..31; y = d(q-8)
//   Q4_1  32 el / 20 B: d f16, m f16, qs[16]                          y = d q + m
//   Q5_0  32 el / 22 B: d f16, qh u32 (bit j = 5th bit of element j), qs[16]; y = d(q-16)
//   Q5_1  32 el / 24 B: d f16, m f16, qh u32, qs[16]                  y = d q + m
//   Q8_0  32 el / 34 B: d f16, qs int8[32]                            y = d q
//   Q2_K 256 el / 84 B: scales[16] (low nibble scale, high nibble min), qs[64] (2-bit), d, dmin
//   Q3_K 256 el /110 B: hmask[32], qs[64] (2 low bits), scales[12] (16 six-bit values), d
//   Q4_K 256 el /144 B: d, dmin, scales[12] (8 six-bit scales + 8 six-bit mins), qs[128]
//   Q5_K 256 el /176 B: d, dmin, scales[12], qh[32], qs[128]
//   Q6_K 256 el /210 B: ql[128], qh[64], scales int8[16], d
//   IQ4_NL 32 el / 18 B: d f16, qs[16] (nibbles as Q4_0)            y = d level[q]
//   IQ4_XS 256 el/136 B: d f16, scales_h u16 (2 high bits per 32), scales_l[4] (4 low bits per
//                        32), qs[128] (nibbles as Q4_0 per 32 elements); y = d (s-32) level[q]
// where level[] is ggml's fixed table of 16 non-uniform levels (kvalues_iq4nl).
// These are ggml's layouts (ggml-common.h), restated here from the format's public description;
// the formulas below reproduce ggml's reference dequantizers bit for bit (every product is exact
// in float32, so only the final add of a min term rounds).
#include <lmc/dtype.hpp>

#include "base/fail.hpp"
#include "base/k_quant_scales.hpp"

#include <array>
#include <cmath>
#include <cstring>

LMC_BEGIN_NAMESPACE

namespace {

using Byte = std::uint8_t;

float half_at(const Byte* p) {
  std::uint16_t bits = 0;
  std::memcpy(&bits, p, sizeof bits);
  return fp16_to_f32(bits);
}

void store_half(Byte* p, float value) {
  std::uint16_t bits = f32_to_fp16(value);
  std::memcpy(p, &bits, sizeof bits);
}

template <typename T>
void plain_to_f32(const Byte* src, float* dst, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    T value;
    std::memcpy(&value, src + i * static_cast<std::int64_t>(sizeof(T)), sizeof(T));
    dst[i] = static_cast<float>(value);
  }
}

void f16_to_f32_row(const Byte* src, float* dst, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) dst[i] = half_at(src + 2 * i);
}

void bf16_to_f32_row(const Byte* src, float* dst, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    std::uint16_t bits = 0;
    std::memcpy(&bits, src + 2 * i, sizeof bits);
    dst[i] = bf16_to_f32(bits);
  }
}

void q4_0_block(const Byte* block, float* y) {
  const float d = half_at(block);
  const Byte* qs = block + 2;
  for (int j = 0; j < 16; ++j) {
    y[j] = static_cast<float>((qs[j] & 0x0f) - 8) * d;
    y[j + 16] = static_cast<float>((qs[j] >> 4) - 8) * d;
  }
}

void q4_1_block(const Byte* block, float* y) {
  const float d = half_at(block);
  const float m = half_at(block + 2);
  const Byte* qs = block + 4;
  for (int j = 0; j < 16; ++j) {
    y[j] = static_cast<float>(qs[j] & 0x0f) * d + m;
    y[j + 16] = static_cast<float>(qs[j] >> 4) * d + m;
  }
}

void q5_0_block(const Byte* block, float* y) {
  const float d = half_at(block);
  std::uint32_t qh = 0;
  std::memcpy(&qh, block + 2, sizeof qh);
  const Byte* qs = block + 6;
  for (int j = 0; j < 16; ++j) {
    const int high0 = static_cast<int>((qh >> j) & 1u) << 4;
    const int high1 = static_cast<int>((qh >> (j + 16)) & 1u) << 4;
    y[j] = static_cast<float>(((qs[j] & 0x0f) | high0) - 16) * d;
    y[j + 16] = static_cast<float>(((qs[j] >> 4) | high1) - 16) * d;
  }
}

void q5_1_block(const Byte* block, float* y) {
  const float d = half_at(block);
  const float m = half_at(block + 2);
  std::uint32_t qh = 0;
  std::memcpy(&qh, block + 4, sizeof qh);
  const Byte* qs = block + 8;
  for (int j = 0; j < 16; ++j) {
    const int high0 = static_cast<int>((qh >> j) & 1u) << 4;
    const int high1 = static_cast<int>((qh >> (j + 16)) & 1u) << 4;
    y[j] = static_cast<float>((qs[j] & 0x0f) | high0) * d + m;
    y[j + 16] = static_cast<float>((qs[j] >> 4) | high1) * d + m;
  }
}

void q8_0_block(const Byte* block, float* y) {
  const float d = half_at(block);
  for (int j = 0; j < 32; ++j) {
    y[j] = static_cast<float>(static_cast<std::int8_t>(block[2 + j])) * d;
  }
}

void q2_k_block(const Byte* block, float* y) {
  const Byte* scales = block;
  const Byte* q = block + 16;
  const float d = half_at(block + 80);
  const float dmin = half_at(block + 82);
  int is = 0;
  for (int half = 0; half < 2; ++half) {  // two groups of 128 elements, 32 bytes of qs each
    for (int shift = 0; shift < 8; shift += 2) {
      for (int part = 0; part < 2; ++part) {  // 16 elements from qs[0..15], then qs[16..31]
        const Byte sc = scales[is++];
        const float dl = d * static_cast<float>(sc & 0x0f);
        const float ml = dmin * static_cast<float>(sc >> 4);
        for (int l = 0; l < 16; ++l) {
          *y++ = dl * static_cast<float>((q[l + 16 * part] >> shift) & 3) - ml;
        }
      }
    }
    q += 32;
  }
}

// The 16 six-bit scales of a Q3_K block: low 4 bits in bytes 0..7 (two per byte), high 2 bits in
// bytes 8..11 (four per byte).
std::array<int, 16> q3_k_scales(const Byte* packed) {
  std::array<int, 16> scales{};
  for (int i = 0; i < 16; ++i) {
    const int low = (i < 8) ? (packed[i] & 0x0f) : (packed[i - 8] >> 4);
    const int high = (packed[8 + (i % 4)] >> (2 * (i / 4))) & 3;
    scales[static_cast<std::size_t>(i)] = (low | (high << 4)) - 32;
  }
  return scales;
}

void q3_k_block(const Byte* block, float* y) {
  const Byte* hmask = block;
  const Byte* q = block + 32;
  const auto scales = q3_k_scales(block + 96);
  const float d = half_at(block + 108);
  std::size_t is = 0;
  Byte mask = 1;
  for (int half = 0; half < 2; ++half) {
    for (int shift = 0; shift < 8; shift += 2) {
      for (int part = 0; part < 2; ++part) {
        const float dl = d * static_cast<float>(scales[is++]);
        for (int l = 0; l < 16; ++l) {
          const int index = l + 16 * part;
          const int value = ((q[index] >> shift) & 3) - ((hmask[index] & mask) ? 0 : 4);
          *y++ = dl * static_cast<float>(value);
        }
      }
      mask = static_cast<Byte>(mask << 1);
    }
    q += 32;
  }
}

using base::k4_scale_min;

void q4_k_block(const Byte* block, float* y) {
  const float d = half_at(block);
  const float dmin = half_at(block + 2);
  const Byte* packed = block + 4;
  const Byte* q = block + 16;
  for (int group = 0; group < 4; ++group) {  // 64 elements: low nibbles, then high nibbles
    int sc = 0, m = 0;
    k4_scale_min(2 * group, packed, sc, m);
    const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
    k4_scale_min(2 * group + 1, packed, sc, m);
    const float d2 = d * static_cast<float>(sc), m2 = dmin * static_cast<float>(m);
    for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>(q[l] & 0x0f) - m1;
    for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
    q += 32;
  }
}

void q5_k_block(const Byte* block, float* y) {
  const float d = half_at(block);
  const float dmin = half_at(block + 2);
  const Byte* packed = block + 4;
  const Byte* qh = block + 16;
  const Byte* ql = block + 48;
  Byte bit_low = 1, bit_high = 2;
  for (int group = 0; group < 4; ++group) {
    int sc = 0, m = 0;
    k4_scale_min(2 * group, packed, sc, m);
    const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
    k4_scale_min(2 * group + 1, packed, sc, m);
    const float d2 = d * static_cast<float>(sc), m2 = dmin * static_cast<float>(m);
    for (int l = 0; l < 32; ++l) {
      *y++ = d1 * static_cast<float>((ql[l] & 0x0f) + ((qh[l] & bit_low) ? 16 : 0)) - m1;
    }
    for (int l = 0; l < 32; ++l) {
      *y++ = d2 * static_cast<float>((ql[l] >> 4) + ((qh[l] & bit_high) ? 16 : 0)) - m2;
    }
    ql += 32;
    bit_low = static_cast<Byte>(bit_low << 2);
    bit_high = static_cast<Byte>(bit_high << 2);
  }
}

void q6_k_block(const Byte* block, float* y) {
  const Byte* ql = block;
  const Byte* qh = block + 128;
  const auto* scales = reinterpret_cast<const std::int8_t*>(block + 192);
  const float d = half_at(block + 208);
  for (int half = 0; half < 2; ++half) {  // 128 elements each
    for (int l = 0; l < 32; ++l) {
      const int is = l / 16;
      const int q1 = ((ql[l] & 0x0f) | (((qh[l] >> 0) & 3) << 4)) - 32;
      const int q2 = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) - 32;
      const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      y[l] = d * static_cast<float>(scales[is + 0]) * static_cast<float>(q1);
      y[l + 32] = d * static_cast<float>(scales[is + 2]) * static_cast<float>(q2);
      y[l + 64] = d * static_cast<float>(scales[is + 4]) * static_cast<float>(q3);
      y[l + 96] = d * static_cast<float>(scales[is + 6]) * static_cast<float>(q4);
    }
    y += 128;
    ql += 64;
    qh += 32;
    scales += 8;
  }
}

// The 16 levels of the iq4 codes, from -127 to 113: denser near zero, where weights cluster.
constexpr std::array<std::int8_t, 16> iq4_levels{-127, -104, -83, -65, -49, -35, -22, -10,
                                                 1,    13,   25,  38,  53,  69,  89,  113};

// Decodes 32 elements stored as 16 bytes of nibbles (low nibbles first) with scale d.
void iq4_nibbles(const Byte* qs, float d, float* y) {
  for (int j = 0; j < 16; ++j) {
    y[j] = d * static_cast<float>(iq4_levels[qs[j] & 0x0f]);
    y[j + 16] = d * static_cast<float>(iq4_levels[qs[j] >> 4]);
  }
}

void iq4_nl_block(const Byte* block, float* y) { iq4_nibbles(block + 2, half_at(block), y); }

void iq4_xs_block(const Byte* block, float* y) {
  const float d = half_at(block);
  std::uint16_t scales_high = 0;
  std::memcpy(&scales_high, block + 2, sizeof scales_high);
  const Byte* scales_low = block + 4;
  const Byte* qs = block + 8;
  for (int group = 0; group < 8; ++group) {
    const int low = (scales_low[group / 2] >> (4 * (group % 2))) & 0x0f;
    const int high = (scales_high >> (2 * group)) & 3;
    // d * (s - 32) is exact in float32 (11 + 6 bits); ggml multiplies the level in after it.
    const float group_scale = d * static_cast<float>((low | (high << 4)) - 32);
    iq4_nibbles(qs + 16 * group, group_scale, y + 32 * group);
  }
}

using BlockDecoder = void (*)(const Byte*, float*);

template <BlockDecoder decode_block>
void blocks_to_f32(DType type, const Byte* src, float* dst, std::int64_t n) {
  const std::int64_t block_size = dtype_block_size(type);
  const std::int64_t block_bytes = dtype_block_bytes(type);
  for (std::int64_t b = 0; b < n / block_size; ++b) {
    decode_block(src + b * block_bytes, dst + b * block_size);
  }
}

void quantize_q8_0(const float* src, Byte* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b) {
    const float* x = src + b * 32;
    Byte* block = dst + b * 34;
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j) amax = std::fmax(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
    store_half(block, d);
    for (int j = 0; j < 32; ++j) {
      block[2 + j] = static_cast<Byte>(static_cast<std::int8_t>(std::round(x[j] * inverse)));
    }
  }
}

void check_count(DType type, std::int64_t n, std::string_view operation) {
  if (n < 0 || n % dtype_block_size(type) != 0) {
    base::fail(ErrorCode::invalid_argument,
               "{}: {} elements of type {}: not a multiple of its block size {}", operation, n,
               dtype_name(type), dtype_block_size(type));
  }
}

}  // namespace

void dequantize_row(DType type, const std::byte* source, float* dst, std::int64_t n) {
  check_count(type, n, "dequantize_row");
  const auto* src = reinterpret_cast<const Byte*>(source);
  switch (type) {
    case DType::f32: std::memcpy(dst, src, static_cast<std::size_t>(n) * 4); return;
    case DType::f16: f16_to_f32_row(src, dst, n); return;
    case DType::bf16: bf16_to_f32_row(src, dst, n); return;
    case DType::f64: plain_to_f32<double>(src, dst, n); return;
    case DType::i8: plain_to_f32<std::int8_t>(src, dst, n); return;
    case DType::u8: plain_to_f32<std::uint8_t>(src, dst, n); return;
    case DType::i16: plain_to_f32<std::int16_t>(src, dst, n); return;
    case DType::i32: plain_to_f32<std::int32_t>(src, dst, n); return;
    case DType::i64: plain_to_f32<std::int64_t>(src, dst, n); return;
    case DType::q4_0: blocks_to_f32<q4_0_block>(type, src, dst, n); return;
    case DType::q4_1: blocks_to_f32<q4_1_block>(type, src, dst, n); return;
    case DType::q5_0: blocks_to_f32<q5_0_block>(type, src, dst, n); return;
    case DType::q5_1: blocks_to_f32<q5_1_block>(type, src, dst, n); return;
    case DType::q8_0: blocks_to_f32<q8_0_block>(type, src, dst, n); return;
    case DType::q2_k: blocks_to_f32<q2_k_block>(type, src, dst, n); return;
    case DType::q3_k: blocks_to_f32<q3_k_block>(type, src, dst, n); return;
    case DType::q4_k: blocks_to_f32<q4_k_block>(type, src, dst, n); return;
    case DType::q5_k: blocks_to_f32<q5_k_block>(type, src, dst, n); return;
    case DType::q6_k: blocks_to_f32<q6_k_block>(type, src, dst, n); return;
    case DType::iq4_nl: blocks_to_f32<iq4_nl_block>(type, src, dst, n); return;
    case DType::iq4_xs: blocks_to_f32<iq4_xs_block>(type, src, dst, n); return;
  }
  base::fail(ErrorCode::invalid_argument, "dequantize_row: unknown type {}",
             static_cast<int>(type));
}

void quantize_row(DType type, const float* src, std::byte* destination, std::int64_t n) {
  check_count(type, n, "quantize_row");
  auto* dst = reinterpret_cast<Byte*>(destination);
  switch (type) {
    case DType::f32: std::memcpy(dst, src, static_cast<std::size_t>(n) * 4); return;
    case DType::f16:
      for (std::int64_t i = 0; i < n; ++i) store_half(dst + 2 * i, src[i]);
      return;
    case DType::bf16:
      for (std::int64_t i = 0; i < n; ++i) {
        std::uint16_t bits = f32_to_bf16(src[i]);
        std::memcpy(dst + 2 * i, &bits, sizeof bits);
      }
      return;
    case DType::q8_0: quantize_q8_0(src, dst, n); return;
    default: break;
  }
  base::fail(ErrorCode::unsupported, "quantize_row: storing float32 as {} is not supported",
             dtype_name(type));
}

LMC_END_NAMESPACE

// The packing of the 6-bit sub-block scales and mins of ggml's Q4_K and Q5_K super-blocks,
// shared by the format stage's dequantizer (lib/format/quantization.cpp) and the kernels'
// block decoder (lib/nn/quant_blocks.hpp), so that both read the 12 bytes the same way.
#pragma once

#include <lmc/version.hpp>

#include <cstdint>

LMC_BEGIN_NAMESPACE
namespace base {

/// Scale and min of sub-block j (0..7) of a Q4_K/Q5_K super-block, six bits each, from the 12
/// packed bytes: j < 4 in the low six bits of bytes j and j + 4; j ≥ 4 in the nibbles of byte
/// j + 4 with the two high bits in the top bits of bytes j − 4 and j.
constexpr void k4_scale_min(int j, const std::uint8_t* packed, int& scale, int& min) {
  if (j < 4) {
    scale = packed[j] & 63;
    min = packed[j + 4] & 63;
  } else {
    scale = (packed[j + 4] & 0x0f) | ((packed[j - 4] >> 6) << 4);
    min = (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4);
  }
}

}  // namespace base
LMC_END_NAMESPACE

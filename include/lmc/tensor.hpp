// The canonical view of a stored tensor that every reader (GGUF, safetensors) produces.
#pragma once

#include <lmc/dtype.hpp>
#include <lmc/error.hpp>
#include <lmc/export.hpp>
#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

LMC_BEGIN_NAMESPACE

/// A named tensor inside an open model file.
///
/// `shape` is OUTERMOST FIRST, the order PyTorch, NumPy and safetensors use: a row-major matrix
/// of `rows` rows of `cols` elements has shape {rows, cols}, and the last dimension is the one
/// whose elements are contiguous in `data`. GGUF stores its dimensions (ne[]) innermost first;
/// the GGUF reader reverses them into this order, so a GGUF matrix with ne = [in, out] appears
/// here as {out, in}. For quantized types the last dimension is a multiple of the block size and
/// each row is a whole number of blocks.
///
/// `data` points into the file object the tensor came from (usually a memory map) and stays
/// valid as long as that object lives.
struct LMC_EXPORT Tensor {
  std::string name;
  DType type = DType::f32;
  std::vector<std::int64_t> shape;
  std::span<const std::byte> data;

  /// Product of all dimensions (1 for a tensor with no dimensions).
  std::int64_t n_elements() const noexcept;
  /// Product of all dimensions but the last (1 for a 1-D tensor).
  std::int64_t rows() const noexcept;
  /// The last dimension (1 for a tensor with no dimensions).
  std::int64_t cols() const noexcept;
  /// Bytes of one row: dtype_row_bytes(type, cols()).
  std::uint64_t row_bytes() const;
  /// Shape as text, "[512, 64]".
  std::string shape_string() const;
};

/// Dequantizes a whole tensor to float32, row-major in shape order (n_elements() values).
LMC_EXPORT std::vector<float> to_f32(const Tensor& tensor);

/// Dequantizes row `row` (0 <= row < rows()) of a tensor into `dst` (cols() floats). Throws
/// Error(out_of_range) for a bad row.
LMC_EXPORT void dequantize_tensor_row(const Tensor& tensor, std::int64_t row, float* dst);

LMC_END_NAMESPACE

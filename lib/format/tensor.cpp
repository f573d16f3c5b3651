// Tensor helpers: sizes and whole-tensor dequantization.
#include <lmc/tensor.hpp>

#include "base/fail.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

LMC_BEGIN_NAMESPACE

std::int64_t Tensor::n_elements() const noexcept {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

std::int64_t Tensor::rows() const noexcept {
  if (shape.empty()) return 1;
  std::int64_t n = 1;
  for (std::size_t i = 0; i + 1 < shape.size(); ++i) n *= shape[i];
  return n;
}

std::int64_t Tensor::cols() const noexcept { return shape.empty() ? 1 : shape.back(); }

std::uint64_t Tensor::row_bytes() const { return dtype_row_bytes(type, cols()); }

std::string Tensor::shape_string() const { return fmt::format("[{}]", fmt::join(shape, ", ")); }

void dequantize_tensor_row(const Tensor& tensor, std::int64_t row, float* dst) {
  if (row < 0 || row >= tensor.rows()) {
    base::fail(ErrorCode::out_of_range, "tensor '{}': row {} outside [0, {})", tensor.name, row,
               tensor.rows());
  }
  const std::uint64_t row_bytes = tensor.row_bytes();
  const std::uint64_t begin = static_cast<std::uint64_t>(row) * row_bytes;
  if (begin + row_bytes > tensor.data.size()) {
    base::fail(ErrorCode::internal, "tensor '{}': {} bytes of data cannot hold row {}", tensor.name,
               tensor.data.size(), row);
  }
  dequantize_row(tensor.type, tensor.data.data() + begin, dst, tensor.cols());
}

std::vector<float> to_f32(const Tensor& tensor) {
  std::vector<float> out(static_cast<std::size_t>(tensor.n_elements()));
  const std::int64_t cols = tensor.cols();
  for (std::int64_t r = 0; r < tensor.rows() && cols > 0; ++r) {
    dequantize_tensor_row(tensor, r, out.data() + r * cols);
  }
  return out;
}

LMC_END_NAMESPACE

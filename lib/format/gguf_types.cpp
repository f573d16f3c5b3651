// The GGUF tensor type numbers (ggml_type) of the DTypes lmc reads and writes.
#include <lmc/gguf.hpp>

#include <array>
#include <utility>

LMC_BEGIN_NAMESPACE

namespace {

constexpr std::array<std::pair<DType, std::uint32_t>, 20> gguf_type_ids{{
    {DType::f32, 0},     {DType::f16, 1},     {DType::q4_0, 2},  {DType::q4_1, 3},
    {DType::q5_0, 6},    {DType::q5_1, 7},    {DType::q8_0, 8},  {DType::q2_k, 10},
    {DType::q3_k, 11},   {DType::q4_k, 12},   {DType::q5_k, 13}, {DType::q6_k, 14},
    {DType::iq4_nl, 20}, {DType::iq4_xs, 23}, {DType::i8, 24},   {DType::i16, 25},
    {DType::i32, 26},    {DType::i64, 27},    {DType::f64, 28},  {DType::bf16, 30},
}};

}  // namespace

std::optional<std::uint32_t> gguf_type_id(DType type) noexcept {
  for (auto [dtype, id] : gguf_type_ids) {
    if (dtype == type) return id;
  }
  return std::nullopt;
}

std::optional<DType> dtype_from_gguf_type_id(std::uint32_t id) noexcept {
  for (auto [dtype, type_id] : gguf_type_ids) {
    if (type_id == id) return dtype;
  }
  return std::nullopt;
}

LMC_END_NAMESPACE

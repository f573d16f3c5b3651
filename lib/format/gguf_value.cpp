// GgufValue: typed access to one metadata value, converting between numeric types only when
// the conversion is exact.
#include <lmc/gguf.hpp>

#include "base/fail.hpp"
#include "format/access.hpp"

#include <cmath>
#include <cstring>
#include <limits>

LMC_BEGIN_NAMESPACE

namespace {

// The numeric value of a scalar in its widest exact form.
struct Number {
  enum class Kind { signed_integer, unsigned_integer, floating } kind;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double f = 0;
};

std::optional<Number> to_number(GgufValueType type, std::uint64_t bits) {
  auto as_signed = [](std::int64_t v) { return Number{Number::Kind::signed_integer, v, 0, 0}; };
  auto as_unsigned = [](std::uint64_t v) {
    return Number{Number::Kind::unsigned_integer, 0, v, 0};
  };
  switch (type) {
    case GgufValueType::u8:
    case GgufValueType::u16:
    case GgufValueType::u32:
    case GgufValueType::u64:
    case GgufValueType::boolean: return as_unsigned(bits);
    case GgufValueType::i8: return as_signed(static_cast<std::int8_t>(bits));
    case GgufValueType::i16: return as_signed(static_cast<std::int16_t>(bits));
    case GgufValueType::i32: return as_signed(static_cast<std::int32_t>(bits));
    case GgufValueType::i64: return as_signed(static_cast<std::int64_t>(bits));
    case GgufValueType::f32: {
      float f = 0;
      auto narrow = static_cast<std::uint32_t>(bits);
      std::memcpy(&f, &narrow, sizeof f);
      return Number{Number::Kind::floating, 0, 0, f};
    }
    case GgufValueType::f64: {
      double f = 0;
      std::memcpy(&f, &bits, sizeof f);
      return Number{Number::Kind::floating, 0, 0, f};
    }
    default: return std::nullopt;
  }
}

std::optional<std::int64_t> exact_int(const Number& n) {
  switch (n.kind) {
    case Number::Kind::signed_integer: return n.i;
    case Number::Kind::unsigned_integer:
      if (n.u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return {};
      return static_cast<std::int64_t>(n.u);
    case Number::Kind::floating:
      if (!std::isfinite(n.f) || std::trunc(n.f) != n.f || n.f < -0x1p63 || n.f >= 0x1p63) {
        return {};
      }
      return static_cast<std::int64_t>(n.f);
  }
  return {};
}

std::optional<std::uint64_t> exact_uint(const Number& n) {
  switch (n.kind) {
    case Number::Kind::signed_integer:
      if (n.i < 0) return {};
      return static_cast<std::uint64_t>(n.i);
    case Number::Kind::unsigned_integer: return n.u;
    case Number::Kind::floating:
      if (!std::isfinite(n.f) || std::trunc(n.f) != n.f || n.f < 0 || n.f >= 0x1p64) return {};
      return static_cast<std::uint64_t>(n.f);
  }
  return {};
}

std::optional<double> exact_double(const Number& n) {
  constexpr double limit = 0x1p53;
  switch (n.kind) {
    case Number::Kind::signed_integer:
      if (static_cast<double>(n.i) > limit || static_cast<double>(n.i) < -limit) return {};
      return static_cast<double>(n.i);
    case Number::Kind::unsigned_integer:
      if (n.u > static_cast<std::uint64_t>(limit)) return {};
      return static_cast<double>(n.u);
    case Number::Kind::floating: return n.f;
  }
  return {};
}

}  // namespace

std::string_view to_string(GgufValueType type) noexcept {
  switch (type) {
    case GgufValueType::u8: return "u8";
    case GgufValueType::i8: return "i8";
    case GgufValueType::u16: return "u16";
    case GgufValueType::i16: return "i16";
    case GgufValueType::u32: return "u32";
    case GgufValueType::i32: return "i32";
    case GgufValueType::f32: return "f32";
    case GgufValueType::boolean: return "bool";
    case GgufValueType::string: return "string";
    case GgufValueType::array: return "array";
    case GgufValueType::u64: return "u64";
    case GgufValueType::i64: return "i64";
    case GgufValueType::f64: return "f64";
  }
  return "unknown";
}

void GgufValue::type_error(std::string_view wanted) const {
  std::string what = is_array()
                         ? fmt::format("an array of {} {}", count_, lmc::to_string(element_type_))
                         : std::string(lmc::to_string(type_));
  base::fail(ErrorCode::format, "{}: metadata key '{}' is {}, not {}", source_ ? *source_ : "gguf",
             key_, what, wanted);
}

std::uint64_t GgufValue::raw_element(std::uint64_t i) const {
  const std::size_t width = format::gguf_scalar_width(element_type_);
  std::uint64_t bits = 0;
  std::memcpy(&bits, data_ + i * width, width);
  return bits;
}

std::int64_t GgufValue::as_int() const {
  if (!is_array()) {
    if (auto n = to_number(type_, bits_)) {
      if (auto v = exact_int(*n)) return *v;
    }
  }
  type_error("an integer");
}

std::uint64_t GgufValue::as_uint() const {
  if (!is_array()) {
    if (auto n = to_number(type_, bits_)) {
      if (auto v = exact_uint(*n)) return *v;
    }
  }
  type_error("a non-negative integer");
}

double GgufValue::as_double() const {
  if (!is_array()) {
    if (auto n = to_number(type_, bits_)) {
      if (auto v = exact_double(*n)) return *v;
    }
  }
  type_error("a number");
}

bool GgufValue::as_bool() const {
  if (!is_array() && type_ != GgufValueType::string) {
    if (auto n = to_number(type_, bits_)) {
      auto v = exact_int(*n);
      if (v && (*v == 0 || *v == 1)) return *v == 1;
    }
  }
  type_error("a boolean");
}

std::string_view GgufValue::as_string() const {
  if (type_ != GgufValueType::string) type_error("a string");
  return {reinterpret_cast<const char*>(data_), static_cast<std::size_t>(count_ == 1 ? bits_ : 0)};
}

std::vector<std::string_view> GgufValue::as_strings() const {
  if (!is_array() || element_type_ != GgufValueType::string) type_error("an array of strings");
  return strings_;
}

std::string_view GgufValue::string_at(std::uint64_t i) const {
  if (!is_array() || element_type_ != GgufValueType::string) type_error("an array of strings");
  if (i >= strings_.size()) {
    base::fail(ErrorCode::out_of_range, "{}: metadata key '{}': index {} past the end ({} strings)",
               source_ ? *source_ : "gguf", key_, i, strings_.size());
  }
  return strings_[static_cast<std::size_t>(i)];
}

std::vector<std::int64_t> GgufValue::as_ints() const {
  if (!is_array() || format::gguf_scalar_width(element_type_) == 0 ||
      element_type_ == GgufValueType::f32 || element_type_ == GgufValueType::f64) {
    type_error("an array of integers");
  }
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(count_));
  for (std::uint64_t i = 0; i < count_; ++i) {
    auto v = exact_int(*to_number(element_type_, raw_element(i)));
    if (!v) type_error("an array of integers that fit in int64");
    out.push_back(*v);
  }
  return out;
}

std::vector<float> GgufValue::as_floats() const {
  if (!is_array() || format::gguf_scalar_width(element_type_) == 0)
    type_error("an array of numbers");
  std::vector<float> out;
  out.reserve(static_cast<std::size_t>(count_));
  for (std::uint64_t i = 0; i < count_; ++i) {
    const Number n = *to_number(element_type_, raw_element(i));
    switch (n.kind) {
      case Number::Kind::signed_integer: out.push_back(static_cast<float>(n.i)); break;
      case Number::Kind::unsigned_integer: out.push_back(static_cast<float>(n.u)); break;
      case Number::Kind::floating: out.push_back(static_cast<float>(n.f)); break;
    }
  }
  return out;
}

const GgufValue& GgufValue::at(std::uint64_t i) const {
  if (!is_array() || element_type_ != GgufValueType::array) type_error("an array of arrays");
  if (i >= items_.size()) {
    base::fail(ErrorCode::out_of_range, "{}: metadata key '{}': index {} past the end ({} arrays)",
               source_ ? *source_ : "gguf", key_, i, items_.size());
  }
  return items_[static_cast<std::size_t>(i)];
}

std::string GgufValue::to_display_string() const {
  if (is_array()) return fmt::format("[array of {} {}]", count_, lmc::to_string(element_type_));
  if (type_ == GgufValueType::string) return fmt::format("\"{}\"", as_string());
  if (type_ == GgufValueType::boolean) return bits_ ? "true" : "false";
  const Number n = *to_number(type_, bits_);
  switch (n.kind) {
    case Number::Kind::signed_integer: return fmt::format("{}", n.i);
    case Number::Kind::unsigned_integer: return fmt::format("{}", n.u);
    case Number::Kind::floating:
      return type_ == GgufValueType::f32 ? fmt::format("{}", static_cast<float>(n.f))
                                         : fmt::format("{}", n.f);
  }
  return {};
}

LMC_END_NAMESPACE

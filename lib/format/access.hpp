// format::Access: the format stage's one way into its public classes' private state (how the
// GGUF reader fills GgufValue objects and the writer reads them back). Only lib/format includes it.
#pragma once

#include <lmc/gguf.hpp>

#include <cstddef>

LMC_BEGIN_NAMESPACE
namespace format {

/// Bytes of one scalar of `type`; 0 for string and array (variable size) and unknown types.
constexpr std::size_t gguf_scalar_width(GgufValueType type) noexcept {
  switch (type) {
    case GgufValueType::u8:
    case GgufValueType::i8:
    case GgufValueType::boolean: return 1;
    case GgufValueType::u16:
    case GgufValueType::i16: return 2;
    case GgufValueType::u32:
    case GgufValueType::i32:
    case GgufValueType::f32: return 4;
    case GgufValueType::u64:
    case GgufValueType::i64:
    case GgufValueType::f64: return 8;
    default: return 0;
  }
}

struct Access {
  static void set_key(GgufValue& v, std::string_view key, const std::string* source) {
    v.key_ = key;
    v.source_ = source;
  }
  static void set_scalar(GgufValue& v, GgufValueType type, std::uint64_t bits) {
    v.type_ = v.element_type_ = type;
    v.count_ = 1;
    v.bits_ = bits;
  }
  static void set_string(GgufValue& v, std::string_view text) {
    v.type_ = v.element_type_ = GgufValueType::string;
    v.count_ = 1;
    v.bits_ = text.size();
    v.data_ = reinterpret_cast<const std::byte*>(text.data());
  }
  static void set_numeric_array(GgufValue& v, GgufValueType element, std::uint64_t count,
                                const std::byte* data) {
    v.type_ = GgufValueType::array;
    v.element_type_ = element;
    v.count_ = count;
    v.data_ = data;
  }
  static void set_string_array(GgufValue& v, std::vector<std::string_view> strings) {
    v.type_ = GgufValueType::array;
    v.element_type_ = GgufValueType::string;
    v.count_ = strings.size();
    v.strings_ = std::move(strings);
  }
  static void set_array_array(GgufValue& v, std::vector<GgufValue> items) {
    v.type_ = GgufValueType::array;
    v.element_type_ = GgufValueType::array;
    v.count_ = items.size();
    v.items_ = std::move(items);
  }
  static std::uint64_t scalar_bits(const GgufValue& v) { return v.bits_; }
  static const std::byte* data(const GgufValue& v) { return v.data_; }
};

}  // namespace format
LMC_END_NAMESPACE

// GGUF writer: version 3, little-endian, the layout described in gguf_reader.cpp.
#include <lmc/gguf.hpp>

#include <lmc/atomic_file.hpp>
#include "base/fail.hpp"
#include "format/access.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <functional>
#include <utility>

LMC_BEGIN_NAMESPACE

namespace {

constexpr std::uint32_t default_alignment = 32;

// Appends little-endian values to a byte vector.
class ByteSink {
 public:
  explicit ByteSink(std::vector<std::byte>& out) : out_(out) {}

  template <typename T>
  void put(T value) {
    put_bytes(reinterpret_cast<const std::byte*>(&value), sizeof(T));
  }
  // resize + memcpy rather than insert: GCC 12 warns falsely (stringop-overflow) on the latter.
  void put_bytes(const std::byte* data, std::size_t size) {
    const std::size_t old_size = out_.size();
    out_.resize(old_size + size);
    if (size != 0) std::memcpy(out_.data() + old_size, data, size);
  }
  void put_string(std::string_view text) {
    put<std::uint64_t>(text.size());
    put_bytes(reinterpret_cast<const std::byte*>(text.data()), text.size());
  }
  void pad_to(std::uint64_t alignment) {
    out_.resize(out_.size() + (alignment - out_.size() % alignment) % alignment, std::byte{0});
  }

 private:
  std::vector<std::byte>& out_;
};

struct Entry {
  std::string key;
  std::vector<std::byte> encoded;  // u32 value type followed by the value
};

struct PendingTensor {
  std::string name;
  DType type;
  std::vector<std::int64_t> shape;  // outermost first
  std::vector<std::byte> data;      // the bytes, unless `source` produces them
  GgufWriter::RowSource source;
  std::uint64_t rows = 0;
  std::uint64_t row_bytes = 0;

  std::uint64_t size() const { return source ? rows * row_bytes : data.size(); }
};

// Bytes a row source produces per call, at most (but always at least one row).
constexpr std::uint64_t source_chunk_bytes = std::uint64_t{8} << 20;

// The encoding of a value read from a file (type tag not included).
void encode_value_body(ByteSink& sink, const GgufValue& value) {
  using Builder = format::Access;
  if (!value.is_array()) {
    if (value.type() == GgufValueType::string) {
      sink.put_string(value.as_string());
      return;
    }
    const std::uint64_t bits = Builder::scalar_bits(value);
    sink.put_bytes(reinterpret_cast<const std::byte*>(&bits),
                   format::gguf_scalar_width(value.type()));
    return;
  }
  sink.put(static_cast<std::uint32_t>(value.element_type()));
  sink.put<std::uint64_t>(value.size());
  switch (value.element_type()) {
    case GgufValueType::string:
      for (std::uint64_t i = 0; i < value.size(); ++i) sink.put_string(value.string_at(i));
      return;
    case GgufValueType::array:
      for (std::uint64_t i = 0; i < value.size(); ++i) encode_value_body(sink, value.at(i));
      return;
    default:
      sink.put_bytes(Builder::data(value),
                     value.size() * format::gguf_scalar_width(value.element_type()));
  }
}

}  // namespace

struct GgufWriter::Impl {
  std::vector<Entry> entries;
  std::vector<PendingTensor> tensors;
  std::uint32_t alignment = default_alignment;

  std::vector<std::byte>& slot(std::string_view key, GgufValueType type) {
    auto it =
        std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.key == key; });
    if (it == entries.end()) {
      entries.push_back({std::string(key), {}});
      it = entries.end() - 1;
    }
    it->encoded.clear();
    ByteSink(it->encoded).put(static_cast<std::uint32_t>(type));
    return it->encoded;
  }

  template <typename T>
  void scalar(std::string_view key, GgufValueType type, T value) {
    ByteSink(slot(key, type)).put(value);
  }

  template <typename T>
  void array(std::string_view key, GgufValueType element, std::span<const T> values) {
    ByteSink sink(slot(key, GgufValueType::array));
    sink.put(static_cast<std::uint32_t>(element));
    sink.put<std::uint64_t>(values.size());
    sink.put_bytes(reinterpret_cast<const std::byte*>(values.data()), values.size_bytes());
  }

  template <typename Strings>
  void strings(std::string_view key, const Strings& values) {
    ByteSink sink(slot(key, GgufValueType::array));
    sink.put(static_cast<std::uint32_t>(GgufValueType::string));
    sink.put<std::uint64_t>(values.size());
    for (const auto& s : values) sink.put_string(s);
  }
};

GgufWriter::GgufWriter() : impl_(std::make_unique<Impl>()) {}
GgufWriter::GgufWriter(GgufWriter&&) noexcept = default;
GgufWriter& GgufWriter::operator=(GgufWriter&&) noexcept = default;
GgufWriter::~GgufWriter() = default;

void GgufWriter::set_u8(std::string_view k, std::uint8_t v) {
  impl_->scalar(k, GgufValueType::u8, v);
}
void GgufWriter::set_i8(std::string_view k, std::int8_t v) {
  impl_->scalar(k, GgufValueType::i8, v);
}
void GgufWriter::set_u16(std::string_view k, std::uint16_t v) {
  impl_->scalar(k, GgufValueType::u16, v);
}
void GgufWriter::set_i16(std::string_view k, std::int16_t v) {
  impl_->scalar(k, GgufValueType::i16, v);
}
void GgufWriter::set_u32(std::string_view k, std::uint32_t v) {
  impl_->scalar(k, GgufValueType::u32, v);
}
void GgufWriter::set_i32(std::string_view k, std::int32_t v) {
  impl_->scalar(k, GgufValueType::i32, v);
}
void GgufWriter::set_u64(std::string_view k, std::uint64_t v) {
  impl_->scalar(k, GgufValueType::u64, v);
}
void GgufWriter::set_i64(std::string_view k, std::int64_t v) {
  impl_->scalar(k, GgufValueType::i64, v);
}
void GgufWriter::set_f32(std::string_view k, float v) { impl_->scalar(k, GgufValueType::f32, v); }
void GgufWriter::set_f64(std::string_view k, double v) { impl_->scalar(k, GgufValueType::f64, v); }
void GgufWriter::set_bool(std::string_view k, bool v) {
  impl_->scalar(k, GgufValueType::boolean, static_cast<std::uint8_t>(v ? 1 : 0));
}

void GgufWriter::set_string(std::string_view key, std::string_view value) {
  ByteSink(impl_->slot(key, GgufValueType::string)).put_string(value);
}

void GgufWriter::set_strings(std::string_view key, std::span<const std::string> values) {
  impl_->strings(key, values);
}
void GgufWriter::set_strings(std::string_view key, std::span<const std::string_view> values) {
  impl_->strings(key, values);
}
void GgufWriter::set_i32s(std::string_view key, std::span<const std::int32_t> values) {
  impl_->array(key, GgufValueType::i32, values);
}
void GgufWriter::set_u32s(std::string_view key, std::span<const std::uint32_t> values) {
  impl_->array(key, GgufValueType::u32, values);
}
void GgufWriter::set_i64s(std::string_view key, std::span<const std::int64_t> values) {
  impl_->array(key, GgufValueType::i64, values);
}
void GgufWriter::set_f32s(std::string_view key, std::span<const float> values) {
  impl_->array(key, GgufValueType::f32, values);
}

void GgufWriter::set_value(const GgufValue& value, std::optional<std::string_view> key) {
  const std::string_view name = key.value_or(value.key());
  if (name == "general.alignment") {
    set_alignment(static_cast<std::uint32_t>(value.as_uint()));
    return;
  }
  ByteSink sink(impl_->slot(name, value.type()));
  encode_value_body(sink, value);
}

void GgufWriter::remove(std::string_view key) {
  std::erase_if(impl_->entries, [&](const Entry& e) { return e.key == key; });
}

void GgufWriter::set_alignment(std::uint32_t alignment) {
  if (alignment == 0 || !std::has_single_bit(alignment)) {
    base::fail(ErrorCode::invalid_argument, "GGUF alignment {} is not a power of two", alignment);
  }
  impl_->alignment = alignment;
  if (alignment == default_alignment) {
    remove("general.alignment");
  } else {
    set_u32("general.alignment", alignment);
  }
}

namespace {

// Checks a new tensor's name, type and shape; returns its rows and bytes per row.
std::pair<std::uint64_t, std::uint64_t> check_new_tensor(const std::vector<PendingTensor>& tensors,
                                                         std::string_view name, DType type,
                                                         std::span<const std::int64_t> shape) {
  if (!gguf_type_id(type)) {
    base::fail(ErrorCode::invalid_argument, "tensor '{}': GGUF cannot store type {}", name,
               dtype_name(type));
  }
  if (shape.empty() || shape.size() > 4) {
    base::fail(ErrorCode::invalid_argument,
               "tensor '{}': GGUF tensors have 1 to 4 dimensions, not {}", name, shape.size());
  }
  std::uint64_t rows = 1;
  for (std::size_t d = 0; d + 1 < shape.size(); ++d) {
    if (shape[d] < 0)
      base::fail(ErrorCode::invalid_argument, "tensor '{}': negative dimension", name);
    rows *= static_cast<std::uint64_t>(shape[d]);
  }
  for (const auto& t : tensors) {
    if (t.name == name) base::fail(ErrorCode::invalid_argument, "duplicate tensor name '{}'", name);
  }
  return {rows, dtype_row_bytes(type, shape.back())};
}

}  // namespace

void GgufWriter::add_tensor(std::string_view name, DType type, std::span<const std::int64_t> shape,
                            std::span<const std::byte> data) {
  const auto [rows, row_bytes] = check_new_tensor(impl_->tensors, name, type, shape);
  const std::uint64_t expected = row_bytes * rows;
  if (expected != data.size()) {
    base::fail(ErrorCode::invalid_argument, "tensor '{}': {} {} needs {} bytes, got {}", name,
               dtype_name(type), fmt::join(shape, "x"), expected, data.size());
  }
  impl_->tensors.push_back({std::string(name),
                            type,
                            std::vector<std::int64_t>(shape.begin(), shape.end()),
                            std::vector<std::byte>(data.begin(), data.end()),
                            {},
                            rows,
                            row_bytes});
}

void GgufWriter::add_tensor_rows(std::string_view name, DType type,
                                 std::span<const std::int64_t> shape, RowSource source) {
  if (!source) base::fail(ErrorCode::invalid_argument, "tensor '{}': no row source", name);
  const auto [rows, row_bytes] = check_new_tensor(impl_->tensors, name, type, shape);
  impl_->tensors.push_back({std::string(name),
                            type,
                            std::vector<std::int64_t>(shape.begin(), shape.end()),
                            {},
                            std::move(source),
                            rows,
                            row_bytes});
}

void GgufWriter::add_tensor_f32(std::string_view name, std::span<const std::int64_t> shape,
                                std::span<const float> values, DType store_as) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  if (shape.empty() || static_cast<std::size_t>(n) != values.size()) {
    base::fail(ErrorCode::invalid_argument, "tensor '{}': shape [{}] holds {} values, got {}", name,
               fmt::join(shape, ", "), n, values.size());
  }
  const std::int64_t cols = shape.back();
  const std::int64_t rows = cols == 0 ? 0 : n / cols;
  const std::uint64_t row_bytes = dtype_row_bytes(store_as, cols);
  std::vector<std::byte> data(
      static_cast<std::size_t>(row_bytes * static_cast<std::uint64_t>(rows)));
  for (std::int64_t r = 0; r < rows; ++r) {
    quantize_row(store_as, values.data() + r * cols,
                 data.data() + static_cast<std::uint64_t>(r) * row_bytes, cols);
  }
  add_tensor(name, store_as, shape, data);
}

namespace {

// The file in order: everything up to the data section in one piece, then each tensor's bytes
// (a source's in chunks) and its padding.
void emit(const std::vector<Entry>& entries, const std::vector<PendingTensor>& tensors,
          std::uint64_t alignment, const std::function<void(std::span<const std::byte>)>& put) {
  std::vector<std::byte> head;
  ByteSink sink(head);
  sink.put<std::uint32_t>(0x46554747);  // "GGUF"
  sink.put<std::uint32_t>(3);
  sink.put<std::uint64_t>(tensors.size());
  sink.put<std::uint64_t>(entries.size());
  for (const auto& entry : entries) {
    sink.put_string(entry.key);
    sink.put_bytes(entry.encoded.data(), entry.encoded.size());
  }
  std::uint64_t offset = 0;
  for (const auto& tensor : tensors) {
    sink.put_string(tensor.name);
    sink.put<std::uint32_t>(static_cast<std::uint32_t>(tensor.shape.size()));
    for (auto it = tensor.shape.rbegin(); it != tensor.shape.rend(); ++it) {
      sink.put<std::uint64_t>(static_cast<std::uint64_t>(*it));  // innermost first
    }
    sink.put<std::uint32_t>(*gguf_type_id(tensor.type));
    sink.put<std::uint64_t>(offset);
    offset += tensor.size();
    offset += (alignment - offset % alignment) % alignment;
  }
  if (tensors.empty()) {
    put(head);
    return;
  }
  sink.pad_to(alignment);
  put(head);
  const std::vector<std::byte> zeros(alignment);
  std::vector<std::byte> chunk;
  for (const auto& tensor : tensors) {
    if (tensor.source) {
      const std::uint64_t per_call = std::max<std::uint64_t>(
          1, source_chunk_bytes / std::max<std::uint64_t>(1, tensor.row_bytes));
      for (std::uint64_t first = 0; first < tensor.rows; first += per_call) {
        const std::uint64_t count = std::min(per_call, tensor.rows - first);
        chunk.assign(count * tensor.row_bytes, std::byte{0});
        tensor.source(static_cast<std::int64_t>(first), static_cast<std::int64_t>(count), chunk);
        put(chunk);
      }
    } else {
      put(tensor.data);
    }
    // Pad relative to the data section (which itself starts aligned).
    const std::uint64_t size = tensor.size();
    put(std::span<const std::byte>(zeros).first((alignment - size % alignment) % alignment));
  }
}

}  // namespace

std::vector<std::byte> GgufWriter::to_bytes() const {
  std::vector<std::byte> out;
  emit(impl_->entries, impl_->tensors, impl_->alignment, [&](std::span<const std::byte> bytes) {
    ByteSink(out).put_bytes(bytes.data(), bytes.size());
  });
  return out;
}

void GgufWriter::write(const std::filesystem::path& path) const {
  AtomicFile file(path);
  emit(impl_->entries, impl_->tensors, impl_->alignment,
       [&](std::span<const std::byte> bytes) { file.write(bytes); });
  file.commit();
}

LMC_END_NAMESPACE

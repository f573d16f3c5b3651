// GGUF model files (the format of llama.cpp): reading metadata and tensors, and writing them.
//
// Versions 2 and 3 are read (little-endian only). Tensor data is served straight from the
// memory-mapped file. Every count, length, offset and size read from a file is checked before
// it is used: a damaged or hostile file gets an Error(format) (or Error(unsupported) for a
// valid but unknown tensor type) naming the file and the field or byte offset.
#pragma once

#include <lmc/dtype.hpp>
#include <lmc/error.hpp>
#include <lmc/export.hpp>
#include <lmc/tensor.hpp>
#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE

/// The type of a GGUF metadata value, with its on-disk number.
enum class GgufValueType : std::uint32_t {
  u8 = 0,
  i8 = 1,
  u16 = 2,
  i16 = 3,
  u32 = 4,
  i32 = 5,
  f32 = 6,
  boolean = 7,
  string = 8,
  array = 9,
  u64 = 10,
  i64 = 11,
  f64 = 12,
};

/// Lower-case name of a value type ("u32", "string", "array", ...).
LMC_EXPORT std::string_view to_string(GgufValueType type) noexcept;

namespace format {
struct Access;  // lib/format/access.hpp
}

/// One metadata value of an open GgufFile (a scalar, a string or an array). It lives as long as
/// the file object; strings are views into the file.
///
/// The scalar accessors convert between numeric types only when the value is represented
/// exactly (a u32 reads as_int(), a float 3.0 reads as_int(), -1 does not read as_uint()).
/// Anything else throws Error(format) "<file>: metadata key '<key>' ...".
class LMC_EXPORT GgufValue {
 public:
  GgufValue() = default;

  /// The metadata key this value belongs to (for an element of a nested array, the key of the
  /// outermost array).
  std::string_view key() const noexcept { return key_; }
  GgufValueType type() const noexcept { return type_; }
  /// For arrays, the type of the elements; for other values, type().
  GgufValueType element_type() const noexcept { return element_type_; }
  bool is_array() const noexcept { return type_ == GgufValueType::array; }
  /// Number of elements of an array; 1 for a scalar or string.
  std::uint64_t size() const noexcept { return count_; }

  std::int64_t as_int() const;
  std::uint64_t as_uint() const;
  double as_double() const;
  /// A boolean, or an integer 0 or 1.
  bool as_bool() const;
  /// A string value, as a view into the file.
  std::string_view as_string() const;

  /// All elements of an array of strings.
  std::vector<std::string_view> as_strings() const;
  /// Element i of an array of strings (Error(out_of_range) past the end).
  std::string_view string_at(std::uint64_t i) const;
  /// All elements of an array of integers or booleans, each converted exactly to int64.
  std::vector<std::int64_t> as_ints() const;
  /// All elements of an array of numbers, converted to float (f64 and large integers round).
  std::vector<float> as_floats() const;
  /// Element i of an array of arrays (nested arrays). Error(format) for other value types.
  const GgufValue& at(std::uint64_t i) const;

  /// The value as short text, for printing: numbers, strings quoted, arrays as
  /// "[array of N <type>]".
  std::string to_display_string() const;

 private:
  friend struct format::Access;
  [[noreturn]] void type_error(std::string_view wanted) const;
  std::uint64_t raw_element(std::uint64_t i) const;

  std::string_view key_;
  const std::string* source_ = nullptr;  // the file's name, for error messages
  GgufValueType type_ = GgufValueType::u8;
  GgufValueType element_type_ = GgufValueType::u8;
  std::uint64_t count_ = 0;
  std::uint64_t bits_ = 0;           // a scalar's value, as its little-endian bytes
  const std::byte* data_ = nullptr;  // string bytes, or the packed elements of a numeric array
  std::vector<std::string_view> strings_;  // elements of an array of strings
  std::vector<GgufValue> items_;           // elements of an array of arrays
};

/// An open GGUF file: its metadata in file order and its tensor table. Move-only.
class LMC_EXPORT GgufFile {
 public:
  /// Opens and validates `path`. With memory_map=false the file is read into memory instead.
  /// Throws Error(io) when it cannot be read, Error(format)/Error(unsupported) when it is not a
  /// valid GGUF v2/v3 file.
  static GgufFile open(const std::filesystem::path& path, bool memory_map = true);
  /// Parses a whole GGUF file held in memory; `source` names it in error messages.
  static GgufFile parse(std::vector<std::byte> bytes, std::string source);

  GgufFile(GgufFile&&) noexcept;
  GgufFile& operator=(GgufFile&&) noexcept;
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;
  ~GgufFile();

  /// The path or name the file was opened with.
  const std::string& source() const noexcept;
  std::uint32_t version() const noexcept;
  /// Alignment of tensor data in bytes: general.alignment, or 32 when the key is absent.
  std::uint64_t alignment() const noexcept;
  /// Total size of the file in bytes.
  std::uint64_t file_size() const noexcept;

  /// Metadata keys in file order.
  const std::vector<std::string>& metadata_keys() const noexcept;
  /// The value of `key`, or nullptr.
  const GgufValue* find(std::string_view key) const noexcept;
  /// The value of `key`; throws Error(format) "<file>: missing metadata key '<key>'".
  const GgufValue& at(std::string_view key) const;
  /// general.architecture ("llama", "qwen2", ...); Error(format) when absent or not a string.
  std::string_view architecture() const;

  /// Tensors in file order; shapes are outermost first (see Tensor).
  std::span<const Tensor> tensors() const noexcept;
  const Tensor* find_tensor(std::string_view name) const noexcept;
  /// Throws Error(format) "<file>: missing tensor '<name>'".
  const Tensor& tensor(std::string_view name) const;

 private:
  struct Impl;
  explicit GgufFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// GGUF type number of a DType (ggml_type), or nullopt for types GGUF cannot store (U8).
LMC_EXPORT std::optional<std::uint32_t> gguf_type_id(DType type) noexcept;
/// DType of a GGUF type number, or nullopt for types lmc does not read (IQ*, Q8_K, ...).
LMC_EXPORT std::optional<DType> dtype_from_gguf_type_id(std::uint32_t id) noexcept;

/// Builds a GGUF v3 file in memory and writes it. Keys and tensors are written in the order they
/// were first set/added; setting a key again replaces its value in place. Move-only.
class LMC_EXPORT GgufWriter {
 public:
  GgufWriter();
  GgufWriter(GgufWriter&&) noexcept;
  GgufWriter& operator=(GgufWriter&&) noexcept;
  GgufWriter(const GgufWriter&) = delete;
  GgufWriter& operator=(const GgufWriter&) = delete;
  ~GgufWriter();

  void set_u8(std::string_view key, std::uint8_t value);
  void set_i8(std::string_view key, std::int8_t value);
  void set_u16(std::string_view key, std::uint16_t value);
  void set_i16(std::string_view key, std::int16_t value);
  void set_u32(std::string_view key, std::uint32_t value);
  void set_i32(std::string_view key, std::int32_t value);
  void set_u64(std::string_view key, std::uint64_t value);
  void set_i64(std::string_view key, std::int64_t value);
  void set_f32(std::string_view key, float value);
  void set_f64(std::string_view key, double value);
  void set_bool(std::string_view key, bool value);
  void set_string(std::string_view key, std::string_view value);
  void set_strings(std::string_view key, std::span<const std::string> values);
  void set_strings(std::string_view key, std::span<const std::string_view> values);
  void set_i32s(std::string_view key, std::span<const std::int32_t> values);
  void set_u32s(std::string_view key, std::span<const std::uint32_t> values);
  void set_i64s(std::string_view key, std::span<const std::int64_t> values);
  void set_f32s(std::string_view key, std::span<const float> values);
  /// Copies a value read from another GGUF file (any type, nested arrays included) under its
  /// key, or under `key` when given.
  void set_value(const GgufValue& value, std::optional<std::string_view> key = std::nullopt);
  /// Removes a key if present.
  void remove(std::string_view key);

  /// Tensor data alignment (a power of two, default 32). A value other than 32 is also written
  /// as general.alignment. Error(invalid_argument) for a non-power of two.
  void set_alignment(std::uint32_t alignment);

  /// Adds a tensor stored as `type`; shape is OUTERMOST FIRST (see Tensor) and `data` must hold
  /// exactly the bytes of that shape (it is copied). Error(invalid_argument) on a duplicate
  /// name, a size mismatch, a last dimension that is not a multiple of the block size, or a
  /// type GGUF cannot store.
  void add_tensor(std::string_view name, DType type, std::span<const std::int64_t> shape,
                  std::span<const std::byte> data);
  /// Fills `out` with the stored bytes of rows [first, first + count) of a tensor added with
  /// add_tensor_rows: exactly count · dtype_row_bytes(type, shape.back()) bytes, where a "row"
  /// is one run of the last (innermost) dimension. Throwing aborts the write.
  using RowSource =
      std::function<void(std::int64_t first, std::int64_t count, std::span<std::byte> out)>;
  /// Adds a tensor whose bytes `source` produces only when the file is written, in increasing
  /// order of rows and a few MiB at a time, so that write() can produce a file larger than
  /// memory (a 7B model, say); to_bytes() calls it too. Each write calls it again. Errors as
  /// add_tensor.
  void add_tensor_rows(std::string_view name, DType type, std::span<const std::int64_t> shape,
                       RowSource source);
  /// Adds a float32 tensor converted with quantize_row to `store_as` (f32, f16, bf16, q8_0).
  void add_tensor_f32(std::string_view name, std::span<const std::int64_t> shape,
                      std::span<const float> values, DType store_as = DType::f32);

  /// The whole file as bytes.
  std::vector<std::byte> to_bytes() const;
  /// Writes the file atomically: to a temporary file beside `path`, then renamed over it.
  /// Tensor data is streamed, never the whole file held in memory. Throws Error(io) on failure
  /// (and leaves no temporary file behind).
  void write(const std::filesystem::path& path) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

LMC_END_NAMESPACE

// safetensors files (Hugging Face): reading single files and sharded checkpoints, and writing.
//
// Layout: an 8-byte little-endian header length N, N bytes of JSON mapping each tensor name to
// {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the end of the header),
// an optional "__metadata__" object of string values, then the data. The reader checks the
// JSON, that every tensor's byte range lies in the file, matches its dtype and shape and
// overlaps no other, and that names are unique; failures are Error(format) naming the file and
// the tensor or offset. Shapes are outermost first, as safetensors stores them (see Tensor).
//
// Readable dtypes: F32, F16, BF16, F64, I8, U8, I16, I32, I64. Tensors of other dtypes (BOOL,
// U16/U32/U64, F8_*) are checked for size like the rest but not served: they are listed by
// skipped_tensors().
#pragma once

#include <lmc/dtype.hpp>
#include <lmc/error.hpp>
#include <lmc/export.hpp>
#include <lmc/tensor.hpp>
#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE

/// One open .safetensors file. Move-only; tensor data lives as long as the object.
class LMC_EXPORT SafetensorsFile {
 public:
  /// Throws Error(io) when the file cannot be read and Error(format) when it is not valid.
  static SafetensorsFile open(const std::filesystem::path& path, bool memory_map = true);
  /// Parses a whole file held in memory; `source` names it in error messages.
  static SafetensorsFile parse(std::vector<std::byte> bytes, std::string source);

  SafetensorsFile(SafetensorsFile&&) noexcept;
  SafetensorsFile& operator=(SafetensorsFile&&) noexcept;
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;
  ~SafetensorsFile();

  const std::string& source() const noexcept;
  /// Tensors in order of their data offsets.
  std::span<const Tensor> tensors() const noexcept;
  const Tensor* find_tensor(std::string_view name) const noexcept;
  /// Throws Error(format) "<file>: missing tensor '<name>'".
  const Tensor& tensor(std::string_view name) const;
  /// The "__metadata__" map (empty when absent).
  const std::map<std::string, std::string>& metadata() const noexcept;
  /// "name (DTYPE)" of each tensor whose dtype lmc does not serve.
  const std::vector<std::string>& skipped_tensors() const noexcept;

 private:
  struct Impl;
  explicit SafetensorsFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// A checkpoint made of one or more safetensors files. Move-only.
class LMC_EXPORT SafetensorsCheckpoint {
 public:
  /// `path` is a .safetensors file, or a folder holding model.safetensors or
  /// model.safetensors.index.json (whose "weight_map" names the shard of each tensor; every
  /// shard is opened, and each tensor must be in the shard the index names). A tensor name
  /// present in two shards is Error(format). A folder with neither file, or with several
  /// *.safetensors files and no index, is Error(format).
  static SafetensorsCheckpoint open(const std::filesystem::path& path, bool memory_map = true);

  SafetensorsCheckpoint(SafetensorsCheckpoint&&) noexcept;
  SafetensorsCheckpoint& operator=(SafetensorsCheckpoint&&) noexcept;
  SafetensorsCheckpoint(const SafetensorsCheckpoint&) = delete;
  SafetensorsCheckpoint& operator=(const SafetensorsCheckpoint&) = delete;
  ~SafetensorsCheckpoint();

  /// The path given to open().
  const std::filesystem::path& path() const noexcept;
  /// The shards, in the order they were opened (sorted by file name).
  std::span<const SafetensorsFile> files() const noexcept;
  /// All tensors of all shards, sorted by name.
  std::span<const Tensor> tensors() const noexcept;
  const Tensor* find_tensor(std::string_view name) const noexcept;
  /// Throws Error(format) "<path>: missing tensor '<name>'".
  const Tensor& tensor(std::string_view name) const;
  /// The index's "metadata" object's string and number values (e.g. total_size), or the single
  /// file's __metadata__.
  const std::map<std::string, std::string>& metadata() const noexcept;

 private:
  struct Impl;
  explicit SafetensorsCheckpoint(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Builds a .safetensors file: the JSON header (padded with spaces to a multiple of 8 bytes, as
/// the reference writer does), then the tensors' data in the order they were added. Move-only.
class LMC_EXPORT SafetensorsWriter {
 public:
  SafetensorsWriter();
  SafetensorsWriter(SafetensorsWriter&&) noexcept;
  SafetensorsWriter& operator=(SafetensorsWriter&&) noexcept;
  SafetensorsWriter(const SafetensorsWriter&) = delete;
  SafetensorsWriter& operator=(const SafetensorsWriter&) = delete;
  ~SafetensorsWriter();

  /// Adds a tensor (data copied). Error(invalid_argument) for a duplicate name, a size
  /// mismatch, or a quantized type (safetensors has no block types).
  void add_tensor(std::string_view name, DType type, std::span<const std::int64_t> shape,
                  std::span<const std::byte> data);
  /// Adds float32 values stored as `store_as` (f32, f16 or bf16).
  void add_tensor_f32(std::string_view name, std::span<const std::int64_t> shape,
                      std::span<const float> values, DType store_as = DType::f32);
  /// Sets a "__metadata__" entry.
  void set_metadata(std::string_view key, std::string_view value);

  std::vector<std::byte> to_bytes() const;
  /// Writes atomically (temporary file, then rename). Throws Error(io).
  void write(const std::filesystem::path& path) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

LMC_END_NAMESPACE

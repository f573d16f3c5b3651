// GGUF reader.
//
// On-disk layout (all little-endian; "string" = u64 byte length + bytes, no terminator):
//   u32 magic "GGUF" · u32 version (2 or 3) · u64 tensor_count · u64 metadata_kv_count
//   metadata_kv_count × { string key · u32 value_type · value }
//       value: a scalar of its type; a string; or an array = u32 element_type · u64 count ·
//       count elements (arrays may nest)
//   tensor_count × { string name · u32 n_dims · u64 ne[n_dims] (innermost first) ·
//                    u32 ggml_type · u64 offset (relative to the data section) }
//   padding to `alignment` (general.alignment, default 32) · the data section
// Version 1 (u32 counts) is refused; version 2 and 3 share this layout (3 only adds big-endian
// files, which are refused too).
//
// Checks: every read is bounds-checked; counts are compared with the bytes left before anything
// is reserved; keys and tensor names are unique; tensor types are known; each tensor's offset is
// aligned, its size computed without overflow, its bytes inside the file and disjoint from every
// other tensor's.
#include <lmc/gguf.hpp>

#include "base/byte_reader.hpp"
#include "base/checked_math.hpp"
#include "base/fail.hpp"
#include "base/mapped_file.hpp"
#include "format/access.hpp"
#include "format/container_file.hpp"
#include "format/shape_check.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <numeric>
#include <unordered_map>

LMC_BEGIN_NAMESPACE

namespace {

constexpr std::uint32_t gguf_magic = 0x46554747;  // "GGUF" read as a little-endian u32
constexpr std::uint64_t default_alignment = 32;
constexpr int max_array_depth = 8;     // nested arrays deeper than this are refused
constexpr std::uint32_t max_dims = 4;  // GGML_MAX_DIMS

// Smallest possible encodings, used to refuse counts the remaining bytes cannot hold.
constexpr std::uint64_t min_kv_bytes = 8 + 4 + 1;                   // empty key, u32 type, one byte
constexpr std::uint64_t min_tensor_info_bytes = 8 + 4 + 8 + 4 + 8;  // empty name, one dim
constexpr std::uint64_t min_array_bytes = 4 + 8;                    // element type and count

}  // namespace

struct GgufFile::Impl {
  std::string source;
  base::MappedFile mapped;  // the file, or the buffer given to parse()
  std::span<const std::byte> bytes;

  std::uint32_t version = 0;
  std::uint64_t alignment = default_alignment;
  std::vector<std::string> keys;
  std::vector<GgufValue> values;  // parallel to keys
  std::unordered_map<std::string_view, std::size_t> key_index;
  std::vector<Tensor> tensors;
  format::TensorIndex tensor_index;

  void parse();

 private:
  GgufValueType read_type(base::ByteReader& in, std::string_view what);
  std::string_view read_string(base::ByteReader& in, std::string_view what);
  void read_value(base::ByteReader& in, GgufValue& value, GgufValueType type, std::string_view key,
                  int depth);
  void read_metadata(base::ByteReader& in, std::uint64_t count);
  void read_alignment();
  void read_tensors(base::ByteReader& in, std::uint64_t count);
};

GgufValueType GgufFile::Impl::read_type(base::ByteReader& in, std::string_view what) {
  const std::size_t at = in.offset();
  const auto raw = in.read<std::uint32_t>(what);
  if (raw > static_cast<std::uint32_t>(GgufValueType::f64)) {
    base::fail(ErrorCode::format, "{}: offset {}: {} has unknown value type {}", source, at, what,
               raw);
  }
  return static_cast<GgufValueType>(raw);
}

std::string_view GgufFile::Impl::read_string(base::ByteReader& in, std::string_view what) {
  const auto length = in.read<std::uint64_t>(what);
  return in.take_string(length, what);
}

void GgufFile::Impl::read_value(base::ByteReader& in, GgufValue& value, GgufValueType type,
                                std::string_view key, int depth) {
  using Builder = format::Access;
  Builder::set_key(value, key, &source);
  if (const std::size_t width = format::gguf_scalar_width(type); width != 0) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, in.take(width, key).data(), width);
    if (type == GgufValueType::boolean && bits > 1) {
      base::fail(ErrorCode::format,
                 "{}: offset {}: metadata key '{}': boolean byte is {}, not 0 or 1", source,
                 in.offset() - 1, key, bits);
    }
    Builder::set_scalar(value, type, bits);
    return;
  }
  if (type == GgufValueType::string) {
    Builder::set_string(value, read_string(in, key));
    return;
  }
  // An array.
  const std::size_t at = in.offset();
  if (depth >= max_array_depth) {
    base::fail(ErrorCode::format, "{}: offset {}: metadata key '{}': arrays nested deeper than {}",
               source, at, key, max_array_depth);
  }
  const GgufValueType element = read_type(in, key);
  const auto count = in.read<std::uint64_t>(key);
  if (const std::size_t width = format::gguf_scalar_width(element); width != 0) {
    const std::uint64_t size = base::checked_mul(count, width, source + ": array size");
    auto elements = in.take(size, key);
    if (element == GgufValueType::boolean) {
      for (std::byte b : elements) {
        if (std::to_integer<unsigned>(b) > 1) {
          base::fail(ErrorCode::format,
                     "{}: offset {}: metadata key '{}': boolean array element is "
                     "not 0 or 1",
                     source, at, key);
        }
      }
    }
    Builder::set_numeric_array(value, element, count, elements.data());
    return;
  }
  const std::uint64_t min_element = element == GgufValueType::string ? 8 : min_array_bytes;
  if (count > in.remaining() / min_element) {
    base::fail(ErrorCode::format,
               "{}: offset {}: metadata key '{}': array of {} {} cannot fit in the "
               "{} bytes left",
               source, at, key, count, to_string(element), in.remaining());
  }
  if (element == GgufValueType::string) {
    std::vector<std::string_view> strings;
    strings.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count; ++i) strings.push_back(read_string(in, key));
    Builder::set_string_array(value, std::move(strings));
    return;
  }
  std::vector<GgufValue> items(static_cast<std::size_t>(count));
  for (auto& item : items) {
    read_value(in, item, GgufValueType::array, key, depth + 1);
  }
  Builder::set_array_array(value, std::move(items));
}

void GgufFile::Impl::read_metadata(base::ByteReader& in, std::uint64_t count) {
  if (count > in.remaining() / min_kv_bytes) {
    base::fail(ErrorCode::format,
               "{}: offset 16: metadata count {} cannot fit in the {} bytes left", source, count,
               in.remaining());
  }
  keys.reserve(static_cast<std::size_t>(count));
  values.resize(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::size_t at = in.offset();
    const std::string_view key = read_string(in, "metadata key");
    if (!key_index.emplace(key, keys.size()).second) {
      base::fail(ErrorCode::format, "{}: offset {}: duplicate metadata key '{}'", source, at, key);
    }
    keys.emplace_back(key);
    const GgufValueType type = read_type(in, fmt::format("value type of metadata key '{}'", key));
    read_value(in, values[static_cast<std::size_t>(i)], type, key, 0);
  }
}

void GgufFile::Impl::read_alignment() {
  auto it = key_index.find("general.alignment");
  if (it == key_index.end()) return;
  const GgufValue& value = values[it->second];
  const std::uint64_t a = value.as_uint();
  if (a == 0 || !std::has_single_bit(a) || a > (1u << 30)) {
    base::fail(ErrorCode::format, "{}: general.alignment {} is not a power of two up to 2^30",
               source, a);
  }
  alignment = a;
}

void GgufFile::Impl::read_tensors(base::ByteReader& in, std::uint64_t count) {
  if (count > in.remaining() / min_tensor_info_bytes) {
    base::fail(ErrorCode::format, "{}: offset 8: tensor count {} cannot fit in the {} bytes left",
               source, count, in.remaining());
  }
  struct Placement {
    std::uint64_t offset;
    std::uint64_t size;
  };
  std::vector<Placement> placements;
  tensors.reserve(static_cast<std::size_t>(count));
  placements.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::size_t at = in.offset();
    Tensor tensor;
    tensor.name = std::string(read_string(in, "tensor name"));
    const auto what = [&] { return fmt::format("tensor '{}'", tensor.name); };
    const auto n_dims = in.read<std::uint32_t>("tensor dimension count");
    if (n_dims == 0 || n_dims > max_dims) {
      base::fail(ErrorCode::format, "{}: offset {}: {} has {} dimensions (1 to {} allowed)", source,
                 at, what(), n_dims, max_dims);
    }
    tensor.shape.resize(n_dims);
    std::uint64_t elements = 1;
    for (std::uint32_t d = 0; d < n_dims; ++d) {
      const auto ne = in.read<std::uint64_t>("tensor dimension");
      if (ne > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        base::fail(ErrorCode::format, "{}: offset {}: {} dimension {} is {}", source, at, what(), d,
                   ne);
      }
      elements =
          base::checked_mul(elements, ne, fmt::format("{}: {} element count", source, what()));
      tensor.shape[n_dims - 1 - d] = static_cast<std::int64_t>(ne);  // outermost first
    }
    if (elements > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      base::fail(ErrorCode::format, "{}: {} has {} elements", source, what(), elements);
    }
    format::check_shape_product(tensor.shape, source, what());
    const auto type_id = in.read<std::uint32_t>("tensor type");
    const auto type = dtype_from_gguf_type_id(type_id);
    if (!type) {
      base::fail(ErrorCode::unsupported,
                 "{}: offset {}: {} has ggml type {}, which lmc does not read", source, at, what(),
                 type_id);
    }
    tensor.type = *type;
    const auto offset = in.read<std::uint64_t>("tensor data offset");
    if (offset % alignment != 0) {
      base::fail(ErrorCode::format, "{}: {} data offset {} is not a multiple of the alignment {}",
                 source, what(), offset, alignment);
    }
    const std::int64_t row = tensor.shape.back();
    if (row % dtype_block_size(tensor.type) != 0) {
      base::fail(ErrorCode::format,
                 "{}: {} of type {} has rows of {} elements, not a multiple of {}", source, what(),
                 dtype_name(tensor.type), row, dtype_block_size(tensor.type));
    }
    const std::uint64_t rows = row == 0 ? 0 : elements / static_cast<std::uint64_t>(row);
    const std::uint64_t size = base::checked_mul(dtype_row_bytes(tensor.type, row), rows,
                                                 fmt::format("{}: {} byte size", source, what()));
    placements.push_back({offset, size});
    tensors.push_back(std::move(tensor));
  }

  // Names must be unique. (The index views the names in `tensors`, which no longer move.)
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (!tensor_index.emplace(tensors[i].name, i).second) {
      base::fail(ErrorCode::format, "{}: duplicate tensor name '{}'", source, tensors[i].name);
    }
  }
  if (tensors.empty()) return;

  // The data section starts at the next multiple of the alignment.
  const std::uint64_t info_end = in.offset();
  const std::uint64_t data_start = base::checked_add(
      info_end, (alignment - info_end % alignment) % alignment, source + ": data start");
  if (data_start > bytes.size()) {
    base::fail(ErrorCode::format, "{}: data section at offset {} starts past the end ({} bytes)",
               source, data_start, bytes.size());
  }
  const std::uint64_t data_size = bytes.size() - data_start;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const auto [offset, size] = placements[i];
    const std::uint64_t end = base::checked_add(offset, size, source + ": tensor end");
    if (end > data_size) {
      base::fail(ErrorCode::format,
                 "{}: tensor '{}' bytes [{}, {}) of the data section run past its "
                 "end ({} bytes, file truncated?)",
                 source, tensors[i].name, offset, end, data_size);
    }
    tensors[i].data = bytes.subspan(static_cast<std::size_t>(data_start + offset),
                                    static_cast<std::size_t>(size));
  }
  // No two tensors may share bytes.
  std::vector<std::size_t> order(tensors.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return placements[a].offset < placements[b].offset;
  });
  for (std::size_t k = 1; k < order.size(); ++k) {
    const auto& previous = placements[order[k - 1]];
    const auto& current = placements[order[k]];
    if (previous.size != 0 && current.size != 0 &&
        previous.offset + previous.size > current.offset) {
      base::fail(ErrorCode::format, "{}: tensors '{}' and '{}' overlap (data offsets {} and {})",
                 source, tensors[order[k - 1]].name, tensors[order[k]].name, previous.offset,
                 current.offset);
    }
  }
}

void GgufFile::Impl::parse() {
  base::ByteReader in(bytes, source);
  const auto magic = in.read<std::uint32_t>("magic");
  if (magic != gguf_magic) {
    base::fail(ErrorCode::format,
               "{}: offset 0: not a GGUF file (magic {:#010x}, expected \"GGUF\")", source, magic);
  }
  version = in.read<std::uint32_t>("version");
  if (version == 1) {
    base::fail(ErrorCode::unsupported, "{}: GGUF version 1 is not supported (only 2 and 3)",
               source);
  }
  if (version != 2 && version != 3) {
    if (__builtin_bswap32(version) == 2 || __builtin_bswap32(version) == 3) {
      base::fail(ErrorCode::unsupported, "{}: big-endian GGUF files are not supported", source);
    }
    base::fail(ErrorCode::format, "{}: offset 4: unknown GGUF version {}", source, version);
  }
  const auto tensor_count = in.read<std::uint64_t>("tensor count");
  const auto kv_count = in.read<std::uint64_t>("metadata count");
  read_metadata(in, kv_count);
  read_alignment();
  read_tensors(in, tensor_count);
}

GgufFile::GgufFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GgufFile::GgufFile(GgufFile&&) noexcept = default;
GgufFile& GgufFile::operator=(GgufFile&&) noexcept = default;
GgufFile::~GgufFile() = default;

GgufFile GgufFile::open(const std::filesystem::path& path, bool memory_map) {
  return GgufFile(format::open_container<Impl>(path, memory_map));
}

GgufFile GgufFile::parse(std::vector<std::byte> bytes, std::string source_name) {
  return GgufFile(format::adopt_container<Impl>(std::move(bytes), std::move(source_name)));
}

const std::string& GgufFile::source() const noexcept { return impl_->source; }
std::uint32_t GgufFile::version() const noexcept { return impl_->version; }
std::uint64_t GgufFile::alignment() const noexcept { return impl_->alignment; }
std::uint64_t GgufFile::file_size() const noexcept { return impl_->bytes.size(); }
const std::vector<std::string>& GgufFile::metadata_keys() const noexcept { return impl_->keys; }

const GgufValue* GgufFile::find(std::string_view key) const noexcept {
  auto it = impl_->key_index.find(key);
  return it == impl_->key_index.end() ? nullptr : &impl_->values[it->second];
}

const GgufValue& GgufFile::at(std::string_view key) const {
  if (const GgufValue* value = find(key)) return *value;
  base::fail(ErrorCode::format, "{}: missing metadata key '{}'", impl_->source, key);
}

std::string_view GgufFile::architecture() const { return at("general.architecture").as_string(); }

std::span<const Tensor> GgufFile::tensors() const noexcept { return impl_->tensors; }

const Tensor* GgufFile::find_tensor(std::string_view name) const noexcept {
  return format::find_indexed(impl_->tensor_index, impl_->tensors, name);
}

const Tensor& GgufFile::tensor(std::string_view name) const {
  return format::require_tensor(find_tensor(name), impl_->source, name);
}

LMC_END_NAMESPACE

// safetensors reader (single files and sharded checkpoints).
//
// File layout: u64 (little-endian) header length N · N bytes of UTF-8 JSON · data. The JSON is
// an object: "__metadata__" → {string: string} (optional), and for each tensor
// name → {"dtype": "F32", "shape": [d0, d1, ...] (outermost first),
//         "data_offsets": [begin, end]} with offsets relative to the first byte after the header.
//
// Checks: the header length fits the file (and a 100 MiB cap, as the reference reader has); the
// JSON parses and has the types above; names are unique; dtypes are known; each byte range
// equals element count × element size (computed without overflow), lies in the file, and
// overlaps no other range. Gaps between ranges are tolerated.
#include <lmc/safetensors.hpp>

#include "base/byte_reader.hpp"
#include "base/checked_math.hpp"
#include "base/fail.hpp"
#include "base/json.hpp"
#include "base/mapped_file.hpp"
#include "format/container_file.hpp"
#include "format/shape_check.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <set>
#include <unordered_map>

LMC_BEGIN_NAMESPACE

namespace {

constexpr std::uint64_t max_header_bytes = 100u << 20;

// safetensors dtypes lmc recognises but does not serve, with their element sizes.
struct SkippedDType {
  std::string_view name;
  std::uint64_t bytes;
};
constexpr std::array<SkippedDType, 7> skipped_dtypes{{
    {"BOOL", 1},
    {"U16", 2},
    {"U32", 4},
    {"U64", 8},
    {"F8_E4M3", 1},
    {"F8_E5M2", 1},
    {"F8_E8M0", 1},
}};

std::optional<DType> served_dtype(std::string_view name) {
  auto type = dtype_from_name(name);
  if (type && !dtype_is_quantized(*type)) return type;
  return std::nullopt;
}

std::uint64_t json_uint(const rapidjson::Value& value, const std::string& source,
                        const std::string& what) {
  if (!value.IsUint64()) {
    base::fail(ErrorCode::format, "{}: {} must be a non-negative integer, got {}", source, what,
               base::json_type_name(value));
  }
  return value.GetUint64();
}

}  // namespace

struct SafetensorsFile::Impl {
  std::string source;
  base::MappedFile mapped;  // the file, or the buffer given to parse()
  std::span<const std::byte> bytes;
  std::vector<Tensor> tensors;
  format::TensorIndex index;
  std::map<std::string, std::string> metadata;
  std::vector<std::string> skipped;

  void parse();
};

void SafetensorsFile::Impl::parse() {
  base::ByteReader in(bytes, source);
  const auto header_size = in.read<std::uint64_t>("header length");
  if (header_size > in.remaining() || header_size > max_header_bytes) {
    base::fail(ErrorCode::format, "{}: offset 0: header length {} exceeds the {} bytes after it{}",
               source, header_size, in.remaining(),
               header_size > max_header_bytes ? " (or the 100 MiB limit)" : "");
  }
  const std::string_view header = in.take_string(header_size, "header");
  const auto data = bytes.subspan(in.offset());
  const auto document = base::parse_json(header, source + ": header");
  if (!document.IsObject()) {
    base::fail(ErrorCode::format, "{}: header is {}, not a JSON object", source,
               base::json_type_name(document));
  }

  struct Range {
    std::uint64_t begin, end;
    std::size_t tensor;  // index into tensors, or npos for a skipped one
    std::string_view name;
  };
  std::vector<Range> ranges;
  std::set<std::string_view> names;
  for (auto member = document.MemberBegin(); member != document.MemberEnd(); ++member) {
    const std::string_view name(member->name.GetString(), member->name.GetStringLength());
    if (!names.insert(name).second) {
      base::fail(ErrorCode::format, "{}: header: duplicate name '{}'", source, name);
    }
    const auto& value = member->value;
    if (name == "__metadata__") {
      if (!value.IsObject()) {
        base::fail(ErrorCode::format, "{}: header: __metadata__ is {}, not an object", source,
                   base::json_type_name(value));
      }
      for (auto entry = value.MemberBegin(); entry != value.MemberEnd(); ++entry) {
        if (!entry->value.IsString()) {
          base::fail(ErrorCode::format, "{}: header: __metadata__ value '{}' is {}, not a string",
                     source, entry->name.GetString(), base::json_type_name(entry->value));
        }
        metadata[entry->name.GetString()] =
            std::string(entry->value.GetString(), entry->value.GetStringLength());
      }
      continue;
    }
    const std::string what = fmt::format("tensor '{}'", name);
    if (!value.IsObject()) {
      base::fail(ErrorCode::format, "{}: header: {} is {}, not an object", source, what,
                 base::json_type_name(value));
    }
    const auto dtype_it = value.FindMember("dtype");
    const auto shape_it = value.FindMember("shape");
    const auto offsets_it = value.FindMember("data_offsets");
    if (dtype_it == value.MemberEnd() || !dtype_it->value.IsString() ||
        shape_it == value.MemberEnd() || !shape_it->value.IsArray() ||
        offsets_it == value.MemberEnd() || !offsets_it->value.IsArray() ||
        offsets_it->value.Size() != 2) {
      base::fail(ErrorCode::format,
                 "{}: header: {} needs \"dtype\" (string), \"shape\" (array) and "
                 "\"data_offsets\" ([begin, end])",
                 source, what);
    }
    const std::string_view dtype(dtype_it->value.GetString(), dtype_it->value.GetStringLength());
    Tensor tensor;
    tensor.name = std::string(name);
    std::uint64_t element_bytes = 0;
    const auto served = served_dtype(dtype);
    if (served) {
      tensor.type = *served;
      element_bytes = static_cast<std::uint64_t>(dtype_block_bytes(*served));
    } else {
      auto skip = std::find_if(skipped_dtypes.begin(), skipped_dtypes.end(),
                               [&](const SkippedDType& s) { return s.name == dtype; });
      if (skip == skipped_dtypes.end()) {
        base::fail(ErrorCode::unsupported, "{}: header: {} has unknown dtype '{}'", source, what,
                   dtype);
      }
      element_bytes = skip->bytes;
    }
    std::uint64_t elements = 1;
    for (const auto& dim : shape_it->value.GetArray()) {
      const std::uint64_t d = json_uint(dim, source, what + " shape");
      if (d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        base::fail(ErrorCode::format, "{}: header: {} dimension {} is too large", source, what, d);
      }
      elements = base::checked_mul(elements, d, source + ": " + what + " element count");
      tensor.shape.push_back(static_cast<std::int64_t>(d));
    }
    format::check_shape_product(tensor.shape, source, what);
    const std::uint64_t size =
        base::checked_mul(elements, element_bytes, source + ": " + what + " size");
    const std::uint64_t begin = json_uint(offsets_it->value[0], source, what + " data_offsets");
    const std::uint64_t end = json_uint(offsets_it->value[1], source, what + " data_offsets");
    if (begin > end || end - begin != size) {
      base::fail(ErrorCode::format,
                 "{}: header: {} data_offsets [{}, {}] do not hold {} bytes ({} {})", source, what,
                 begin, end, size, dtype, tensor.shape_string());
    }
    if (end > data.size()) {
      base::fail(ErrorCode::format,
                 "{}: header: {} data_offsets [{}, {}] run past the end of the data "
                 "({} bytes, file truncated?)",
                 source, what, begin, end, data.size());
    }
    if (served) {
      tensor.data = data.subspan(static_cast<std::size_t>(begin), static_cast<std::size_t>(size));
      ranges.push_back({begin, end, tensors.size(), name});
      tensors.push_back(std::move(tensor));
    } else {
      ranges.push_back({begin, end, std::string_view::npos, name});
      skipped.push_back(fmt::format("{} ({})", name, dtype));
    }
  }

  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.begin < b.begin; });
  for (std::size_t k = 1; k < ranges.size(); ++k) {
    if (ranges[k - 1].end > ranges[k].begin && ranges[k - 1].begin != ranges[k - 1].end &&
        ranges[k].begin != ranges[k].end) {
      base::fail(ErrorCode::format, "{}: tensors '{}' and '{}' overlap (data offsets {} and {})",
                 source, ranges[k - 1].name, ranges[k].name, ranges[k - 1].begin, ranges[k].begin);
    }
  }
  // Serve tensors in data order.
  std::vector<Tensor> ordered;
  ordered.reserve(tensors.size());
  for (const Range& range : ranges) {
    if (range.tensor != std::string_view::npos) ordered.push_back(std::move(tensors[range.tensor]));
  }
  tensors = std::move(ordered);
  for (std::size_t i = 0; i < tensors.size(); ++i) index.emplace(tensors[i].name, i);
}

SafetensorsFile::SafetensorsFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SafetensorsFile::SafetensorsFile(SafetensorsFile&&) noexcept = default;
SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&&) noexcept = default;
SafetensorsFile::~SafetensorsFile() = default;

SafetensorsFile SafetensorsFile::open(const std::filesystem::path& path, bool memory_map) {
  return SafetensorsFile(format::open_container<Impl>(path, memory_map));
}

SafetensorsFile SafetensorsFile::parse(std::vector<std::byte> bytes, std::string source_name) {
  return SafetensorsFile(format::adopt_container<Impl>(std::move(bytes), std::move(source_name)));
}

const std::string& SafetensorsFile::source() const noexcept { return impl_->source; }
std::span<const Tensor> SafetensorsFile::tensors() const noexcept { return impl_->tensors; }
const std::map<std::string, std::string>& SafetensorsFile::metadata() const noexcept {
  return impl_->metadata;
}
const std::vector<std::string>& SafetensorsFile::skipped_tensors() const noexcept {
  return impl_->skipped;
}

const Tensor* SafetensorsFile::find_tensor(std::string_view name) const noexcept {
  return format::find_indexed(impl_->index, impl_->tensors, name);
}

const Tensor& SafetensorsFile::tensor(std::string_view name) const {
  return format::require_tensor(find_tensor(name), impl_->source, name);
}

// ---- Checkpoints -------------------------------------------------------------------------------

struct SafetensorsCheckpoint::Impl {
  std::filesystem::path path;
  std::vector<SafetensorsFile> files;
  std::vector<Tensor> tensors;  // sorted by name
  std::map<std::string, std::string> metadata;
};

namespace {

// The weight_map of model.safetensors.index.json: tensor name → shard file name.
std::map<std::string, std::string> read_index(const std::filesystem::path& index_path,
                                              std::map<std::string, std::string>& metadata) {
  const std::string source = index_path.string();
  const base::MappedFile file = base::MappedFile::open(index_path, base::MappedFile::Mode::read);
  const auto bytes = file.bytes();
  const auto document = base::parse_json(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), source);
  if (!document.IsObject()) base::fail(ErrorCode::format, "{}: not a JSON object", source);
  if (auto meta = document.FindMember("metadata");
      meta != document.MemberEnd() && meta->value.IsObject()) {
    for (auto entry = meta->value.MemberBegin(); entry != meta->value.MemberEnd(); ++entry) {
      if (entry->value.IsString()) {
        metadata[entry->name.GetString()] = entry->value.GetString();
      } else if (entry->value.IsUint64()) {
        metadata[entry->name.GetString()] = std::to_string(entry->value.GetUint64());
      } else if (entry->value.IsInt64()) {
        metadata[entry->name.GetString()] = std::to_string(entry->value.GetInt64());
      } else if (entry->value.IsNumber()) {
        metadata[entry->name.GetString()] = fmt::format("{}", entry->value.GetDouble());
      }
    }
  }
  const auto weight_map = document.FindMember("weight_map");
  if (weight_map == document.MemberEnd() || !weight_map->value.IsObject()) {
    base::fail(ErrorCode::format, "{}: missing \"weight_map\" object", source);
  }
  std::map<std::string, std::string> shard_of;
  for (auto entry = weight_map->value.MemberBegin(); entry != weight_map->value.MemberEnd();
       ++entry) {
    const std::string name = entry->name.GetString();
    if (!entry->value.IsString()) {
      base::fail(ErrorCode::format, "{}: weight_map['{}'] is {}, not a file name", source, name,
                 base::json_type_name(entry->value));
    }
    const std::string shard = entry->value.GetString();
    // A shard is a plain file name in the same folder: no paths that could leave it.
    if (shard.empty() || shard.find('/') != std::string::npos ||
        shard.find('\\') != std::string::npos || shard == "." || shard == "..") {
      base::fail(ErrorCode::format, "{}: weight_map['{}'] names '{}', not a file in the folder",
                 source, name, shard);
    }
    if (!shard_of.emplace(name, shard).second) {
      base::fail(ErrorCode::format, "{}: weight_map lists '{}' twice", source, name);
    }
  }
  return shard_of;
}

}  // namespace

SafetensorsCheckpoint::SafetensorsCheckpoint(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SafetensorsCheckpoint::SafetensorsCheckpoint(SafetensorsCheckpoint&&) noexcept = default;
SafetensorsCheckpoint& SafetensorsCheckpoint::operator=(SafetensorsCheckpoint&&) noexcept = default;
SafetensorsCheckpoint::~SafetensorsCheckpoint() = default;

SafetensorsCheckpoint SafetensorsCheckpoint::open(const std::filesystem::path& path,
                                                  bool memory_map) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  std::map<std::string, std::string> shard_of;  // from the index, when there is one
  std::vector<std::filesystem::path> shards;
  if (!std::filesystem::is_directory(path)) {
    shards.push_back(path);
  } else if (const auto index = path / "model.safetensors.index.json";
             std::filesystem::exists(index)) {
    shard_of = read_index(index, impl->metadata);
    std::set<std::string> names;
    for (const auto& [tensor, shard] : shard_of) names.insert(shard);
    for (const auto& name : names) shards.push_back(path / name);
  } else if (std::filesystem::exists(path / "model.safetensors")) {
    shards.push_back(path / "model.safetensors");
  } else {
    for (const auto& entry : std::filesystem::directory_iterator(path)) {
      if (entry.path().extension() == ".safetensors") shards.push_back(entry.path());
    }
    if (shards.size() != 1) {
      base::fail(ErrorCode::format,
                 "{}: no model.safetensors or model.safetensors.index.json, and {} "
                 "*.safetensors files",
                 path.string(), shards.size());
    }
  }

  std::unordered_map<std::string, std::string> seen_in;  // tensor name → shard path
  for (const auto& shard : shards) {
    impl->files.push_back(SafetensorsFile::open(shard, memory_map));
    const SafetensorsFile& file = impl->files.back();
    for (const Tensor& tensor : file.tensors()) {
      auto [it, inserted] = seen_in.emplace(tensor.name, file.source());
      if (!inserted) {
        base::fail(ErrorCode::format, "{}: tensor '{}' is in two shards: {} and {}", path.string(),
                   tensor.name, it->second, file.source());
      }
      impl->tensors.push_back(tensor);
    }
  }
  if (shards.size() == 1 && shard_of.empty()) impl->metadata = impl->files.front().metadata();
  for (const auto& [tensor, shard] : shard_of) {
    auto it = seen_in.find(tensor);
    if (it == seen_in.end() || std::filesystem::path(it->second).filename() != shard) {
      base::fail(ErrorCode::format,
                 "{}: the index places tensor '{}' in {}, which does not hold it", path.string(),
                 tensor, shard);
    }
  }
  std::sort(impl->tensors.begin(), impl->tensors.end(),
            [](const Tensor& a, const Tensor& b) { return a.name < b.name; });
  return SafetensorsCheckpoint(std::move(impl));
}

const std::filesystem::path& SafetensorsCheckpoint::path() const noexcept { return impl_->path; }
std::span<const SafetensorsFile> SafetensorsCheckpoint::files() const noexcept {
  return impl_->files;
}
std::span<const Tensor> SafetensorsCheckpoint::tensors() const noexcept { return impl_->tensors; }
const std::map<std::string, std::string>& SafetensorsCheckpoint::metadata() const noexcept {
  return impl_->metadata;
}

const Tensor* SafetensorsCheckpoint::find_tensor(std::string_view name) const noexcept {
  auto it = std::lower_bound(impl_->tensors.begin(), impl_->tensors.end(), name,
                             [](const Tensor& t, std::string_view n) { return t.name < n; });
  return it != impl_->tensors.end() && it->name == name ? &*it : nullptr;
}

const Tensor& SafetensorsCheckpoint::tensor(std::string_view name) const {
  return format::require_tensor(find_tensor(name), impl_->path.string(), name);
}

LMC_END_NAMESPACE

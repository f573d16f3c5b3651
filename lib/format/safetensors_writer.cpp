// safetensors writer: the layout described in safetensors_reader.cpp. The header is padded with
// spaces to a multiple of 8 bytes, as the reference writer does; tensor data follows in the
// order the tensors were added, without gaps.
#include <lmc/json.hpp>
#include <lmc/safetensors.hpp>

#include <lmc/atomic_file.hpp>
#include "base/fail.hpp"

#include <cstring>

LMC_BEGIN_NAMESPACE

namespace {

struct PendingTensor {
  std::string name;
  DType type;
  std::vector<std::int64_t> shape;
  std::vector<std::byte> data;
};

}  // namespace

struct SafetensorsWriter::Impl {
  std::vector<PendingTensor> tensors;
  std::map<std::string, std::string> metadata;
};

SafetensorsWriter::SafetensorsWriter() : impl_(std::make_unique<Impl>()) {}
SafetensorsWriter::SafetensorsWriter(SafetensorsWriter&&) noexcept = default;
SafetensorsWriter& SafetensorsWriter::operator=(SafetensorsWriter&&) noexcept = default;
SafetensorsWriter::~SafetensorsWriter() = default;

void SafetensorsWriter::add_tensor(std::string_view name, DType type,
                                   std::span<const std::int64_t> shape,
                                   std::span<const std::byte> data) {
  if (dtype_is_quantized(type)) {
    base::fail(ErrorCode::invalid_argument, "tensor '{}': safetensors cannot store {}", name,
               dtype_name(type));
  }
  if (name == "__metadata__") {
    base::fail(ErrorCode::invalid_argument, "'__metadata__' is not a valid tensor name");
  }
  std::uint64_t elements = 1;
  for (std::int64_t d : shape) {
    if (d < 0)
      base::fail(ErrorCode::invalid_argument, "tensor '{}': negative dimension {}", name, d);
    elements *= static_cast<std::uint64_t>(d);
  }
  const std::uint64_t expected = elements * static_cast<std::uint64_t>(dtype_block_bytes(type));
  if (expected != data.size()) {
    base::fail(ErrorCode::invalid_argument, "tensor '{}': {} [{}] needs {} bytes, got {}", name,
               dtype_name(type), fmt::join(shape, ", "), expected, data.size());
  }
  for (const auto& t : impl_->tensors) {
    if (t.name == name) base::fail(ErrorCode::invalid_argument, "duplicate tensor name '{}'", name);
  }
  impl_->tensors.push_back({std::string(name), type,
                            std::vector<std::int64_t>(shape.begin(), shape.end()),
                            std::vector<std::byte>(data.begin(), data.end())});
}

void SafetensorsWriter::add_tensor_f32(std::string_view name, std::span<const std::int64_t> shape,
                                       std::span<const float> values, DType store_as) {
  if (store_as != DType::f32 && store_as != DType::f16 && store_as != DType::bf16) {
    base::fail(ErrorCode::invalid_argument,
               "tensor '{}': add_tensor_f32 stores F32, F16 or BF16, not {}", name,
               dtype_name(store_as));
  }
  std::vector<std::byte> data(dtype_row_bytes(store_as, static_cast<std::int64_t>(values.size())));
  quantize_row(store_as, values.data(), data.data(), static_cast<std::int64_t>(values.size()));
  add_tensor(name, store_as, shape, data);
}

void SafetensorsWriter::set_metadata(std::string_view key, std::string_view value) {
  impl_->metadata[std::string(key)] = std::string(value);
}

std::vector<std::byte> SafetensorsWriter::to_bytes() const {
  JsonWriter json(JsonWriter::Style::compact);
  json.begin_object();
  if (!impl_->metadata.empty()) {
    json.key("__metadata__").begin_object();
    for (const auto& [key, value] : impl_->metadata) json.key(key).value(value);
    json.end_object();
  }
  std::uint64_t offset = 0;
  for (const auto& tensor : impl_->tensors) {
    json.key(tensor.name).begin_object();
    json.key("dtype").value(dtype_name(tensor.type));
    json.key("shape").begin_array();
    for (std::int64_t d : tensor.shape) json.value(d);
    json.end_array();
    json.key("data_offsets").begin_array().value(offset);
    offset += tensor.data.size();
    json.value(offset).end_array();
    json.end_object();
  }
  json.end_object();

  std::string header = json.str();
  header.resize((header.size() + 7) / 8 * 8, ' ');
  std::vector<std::byte> out(8 + header.size());
  const std::uint64_t header_size = header.size();
  std::memcpy(out.data(), &header_size, 8);
  std::memcpy(out.data() + 8, header.data(), header.size());
  out.reserve(out.size() + offset);
  for (const auto& tensor : impl_->tensors) {
    out.insert(out.end(), tensor.data.begin(), tensor.data.end());
  }
  return out;
}

void SafetensorsWriter::write(const std::filesystem::path& path) const {
  write_file_atomically(path, to_bytes());
}

LMC_END_NAMESPACE

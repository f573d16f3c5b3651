// Internal: what the two container readers (GgufFile, SafetensorsFile) share: how their Impl
// gets the bytes it parses, and how a tensor is looked up by name.
#pragma once

#include <lmc/tensor.hpp>

#include "base/fail.hpp"
#include "base/mapped_file.hpp"

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace format {

/// A reader's Impl (members `source`, `mapped`, `bytes` and `parse()`) holding `mapped`, parsed.
template <class Impl>
std::unique_ptr<Impl> parse_container(std::string source, base::MappedFile mapped) {
  auto impl = std::make_unique<Impl>();
  impl->source = std::move(source);
  impl->mapped = std::move(mapped);
  impl->bytes = impl->mapped.bytes();
  impl->parse();
  return impl;
}

/// The file at `path`, memory-mapped or (memory_map false) read into memory, parsed.
template <class Impl>
std::unique_ptr<Impl> open_container(const std::filesystem::path& path, bool memory_map) {
  return parse_container<Impl>(
      path.string(), base::MappedFile::open(path, memory_map ? base::MappedFile::Mode::map
                                                             : base::MappedFile::Mode::read));
}

/// A whole file held in memory, parsed; `source` names it in error messages.
template <class Impl>
std::unique_ptr<Impl> adopt_container(std::vector<std::byte> bytes, std::string source) {
  base::MappedFile mapped = base::MappedFile::adopt(std::move(bytes), source);
  return parse_container<Impl>(std::move(source), std::move(mapped));
}

using TensorIndex = std::unordered_map<std::string_view, std::size_t>;

/// The tensor of `tensors` that `index` gives for `name`, or nullptr.
inline const Tensor* find_indexed(const TensorIndex& index, std::span<const Tensor> tensors,
                                  std::string_view name) noexcept {
  auto it = index.find(name);
  return it == index.end() ? nullptr : &tensors[it->second];
}

/// `*found`, or Error(format) "<source>: missing tensor '<name>'" when it is null.
inline const Tensor& require_tensor(const Tensor* found, std::string_view source,
                                    std::string_view name) {
  if (found == nullptr) base::fail(ErrorCode::format, "{}: missing tensor '{}'", source, name);
  return *found;
}

}  // namespace format
LMC_END_NAMESPACE

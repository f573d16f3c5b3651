// Sequential little-endian reads from a byte span that never read past its end. Every read
// that would run out throws Error(format) naming the source, the offset and what was read.
#pragma once

#include "base/fail.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

LMC_BEGIN_NAMESPACE
namespace base {

static_assert(std::endian::native == std::endian::little,
              "lmc reads little-endian files with plain loads; big-endian hosts are unsupported");

class ByteReader {
 public:
  /// `source` names the data in error messages (usually the file path).
  ByteReader(std::span<const std::byte> data, std::string source)
      : data_(data), source_(std::move(source)) {}

  std::size_t offset() const noexcept { return offset_; }
  std::size_t size() const noexcept { return data_.size(); }
  std::size_t remaining() const noexcept { return data_.size() - offset_; }
  const std::string& source() const noexcept { return source_; }

  template <typename T>
  requires std::is_trivially_copyable_v<T> T read(std::string_view what) {
    T value;
    std::memcpy(&value, take(sizeof(T), what).data(), sizeof(T));
    return value;
  }

  /// The next `n` bytes, as a view into the underlying data.
  std::span<const std::byte> take(std::uint64_t n, std::string_view what) {
    if (n > remaining()) {
      fail(ErrorCode::format, "{}: truncated at offset {}: {} needs {} bytes, {} remain", source_,
           offset_, what, n, remaining());
    }
    auto bytes = data_.subspan(offset_, static_cast<std::size_t>(n));
    offset_ += static_cast<std::size_t>(n);
    return bytes;
  }

  std::string_view take_string(std::uint64_t n, std::string_view what) {
    auto bytes = take(n, what);
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }

  void skip(std::uint64_t n, std::string_view what) { take(n, what); }

  void seek(std::uint64_t offset, std::string_view what) {
    if (offset > data_.size()) {
      fail(ErrorCode::format, "{}: {} at offset {} lies past the end ({} bytes)", source_, what,
           offset, data_.size());
    }
    offset_ = static_cast<std::size_t>(offset);
  }

 private:
  std::span<const std::byte> data_;
  std::string source_;
  std::size_t offset_ = 0;
};

}  // namespace base
LMC_END_NAMESPACE

// Test helper: building files byte by byte, to make well-formed and damaged inputs by hand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace lmc_test {

class RawBytes {
 public:
  template <typename T>
  RawBytes& put(T value) {
    // resize + memcpy: GCC 12 warns falsely (stringop-overflow) on vector::insert here.
    const std::size_t old_size = bytes_.size();
    bytes_.resize(old_size + sizeof(T));
    std::memcpy(bytes_.data() + old_size, &value, sizeof(T));
    return *this;
  }
  RawBytes& u8(std::uint8_t v) { return put(v); }
  RawBytes& u32(std::uint32_t v) { return put(v); }
  RawBytes& u64(std::uint64_t v) { return put(v); }
  RawBytes& f32(float v) { return put(v); }
  RawBytes& text(std::string_view s) {
    const std::size_t old_size = bytes_.size();
    bytes_.resize(old_size + s.size());
    if (!s.empty()) std::memcpy(bytes_.data() + old_size, s.data(), s.size());
    return *this;
  }
  /// A GGUF string: u64 length, then the bytes.
  RawBytes& str(std::string_view s) { return u64(s.size()).text(s); }
  RawBytes& zeros(std::size_t n) {
    bytes_.resize(bytes_.size() + n, std::byte{0});
    return *this;
  }
  RawBytes& pad_to(std::size_t alignment) {
    return zeros((alignment - bytes_.size() % alignment) % alignment);
  }
  std::size_t size() const { return bytes_.size(); }
  const std::vector<std::byte>& bytes() const { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
};

/// Overwrites sizeof(T) bytes at `offset`.
template <typename T>
void patch(std::vector<std::byte>& bytes, std::size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
}

}  // namespace lmc_test

// A flat open-addressing index from strings to token ids, for vocabularies of up to a few
// hundred thousand entries: one probe array of (hash, id) slots, the strings themselves stay
// in the vocabulary. Much faster to build and to query than a node-based unordered_map.
#pragma once

#include <lmc/tokenizer.hpp>

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace tokenizer {

inline std::uint64_t hash_bytes(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xC2B2AE3D27D4EB4Full);
  while (n >= 8) {
    std::uint64_t k;
    std::memcpy(&k, p, 8);
    h = (h ^ (k * 0xBF58476D1CE4E5B9ull)) * 0x94D049BB133111EBull;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  std::uint64_t k = 0;
  if (n > 0) std::memcpy(&k, p, n);
  h = (h ^ (k * 0xBF58476D1CE4E5B9ull)) * 0x94D049BB133111EBull;
  h ^= h >> 31;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return h;
}

class StringIndex {
 public:
  /// Indexes keys[i] for every i where `include(i)` holds; the first of equal keys wins.
  template <typename Include>
  void build(const std::vector<std::string>& keys, Include include) {
    const std::size_t capacity = std::bit_ceil(keys.size() * 2 + 16);
    slots_.assign(capacity, 0);
    mask_ = capacity - 1;
    size_ = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (!include(i)) continue;
      const std::uint64_t h = hash_bytes(keys[i]);
      for (std::size_t s = h & mask_;; s = (s + 1) & mask_) {
        const std::uint64_t slot = slots_[s];
        if (slot == 0) {
          slots_[s] = (h & ~std::uint64_t{0xFFFFFFFF}) | (i + 1);
          ++size_;
          break;
        }
        if ((slot >> 32) == (h >> 32) && keys[(slot & 0xFFFFFFFF) - 1] == keys[i]) break;
      }
    }
  }

  std::optional<Token> find(std::string_view key,
                            const std::vector<std::string>& keys) const noexcept {
    if (slots_.empty()) return std::nullopt;
    const std::uint64_t h = hash_bytes(key);
    for (std::size_t s = h & mask_;; s = (s + 1) & mask_) {
      const std::uint64_t slot = slots_[s];
      if (slot == 0) return std::nullopt;
      if ((slot >> 32) == (h >> 32)) {
        const std::size_t id = (slot & 0xFFFFFFFF) - 1;
        if (keys[id] == key) return static_cast<Token>(id);
      }
    }
  }

  bool empty() const noexcept { return size_ == 0; }

 private:
  std::vector<std::uint64_t> slots_;  // high 32 bits: hash; low 32 bits: id + 1 (0: empty)
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace tokenizer
LMC_END_NAMESPACE

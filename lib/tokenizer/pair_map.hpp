// A flat hash table from a pair of token ids to the merge that joins them (its rank and the
// resulting id): the inner loop of BPE looks pairs up millions of times per second.
#pragma once

#include <lmc/tokenizer.hpp>

#include <bit>
#include <cstdint>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace tokenizer {

struct Merge {
  std::uint32_t rank;  ///< lower ranks merge first
  Token merged;
};

class PairMap {
 public:
  /// Prepares room for `count` pairs (the table stays at most 3/4 full).
  void reserve(std::size_t count) {
    std::size_t capacity = std::bit_ceil(count + count / 2 + 16);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    size_ = 0;
  }

  /// Adds a merge; when the pair is already there the lower rank is kept.
  void insert(Token left, Token right, Merge merge) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const std::uint64_t key = pack(left, right);
    for (std::size_t i = hash(key);; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.key == empty_key) {
        slot = Slot{key, merge};
        ++size_;
        return;
      }
      if (slot.key == key) {
        if (merge.rank < slot.merge.rank) slot.merge = merge;
        return;
      }
    }
  }

  const Merge* find(Token left, Token right) const noexcept {
    if (slots_.empty()) return nullptr;
    const std::uint64_t key = pack(left, right);
    for (std::size_t i = hash(key);; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.key == key) return &slot.merge;
      if (slot.key == empty_key) return nullptr;
    }
  }

  std::size_t size() const noexcept { return size_; }

 private:
  static constexpr std::uint64_t empty_key = ~std::uint64_t{0};
  struct Slot {
    std::uint64_t key = empty_key;
    Merge merge{};
  };

  static std::uint64_t pack(Token left, Token right) noexcept {
    return (std::uint64_t{static_cast<std::uint32_t>(left)} << 32) |
           static_cast<std::uint32_t>(right);
  }
  std::size_t hash(std::uint64_t key) const noexcept {
    // Both ids must reach the low bits the mask keeps: fold the halves before and after.
    std::uint64_t h = key ^ (key >> 29);
    h *= 0x9E3779B97F4A7C15ull;
    h ^= h >> 32;
    return static_cast<std::size_t>(h) & mask_;
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    reserve(old.size());
    for (const Slot& slot : old) {
      if (slot.key != empty_key) {
        insert(static_cast<Token>(slot.key >> 32), static_cast<Token>(slot.key & 0xFFFFFFFFu),
               slot.merge);
      }
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace tokenizer
LMC_END_NAMESPACE

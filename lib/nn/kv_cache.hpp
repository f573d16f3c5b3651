// Keys and values of every layer for the positions fed so far (F32), grown on demand up to
// the context length chosen when the cache is made.
#pragma once

#include "base/fail.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace nn {

class KvCache {
 public:
  KvCache(std::size_t n_layers, std::size_t key_width, std::size_t value_width,
          std::size_t max_length)
      : key_width_(key_width),
        value_width_(value_width),
        max_length_(max_length),
        keys_(n_layers),
        values_(n_layers) {}

  std::size_t length() const { return length_; }
  std::size_t max_length() const { return max_length_; }
  std::size_t key_width() const { return key_width_; }
  std::size_t value_width() const { return value_width_; }

  /// Makes room for `length` positions; throws lmc::Error past max_length().
  void reserve(std::size_t length) {
    if (length > max_length_) {
      base::fail(ErrorCode::out_of_range,
                 "context overflow: {} positions requested, the session holds {}", length,
                 max_length_);
    }
    if (length <= capacity_) return;
    std::size_t capacity = std::max<std::size_t>({length, capacity_ * 2, 64});
    capacity = std::min(capacity, max_length_);
    for (auto& k : keys_) k.resize(capacity * key_width_);
    for (auto& v : values_) v.resize(capacity * value_width_);
    capacity_ = capacity;
  }

  float* keys(std::size_t layer) { return keys_[layer].data(); }
  float* values(std::size_t layer) { return values_[layer].data(); }

  /// Called by the forward pass once every layer holds `length` positions.
  void set_length(std::size_t length) { length_ = length; }
  /// Forgets positions from `length` on (no-op if already shorter).
  void truncate(std::size_t length) { length_ = std::min(length_, length); }
  void reset() { length_ = 0; }

 private:
  std::size_t key_width_, value_width_, max_length_;
  std::size_t capacity_ = 0;
  std::size_t length_ = 0;
  std::vector<std::vector<float>> keys_, values_;
};

}  // namespace nn
LMC_END_NAMESPACE

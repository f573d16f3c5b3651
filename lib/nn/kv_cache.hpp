// Keys and values of every layer for the positions fed so far (F32), grown on demand up to
// the context length chosen when the cache is made. Recurrent layers (state-space blocks) keep
// a fixed-size state instead, which follows the last position fed.
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

  /// As above; layer l with recurrent_floats[l] > 0 keeps that many floats of recurrent state
  /// (zero at the start) and no keys or values.
  KvCache(std::size_t n_layers, std::size_t key_width, std::size_t value_width,
          std::size_t max_length, std::vector<std::size_t> recurrent_floats)
      : KvCache(n_layers, key_width, value_width, max_length) {
    recurrent_.resize(n_layers);
    for (std::size_t l = 0; l < n_layers && l < recurrent_floats.size(); ++l) {
      recurrent_[l].assign(recurrent_floats[l], 0.0f);
      has_recurrent_ = has_recurrent_ || recurrent_floats[l] > 0;
    }
  }

  /// Whether some layer keeps a recurrent state (which cannot be rewound, see truncate()).
  bool has_recurrent() const { return has_recurrent_; }
  /// Layer l's recurrent state (null when the layer has none).
  float* recurrent(std::size_t layer) {
    return layer < recurrent_.size() && !recurrent_[layer].empty() ? recurrent_[layer].data()
                                                                   : nullptr;
  }

  std::size_t length() const { return length_; }
  std::size_t max_length() const { return max_length_; }
  std::size_t key_width() const { return key_width_; }
  std::size_t value_width() const { return value_width_; }

  /// Positions of room the keys and values have (they grow in steps and never shrink).
  std::size_t capacity() const { return capacity_; }
  /// Positions a step of growth rounds up to (and the least capacity once anything is fed).
  static constexpr std::size_t kGrowthQuantum = 64;
  /// The capacity reserve(length) leaves: the present one when it holds `length`, else
  /// max(length, the present one + max(a quarter of it, 64)) rounded up to a multiple of 64,
  /// at most max_length(). Steps of a quarter rather than doubling: a session holds at most
  /// about 1.25 times the positions it uses (plus 64), at the price of more copies while it
  /// grows (about 4 times its final size in all, against 1 for doubling).
  std::size_t capacity_for(std::size_t length) const {
    if (length <= capacity_) return capacity_;
    const std::size_t step = std::max(capacity_ / 4, kGrowthQuantum);
    std::size_t capacity = std::max(length, capacity_ + step);
    capacity = (capacity + kGrowthQuantum - 1) / kGrowthQuantum * kGrowthQuantum;
    return std::min(capacity, max_length_);
  }

  /// Makes room for `length` positions; throws lmc::Error past max_length().
  void reserve(std::size_t length) {
    if (length > max_length_) {
      base::fail(ErrorCode::out_of_range,
                 "context overflow: {} positions requested, the session holds {}", length,
                 max_length_);
    }
    if (length <= capacity_) return;
    const std::size_t capacity = capacity_for(length);
    for (std::size_t l = 0; l < keys_.size(); ++l) {
      if (recurrent(l)) continue;
      grow(keys_[l], capacity * key_width_);
      grow(values_[l], capacity * value_width_);
    }
    capacity_ = capacity;
  }

  float* keys(std::size_t layer) { return keys_[layer].data(); }
  float* values(std::size_t layer) { return values_[layer].data(); }

  /// Called by the forward pass once every layer holds `length` positions.
  void set_length(std::size_t length) { length_ = length; }
  /// Forgets positions from `length` on (no-op if already shorter). A recurrent state only
  /// knows its last position: rewinding it to a length other than 0 is Error(unsupported).
  void truncate(std::size_t length) {
    if (length >= length_) return;
    if (length == 0) return reset();
    if (has_recurrent_) {
      base::fail(ErrorCode::unsupported,
                 "a recurrent (state-space) model cannot rewind from {} to {} positions; only a "
                 "reset to 0 is possible",
                 length_, length);
    }
    length_ = length;
  }
  void reset() {
    length_ = 0;
    for (auto& r : recurrent_) std::fill(r.begin(), r.end(), 0.0f);
  }

 private:
  // Resizes `v` to `size` floats holding exactly that room: a plain resize() past the
  // vector's capacity would make room for twice its size.
  static void grow(std::vector<float>& v, std::size_t size) {
    v.reserve(size);
    v.resize(size);
  }

  std::size_t key_width_, value_width_, max_length_;
  std::size_t capacity_ = 0;
  std::size_t length_ = 0;
  std::vector<std::vector<float>> keys_, values_;
  std::vector<std::vector<float>> recurrent_;  // per layer; empty for attention layers
  bool has_recurrent_ = false;
};

}  // namespace nn
LMC_END_NAMESPACE

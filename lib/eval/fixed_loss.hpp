// A loss sum whose result does not depend on the order of its terms.
//
// Each term (-ln p of one target, given as the float the model produced) is rounded once to a
// multiple of 2^-32 nats and added to a 128-bit integer. Integer addition is associative, so
// shards summed in any order, or merged in any order, give the same bits; the rounding error
// is at most 2^-33 nats per target.
#pragma once

#include <lmc/version.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

LMC_BEGIN_NAMESPACE
namespace eval {

__extension__ typedef __int128 Int128;

class FixedLoss {
 public:
  static constexpr int kFractionBits = 32;
  static constexpr double kUnit = 4294967296.0;  // 2^kFractionBits

  /// The rounded term for a log-probability (must be finite).
  static std::int64_t units_of(float logprob) noexcept {
    return std::llround(-static_cast<double>(logprob) * kUnit);
  }

  void add_units(std::int64_t units) noexcept { units_ += units; }
  void add(const FixedLoss& other) noexcept { units_ += other.units_; }

  double nats() const noexcept { return static_cast<double>(units_) / kUnit; }
  double bits() const noexcept { return nats() / std::log(2.0); }

  /// Decimal integer count of 2^-32 nats (what JSON stores, so that merging is exact).
  std::string to_decimal() const {
    Int128 value = units_;
    const bool negative = value < 0;
    std::string digits;
    do {
      const int digit = static_cast<int>(value % 10);
      digits.insert(digits.begin(), static_cast<char>('0' + (negative ? -digit : digit)));
      value /= 10;
    } while (value != 0);
    if (negative) digits.insert(digits.begin(), '-');
    return digits;
  }

  /// Parses to_decimal's output; nullopt when it is not a decimal integer of at most 38 digits.
  static std::optional<FixedLoss> from_decimal(std::string_view text) {
    const bool negative = text.starts_with('-');
    if (negative) text.remove_prefix(1);
    if (text.empty() || text.size() > 38) return std::nullopt;
    Int128 value = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    FixedLoss loss;
    loss.units_ = negative ? -value : value;
    return loss;
  }

  friend bool operator==(const FixedLoss&, const FixedLoss&) = default;

 private:
  Int128 units_ = 0;
};

}  // namespace eval
LMC_END_NAMESPACE

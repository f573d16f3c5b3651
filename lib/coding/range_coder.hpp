// A 64-bit range coder with carry propagation (the arithmetic coder of the container).
//
// The coded interval is [low, low + range) in units of 2^-64 of the current output position.
// Each symbol with cumulative frequency `cum`, frequency `freq` out of `total` (total <= 2^32)
// narrows it to r = floor(range / total): low += r * cum, range = r * freq. While range is
// below 2^56 the top byte of low is final and is written out. A sum that overflows 64 bits is
// a carry into the bytes already written (propagated backwards through 0xFF bytes). Because
// range >= 2^56 before each symbol, r >= 2^24: truncating range / total costs at most 2^-24
// of a symbol's probability (< 1e-7 bits).
//
// finish() writes the shortest byte string whose value lies in the final interval, then drops
// trailing zero bytes: the decoder reads zeros past the end of its input.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace coding {

inline constexpr std::uint64_t kRangeCoderMaxTotal = std::uint64_t{1} << 32;

class RangeEncoder {
 public:
  /// Appends the coded bytes to `out`.
  explicit RangeEncoder(std::vector<std::byte>& out) : out_(out), first_(out.size()) {}

  /// Codes the symbol [cum, cum + freq) of [0, total): 0 < freq, cum + freq <= total <= 2^32.
  void encode(std::uint64_t cum, std::uint64_t freq, std::uint64_t total);

  /// Codes `value` < 2^bits uniformly, bits <= 32.
  void encode_bits(std::uint64_t value, unsigned bits);

  /// Flushes the final interval. The encoder must not be used afterwards.
  void finish();

 private:
  void carry();

  std::vector<std::byte>& out_;
  std::size_t first_;  // first byte of this stream in out_
  std::uint64_t low_ = 0;
  std::uint64_t range_ = ~std::uint64_t{0};
};

class RangeDecoder {
 public:
  explicit RangeDecoder(std::span<const std::byte> in);

  /// The position in [0, total) of the next symbol; the caller finds the symbol covering it
  /// and must then call consume() with that symbol's cum and freq. Returns false when the
  /// input cannot have been made by the encoder (corrupt data) — then the caller fails.
  bool target(std::uint64_t total, std::uint64_t& position);
  void consume(std::uint64_t cum, std::uint64_t freq);

  /// Decodes a value coded with encode_bits (returns false on corrupt input).
  bool decode_bits(unsigned bits, std::uint64_t& value);

 private:
  std::byte next_byte() noexcept {
    return position_ < in_.size() ? in_[position_++] : (++position_, std::byte{0});
  }

  std::span<const std::byte> in_;
  std::size_t position_ = 0;
  std::uint64_t code_ = 0;  // coded value minus low, in units of 2^-64
  std::uint64_t range_ = ~std::uint64_t{0};
  std::uint64_t step_ = 0;  // range / total of the current symbol
};

}  // namespace coding
LMC_END_NAMESPACE

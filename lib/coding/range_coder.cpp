#include "coding/range_coder.hpp"

#include "base/fail.hpp"

LMC_BEGIN_NAMESPACE
namespace coding {
namespace {

constexpr std::uint64_t kBottom = std::uint64_t{1} << 56;

__extension__ using Uint128 = unsigned __int128;

}  // namespace

void RangeEncoder::carry() {
  std::size_t i = out_.size();
  while (i > first_) {
    --i;
    auto byte = static_cast<unsigned>(out_[i]);
    if (byte != 0xFF) {
      out_[i] = static_cast<std::byte>(byte + 1);
      return;
    }
    out_[i] = std::byte{0};
  }
  // The coded interval always lies below 1.0, so a carry always finds a byte to land in.
  base::fail(ErrorCode::internal, "range coder: carry past the first byte");
}

void RangeEncoder::encode(std::uint64_t cum, std::uint64_t freq, std::uint64_t total) {
  std::uint64_t step = range_ / total;
  std::uint64_t offset = step * cum;
  low_ += offset;
  if (low_ < offset) carry();
  range_ = step * freq;
  while (range_ < kBottom) {
    out_.push_back(static_cast<std::byte>(low_ >> 56));
    low_ <<= 8;
    range_ <<= 8;
  }
}

void RangeEncoder::encode_bits(std::uint64_t value, unsigned bits) {
  encode(value, 1, std::uint64_t{1} << bits);
}

void RangeEncoder::finish() {
  Uint128 low = low_;
  Uint128 high = low + range_;  // exclusive
  for (unsigned bytes = 1; bytes <= 8; ++bytes) {
    Uint128 unit = Uint128{1} << (64 - 8 * bytes);
    Uint128 value = (low + unit - 1) / unit * unit;  // low rounded up to `bytes` bytes
    if (value < high) {
      if (value >> 64) carry();
      auto bits = static_cast<std::uint64_t>(value);
      for (unsigned i = 0; i < bytes; ++i) {
        out_.push_back(static_cast<std::byte>(bits >> (56 - 8 * i)));
      }
      break;
    }
  }
  while (out_.size() > first_ && out_.back() == std::byte{0}) out_.pop_back();
}

RangeDecoder::RangeDecoder(std::span<const std::byte> in) : in_(in) {
  for (int i = 0; i < 8; ++i) code_ = (code_ << 8) | static_cast<std::uint64_t>(next_byte());
}

bool RangeDecoder::target(std::uint64_t total, std::uint64_t& position) {
  step_ = range_ / total;
  position = code_ / step_;
  return position < total;
}

void RangeDecoder::consume(std::uint64_t cum, std::uint64_t freq) {
  code_ -= step_ * cum;
  range_ = step_ * freq;
  while (range_ < kBottom) {
    code_ = (code_ << 8) | static_cast<std::uint64_t>(next_byte());
    range_ <<= 8;
  }
}

bool RangeDecoder::decode_bits(unsigned bits, std::uint64_t& value) {
  if (!target(std::uint64_t{1} << bits, value)) return false;
  consume(value, 1);
  return true;
}

}  // namespace coding
LMC_END_NAMESPACE

// libFuzzer target for lmc::inspect and lmc::Compressor::decompress. Any input must end in
// success or lmc::Error: no crash, hang, sanitizer report or allocation sized by the input.
//
// The first byte picks a mode. Mode 0 (even byte) hands the rest to inspect and decompress as
// it is: that explores the header and table checks. Mode 1 (odd byte) treats the rest as
// [u16 original size][chunk stream] and wraps it in a container with valid checksums, so the
// fuzzer reaches the range decoder, segment parser, token decoder and escape decoder behind
// the checksums.
#include <lmc/compressor.hpp>
#include <lmc/error.hpp>

#include "coding/container.hpp"
#include "coding/crc32c.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace {

// A byte-level model: ids 0..255 are bytes, 256 is the start token. Its logits depend on the
// previous token only, through a fixed integer hash, so they are the same batched or not.
class ByteModel final : public lmc::CodingModel {
 public:
  std::size_t vocab_size() const override { return 257; }
  std::size_t context() const override { return 64; }
  lmc::Token start_token() const override { return 256; }
  std::string fingerprint() const override { return "fuzz-byte-model"; }
  std::uint32_t numeric_profile() const override { return 1; }
  std::vector<lmc::Token> encode(std::string_view text) const override {
    return {text.begin(), text.end()};
  }
  std::string decode(std::span<const lmc::Token> tokens) const override {
    std::string text;
    for (lmc::Token token : tokens) {
      if (token < 256) text += static_cast<char>(token);
    }
    return text;
  }
  std::unique_ptr<lmc::CodingSession> new_session() const override {
    return std::make_unique<Session>();
  }

 private:
  class Session final : public lmc::CodingSession {
   public:
    void reset() override { fed_ = 0; }
    void logits_batch(std::span<const lmc::Token> tokens, std::span<float> logits) override {
      fed_ += tokens.size();
      if (fed_ > 64 || logits.size() != tokens.size() * 257) {
        throw lmc::Error(lmc::ErrorCode::internal, "fuzz model: misuse");
      }
      for (std::size_t i = 0; i < tokens.size(); ++i) {
        for (std::uint32_t j = 0; j < 257; ++j) {
          std::uint32_t hash = (static_cast<std::uint32_t>(tokens[i]) * 2654435761u) ^ (j * 40503u);
          logits[i * 257 + j] = static_cast<float>(hash % 1000) / 100.0f;
        }
      }
    }

   private:
    std::size_t fed_ = 0;
  };
};

const ByteModel model;
const lmc::Compressor compressor(model, {.threads = 1});

void try_container(std::span<const std::byte> container) {
  try {
    lmc::inspect(container, "fuzz");
  } catch (const lmc::Error&) {
  }
  try {
    compressor.decompress(container, "fuzz");
  } catch (const lmc::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto input = std::as_bytes(std::span(data + 1, size - 1));
  if ((data[0] & 1) == 0) {
    try_container(input);
    return 0;
  }
  if (input.size() < 2) return 0;
  std::uint16_t original_size = 0;
  std::memcpy(&original_size, input.data(), 2);
  std::vector<std::vector<std::byte>> streams;
  lmc::ContainerInfo info;
  info.fingerprint = model.fingerprint();
  info.numeric_profile = model.numeric_profile();
  info.vocab_size = 257;
  info.context = 64;
  info.chunk_bytes = 1 << 16;
  info.original_size = original_size;
  if (original_size > 0) {
    streams.emplace_back(input.begin() + 2, input.end());
    info.chunks.push_back(lmc::ChunkInfo{0, original_size, 0, 0, 0});
  }
  try_container(lmc::coding::write_container(info, streams));
  return 0;
}

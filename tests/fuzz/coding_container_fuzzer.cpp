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
#include "fuzz/byte_model.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace {

using lmc_fuzz::ByteModel;

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

#include "coding/container.hpp"

#include "base/byte_reader.hpp"
#include "base/checked_math.hpp"
#include "coding/crc32c.hpp"
#include "coding/token_frequencies.hpp"

#include <array>
#include <cstring>
#include <string>

LMC_BEGIN_NAMESPACE
namespace coding {
namespace {

// PNG-style: a high-bit byte (catches 7-bit transfers), CR LF (catches newline conversion),
// and ^Z (stops `type` on DOS).
constexpr std::array<unsigned char, 8> kMagic = {0x89, 'L', 'M', 'C', 'Z', '\r', '\n', 0x1A};
constexpr std::array<unsigned char, 8> kEndMagic = {'L', 'M', 'C', 'Z', 'E', 'N', 'D', '\n'};
constexpr std::size_t kFixedHeaderBytes = 46;  // up to and including fingerprint_size
constexpr std::size_t kChunkEntryBytes = 16;
constexpr std::size_t kTrailerBytes = 4 + kEndMagic.size();

class Writer {
 public:
  explicit Writer(std::vector<std::byte>& out) : out_(out) {}
  template <typename T>
  void put(T value) {
    put_bytes(std::as_bytes(std::span(&value, 1)));  // little-endian host
  }
  void put_bytes(std::span<const std::byte> bytes) {
    // resize + memcpy rather than insert: GCC 12 warns falsely (stringop-overflow) on insert.
    std::size_t size = out_.size();
    out_.resize(size + bytes.size());
    if (!bytes.empty()) std::memcpy(out_.data() + size, bytes.data(), bytes.size());
  }
  template <std::size_t N>
  void put_bytes(const std::array<unsigned char, N>& bytes) {
    put_bytes(std::as_bytes(std::span(bytes)));
  }
  void put_crc_since(std::size_t begin) {
    put(crc32c(std::span<const std::byte>(out_).subspan(begin)));
  }

 private:
  std::vector<std::byte>& out_;
};

template <std::size_t N>
bool starts_with(std::span<const std::byte> data, const std::array<unsigned char, N>& prefix) {
  return data.size() >= N && std::memcmp(data.data(), prefix.data(), N) == 0;
}

}  // namespace

std::uint64_t container_overhead(std::size_t fingerprint_bytes, std::size_t chunk_count) {
  return kFixedHeaderBytes + fingerprint_bytes + 4 + chunk_count * kChunkEntryBytes + 4 +
         kTrailerBytes;
}

std::vector<std::byte> write_container(const ContainerInfo& info,
                                       std::span<const std::vector<std::byte>> streams) {
  std::vector<std::byte> out;
  std::size_t payload = 0;
  for (const auto& stream : streams) payload += stream.size();
  out.reserve(container_overhead(info.fingerprint.size(), streams.size()) + payload);
  Writer writer(out);
  writer.put_bytes(kMagic);
  writer.put(kContainerFormatVersion);
  writer.put(static_cast<std::uint16_t>(kFixedHeaderBytes + info.fingerprint.size() + 4));
  writer.put(std::uint32_t{0});  // flags
  writer.put(info.numeric_profile);
  writer.put(info.vocab_size);
  writer.put(info.context);
  writer.put(info.chunk_bytes);
  writer.put(info.original_size);
  writer.put(static_cast<std::uint32_t>(streams.size()));
  writer.put(static_cast<std::uint16_t>(info.fingerprint.size()));
  writer.put_bytes(std::as_bytes(std::span(info.fingerprint)));
  writer.put_crc_since(0);
  std::size_t table = out.size();
  for (std::size_t i = 0; i < streams.size(); ++i) {
    writer.put(info.chunks[i].original_size);
    writer.put(static_cast<std::uint32_t>(streams[i].size()));
    writer.put(info.chunks[i].original_crc32c);
    writer.put(crc32c(streams[i]));
  }
  writer.put_crc_since(table);
  for (const auto& stream : streams) writer.put_bytes(stream);
  writer.put_crc_since(0);
  writer.put_bytes(kEndMagic);
  return out;
}

ContainerInfo parse_container(std::span<const std::byte> data, std::string_view source_view) {
  std::string source(source_view);
  if (!starts_with(data, kMagic)) {
    if (data.size() < kMagic.size() && std::memcmp(data.data(), kMagic.data(), data.size()) == 0) {
      base::fail(ErrorCode::format, "{}: truncated: {} bytes, shorter than the container magic",
                 source, data.size());
    }
    base::fail(ErrorCode::format, "{}: not an lmc container (bad magic at offset 0)", source);
  }
  base::ByteReader reader(data, source);
  reader.skip(kMagic.size(), "magic");
  ContainerInfo info;
  info.format_version = reader.read<std::uint16_t>("format version");
  if (info.format_version == 0) {
    base::fail(ErrorCode::format, "{}: offset 8: format version 0 does not exist", source);
  }
  if (info.format_version > kContainerFormatVersion) {
    base::fail(ErrorCode::unsupported,
               "{}: offset 8: container format version {} is newer than this lmc reads (up to {})",
               source, info.format_version, kContainerFormatVersion);
  }
  auto header_size = reader.read<std::uint16_t>("header size");
  auto flags = reader.read<std::uint32_t>("flags");
  info.numeric_profile = reader.read<std::uint32_t>("numeric profile");
  info.vocab_size = reader.read<std::uint32_t>("vocabulary size");
  info.context = reader.read<std::uint32_t>("window tokens");
  info.chunk_bytes = reader.read<std::uint32_t>("chunk bytes");
  info.original_size = reader.read<std::uint64_t>("original size");
  auto chunk_count = reader.read<std::uint32_t>("chunk count");
  auto fingerprint_size = reader.read<std::uint16_t>("fingerprint size");
  if (fingerprint_size == 0 || fingerprint_size > kMaxFingerprintBytes ||
      header_size != kFixedHeaderBytes + fingerprint_size + 4) {
    base::fail(ErrorCode::corrupt_data,
               "{}: offset 10: header size {} does not match fingerprint size {}: corrupt header",
               source, header_size, fingerprint_size);
  }
  info.fingerprint = std::string(reader.take_string(fingerprint_size, "fingerprint"));
  auto header_crc = reader.read<std::uint32_t>("header checksum");
  if (header_crc != crc32c(data.first(header_size - 4))) {
    base::fail(ErrorCode::corrupt_data, "{}: offset {}: header checksum mismatch: corrupt header",
               source, header_size - 4);
  }
  if (flags != 0) {
    base::fail(ErrorCode::unsupported, "{}: offset 12: unknown flags {:#x} (made by a newer lmc?)",
               source, flags);
  }
  if (info.chunk_bytes == 0 || info.chunk_bytes > kMaxChunkBytes || info.vocab_size < 2 ||
      info.vocab_size > kMaxCodingVocab || info.context == 0) {
    base::fail(ErrorCode::format,
               "{}: header fields out of range (chunk bytes {}, vocabulary {}, window tokens {})",
               source, info.chunk_bytes, info.vocab_size, info.context);
  }
  std::uint64_t expected_chunks =
      info.original_size / info.chunk_bytes + (info.original_size % info.chunk_bytes != 0);
  if (chunk_count != expected_chunks) {
    base::fail(ErrorCode::format, "{}: offset 40: {} chunks, but {} bytes in chunks of {} need {}",
               source, chunk_count, info.original_size, info.chunk_bytes, expected_chunks);
  }
  std::uint64_t table_bytes = base::checked_mul(chunk_count, kChunkEntryBytes, "chunk table size");
  if (table_bytes + 4 > reader.remaining()) {
    base::fail(ErrorCode::format,
               "{}: truncated: the chunk table at offset {} needs {} bytes, {} remain", source,
               reader.offset(), table_bytes + 4, reader.remaining());
  }
  std::size_t table_begin = reader.offset();
  std::vector<std::uint32_t> stream_crcs(chunk_count);
  info.chunks.resize(chunk_count);
  std::uint64_t original_offset = 0;
  std::uint64_t compressed_total = 0;
  for (std::uint32_t i = 0; i < chunk_count; ++i) {
    ChunkInfo& chunk = info.chunks[i];
    chunk.original_offset = original_offset;
    chunk.original_size = reader.read<std::uint32_t>("chunk original size");
    chunk.compressed_size = reader.read<std::uint32_t>("chunk compressed size");
    chunk.original_crc32c = reader.read<std::uint32_t>("chunk checksum");
    stream_crcs[i] = reader.read<std::uint32_t>("chunk stream checksum");
    original_offset += chunk.original_size;
    compressed_total += chunk.compressed_size;
  }
  auto table_crc = reader.read<std::uint32_t>("chunk table checksum");
  if (table_crc != crc32c(data.subspan(table_begin, static_cast<std::size_t>(table_bytes)))) {
    base::fail(ErrorCode::corrupt_data,
               "{}: offset {}: chunk table checksum mismatch: corrupt table", source,
               reader.offset() - 4);
  }
  for (std::uint32_t i = 0; i < chunk_count; ++i) {
    std::uint64_t expected = i + 1 < chunk_count
                                 ? info.chunk_bytes
                                 : info.original_size - std::uint64_t{info.chunk_bytes} * i;
    if (info.chunks[i].original_size != expected) {
      base::fail(ErrorCode::format, "{}: chunk {} holds {} bytes, expected {}", source, i,
                 info.chunks[i].original_size, expected);
    }
  }
  std::uint64_t expected_size = base::checked_add(
      reader.offset(), base::checked_add(compressed_total, kTrailerBytes, "container size"),
      "container size");
  if (data.size() < expected_size) {
    base::fail(ErrorCode::format, "{}: truncated: {} bytes, the header and chunk table say {}",
               source, data.size(), expected_size);
  }
  if (data.size() > expected_size) {
    base::fail(ErrorCode::format,
               "{}: {} unexpected bytes after the end of the container at offset {}", source,
               data.size() - expected_size, expected_size);
  }
  std::size_t offset = reader.offset();
  for (std::uint32_t i = 0; i < chunk_count; ++i) {
    info.chunks[i].compressed_offset = offset;
    offset += info.chunks[i].compressed_size;
  }
  std::size_t trailer = data.size() - kTrailerBytes;
  reader.seek(trailer, "trailer");
  auto file_crc = reader.read<std::uint32_t>("file checksum");
  if (!starts_with(data.subspan(trailer + 4), kEndMagic)) {
    base::fail(ErrorCode::corrupt_data, "{}: offset {}: bad end marker: corrupt or truncated",
               source, trailer + 4);
  }
  if (file_crc != crc32c(data.first(trailer))) {
    base::fail(ErrorCode::corrupt_data, "{}: offset {}: file checksum mismatch: corrupt data",
               source, trailer);
  }
  for (std::uint32_t i = 0; i < chunk_count; ++i) {
    const ChunkInfo& chunk = info.chunks[i];
    if (stream_crcs[i] != crc32c(data.subspan(chunk.compressed_offset, chunk.compressed_size))) {
      base::fail(ErrorCode::corrupt_data, "{}: chunk {} at offset {}: stream checksum mismatch",
                 source, i, chunk.compressed_offset);
    }
  }
  info.container_size = data.size();
  return info;
}

}  // namespace coding
LMC_END_NAMESPACE

// The container file: layout in docs/container.md. Writing and checked parsing; the chunk
// streams inside are chunk_codec's business.
#pragma once

#include <lmc/compressor.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace coding {

inline constexpr std::uint16_t kContainerFormatVersion = 1;
inline constexpr std::size_t kMaxChunkBytes = std::size_t{64} << 20;
inline constexpr std::size_t kMaxFingerprintBytes = 1024;

/// Bytes of a container besides the chunk streams, for a fingerprint and chunk count.
std::uint64_t container_overhead(std::size_t fingerprint_bytes, std::size_t chunk_count);

/// Serializes `info` (format_version, fingerprint, numeric_profile, vocab_size, context,
/// chunk_bytes, original_size and each chunk's original_size and original_crc32c) with the
/// chunk streams. Offsets and container_size in `info` are ignored.
std::vector<std::byte> write_container(const ContainerInfo& info,
                                       std::span<const std::vector<std::byte>> streams);

/// The checked parse behind lmc::inspect.
ContainerInfo parse_container(std::span<const std::byte> container, std::string_view source);

}  // namespace coding
LMC_END_NAMESPACE

// CRC-32C (Castagnoli polynomial 0x1EDC6F41, reflected, as in iSCSI and ext4): the checksum of
// every field and payload of the container. Table-driven, eight bytes per step.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

LMC_BEGIN_NAMESPACE
namespace coding {

/// Continues a CRC-32C over `data`. Start with crc = 0; crc32c(b, crc32c(a)) == crc32c(a ++ b).
std::uint32_t crc32c(std::span<const std::byte> data, std::uint32_t crc = 0) noexcept;

}  // namespace coding
LMC_END_NAMESPACE

// Byte streams over files, transparently decompressing gzip and zstd (detected by content).
#pragma once

#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

LMC_BEGIN_NAMESPACE
namespace eval {

/// What a file's first bytes say it is.
enum class Compression { none, gzip, zstd };

/// A source of bytes read front to back.
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  /// Reads up to `size` bytes into `out`; returns how many, 0 only at the end of the stream.
  /// Throws lmc::Error (io, corrupt_data) naming the file.
  virtual std::size_t read(char* out, std::size_t size) = 0;
  /// Bytes of the underlying file consumed so far (compressed bytes for compressed files).
  virtual std::uint64_t file_bytes_consumed() const noexcept = 0;
};

/// Compression of a file from its first bytes (at most 6 are looked at).
Compression detect_compression(const unsigned char* head, std::size_t size) noexcept;

/// Opens `path` for reading, decompressing it when its content is gzip or zstd. Throws
/// lmc::Error: io when it cannot be opened, unsupported for bzip2 and xz content.
std::unique_ptr<ByteStream> open_byte_stream(const std::string& path);

}  // namespace eval
LMC_END_NAMESPACE

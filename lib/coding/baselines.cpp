// gzip, zstd and xz sizes of the same input, so that every report shows the model against them.
#include <lmc/compressor.hpp>

#include "base/fail.hpp"

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <limits>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace {

constexpr int kGzipLevel = 9;
constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip header and trailer
constexpr int kGzipMemoryLevel = 9;
constexpr int kZstdLevel = 19;
constexpr int kZstdLongWindowLog = 27;  // what `zstd --long` uses

std::uint64_t gzip_size(std::span<const std::byte> data) {
  z_stream stream{};
  if (deflateInit2(&stream, kGzipLevel, Z_DEFLATED, kGzipWindowBits, kGzipMemoryLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    base::fail(ErrorCode::internal, "gzip baseline: deflateInit2 failed");
  }
  std::vector<unsigned char> out(1 << 16);
  std::uint64_t total = 0;
  auto* next = reinterpret_cast<const Bytef*>(data.data());
  std::size_t left = data.size();
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    auto piece = static_cast<uInt>(std::min<std::size_t>(left, std::numeric_limits<uInt>::max()));
    stream.next_in = const_cast<Bytef*>(next);
    stream.avail_in = piece;
    stream.next_out = out.data();
    stream.avail_out = static_cast<uInt>(out.size());
    status = deflate(&stream, piece == left ? Z_FINISH : Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
      deflateEnd(&stream);
      base::fail(ErrorCode::internal, "gzip baseline: deflate failed ({})", status);
    }
    std::size_t consumed = piece - stream.avail_in;
    next += consumed;
    left -= consumed;
    total += out.size() - stream.avail_out;
  }
  deflateEnd(&stream);
  return total;
}

std::uint64_t zstd_size(std::span<const std::byte> data) {
  ZSTD_CCtx* context = ZSTD_createCCtx();
  if (!context) base::fail(ErrorCode::internal, "zstd baseline: out of memory");
  ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, kZstdLevel);
  ZSTD_CCtx_setParameter(context, ZSTD_c_enableLongDistanceMatching, 1);
  ZSTD_CCtx_setParameter(context, ZSTD_c_windowLog, kZstdLongWindowLog);
  std::vector<unsigned char> out(ZSTD_compressBound(data.size()));
  std::size_t size = ZSTD_compress2(context, out.data(), out.size(), data.data(), data.size());
  ZSTD_freeCCtx(context);
  if (ZSTD_isError(size)) {
    base::fail(ErrorCode::internal, "zstd baseline: {}", ZSTD_getErrorName(size));
  }
  return size;
}

// One .xz stream as the xz tool writes it for `-9e` (single-threaded, CRC64 check): streamed,
// so that, as there, the block header does not record the sizes.
std::uint64_t xz_size(std::span<const std::byte> data) {
  lzma_stream stream = LZMA_STREAM_INIT;
  if (lzma_easy_encoder(&stream, 9 | LZMA_PRESET_EXTREME, LZMA_CHECK_CRC64) != LZMA_OK) {
    base::fail(ErrorCode::internal, "xz baseline: lzma_easy_encoder failed");
  }
  std::vector<std::uint8_t> out(1 << 16);
  stream.next_in = reinterpret_cast<const std::uint8_t*>(data.data());
  stream.avail_in = data.size();
  std::uint64_t total = 0;
  lzma_ret status = LZMA_OK;
  while (status == LZMA_OK) {
    stream.next_out = out.data();
    stream.avail_out = out.size();
    status = lzma_code(&stream, LZMA_FINISH);
    total += out.size() - stream.avail_out;
  }
  lzma_end(&stream);
  if (status != LZMA_STREAM_END)
    base::fail(ErrorCode::internal, "xz baseline: lzma_code failed ({})", +status);
  return total;
}

}  // namespace

BaselineSizes baseline_sizes(std::span<const std::byte> data) {
  return BaselineSizes{data.size(), gzip_size(data), zstd_size(data), xz_size(data)};
}

LMC_END_NAMESPACE

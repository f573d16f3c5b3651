#include "eval/byte_stream.hpp"

#include "base/fail.hpp"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace eval {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

struct Magic {
  const char* bytes;
  std::size_t size;
  const char* name;
};

// Formats that are recognised only to be refused with a clear message.
constexpr std::array kUnsupportedMagics = {
    Magic{"BZh", 3, "bzip2"},
    Magic{"\xFD"
          "7zXZ\x00",
          6, "xz"},
};

// Reads a file with fread, serving first the bytes already read to detect its compression.
class FileStream final : public ByteStream {
 public:
  explicit FileStream(const std::string& path) : path_(path) {
    file_ = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (file_ == nullptr) {
      base::fail(ErrorCode::io, "{}: cannot open: {}", path, std::strerror(errno));
    }
    head_size_ = std::fread(head_.data(), 1, head_.size(), file_);
    check_error();
  }
  FileStream(const FileStream&) = delete;
  FileStream& operator=(const FileStream&) = delete;
  ~FileStream() override {
    if (file_ != stdin) std::fclose(file_);
  }

  const unsigned char* head() const noexcept { return head_.data(); }
  std::size_t head_size() const noexcept { return head_size_; }
  const std::string& path() const noexcept { return path_; }

  std::size_t read(char* out, std::size_t size) override {
    std::size_t done = 0;
    if (head_pos_ < head_size_) {
      done = std::min(size, head_size_ - head_pos_);
      std::memcpy(out, head_.data() + head_pos_, done);
      head_pos_ += done;
    }
    if (done < size) {
      done += std::fread(out + done, 1, size - done, file_);
      check_error();
    }
    consumed_ += done;
    return done;
  }

  std::uint64_t file_bytes_consumed() const noexcept override { return consumed_; }

 private:
  void check_error() {
    if (std::ferror(file_))
      base::fail(ErrorCode::io, "{}: read error: {}", path_, std::strerror(errno));
  }

  std::string path_;
  std::FILE* file_ = nullptr;
  std::array<unsigned char, 6> head_{};
  std::size_t head_size_ = 0;
  std::size_t head_pos_ = 0;
  std::uint64_t consumed_ = 0;
};

// gzip via zlib's inflate; concatenated members are read one after the other, as gzip does.
class GzipStream final : public ByteStream {
 public:
  explicit GzipStream(std::unique_ptr<FileStream> file) : file_(std::move(file)), in_(kChunkBytes) {
    // 15 + 16: the largest window, and a gzip header and trailer (CRC-32, size) are required.
    if (inflateInit2(&stream_, 15 + 16) != Z_OK) {
      base::fail(ErrorCode::internal, "{}: zlib inflateInit2 failed", file_->path());
    }
  }
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;
  ~GzipStream() override { inflateEnd(&stream_); }

  std::size_t read(char* out, std::size_t size) override {
    stream_.next_out = reinterpret_cast<Bytef*>(out);
    stream_.avail_out = static_cast<uInt>(std::min<std::size_t>(size, kChunkBytes));
    while (stream_.avail_out > 0) {
      if (stream_.avail_in == 0 && !refill()) {
        if (in_member_)
          base::fail(ErrorCode::corrupt_data, "{}: truncated gzip data", file_->path());
        break;
      }
      if (!in_member_) {  // a new member starts: its header must be a gzip header
        inflateReset(&stream_);
        in_member_ = true;
      }
      const int status = inflate(&stream_, Z_NO_FLUSH);
      if (status == Z_STREAM_END) {
        in_member_ = false;
      } else if (status != Z_OK && status != Z_BUF_ERROR) {
        base::fail(ErrorCode::corrupt_data, "{}: compressed offset {}: bad gzip data: {}",
                   file_->path(), offset(),
                   stream_.msg != nullptr ? stream_.msg : "inflate failed");
      }
    }
    return static_cast<std::size_t>(reinterpret_cast<char*>(stream_.next_out) - out);
  }

  std::uint64_t file_bytes_consumed() const noexcept override {
    return file_->file_bytes_consumed();
  }

 private:
  bool refill() {
    const std::size_t got = file_->read(reinterpret_cast<char*>(in_.data()), in_.size());
    stream_.next_in = in_.data();
    stream_.avail_in = static_cast<uInt>(got);
    return got > 0;
  }
  std::uint64_t offset() const { return file_->file_bytes_consumed() - stream_.avail_in; }

  std::unique_ptr<FileStream> file_;
  std::vector<Bytef> in_;
  z_stream stream_{};
  bool in_member_ = true;
};

// zstd via the streaming decoder; several frames (and skippable frames) are allowed.
class ZstdStream final : public ByteStream {
 public:
  explicit ZstdStream(std::unique_ptr<FileStream> file)
      : file_(std::move(file)), in_(ZSTD_DStreamInSize()), stream_(ZSTD_createDStream()) {
    if (stream_ == nullptr || ZSTD_isError(ZSTD_initDStream(stream_))) {
      base::fail(ErrorCode::internal, "{}: cannot create a zstd decoder", file_->path());
    }
  }
  ZstdStream(const ZstdStream&) = delete;
  ZstdStream& operator=(const ZstdStream&) = delete;
  ~ZstdStream() override { ZSTD_freeDStream(stream_); }

  std::size_t read(char* out, std::size_t size) override {
    ZSTD_outBuffer output{out, size, 0};
    while (output.pos < output.size) {
      if (input_.pos == input_.size) {
        const std::size_t got = file_->read(in_.data(), in_.size());
        if (got == 0) {
          if (frame_open_)
            base::fail(ErrorCode::corrupt_data, "{}: truncated zstd data", file_->path());
          break;
        }
        input_ = ZSTD_inBuffer{in_.data(), got, 0};
      }
      const std::size_t hint = ZSTD_decompressStream(stream_, &output, &input_);
      if (ZSTD_isError(hint)) {
        base::fail(ErrorCode::corrupt_data, "{}: compressed offset {}: bad zstd data: {}",
                   file_->path(), file_->file_bytes_consumed() - (input_.size - input_.pos),
                   ZSTD_getErrorName(hint));
      }
      frame_open_ = hint != 0;  // 0: a frame just ended and was fully flushed
    }
    return output.pos;
  }

  std::uint64_t file_bytes_consumed() const noexcept override {
    return file_->file_bytes_consumed();
  }

 private:
  std::unique_ptr<FileStream> file_;
  std::vector<char> in_;
  ZSTD_DStream* stream_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  bool frame_open_ = false;
};

}  // namespace

Compression detect_compression(const unsigned char* head, std::size_t size) noexcept {
  if (size >= 2 && head[0] == 0x1F && head[1] == 0x8B) return Compression::gzip;
  if (size >= 4 && head[0] == 0x28 && head[1] == 0xB5 && head[2] == 0x2F && head[3] == 0xFD) {
    return Compression::zstd;
  }
  return Compression::none;
}

std::unique_ptr<ByteStream> open_byte_stream(const std::string& path) {
  auto file = std::make_unique<FileStream>(path);
  for (const Magic& magic : kUnsupportedMagics) {
    if (file->head_size() >= magic.size &&
        std::memcmp(file->head(), magic.bytes, magic.size) == 0) {
      base::fail(ErrorCode::unsupported, "{}: {} compression is not supported (use gzip or zstd)",
                 path, magic.name);
    }
  }
  switch (detect_compression(file->head(), file->head_size())) {
    case Compression::gzip: return std::make_unique<GzipStream>(std::move(file));
    case Compression::zstd: return std::make_unique<ZstdStream>(std::move(file));
    case Compression::none: break;
  }
  return file;
}

}  // namespace eval
LMC_END_NAMESPACE

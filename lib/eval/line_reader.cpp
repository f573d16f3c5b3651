#include "eval/line_reader.hpp"

#include "base/fail.hpp"

#include <cstring>

LMC_BEGIN_NAMESPACE
namespace eval {
namespace {
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
}

LineReader::LineReader(std::unique_ptr<ByteStream> stream, std::string path,
                       std::uint64_t max_line_bytes)
    : stream_(std::move(stream)), path_(std::move(path)), max_line_bytes_(max_line_bytes) {}

bool LineReader::fill() {
  if (at_end_) return false;
  // Drop what was already returned before growing the buffer.
  buffer_.erase(0, begin_);
  scan_ -= begin_;
  begin_ = 0;
  const std::size_t old_size = buffer_.size();
  buffer_.resize(old_size + kChunkBytes);
  const std::size_t got = stream_->read(buffer_.data() + old_size, kChunkBytes);
  buffer_.resize(old_size + got);
  if (got == 0) at_end_ = true;
  return got > 0;
}

bool LineReader::next(std::string_view& line) {
  for (;;) {
    const void* newline = std::memchr(buffer_.data() + scan_, '\n', buffer_.size() - scan_);
    if (newline != nullptr) {
      const auto end = static_cast<std::size_t>(static_cast<const char*>(newline) - buffer_.data());
      line = std::string_view(buffer_).substr(begin_, end - begin_);
      begin_ = scan_ = end + 1;
      ++line_number_;
      if (line.size() > max_line_bytes_) {
        base::fail(ErrorCode::format, "{}: line {}: longer than the limit of {} bytes", path_,
                   line_number_, max_line_bytes_);
      }
      return true;
    }
    scan_ = buffer_.size();
    if (scan_ - begin_ > max_line_bytes_) {
      base::fail(ErrorCode::format, "{}: line {}: longer than the limit of {} bytes", path_,
                 line_number_ + 1, max_line_bytes_);
    }
    if (!fill()) {
      if (begin_ == buffer_.size()) return false;
      line = std::string_view(buffer_).substr(begin_);
      begin_ = scan_ = buffer_.size();
      ++line_number_;
      return true;
    }
  }
}

}  // namespace eval
LMC_END_NAMESPACE

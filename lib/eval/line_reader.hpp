// Splits a byte stream into lines, reading it in chunks of 1 MiB.
#pragma once

#include "eval/byte_stream.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

LMC_BEGIN_NAMESPACE
namespace eval {

class LineReader {
 public:
  /// `max_line_bytes` bounds a line (without its '\n'); `path` names the file in errors.
  LineReader(std::unique_ptr<ByteStream> stream, std::string path, std::uint64_t max_line_bytes);

  /// The next line without its '\n' (a last line without '\n' counts); false at the end.
  /// The view stays valid until the next call. A line longer than the limit throws
  /// lmc::Error (format) with the line number.
  bool next(std::string_view& line);

  /// 1-based number of the line last returned.
  std::uint64_t line_number() const noexcept { return line_number_; }
  const ByteStream& stream() const noexcept { return *stream_; }

 private:
  bool fill();

  std::unique_ptr<ByteStream> stream_;
  std::string path_;
  std::uint64_t max_line_bytes_;
  std::string buffer_;
  std::size_t begin_ = 0;  // start of the unread part of buffer_
  std::size_t scan_ = 0;   // buffer_[begin_, scan_) is known to hold no '\n'
  bool at_end_ = false;
  std::uint64_t line_number_ = 0;
};

}  // namespace eval
LMC_END_NAMESPACE

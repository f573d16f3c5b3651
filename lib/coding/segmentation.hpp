// The escape path: splitting a chunk into segments that the tokenizer reproduces exactly
// (coded as tokens with the model) and segments it does not (coded as bytes).
//
// A tokenizer may not give back the text it was given: SentencePiece's dummy prefix and
// normalizers, collapsed whitespace, CRLF, invalid UTF-8, NUL bytes. The split tries ever
// smaller pieces and keeps each piece whose decode(encode(piece)) equals it: the whole
// chunk, then each maximal run of valid UTF-8 (invalid bytes are escaped), then each line of
// a run that fails, then each word (a whitespace run with the non-whitespace run after it)
// of a line that fails. A word that still fails is escaped. Adjacent escapes are merged, and
// so are runs of pieces that round-trip (tried as one segment: each segment costs a header).
// Only the compressor splits; the container records each segment's kind and size, so the
// decompressor needs no tokenizer round trips of its own.
#pragma once

#include <lmc/coding_model.hpp>

#include <cstddef>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace coding {

/// A model segment holds at most this many tokens more than bytes (a bound the decoder
/// checks, so corrupt input cannot make it decode tokens that produce nothing forever).
inline constexpr std::size_t kMaxExtraTokensPerSegment = 16;

struct Segment {
  std::size_t begin = 0;  ///< offset in the chunk
  std::size_t size = 0;   ///< bytes, > 0
  bool model = false;     ///< coded as `tokens` with the model, else as escaped bytes
  std::vector<Token> tokens;
};

/// Segments covering `chunk` in order, without gaps.
std::vector<Segment> split_into_segments(const CodingModel& model, std::string_view chunk);

}  // namespace coding
LMC_END_NAMESPACE

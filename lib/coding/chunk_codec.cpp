#include "coding/chunk_codec.hpp"

#include "base/fail.hpp"
#include "coding/model_coding_adapter.hpp"
#include "coding/range_coder.hpp"
#include "coding/segmentation.hpp"
#include "coding/token_frequencies.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

LMC_BEGIN_NAMESPACE
namespace coding {
namespace {

constexpr unsigned kMaxIntegerBits = 64;

// Order-0 adaptive byte frequencies for escaped bytes: each byte starts at 1; a coded byte
// gains kIncrement; when the total exceeds kLimit all counts are halved (rounding up).
class AdaptiveByteModel {
 public:
  AdaptiveByteModel() { counts_.fill(1); }

  std::uint64_t total() const { return total_; }
  std::uint64_t frequency(unsigned byte) const { return counts_[byte]; }
  std::uint64_t cumulative(unsigned byte) const {
    std::uint64_t sum = 0;
    for (unsigned i = 0; i < byte; ++i) sum += counts_[i];
    return sum;
  }
  unsigned find(std::uint64_t position, std::uint64_t& cum) const {
    std::uint64_t start = 0;
    for (unsigned i = 0; i < 255; ++i) {
      if (position < start + counts_[i]) {
        cum = start;
        return i;
      }
      start += counts_[i];
    }
    cum = start;
    return 255;
  }
  void update(unsigned byte) {
    counts_[byte] += kIncrement;
    total_ += kIncrement;
    if (total_ > kLimit) {
      total_ = 0;
      for (auto& count : counts_) {
        count = (count + 1) / 2;
        total_ += count;
      }
    }
  }

 private:
  static constexpr std::uint32_t kIncrement = 32;
  static constexpr std::uint64_t kLimit = 1 << 16;
  std::array<std::uint32_t, 256> counts_{};
  std::uint64_t total_ = 256;
};

// The ideal cost of each coded symbol; stands in for RangeEncoder in estimate_chunk.
class CostMeter {
 public:
  void encode(std::uint64_t, std::uint64_t freq, std::uint64_t total) {
    bits += std::log2(static_cast<double>(total) / static_cast<double>(freq));
  }
  void encode_bits(std::uint64_t, unsigned count) { bits += count; }
  double bits = 0;
};

template <typename Coder>
void encode_integer(Coder& coder, std::uint64_t value) {
  auto length = static_cast<unsigned>(std::bit_width(value));
  coder.encode(length, 1, kMaxIntegerBits + 1);
  unsigned below = length > 1 ? length - 1 : 0;
  while (below > 0) {
    unsigned piece = below > 32 ? 32 : below;
    below -= piece;
    coder.encode_bits((value >> below) & ((std::uint64_t{1} << piece) - 1), piece);
  }
}

struct TokenCode {
  std::uint64_t cum;
  std::uint64_t freq;
};

// Frequencies of every model token of a chunk, scored in batches.
std::vector<TokenCode> score_tokens(const CodingModel& model, std::span<const Token> tokens,
                                    const ChunkCoding& coding, double* ideal_bits) {
  std::vector<TokenCode> codes;
  codes.reserve(tokens.size());
  if (tokens.empty()) return codes;
  std::size_t vocab = model.vocab_size();
  std::size_t batch = std::min(coding.batch_tokens, coding.window_tokens);
  auto session = model.new_session();
  std::vector<float> logits(batch * vocab);
  std::vector<Token> feed;
  TokenFrequencies table;
  for (std::size_t window = 0; window < tokens.size(); window += coding.window_tokens) {
    std::size_t in_window = std::min(coding.window_tokens, tokens.size() - window);
    session->reset();
    for (std::size_t first = 0; first < in_window; first += batch) {
      std::size_t count = std::min(batch, in_window - first);
      feed.clear();
      for (std::size_t i = first; i < first + count; ++i) {
        feed.push_back(i == 0 ? model.start_token() : tokens[window + i - 1]);
      }
      std::span<float> rows(logits.data(), count * vocab);
      session->logits_batch(feed, rows);
      for (std::size_t i = 0; i < count; ++i) {
        auto row = rows.subspan(i * vocab, vocab);
        auto target = static_cast<std::size_t>(tokens[window + first + i]);
        table.assign(row);
        codes.push_back({table.cumulative(target), table.frequency(target)});
        if (ideal_bits) *ideal_bits += ideal_token_bits(row, target);
      }
    }
  }
  return codes;
}

std::vector<Token> tokens_of(const std::vector<Segment>& segments) {
  std::vector<Token> tokens;
  for (const Segment& segment : segments) {
    tokens.insert(tokens.end(), segment.tokens.begin(), segment.tokens.end());
  }
  return tokens;
}

// Appends an escape segment for `segment`'s bytes, merged into a preceding escape.
void append_escape(std::vector<Segment>& segments, const Segment& segment) {
  if (!segments.empty() && !segments.back().model &&
      segments.back().begin + segments.back().size == segment.begin) {
    segments.back().size += segment.size;
    return;
  }
  segments.push_back(Segment{segment.begin, segment.size, false, {}});
}

template <typename Coder>
void code_escaped_bytes(Coder& coder, AdaptiveByteModel& bytes, std::span<const std::byte> data) {
  for (std::byte b : data) {
    auto byte = static_cast<unsigned>(b);
    coder.encode(bytes.cumulative(byte), bytes.frequency(byte), bytes.total());
    bytes.update(byte);
  }
}

// Writes `segments` (the stream layout in chunk_codec.hpp); `codes` holds the frequencies of
// their model tokens in order.
template <typename Coder>
void code_segments(Coder& coder, std::span<const std::byte> chunk,
                   const std::vector<Segment>& segments, const std::vector<TokenCode>& codes) {
  AdaptiveByteModel bytes;
  std::size_t next_code = 0;
  for (const Segment& segment : segments) {
    coder.encode_bits(segment.model ? 0 : 1, 1);
    encode_integer(coder, segment.size);
    if (segment.model) {
      encode_integer(coder, segment.tokens.size());
      for (std::size_t i = 0; i < segment.tokens.size(); ++i, ++next_code) {
        coder.encode(codes[next_code].cum, codes[next_code].freq, kTokenFrequencyTotal);
      }
    } else {
      code_escaped_bytes(coder, bytes, chunk.subspan(segment.begin, segment.size));
    }
  }
}

// The escape path chosen by cost (docs/container.md, "Choosing by cost"). Walking the segments
// in order with the byte model the decoder will have, a model segment whose bits (header and
// tokens, with the frequencies scored for the split as it was) exceed those of escaping its
// bytes becomes an escape. Returns whether any segment changed.
bool escape_where_cheaper(std::vector<Segment>& segments, const std::vector<TokenCode>& codes,
                          std::span<const std::byte> chunk) {
  std::vector<Segment> chosen;
  chosen.reserve(segments.size());
  AdaptiveByteModel bytes;
  std::size_t next_code = 0;
  bool changed = false;
  for (Segment& segment : segments) {
    const auto data = chunk.subspan(segment.begin, segment.size);
    if (!segment.model) {
      CostMeter unused;  // only the byte model's state matters here
      code_escaped_bytes(unused, bytes, data);
      append_escape(chosen, segment);
      continue;
    }
    CostMeter as_model;
    encode_integer(as_model, segment.size);
    encode_integer(as_model, segment.tokens.size());
    for (std::size_t i = 0; i < segment.tokens.size(); ++i, ++next_code) {
      as_model.encode(codes[next_code].cum, codes[next_code].freq, kTokenFrequencyTotal);
    }
    CostMeter as_escape;
    encode_integer(as_escape, segment.size);
    AdaptiveByteModel trial = bytes;
    code_escaped_bytes(as_escape, trial, data);
    if (as_escape.bits < as_model.bits) {
      bytes = trial;
      append_escape(chosen, segment);
      changed = true;
    } else {
      chosen.push_back(std::move(segment));
    }
  }
  segments = std::move(chosen);
  return changed;
}

template <typename Coder>
ChunkCost encode_segments(const CodingModel& model, std::span<const std::byte> chunk,
                          const ChunkCoding& coding, Coder& coder, bool want_ideal) {
  std::string_view text(reinterpret_cast<const char*>(chunk.data()), chunk.size());
  std::vector<Segment> segments = split_into_segments(model, text);
  ChunkCost cost;
  double ideal = 0;
  std::vector<TokenCode> codes =
      score_tokens(model, tokens_of(segments), coding, want_ideal ? &ideal : nullptr);
  if (coding.choose_by_cost && escape_where_cheaper(segments, codes, chunk)) {
    // Token contexts changed where segments became escapes: score what is left again.
    ideal = 0;
    codes = score_tokens(model, tokens_of(segments), coding, want_ideal ? &ideal : nullptr);
  }
  // The guarantee: a chunk never costs more than escaping all of it (the choice above scored
  // with contexts that have since changed, so it alone does not ensure that).
  if (coding.choose_by_cost && !chunk.empty() && !(segments.size() == 1 && !segments[0].model)) {
    CostMeter planned;
    code_segments(planned, chunk, segments, codes);
    const std::vector<Segment> all_escaped{Segment{0, chunk.size(), false, {}}};
    CostMeter escaped;
    code_segments(escaped, chunk, all_escaped, {});
    if (escaped.bits < planned.bits) {
      segments = all_escaped;
      codes.clear();
      ideal = 0;
    }
  }
  cost.ideal_token_bits = ideal;
  cost.tokens = codes.size();
  for (const Segment& segment : segments) {
    if (!segment.model) cost.escaped_bytes += segment.size;
  }
  code_segments(coder, chunk, segments, codes);
  return cost;
}

// Decodes one chunk's stream step by step: advance() reads segments until the chunk needs the
// model's logits for its next token (or is complete); take() decodes that token from them. The
// model is driven from outside, so that several chunks can share one forward pass.
class ChunkDecoder {
 public:
  ChunkDecoder(const CodingModel& model, std::span<const std::byte> stream,
               std::span<std::byte> out, const ChunkCoding& coding, const std::string& where)
      : model_(model), decoder_(stream), out_(out), coding_(coding), where_(where) {}

  /// Decodes until the chunk waits for the logits that follow input() (after a reset of the
  /// session when restart()), returning true, or is complete, returning false.
  bool advance() {
    for (;;) {
      if (in_model_segment_) {
        if (tokens_.size() < token_count_) {
          restart_ = position_ % coding_.window_tokens == 0;
          input_ = restart_ ? model_.start_token() : previous_;
          return true;
        }
        finish_model_segment();
        continue;
      }
      if (produced_ >= out_.size()) return false;
      std::uint64_t kind = 0;
      if (!decoder_.decode_bits(1, kind)) corrupt("segment kind");
      std::uint64_t size = decode_integer("segment size");
      if (size == 0 || size > out_.size() - produced_) {
        base::fail(ErrorCode::corrupt_data,
                   "{}: segment at byte {} claims {} bytes, {} remain: corrupt data", where_,
                   produced_, size, out_.size() - produced_);
      }
      segment_ = out_.subspan(produced_, static_cast<std::size_t>(size));
      if (kind == 0) {
        token_count_ = decode_integer("token count");
        if (token_count_ == 0 || token_count_ > segment_.size() + kMaxExtraTokensPerSegment)
          corrupt("token count");
        tokens_.clear();
        in_model_segment_ = true;
      } else {
        decode_escape_segment();
        produced_ += segment_.size();
      }
    }
  }

  Token input() const { return input_; }
  bool restart() const { return restart_; }

  /// Decodes the awaited token; `logits` follow input() in the chunk's context.
  void take(std::span<const float> logits) {
    table_.assign(logits);
    std::uint64_t target = 0;
    if (!decoder_.target(kTokenFrequencyTotal, target)) corrupt("token");
    std::uint64_t cum = 0;
    std::uint64_t freq = 0;
    previous_ = static_cast<Token>(table_.find(target, cum, freq));
    decoder_.consume(cum, freq);
    tokens_.push_back(previous_);
    ++position_;
  }

 private:
  [[noreturn]] void corrupt(std::string_view what) {
    base::fail(ErrorCode::corrupt_data, "{}: {} at byte {} is out of range: corrupt data", where_,
               what, produced_);
  }

  std::uint64_t decode_integer(std::string_view what) {
    std::uint64_t length = 0;
    if (!decoder_.target(kMaxIntegerBits + 1, length)) corrupt(what);
    decoder_.consume(length, 1);
    if (length <= 1) return length;
    std::uint64_t value = 1;
    unsigned below = static_cast<unsigned>(length) - 1;
    while (below > 0) {
      unsigned piece = below > 32 ? 32 : below;
      below -= piece;
      std::uint64_t bits = 0;
      if (!decoder_.decode_bits(piece, bits)) corrupt(what);
      value = (value << piece) | bits;
    }
    return value;
  }

  void finish_model_segment() {
    std::string text = model_.decode(tokens_);
    if (text.size() != segment_.size()) {
      base::fail(
          ErrorCode::corrupt_data,
          "{}: the {} tokens at byte {} decode to {} bytes, not {}: corrupt data, or the model "
          "computes other logits than the compressor's did",
          where_, token_count_, produced_, text.size(), segment_.size());
    }
    std::memcpy(segment_.data(), text.data(), text.size());
    produced_ += segment_.size();
    in_model_segment_ = false;
  }

  void decode_escape_segment() {
    for (std::byte& byte : segment_) {
      std::uint64_t target = 0;
      if (!decoder_.target(bytes_.total(), target)) corrupt("escaped byte");
      std::uint64_t cum = 0;
      unsigned value = bytes_.find(target, cum);
      decoder_.consume(cum, bytes_.frequency(value));
      bytes_.update(value);
      byte = static_cast<std::byte>(value);
    }
  }

  const CodingModel& model_;
  RangeDecoder decoder_;
  std::span<std::byte> out_;
  const ChunkCoding& coding_;
  const std::string& where_;
  AdaptiveByteModel bytes_;
  TokenFrequencies table_;
  std::size_t produced_ = 0;      // bytes of out_ before the current segment
  std::span<std::byte> segment_;  // the current segment's bytes
  bool in_model_segment_ = false;
  std::uint64_t token_count_ = 0;  // tokens of the current model segment
  std::vector<Token> tokens_;      // its tokens decoded so far
  std::uint64_t position_ = 0;     // model tokens decoded so far in this chunk
  Token previous_ = 0;
  Token input_ = 0;
  bool restart_ = false;
};

}  // namespace

std::vector<std::byte> encode_chunk(const CodingModel& model, std::span<const std::byte> chunk,
                                    const ChunkCoding& coding) {
  std::vector<std::byte> out;
  RangeEncoder encoder(out);
  encode_segments(model, chunk, coding, encoder, false);
  encoder.finish();
  return out;
}

ChunkCost estimate_chunk(const CodingModel& model, std::span<const std::byte> chunk,
                         const ChunkCoding& coding) {
  CostMeter meter;
  ChunkCost cost = encode_segments(model, chunk, coding, meter, true);
  cost.coded_bits = meter.bits;
  return cost;
}

void decode_chunk(const CodingModel& model, std::span<const std::byte> stream,
                  std::span<std::byte> out, const ChunkCoding& coding, const std::string& where) {
  ChunkJob job{stream, out, where};
  base::ThreadPool pool(1);
  decode_chunks(model, {&job, 1}, coding, 1, SIZE_MAX, pool, [](std::size_t) {});
}

LockstepStats decode_chunks(const CodingModel& model, std::span<const ChunkJob> jobs,
                            const ChunkCoding& coding, std::size_t lanes, std::size_t state_budget,
                            base::ThreadPool& pool, const std::function<void(std::size_t)>& done) {
  LockstepStats stats;
  if (jobs.empty()) return stats;
  lanes = std::clamp<std::size_t>(lanes, 1, std::min(jobs.size(), kMaxLockstepLanes));
  struct Lane {
    std::optional<ChunkDecoder> decoder;
    std::size_t job = 0;
    std::unique_ptr<CodingSession> session;  // while the chunk is in flight
    SessionState state;                      // of the session, as of this step
  };
  // Sessions of finished chunks, kept (with the room their caches grew) for the next ones.
  std::vector<std::unique_ptr<CodingSession>> spare;
  std::vector<Lane> lane(lanes);
  std::size_t next_job = 0;
  // Gives `l` the next job that waits for the model, completing those that never do.
  auto start_next = [&](Lane& l) {
    l.decoder.reset();
    while (next_job < jobs.size()) {
      l.job = next_job++;
      const ChunkJob& job = jobs[l.job];
      l.decoder.emplace(model, job.stream, job.out, coding, job.where);
      if (l.decoder->advance()) return;
      l.decoder.reset();
      done(l.job);
    }
  };
  for (Lane& l : lane) start_next(l);
  const std::size_t vocab = model.vocab_size();
  std::vector<float> logits(lanes * vocab);
  std::vector<CodingSession*> sessions;
  std::vector<Token> inputs;
  std::vector<Lane*> in_flight;
  std::vector<Lane*> waiting;
  std::vector<unsigned char> finished;
  for (;;) {
    // The chunks in flight, oldest first, each with a session (a spare one first), and the
    // state all sessions hold.
    in_flight.clear();
    for (Lane& l : lane) {
      if (l.decoder) in_flight.push_back(&l);
    }
    if (in_flight.empty()) return stats;
    std::sort(in_flight.begin(), in_flight.end(),
              [](const Lane* a, const Lane* b) { return a->job < b->job; });
    for (Lane* l : in_flight) {
      if (!l->session && !spare.empty()) {
        l->session = std::move(spare.back());
        spare.pop_back();
      }
      if (!l->session) l->session = model.new_session();
      if (l->decoder->restart()) l->session->reset();
    }
    if (next_job == jobs.size()) spare.clear();  // no chunk is left to take them
    std::size_t held = 0;
    for (Lane* l : in_flight) {
      l->state = session_state(model, *l->session);
      held += l->state.now;
    }
    for (const auto& session : spare) held += session_state(model, *session).now;
    // The oldest advances; another one only while the budget holds its session's growth.
    sessions.clear();
    inputs.clear();
    waiting.clear();
    for (Lane* l : in_flight) {
      const std::size_t growth = l->state.next - l->state.now;
      if (!waiting.empty() && growth > 0 && (held > state_budget || growth > state_budget - held)) {
        continue;
      }
      held += growth;
      sessions.push_back(l->session.get());
      inputs.push_back(l->decoder->input());
      waiting.push_back(l);
    }
    stats.peak_state_bytes = std::max(stats.peak_state_bytes, held);
    ++stats.steps;
    stats.rows += waiting.size();
    const std::span<float> rows(logits.data(), waiting.size() * vocab);
    logits_next_each(model, sessions, inputs, rows, pool);
    // Each lane decodes its token (the frequency table of a whole vocabulary) and reads on to
    // its next one, lanes spread over the pool; completions are handled here, in lane order.
    finished.assign(waiting.size(), 0);
    pool.parallel_for(waiting.size(), [&](std::size_t i) {
      Lane& l = *waiting[i];
      l.decoder->take(rows.subspan(i * vocab, vocab));
      finished[i] = l.decoder->advance() ? 0 : 1;
    });
    for (std::size_t i = 0; i < waiting.size(); ++i) {
      if (finished[i] == 0) continue;
      Lane& l = *waiting[i];
      done(l.job);
      // Over the budget only the oldest chunk's session can have grown: drop it when it ends.
      if (held > state_budget) {
        held -= std::min(held, l.state.next);
        l.session.reset();
      } else {
        spare.push_back(std::move(l.session));
      }
      start_next(l);
    }
  }
}

}  // namespace coding
LMC_END_NAMESPACE

// Lossless compression of any byte string with a language model driving a range coder, in
// the container format of docs/container.md.
#pragma once

#include <lmc/coding_model.hpp>
#include <lmc/export.hpp>
#include <lmc/utf8.hpp>
#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE

class Model;

struct CompressorOptions {
  /// Chunks coded in parallel (each chunk is independent); 0 means one per hardware thread.
  /// The output does not depend on it.
  std::size_t threads = 0;
  /// Bytes of input per chunk (the unit of parallelism; the model context restarts at each
  /// chunk), 1 .. 64 MiB. Part of the container; decompression reads it from there.
  std::size_t chunk_bytes = std::size_t{1} << 15;
  /// Tokens per CodingSession::logits_batch call when compressing (memory: this many rows of
  /// vocab_size floats). The output does not depend on it.
  std::size_t batch_tokens = 512;
  /// Most tokens per model context (the model restarts from its start token after this many);
  /// 0 means the model's whole context (Model::context()). Part of the container;
  /// decompression reads it from there.
  std::size_t context = 0;
  /// After compressing, decompress and compare (twice the time; catches a model that breaks
  /// the determinism contract before the container leaves the process).
  bool verify = false;
  /// Code a piece with the model only where that costs fewer bits than escaping its bytes, and
  /// never let a chunk cost more than escaping all of it (docs/container.md, "Choosing by
  /// cost"). false codes every piece the tokenizer reproduces with the model (tests use it to
  /// run the model on all text). The decompressor needs no setting: it follows the stream.
  bool choose_by_cost = true;
};

/// One chunk of a container.
struct ChunkInfo {
  std::uint64_t original_offset = 0;    ///< where its bytes start in the original data
  std::uint32_t original_size = 0;      ///< bytes of original data
  std::uint64_t compressed_offset = 0;  ///< where its coded bytes start in the container
  std::uint32_t compressed_size = 0;    ///< bytes of coded data
  std::uint32_t original_crc32c = 0;    ///< CRC32C of its original bytes
};

/// What a container says about itself (all checksums except the per-chunk originals verified).
struct ContainerInfo {
  std::uint32_t format_version = 0;
  std::string fingerprint;  ///< CodingModel::fingerprint() of the model that made it
  std::uint32_t numeric_profile = 0;
  std::uint32_t vocab_size = 0;
  std::uint32_t context = 0;  ///< tokens per model context (CompressorOptions::context)
  std::uint32_t chunk_bytes = 0;
  std::uint64_t original_size = 0;
  std::uint64_t container_size = 0;
  std::vector<ChunkInfo> chunks;
};

/// Reads a container's header, chunk table and checksums without a model.
/// Throws Error: format (not a container, truncated, trailing bytes, inconsistent sizes),
/// unsupported (newer format version or unknown flags), corrupt_data (a checksum fails).
/// `source` names the container in error messages (a file path, "<stdin>").
LMC_EXPORT ContainerInfo inspect(std::span<const std::byte> container,
                                 std::string_view source = "container");

/// Compressed sizes of the same data with general-purpose compressors, for comparison.
struct BaselineSizes {
  std::uint64_t original = 0;
  std::uint64_t gzip9 = 0;        ///< gzip file (zlib deflate, level 9, gzip header/trailer)
  std::uint64_t zstd19_long = 0;  ///< zstd frame, level 19, long-distance matching (window 2^27)
  std::uint64_t xz9e = 0;         ///< xz file (liblzma preset 9 extreme, CRC64), as `xz -9e`
};

/// Throws Error(internal) only if zlib, zstd or liblzma fail.
LMC_EXPORT BaselineSizes baseline_sizes(std::span<const std::byte> data);

/// Sizes a compression would have, computed without running the range coder.
struct SizeEstimate {
  std::uint64_t original_bytes = 0;
  std::uint64_t characters = 0;       ///< Unicode code points (each invalid UTF-8 byte counts 1)
  std::uint64_t tokens = 0;           ///< tokens coded with the model
  std::uint64_t escaped_bytes = 0;    ///< bytes coded through the escape path (not tokenizable)
  double ideal_token_bits = 0;        ///< sum of -log2 p(token) with p the model's softmax (double)
  double coded_bits = 0;              ///< sum of -log2(frequency/total) of every coded symbol
  std::uint64_t container_bytes = 0;  ///< expected container size (within a few bytes per chunk)
};

/// Compresses and decompresses with one model. Holds a reference to the model, which must
/// outlive it, and owns everything else it needs. Thread-safe: const members may run
/// concurrently.
class LMC_EXPORT Compressor {
 public:
  /// Compresses with `model` and its tokenizer: the container records Model::fingerprint()
  /// (computed here, about 0.2 s per GB of weights) and Model::numeric_profile(); the model's
  /// tokenizer BOS starts each context. Chunks run in parallel on CompressorOptions::threads
  /// while each forward call uses the model's own threads (ModelOptions::threads; 1 keeps the
  /// chunk threads from oversubscribing). Decompression advances the chunks in lock step, each
  /// batched forward pass split over max(CompressorOptions::threads, ModelOptions::threads)
  /// threads (docs/container.md). Throws Error(unsupported) when the model has no
  /// tokenizer or no BOS token, Error(invalid_argument) for options out of range.
  explicit Compressor(const Model& model, CompressorOptions options = {});
  /// Compresses with a model of your own (see <lmc/coding_model.hpp>). Throws
  /// Error(invalid_argument) for options out of range or a model outside the limits documented
  /// in CodingModel.
  explicit Compressor(const CodingModel& model, CompressorOptions options = {});
  Compressor(Compressor&&) noexcept;
  Compressor& operator=(Compressor&&) noexcept;
  ~Compressor();

  const CompressorOptions& options() const noexcept;

  /// A container holding `data`. Any bytes (empty, binary, invalid UTF-8) are accepted.
  std::vector<std::byte> compress(std::span<const std::byte> data) const;

  /// The original bytes of a container made by compress() with the same model, always
  /// byte-exact. Throws Error: like inspect(), plus model_mismatch (another fingerprint,
  /// numeric profile, vocabulary or a context the model cannot hold) and corrupt_data (a chunk
  /// decodes to data that fails its checksum). Never returns wrong data.
  std::vector<std::byte> decompress(std::span<const std::byte> container,
                                    std::string_view source = "container") const;

  /// Stream versions: read `in` to its end, write the result to `out`. Errors as above, plus
  /// Error(io) when a stream fails. compress() holds the whole input in memory (the container
  /// header records sizes up front); decompress() writes chunk by chunk after verifying the
  /// container.
  void compress(std::istream& in, std::ostream& out) const;
  void decompress(std::istream& in, std::ostream& out, std::string_view source = "<stream>") const;

  /// What compress(data) would produce, without range coding (it still runs the model).
  SizeEstimate estimate(std::span<const std::byte> data) const;

 private:
  struct Impl;
  explicit Compressor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

LMC_END_NAMESPACE

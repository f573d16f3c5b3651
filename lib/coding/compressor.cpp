#include <lmc/compressor.hpp>

#include "base/fail.hpp"
#include "base/thread_pool.hpp"
#include "base/utf8.hpp"
#include "coding/chunk_codec.hpp"
#include "coding/container.hpp"
#include "coding/container_decoder.hpp"
#include "coding/crc32c.hpp"
#include "coding/model_coding_adapter.hpp"
#include "coding/token_frequencies.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <istream>
#include <iterator>
#include <ostream>

LMC_BEGIN_NAMESPACE
namespace {

// Chunks decoded per wave per lock-step lane: bounds the memory of decoded-but-unwritten
// chunks.
constexpr std::size_t kChunksPerLanePerWave = 2;

void check_model(const CodingModel& model) {
  std::size_t vocab = model.vocab_size();
  if (vocab < 2 || vocab > coding::kMaxCodingVocab) {
    base::fail(ErrorCode::invalid_argument,
               "compressor: vocabulary of {} tokens (supported: 2 .. {})", vocab,
               coding::kMaxCodingVocab);
  }
  if (model.context() < 1) {
    base::fail(ErrorCode::invalid_argument, "compressor: the model has no context");
  }
  Token start = model.start_token();
  if (start < 0 || static_cast<std::size_t>(start) >= vocab) {
    base::fail(ErrorCode::invalid_argument, "compressor: start token {} outside the vocabulary",
               start);
  }
  std::size_t fingerprint = model.fingerprint().size();
  if (fingerprint == 0 || fingerprint > coding::kMaxFingerprintBytes) {
    base::fail(ErrorCode::invalid_argument, "compressor: model fingerprint of {} bytes (1 .. {})",
               fingerprint, coding::kMaxFingerprintBytes);
  }
}

std::vector<std::byte> read_stream(std::istream& in, std::string_view what) {
  std::vector<std::byte> data;
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    auto got = static_cast<std::size_t>(in.gcount());
    auto* bytes = reinterpret_cast<const std::byte*>(buffer.data());
    data.insert(data.end(), bytes, bytes + got);
  }
  if (in.bad()) base::fail(ErrorCode::io, "{}: read error", what);
  return data;
}

void write_stream(std::ostream& out, std::span<const std::byte> data) {
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!out) base::fail(ErrorCode::io, "output stream: write error");
}

std::span<const std::byte> chunk_of(std::span<const std::byte> data, std::size_t chunk_bytes,
                                    std::size_t index) {
  std::size_t begin = index * chunk_bytes;
  return data.subspan(begin, std::min(chunk_bytes, data.size() - begin));
}

}  // namespace

namespace coding {

LockstepStats decode_container_chunks(const CodingModel& model,
                                      std::span<const std::byte> container,
                                      const ContainerInfo& info, std::string_view source,
                                      std::size_t threads, std::size_t lanes,
                                      std::size_t state_budget,
                                      const std::function<void(std::span<const std::byte>)>& emit) {
  LockstepStats stats;
  const ChunkCoding chunk_coding{info.context, 1, false};
  base::ThreadPool pool(std::max<std::size_t>(1, threads));
  lanes = std::clamp<std::size_t>(lanes, 1, kMaxLockstepLanes);
  // One lock-step group over each wave's chunks, lanes refilled as chunks complete.
  const std::size_t wave = lanes * kChunksPerLanePerWave;
  std::vector<std::vector<std::byte>> decoded(std::min(wave, info.chunks.size()));
  std::vector<ChunkJob> jobs;
  for (std::size_t first = 0; first < info.chunks.size(); first += wave) {
    const std::size_t count = std::min(wave, info.chunks.size() - first);
    jobs.clear();
    for (std::size_t i = 0; i < count; ++i) {
      const ChunkInfo& chunk = info.chunks[first + i];
      decoded[i].assign(chunk.original_size, std::byte{0});
      jobs.push_back(ChunkJob{container.subspan(chunk.compressed_offset, chunk.compressed_size),
                              decoded[i], fmt::format("{}: chunk {}", source, first + i)});
    }
    const LockstepStats wave_stats =
        decode_chunks(model, jobs, chunk_coding, lanes, state_budget, pool, [&](std::size_t job) {
          if (crc32c(decoded[job]) != info.chunks[first + job].original_crc32c) {
            base::fail(
                ErrorCode::corrupt_data,
                "{}: decoded data fails its checksum: the model computes other logits than the "
                "compressor's did (numeric profile {:#x}), or the data is corrupt",
                jobs[job].where, info.numeric_profile);
          }
        });
    stats.steps += wave_stats.steps;
    stats.rows += wave_stats.rows;
    stats.peak_state_bytes = std::max(stats.peak_state_bytes, wave_stats.peak_state_bytes);
    for (std::size_t i = 0; i < count; ++i) {
      emit(decoded[i]);
      std::vector<std::byte>().swap(decoded[i]);
    }
  }
  return stats;
}

}  // namespace coding

struct Compressor::Impl {
  Impl(const CodingModel& model, CompressorOptions options) : model(model), options(options) {}
  Impl(std::unique_ptr<CodingModel> adapter, CompressorOptions options)
      : owned(std::move(adapter)), model(*owned), options(options) {}

  std::unique_ptr<CodingModel> owned;  // the adapter of an lmc::Model, when built from one
  const CodingModel& model;
  CompressorOptions options;

  std::size_t threads() const {
    return options.threads == 0 ? base::ThreadPool::hardware_threads() : options.threads;
  }

  coding::ChunkCoding chunk_coding_for(std::size_t window_tokens) const {
    return coding::ChunkCoding{window_tokens, options.batch_tokens, options.choose_by_cost};
  }

  std::size_t window_tokens() const {
    return options.context != 0 ? options.context : model.context();
  }

  // Checks that `info` was made by this model, then decodes its chunks in waves, passing each
  // wave's bytes in order to `emit`.
  void decode(std::span<const std::byte> container, const ContainerInfo& info,
              std::string_view source,
              const std::function<void(std::span<const std::byte>)>& emit) const {
    std::string fingerprint = model.fingerprint();
    if (info.fingerprint != fingerprint) {
      base::fail(ErrorCode::model_mismatch,
                 "{}: made with another model (fingerprint {}), not this one ({})", source,
                 info.fingerprint, fingerprint);
    }
    if (info.numeric_profile != model.numeric_profile()) {
      base::fail(ErrorCode::model_mismatch,
                 "{}: made with numeric profile {:#x}, this model computes with profile {:#x}",
                 source, info.numeric_profile, model.numeric_profile());
    }
    if (info.vocab_size != model.vocab_size()) {
      base::fail(ErrorCode::model_mismatch,
                 "{}: made with a vocabulary of {} tokens, this model has {}", source,
                 info.vocab_size, model.vocab_size());
    }
    if (info.context > model.context()) {
      base::fail(ErrorCode::model_mismatch,
                 "{}: needs a context of {} tokens, this model is set up for {}", source,
                 info.context, model.context());
    }
    coding::decode_container_chunks(model, container, info, source, threads(),
                                    coding::lockstep_lanes(model, threads()),
                                    coding::lockstep_state_budget(), emit);
  }
};

Compressor::Compressor(const Model& model, CompressorOptions options)
    : Compressor(std::make_unique<Impl>(coding::adapt_model(model), options)) {}

Compressor::Compressor(const CodingModel& model, CompressorOptions options)
    : Compressor(std::make_unique<Impl>(model, options)) {}

Compressor::Compressor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  const CodingModel& model = impl_->model;
  const CompressorOptions& options = impl_->options;
  check_model(model);
  if (options.chunk_bytes == 0 || options.chunk_bytes > coding::kMaxChunkBytes) {
    base::fail(ErrorCode::invalid_argument, "compressor: chunk_bytes {} outside 1 .. {}",
               options.chunk_bytes, coding::kMaxChunkBytes);
  }
  if (options.batch_tokens == 0) {
    base::fail(ErrorCode::invalid_argument, "compressor: batch_tokens must be at least 1");
  }
  if (options.context > model.context() || impl_->window_tokens() > UINT32_MAX) {
    base::fail(ErrorCode::invalid_argument,
               "compressor: a context of {} tokens exceeds the model's context of {}",
               options.context, model.context());
  }
}

Compressor::Compressor(Compressor&&) noexcept = default;
Compressor& Compressor::operator=(Compressor&&) noexcept = default;
Compressor::~Compressor() = default;

const CompressorOptions& Compressor::options() const noexcept { return impl_->options; }

std::vector<std::byte> Compressor::compress(std::span<const std::byte> data) const {
  const CodingModel& model = impl_->model;
  std::size_t chunk_bytes = impl_->options.chunk_bytes;
  std::size_t chunk_count = (data.size() + chunk_bytes - 1) / chunk_bytes;
  if (chunk_count > UINT32_MAX) {
    base::fail(ErrorCode::invalid_argument, "compressor: {} bytes need more than 2^32 chunks",
               data.size());
  }
  ContainerInfo info;
  info.format_version = coding::kContainerFormatVersion;
  info.fingerprint = model.fingerprint();
  info.numeric_profile = model.numeric_profile();
  info.vocab_size = static_cast<std::uint32_t>(model.vocab_size());
  info.context = static_cast<std::uint32_t>(impl_->window_tokens());
  info.chunk_bytes = static_cast<std::uint32_t>(chunk_bytes);
  info.original_size = data.size();
  info.chunks.resize(chunk_count);
  std::vector<std::vector<std::byte>> streams(chunk_count);
  coding::ChunkCoding chunk_coding = impl_->chunk_coding_for(info.context);
  base::ThreadPool pool(impl_->threads());
  pool.parallel_for(chunk_count, [&](std::size_t i) {
    auto chunk = chunk_of(data, chunk_bytes, i);
    info.chunks[i].original_size = static_cast<std::uint32_t>(chunk.size());
    info.chunks[i].original_crc32c = coding::crc32c(chunk);
    streams[i] = coding::encode_chunk(model, chunk, chunk_coding);
  });
  std::vector<std::byte> container = coding::write_container(info, streams);
  if (impl_->options.verify &&
      decompress(container, "verification") != std::vector<std::byte>(data.begin(), data.end())) {
    base::fail(ErrorCode::internal,
               "compressor: verification failed: the container does not decode to the input");
  }
  return container;
}

std::vector<std::byte> Compressor::decompress(std::span<const std::byte> container,
                                              std::string_view source) const {
  ContainerInfo info = coding::parse_container(container, source);
  std::vector<std::byte> out;
  impl_->decode(container, info, source, [&](std::span<const std::byte> bytes) {
    out.insert(out.end(), bytes.begin(), bytes.end());
  });
  return out;
}

void Compressor::compress(std::istream& in, std::ostream& out) const {
  std::vector<std::byte> data = read_stream(in, "input stream");
  write_stream(out, compress(data));
}

void Compressor::decompress(std::istream& in, std::ostream& out, std::string_view source) const {
  std::vector<std::byte> container = read_stream(in, source);
  ContainerInfo info = coding::parse_container(container, source);
  impl_->decode(container, info, source,
                [&](std::span<const std::byte> bytes) { write_stream(out, bytes); });
}

SizeEstimate Compressor::estimate(std::span<const std::byte> data) const {
  const CodingModel& model = impl_->model;
  std::size_t chunk_bytes = impl_->options.chunk_bytes;
  std::size_t chunk_count = (data.size() + chunk_bytes - 1) / chunk_bytes;
  std::vector<coding::ChunkCost> costs(chunk_count);
  coding::ChunkCoding chunk_coding = impl_->chunk_coding_for(impl_->window_tokens());
  base::ThreadPool pool(impl_->threads());
  pool.parallel_for(chunk_count, [&](std::size_t i) {
    costs[i] = coding::estimate_chunk(model, chunk_of(data, chunk_bytes, i), chunk_coding);
  });
  SizeEstimate estimate;
  estimate.original_bytes = data.size();
  estimate.characters = count_characters(data);
  estimate.container_bytes = coding::container_overhead(model.fingerprint().size(), chunk_count);
  for (const coding::ChunkCost& cost : costs) {
    estimate.tokens += cost.tokens;
    estimate.escaped_bytes += cost.escaped_bytes;
    estimate.ideal_token_bits += cost.ideal_token_bits;
    estimate.coded_bits += cost.coded_bits;
    // The coder's flush adds at most one byte beyond the information content.
    estimate.container_bytes += static_cast<std::uint64_t>(std::ceil(cost.coded_bits / 8)) + 1;
  }
  return estimate;
}

ContainerInfo inspect(std::span<const std::byte> container, std::string_view source) {
  return coding::parse_container(container, source);
}

LMC_END_NAMESPACE

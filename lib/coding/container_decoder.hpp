// Decoding a container's chunks: in waves (bounding the decoded bytes held at once), each wave's
// chunks advanced in lock step as one group whose batched forward passes are split over the
// threads (coding/chunk_codec.hpp, decode_chunks). What lmc::Compressor's decompress runs;
// tests call it with other lane and thread counts.
#pragma once

#include <lmc/coding_model.hpp>
#include <lmc/compressor.hpp>

#include "coding/chunk_codec.hpp"

#include <cstddef>
#include <functional>
#include <span>
#include <string_view>

LMC_BEGIN_NAMESPACE
namespace coding {

/// Decodes every chunk of `container`, which `info` describes and the caller has checked
/// against `model`, with up to `lanes` chunks in flight in lock step (at least 1) holding at
/// most `state_budget` bytes of session state plus the oldest chunk's session
/// (coding::decode_chunks), each step's forward pass and token decoding on `threads` threads
/// (at least 1), and passes the bytes of each wave of chunks (2 × lanes) to `emit` in order.
/// `source` names the container in error messages: Error(corrupt_data) for a stream that
/// cannot be decoded or a chunk whose bytes fail their checksum. The bytes depend neither on
/// `threads`, `lanes` nor `state_budget`. Returns the steps over all waves.
LockstepStats decode_container_chunks(const CodingModel& model,
                                      std::span<const std::byte> container,
                                      const ContainerInfo& info, std::string_view source,
                                      std::size_t threads, std::size_t lanes,
                                      std::size_t state_budget,
                                      const std::function<void(std::span<const std::byte>)>& emit);

}  // namespace coding
LMC_END_NAMESPACE

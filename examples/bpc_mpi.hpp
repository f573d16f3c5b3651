// The MPI driver of lmc-bpc (built with -DLMC_WITH_MPI=ON): every rank evaluates shard
// rank/size and rank 0 merges the results. Uses only lmc's public API and MPI.
#pragma once

#include <mpi.h>
#include <lmc/lmc.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bpc_mpi {

/// MPI_Init / MPI_Finalize for the lifetime of main.
class Session {
 public:
  Session(int& argc, char**& argv) { MPI_Init(&argc, &argv); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() { MPI_Finalize(); }

  int rank() const {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
  }
  int size() const {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
  }
};

/// Collective over MPI_COMM_WORLD: true on every rank when `mine` is true on every rank.
inline bool all_true(bool mine) {
  int value = mine ? 1 : 0;
  int all = 0;
  MPI_Allreduce(&value, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
  return all != 0;
}

/// Collective over MPI_COMM_WORLD: every rank passes its shard's result, or nullopt when it
/// failed (having reported why itself). Rank 0 gets the merged result, its time set to the
/// longest rank's (the wall-clock time of the parallel run); the other ranks get nullopt.
/// Throws std::runtime_error on rank 0 when a rank failed or the shards do not merge.
inline std::optional<lmc::BpcResult> reduce(const std::optional<lmc::BpcResult>& mine) {
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::string json = mine ? mine->to_json() : std::string();
  const int length = static_cast<int>(json.size());  // 0: this rank failed
  std::vector<int> lengths(static_cast<std::size_t>(size));
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(static_cast<std::size_t>(size));
  std::string all;
  if (rank == 0) {
    int total = 0;
    for (int r = 0; r < size; ++r) {
      offsets[static_cast<std::size_t>(r)] = total;
      total += lengths[static_cast<std::size_t>(r)];
    }
    all.resize(static_cast<std::size_t>(total));
  }
  MPI_Gatherv(json.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR,
              0, MPI_COMM_WORLD);
  if (rank != 0) return std::nullopt;

  std::optional<lmc::BpcResult> merged;
  double longest = 0;
  for (int r = 0; r < size; ++r) {
    const auto index = static_cast<std::size_t>(r);
    if (lengths[index] == 0) throw std::runtime_error("rank " + std::to_string(r) + " failed");
    lmc::BpcResult shard = lmc::BpcResult::from_json(
        std::string_view(all).substr(static_cast<std::size_t>(offsets[index]),
                                     static_cast<std::size_t>(lengths[index])),
        "rank " + std::to_string(r));
    longest = std::max(longest, shard.seconds());
    if (merged) {
      merged->merge(shard);
    } else {
      merged = std::move(shard);
    }
  }
  merged->set_seconds(longest);
  return merged;
}

}  // namespace bpc_mpi

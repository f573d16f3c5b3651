// Run under mpirun: every rank evaluates shard rank/size of a corpus with a fake scorer, the
// MPI driver of lmc-bpc merges them on rank 0, and rank 0 checks the merge against a single
// run of its own, bit for bit. Exit status 0 on success.
#include <lmc/eval.hpp>

#include "bpc_mpi.hpp"
#include "closed_form_scorers.hpp"

#include <cstdio>
#include <exception>
#include <string>

namespace {

float scorer_function(std::span<const lmc::Token> window, std::size_t target) {
  return eval_test::bigram_scorer(window, target) - 0.001f * static_cast<float>(target);
}

lmc::BpcResult run(const std::string& path, std::size_t index, std::size_t count) {
  lmc::Corpus corpus = lmc::Corpus::open(path);
  eval_test::FunctionScorer scorer(scorer_function);
  lmc::BpcOptions options;
  options.context = 256;
  options.stride = 64;
  options.shard_index = index;
  options.shard_count = count;
  return lmc::eval::evaluate_bpc(corpus, eval_test::byte_tokenizer(true), scorer, options);
}

}  // namespace

int main(int argc, char** argv) {
  bpc_mpi::Session mpi(argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: mpirun -np N lmc_eval_mpi_test CORPUS\n");
    return 1;
  }
  const std::string path = argv[1];
  try {
    const auto merged = bpc_mpi::reduce(
        run(path, static_cast<std::size_t>(mpi.rank()), static_cast<std::size_t>(mpi.size())));
    if (mpi.rank() != 0) return 0;
    const lmc::BpcResult single = run(path, 0, 1);
    const bool same = merged->complete() && merged->total_bits() == single.total_bits() &&
                      merged->scored_tokens() == single.scored_tokens() &&
                      merged->windows() == single.windows() &&
                      merged->characters() == single.characters() &&
                      merged->shard_count() == static_cast<std::size_t>(mpi.size());
    std::printf("%d ranks: merged %.17g bits over %llu targets in %llu windows; single run %.17g\n",
                mpi.size(), merged->total_bits(),
                static_cast<unsigned long long>(merged->scored_tokens()),
                static_cast<unsigned long long>(merged->windows()), single.total_bits());
    if (!same) {
      std::fprintf(stderr, "the merged shards differ from the single run\n");
      return 1;
    }
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "rank %d: %s\n", mpi.rank(), error.what());
    return 1;
  }
}

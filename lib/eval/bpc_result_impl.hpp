// The state behind lmc::BpcResult, shared by the evaluator, merge and JSON.
#pragma once

#include <lmc/eval.hpp>
#include <lmc/json.hpp>

#include "eval/fixed_loss.hpp"

#include <cstdint>
#include <string>
#include <vector>

LMC_BEGIN_NAMESPACE

struct BpcResult::Impl {
  // Settings.
  std::size_t context = 0;
  std::size_t stride = 0;
  WindowMode mode = WindowMode::exact;
  bool score_bos = false;
  std::string model_name;
  std::string corpus;
  std::uint64_t max_documents = 0;
  std::size_t shard_count = 1;
  std::vector<std::size_t> shards;  // ascending

  // Corpus-wide figures: equal in every shard.
  std::uint64_t documents = 0;
  std::uint64_t characters = 0;
  std::uint64_t bytes = 0;
  std::uint64_t tokens = 0;
  std::uint64_t skipped_records = 0;
  std::uint64_t empty_documents = 0;

  // Window figures: summed over shards.
  eval::FixedLoss loss;
  std::uint64_t scored_tokens = 0;
  std::uint64_t windows = 0;
  std::uint64_t forward_tokens = 0;
  double seconds = 0;

  // Per document (when asked for): corpus-wide fields plus the loss of its targets.
  bool per_document = false;
  std::vector<DocumentFigures> documents_figures;
  std::vector<eval::FixedLoss> document_losses;

  void refresh_document_bits() {
    for (std::size_t i = 0; i < documents_figures.size(); ++i) {
      documents_figures[i].bits = document_losses[i].bits();
    }
  }
};

namespace eval {

/// The eval stage's one way into its public classes' private state: the evaluator and the JSON
/// reader fill a BpcResult through it. Only lib/eval (and its unit tests) include it.
struct Access {
  using State = BpcResult::Impl;
  static State& state(BpcResult& result) { return *result.impl_; }
  static const State& state(const BpcResult& result) { return *result.impl_; }

  /// Calls `compare(what, a_value, b_value)` for each setting that two results must share to be
  /// parts of one evaluation (two shards that merge; a checkpoint and the run that resumes it),
  /// in this order; `what` names the setting in messages ("the context", "BOS scoring").
  template <typename Compare>
  static void for_each_setting(const State& a, const State& b, Compare&& compare) {
    compare("the corpus", a.corpus, b.corpus);
    compare("the model name", a.model_name, b.model_name);
    compare("the context", a.context, b.context);
    compare("the stride", a.stride, b.stride);
    compare("the window mode", to_string(a.mode), to_string(b.mode));
    compare("BOS scoring", a.score_bos, b.score_bos);
    compare("max_documents", a.max_documents, b.max_documents);
    compare("the shard count", a.shard_count, b.shard_count);
    compare("per-document figures", a.per_document, b.per_document);
  }
};

/// Writes the members of BpcResult::to_json's object into an object `writer` has open (the
/// checkpoint file embeds them).
void write_result_members(JsonWriter& writer, const BpcResult& result);

}  // namespace eval

LMC_END_NAMESPACE

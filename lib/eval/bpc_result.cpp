// BpcResult: figures, derived rates and merging of shards.
#include "eval/bpc_result_impl.hpp"

#include "base/fail.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

LMC_BEGIN_NAMESPACE
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(double numerator, std::uint64_t denominator, bool defined) {
  if (!defined || denominator == 0) return kNaN;
  return numerator / static_cast<double>(denominator);
}

template <typename T>
void require_equal(const char* what, const T& mine, const T& theirs) {
  if (!(mine == theirs)) {
    base::fail(ErrorCode::invalid_argument,
               "cannot merge BPC results: they differ in {} ({} and {})", what, mine, theirs);
  }
}

}  // namespace

double DocumentFigures::bpc() const noexcept { return ratio(bits, characters, scored_tokens > 0); }

BpcResult::BpcResult() : impl_(std::make_unique<Impl>()) { impl_->shards = {0}; }
BpcResult::BpcResult(const BpcResult& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
BpcResult::BpcResult(BpcResult&&) noexcept = default;
BpcResult& BpcResult::operator=(const BpcResult& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
BpcResult& BpcResult::operator=(BpcResult&&) noexcept = default;
BpcResult::~BpcResult() = default;

double BpcResult::total_bits() const noexcept { return impl_->loss.bits(); }
double BpcResult::total_nats() const noexcept { return impl_->loss.nats(); }
std::uint64_t BpcResult::characters() const noexcept { return impl_->characters; }
std::uint64_t BpcResult::bytes() const noexcept { return impl_->bytes; }
std::uint64_t BpcResult::tokens() const noexcept { return impl_->tokens; }
std::uint64_t BpcResult::scored_tokens() const noexcept { return impl_->scored_tokens; }
std::uint64_t BpcResult::documents() const noexcept { return impl_->documents; }
std::uint64_t BpcResult::windows() const noexcept { return impl_->windows; }
std::uint64_t BpcResult::forward_tokens() const noexcept { return impl_->forward_tokens; }
std::uint64_t BpcResult::skipped_records() const noexcept { return impl_->skipped_records; }
std::uint64_t BpcResult::empty_documents() const noexcept { return impl_->empty_documents; }
double BpcResult::seconds() const noexcept { return impl_->seconds; }
std::size_t BpcResult::context() const noexcept { return impl_->context; }
std::size_t BpcResult::stride() const noexcept { return impl_->stride; }
WindowMode BpcResult::mode() const noexcept { return impl_->mode; }
bool BpcResult::score_bos() const noexcept { return impl_->score_bos; }
std::uint64_t BpcResult::max_documents() const noexcept { return impl_->max_documents; }
const std::string& BpcResult::model_name() const noexcept { return impl_->model_name; }
const std::string& BpcResult::corpus() const noexcept { return impl_->corpus; }
std::size_t BpcResult::shard_count() const noexcept { return impl_->shard_count; }
const std::vector<std::size_t>& BpcResult::shards() const noexcept { return impl_->shards; }
bool BpcResult::complete() const noexcept { return impl_->shards.size() == impl_->shard_count; }
const std::vector<DocumentFigures>& BpcResult::document_figures() const noexcept {
  return impl_->documents_figures;
}

double BpcResult::bpc() const noexcept {
  return ratio(total_bits(), impl_->characters, impl_->scored_tokens > 0);
}
double BpcResult::bits_per_byte() const noexcept {
  return ratio(total_bits(), impl_->bytes, impl_->scored_tokens > 0);
}
double BpcResult::bits_per_token() const noexcept {
  return ratio(total_bits(), impl_->scored_tokens, true);
}
double BpcResult::token_perplexity() const noexcept {
  return std::exp(ratio(total_nats(), impl_->scored_tokens, true));
}
double BpcResult::tokens_per_second() const noexcept {
  return impl_->seconds > 0 ? static_cast<double>(impl_->scored_tokens) / impl_->seconds : 0.0;
}
double BpcResult::forward_tokens_per_second() const noexcept {
  return impl_->seconds > 0 ? static_cast<double>(impl_->forward_tokens) / impl_->seconds : 0.0;
}
void BpcResult::set_seconds(double seconds) noexcept { impl_->seconds = seconds; }

void BpcResult::merge(const BpcResult& other_result) {
  Impl& mine = *impl_;
  const Impl& theirs = *other_result.impl_;
  eval::Access::for_each_setting(mine, theirs, [](const char* what, const auto& a, const auto& b) {
    require_equal(what, a, b);
  });
  require_equal("the document count", mine.documents, theirs.documents);
  require_equal("the character count", mine.characters, theirs.characters);
  require_equal("the byte count", mine.bytes, theirs.bytes);
  require_equal("the token count", mine.tokens, theirs.tokens);
  std::vector<std::size_t> shared;
  std::set_intersection(mine.shards.begin(), mine.shards.end(), theirs.shards.begin(),
                        theirs.shards.end(), std::back_inserter(shared));
  if (!shared.empty()) {
    base::fail(ErrorCode::invalid_argument, "cannot merge BPC results: both include shard {}/{}",
               shared.front(), mine.shard_count);
  }
  if (mine.per_document) {
    require_equal("the length of the per-document lists", mine.documents_figures.size(),
                  theirs.documents_figures.size());
    for (std::size_t i = 0; i < mine.documents_figures.size(); ++i) {
      DocumentFigures& a = mine.documents_figures[i];
      const DocumentFigures& b = theirs.documents_figures[i];
      if (a.characters != b.characters || a.bytes != b.bytes || a.tokens != b.tokens) {
        base::fail(ErrorCode::invalid_argument, "cannot merge BPC results: document {} differs", i);
      }
      a.scored_tokens += b.scored_tokens;
      mine.document_losses[i].add(theirs.document_losses[i]);
    }
    mine.refresh_document_bits();
  }

  std::vector<std::size_t> shards;
  std::merge(mine.shards.begin(), mine.shards.end(), theirs.shards.begin(), theirs.shards.end(),
             std::back_inserter(shards));
  mine.shards = std::move(shards);
  mine.loss.add(theirs.loss);
  mine.scored_tokens += theirs.scored_tokens;
  mine.windows += theirs.windows;
  mine.forward_tokens += theirs.forward_tokens;
  mine.seconds += theirs.seconds;
}

LMC_END_NAMESPACE

#include "eval/window_plan.hpp"

#include "base/fail.hpp"

#include <algorithm>

LMC_BEGIN_NAMESPACE
namespace eval {

void WindowGrid::validate() const {
  if (context < 1) base::fail(ErrorCode::invalid_argument, "context must be at least 1 token");
  if (stride < 1 || stride > context) {
    base::fail(ErrorCode::invalid_argument, "stride must lie in [1, context = {}], got {}", context,
               stride);
  }
}

std::uint64_t WindowGrid::window_count(PlanMode mode, std::uint64_t n_tokens) const {
  const std::uint64_t span = context + 1;
  switch (mode) {
    case PlanMode::paper:
      // floor((N - span) / S + 1) in the released code; it raises for N < span - S and
      // gives 0 for span - S <= N < span.
      if (n_tokens < span) return 0;
      return (n_tokens - span) / stride + 1;
    case PlanMode::exact:
      if (n_tokens < 2) return 0;
      if (n_tokens <= span) return 1;
      return (n_tokens - span + stride - 1) / stride + 1;
  }
  return 0;
}

Window WindowGrid::window(std::uint64_t k, std::uint64_t n_tokens) const {
  Window window;
  window.begin = k * stride;
  window.end = std::min(full_end(k), n_tokens);
  window.first_target = k == 0 ? 1 : full_end(k - 1);
  return window;
}

}  // namespace eval
LMC_END_NAMESPACE

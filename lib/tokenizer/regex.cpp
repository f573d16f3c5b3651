#include "tokenizer/regex.hpp"

#include "base/fail.hpp"
#include "base/utf8.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

LMC_BEGIN_NAMESPACE
namespace tokenizer {

struct Regex::Compiled {
  pcre2_code* code = nullptr;
  ~Compiled() { pcre2_code_free(code); }
};

namespace {

struct MatchData {
  pcre2_match_data* data;
  explicit MatchData(const pcre2_code* code)
      : data(pcre2_match_data_create_from_pattern(code, nullptr)) {}
  ~MatchData() { pcre2_match_data_free(data); }
  MatchData(const MatchData&) = delete;
  MatchData& operator=(const MatchData&) = delete;
};

}  // namespace

Regex::Regex(std::string_view pattern, std::string_view origin)
    : pattern_(pattern), compiled_(std::make_unique<Compiled>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  compiled_->code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern_.data()), pattern_.size(),
                    PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
  if (compiled_->code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    base::fail(ErrorCode::unsupported, "{}: regex '{}' not supported (PCRE2, offset {}: {})",
               origin, pattern_, offset, reinterpret_cast<const char*>(message));
  }
  // Without JIT (e.g. a platform PCRE2 lacks it for) matching still works, only slower.
  pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE);
}

Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;
Regex::~Regex() = default;

void Regex::find_all(std::string_view subject, std::vector<Range>& matches) const {
  if (subject.empty()) return;
  MatchData match(compiled_->code);
  const auto* data = reinterpret_cast<PCRE2_SPTR>(subject.data());
  std::size_t start = 0;
  while (start < subject.size()) {
    int rc = pcre2_match(compiled_->code, data, subject.size(), start, 0, match.data, nullptr);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
      // The interpreter keeps its backtracking state on the heap: slower but not limited
      // by the JIT stack.
      rc = pcre2_match(compiled_->code, data, subject.size(), start, PCRE2_NO_JIT, match.data,
                       nullptr);
    }
    if (rc < 0) {
      // No further match (or a resource limit): the rest is one gap.
      return;
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match.data);
    const std::size_t begin = ovector[0], end = ovector[1];
    if (end > begin) {
      matches.push_back({begin, end});
      start = end;
    } else {
      // An empty match: step over one character so the scan moves on.
      const std::size_t length = base::utf8::sequence_length(subject, begin);
      start = begin + (length == 0 ? 1 : length);
    }
  }
}

}  // namespace tokenizer
LMC_END_NAMESPACE

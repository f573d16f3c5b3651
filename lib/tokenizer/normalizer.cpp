#include "tokenizer/normalizer.hpp"

LMC_BEGIN_NAMESPACE
namespace tokenizer {

bool Normalizer::rewrites_text() const noexcept {
  for (const Step& step : steps_) {
    if (step.kind == Kind::normal_form || step.kind == Kind::lowercase) return true;
  }
  return false;
}

std::string_view Normalizer::apply(std::string_view text, std::string& buffer) const {
  std::string_view current = text;
  std::string scratch;
  for (const Step& step : steps_) {
    scratch.clear();
    switch (step.kind) {
      case Kind::normal_form:
        if (!unicode::normalize(step.form, current, scratch)) continue;
        break;
      case Kind::prepend:
        if (current.empty()) continue;
        scratch.reserve(step.first.size() + current.size());
        scratch.append(step.first);
        scratch.append(current);
        break;
      case Kind::replace: {
        if (step.first.empty() || current.find(step.first) == std::string_view::npos) continue;
        scratch.reserve(current.size() + current.size() / 4);
        std::size_t pos = 0;
        while (true) {
          const std::size_t hit = current.find(step.first, pos);
          if (hit == std::string_view::npos) break;
          scratch.append(current.substr(pos, hit - pos));
          scratch.append(step.second);
          pos = hit + step.first.size();
        }
        scratch.append(current.substr(pos));
        break;
      }
      case Kind::lowercase: unicode::append_lowercase(current, scratch); break;
    }
    buffer.swap(scratch);
    current = buffer;
  }
  return current;
}

}  // namespace tokenizer
LMC_END_NAMESPACE

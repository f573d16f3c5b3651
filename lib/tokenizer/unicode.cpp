#include "tokenizer/unicode.hpp"

#include "base/utf8.hpp"

#include <algorithm>
#include <optional>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace tokenizer::unicode {
namespace {

// Hangul syllables decompose and compose arithmetically (Unicode chapter 3.12).
constexpr char32_t hangul_s_base = 0xAC00, hangul_l_base = 0x1100, hangul_v_base = 0x1161,
                   hangul_t_base = 0x11A7;
constexpr char32_t hangul_l_count = 19, hangul_v_count = 21, hangul_t_count = 28;
constexpr char32_t hangul_n_count = hangul_v_count * hangul_t_count;
constexpr char32_t hangul_s_count = hangul_l_count * hangul_n_count;

template <typename Range>
bool in_ranges(std::span<const Range> ranges, char32_t c) noexcept {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), c,
                             [](char32_t value, const Range& r) { return value < r.first; });
  return it != ranges.begin() && c <= std::prev(it)->last;
}

std::span<const char32_t> find_mapping(std::span<const tables::Mapping> entries,
                                       std::span<const char32_t> pool, char32_t c) noexcept {
  auto it = std::lower_bound(
      entries.begin(), entries.end(), c,
      [](const tables::Mapping& m, char32_t value) { return m.code_point < value; });
  if (it == entries.end() || it->code_point != c) return {};
  return pool.subspan(it->offset, it->length);
}

std::optional<char32_t> compose(char32_t first, char32_t second) noexcept {
  if (first >= hangul_l_base && first < hangul_l_base + hangul_l_count && second >= hangul_v_base &&
      second < hangul_v_base + hangul_v_count) {
    return hangul_s_base +
           ((first - hangul_l_base) * hangul_v_count + (second - hangul_v_base)) * hangul_t_count;
  }
  if (first >= hangul_s_base && first < hangul_s_base + hangul_s_count &&
      (first - hangul_s_base) % hangul_t_count == 0 && second > hangul_t_base &&
      second < hangul_t_base + hangul_t_count) {
    return first + (second - hangul_t_base);
  }
  const auto table = tables::compositions;
  auto it =
      std::lower_bound(table.begin(), table.end(), std::pair{first, second},
                       [](const tables::Composition& entry, std::pair<char32_t, char32_t> key) {
                         return std::pair{entry.first, entry.second} < key;
                       });
  if (it == table.end() || it->first != first || it->second != second) return std::nullopt;
  return it->composite;
}

void decompose(char32_t c, bool compatibility, std::vector<char32_t>& out) {
  if (c >= hangul_s_base && c < hangul_s_base + hangul_s_count) {
    const char32_t index = c - hangul_s_base;
    out.push_back(hangul_l_base + index / hangul_n_count);
    out.push_back(hangul_v_base + (index % hangul_n_count) / hangul_t_count);
    if (index % hangul_t_count != 0) out.push_back(hangul_t_base + index % hangul_t_count);
    return;
  }
  auto mapping = compatibility ? find_mapping(tables::compatibility_decompositions,
                                              tables::compatibility_decompositions_code_points, c)
                               : find_mapping(tables::canonical_decompositions,
                                              tables::canonical_decompositions_code_points, c);
  if (mapping.empty()) {
    out.push_back(c);
  } else {
    out.insert(out.end(), mapping.begin(), mapping.end());
  }
}

// Normalizes a stretch of valid UTF-8 completely (decompose, reorder, maybe compose).
void normalize_all(NormalForm form, std::string_view text, std::string& out) {
  const bool compatibility = form == NormalForm::nfkc || form == NormalForm::nfkd;
  const bool composing = form == NormalForm::nfc || form == NormalForm::nfkc;
  std::vector<char32_t> code_points;
  for (std::size_t pos = 0; pos < text.size();)
    decompose(base::utf8::decode(text, pos), compatibility, code_points);
  // Canonical ordering: a stable sort of each run of non-starters by combining class.
  for (std::size_t i = 0; i < code_points.size();) {
    if (combining_class(code_points[i]) == 0) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < code_points.size() && combining_class(code_points[end]) != 0) ++end;
    std::stable_sort(
        code_points.begin() + static_cast<std::ptrdiff_t>(i),
        code_points.begin() + static_cast<std::ptrdiff_t>(end),
        [](char32_t a, char32_t b) { return combining_class(a) < combining_class(b); });
    i = end;
  }
  if (composing) {
    std::vector<char32_t> composed;
    composed.reserve(code_points.size());
    std::optional<std::size_t> starter;
    int last_class = 0;
    for (char32_t c : code_points) {
      const int cls = combining_class(c);
      if (starter) {
        const bool adjacent = composed.size() - 1 == *starter;
        if (adjacent || (last_class != 0 && last_class < cls)) {
          if (auto joined = compose(composed[*starter], c)) {
            composed[*starter] = *joined;
            continue;
          }
        }
      }
      if (cls == 0) starter = composed.size();
      composed.push_back(c);
      last_class = cls;
    }
    code_points.swap(composed);
  }
  for (char32_t c : code_points) base::utf8::append(out, c);
}

std::span<const tables::CodePointRange> not_inert(NormalForm form) noexcept {
  switch (form) {
    case NormalForm::nfc: return tables::nfc_not_inert;
    case NormalForm::nfd: return tables::nfd_not_inert;
    case NormalForm::nfkc: return tables::nfkc_not_inert;
    case NormalForm::nfkd: return tables::nfkd_not_inert;
  }
  return {};
}

}  // namespace

Category category(char32_t c) noexcept {
  const auto table = tables::categories;
  auto it = std::upper_bound(
      table.begin(), table.end(), c,
      [](char32_t value, const tables::CategoryRange& r) { return value < r.first; });
  if (it == table.begin()) return Category::Cn;
  --it;
  return c <= it->last ? it->category : Category::Cn;
}

std::uint8_t combining_class(char32_t c) noexcept {
  if (c < 0x300) return 0;
  const auto table = tables::combining_classes;
  auto it = std::upper_bound(
      table.begin(), table.end(), c,
      [](char32_t value, const tables::CombiningClassRange& r) { return value < r.first; });
  if (it == table.begin()) return 0;
  --it;
  return c <= it->last ? it->combining_class : 0;
}

bool is_white_space(char32_t c) noexcept {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

bool normalize(NormalForm form, std::string_view text, std::string& out) {
  const auto ranges = not_inert(form);
  const char32_t first_not_inert = ranges.empty() ? 0x110000 : ranges.front().first;
  constexpr std::size_t none = std::string_view::npos;
  std::size_t copied = 0;         // text[0, copied) is already in `out`
  std::size_t last_inert = none;  // start of the last inert code point not yet copied
  bool changed = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      last_inert = pos++;
      continue;
    }
    const std::size_t start = pos;
    const std::size_t length = base::utf8::sequence_length(text, pos);
    if (length == 0) {  // an invalid byte: copied as it is, and nothing normalizes across it
      last_inert = none;
      ++pos;
      continue;
    }
    const char32_t c = base::utf8::decode(text, pos);
    if (c < first_not_inert || !in_ranges(ranges, c)) {
      last_inert = start;
      continue;
    }
    // A stretch that needs work: from the inert code point before it to the next inert one.
    const std::size_t region_start =
        last_inert != none && last_inert >= copied ? last_inert : start;
    std::size_t region_end = pos;
    while (region_end < text.size()) {
      std::size_t next = region_end;
      if (base::utf8::sequence_length(text, next) == 0) break;
      const char32_t d = base::utf8::decode(text, next);
      if (d < first_not_inert || !in_ranges(ranges, d)) break;
      region_end = next;
    }
    if (!changed) {
      out.clear();
      out.reserve(text.size() + text.size() / 8);
      changed = true;
    }
    out.append(text.substr(copied, region_start - copied));
    normalize_all(form, text.substr(region_start, region_end - region_start), out);
    copied = region_end;
    pos = region_end;
    last_inert = none;
  }
  if (!changed) return false;
  out.append(text.substr(copied));
  // The text may have been in normal form already (a precomposed character before a mark).
  if (out == text) return false;
  return true;
}

void append_lowercase(std::string_view text, std::string& out) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      out.push_back(static_cast<char>(byte >= 'A' && byte <= 'Z' ? byte + 32 : byte));
      ++pos;
      continue;
    }
    const std::size_t length = base::utf8::sequence_length(text, pos);
    if (length == 0) {
      out.push_back(text[pos++]);
      continue;
    }
    const std::size_t start = pos;
    const char32_t c = base::utf8::decode(text, pos);
    auto mapping =
        find_mapping(tables::lowercase_mappings, tables::lowercase_mappings_code_points, c);
    if (mapping.empty()) {
      out.append(text.substr(start, length));
    } else {
      for (char32_t m : mapping) base::utf8::append(out, m);
    }
  }
}

}  // namespace tokenizer::unicode
LMC_END_NAMESPACE

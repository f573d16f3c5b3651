// Unicode character data generated from Python's unicodedata (see generate_unicode_tables.py):
// combining classes, general categories, full canonical and compatibility decompositions,
// simple-or-full lowercase mappings and the primary composites of canonical composition.
#pragma once

#include <lmc/version.hpp>

#include <cstdint>
#include <span>

LMC_BEGIN_NAMESPACE
namespace tokenizer::unicode {

/// Unicode general categories, in alphabetical order of their two-letter names.
enum class Category : std::uint8_t {
  Cc,
  Cf,
  Cn,
  Co,
  Cs,
  Ll,
  Lm,
  Lo,
  Lt,
  Lu,
  Mc,
  Me,
  Mn,
  Nd,
  Nl,
  No,
  Pc,
  Pd,
  Pe,
  Pf,
  Pi,
  Po,
  Ps,
  Sc,
  Sk,
  Sm,
  So,
  Zl,
  Zp,
  Zs,
};

namespace tables {

struct CombiningClassRange {
  char32_t first, last;
  std::uint8_t combining_class;
};

struct CategoryRange {
  char32_t first, last;
  Category category;
};

/// A code point mapped to `length` code points starting at `offset` in a pool.
struct Mapping {
  char32_t code_point;
  std::uint32_t offset;
  std::uint32_t length;
};

struct CodePointRange {
  char32_t first, last;
};

struct Composition {
  char32_t first, second, composite;
};

extern const char* const unicode_version;
extern const std::span<const CombiningClassRange> combining_classes;  // sorted, disjoint
extern const std::span<const CategoryRange> categories;               // sorted, covers all
extern const std::span<const Mapping> canonical_decompositions;       // sorted by code point
extern const std::span<const char32_t> canonical_decompositions_code_points;
extern const std::span<const Mapping> compatibility_decompositions;
extern const std::span<const char32_t> compatibility_decompositions_code_points;
extern const std::span<const Mapping> lowercase_mappings;
extern const std::span<const char32_t> lowercase_mappings_code_points;
extern const std::span<const Composition> compositions;  // sorted by (first, second)
/// Code points that are not "inert" for a normal form (sorted ranges): everything else is a
/// starter that keeps its form and composes with nothing before it, so normalization can
/// leave the text between two inert code points alone when it holds no other code point.
extern const std::span<const CodePointRange> nfc_not_inert;
extern const std::span<const CodePointRange> nfd_not_inert;
extern const std::span<const CodePointRange> nfkc_not_inert;
extern const std::span<const CodePointRange> nfkd_not_inert;

}  // namespace tables
}  // namespace tokenizer::unicode
LMC_END_NAMESPACE

// lmc::JsonWriter: the one way lmc writes JSON (result files, --json output of the example
// programs): structure checked as it is written, strings escaped, numbers exact.
#pragma once

#include <lmc/export.hpp>
#include <lmc/version.hpp>

#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

LMC_BEGIN_NAMESPACE

/// Writes one JSON value (usually an object) into a string, member by member.
///
/// Strings are escaped as RFC 8259 requires ('"', '\\' and control characters; \b \f \n \r \t
/// short, others as \u00XX); valid UTF-8 passes through; each byte of an invalid UTF-8 sequence
/// becomes U+FFFD, so the output is always valid JSON. Doubles are written in the shortest form
/// that reads back to the same double ("0.1", "3.0", "1e-7"); NaN and infinities, which JSON
/// cannot hold, are written as null. Misuse (a value where a key is due, a key in an array,
/// closing what is not open, a second root value) throws Error(invalid_argument).
class LMC_EXPORT JsonWriter {
 public:
  enum class Style {
    compact,   ///< {"a":1,"b":[1,2]}
    spaced,    ///< {"a": 1, "b": [1, 2]} on one line
    indented,  ///< one member per line, indented by `indent` spaces a level; arrays on one line
  };

  explicit JsonWriter(Style style = Style::spaced, int indent = 2);
  JsonWriter(JsonWriter&&) noexcept;
  JsonWriter& operator=(JsonWriter&&) noexcept;
  ~JsonWriter();

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  /// The name of the next member of the object being written.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(bool flag);
  JsonWriter& value(double number);
  template <std::integral Integer>
  requires(!std::same_as<Integer, bool>) JsonWriter& value(Integer number) {
    if constexpr (std::is_signed_v<Integer>) {
      return signed_value(static_cast<std::int64_t>(number));
    } else {
      return unsigned_value(static_cast<std::uint64_t>(number));
    }
  }
  JsonWriter& null();
  /// A number already formatted (e.g. with printf's %.9g); Error(invalid_argument) unless it is
  /// a JSON number. "nan", "inf" and their signed forms are written as null.
  JsonWriter& number_text(std::string_view text);

  /// key(name).value(v), for brevity.
  template <typename Value>
  JsonWriter& member(std::string_view name, const Value& v) {
    key(name);
    return value(v);
  }

  /// The JSON written so far.
  const std::string& str() const noexcept;
  /// True once the root value is closed (or written, for a scalar root).
  bool complete() const noexcept;

 private:
  JsonWriter& signed_value(std::int64_t number);
  JsonWriter& unsigned_value(std::uint64_t number);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

LMC_END_NAMESPACE

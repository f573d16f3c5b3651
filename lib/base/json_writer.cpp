// lmc::JsonWriter. The layouts are those of RapidJSON's Writer (compact) and PrettyWriter with
// single-line arrays (indented), so that files lmc wrote before keep their bytes; the double
// format is RapidJSON's shortest round-trip form (internal::dtoa).
#include <lmc/error.hpp>
#include <lmc/json.hpp>

#include "base/fail.hpp"
#include "base/utf8.hpp"

#include <rapidjson/internal/dtoa.h>

#include <charconv>
#include <cmath>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace {

struct Level {
  bool in_array = false;
  std::size_t count = 0;  // values written, keys included (an object's keys are even counts)
};

bool is_json_number(std::string_view text) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i > start;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

bool is_non_finite_text(std::string_view text) {
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return lower == "nan" || lower == "inf" || lower == "infinity";
}

}  // namespace

struct JsonWriter::Impl {
  Style style;
  int indent;
  std::string out;
  std::vector<Level> levels;
  bool has_root = false;

  [[noreturn]] void misuse(std::string_view what) const {
    base::fail(ErrorCode::invalid_argument, "JsonWriter: {}", what);
  }

  void put_indent() { out.append(levels.size() * static_cast<std::size_t>(indent), ' '); }

  // Separators before a value (or key); `is_key` says which the caller writes.
  void prefix(bool is_key) {
    if (levels.empty()) {
      if (has_root) misuse("a second root value");
      if (is_key) misuse("a key outside an object");
      has_root = true;
      return;
    }
    Level& level = levels.back();
    const bool key_due = !level.in_array && level.count % 2 == 0;
    if (is_key != key_due)
      misuse(is_key ? "a key where a value is due" : "a value where a key is due");
    if (style == Style::indented) {
      if (level.in_array) {
        if (level.count > 0) out += ", ";
      } else {
        if (level.count > 0) {
          out += level.count % 2 == 0 ? ",\n" : ": ";
        } else {
          out += '\n';
        }
        if (level.count % 2 == 0) put_indent();
      }
    } else if (level.count > 0) {
      const bool spaced = style == Style::spaced;
      if (level.in_array || level.count % 2 == 0) {
        out += spaced ? ", " : ",";
      } else {
        out += spaced ? ": " : ":";
      }
    }
    ++level.count;
  }

  void close(bool array) {
    if (levels.empty() || levels.back().in_array != array) {
      misuse(array ? "end_array() without an open array" : "end_object() without an open object");
    }
    const Level level = levels.back();
    if (!array && level.count % 2 != 0) misuse("end_object() after a key without its value");
    levels.pop_back();
    if (style == Style::indented && !array && level.count > 0) {
      out += '\n';
      put_indent();
    }
    out += array ? ']' : '}';
  }

  void string(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    out += '"';
    std::size_t pos = 0;
    while (pos < text.size()) {
      const auto c = static_cast<unsigned char>(text[pos]);
      if (c >= 0x80) {
        const std::size_t length = base::utf8::sequence_length(text, pos);
        if (length == 0) {
          out += "\xEF\xBF\xBD";  // U+FFFD for a byte that starts no valid sequence
          ++pos;
        } else {
          out.append(text.substr(pos, length));
          pos += length;
        }
        continue;
      }
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xF];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++pos;
    }
    out += '"';
  }
};

JsonWriter::JsonWriter(Style style, int indent)
    : impl_(std::make_unique<Impl>(Impl{style, indent < 0 ? 0 : indent, {}, {}, false})) {}
JsonWriter::JsonWriter(JsonWriter&&) noexcept = default;
JsonWriter& JsonWriter::operator=(JsonWriter&&) noexcept = default;
JsonWriter::~JsonWriter() = default;

JsonWriter& JsonWriter::begin_object() {
  impl_->prefix(false);
  impl_->out += '{';
  impl_->levels.push_back({false, 0});
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  impl_->close(false);
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  impl_->prefix(false);
  impl_->out += '[';
  impl_->levels.push_back({true, 0});
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  impl_->close(true);
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  impl_->prefix(true);
  impl_->string(name);
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  impl_->prefix(false);
  impl_->string(text);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  impl_->prefix(false);
  impl_->out += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  if (!std::isfinite(number)) return null();
  impl_->prefix(false);
  char buffer[32];
  const char* end = rapidjson::internal::dtoa(number, buffer);
  impl_->out.append(buffer, static_cast<std::size_t>(end - buffer));
  return *this;
}

JsonWriter& JsonWriter::signed_value(std::int64_t number) {
  impl_->prefix(false);
  impl_->out += std::to_string(number);
  return *this;
}

JsonWriter& JsonWriter::unsigned_value(std::uint64_t number) {
  impl_->prefix(false);
  impl_->out += std::to_string(number);
  return *this;
}

JsonWriter& JsonWriter::null() {
  impl_->prefix(false);
  impl_->out += "null";
  return *this;
}

JsonWriter& JsonWriter::number_text(std::string_view text) {
  if (is_non_finite_text(text)) return null();
  if (!is_json_number(text)) impl_->misuse(fmt::format("'{}' is not a JSON number", text));
  impl_->prefix(false);
  impl_->out.append(text);
  return *this;
}

const std::string& JsonWriter::str() const noexcept { return impl_->out; }

bool JsonWriter::complete() const noexcept { return impl_->has_root && impl_->levels.empty(); }

LMC_END_NAMESPACE

// lmc-tokenize: print the token ids of a text, as a model's own tokenizer splits it.
//
//   lmc-tokenize --model PATH [--add-special] [--parse-special] [TEXT]
//   lmc-tokenize --model PATH [--add-special] [--parse-special] --jsonl IN --field NAME
//
// PATH is a .gguf file, a tokenizer.json, or a Hugging Face model folder. With TEXT (or, without
// it, all of standard input) the ids are printed on one line, separated by spaces. With
// --jsonl, IN ("-" for standard input) holds one JSON object per line; for each line one line
// {"ids": [...]} is written with the ids of its string field NAME, in order. By default no
// special tokens are added and special-token text in the input is plain text.
#include "cli.hpp"

#include <lmc/lmc.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

namespace {

// ---- just enough JSON to read one string field of a flat or nested object line ----

class JsonLine {
 public:
  explicit JsonLine(std::string_view text) : text_(text) {}

  /// The string value of top-level key `field`; throws std::runtime_error on malformed JSON,
  /// a missing field or a field that is not a string.
  std::string string_field(std::string_view field) {
    skip_space();
    expect('{');
    std::optional<std::string> found;
    skip_space();
    if (peek() == '}') {
      ++pos_;
    } else {
      while (true) {
        skip_space();
        const std::string key = parse_string();
        skip_space();
        expect(':');
        skip_space();
        if (key == field && !found) {
          if (peek() != '"')
            throw std::runtime_error("field '" + std::string(field) + "' is not a string");
          found = parse_string();
        } else {
          skip_value();
        }
        skip_space();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect('}');
        break;
      }
    }
    skip_space();
    if (pos_ != text_.size()) throw std::runtime_error("text after the JSON object");
    if (!found) throw std::runtime_error("no field '" + std::string(field) + "'");
    return *found;
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void expect(char c) {
    if (peek() != c)
      throw std::runtime_error(std::string("expected '") + c + "' at offset " +
                               std::to_string(pos_));
    ++pos_;
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\n'))
      ++pos_;
  }
  unsigned hex4() {
    if (pos_ + 4 > text_.size()) throw std::runtime_error("truncated \\u escape");
    unsigned value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        value |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        value |= static_cast<unsigned>(c - 'A' + 10);
      else
        throw std::runtime_error("bad \\u escape");
    }
    return value;
  }
  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  std::string parse_string() {
    expect('"');
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) throw std::runtime_error("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) throw std::runtime_error("unterminated string");
      const char e = text_[pos_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
            const std::size_t save = pos_;
            pos_ += 2;
            const unsigned low = hex4();
            if (low >= 0xDC00 && low < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              pos_ = save;
            }
          }
          if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;  // a lone surrogate
          append_utf8(out, cp);
          break;
        }
        default: throw std::runtime_error("bad escape in string");
      }
    }
  }
  void skip_value() {
    const char c = peek();
    if (c == '"') {
      parse_string();
    } else if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++pos_;
      skip_space();
      if (peek() == close) {
        ++pos_;
        return;
      }
      while (true) {
        skip_space();
        if (close == '}') {
          parse_string();
          skip_space();
          expect(':');
          skip_space();
        }
        skip_value();
        skip_space();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect(close);
        return;
      }
    } else {
      const std::size_t start = pos_;
      while (pos_ < text_.size() &&
             std::string_view(",}] \t\r\n").find(text_[pos_]) == std::string_view::npos)
        ++pos_;
      if (pos_ == start)
        throw std::runtime_error("expected a value at offset " + std::to_string(pos_));
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

std::string join_ids(const std::vector<lmc::Token>& ids, const char* separator) {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += separator;
    out += std::to_string(ids[i]);
  }
  return out;
}

int run(int argc, char** argv) {
  const cli::Arguments args(argc, argv, {"model", "jsonl", "field"},
                            {"add-special", "parse-special"});
  const lmc::Tokenizer tokenizer = lmc::Tokenizer::from_file(args.required("model"));
  const lmc::EncodeOptions options{.add_special = args.flag("add-special"),
                                   .parse_special = args.flag("parse-special")};
  if (auto jsonl = args.get("jsonl")) {
    const std::string field = args.required("field");
    if (!args.positional().empty())
      throw std::invalid_argument("TEXT cannot be combined with --jsonl");
    std::ifstream file;
    if (*jsonl != "-") {
      file.open(*jsonl, std::ios::binary);
      if (!file) throw std::runtime_error(*jsonl + ": cannot open");
    }
    std::istream& in = *jsonl == "-" ? std::cin : file;
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      std::string text;
      try {
        text = JsonLine(line).string_field(field);
      } catch (const std::runtime_error& e) {
        throw std::runtime_error(*jsonl + ": line " + std::to_string(number) + ": " + e.what());
      }
      const std::string out =
          "{\"ids\": [" + join_ids(tokenizer.encode(text, options), ", ") + "]}\n";
      std::fwrite(out.data(), 1, out.size(), stdout);
    }
    return 0;
  }
  std::string text;
  if (args.positional().size() > 1) throw std::invalid_argument("give at most one TEXT (quote it)");
  if (args.positional().size() == 1) {
    text = args.positional()[0];
  } else {
    std::ostringstream all;
    all << std::cin.rdbuf();
    text = all.str();
  }
  std::printf("%s\n", join_ids(tokenizer.encode(text, options), " ").c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lmc-tokenize: %s\n", e.what());
    return 1;
  }
}

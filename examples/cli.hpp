// A tiny command-line parser shared by the example programs: "--name value", "--flag" and
// positional arguments. Unknown options and missing values are errors with a clear message.
// Also the few helpers several programs need (lists, numbers, files, durations), kept here once.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cli {

/// "a,b,,c" as {"a", "b", "", "c"}: items as written, empty ones kept (the caller decides).
inline std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::string item;
  for (char c : text) {
    if (c == ',') {
      items.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  items.push_back(item);
  return items;
}

/// `text` as a finite number, all of it; throws std::invalid_argument "WHAT needs a number, got
/// 'TEXT'" otherwise.
inline double parse_number(const std::string& text, const std::string& what) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !std::isfinite(value)) {
    throw std::invalid_argument(what + " needs a number, got '" + text + "'");
  }
  return value;
}

/// The whole file; throws std::runtime_error "cannot open PATH".
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Seconds as HH:MM:SS (rounded), "--:--:--" when unknown (NaN, infinite or negative).
inline std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--:--";
  const auto total = static_cast<long long>(seconds + 0.5);
  char text[32];
  std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld", total / 3600, total / 60 % 60,
                total % 60);
  return text;
}

/// The program's `main`: `run(argc, argv)`, or 1 after "PROGRAM: MESSAGE" on stderr when it
/// throws, so that every program reports a failure the same way.
inline int run_main(const char* program, int (*run)(int, char**), int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: %s\n", program, error.what());
    return 1;
  }
}

class Arguments {
 public:
  /// `options` take a value ("--model PATH"); `flags` do not ("--json").
  Arguments(int argc, char** argv, std::set<std::string> options, std::set<std::string> flags) {
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg.size() > 2 && arg.starts_with("--")) {
        std::string name = arg.substr(2);
        if (auto eq = name.find('='); eq != std::string::npos) {
          std::string value = name.substr(eq + 1);
          name.resize(eq);
          if (!options.contains(name)) throw std::invalid_argument("unknown option --" + name);
          values_[name] = value;
        } else if (flags.contains(name)) {
          flags_.insert(name);
        } else if (options.contains(name)) {
          if (i + 1 >= argc) throw std::invalid_argument("option --" + name + " needs a value");
          values_[name] = argv[++i];
        } else {
          throw std::invalid_argument("unknown option " + arg);
        }
      } else {
        positional_.push_back(arg);
      }
    }
  }

  bool flag(const std::string& name) const { return flags_.contains(name); }

  std::optional<std::string> get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }

  std::string required(const std::string& name) const {
    auto value = get(name);
    if (!value) throw std::invalid_argument("missing required option --" + name);
    return *value;
  }

  template <typename Integer>
  Integer integer(const std::string& name, Integer fallback) const {
    auto value = get(name);
    if (!value) return fallback;
    Integer result{};
    auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), result);
    if (error != std::errc() || end != value->data() + value->size()) {
      throw std::invalid_argument("option --" + name + " needs an integer, got '" + *value + "'");
    }
    return result;
  }

  /// The option's value as a finite number (parse_number), or `fallback` when it is absent.
  double number(const std::string& name, double fallback) const {
    auto value = get(name);
    return value ? parse_number(*value, "option --" + name) : fallback;
  }

  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

}  // namespace cli

// A tiny command-line parser shared by the example programs: "--name value", "--flag" and
// positional arguments. Unknown options and missing values are errors with a clear message.
#pragma once

#include <charconv>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cli {

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

  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

}  // namespace cli

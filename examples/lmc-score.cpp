// lmc-score: the log-probability a model gives each token of a text.
//
//   lmc-score --model M [--text-file F | TEXT] [--no-bos] [--threads N] [--json]
//   lmc-score --model M --tokens ID,ID,... [--threads N] [--json]
//
// The text is tokenized with the model's own tokenizer (BOS added as the tokenizer adds it,
// unless --no-bos) and scored in one forward pass. Each token is printed with
// ln p(token | previous tokens) (natural log; the first token has none). --json prints one
// object: {"tokens": [...], "logprob_next": [...], "total_nll_nats": x, "n_bytes": n}, where
// logprob_next[i] = ln p(tokens[i+1] | tokens[0..i]). --tokens scores given ids instead of
// text (n_bytes is then the bytes the tokenizer decodes them to, or 0 for a model without one).
#include "cli.hpp"

#include <lmc/lmc.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<lmc::Token> parse_ids(const std::string& list) {
  std::vector<lmc::Token> ids;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    lmc::Token id = 0;
    auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), id);
    if (error != std::errc() || end != item.data() + item.size()) {
      throw std::invalid_argument("--tokens needs comma-separated integers, got '" + item + "'");
    }
    ids.push_back(id);
  }
  return ids;
}

// Printable form of a token's bytes for the text listing (control bytes escaped).
std::string printable(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
      out += buffer;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

int run(int argc, char** argv) {
  const cli::Arguments args(argc, argv, {"model", "text-file", "threads", "tokens"},
                            {"no-bos", "json"});
  lmc::ModelOptions options;
  options.threads = args.integer<std::size_t>("threads", 0);
  const lmc::Model model = lmc::Model::load(args.required("model"), options);

  std::vector<lmc::Token> tokens;
  std::size_t n_bytes = 0;
  std::vector<std::string> pieces;
  if (auto ids = args.get("tokens")) {
    if (args.get("text-file") || !args.positional().empty())
      throw std::invalid_argument("--tokens excludes a text");
    tokens = parse_ids(*ids);
    if (model.has_tokenizer()) n_bytes = model.tokenizer().decode(tokens).size();
  } else {
    std::string text;
    if (auto file = args.get("text-file")) {
      if (!args.positional().empty())
        throw std::invalid_argument("give either --text-file or TEXT");
      std::ifstream in(*file, std::ios::binary);
      if (!in) throw std::runtime_error("cannot read " + *file);
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } else if (args.positional().size() == 1) {
      text = args.positional()[0];
    } else {
      throw std::invalid_argument("give one TEXT, --text-file F or --tokens IDS");
    }
    n_bytes = text.size();
    lmc::EncodeOptions encode;
    encode.add_special = !args.flag("no-bos");
    tokens = model.tokenizer().encode(text, encode);
  }
  if (model.has_tokenizer()) {
    for (lmc::Token t : tokens) pieces.push_back(model.tokenizer().token_bytes(t));
  }

  const std::vector<float> logprobs = model.token_logprobs(tokens);
  double total = 0;
  for (float lp : logprobs) total -= lp;

  if (args.flag("json")) {
    auto g9 = [](double value) {  // 9 significant digits: a float read back exactly
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.9g", value);
      return std::string(buffer);
    };
    lmc::JsonWriter json(lmc::JsonWriter::Style::spaced);
    json.begin_object().key("tokens").begin_array();
    for (lmc::Token token : tokens) json.value(token);
    json.end_array().key("logprob_next").begin_array();
    for (float lp : logprobs) json.number_text(g9(static_cast<double>(lp)));
    json.end_array().key("total_nll_nats").number_text(g9(total));
    json.member("n_bytes", n_bytes).end_object();
    const std::string out = json.str() + "\n";
    std::fputs(out.c_str(), stdout);
  } else {
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const std::string piece = i < pieces.size() ? printable(pieces[i]) : "";
      if (i == 0) {
        std::printf("%6d  %-16s\n", tokens[i], ("'" + piece + "'").c_str());
      } else {
        std::printf("%6d  %-16s %12.6f\n", tokens[i], ("'" + piece + "'").c_str(),
                    static_cast<double>(logprobs[i - 1]));
      }
    }
    std::printf("tokens %zu  total NLL %.6f nats  bytes %zu", tokens.size(), total, n_bytes);
    if (n_bytes > 0)
      std::printf("  bits/byte %.4f", total / std::log(2.0) / static_cast<double>(n_bytes));
    std::printf("\n");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return cli::run_main("lmc-score", run, argc, argv); }

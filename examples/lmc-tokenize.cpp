// lmc-tokenize: print the token ids of a text, as a model's own tokenizer splits it.
//
//   lmc-tokenize --model PATH [--add-special] [--parse-special] [TEXT]
//   lmc-tokenize --model PATH [--add-special] [--parse-special] --jsonl IN --field NAME
//
// PATH is a .gguf file, a tokenizer.json, or a Hugging Face model folder. With TEXT (or, without
// it, all of standard input) the ids are printed on one line, separated by spaces. With
// --jsonl, IN ("-" for standard input, gzip or zstd allowed) holds one JSON object per line, read
// as an lmc::Corpus; for each record one line {"ids": [...]} is written with the ids of its
// string field NAME, in order (blank lines are skipped; a bad record is an error naming the line).
// By default no special tokens are added and special-token text in the input is plain text.
#include "cli.hpp"

#include <lmc/lmc.hpp>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

namespace {

std::string join_ids(const std::vector<lmc::Token>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ' ';
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
    // One output line per record, empty ones included; "-" is standard input.
    lmc::Corpus records = lmc::Corpus::open(
        *jsonl,
        {.format = lmc::CorpusFormat::jsonl, .text_field = field, .keep_empty_documents = true});
    lmc::Document record;
    while (records.next(record)) {
      lmc::JsonWriter json(lmc::JsonWriter::Style::spaced);
      json.begin_object().key("ids").begin_array();
      for (lmc::Token id : tokenizer.encode(record.text, options)) json.value(id);
      json.end_array().end_object();
      std::printf("%s\n", json.str().c_str());
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
  std::printf("%s\n", join_ids(tokenizer.encode(text, options)).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return cli::run_main("lmc-tokenize", run, argc, argv); }

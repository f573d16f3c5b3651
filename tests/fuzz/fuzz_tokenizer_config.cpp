// Fuzz target: arbitrary bytes as the tokenizer_config.json of two fixed tokenizer.json files
// (byte-level BPE, SentencePiece-style BPE). Loading must either succeed or throw lmc::Error;
// a loaded tokenizer must encode with its special tokens and decode what it produced.
#include <lmc/error.hpp>
#include <lmc/tokenizer.hpp>

#include "fuzz/fuzz_support.hpp"
#include "fuzz/seed_tokenizers.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path folder = lmc_fuzz::scratch_folder();
  static const std::filesystem::path byte_level = [] {
    auto path = folder / "byte_level.json";
    lmc_fuzz::write_file(path, lmc_fuzz::byte_level_tokenizer_json(false));
    return path;
  }();
  static const std::filesystem::path spm = [] {
    auto path = folder / "spm.json";
    lmc_fuzz::write_file(path, lmc_fuzz::spm_tokenizer_json());
    return path;
  }();
  const std::filesystem::path config = folder / "tokenizer_config.json";
  lmc_fuzz::write_file(config, data, size);
  for (const auto& json : {byte_level, spm}) {
    try {
      const lmc::Tokenizer tokenizer = lmc::Tokenizer::from_tokenizer_json(json, config);
      const auto ids =
          tokenizer.encode("the <|end|> a", {.add_special = true, .parse_special = true});
      for (lmc::Token id : ids) {
        if (id < 0 || static_cast<std::size_t>(id) >= tokenizer.vocab_size()) std::abort();
      }
      (void)tokenizer.decode(ids);
    } catch (const lmc::Error&) {
    }
  }
  return 0;
}

// Fuzz target: arbitrary bytes as a tiktoken rank file (family "qwen"). Loading must either
// succeed or throw lmc::Error; a loaded tokenizer must round-trip text made of its own tokens.
#include <lmc/error.hpp>
#include <lmc/tokenizer.hpp>

#include "fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path path = lmc_fuzz::scratch_folder() / "ranks.tiktoken";
  lmc_fuzz::write_file(path, data, size);
  try {
    const lmc::Tokenizer tokenizer = lmc::Tokenizer::from_tiktoken(path);
    const std::string text = "Hello world 123 <|endoftext|> \xC3\xA9";
    const auto ids = tokenizer.encode(text, {.parse_special = true});
    for (lmc::Token id : ids) {
      if (id < 0 || static_cast<std::size_t>(id) >= tokenizer.vocab_size()) std::abort();
    }
    (void)tokenizer.decode(ids);
  } catch (const lmc::Error&) {
  }
  return 0;
}

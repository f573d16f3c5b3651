// Fuzz target: arbitrary bytes as a GGUF file whose tokenizer.ggml.* metadata is loaded. Parsing
// and loading must either succeed or throw lmc::Error; a loaded tokenizer must encode (never
// throwing) into ids of its vocabulary and decode them.
#include <lmc/error.hpp>
#include <lmc/gguf.hpp>
#include <lmc/tokenizer.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(data),
                               reinterpret_cast<const std::byte*>(data) + size);
  try {
    const auto file = lmc::GgufFile::parse(std::move(bytes), "fuzz.gguf");
    const lmc::Tokenizer tokenizer = lmc::Tokenizer::from_gguf(file);
    const std::string text = "Hello world  123 <s> \xC3\xA9\xFF";
    const auto ids = tokenizer.encode(text, {.add_special = true, .parse_special = true});
    for (lmc::Token id : ids) {
      if (id < 0 || static_cast<std::size_t>(id) >= tokenizer.vocab_size()) std::abort();
    }
    (void)tokenizer.decode(ids);
  } catch (const lmc::Error&) {
  }
  return 0;
}

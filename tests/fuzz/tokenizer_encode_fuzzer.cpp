// Fuzz target: encode arbitrary bytes with a small byte-level BPE tokenizer (regex
// pre-tokenizer, added tokens; once more with NFC) and a SentencePiece-style one. Encode must never
// throw, and decode(encode(x)) == x where the tokenizer promises it.
#include <lmc/error.hpp>
#include <lmc/tokenizer.hpp>

#include "fuzz/seed_tokenizers.hpp"

#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

lmc::Tokenizer make(bool byte_level, bool nfc) {
  const std::string json =
      byte_level ? lmc_fuzz::byte_level_tokenizer_json(nfc) : lmc_fuzz::spm_tokenizer_json();
  const auto path = std::filesystem::temp_directory_path() /
                    ("lmc_fuzz_encode_" + std::to_string(getpid()) + (byte_level ? "_bl" : "_spm") +
                     (nfc ? "_nfc" : "") + ".json");
  std::ofstream(path, std::ios::binary) << json;
  return lmc::Tokenizer::from_tokenizer_json(path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lmc::Tokenizer byte_level = make(true, false);
  static const lmc::Tokenizer normalizing = make(true, true);
  static const lmc::Tokenizer spm = make(false, false);
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)normalizing.decode(normalizing.encode(text, {.parse_special = true}));
  for (const lmc::Tokenizer* t : {&byte_level, &spm}) {
    const auto ids = t->encode(text);
    (void)t->encode(text, {.add_special = true, .parse_special = true});
    const std::string back = t->decode(ids);
    const bool promised = t == &spm ? text.find("\u2581") == std::string::npos : t->lossless();
    if (promised && back != text) std::abort();
  }
  return 0;
}

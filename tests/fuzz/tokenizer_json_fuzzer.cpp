// Fuzz target: arbitrary bytes as a tokenizer.json. Loading must either succeed or throw
// lmc::Error; a loaded tokenizer must encode and decode without crashing.
#include <lmc/error.hpp>
#include <lmc/tokenizer.hpp>

#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("lmc_fuzz_tokenizer_" + std::to_string(getpid()) + ".json");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const lmc::Tokenizer tokenizer = lmc::Tokenizer::from_tokenizer_json(path);
    const std::string text = "Hello world  123 <s> \xC3\xA9\xFF";
    const auto ids = tokenizer.encode(text, {.add_special = true, .parse_special = true});
    (void)tokenizer.decode(ids);
  } catch (const lmc::Error&) {
  }
  return 0;
}

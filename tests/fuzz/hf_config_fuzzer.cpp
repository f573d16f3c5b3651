// Fuzz target: any text given to the config.json parser either parses or throws lmc::Error.
#include <lmc/hf_config.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto config =
        lmc::HfConfig::parse(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    (void)config.number("rope_scaling.factor");
  } catch (const lmc::Error&) {
  }
  return 0;
}

// libFuzzer target: BpcResult::from_json on arbitrary bytes; whatever it accepts must write
// back to JSON that reads again to the same JSON, and merge with itself must be refused.
#include <lmc/eval.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const lmc::BpcResult result = lmc::BpcResult::from_json(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    const std::string json = result.to_json();
    if (lmc::BpcResult::from_json(json, "round trip").to_json() != json) std::abort();
    lmc::BpcResult copy = result;
    try {
      copy.merge(result);
      if (!result.shards().empty()) std::abort();  // a shard merged with itself
    } catch (const lmc::Error&) {
    }
  } catch (const lmc::Error&) {
  }
  return 0;
}

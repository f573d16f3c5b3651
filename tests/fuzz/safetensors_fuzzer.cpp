// Fuzz target: any bytes given to the safetensors reader either parse or throw lmc::Error; the
// tensors of what parses are converted to float.
#include <lmc/safetensors.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(data),
                               reinterpret_cast<const std::byte*>(data) + size);
  try {
    const auto file = lmc::SafetensorsFile::parse(std::move(bytes), "fuzz.safetensors");
    for (const auto& tensor : file.tensors()) {
      if (tensor.n_elements() <= (1 << 20)) (void)lmc::to_f32(tensor);
    }
  } catch (const lmc::Error&) {
  }
  return 0;
}

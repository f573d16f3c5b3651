// Fuzz target: any bytes given to the GGUF reader either parse or throw lmc::Error. What parses
// is then read in full: every metadata value through every accessor, every tensor dequantized.
#include <lmc/gguf.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

void touch(const lmc::GgufValue& value) {
  (void)value.to_display_string();
  try {
    (void)value.as_int();
  } catch (const lmc::Error&) {
  }
  try {
    (void)value.as_double();
  } catch (const lmc::Error&) {
  }
  try {
    (void)value.as_string();
  } catch (const lmc::Error&) {
  }
  try {
    (void)value.as_strings();
  } catch (const lmc::Error&) {
  }
  try {
    (void)value.as_ints();
  } catch (const lmc::Error&) {
  }
  try {
    (void)value.as_floats();
  } catch (const lmc::Error&) {
  }
  if (value.is_array() && value.element_type() == lmc::GgufValueType::array) {
    for (std::uint64_t i = 0; i < value.size(); ++i) touch(value.at(i));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(data),
                               reinterpret_cast<const std::byte*>(data) + size);
  try {
    const auto file = lmc::GgufFile::parse(std::move(bytes), "fuzz.gguf");
    for (const auto& key : file.metadata_keys()) touch(file.at(key));
    for (const auto& tensor : file.tensors()) {
      if (tensor.n_elements() <= (1 << 20)) (void)lmc::to_f32(tensor);
    }
  } catch (const lmc::Error&) {
  }
  return 0;
}

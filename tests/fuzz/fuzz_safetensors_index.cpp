// Fuzz target: arbitrary bytes as model.safetensors.index.json beside two fixed shards. Opening
// the checkpoint must either succeed or throw lmc::Error; what opens has every tensor readable.
#include <lmc/error.hpp>
#include <lmc/safetensors.hpp>

#include "fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace {

const std::filesystem::path& checkpoint_folder() {
  static const std::filesystem::path folder = [] {
    auto path = lmc_fuzz::scratch_folder() / "sharded";
    std::filesystem::create_directories(path);
    const std::vector<float> values(8, 0.5f);
    const std::vector<std::int64_t> shape = {2, 4};
    lmc::SafetensorsWriter first, second;
    first.add_tensor_f32("a.weight", shape, values);
    first.add_tensor_f32("b.weight", shape, values, lmc::DType::f16);
    second.add_tensor_f32("c.weight", shape, values, lmc::DType::bf16);
    first.write(path / "model-00001-of-00002.safetensors");
    second.write(path / "model-00002-of-00002.safetensors");
    return path;
  }();
  return folder;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path& folder = checkpoint_folder();
  lmc_fuzz::write_file(folder / "model.safetensors.index.json", data, size);
  try {
    const auto checkpoint = lmc::SafetensorsCheckpoint::open(folder);
    for (const auto& tensor : checkpoint.tensors()) (void)lmc::to_f32(tensor);
    (void)checkpoint.metadata();
  } catch (const lmc::Error&) {
  }
  return 0;
}

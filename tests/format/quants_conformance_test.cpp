// Dequantization of tensors quantized by llama.cpp itself must equal the reference float32
// values of testdata/quants bit for bit.
#include <lmc/gguf.hpp>

#include "support/testdata.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>

namespace {

std::vector<float> read_f32_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

class QuantsConformance : public ::testing::TestWithParam<const char*> {};

TEST_P(QuantsConformance, DequantizesBitExactly) {
  LMC_REQUIRE_TESTDATA();
  const std::string type = GetParam();
  const auto file = lmc::GgufFile::open(lmc_test::testdata("quants/" + type + ".gguf"));
  EXPECT_EQ(file.version(), 3u);
  EXPECT_EQ(file.alignment(), 32u);
  EXPECT_EQ(file.architecture(), "quanttest");
  EXPECT_EQ(file.at("general.name").as_string(), "quanttest-" + type);
  EXPECT_EQ(file.at("general.quantization_version").as_uint(), 2u);
  ASSERT_EQ(file.tensors().size(), 2u);

  struct Expected {
    const char* name;
    std::int64_t rows, cols;
  };
  for (const Expected& expected : {Expected{"w.a", 8, 512}, Expected{"w.b", 3, 768}}) {
    SCOPED_TRACE(expected.name);
    const lmc::Tensor& tensor = file.tensor(expected.name);
    EXPECT_EQ(lmc::dtype_name(tensor.type), type);
    EXPECT_EQ(tensor.shape, (std::vector<std::int64_t>{expected.rows, expected.cols}));
    const auto reference =
        read_f32_file(lmc_test::testdata("quants/" + type + "." + expected.name + ".f32"));
    ASSERT_EQ(reference.size(), static_cast<std::size_t>(expected.rows * expected.cols));

    // Row by row, as the forward pass will do it.
    std::vector<float> row(static_cast<std::size_t>(expected.cols));
    std::size_t mismatches = 0;
    for (std::int64_t r = 0; r < expected.rows; ++r) {
      lmc::dequantize_tensor_row(tensor, r, row.data());
      for (std::int64_t c = 0; c < expected.cols; ++c) {
        const float want = reference[static_cast<std::size_t>(r * expected.cols + c)];
        if (std::bit_cast<std::uint32_t>(row[static_cast<std::size_t>(c)]) !=
            std::bit_cast<std::uint32_t>(want)) {
          if (++mismatches <= 5) {
            ADD_FAILURE() << "row " << r << " col " << c << ": got " << row[c] << ", want " << want;
          }
        }
      }
    }
    EXPECT_EQ(mismatches, 0u);
    EXPECT_EQ(lmc::to_f32(tensor), reference);
  }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, QuantsConformance,
                         ::testing::Values("F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
                                           "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"));

}  // namespace

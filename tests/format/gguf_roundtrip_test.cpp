// GGUF files written by GgufWriter read back bit-exactly: every metadata type, nested arrays,
// tensors of every writable type, alignment; and a real file rewritten key by key is identical.
#include <lmc/gguf.hpp>

#include "format/raw_bytes.hpp"
#include "support/testdata.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

namespace {

std::vector<float> random_values(std::size_t n, unsigned seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values(n);
  for (auto& v : values) v = normal(generator);
  return values;
}

std::vector<std::byte> as_bytes(std::span<const float> values) {
  std::vector<std::byte> bytes(values.size_bytes());
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

TEST(GgufRoundTrip, MetadataOfEveryType) {
  lmc::GgufWriter writer;
  writer.set_string("general.architecture", "testarch");
  writer.set_u8("k.u8", 200);
  writer.set_i8("k.i8", -100);
  writer.set_u16("k.u16", 60000);
  writer.set_i16("k.i16", -30000);
  writer.set_u32("k.u32", 4000000000u);
  writer.set_i32("k.i32", -2000000000);
  writer.set_u64("k.u64", 18000000000000000000ull);
  writer.set_i64("k.i64", -9000000000000000000ll);
  writer.set_f32("k.f32", 0.1f);
  writer.set_f64("k.f64", 0.1);
  writer.set_bool("k.true", true);
  writer.set_bool("k.false", false);
  writer.set_string("k.utf8", "caf\xc3\xa9 \xe2\x96\x81");
  const std::vector<std::string> words{"a", "", "\xe2\x96\x81the", std::string("x\0y", 3)};
  writer.set_strings("k.strings", words);
  const std::vector<std::int32_t> ints{1, -2, 3};
  writer.set_i32s("k.i32s", ints);
  const std::vector<float> floats{0.5f, -1.25f};
  writer.set_f32s("k.f32s", floats);
  writer.set_u32("k.replaced", 1);
  writer.set_u32("k.replaced", 2);  // replaces in place

  const auto file = lmc::GgufFile::parse(writer.to_bytes(), "memory");
  EXPECT_EQ(file.version(), 3u);
  EXPECT_EQ(file.architecture(), "testarch");
  EXPECT_EQ(file.metadata_keys().front(), "general.architecture");
  EXPECT_EQ(file.metadata_keys().size(), 18u);
  EXPECT_EQ(file.at("k.u8").as_int(), 200);
  EXPECT_EQ(file.at("k.u8").type(), lmc::GgufValueType::u8);
  EXPECT_EQ(file.at("k.i8").as_int(), -100);
  EXPECT_EQ(file.at("k.u16").as_uint(), 60000u);
  EXPECT_EQ(file.at("k.i16").as_int(), -30000);
  EXPECT_EQ(file.at("k.u32").as_uint(), 4000000000u);
  EXPECT_EQ(file.at("k.i32").as_int(), -2000000000);
  EXPECT_EQ(file.at("k.u64").as_uint(), 18000000000000000000ull);
  EXPECT_THROW((void)file.at("k.u64").as_int(), lmc::Error);  // does not fit int64
  EXPECT_EQ(file.at("k.i64").as_int(), -9000000000000000000ll);
  EXPECT_THROW((void)file.at("k.i64").as_uint(), lmc::Error);
  EXPECT_EQ(file.at("k.f32").as_double(), static_cast<double>(0.1f));
  EXPECT_EQ(file.at("k.f64").as_double(), 0.1);
  EXPECT_THROW((void)file.at("k.f32").as_int(), lmc::Error);  // 0.1 is not an integer
  EXPECT_TRUE(file.at("k.true").as_bool());
  EXPECT_FALSE(file.at("k.false").as_bool());
  EXPECT_EQ(file.at("k.utf8").as_string(), "caf\xc3\xa9 \xe2\x96\x81");
  EXPECT_THROW((void)file.at("k.utf8").as_int(), lmc::Error);
  const auto strings = file.at("k.strings").as_strings();
  ASSERT_EQ(strings.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(strings[i], words[i]);
  EXPECT_EQ(file.at("k.strings").string_at(2), words[2]);
  EXPECT_THROW((void)file.at("k.strings").string_at(4), lmc::Error);
  EXPECT_EQ(file.at("k.i32s").as_ints(), (std::vector<std::int64_t>{1, -2, 3}));
  EXPECT_EQ(file.at("k.i32s").as_floats(), (std::vector<float>{1, -2, 3}));
  EXPECT_EQ(file.at("k.f32s").as_floats(), floats);
  EXPECT_THROW((void)file.at("k.f32s").as_ints(), lmc::Error);
  EXPECT_THROW((void)file.at("k.f32s").as_strings(), lmc::Error);
  EXPECT_EQ(file.at("k.replaced").as_int(), 2);
  try {
    (void)file.at("k.strings").as_int();
    FAIL();
  } catch (const lmc::Error& e) {
    EXPECT_NE(std::string(e.what()).find("memory"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("k.strings"), std::string::npos) << e.what();
  }
  try {
    (void)file.at("absent");
    FAIL();
  } catch (const lmc::Error& e) {
    EXPECT_EQ(std::string(e.what()), "memory: missing metadata key 'absent'");
  }
}

TEST(GgufRoundTrip, NestedArraysSurviveACopy) {
  // Built by hand in a first file, then copied with set_value into a second one.
  lmc::GgufWriter inner;
  const std::vector<std::int32_t> a{1, 2}, b{3};
  inner.set_i32s("a", a);
  inner.set_i32s("b", b);
  const auto source = lmc::GgufFile::parse(inner.to_bytes(), "inner");

  // [[1, 2], ["hi"]], written by hand.
  lmc_test::RawBytes raw;
  raw.u32(0x46554747).u32(2).u64(0).u64(1);  // a version 2 file: no tensors, one key
  raw.str("nested").u32(9).u32(9).u64(2);    // an array of 2 arrays:
  raw.u32(5).u64(2).put(std::int32_t{1}).put(std::int32_t{2});  // [i32 1, 2]
  raw.u32(8).u64(1).str("hi");                                  // [string "hi"]
  const auto nested_file = lmc::GgufFile::parse(raw.bytes(), "nested");
  EXPECT_EQ(nested_file.version(), 2u);
  const auto& nested = nested_file.at("nested");
  EXPECT_EQ(nested.element_type(), lmc::GgufValueType::array);
  ASSERT_EQ(nested.size(), 2u);
  EXPECT_EQ(nested.at(0).as_ints(), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(nested.at(1).as_strings(), (std::vector<std::string_view>{"hi"}));
  EXPECT_THROW((void)nested.at(2), lmc::Error);

  lmc::GgufWriter copy;
  copy.set_value(nested);
  copy.set_value(source.at("a"), "renamed");
  const auto copied = lmc::GgufFile::parse(copy.to_bytes(), "copy");
  EXPECT_EQ(copied.at("nested").at(0).as_ints(), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(copied.at("nested").at(1).string_at(0), "hi");
  EXPECT_EQ(copied.at("renamed").as_ints(), (std::vector<std::int64_t>{1, 2}));
}

TEST(GgufRoundTrip, TensorsReadBackBitExact) {
  const auto values = random_values(4 * 64, 7);
  const std::vector<std::int64_t> shape{4, 64};
  lmc::GgufWriter writer;
  writer.set_string("general.architecture", "testarch");
  writer.add_tensor("raw.f32", lmc::DType::f32, shape, as_bytes(values));
  writer.add_tensor_f32("as.f16", shape, values, lmc::DType::f16);
  writer.add_tensor_f32("as.bf16", shape, values, lmc::DType::bf16);
  writer.add_tensor_f32("as.q8_0", shape, values, lmc::DType::q8_0);
  const std::vector<std::int64_t> cube{2, 3, 64};
  const auto cube_values = random_values(2 * 3 * 64, 8);
  writer.add_tensor_f32("cube", cube, cube_values);
  const std::vector<std::int64_t> vector_shape{5};
  const std::vector<float> five{1, 2, 3, 4, 5};
  writer.add_tensor_f32("vector", vector_shape, five);
  const auto bytes = writer.to_bytes();
  const auto file = lmc::GgufFile::parse(bytes, "memory");

  ASSERT_EQ(file.tensors().size(), 6u);
  EXPECT_EQ(file.tensors()[0].name, "raw.f32");
  const auto& raw = file.tensor("raw.f32");
  EXPECT_EQ(raw.shape, shape);
  EXPECT_EQ(lmc::to_f32(raw), values);
  EXPECT_EQ(file.tensor("cube").shape, cube);
  EXPECT_EQ(lmc::to_f32(file.tensor("cube")), cube_values);
  EXPECT_EQ(lmc::to_f32(file.tensor("vector")), five);

  // Converted tensors equal the independent scalar conversion of each value.
  const auto f16 = lmc::to_f32(file.tensor("as.f16"));
  const auto bf16 = lmc::to_f32(file.tensor("as.bf16"));
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(f16[i], lmc::fp16_to_f32(lmc::f32_to_fp16(values[i])));
    EXPECT_EQ(bf16[i], lmc::bf16_to_f32(lmc::f32_to_bf16(values[i])));
  }
  EXPECT_EQ(file.tensor("as.q8_0").type, lmc::DType::q8_0);
  EXPECT_EQ(file.tensor("as.q8_0").data.size(), 4u * 2 * 34);
  const auto q8 = lmc::to_f32(file.tensor("as.q8_0"));
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_NEAR(q8[i], values[i], 0.03);

  // Writing what was read gives the same bytes again.
  lmc::GgufWriter again;
  for (const auto& key : file.metadata_keys()) again.set_value(file.at(key));
  for (const auto& tensor : file.tensors()) {
    again.add_tensor(tensor.name, tensor.type, tensor.shape, tensor.data);
  }
  EXPECT_EQ(again.to_bytes(), bytes);
}

TEST(GgufRoundTrip, CustomAlignment) {
  lmc::GgufWriter writer;
  writer.set_alignment(64);
  const std::vector<std::int64_t> shape{3};
  const std::vector<float> three{1, 2, 3};
  writer.add_tensor_f32("a", shape, three);
  writer.add_tensor_f32("b", shape, three);
  const auto bytes = writer.to_bytes();
  const auto file = lmc::GgufFile::parse(bytes, "memory");
  EXPECT_EQ(file.alignment(), 64u);
  EXPECT_EQ(file.at("general.alignment").as_uint(), 64u);
  const auto* base = file.tensor("a").data.data();
  EXPECT_EQ(file.tensor("b").data.data() - base, 64);
  EXPECT_EQ(lmc::to_f32(file.tensor("b")), three);
  EXPECT_THROW(writer.set_alignment(48), lmc::Error);
}

TEST(GgufRoundTrip, WriterRefusesBadTensors) {
  lmc::GgufWriter writer;
  const std::vector<std::int64_t> shape{2, 3};
  const std::vector<float> six(6, 1.0f);
  writer.add_tensor_f32("t", shape, six);
  EXPECT_THROW(writer.add_tensor_f32("t", shape, six), lmc::Error);  // duplicate
  const std::vector<float> five(5, 1.0f);
  EXPECT_THROW(writer.add_tensor_f32("u", shape, five), lmc::Error);  // size mismatch
  EXPECT_THROW(writer.add_tensor_f32("v", shape, six, lmc::DType::q8_0), lmc::Error);  // 3 % 32
  const std::vector<std::byte> six_bytes(6);
  EXPECT_THROW(writer.add_tensor("w", lmc::DType::u8, shape, six_bytes), lmc::Error);  // no U8
}

TEST(GgufRoundTrip, WritesFilesAtomically) {
  const auto folder =
      std::filesystem::temp_directory_path() /
      ("lmc_gguf_write_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(folder);
  const auto path = folder / "model.gguf";
  lmc::GgufWriter writer;
  writer.set_string("general.architecture", "testarch");
  const std::vector<std::int64_t> shape{32};
  writer.add_tensor_f32("t", shape, random_values(32, 3), lmc::DType::q8_0);
  writer.write(path);
  {
    const auto file = lmc::GgufFile::open(path);
    EXPECT_EQ(file.tensor("t").type, lmc::DType::q8_0);
    const auto unmapped = lmc::GgufFile::open(path, false);
    EXPECT_EQ(lmc::to_f32(unmapped.tensor("t")), lmc::to_f32(file.tensor("t")));
  }
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(folder)) ++entries;
  EXPECT_EQ(entries, 1u);  // no temporary file left behind
  EXPECT_THROW(writer.write(folder / "no_such_folder" / "x.gguf"), lmc::Error);
  std::filesystem::remove_all(folder);
}

TEST(GgufRoundTrip, TensorsFromRowSourcesEqualTensorsFromBytes) {
  // Tensors larger than one call of a source, and a 1-D tensor between them that needs padding.
  const std::vector<std::int64_t> big{3, 1536, 1024};
  const std::vector<std::int64_t> odd{5};
  const std::vector<float> values = random_values(3 * 1536 * 1024, 9);
  const std::vector<float> five = random_values(5, 10);
  lmc::GgufWriter from_bytes, from_rows;
  for (lmc::GgufWriter* w : {&from_bytes, &from_rows}) {
    w->set_string("general.architecture", "testarch");
  }
  from_bytes.add_tensor_f32("a", big, values, lmc::DType::f32);
  from_bytes.add_tensor_f32("b", odd, five, lmc::DType::f32);
  from_bytes.add_tensor_f32("c", big, values, lmc::DType::q8_0);
  std::vector<std::int64_t> calls;
  auto source = [&](lmc::DType type) {
    return [&, type](std::int64_t first, std::int64_t count, std::span<std::byte> out) {
      calls.push_back(count);
      const std::uint64_t row_bytes = lmc::dtype_row_bytes(type, 1024);
      ASSERT_EQ(out.size(), row_bytes * static_cast<std::uint64_t>(count));
      for (std::int64_t r = 0; r < count; ++r) {
        lmc::quantize_row(type, values.data() + (first + r) * 1024,
                          out.data() + static_cast<std::uint64_t>(r) * row_bytes, 1024);
      }
    };
  };
  from_rows.add_tensor_rows("a", lmc::DType::f32, big, source(lmc::DType::f32));
  from_rows.add_tensor_rows("b", lmc::DType::f32, odd,
                            [&](std::int64_t, std::int64_t, std::span<std::byte> out) {
                              std::memcpy(out.data(), five.data(), out.size());
                            });
  from_rows.add_tensor_rows("c", lmc::DType::q8_0, big, source(lmc::DType::q8_0));
  EXPECT_THROW(from_rows.add_tensor_rows("c", lmc::DType::q8_0, big, source(lmc::DType::q8_0)),
               lmc::Error);  // duplicate
  const std::vector<std::int64_t> partial{33};
  EXPECT_THROW(from_rows.add_tensor_rows("d", lmc::DType::q8_0, partial, source(lmc::DType::q8_0)),
               lmc::Error);  // 33 % 32
  const auto expected = from_bytes.to_bytes();
  EXPECT_EQ(from_rows.to_bytes(), expected);
  // The 18 MiB of F32 rows come in calls of at most 8 MiB (2048 rows of 4 KiB), the 4.8 MiB of
  // Q8_0 rows in one.
  EXPECT_EQ(calls, (std::vector<std::int64_t>{2048, 2048, 512, 4608}));
  const auto path = std::filesystem::temp_directory_path() /
                    ("lmc_gguf_rows_" +
                     std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".gguf");
  from_rows.write(path);
  std::ifstream in(path, std::ios::binary);
  std::vector<char> written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  ASSERT_EQ(written.size(), expected.size());
  EXPECT_EQ(0, std::memcmp(written.data(), expected.data(), expected.size()));
}

TEST(GgufRoundTrip, RewritingStories260KGivesIdenticalValues) {
  LMC_REQUIRE_TESTDATA();
  const auto original = lmc::GgufFile::open(lmc_test::testdata("models/stories260K.gguf"));
  lmc::GgufWriter writer;
  for (const auto& key : original.metadata_keys()) writer.set_value(original.at(key));
  for (const auto& tensor : original.tensors()) {
    writer.add_tensor(tensor.name, tensor.type, tensor.shape, tensor.data);
  }
  const auto copy = lmc::GgufFile::parse(writer.to_bytes(), "copy");
  ASSERT_EQ(copy.metadata_keys(), original.metadata_keys());
  for (const auto& key : original.metadata_keys()) {
    EXPECT_EQ(copy.at(key).to_display_string(), original.at(key).to_display_string()) << key;
  }
  EXPECT_EQ(copy.at("tokenizer.ggml.tokens").as_strings(),
            original.at("tokenizer.ggml.tokens").as_strings());
  EXPECT_EQ(copy.at("tokenizer.ggml.scores").as_floats(),
            original.at("tokenizer.ggml.scores").as_floats());
  ASSERT_EQ(copy.tensors().size(), original.tensors().size());
  for (std::size_t i = 0; i < original.tensors().size(); ++i) {
    const auto& a = original.tensors()[i];
    const auto& b = copy.tensors()[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.shape, b.shape);
    EXPECT_TRUE(std::equal(a.data.begin(), a.data.end(), b.data.begin(), b.data.end())) << a.name;
  }
}

}  // namespace

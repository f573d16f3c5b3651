// safetensors: hand-made files read as the format specifies, writer round trips, sharded
// checkpoints, and one test per class of damage.
#include <lmc/safetensors.hpp>

#include "format/raw_bytes.hpp"
#include "format/temp_folder.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

namespace {

using lmc_test::RawBytes;

// A safetensors file from a header JSON (padded to 8 bytes with spaces) and raw data.
std::vector<std::byte> make_file(std::string header, const std::vector<std::byte>& data) {
  header.resize((header.size() + 7) / 8 * 8, ' ');
  RawBytes b;
  b.u64(header.size()).text(header);
  auto bytes = b.bytes();
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

std::vector<std::byte> floats_to_bytes(std::vector<float> values) {
  std::vector<std::byte> bytes(values.size() * 4);
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

void expect_error(const std::vector<std::byte>& bytes, lmc::ErrorCode code,
                  std::string_view fragment) {
  try {
    (void)lmc::SafetensorsFile::parse(bytes, "bad.safetensors");
    ADD_FAILURE() << "no error; expected one mentioning '" << fragment << "'";
  } catch (const lmc::Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("bad.safetensors", 0), 0u) << e.what();
  }
}

TEST(Safetensors, ReadsAHandMadeFile) {
  // Two tensors, listed out of data order: a 2x2 F32 matrix and a BF16 vector [1.0, -2.0]
  // (0x3f80, 0xc000 little-endian); a BOOL tensor (skipped) and metadata.
  const std::vector<std::byte> bf16{std::byte{0x80}, std::byte{0x3f}, std::byte{0x00},
                                    std::byte{0xc0}};
  auto f32 = floats_to_bytes({1.5f, -2.5f, 3.0f, 0.25f});
  std::vector<std::byte> all = bf16;
  all.insert(all.end(), f32.begin(), f32.end());
  const auto bytes = make_file(
      R"({"__metadata__":{"format":"pt"},"m":{"dtype":"F32","shape":[2,2],"data_offsets":[4,20]},)"
      R"("v":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},)"
      R"("flag":{"dtype":"BOOL","shape":[0],"data_offsets":[20,20]}})",
      all);
  const auto file = lmc::SafetensorsFile::parse(bytes, "hand.safetensors");
  ASSERT_EQ(file.tensors().size(), 2u);
  EXPECT_EQ(file.tensors()[0].name, "v");  // data order
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_EQ(file.skipped_tensors(), (std::vector<std::string>{"flag (BOOL)"}));
  const auto& m = file.tensor("m");
  EXPECT_EQ(m.type, lmc::DType::f32);
  EXPECT_EQ(m.shape, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(m.rows(), 2);
  EXPECT_EQ(lmc::to_f32(m), (std::vector<float>{1.5f, -2.5f, 3.0f, 0.25f}));
  EXPECT_EQ(lmc::to_f32(file.tensor("v")), (std::vector<float>{1.0f, -2.0f}));
  EXPECT_EQ(file.find_tensor("flag"), nullptr);
  EXPECT_THROW((void)file.tensor("absent"), lmc::Error);
}

TEST(Safetensors, ReadsIntegerAndDoubleTypes) {
  RawBytes data;
  data.put(std::int8_t{-3}).put(std::uint8_t{250}).zeros(6).put(2.5).put(std::int64_t{-7});
  const auto bytes = make_file(R"({"i8":{"dtype":"I8","shape":[1],"data_offsets":[0,1]},)"
                               R"("u8":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},)"
                               R"("f64":{"dtype":"F64","shape":[],"data_offsets":[8,16]},)"
                               R"("i64":{"dtype":"I64","shape":[1],"data_offsets":[16,24]}})",
                               data.bytes());
  const auto file = lmc::SafetensorsFile::parse(bytes, "ints.safetensors");
  EXPECT_EQ(lmc::to_f32(file.tensor("i8")), std::vector<float>{-3.0f});
  EXPECT_EQ(lmc::to_f32(file.tensor("u8")), std::vector<float>{250.0f});
  EXPECT_TRUE(file.tensor("f64").shape.empty());  // a scalar
  EXPECT_EQ(lmc::to_f32(file.tensor("f64")), std::vector<float>{2.5f});
  EXPECT_EQ(lmc::to_f32(file.tensor("i64")), std::vector<float>{-7.0f});
}

TEST(Safetensors, WriterRoundTripsBitExact) {
  std::mt19937 generator(11);
  std::normal_distribution<float> normal;
  std::vector<float> values(3 * 5);
  for (auto& v : values) v = normal(generator);
  const std::vector<std::int64_t> shape{3, 5};
  lmc::SafetensorsWriter writer;
  writer.add_tensor_f32("a.f32", shape, values);
  writer.add_tensor_f32("a.f16", shape, values, lmc::DType::f16);
  writer.add_tensor_f32("a.bf16", shape, values, lmc::DType::bf16);
  const std::vector<std::byte> ints{std::byte{1}, std::byte{255}};
  const std::vector<std::int64_t> two{2};
  writer.add_tensor("ints", lmc::DType::i8, two, ints);
  writer.set_metadata("format", "pt");
  const auto bytes = writer.to_bytes();
  std::uint64_t header = 0;
  std::memcpy(&header, bytes.data(), 8);
  EXPECT_EQ(header % 8, 0u);

  lmc_test::TempFolder folder;
  writer.write(folder / "model.safetensors");
  const auto file = lmc::SafetensorsFile::open(folder / "model.safetensors");
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_EQ(lmc::to_f32(file.tensor("a.f32")), values);
  const auto f16 = lmc::to_f32(file.tensor("a.f16"));
  const auto bf16 = lmc::to_f32(file.tensor("a.bf16"));
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(f16[i], lmc::fp16_to_f32(lmc::f32_to_fp16(values[i])));
    EXPECT_EQ(bf16[i], lmc::bf16_to_f32(lmc::f32_to_bf16(values[i])));
  }
  EXPECT_EQ(lmc::to_f32(file.tensor("ints")), (std::vector<float>{1.0f, -1.0f}));

  // Writing what was read gives the same bytes.
  lmc::SafetensorsWriter again;
  again.set_metadata("format", "pt");
  for (const char* name : {"a.f32", "a.f16", "a.bf16", "ints"}) {
    const auto& t = file.tensor(name);
    again.add_tensor(t.name, t.type, t.shape, t.data);
  }
  EXPECT_EQ(again.to_bytes(), bytes);

  EXPECT_THROW(writer.add_tensor_f32("a.f32", shape, values), lmc::Error);  // duplicate
  EXPECT_THROW(writer.add_tensor_f32("q", shape, values, lmc::DType::q8_0), lmc::Error);
  EXPECT_THROW(writer.add_tensor("bad", lmc::DType::i8, shape, ints), lmc::Error);
}

TEST(SafetensorsCorruption, EveryTruncationIsAnError) {
  lmc::SafetensorsWriter writer;
  const std::vector<std::int64_t> shape{4};
  writer.add_tensor_f32("t", shape, std::vector<float>{1, 2, 3, 4});
  const auto bytes = writer.to_bytes();
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    std::vector<std::byte> prefix(bytes.begin(), bytes.begin() + static_cast<long>(length));
    EXPECT_THROW((void)lmc::SafetensorsFile::parse(prefix, "cut"), lmc::Error) << length;
  }
}

TEST(SafetensorsCorruption, HeaderLengthPastTheEnd) {
  RawBytes b;
  b.u64(1000).text("{}");
  expect_error(b.bytes(), lmc::ErrorCode::format, "header length 1000");
  RawBytes huge;
  huge.u64(~0ull);
  expect_error(huge.bytes(), lmc::ErrorCode::format, "header length");
}

TEST(SafetensorsCorruption, InvalidJsonHeaders) {
  expect_error(make_file(R"({"t": {"dtype": "F32",)", {}), lmc::ErrorCode::format, "invalid JSON");
  expect_error(make_file("[1, 2]", {}), lmc::ErrorCode::format, "not a JSON object");
  expect_error(make_file("{\"t\xff\": 1}", {}), lmc::ErrorCode::format, "invalid JSON");
  expect_error(make_file(R"({"t": 5})", {}), lmc::ErrorCode::format, "tensor 't'");
  expect_error(make_file(R"({"t": {"dtype": "F32", "shape": [1]}})", {}), lmc::ErrorCode::format,
               "data_offsets");
  expect_error(make_file(R"({"t": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})",
                         floats_to_bytes({1})),
               lmc::ErrorCode::format, "non-negative integer");
  expect_error(make_file(R"({"__metadata__": {"a": 1}})", {}), lmc::ErrorCode::format,
               "__metadata__");
  std::string deep(100000, '[');
  expect_error(make_file(deep, {}), lmc::ErrorCode::format, "invalid JSON");
}

TEST(SafetensorsCorruption, UnknownDtype) {
  expect_error(make_file(R"({"t": {"dtype": "F33", "shape": [1], "data_offsets": [0, 4]}})",
                         floats_to_bytes({1})),
               lmc::ErrorCode::unsupported, "unknown dtype 'F33'");
  expect_error(make_file(R"({"t": {"dtype": "Q8_0", "shape": [32], "data_offsets": [0, 34]}})",
                         std::vector<std::byte>(34)),
               lmc::ErrorCode::unsupported, "unknown dtype 'Q8_0'");
}

TEST(SafetensorsCorruption, OffsetsAndSizesPastTheEnd) {
  expect_error(make_file(R"({"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})",
                         floats_to_bytes({1})),
               lmc::ErrorCode::format, "run past the end");
  expect_error(make_file(R"({"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})",
                         floats_to_bytes({1})),
               lmc::ErrorCode::format, "do not hold 8 bytes");
  expect_error(make_file(R"({"t": {"dtype": "F32", "shape": [4611686018427387904, 8],)"
                         R"( "data_offsets": [0, 4]}})",
                         floats_to_bytes({1})),
               lmc::ErrorCode::format, "overflows");
  expect_error(make_file(R"({"t": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}})",
                         floats_to_bytes({1, 2})),
               lmc::ErrorCode::format, "data_offsets [8, 4]");
}

TEST(SafetensorsCorruption, OverlappingTensors) {
  expect_error(make_file(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                         R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                         floats_to_bytes({1, 2, 3})),
               lmc::ErrorCode::format, "overlap");
}

TEST(SafetensorsCorruption, DuplicateNames) {
  expect_error(make_file(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
                         R"( "a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                         floats_to_bytes({1, 2})),
               lmc::ErrorCode::format, "duplicate name 'a'");
}

// ---- Checkpoints ----

void write_shard(const std::filesystem::path& path, std::vector<std::string> names, float value) {
  lmc::SafetensorsWriter writer;
  const std::vector<std::int64_t> shape{2};
  for (const auto& name : names)
    writer.add_tensor_f32(name, shape, std::vector<float>{value, value});
  writer.write(path);
}

TEST(SafetensorsCheckpoint, SingleFileAndFolder) {
  lmc_test::TempFolder folder;
  write_shard(folder / "model.safetensors", {"b", "a"}, 1.0f);
  for (const auto& path : {folder.path(), folder / "model.safetensors"}) {
    const auto checkpoint = lmc::SafetensorsCheckpoint::open(path);
    ASSERT_EQ(checkpoint.tensors().size(), 2u);
    EXPECT_EQ(checkpoint.tensors()[0].name, "a");  // sorted by name
    EXPECT_EQ(lmc::to_f32(checkpoint.tensor("b")), (std::vector<float>{1, 1}));
    EXPECT_EQ(checkpoint.files().size(), 1u);
  }
}

TEST(SafetensorsCheckpoint, ShardsThroughTheIndex) {
  lmc_test::TempFolder folder;
  write_shard(folder / "model-00001-of-00002.safetensors", {"layer.0", "embed"}, 1.0f);
  write_shard(folder / "model-00002-of-00002.safetensors", {"layer.1"}, 2.0f);
  folder.write("model.safetensors.index.json", R"({
    "metadata": {"total_size": 24},
    "weight_map": {"embed": "model-00001-of-00002.safetensors",
                   "layer.0": "model-00001-of-00002.safetensors",
                   "layer.1": "model-00002-of-00002.safetensors"}})");
  const auto checkpoint = lmc::SafetensorsCheckpoint::open(folder.path());
  EXPECT_EQ(checkpoint.files().size(), 2u);
  ASSERT_EQ(checkpoint.tensors().size(), 3u);
  EXPECT_EQ(lmc::to_f32(checkpoint.tensor("layer.1")), (std::vector<float>{2, 2}));
  EXPECT_EQ(lmc::to_f32(checkpoint.tensor("embed")), (std::vector<float>{1, 1}));
  EXPECT_EQ(checkpoint.metadata().at("total_size"), "24");
  EXPECT_THROW((void)checkpoint.tensor("layer.2"), lmc::Error);
}

TEST(SafetensorsCheckpoint, DuplicateNamesAcrossShards) {
  lmc_test::TempFolder folder;
  write_shard(folder / "s1.safetensors", {"a", "b"}, 1.0f);
  write_shard(folder / "s2.safetensors", {"b"}, 2.0f);
  folder.write("model.safetensors.index.json",
               R"({"weight_map": {"a": "s1.safetensors", "b": "s2.safetensors"}})");
  try {
    (void)lmc::SafetensorsCheckpoint::open(folder.path());
    FAIL();
  } catch (const lmc::Error& e) {
    EXPECT_NE(std::string(e.what()).find("tensor 'b' is in two shards"), std::string::npos)
        << e.what();
  }
}

TEST(SafetensorsCheckpoint, BadIndexes) {
  lmc_test::TempFolder folder;
  write_shard(folder / "s1.safetensors", {"a"}, 1.0f);
  folder.write("model.safetensors.index.json", R"({"weight_map": {"a": "s2.safetensors"}})");
  EXPECT_THROW((void)lmc::SafetensorsCheckpoint::open(folder.path()), lmc::Error);  // no file
  folder.write("model.safetensors.index.json", R"({"weight_map": {"a": "../s1.safetensors"}})");
  EXPECT_THROW((void)lmc::SafetensorsCheckpoint::open(folder.path()), lmc::Error);
  folder.write("model.safetensors.index.json",
               R"({"weight_map": {"a": "s1.safetensors", "z": "s1.safetensors"}})");
  EXPECT_THROW((void)lmc::SafetensorsCheckpoint::open(folder.path()), lmc::Error);  // z absent
  folder.write("model.safetensors.index.json", R"({"weight_map": [)");
  EXPECT_THROW((void)lmc::SafetensorsCheckpoint::open(folder.path()), lmc::Error);
  folder.write("model.safetensors.index.json", R"({"weight_map": {"a": "s1.safetensors"}})");
  EXPECT_NO_THROW((void)lmc::SafetensorsCheckpoint::open(folder.path()));
  lmc_test::TempFolder empty;
  EXPECT_THROW((void)lmc::SafetensorsCheckpoint::open(empty.path()), lmc::Error);
}

}  // namespace

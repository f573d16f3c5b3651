// The lmc-zip command line: what works without the forward pass (info, errors, output files).
#include <lmc/compressor.hpp>

#include "support/fake_model.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

class LmcZip : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("lmc_zip_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
           "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  Outcome run(const std::string& arguments, const std::string& stdin_file = "",
              const std::string& environment = "") {
    std::string command = environment + std::string(LMC_ZIP_PATH) + " " + arguments + " > " +
                          (dir / "stdout").string() + " 2> " + (dir / "stderr").string();
    if (!stdin_file.empty()) command += " < " + stdin_file;
    Outcome result;
    int status = std::system(command.c_str());
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = read(dir / "stdout");
    result.err = read(dir / "stderr");
    fs::remove(dir / "stdout");
    fs::remove(dir / "stderr");
    return result;
  }

  static std::string read(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), {}};
  }

  static void write(const fs::path& path, std::span<const std::byte> data) {
    std::ofstream file(path, std::ios::binary);
    file.write(reinterpret_cast<const char*>(data.data()),
               static_cast<std::streamsize>(data.size()));
  }

  static void expect_one_line_error(const Outcome& outcome, std::string_view says) {
    EXPECT_EQ(outcome.status, 1);
    EXPECT_TRUE(outcome.err.starts_with("lmc-zip: ")) << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
    EXPECT_NE(outcome.err.find(says), std::string::npos) << outcome.err;
  }

  fs::path dir;
};

TEST_F(LmcZip, InfoDescribesAContainer) {
  lmc_test::FakeModel model(lmc_test::english_sample());
  lmc::Compressor compressor(model, {.chunk_bytes = 400});
  write(dir / "a.lmcz", compressor.compress(lmc_test::as_bytes(lmc_test::english_sample())));
  for (std::string in : {(dir / "a.lmcz").string(), std::string("-")}) {
    Outcome result = run("info " + in, in == "-" ? (dir / "a.lmcz").string() : "");
    EXPECT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.out.find("fake-bigram-v1"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find(std::to_string(lmc_test::english_sample().size()) + " bytes"),
              std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("chunks             4 of up to 400 bytes"), std::string::npos)
        << result.out;
  }
}

TEST_F(LmcZip, DamagedOrForeignInputIsAOneLineError) {
  lmc_test::FakeModel model(lmc_test::english_sample());
  auto container = lmc::Compressor(model).compress(lmc_test::as_bytes("some text"));
  container[container.size() / 2] ^= std::byte{1};
  write(dir / "bad.lmcz", container);
  expect_one_line_error(run("info " + (dir / "bad.lmcz").string()), "checksum");
  write(dir / "text.txt", lmc_test::as_bytes("plain text"));
  expect_one_line_error(run("info " + (dir / "text.txt").string()), "not an lmc container");
  expect_one_line_error(run("info " + (dir / "missing").string()), "cannot open");
  expect_one_line_error(run("frobnicate x"), "unknown command");
  expect_one_line_error(run("info --bogus x"), "unknown option");
}

TEST_F(LmcZip, FailedRunsLeaveNoOutputAndExistingOutputNeedsForce) {
  write(dir / "in.txt", lmc_test::as_bytes("hello"));
  std::string in = (dir / "in.txt").string();
  std::string out = (dir / "out.lmcz").string();
  expect_one_line_error(run("compress --model missing.gguf " + in + " " + out), "cannot open");
  // Without --model the bundled model is used: a missing input still fails before any output.
  expect_one_line_error(run("compress " + (dir / "absent.txt").string() + " " + out), "absent.txt");
  EXPECT_FALSE(fs::exists(out));
  write(dir / "out.lmcz", lmc_test::as_bytes("keep me"));
  expect_one_line_error(run("decompress --model m.gguf " + in + " " + out), "--force");
  EXPECT_EQ(read(out), "keep me");
  expect_one_line_error(run("compress --force --model m.gguf " + in + " " + out), "cannot open");
  EXPECT_EQ(read(out), "keep me");
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 2u);  // in.txt and out.lmcz: no temporary file left behind
}

TEST_F(LmcZip, UnknownKernelPathIsAnError) {
  write(dir / "in.txt", lmc_test::as_bytes("hello"));
  const std::string out = (dir / "out.lmcz").string();
  // The path is checked when the model loads, before the model file is even opened.
  Outcome result = run("compress --model missing.gguf " + (dir / "in.txt").string() + " " + out, "",
                       "LMC_KERNEL_PATH=avx3 ");
  expect_one_line_error(result, "LMC_KERNEL_PATH=avx3");
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace

#include "base/mapped_file.hpp"

#include <lmc/error.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

std::filesystem::path write_temp(const std::string& name, const std::string& contents) {
  auto path = std::filesystem::temp_directory_path() / ("lmc_mapped_file_" + name);
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

TEST(MappedFile, MapsAndReadsTheSameBytes) {
  const std::string contents = std::string("hello\0world", 11);
  const auto path = write_temp("contents", contents);
  for (auto mode : {lmc::base::MappedFile::Mode::map, lmc::base::MappedFile::Mode::read}) {
    auto file = lmc::base::MappedFile::open(path, mode);
    ASSERT_EQ(file.size(), contents.size());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(file.bytes().data()), file.size()),
              contents);
    EXPECT_EQ(file.is_mapped(), mode == lmc::base::MappedFile::Mode::map);
    lmc::base::MappedFile moved = std::move(file);
    EXPECT_EQ(moved.size(), contents.size());
    EXPECT_EQ(static_cast<char>(moved.bytes()[6]), 'w');
  }
  std::filesystem::remove(path);
}

TEST(MappedFile, EmptyFileIsEmpty) {
  const auto path = write_temp("empty", "");
  auto file = lmc::base::MappedFile::open(path);
  EXPECT_EQ(file.size(), 0u);
  EXPECT_TRUE(file.bytes().empty());
  std::filesystem::remove(path);
}

TEST(MappedFile, MissingFileNamesThePath) {
  try {
    lmc::base::MappedFile::open("/nonexistent/lmc/model.gguf");
    FAIL();
  } catch (const lmc::Error& error) {
    EXPECT_EQ(error.code(), lmc::ErrorCode::io);
    EXPECT_NE(std::string(error.what()).find("/nonexistent/lmc/model.gguf"), std::string::npos);
  }
}

TEST(MappedFile, DirectoryIsRefused) {
  EXPECT_THROW(lmc::base::MappedFile::open(std::filesystem::temp_directory_path()), lmc::Error);
}

}  // namespace

// lmc::AtomicFile: the target changes only on commit, and no temporary file is left behind.
#include <lmc/atomic_file.hpp>
#include <lmc/error.hpp>
#include <lmc/utf8.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("lmc_atomic_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {}));
  }
};

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(AtomicFile, ReplacesTheTargetOnlyOnCommit) {
  TempDir dir;
  const fs::path target = dir.path / "out.bin";
  std::ofstream(target) << "old";
  {
    lmc::AtomicFile file(target);
    file.stream() << "new ";
    file.write(std::string_view("contents"));
    EXPECT_EQ(read(target), "old");  // readers still see the old file
    EXPECT_EQ(dir.entries(), 2u);    // the target and the temporary file
    file.commit();
    EXPECT_THROW(file.commit(), lmc::Error);
  }
  EXPECT_EQ(read(target), "new contents");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, WithoutCommitLeavesNothing) {
  TempDir dir;
  const fs::path target = dir.path / "out.bin";
  {
    lmc::AtomicFile file(target);
    file.stream() << "partial";
  }
  EXPECT_FALSE(fs::exists(target));
  EXPECT_EQ(dir.entries(), 0u);
  lmc::write_file_atomically(target, std::string_view("whole"));
  EXPECT_EQ(read(target), "whole");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, AnUnwritableFolderIsAnIoErrorNamingThePath) {
  try {
    lmc::write_file_atomically("/nonexistent-folder/out.bin", std::string_view("x"));
    ADD_FAILURE() << "wrote into a missing folder";
  } catch (const lmc::Error& e) {
    EXPECT_EQ(e.code(), lmc::ErrorCode::io);
    EXPECT_NE(std::string(e.what()).find("/nonexistent-folder/out.bin"), std::string::npos)
        << e.what();
  }
}

TEST(PublicUtf8, CountsCharactersAsBpcDoes) {
  EXPECT_TRUE(lmc::is_valid_utf8("h\xC3\xA9llo \xE2\x82\xAC"));
  EXPECT_FALSE(lmc::is_valid_utf8("\xC0\xAF"));             // overlong
  EXPECT_EQ(lmc::find_invalid_utf8("ab\xED\xA0\x80"), 2u);  // a surrogate
  EXPECT_EQ(lmc::count_characters("h\xC3\xA9llo \xE2\x82\xAC"), 7u);
  EXPECT_EQ(lmc::count_characters("a\xFF\xFE"), 3u);  // each invalid byte counts one
}

}  // namespace

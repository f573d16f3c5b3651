// Where the external conformance data lives (../shared/testdata by default, set with the CMake
// cache variable LMC_TESTDATA_DIR), and how tests that need it skip when it is absent.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string_view>

namespace lmc_test {

inline std::filesystem::path testdata_dir() { return LMC_TESTDATA_DIR; }

inline bool have_testdata() { return std::filesystem::is_directory(testdata_dir()); }

inline std::filesystem::path testdata(std::string_view relative) {
  return testdata_dir() / relative;
}

}  // namespace lmc_test

/// First statement of a test that reads ../shared/testdata.
#define LMC_REQUIRE_TESTDATA()                                                        \
  do {                                                                                \
    if (!::lmc_test::have_testdata()) {                                               \
      GTEST_SKIP() << "skipped: testdata not found at " << ::lmc_test::testdata_dir(); \
    }                                                                                 \
  } while (false)

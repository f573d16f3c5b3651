#include <lmc/lmc.hpp>

#include "base/checked_math.hpp"
#include "base/fail.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace {

TEST(Error, CarriesCodeAndMessage) {
  try {
    lmc::base::fail(lmc::ErrorCode::corrupt_data, "{}: checksum mismatch at offset {}", "x.lmc",
                    42);
    FAIL() << "fail() returned";
  } catch (const lmc::Error& error) {
    EXPECT_EQ(error.code(), lmc::ErrorCode::corrupt_data);
    EXPECT_STREQ(error.what(), "x.lmc: checksum mismatch at offset 42");
  }
}

TEST(Error, IsARuntimeError) {
  EXPECT_THROW(throw lmc::Error(lmc::ErrorCode::io, "x"), std::runtime_error);
}

TEST(Error, CodesHaveNames) {
  EXPECT_EQ(lmc::to_string(lmc::ErrorCode::model_mismatch), "model_mismatch");
  EXPECT_EQ(lmc::to_string(lmc::ErrorCode::invalid_argument), "invalid_argument");
}

TEST(Version, MatchesHeader) { EXPECT_EQ(lmc::version(), LMC_VERSION_STRING); }

TEST(CheckedMath, DetectsOverflow) {
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(lmc::base::checked_add(2, 3, "sum"), 5u);
  EXPECT_EQ(lmc::base::checked_mul(1u << 20, 1u << 20, "product"), std::uint64_t{1} << 40);
  EXPECT_THROW(lmc::base::checked_add(max, 1, "sum"), lmc::Error);
  EXPECT_THROW(lmc::base::checked_mul(std::uint64_t{1} << 32, std::uint64_t{1} << 32, "p"),
               lmc::Error);
}

}  // namespace

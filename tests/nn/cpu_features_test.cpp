// LMC_KERNEL_PATH: every accepted value, and an error (never a silent fallback) for the rest.
#include <lmc/error.hpp>

#include "nn/cpu_features.hpp"
#include "support/scoped_environment.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using lmc::nn::KernelPath;

// Sets LMC_KERNEL_PATH for one test and restores what the process had.
struct KernelPathVariable : lmc_test::ScopedEnvironment {
  explicit KernelPathVariable(const char* value) : ScopedEnvironment("LMC_KERNEL_PATH", value) {}
};

KernelPath best_path() {
  if (lmc::nn::cpu_supports(KernelPath::avx512)) return KernelPath::avx512;
  if (lmc::nn::cpu_supports(KernelPath::avx2)) return KernelPath::avx2;
  return KernelPath::scalar;
}

TEST(KernelPathFromEnvironment, NamesEverySupportedPath) {
  for (KernelPath path : {KernelPath::scalar, KernelPath::avx2, KernelPath::avx512}) {
    if (!lmc::nn::cpu_supports(path)) continue;
    KernelPathVariable variable(std::string(lmc::nn::to_string(path)).c_str());
    EXPECT_EQ(lmc::nn::kernel_path_from_environment(), path);
  }
  KernelPathVariable empty("");
  EXPECT_EQ(lmc::nn::kernel_path_from_environment(), best_path());
}

TEST(KernelPathFromEnvironment, UnknownValueIsAnErrorNamingIt) {
  for (const char* value : {"avx3", "AVX2", "scalar ", "auto"}) {
    KernelPathVariable variable(value);
    try {
      (void)lmc::nn::kernel_path_from_environment();
      ADD_FAILURE() << "accepted LMC_KERNEL_PATH=" << value;
    } catch (const lmc::Error& e) {
      EXPECT_EQ(e.code(), lmc::ErrorCode::invalid_argument) << e.what();
      EXPECT_NE(std::string(e.what()).find(std::string("LMC_KERNEL_PATH=") + value),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(KernelPathFromEnvironment, PathTheCpuCannotRunIsAnError) {
  for (KernelPath path : {KernelPath::avx2, KernelPath::avx512}) {
    if (lmc::nn::cpu_supports(path)) continue;
    const std::string name(lmc::nn::to_string(path));
    KernelPathVariable variable(name.c_str());
    try {
      (void)lmc::nn::kernel_path_from_environment();
      ADD_FAILURE() << "accepted LMC_KERNEL_PATH=" << name << " on a CPU without it";
    } catch (const lmc::Error& e) {
      EXPECT_EQ(e.code(), lmc::ErrorCode::unsupported) << e.what();
      EXPECT_NE(std::string(e.what()).find("LMC_KERNEL_PATH=" + name), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace

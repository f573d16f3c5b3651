// The SIMD paths of lmc's kernels in tests that run every path this CPU has and compare them.
#pragma once

#include "nn/cpu_features.hpp"

#include <vector>

namespace lmc_test {

/// The kernel paths this CPU can run, scalar first.
inline std::vector<lmc::nn::KernelPath> supported_paths() {
  std::vector<lmc::nn::KernelPath> paths;
  for (auto path :
       {lmc::nn::KernelPath::scalar, lmc::nn::KernelPath::avx2, lmc::nn::KernelPath::avx512}) {
    if (lmc::nn::cpu_supports(path)) paths.push_back(path);
  }
  return paths;
}

/// Restores the SIMD path the process started with when a test that forces paths ends.
class KernelPathGuard {
 public:
  KernelPathGuard() : initial_(lmc::nn::active_kernel_path()) {}
  ~KernelPathGuard() { lmc::nn::force_kernel_path(initial_); }
  KernelPathGuard(const KernelPathGuard&) = delete;
  KernelPathGuard& operator=(const KernelPathGuard&) = delete;

 private:
  lmc::nn::KernelPath initial_;
};

}  // namespace lmc_test

#include "nn/cpu_features.hpp"

#include "base/fail.hpp"

#include <cpuid.h>
#include <atomic>
#include <cstdlib>
#include <string>

LMC_BEGIN_NAMESPACE
namespace nn {

std::string_view to_string(KernelPath path) noexcept {
  switch (path) {
    case KernelPath::scalar: return "scalar";
    case KernelPath::avx2: return "avx2";
    case KernelPath::avx512: return "avx512";
  }
  return "unknown";
}

namespace {
// F16C (CPUID leaf 1, ECX bit 29): read directly because clang 14's __builtin_cpu_supports
// does not know "f16c" (the fuzzers build with clang).
bool cpu_has_f16c() noexcept {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ecx & (1u << 29)) != 0;
}
}  // namespace

bool cpu_supports(KernelPath path) noexcept {
  switch (path) {
    case KernelPath::scalar: return true;
    case KernelPath::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_has_f16c();
    case KernelPath::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
             cpu_supports(KernelPath::avx2);
  }
  return false;
}

namespace {

KernelPath initial_path() noexcept {
  if (const char* forced = std::getenv("LMC_KERNEL_PATH")) {
    for (KernelPath path : {KernelPath::scalar, KernelPath::avx2, KernelPath::avx512}) {
      if (to_string(path) == forced && cpu_supports(path)) return path;
    }
  }
  if (cpu_supports(KernelPath::avx512)) return KernelPath::avx512;
  if (cpu_supports(KernelPath::avx2)) return KernelPath::avx2;
  return KernelPath::scalar;
}

std::atomic<KernelPath>& current_path() {
  static std::atomic<KernelPath> path{initial_path()};
  return path;
}

}  // namespace

KernelPath active_kernel_path() noexcept { return current_path().load(std::memory_order_relaxed); }

void force_kernel_path(KernelPath path) {
  if (!cpu_supports(path)) {
    fail(ErrorCode::invalid_argument, "kernel path {} is not supported by this CPU",
         to_string(path));
  }
  current_path().store(path, std::memory_order_relaxed);
}

}  // namespace nn
LMC_END_NAMESPACE

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

KernelPath kernel_path_from_environment() {
  const char* forced = std::getenv("LMC_KERNEL_PATH");
  if (forced == nullptr || *forced == '\0') {
    if (cpu_supports(KernelPath::avx512)) return KernelPath::avx512;
    if (cpu_supports(KernelPath::avx2)) return KernelPath::avx2;
    return KernelPath::scalar;
  }
  for (KernelPath path : {KernelPath::scalar, KernelPath::avx2, KernelPath::avx512}) {
    if (to_string(path) != forced) continue;
    if (!cpu_supports(path)) {
      base::fail(ErrorCode::unsupported,
                 "environment variable LMC_KERNEL_PATH={}: this CPU cannot run the {} kernels",
                 forced, forced);
    }
    return path;
  }
  base::fail(
      ErrorCode::invalid_argument,
      "environment variable LMC_KERNEL_PATH={}: unknown kernel path (expected scalar, avx2 or "
      "avx512)",
      forced);
}

namespace {

// -1 until the first use reads LMC_KERNEL_PATH (a bad value throws there and is read again on
// the next use), or until force_kernel_path sets it.
constexpr int unresolved = -1;
std::atomic<int> current_path{unresolved};

}  // namespace

KernelPath active_kernel_path() {
  int path = current_path.load(std::memory_order_relaxed);
  if (path == unresolved) {
    const int resolved = static_cast<int>(kernel_path_from_environment());
    // Another thread may have resolved or forced it meanwhile; keep what it stored.
    current_path.compare_exchange_strong(path, resolved, std::memory_order_relaxed);
    path = current_path.load(std::memory_order_relaxed);
  }
  return static_cast<KernelPath>(path);
}

void force_kernel_path(KernelPath path) {
  if (!cpu_supports(path)) {
    base::fail(ErrorCode::invalid_argument, "kernel path {} is not supported by this CPU",
               to_string(path));
  }
  current_path.store(static_cast<int>(path), std::memory_order_relaxed);
}

}  // namespace nn
LMC_END_NAMESPACE

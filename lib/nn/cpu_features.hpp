// Which SIMD code path the kernels run. Every path computes bit-identical results (see
// docs/forward_pass.md); the choice only changes speed. Tests force each path to check that.
#pragma once

#include <lmc/version.hpp>

#include <string_view>

LMC_BEGIN_NAMESPACE
namespace nn {

enum class KernelPath { scalar, avx2, avx512 };

std::string_view to_string(KernelPath path) noexcept;

/// Whether this CPU can run `path` (scalar: always).
bool cpu_supports(KernelPath path) noexcept;

/// The path in use: the environment variable LMC_KERNEL_PATH (scalar, avx2, avx512) when set
/// and supported, else the best the CPU supports. Changed only by force_kernel_path.
KernelPath active_kernel_path() noexcept;

/// Forces a path (for tests and benchmarks). Throws lmc::Error (invalid_argument) when the
/// CPU cannot run it. Not thread-safe with running forward passes.
void force_kernel_path(KernelPath path);

}  // namespace nn
LMC_END_NAMESPACE

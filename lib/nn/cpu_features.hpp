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

/// The path LMC_KERNEL_PATH asks for (scalar, avx2, avx512), or the best the CPU supports when
/// the variable is unset or empty. Reads the environment on every call. Throws lmc::Error naming
/// the variable and its value: invalid_argument for an unknown value, unsupported for a path
/// this CPU cannot run (never a silent fallback).
KernelPath kernel_path_from_environment();

/// The path in use: kernel_path_from_environment() on first use (which throws for a bad
/// LMC_KERNEL_PATH; the variable is then read again on the next use), else the last
/// force_kernel_path. Model::load asks for it, so a bad value surfaces at load, before any
/// forward pass.
KernelPath active_kernel_path();

/// Forces a path (for tests and benchmarks). Throws lmc::Error (invalid_argument) when the
/// CPU cannot run it. Not thread-safe with running forward passes.
void force_kernel_path(KernelPath path);

}  // namespace nn
LMC_END_NAMESPACE

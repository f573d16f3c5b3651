// Pieces of the peak measurement (peak.hpp) compiled per instruction set.
#pragma once

namespace lmc_bench::detail {

/// Keeps a result alive so the compiler cannot drop the loop that made it.
void sink(float value);

/// FLOP done by `iterations` rounds of the register FMA loop of each width.
double fma_loop_avx512(long iterations);
double fma_loop_avx2(long iterations);
double fma_loop_sse2(long iterations);

/// Eigen GEMMs of n×n floats, built for that instruction set (Eigen's namespace is renamed in
/// each of these files, so the two builds of its templates never meet at link time): one to
/// warm up, then one more each time `again()` returns true. Returns the GEMMs after the first.
using KeepGoing = bool (*)();
long eigen_gemm_avx512(int n, KeepGoing again);
long eigen_gemm_avx2(int n, KeepGoing again);

}  // namespace lmc_bench::detail

// The machine's measured F32 peak, the yardstick of the forward-pass benchmark, on the vectors
// of the library's kernel path (the widest this CPU runs, or LMC_KERNEL_PATH's; chosen at run
// time like the kernels, nothing here assumes AVX-512): independent fused multiply-adds on
// registers (the arithmetic ceiling), and Eigen's GEMM on large square matrices (what a tuned
// general-purpose GEMM reaches). With several threads, each runs its own copy side by side.
#pragma once

namespace lmc_bench {

struct PeakRate {
  double gflops = 0;                 ///< all threads together, per wall-clock second
  double gflops_per_cpu_second = 0;  ///< per second of process CPU time
};

/// "avx512", "avx2" or "sse2": the vector width the peaks below are measured with.
const char* peak_vector_path();

/// Independent FMA chains on registers for about `seconds`.
PeakRate fma_peak(int threads, double seconds);

/// Eigen GEMM n×n·n×n (float) for about `seconds`.
PeakRate eigen_gemm_peak(int n, int threads, double seconds);

}  // namespace lmc_bench

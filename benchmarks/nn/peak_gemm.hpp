#pragma once

/// GFLOP/s of `threads` concurrent single-threaded Eigen F32 GEMMs of n×n matrices, summed;
/// also GFLOP per CPU-second of the process (robust on a shared machine).
double eigen_gemm_gflops(int n, int threads, double seconds, double* gflops_per_cpu_second);

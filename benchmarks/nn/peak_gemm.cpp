// The machine's measured F32 GEMM peak, the yardstick of the forward-pass benchmark: Eigen's
// GEMM compiled for AVX-512/FMA (this file only; see CMakeLists.txt), on large square matrices.
#include "peak_gemm.hpp"

// GCC 12 reports its own avx512fintrin.h "undefined" vectors as uninitialized.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Core>

#include <atomic>
#include <chrono>
#include <ctime>
#include <thread>
#include <vector>

namespace {
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
}  // namespace

double eigen_gemm_gflops(int n, int threads, double seconds, double* gflops_per_cpu_second) {
  std::atomic<double> flops_done{0};
  const double cpu_start = process_cpu_seconds();
  auto run = [&](double& gflops) {
    Eigen::MatrixXf a = Eigen::MatrixXf::Random(n, n), b = Eigen::MatrixXf::Random(n, n), c(n, n);
    c.noalias() = a * b;  // warm-up
    int reps = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
      c.noalias() = a * b;
      ++reps;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < seconds);
    gflops = 2.0 * n * n * n * reps / elapsed / 1e9 + 0 * c(0, 0);
    flops_done += 2.0 * n * n * n * (reps + 1);  // with the warm-up, which the CPU time also holds
  };
  std::vector<double> results(static_cast<std::size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back(run, std::ref(results[static_cast<std::size_t>(t)]));
  for (auto& w : workers) w.join();
  double total = 0;
  for (double g : results) total += g;
  *gflops_per_cpu_second = flops_done.load() / 1e9 / (process_cpu_seconds() - cpu_start);
  return total;
}

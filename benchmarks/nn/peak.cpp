// Runs the peak loops of peak_internal.hpp on the widest path this CPU has, side by side on
// several threads, timed by the wall clock and by each thread's CPU clock.
#include "peak.hpp"
#include "peak_internal.hpp"

#include "nn/cpu_features.hpp"

#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <thread>
#include <vector>

namespace lmc_bench {
namespace detail {
namespace {
std::atomic<float> kept{0};
}
void sink(float value) { kept.store(value, std::memory_order_relaxed); }
}  // namespace detail

namespace {

using lmc::nn::KernelPath;
using Clock = std::chrono::steady_clock;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// The library's kernel path (the widest this CPU has, or what LMC_KERNEL_PATH forces), so
// that a forced path is compared with the peak of its own vector width.
KernelPath widest() { return lmc::nn::active_kernel_path(); }

// The timed part of the current thread's run: it starts at the first call of again() (after
// the warm-up) and lasts `timed_seconds`.
struct Timing {
  double seconds = 0;
  bool started = false;
  Clock::time_point wall_start, deadline;
  double cpu_start = 0;
};
thread_local Timing timing;

bool again() {
  const auto now = Clock::now();
  if (!timing.started) {
    timing.started = true;
    timing.wall_start = now;
    timing.cpu_start = thread_cpu_seconds();
    timing.deadline = now + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(timing.seconds));
  }
  return now < timing.deadline;
}

// Runs `work()` on each thread: it warms up, then works while again() says so and returns the
// FLOP of that timed part. Rates count the timed part only, by wall clock and thread CPU time.
PeakRate measure(int threads, double seconds, const std::function<double()>& work) {
  std::vector<double> flop(static_cast<std::size_t>(threads)), wall(flop.size()), cpu(flop.size());
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < flop.size(); ++t) {
    workers.emplace_back([&, t] {
      timing = Timing{};
      timing.seconds = seconds;
      flop[t] = work();
      wall[t] = std::chrono::duration<double>(Clock::now() - timing.wall_start).count();
      cpu[t] = thread_cpu_seconds() - timing.cpu_start;
    });
  }
  for (auto& w : workers) w.join();
  PeakRate rate;
  double all_flop = 0, all_cpu = 0;
  for (std::size_t t = 0; t < flop.size(); ++t) {
    rate.gflops += flop[t] / wall[t] / 1e9;
    all_flop += flop[t];
    all_cpu += cpu[t];
  }
  rate.gflops_per_cpu_second = all_flop / all_cpu / 1e9;
  return rate;
}

double fma_rounds(double (*loop)(long)) {
  constexpr long iterations = 1 << 20;
  loop(iterations);  // warm-up (clock ramp)
  double flop = 0;
  while (again()) flop += loop(iterations);
  return flop;
}

}  // namespace

const char* peak_vector_path() {
  switch (widest()) {
    case KernelPath::avx512: return "avx512";
    case KernelPath::avx2: return "avx2";
    case KernelPath::scalar: break;
  }
  return "sse2";
}

PeakRate fma_peak(int threads, double seconds) {
  double (*loop)(long) = detail::fma_loop_sse2;
  if (widest() == KernelPath::avx512) loop = detail::fma_loop_avx512;
  if (widest() == KernelPath::avx2) loop = detail::fma_loop_avx2;
  return measure(threads, seconds, [loop] { return fma_rounds(loop); });
}

PeakRate eigen_gemm_peak(int n, int threads, double seconds) {
  long (*gemm)(int, detail::KeepGoing) = nullptr;
  if (widest() == KernelPath::avx512) gemm = detail::eigen_gemm_avx512;
  if (widest() == KernelPath::avx2) gemm = detail::eigen_gemm_avx2;
  if (gemm == nullptr) return {};  // no vector build of Eigen for this CPU
  const double flop_per_gemm = 2.0 * n * n * n;
  return measure(threads, seconds,
                 [=] { return flop_per_gemm * static_cast<double>(gemm(n, again)); });
}

}  // namespace lmc_bench

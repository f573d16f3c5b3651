// A small fixed-size thread pool for data-parallel loops.
//
// Decoding one token runs about a hundred short loops (matrix-vector products of tens of
// microseconds each), so a worker that has finished its tasks spins for a short while
// (`spin_wait`) watching for the next loop before it sleeps on the condition variable, and the
// caller spins likewise for the workers to finish: waking a sleeping thread costs about as much
// as one such loop. On a machine whose cores are all taken by other work, spinning takes the core
// from the thread with work; LMC_THREAD_SPIN_US=0 then makes waiting threads sleep at once.
//
// A loop takes no lock while it runs: workers join it, take task indices and leave through
// atomics (a mutex contended by two threads puts one to sleep in the kernel, which cost short
// loops most of the worker's share), and the mutex serves only sleeping, waking and errors.
#pragma once

#include <lmc/version.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace base {

class ThreadPool {
 public:
  /// A pool of `n_threads` threads in all, counting the caller of parallel_for (so 1 means
  /// everything runs on the caller). 0 means one per hardware thread. Waiting threads spin
  /// for spin_wait_from_environment() before they sleep; Error(invalid_argument) for a bad
  /// LMC_THREAD_SPIN_US.
  explicit ThreadPool(std::size_t n_threads = 0);
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool();

  std::size_t size() const noexcept { return workers_.size() + 1; }

  /// Calls task(i) once for each i in [0, n_tasks), spread over the pool, and returns when
  /// all have finished. Which thread runs which i is unspecified: tasks must not depend on
  /// it. If tasks throw, the first exception is rethrown here after all tasks have stopped.
  /// A call from inside a task runs its tasks on the calling thread.
  void parallel_for(std::size_t n_tasks, const std::function<void(std::size_t)>& task);

  /// Number of hardware threads (at least 1).
  static std::size_t hardware_threads() noexcept;

  /// How long a thread of the pool watches for the next loop (a worker) or for the workers to
  /// finish (the caller) before it sleeps: the environment variable LMC_THREAD_SPIN_US, in
  /// microseconds (0 to 1000000), else 200. Error(invalid_argument) naming the variable for
  /// anything else.
  static std::chrono::microseconds spin_wait_from_environment();

  /// The spin of this pool (read from the environment when it was made).
  std::chrono::microseconds spin_wait() const noexcept { return spin_wait_; }

 private:
  void worker_loop();
  // Takes task indices of the current loop until none are left.
  void run_tasks();
  // Removes one worker from the current loop, waking the caller if it sleeps for the last one.
  void leave();
  // Ends the current loop if no worker is in it (then none can join any more).
  bool try_close();

  // state_: the loop's generation in the high 32 bits, `open` (workers may join) and the number
  // of workers in the loop below it.
  static constexpr std::uint64_t open_bit = std::uint64_t{1} << 31;
  static constexpr std::uint64_t busy_mask = open_bit - 1;
  static std::uint64_t generation_of(std::uint64_t state) { return state >> 32; }

  std::chrono::microseconds spin_wait_;
  std::vector<std::thread> workers_;
  std::mutex call_mutex_;  // one parallel_for at a time

  // The current loop: written by the caller before it opens the loop (a release store of
  // state_), read by the workers that join it; unchanged until it is closed.
  const std::function<void(std::size_t)>* task_ = nullptr;
  std::size_t n_tasks_ = 0;
  alignas(64) std::atomic<std::size_t> next_task_{0};
  alignas(64) std::atomic<std::uint64_t> state_{0};
  std::atomic<bool> failed_{false};
  std::atomic<bool> caller_sleeping_{false};
  std::atomic<bool> stopping_{false};

  std::mutex mutex_;  // sleeping, waking and errors
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  std::size_t sleeping_workers_ = 0;  // guarded by mutex_
  std::exception_ptr error_;          // guarded by mutex_
};

}  // namespace base
LMC_END_NAMESPACE

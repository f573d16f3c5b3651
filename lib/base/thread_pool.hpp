// A small fixed-size thread pool for data-parallel loops.
#pragma once

#include <lmc/version.hpp>

#include <condition_variable>
#include <cstddef>
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
  /// everything runs on the caller). 0 means one per hardware thread.
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

 private:
  void worker_loop();
  void run_tasks();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  std::mutex call_mutex_;  // one parallel_for at a time

  // State of the current parallel_for, guarded by mutex_.
  const std::function<void(std::size_t)>* task_ = nullptr;
  std::size_t n_tasks_ = 0;
  std::size_t next_task_ = 0;
  std::size_t busy_workers_ = 0;
  std::size_t generation_ = 0;
  std::exception_ptr error_;
  bool stopping_ = false;
};

}  // namespace base
LMC_END_NAMESPACE

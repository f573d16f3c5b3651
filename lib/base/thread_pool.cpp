#include "base/thread_pool.hpp"

LMC_BEGIN_NAMESPACE
namespace base {
namespace {
thread_local bool inside_pool_task = false;
}

std::size_t ThreadPool::hardware_threads() noexcept {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

ThreadPool::ThreadPool(std::size_t n_threads) {
  if (n_threads == 0) n_threads = hardware_threads();
  workers_.reserve(n_threads - 1);
  for (std::size_t i = 1; i < n_threads; ++i) {
    workers_.emplace_back([this] { worker_loop(); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& worker : workers_) worker.join();
}

// Takes task indices until none are left. Called with mutex_ unlocked.
void ThreadPool::run_tasks() {
  const bool was_inside = inside_pool_task;
  inside_pool_task = true;
  for (;;) {
    std::size_t index = 0;
    {
      std::lock_guard lock(mutex_);
      if (next_task_ >= n_tasks_ || error_) break;
      index = next_task_++;
    }
    try {
      (*task_)(index);
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }
  inside_pool_task = was_inside;
}

void ThreadPool::worker_loop() {
  std::size_t seen_generation = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [&] { return stopping_ || generation_ != seen_generation; });
      if (stopping_) return;
      seen_generation = generation_;
      ++busy_workers_;
    }
    run_tasks();
    {
      std::lock_guard lock(mutex_);
      --busy_workers_;
    }
    work_done_.notify_all();
  }
}

void ThreadPool::parallel_for(std::size_t n_tasks, const std::function<void(std::size_t)>& task) {
  if (n_tasks == 0) return;
  if (workers_.empty() || n_tasks == 1 || inside_pool_task) {
    for (std::size_t i = 0; i < n_tasks; ++i) task(i);
    return;
  }
  std::lock_guard call_lock(call_mutex_);
  {
    std::lock_guard lock(mutex_);
    task_ = &task;
    n_tasks_ = n_tasks;
    next_task_ = 0;
    error_ = nullptr;
    ++generation_;
  }
  work_ready_.notify_all();
  run_tasks();
  std::exception_ptr error;
  {
    std::unique_lock lock(mutex_);
    // Workers that woke late find no task left; wait until every one that joined is out.
    work_done_.wait(lock, [&] { return busy_workers_ == 0 && (next_task_ >= n_tasks_ || error_); });
    task_ = nullptr;
    n_tasks_ = 0;
    error = error_;
    error_ = nullptr;
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace base
LMC_END_NAMESPACE

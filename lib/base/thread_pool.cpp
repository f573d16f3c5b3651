#include "base/thread_pool.hpp"

#include "base/fail.hpp"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

LMC_BEGIN_NAMESPACE
namespace base {
namespace {
thread_local bool inside_pool_task = false;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins until done() or `limit` has passed; returns done().
template <typename Done>
bool spin_until(Done done, std::chrono::microseconds limit) {
  if (limit.count() == 0) return done();
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() - start >= limit) return done();
  }
}
}  // namespace

std::size_t ThreadPool::hardware_threads() noexcept {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

std::chrono::microseconds ThreadPool::spin_wait_from_environment() {
  constexpr std::int64_t default_us = 200, most_us = 1'000'000;
  const char* text = std::getenv("LMC_THREAD_SPIN_US");
  if (text == nullptr || *text == '\0') return std::chrono::microseconds(default_us);
  const std::string_view value(text);
  std::int64_t us = -1;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), us);
  if (error != std::errc() || end != value.data() + value.size() || us < 0 || us > most_us) {
    fail(ErrorCode::invalid_argument,
         "environment variable LMC_THREAD_SPIN_US={}: expected a whole number of microseconds "
         "from 0 to {}",
         value, most_us);
  }
  return std::chrono::microseconds(us);
}

ThreadPool::ThreadPool(std::size_t n_threads) : spin_wait_(spin_wait_from_environment()) {
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
    // Ends the spin of workers watching for the next loop (they then see stopping_).
    generation_.store(generation_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
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
    // The next loop usually comes within microseconds: watch for it before sleeping.
    spin_until([&] { return generation_.load(std::memory_order_acquire) != seen_generation; },
               spin_wait_);
    {
      std::unique_lock lock(mutex_);
      if (!stopping_ && generation_.load(std::memory_order_relaxed) == seen_generation) {
        ++sleeping_workers_;
        work_ready_.wait(lock, [&] {
          return stopping_ || generation_.load(std::memory_order_relaxed) != seen_generation;
        });
        --sleeping_workers_;
      }
      if (stopping_) return;
      seen_generation = generation_.load(std::memory_order_relaxed);
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
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    task_ = &task;
    n_tasks_ = n_tasks;
    next_task_ = 0;
    error_ = nullptr;
    generation_.store(generation_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    wake = sleeping_workers_ > 0;
  }
  if (wake) work_ready_.notify_all();
  run_tasks();
  // Every task is taken: watch the workers finish theirs before sleeping. A worker that joins
  // later finds no task left, and the wait below waits for it.
  spin_until([&] { return busy_workers_.load(std::memory_order_acquire) == 0; }, spin_wait_);
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

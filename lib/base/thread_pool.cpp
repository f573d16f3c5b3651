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
    stopping_.store(true);
  }
  work_ready_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void ThreadPool::run_tasks() {
  const bool was_inside = inside_pool_task;
  inside_pool_task = true;
  const std::function<void(std::size_t)>& task = *task_;
  const std::size_t n_tasks = n_tasks_;
  while (!failed_.load(std::memory_order_relaxed)) {
    const std::size_t index = next_task_.fetch_add(1, std::memory_order_relaxed);
    if (index >= n_tasks) break;
    try {
      task(index);
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
      failed_.store(true, std::memory_order_relaxed);
    }
  }
  inside_pool_task = was_inside;
}

void ThreadPool::leave() {
  // Sequentially consistent with the caller's caller_sleeping_ store and its load of state_ in
  // try_close: either the caller sees this worker gone or this worker sees the caller asleep.
  const std::uint64_t before = state_.fetch_sub(1);
  if ((before & busy_mask) == 1 && caller_sleeping_.load()) {
    { std::lock_guard lock(mutex_); }
    work_done_.notify_one();
  }
}

bool ThreadPool::try_close() {
  std::uint64_t state = state_.load();
  if ((state & busy_mask) != 0) return false;
  return state_.compare_exchange_strong(state, state & ~open_bit);
}

void ThreadPool::worker_loop() {
  std::uint64_t seen_generation = 0;
  auto changed = [&] {
    return stopping_.load(std::memory_order_relaxed) ||
           generation_of(state_.load(std::memory_order_acquire)) != seen_generation;
  };
  for (;;) {
    // The next loop usually comes within microseconds: watch for it before sleeping.
    if (!spin_until(changed, spin_wait_)) {
      std::unique_lock lock(mutex_);
      ++sleeping_workers_;
      work_ready_.wait(lock, changed);
      --sleeping_workers_;
    }
    if (stopping_.load(std::memory_order_acquire)) return;
    std::uint64_t state = state_.load(std::memory_order_acquire);
    seen_generation = generation_of(state);
    // Join unless the caller has closed the loop already (it then ran every task itself).
    bool joined = false;
    while ((state & open_bit) != 0 && generation_of(state) == seen_generation) {
      if (state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
        joined = true;
        break;
      }
    }
    if (!joined) continue;
    run_tasks();
    leave();
  }
}

void ThreadPool::parallel_for(std::size_t n_tasks, const std::function<void(std::size_t)>& task) {
  if (n_tasks == 0) return;
  if (workers_.empty() || n_tasks == 1 || inside_pool_task) {
    for (std::size_t i = 0; i < n_tasks; ++i) task(i);
    return;
  }
  std::lock_guard call_lock(call_mutex_);
  // No worker is in a loop now (the last one was closed), so these are the caller's to write.
  task_ = &task;
  n_tasks_ = n_tasks;
  next_task_.store(0, std::memory_order_relaxed);
  failed_.store(false, std::memory_order_relaxed);
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    const std::uint64_t generation = (generation_of(state_.load()) + 1) & 0xffffffffu;
    state_.store((generation << 32) | open_bit, std::memory_order_release);
    wake = sleeping_workers_ > 0;
  }
  if (wake) work_ready_.notify_all();
  run_tasks();
  // Every task is taken: watch the workers finish theirs before sleeping. A worker that comes
  // after the loop is closed does not join it.
  if (!spin_until([&] { return try_close(); }, spin_wait_)) {
    std::unique_lock lock(mutex_);
    caller_sleeping_.store(true);
    work_done_.wait(lock, [&] { return try_close(); });
    caller_sleeping_.store(false);
  }
  std::exception_ptr error;
  if (failed_.load(std::memory_order_relaxed)) {
    std::lock_guard lock(mutex_);
    error = error_;
    error_ = nullptr;
  }
  task_ = nullptr;
  n_tasks_ = 0;
  if (error) std::rethrow_exception(error);
}

}  // namespace base
LMC_END_NAMESPACE

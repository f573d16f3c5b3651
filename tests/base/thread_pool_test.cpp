#include "base/thread_pool.hpp"

#include "support/scoped_environment.hpp"

#include <lmc/error.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

TEST(ThreadPool, RunsEveryTaskExactlyOnce) {
  for (std::size_t threads : {1u, 2u, 4u}) {
    lmc::base::ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int round = 0; round < 20; ++round) {
      std::vector<std::atomic<int>> hits(1000);
      pool.parallel_for(hits.size(), [&](std::size_t i) { hits[i].fetch_add(1); });
      for (auto& hit : hits) ASSERT_EQ(hit.load(), 1);
    }
  }
}

TEST(ThreadPool, RethrowsTheFirstException) {
  lmc::base::ThreadPool pool(3);
  EXPECT_THROW(pool.parallel_for(100,
                                 [](std::size_t i) {
                                   if (i == 37) throw std::runtime_error("task 37");
                                 }),
               std::runtime_error);
  // The pool is still usable afterwards.
  std::atomic<int> sum = 0;
  pool.parallel_for(10, [&](std::size_t i) { sum += static_cast<int>(i); });
  EXPECT_EQ(sum.load(), 45);
}

TEST(ThreadPool, NestedCallsRunInline) {
  lmc::base::ThreadPool pool(2);
  std::atomic<int> count = 0;
  pool.parallel_for(4, [&](std::size_t) { pool.parallel_for(5, [&](std::size_t) { ++count; }); });
  EXPECT_EQ(count.load(), 20);
}

// Two tasks that each wait (up to 10 s) for the other to start: they finish together only if a
// worker runs one while the caller runs the other. Returns the number of distinct threads.
std::size_t threads_meeting(lmc::base::ThreadPool& pool) {
  std::atomic<int> arrived = 0;
  std::mutex mutex;
  std::set<std::thread::id> ids;
  pool.parallel_for(2, [&](std::size_t) {
    {
      std::lock_guard lock(mutex);
      ids.insert(std::this_thread::get_id());
    }
    ++arrived;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (arrived.load() < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
  });
  return ids.size();
}

TEST(ThreadPool, WorkersJoinWhetherSpinningOrAsleep) {
  lmc::base::ThreadPool pool(2);
  // Back to back: the worker is still watching for the next loop.
  for (int round = 0; round < 50; ++round) ASSERT_EQ(threads_meeting(pool), 2u) << round;
  // After a pause far longer than the spin: the worker sleeps and must be woken.
  for (int round = 0; round < 5; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_EQ(threads_meeting(pool), 2u) << round;
  }
}

// Sets LMC_THREAD_SPIN_US for one test and restores what the process had.
struct SpinVariable : lmc_test::ScopedEnvironment {
  explicit SpinVariable(const char* value) : ScopedEnvironment("LMC_THREAD_SPIN_US", value) {}
};

TEST(ThreadPool, SpinComesFromTheEnvironment) {
  {
    SpinVariable spin("");
    EXPECT_EQ(lmc::base::ThreadPool(2).spin_wait(), std::chrono::microseconds(200));
  }
  {
    SpinVariable spin("0");
    lmc::base::ThreadPool pool(2);
    EXPECT_EQ(pool.spin_wait(), std::chrono::microseconds(0));
    // Without spinning every loop wakes the sleeping worker, and both threads still meet.
    for (int round = 0; round < 20; ++round) ASSERT_EQ(threads_meeting(pool), 2u) << round;
  }
  {
    SpinVariable spin("1000000");
    EXPECT_EQ(lmc::base::ThreadPool(2).spin_wait(), std::chrono::microseconds(1'000'000));
  }
}

TEST(ThreadPool, BadSpinIsAnErrorNamingTheVariable) {
  for (const char* bad : {"-1", "1000001", "20us", "abc", " 5", "1e3"}) {
    SpinVariable spin(bad);
    try {
      lmc::base::ThreadPool pool(2);
      ADD_FAILURE() << "accepted LMC_THREAD_SPIN_US=" << bad;
    } catch (const lmc::Error& error) {
      EXPECT_EQ(error.code(), lmc::ErrorCode::invalid_argument) << bad;
      EXPECT_NE(std::string(error.what()).find("LMC_THREAD_SPIN_US=" + std::string(bad)),
                std::string::npos)
          << error.what();
    }
  }
}

TEST(ThreadPool, ZeroMeansHardware) {
  lmc::base::ThreadPool pool(0);
  EXPECT_EQ(pool.size(), lmc::base::ThreadPool::hardware_threads());
}

}  // namespace

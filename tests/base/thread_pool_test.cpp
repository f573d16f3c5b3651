#include "base/thread_pool.hpp"

#include <lmc/error.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <stdexcept>
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

TEST(ThreadPool, ZeroMeansHardware) {
  lmc::base::ThreadPool pool(0);
  EXPECT_EQ(pool.size(), lmc::base::ThreadPool::hardware_threads());
}

}  // namespace

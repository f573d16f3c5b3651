// Window accounting in both modes. Every expected window below is written out by hand from the
// rules of issue 6 and the released code of the paper (hkust-nlp/llm-compression-intelligence,
// code/evaluation/packed_dataset.py): a window of block_size + 1 tokens starting every stride
// tokens, floor((N - block_size - 1) / stride + 1) windows, targets masked to those after the
// previous window's end.
#include <lmc/error.hpp>

#include "eval/window_plan.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <vector>

namespace {

using lmc::eval::PlanMode;
using lmc::eval::Window;
using lmc::eval::WindowGrid;

std::vector<Window> plan(PlanMode mode, std::uint64_t n, std::uint64_t context,
                         std::uint64_t stride) {
  const WindowGrid grid{context, stride};
  std::vector<Window> windows;
  for (std::uint64_t k = 0; k < grid.window_count(mode, n); ++k)
    windows.push_back(grid.window(k, n));
  return windows;
}

// Scored positions in the order the windows score them.
std::vector<std::uint64_t> targets(const std::vector<Window>& windows) {
  std::vector<std::uint64_t> out;
  for (const Window& w : windows) {
    for (std::uint64_t t = w.first_target; t < w.end; ++t) out.push_back(t);
  }
  return out;
}

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t t = first; t <= last; ++t) out.push_back(t);
  return out;
}

// context 4, stride 2: a window spans 5 tokens.
TEST(WindowPlan, BelowTheWindow) {
  // N = 3 < 5: paper has no window at all (the released code gets a length of
  // floor(-2/2 + 1) = 0); exact scores tokens 1 and 2 from one short window.
  EXPECT_TRUE(plan(PlanMode::paper, 3, 4, 2).empty());
  EXPECT_EQ(plan(PlanMode::exact, 3, 4, 2), (std::vector<Window>{{0, 1, 3}}));
  // N = 4 = context: still no full window in paper mode (floor(-1/2 + 1) = 0).
  EXPECT_TRUE(plan(PlanMode::paper, 4, 4, 2).empty());
  EXPECT_EQ(plan(PlanMode::exact, 4, 4, 2), (std::vector<Window>{{0, 1, 4}}));
  // Nothing to score in 0 or 1 token.
  EXPECT_TRUE(plan(PlanMode::exact, 1, 4, 2).empty());
  EXPECT_TRUE(plan(PlanMode::exact, 0, 4, 2).empty());
}

TEST(WindowPlan, EqualToTheWindow) {
  // N = 5 = context + 1: one full window, targets 1..4, in both modes.
  const std::vector<Window> one = {{0, 1, 5}};
  EXPECT_EQ(plan(PlanMode::paper, 5, 4, 2), one);
  EXPECT_EQ(plan(PlanMode::exact, 5, 4, 2), one);
  // N = 6: paper still has 1 window (floor(1/2 + 1) = 1) and drops token 5; exact adds a
  // window [2, 6) scoring it.
  EXPECT_EQ(plan(PlanMode::paper, 6, 4, 2), one);
  EXPECT_EQ(plan(PlanMode::exact, 6, 4, 2), (std::vector<Window>{{0, 1, 5}, {2, 5, 6}}));
}

TEST(WindowPlan, FarAboveTheWindow) {
  // N = 20: paper has floor(15/2 + 1) = 8 windows and drops the last token (19).
  const std::vector<Window> paper = {{0, 1, 5},   {2, 5, 7},    {4, 7, 9},    {6, 9, 11},
                                     {8, 11, 13}, {10, 13, 15}, {12, 15, 17}, {14, 17, 19}};
  EXPECT_EQ(plan(PlanMode::paper, 20, 4, 2), paper);
  EXPECT_EQ(targets(paper), range(1, 18));
  std::vector<Window> exact = paper;
  exact.push_back({16, 19, 20});
  EXPECT_EQ(plan(PlanMode::exact, 20, 4, 2), exact);
  EXPECT_EQ(targets(exact), range(1, 19));
  // N = 21: (21 - 5) is a multiple of 2, so nothing is dropped and both modes agree.
  EXPECT_EQ(plan(PlanMode::paper, 21, 4, 2).size(), 9u);
  EXPECT_EQ(plan(PlanMode::exact, 21, 4, 2), plan(PlanMode::paper, 21, 4, 2));
  EXPECT_EQ(targets(plan(PlanMode::exact, 21, 4, 2)), range(1, 20));
}

TEST(WindowPlan, StrideEqualToContextHasNoOverlapOfTargets) {
  // context 3, stride 3, N = 11: windows [0,4) [3,7) [6,10), and exact adds [9,11).
  EXPECT_EQ(plan(PlanMode::paper, 11, 3, 3),
            (std::vector<Window>{{0, 1, 4}, {3, 4, 7}, {6, 7, 10}}));
  EXPECT_EQ(plan(PlanMode::exact, 11, 3, 3),
            (std::vector<Window>{{0, 1, 4}, {3, 4, 7}, {6, 7, 10}, {9, 10, 11}}));
}

TEST(WindowPlan, PaperDefaults) {
  // context 1900, stride 512. N = 1901 + 3 * 512 + 100 = 3537: 4 full windows scoring
  // 1900 + 3 * 512 = 3436 tokens; paper drops the last 100, exact scores all 3536.
  const auto paper = plan(PlanMode::paper, 3537, 1900, 512);
  ASSERT_EQ(paper.size(), 4u);
  EXPECT_EQ(paper[1], (Window{512, 1901, 2413}));
  EXPECT_EQ(paper[3], (Window{1536, 2925, 3437}));
  EXPECT_EQ(targets(paper).size(), 3436u);
  const auto exact = plan(PlanMode::exact, 3537, 1900, 512);
  ASSERT_EQ(exact.size(), 5u);
  EXPECT_EQ(exact[4], (Window{2048, 3437, 3537}));
  EXPECT_EQ(targets(exact), range(1, 3536));
  // N = 1901 + 511: the most paper mode ever drops, 511 tokens.
  EXPECT_EQ(targets(plan(PlanMode::paper, 2412, 1900, 512)).size(), 1900u);
  EXPECT_EQ(targets(plan(PlanMode::exact, 2412, 1900, 512)).size(), 2411u);
  // Every scored target after the first window sees at least 1900 - 512 + 1 = 1389 tokens.
  for (const Window& w : exact) {
    if (w.begin > 0) {
      EXPECT_GE(w.first_target - w.begin, 1389u);
    }
  }
}

TEST(WindowPlan, EveryTargetOnceInExactModeForManyShapes) {
  for (std::uint64_t context : {1, 2, 5, 16}) {
    for (std::uint64_t stride = 1; stride <= context; ++stride) {
      for (std::uint64_t n = 0; n < 60; ++n) {
        const auto scored = targets(plan(PlanMode::exact, n, context, stride));
        EXPECT_EQ(scored, n < 2 ? std::vector<std::uint64_t>{} : range(1, n - 1))
            << "context " << context << " stride " << stride << " n " << n;
      }
    }
  }
}

TEST(WindowPlan, RejectsBadContextAndStride) {
  EXPECT_THROW((WindowGrid{0, 1}.validate()), lmc::Error);
  EXPECT_THROW((WindowGrid{4, 0}.validate()), lmc::Error);
  EXPECT_THROW((WindowGrid{4, 5}.validate()), lmc::Error);
  EXPECT_NO_THROW((WindowGrid{4, 4}.validate()));
}

}  // namespace

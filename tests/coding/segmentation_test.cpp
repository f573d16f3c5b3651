#include "coding/segmentation.hpp"

#include "support/fake_model.hpp"

#include <gtest/gtest.h>

namespace {

using lmc_test::english_sample;
using lmc_test::FakeModel;

// Every byte covered once, in order; model segments reproduce their text.
void expect_cover(const FakeModel& model, std::string_view text,
                  const std::vector<lmc::coding::Segment>& segments) {
  std::size_t next = 0;
  for (const auto& segment : segments) {
    ASSERT_EQ(segment.begin, next);
    ASSERT_GT(segment.size, 0u);
    if (segment.model) {
      EXPECT_EQ(model.decode(segment.tokens), text.substr(segment.begin, segment.size));
    }
    next += segment.size;
  }
  EXPECT_EQ(next, text.size());
}

TEST(Segmentation, CleanTextIsOneModelSegment) {
  FakeModel model(english_sample());
  auto segments = lmc::coding::split_into_segments(model, english_sample());
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_TRUE(segments[0].model);
  expect_cover(model, english_sample(), segments);
  EXPECT_TRUE(lmc::coding::split_into_segments(model, "").empty());
}

TEST(Segmentation, WhatTheTokenizerChangesIsEscaped) {
  FakeModel model(english_sample());
  using namespace std::string_literals;
  std::string text =
      "first line\nsecond  line with spaces\r\nthird \xff line\nfourth\0line\nfifth\0 ok"s;
  auto segments = lmc::coding::split_into_segments(model, text);
  expect_cover(model, text, segments);
  std::string escaped;
  for (const auto& segment : segments) {
    if (segment.model) continue;
    escaped += '[';
    escaped.append(text, segment.begin, segment.size);
    escaped += ']';
  }
  // The collapsed double space and the CR LF cost only their words; the invalid byte only itself.
  EXPECT_EQ(escaped, "[  line][\r\n][\xff][fourth\0line][fifth\0]"s);
}

}  // namespace

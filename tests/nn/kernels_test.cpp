// Element-wise kernels, norms, RoPE, softmax and attention against hand-computed values and
// naive double-precision references.
#include "nn/attention.hpp"
#include "nn/elementwise.hpp"
#include "nn/normalization.hpp"
#include "nn/rope.hpp"
#include "nn/softmax.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

using namespace lmc::nn;

TEST(Elementwise, ExpAndLogMatchLibmToDoublePrecision) {
  for (double x : {-700.0, -20.5, -1.0, -1e-9, 0.0, 0.3, 1.0, 2.5, 88.0, 700.0}) {
    EXPECT_NEAR(exp_fixed(x) / std::exp(x), 1.0, 4e-16) << x;
  }
  EXPECT_EQ(exp_fixed(-800.0), 0.0);
  EXPECT_EQ(exp_fixed(0.0), 1.0);
  for (double x : {1e-300, 1e-5, 0.5, 0.7071, 1.0, 1.5, 2.0, 10.0, 12345.678, 1e300}) {
    EXPECT_NEAR(log_fixed(x), std::log(x), 1e-15 * std::max(1.0, std::abs(std::log(x)))) << x;
  }
  for (double x : {-30.0, -2.0, -0.5, -1e-7, 0.0, 1e-3, 0.7, 3.0}) {
    EXPECT_NEAR(tanh_fixed(x), std::tanh(x), 1e-15) << x;
  }
}

TEST(Elementwise, FloatExpIsAccurateAndSafeAtTheEnds) {
  std::vector<float> x;
  for (float v = -100.0f; v <= 88.0f; v += 0.37f) x.push_back(v);
  std::vector<float> e = x;
  exp_in_place(e.data(), e.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] < -87.0f) {
      EXPECT_LT(e[i], 1.7e-38f);
    } else {
      EXPECT_NEAR(e[i] / std::exp(static_cast<double>(x[i])), 1.0, 3e-7) << x[i];
    }
  }
}

TEST(Elementwise, SiluAndGelu) {
  std::vector<float> x = {-3.0f, -0.5f, 0.0f, 0.5f, 3.0f};
  std::vector<float> s = x, g = x;
  silu(s.data(), s.size());
  gelu_tanh(g.data(), g.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    EXPECT_NEAR(s[i], v / (1 + std::exp(-v)), 3e-7 * std::abs(v) + 1e-9);
    EXPECT_NEAR(g[i], 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))),
                1e-7);
  }
  // GELU(1) by hand: 0.5·(1 + tanh(0.7978846·1.044715)) = 0.841192
  std::vector<float> one = {1.0f};
  gelu_tanh(one.data(), 1);
  EXPECT_NEAR(one[0], 0.841192, 1e-6);
  std::vector<float> capped = {100.0f, -1.0f};
  soft_cap(capped.data(), 2, 5.0f);
  EXPECT_NEAR(capped[0], 5.0, 1e-6);
  EXPECT_NEAR(capped[1], 5.0 * std::tanh(-0.2), 1e-7);
}

TEST(Normalization, RmsAndLayerNormByHand) {
  // x = (1, 2, 3, 4): mean square 7.5; eps 0.5 → scale 1/sqrt(8) .
  const std::vector<float> x = {1, 2, 3, 4}, w = {1, 2, 1, 0.5f}, b = {0, 1, 0, -1};
  std::vector<float> out(4);
  rms_norm(x.data(), w.data(), 0.5f, 4, out.data());
  const double s = 1 / std::sqrt(8.0);
  EXPECT_NEAR(out[0], 1 * s, 1e-7);
  EXPECT_NEAR(out[1], 4 * s, 1e-7);
  EXPECT_NEAR(out[3], 2 * s, 1e-7);
  // mean 2.5, biased variance 1.25, eps 0.75 → scale 1/sqrt(2).
  layer_norm(x.data(), w.data(), b.data(), 0.75f, 4, out.data());
  const double r = 1 / std::sqrt(2.0);
  EXPECT_NEAR(out[0], -1.5 * r, 1e-7);
  EXPECT_NEAR(out[1], -0.5 * r * 2 + 1, 1e-7);
  EXPECT_NEAR(out[3], 1.5 * r * 0.5 - 1, 1e-7);
}

TEST(Softmax, LogSoftmaxIsSafeForLargeValues) {
  const std::vector<float> x = {1000.0f, 1001.0f, 999.0f};
  std::vector<float> out(3);
  log_softmax(x.data(), 3, out.data());
  const double z = std::log(std::exp(-1.0) + 1.0 + std::exp(-2.0));
  EXPECT_NEAR(out[1], -z, 1e-6);
  EXPECT_NEAR(out[0], -1 - z, 1e-6);
  std::vector<float> p = x;
  softmax(p.data(), 3);
  EXPECT_NEAR(p[0] + p[1] + p[2], 1.0, 1e-6);
  EXPECT_NEAR(p[2], std::exp(-2.0 - z), 1e-7);
}

TEST(Rope, AdjacentAndHalfSplitPairs) {
  RopeConfig config;
  config.rotated_dims = 4;
  config.base = 100.0;
  const std::size_t position = 3;
  // θ_0 = 3, θ_1 = 3·100^(-1/2) = 0.3
  const double t0 = 3.0, t1 = 0.3;
  std::vector<float> head = {1, 2, 3, 4, 5, 6};  // dims 4 and 5 pass through
  {
    config.pairing = RopePairing::adjacent;
    RopeTable table(config, &position, 1);
    std::vector<float> x = head;
    table.apply(0, x.data(), 1, 6);
    EXPECT_NEAR(x[0], 1 * std::cos(t0) - 2 * std::sin(t0), 1e-6);
    EXPECT_NEAR(x[1], 1 * std::sin(t0) + 2 * std::cos(t0), 1e-6);
    EXPECT_NEAR(x[2], 3 * std::cos(t1) - 4 * std::sin(t1), 1e-6);
    EXPECT_NEAR(x[3], 3 * std::sin(t1) + 4 * std::cos(t1), 1e-6);
    EXPECT_EQ(x[4], 5);
    EXPECT_EQ(x[5], 6);
  }
  {
    config.pairing = RopePairing::half_split;
    RopeTable table(config, &position, 1);
    std::vector<float> x = head;
    table.apply(0, x.data(), 1, 6);
    EXPECT_NEAR(x[0], 1 * std::cos(t0) - 3 * std::sin(t0), 1e-6);
    EXPECT_NEAR(x[2], 1 * std::sin(t0) + 3 * std::cos(t0), 1e-6);
    EXPECT_NEAR(x[1], 2 * std::cos(t1) - 4 * std::sin(t1), 1e-6);
    EXPECT_NEAR(x[3], 2 * std::sin(t1) + 4 * std::cos(t1), 1e-6);
  }
}

TEST(Rope, YarnRampAndAttentionFactor) {
  // Four pairs; YaRN interpolates pairs past the correction range fully (×freq_scale), keeps
  // those before it, and mixes linearly in between; cos and sin are scaled by the factor.
  RopeConfig config;
  config.pairing = RopePairing::adjacent;
  config.rotated_dims = 8;
  config.base = 10000.0;
  config.freq_scale = 0.25;
  config.yarn_ext_factor = 1.0;
  config.yarn_low = 1.0;
  config.yarn_high = 3.0;
  config.attention_factor = 1.5;
  const std::size_t position = 7;
  RopeTable table(config, &position, 1);
  std::vector<float> x = {1, 0, 1, 0, 1, 0, 1, 0};
  table.apply(0, x.data(), 1, 8);
  // ramp r_i (weight of the unscaled frequency): 1, 1, 0.5, 0
  const double r[4] = {1.0, 1.0, 0.5, 0.0};
  for (int i = 0; i < 4; ++i) {
    const double w = std::pow(10000.0, -2.0 * i / 8.0);
    const double omega = w * 0.25 * (1 - r[i]) + w * r[i];
    EXPECT_NEAR(x[2 * i], 1.5 * std::cos(7 * omega), 1e-6) << i;
    EXPECT_NEAR(x[2 * i + 1], 1.5 * std::sin(7 * omega), 1e-6) << i;
  }
}

TEST(Rope, YarnCorrectionRange) {
  // d·ln(L / (2π·β)) / (2 ln base) for d = 64, L = 4096, base 10000: β = 32 → 10.47,
  // β = 1 → 22.51; truncated: 10 and 23.
  const auto [low, high] = yarn_correction_range(64, 10000.0, 4096.0, 32.0, 1.0, true);
  EXPECT_EQ(low, 10.0);
  EXPECT_EQ(high, 23.0);
  const auto [raw_low, raw_high] = yarn_correction_range(64, 10000.0, 4096.0, 32.0, 1.0, false);
  EXPECT_NEAR(raw_low, 64 * std::log(4096 / (64 * 3.141592653589793)) / (2 * std::log(10000.0)),
              1e-12);
  EXPECT_NEAR(raw_high, 64 * std::log(4096 / (2 * 3.141592653589793)) / (2 * std::log(10000.0)),
              1e-12);
  EXPECT_EQ(yarn_correction_range(8, 10000.0, 1e9, 1.0, 1.0, true).second, 7.0);  // clamped
}

TEST(Elementwise, ErfAndExactGelu) {
  // Against the C library's erf (used only here, as the reference).
  for (double x = -7.0; x <= 7.0; x += 0.03125) {
    EXPECT_NEAR(erf_fixed(x), std::erf(x), 2e-15) << x;
  }
  std::vector<float> v = {-3.0f, -0.5f, 0.0f, 0.7f, 2.5f};
  std::vector<float> g = v;
  gelu_erf(g.data(), g.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double x = v[i];
    EXPECT_NEAR(g[i], 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))), 1e-7) << x;
  }
}

// Naive double attention for one query head.
std::vector<double> naive_attention(const AttentionConfig& c, const std::vector<float>& q,
                                    std::size_t t, std::size_t first, const std::vector<float>& k,
                                    const std::vector<float>& v, std::size_t h) {
  const std::size_t kv = h / (c.n_heads / c.n_kv_heads);
  const std::size_t last = first + t;
  std::vector<double> scores;
  std::vector<std::size_t> visible;
  for (std::size_t j = 0; j <= last; ++j) {
    if (c.window > 0 && last - j >= c.window) continue;
    double s = 0;
    for (std::size_t d = 0; d < c.key_dim; ++d) {
      s += static_cast<double>(q[t * c.n_heads * c.key_dim + h * c.key_dim + d]) *
           k[j * c.n_kv_heads * c.key_dim + kv * c.key_dim + d];
    }
    s *= c.scale;
    if (c.soft_cap > 0) s = c.soft_cap * std::tanh(s / c.soft_cap);
    scores.push_back(s);
    visible.push_back(j);
  }
  double max = scores[0];
  for (double s : scores) max = std::max(max, s);
  double sum = 0;
  for (double& s : scores) sum += (s = std::exp(s - max));
  std::vector<double> out(c.value_dim, 0.0);
  for (std::size_t i = 0; i < visible.size(); ++i) {
    for (std::size_t d = 0; d < c.value_dim; ++d) {
      out[d] += scores[i] / sum * v[visible[i] * c.n_kv_heads * c.value_dim + kv * c.value_dim + d];
    }
  }
  return out;
}

TEST(Attention, GroupedQueryWindowAndSoftCapMatchNaiveReference) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  AttentionConfig c{6, 2, 8, 5, 0.4f, 2.5f, 4};
  const std::size_t first = 3, n = 5, total = first + n;
  std::vector<float> q(n * c.n_heads * c.key_dim), k(total * c.n_kv_heads * c.key_dim),
      v(total * c.n_kv_heads * c.value_dim);
  for (float& x : q) x = normal(rng);
  for (float& x : k) x = normal(rng);
  for (float& x : v) x = normal(rng);
  std::vector<float> out(n * c.n_heads * c.value_dim);
  lmc::base::ThreadPool pool(2);
  causal_attention(c, q.data(), c.n_heads * c.key_dim, n, first, k.data(), v.data(), out.data(),
                   &pool);
  for (std::size_t t = 0; t < n; ++t) {
    for (std::size_t h = 0; h < c.n_heads; ++h) {
      const auto expected = naive_attention(c, q, t, first, k, v, h);
      for (std::size_t d = 0; d < c.value_dim; ++d) {
        EXPECT_NEAR(out[t * c.n_heads * c.value_dim + h * c.value_dim + d], expected[d], 2e-6);
      }
    }
  }
}

}  // namespace

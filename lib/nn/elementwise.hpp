// Element-wise functions of the forward pass: exp, SiLU, tanh-GELU, soft-capping, and a
// dispatched axpy. All are written without libm so that their results are the same on every
// machine, and in double where accuracy needs it (see docs/forward_pass.md).
#pragma once

#include <lmc/version.hpp>

#include <cstddef>

LMC_BEGIN_NAMESPACE
namespace nn {

/// e^x in double, from a fixed range reduction and polynomial (relative error < 1e-15);
/// 0 below -745, +inf above 709.
double exp_fixed(double x);

/// ln x for x > 0 in double (relative error < 1e-15), from a fixed reduction and series.
double log_fixed(double x);

/// tanh in double built on exp_fixed.
double tanh_fixed(double x);

/// e^x for each of n floats in place, in float arithmetic: a fixed sequence of IEEE
/// operations per element (range reduction, degree-7 polynomial, exponent scaling), relative
/// error < 3e-7, identical on every SIMD path (the compiler may vectorize it, never reorder it).
/// Inputs below -87 give 0.
void exp_in_place(float* x, std::size_t n);

/// x · σ(x), in place.
void silu(float* x, std::size_t n);

/// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), in place.
void gelu_tanh(float* x, std::size_t n);

/// erf in double without libm: its Maclaurin series below 2, the Laplace continued fraction of
/// erfc (fixed depth) up to 6, ±1 beyond (absolute error < 1e-15).
double erf_fixed(double x);

/// The exact GELU 0.5·x·(1 + erf(x/√2)) (PyTorch's default nn.GELU), in place.
void gelu_erf(float* x, std::size_t n);

/// x → cap·tanh(x / cap), in place.
void soft_cap(float* x, std::size_t n, float cap);

/// y[i] = fma(a, x[i], y[i]) for i < n: every path gives the same bits.
void axpy(float a, const float* x, float* y, std::size_t n);

/// out[i] = fma(w[count-1], rows[count-1][i], … fma(w[0], rows[0][i], out[i])) for i < n: rows
/// taken in order j = 0..count-1, row j at rows + j·stride. Every path gives the same bits.
void weighted_row_sum(const float* w, const float* rows, std::size_t stride, std::size_t count,
                      float* out, std::size_t n);

}  // namespace nn
LMC_END_NAMESPACE

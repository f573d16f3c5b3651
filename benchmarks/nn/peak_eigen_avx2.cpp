// Eigen's GEMM built for avx2 (this file alone gets the instruction-set flags, see
// CMakeLists.txt). Eigen's namespace is renamed so that its templates, instantiated here with
// these flags, cannot be merged by the linker with a build for other instructions; the file
// holds nothing else, so no other inline code is compiled with the flags.
#define Eigen EigenPeakAvx2
// GCC 12 reports its own avx512fintrin.h "undefined" vectors as uninitialized.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Core>

#include "peak_internal.hpp"

long lmc_bench::detail::eigen_gemm_avx2(int n, KeepGoing again) {
  const EigenPeakAvx2::MatrixXf a = EigenPeakAvx2::MatrixXf::Random(n, n),
                                b = EigenPeakAvx2::MatrixXf::Random(n, n);
  EigenPeakAvx2::MatrixXf c(n, n);
  c.noalias() = a * b;
  long done = 0;
  while (again()) {
    c.noalias() = a * b;
    ++done;
  }
  sink(c(0, 0));
  return done;
}

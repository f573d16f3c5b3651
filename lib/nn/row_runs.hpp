// How the decoding kernels (1 to 5 tokens) walk a task's rows when they put several side by
// side: rows [n_begin, n_end) are cut into R runs of equal length and a tile takes the i-th
// row of every run, so that the weights stream through R long sequential runs, which the
// hardware prefetchers follow (R neighbouring rows instead began R − 1 new streams a row long
// in every tile, which they did not); the rows left over go one at a time. matmul_avx2.cpp and
// float_rows_avx2.cpp share it, each including it inside its AVX2 target region so that the
// loop is compiled for AVX2 and inlines the tiles.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>

LMC_BEGIN_NAMESPACE
namespace nn::detail {

/// Calls tile.template operator()<R>(rows) with the R row numbers of each tile of runs, then
/// tile.template operator()<1>(&n) for each row n left over.
template <int R, typename Tile>
inline void for_each_run_tile(std::size_t n_begin, std::size_t n_end, Tile&& tile) {
  const std::size_t run = (n_end - n_begin) / R;
  for (std::size_t i = 0; i < run; ++i) {
    std::size_t rows[R];
    for (int j = 0; j < R; ++j) rows[j] = n_begin + j * run + i;
    tile.template operator()<R>(static_cast<const std::size_t*>(rows));
  }
  for (std::size_t n = n_begin + R * run; n < n_end; ++n) {
    tile.template operator()<1>(static_cast<const std::size_t*>(&n));
  }
}

}  // namespace nn::detail
LMC_END_NAMESPACE

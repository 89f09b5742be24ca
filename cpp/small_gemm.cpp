#include "small_gemm.h"

namespace ptmlp {

namespace {

// one R x (4V) tile of C, accumulated in registers over k
template <int R, int V>
inline void tile(int k, const double *x, long xr, long xk, const double *b, long ldb, double *c, long ldc,
                 bool accumulate)
{
  v4d acc[R][V];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) acc[r][v] = accumulate ? load4(c + r * ldc + 4 * v) : splat4(0.0);
  for (int kk = 0; kk < k; ++kk) {
    const double *bk = b + kk * ldb;
    v4d bv[V];
    for (int v = 0; v < V; ++v) bv[v] = load4(bk + 4 * v);
    for (int r = 0; r < R; ++r) {
      const double xs = x[r * xr + kk * xk];
      const v4d xv = {xs, xs, xs, xs};
      for (int v = 0; v < V; ++v) acc[r][v] += xv * bv[v];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) store4(c + r * ldc + 4 * v, acc[r][v]);
}

// all rows of one column chunk of 4V: tiles of R rows, then single rows
template <int R, int V>
inline void column_chunk(int rows, int k, const double *x, long xr, long xk, const double *b, long ldb, double *c,
                         long ldc, bool accumulate)
{
  int r = 0;
  for (; r + R <= rows; r += R) tile<R, V>(k, x + r * xr, xr, xk, b, ldb, c + r * ldc, ldc, accumulate);
  for (; r < rows; ++r) tile<1, V>(k, x + r * xr, xr, xk, b, ldb, c + r * ldc, ldc, accumulate);
}

}    // namespace

void gemm(int rows, int k, int n, const double *x, long xr, long xk, const double *b, long ldb, double *c, long ldc,
          bool accumulate)
{
  // 8 accumulator registers per tile: 2 rows x 16 columns, 4 x 8 or 4 x 4
  int j = 0;
  for (; j + 16 <= n; j += 16) column_chunk<2, 4>(rows, k, x, xr, xk, b + j, ldb, c + j, ldc, accumulate);
  for (; j + 8 <= n; j += 8) column_chunk<4, 2>(rows, k, x, xr, xk, b + j, ldb, c + j, ldc, accumulate);
  for (; j + 4 <= n; j += 4) column_chunk<4, 1>(rows, k, x, xr, xk, b + j, ldb, c + j, ldc, accumulate);
}

}    // namespace ptmlp

#include "small_gemm.h"

namespace ptmlp {

namespace {

// one R x (4V) tile of C, accumulated in registers over k
template <int R, int V>
inline void tile(int k, const double *x, long xr, long xk, const double *b, long ldb, double *c, long ldc)
{
  v4d acc[R][V];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) acc[r][v] = load4(c + r * ldc + 4 * v);
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

template <int R>
inline void row_block(int k, int n, const double *x, long xr, long xk, const double *b, long ldb, double *c, long ldc)
{
  int j = 0;
  for (; j + 16 <= n; j += 16) tile<R, 4>(k, x, xr, xk, b + j, ldb, c + j, ldc);
  for (; j + 8 <= n; j += 8) tile<R, 2>(k, x, xr, xk, b + j, ldb, c + j, ldc);
  for (; j + 4 <= n; j += 4) tile<R, 1>(k, x, xr, xk, b + j, ldb, c + j, ldc);
}

}    // namespace

void gemm_acc(int rows, int k, int n, const double *x, long xr, long xk, const double *b, long ldb, double *c,
              long ldc)
{
  int r = 0;
  for (; r + 2 <= rows; r += 2) row_block<2>(k, n, x + r * xr, xr, xk, b, ldb, c + r * ldc, ldc);
  for (; r < rows; ++r) row_block<1>(k, n, x + r * xr, xr, xk, b, ldb, c + r * ldc, ldc);
}

}    // namespace ptmlp

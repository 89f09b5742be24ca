// Small dense products for the fused CPU kernels, register-blocked on 4-double vectors (GCC
// vector extension: AVX when the build enables it, pairs of SSE2 registers otherwise).
// Include only from the kernel sources that CMakeLists.txt compiles with the same CPU flags: the
// helpers below have internal linkage, and v4d arguments change the calling convention with AVX.
#pragma once

#include <cstring>

namespace ptmlp {

typedef double v4d __attribute__((vector_size(32)));

namespace {

inline v4d load4(const double *p)
{
  v4d v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store4(double *p, v4d v) { std::memcpy(p, &v, sizeof v); }

inline v4d splat4(double x) { return v4d{x, x, x, x}; }

inline double hsum4(v4d v) { return (v[0] + v[1]) + (v[2] + v[3]); }

}    // namespace

// C[r*ldc + j] (+)= sum_{kk<k} X[r*xr + kk*xk] * B[kk*ldb + j]  for r < rows, j < n: added to C
// when accumulate, else C is overwritten. n must be a multiple of 4 (callers pad their
// matrices with zero columns).
void gemm(int rows, int k, int n, const double *x, long xr, long xk, const double *b, long ldb, double *c, long ldc,
          bool accumulate);

}    // namespace ptmlp

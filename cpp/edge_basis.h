// Per-edge basis of model v1, four edges at a time (one edge per vector lane): radial channels
// R_q(r) = sum_n b_n(r) u(r) W[n, s_j, q] with dR_q/dr, and real spherical harmonics with their
// gradient. Same formulas and ordering as python/ptmlp/models/basis.py.
#pragma once

#include "small_gemm.h"

namespace ptmlp {

struct RadialBasis {
  int n_rad = 0, nqp = 0, env_p = 6;    // nqp: channels padded to a multiple of 4
  double r_cut = 0.0, pref = 0.0, f1 = 0.0;
  const double *mix = nullptr;          // (S, n_rad, nqp), zero-padded
};

// Lane l < count: rq[l * ld + q] = R_q(r[l]) for neighbour species s[l]; drq likewise (if not null).
void radial4(const RadialBasis &b, v4d r, const int s[4], int count, double *rq, double *drq, long ld);

// Lane l < count: y[l * ldy + k] = Y_k(u[l]) for k < (l_max+1)^2, zeros up to mp; with dy,
// dy[l * lddy + d * mp + k] = dY_k/du_d (zeros up to mp).
void harmonics4(int l_max, const double *norm, const v4d u[3], int count, double *y, long ldy, double *dy,
                long lddy, int mp);

}    // namespace ptmlp

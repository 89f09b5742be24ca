#include "edge_basis.h"

#include <cmath>

namespace ptmlp {

namespace {

// Y_lm = N Q_l^|m|(z) {Im (x+iy)^|m|, 1, Re (x+iy)^m}: polynomials in (x, y, z); forward-mode
// derivatives carried along. L is a template parameter so every loop unrolls.
template <int L>
void harmonics_lanes(const double *norm, const v4d u[3], v4d *y, v4d *dy, int ld, bool grad)
{
  const v4d x = u[0], yy = u[1], z = u[2], zero = splat4(0.0), one = splat4(1.0);
  v4d re[L + 1], im[L + 1], rex[L + 1], rey[L + 1], imx[L + 1], imy[L + 1];
  re[0] = one;
  im[0] = rex[0] = rey[0] = imx[0] = imy[0] = zero;
  for (int m = 1; m <= L; ++m) {
    re[m] = x * re[m - 1] - yy * im[m - 1];
    im[m] = x * im[m - 1] + yy * re[m - 1];
    rex[m] = re[m - 1] + x * rex[m - 1] - yy * imx[m - 1];
    rey[m] = -im[m - 1] + x * rey[m - 1] - yy * imy[m - 1];
    imx[m] = im[m - 1] + x * imx[m - 1] + yy * rex[m - 1];
    imy[m] = re[m - 1] + x * imy[m - 1] + yy * rey[m - 1];
  }
  v4d q[L + 1][L + 1], dq[L + 1][L + 1];    // q[m][l] = Q_l^m(z), dq = dQ/dz
  double dfact = 1.0;
  for (int m = 0; m <= L; ++m) {
    if (m > 0) dfact *= 2.0 * m - 1.0;
    q[m][m] = splat4(dfact);
    dq[m][m] = zero;
    if (m + 1 <= L) {
      q[m][m + 1] = (2.0 * m + 1.0) * z * dfact;
      dq[m][m + 1] = splat4((2.0 * m + 1.0) * dfact);
    }
    for (int l = m + 2; l <= L; ++l) {
      const double inv = 1.0 / (l - m);
      q[m][l] = ((2.0 * l - 1.0) * z * q[m][l - 1] - (l + m - 1.0) * q[m][l - 2]) * inv;
      dq[m][l] = ((2.0 * l - 1.0) * (q[m][l - 1] + z * dq[m][l - 1]) - (l + m - 1.0) * dq[m][l - 2]) * inv;
    }
  }
  int k = 0;
  for (int l = 0; l <= L; ++l)
    for (int m = -l; m <= l; ++m, ++k) {
      const int am = m < 0 ? -m : m;
      const v4d f = m < 0 ? im[am] : (m == 0 ? one : re[am]);
      const v4d nq = norm[k] * q[am][l];
      y[k] = nq * f;
      if (!grad) continue;
      dy[k] = m < 0 ? nq * imx[am] : (m == 0 ? zero : nq * rex[am]);
      dy[ld + k] = m < 0 ? nq * imy[am] : (m == 0 ? zero : nq * rey[am]);
      dy[2 * ld + k] = norm[k] * dq[am][l] * f;
    }
}

// sin and cos of four angles. Within [0, pi] (every edge inside the cutoff: th = pi r / r_cut)
// by Taylor polynomials about pi/2 of degree 21/20 (truncation < 2e-17), else by libm.
void sincos_lanes(v4d th, v4d &s, v4d &c)
{
  bool in_range = true;
  for (int l = 0; l < 4; ++l) in_range = in_range && th[l] >= 0.0 && th[l] <= M_PI;
  if (!in_range) {
    for (int l = 0; l < 4; ++l) {
      s[l] = std::sin(th[l]);
      c[l] = std::cos(th[l]);
    }
    return;
  }
  // sin(th) = cos(t), cos(th) = -sin(t), t = th - pi/2 in [-pi/2, pi/2]
  static const double kSin[11] = {1.0, -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800,
                                  1.0 / 6227020800.0, -1.0 / 1307674368000.0, 1.0 / 355687428096000.0,
                                  -1.0 / 121645100408832000.0, 1.0 / 51090942171709440000.0};
  static const double kCos[11] = {1.0, -1.0 / 2, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800,
                                  1.0 / 479001600.0, -1.0 / 87178291200.0, 1.0 / 20922789888000.0,
                                  -1.0 / 6402373705728000.0, 1.0 / 2432902008176640000.0};
  const v4d t = th - M_PI_2, z = t * t;
  v4d ps = splat4(kSin[10]), pc = splat4(kCos[10]);
  for (int k = 9; k >= 0; --k) {
    ps = ps * z + kSin[k];
    pc = pc * z + kCos[k];
  }
  s = pc;
  c = -(t * ps);
}

// a, b, c, d hold one quantity for lanes 0..3 each; afterwards lane i's four quantities
inline void transpose4(v4d &a, v4d &b, v4d &c, v4d &d)
{
  typedef long long v4i __attribute__((vector_size(32)));
  const v4d t0 = __builtin_shuffle(a, b, v4i{0, 4, 2, 6}), t1 = __builtin_shuffle(a, b, v4i{1, 5, 3, 7});
  const v4d t2 = __builtin_shuffle(c, d, v4i{0, 4, 2, 6}), t3 = __builtin_shuffle(c, d, v4i{1, 5, 3, 7});
  a = __builtin_shuffle(t0, t2, v4i{0, 1, 4, 5});
  b = __builtin_shuffle(t1, t3, v4i{0, 1, 4, 5});
  c = __builtin_shuffle(t0, t2, v4i{2, 3, 6, 7});
  d = __builtin_shuffle(t1, t3, v4i{2, 3, 6, 7});
}

// row l < count of dst (stride ld) gets src[k][l] for k < n (n a multiple of 4)
inline void lanes_to_rows(const v4d *src, int n, int count, double *dst, long ld)
{
  if (count == 4) {
    for (int k = 0; k < n; k += 4) {
      v4d a = src[k], b = src[k + 1], c = src[k + 2], d = src[k + 3];
      transpose4(a, b, c, d);
      store4(dst + k, a);
      store4(dst + ld + k, b);
      store4(dst + 2 * ld + k, c);
      store4(dst + 3 * ld + k, d);
    }
    return;
  }
  for (int l = 0; l < count; ++l)
    for (int k = 0; k < n; ++k) dst[l * ld + k] = src[k][l];
}

// rq[l][:] = sum_n bu[n][l] W[s_l][n][:] (and drq from dbu) for lanes l < count. NV: channel
// vectors (nqp / 4) known at compile time; 0: any (runtime loop).
template <int NV>
void mix_lanes(const RadialBasis &b, const v4d *bu, const v4d *dbu, const int s[4], int count, double *rq,
               double *drq, long ld)
{
  const int nv = NV > 0 ? NV : b.nqp / 4;
  for (int l = 0; l < count; ++l) {
    const double *w = b.mix + static_cast<long>(s[l]) * b.n_rad * b.nqp;
    v4d acc[NV > 0 ? NV : 16], dacc[NV > 0 ? NV : 16];
    for (int v = 0; v < nv; ++v) acc[v] = dacc[v] = splat4(0.0);
    for (int n = 0; n < b.n_rad; ++n) {
      const v4d bn = splat4(bu[n][l]), dbn = splat4(dbu[n][l]);
      for (int v = 0; v < nv; ++v) {
        const v4d wv = load4(w + n * b.nqp + 4 * v);
        acc[v] += bn * wv;
        dacc[v] += dbn * wv;
      }
    }
    for (int v = 0; v < nv; ++v) store4(rq + l * ld + 4 * v, acc[v]);
    if (drq)
      for (int v = 0; v < nv; ++v) store4(drq + l * ld + 4 * v, dacc[v]);
  }
}

}    // namespace

void radial4(const RadialBasis &b, v4d r, const int s[4], int count, double *rq, double *drq, long ld)
{
  // Bessel b_n = pref sin(n f1 r) / r by the Chebyshev recurrence, times the polynomial envelope
  v4d s1, c1;
  sincos_lanes(b.f1 * r, s1, c1);
  const v4d inv_r = 1.0 / r;
  const double p = b.env_p;
  const v4d x = r / b.r_cut;
  v4d xp1 = splat4(1.0);
  for (int k = 1; k < b.env_p; ++k) xp1 *= x;
  const v4d xp = xp1 * x;
  const double ca = 0.5 * (p + 1.0) * (p + 2.0), cb = p * (p + 2.0), cc = 0.5 * p * (p + 1.0);
  const v4d inside = x < 1.0 ? splat4(1.0) : splat4(0.0);
  const v4d u = inside * (1.0 - ca * xp + cb * xp * x - cc * xp * x * x);
  const v4d du = inside * (-ca * p * xp1 + cb * (p + 1.0) * xp - cc * (p + 2.0) * xp * x) / b.r_cut;
  v4d bu[32], dbu[32];
  v4d sp = splat4(0.0), cp = splat4(1.0), sn = s1, cn = c1;    // sin/cos of (n-1) th and n th
  for (int n = 0; n < b.n_rad; ++n) {
    const double fn = (n + 1) * b.f1;
    const v4d bn = b.pref * sn * inv_r;
    const v4d dbn = b.pref * (fn * cn * inv_r - sn * inv_r * inv_r);
    bu[n] = bn * u;
    dbu[n] = dbn * u + bn * du;
    const v4d s2 = 2.0 * c1 * sn - sp, c2 = 2.0 * c1 * cn - cp;
    sp = sn;
    cp = cn;
    sn = s2;
    cn = c2;
  }
  switch (b.nqp / 4) {    // channel vectors: compile-time, so the accumulators stay in registers
    case 1: mix_lanes<1>(b, bu, dbu, s, count, rq, drq, ld); break;
    case 2: mix_lanes<2>(b, bu, dbu, s, count, rq, drq, ld); break;
    case 3: mix_lanes<3>(b, bu, dbu, s, count, rq, drq, ld); break;
    case 4: mix_lanes<4>(b, bu, dbu, s, count, rq, drq, ld); break;
    default: mix_lanes<0>(b, bu, dbu, s, count, rq, drq, ld); break;
  }
}

void harmonics4(int l_max, const double *norm, const v4d u[3], int count, double *y, long ldy, double *dy,
                long lddy, int mp)
{
  constexpr int kMax = 52;    // (6 + 1)^2 padded to a multiple of 4
  v4d yv[kMax], dyv[3 * kMax];
  const bool grad = dy != nullptr;
  const int nm = (l_max + 1) * (l_max + 1);
  for (int k = nm; k < mp; ++k) yv[k] = dyv[k] = dyv[kMax + k] = dyv[2 * kMax + k] = splat4(0.0);
  switch (l_max) {
    case 0: harmonics_lanes<0>(norm, u, yv, dyv, kMax, grad); break;
    case 1: harmonics_lanes<1>(norm, u, yv, dyv, kMax, grad); break;
    case 2: harmonics_lanes<2>(norm, u, yv, dyv, kMax, grad); break;
    case 3: harmonics_lanes<3>(norm, u, yv, dyv, kMax, grad); break;
    case 4: harmonics_lanes<4>(norm, u, yv, dyv, kMax, grad); break;
    case 5: harmonics_lanes<5>(norm, u, yv, dyv, kMax, grad); break;
    default: harmonics_lanes<6>(norm, u, yv, dyv, kMax, grad); break;
  }
  lanes_to_rows(yv, mp, count, y, ldy);
  if (grad)
    for (int d = 0; d < 3; ++d) lanes_to_rows(dyv + d * kMax, mp, count, dy + d * mp, lddy);
}

}    // namespace ptmlp

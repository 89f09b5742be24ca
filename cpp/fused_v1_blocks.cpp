// FusedV1::evaluate: the whole model v1 in C++ on blocks of kBlock centre atoms. Per block:
//   1. per edge: r, unit vector, scaled radial channels R_q and dR_q/dr, harmonics Y and dY/du
//      (kept in the block's cache instead of being recomputed for the backward);
//   2. At_i = Y_i^T R_i per atom, the density transposed (harmonic, channel), by small
//      register-blocked products;
//   3. NetV1: energies and dE_i/dAt_i;
//   4. per atom: Y dE/dAt and R dE/dA, then dE/dr_e per edge.
// The cache is O(block edges), so memory does not grow with the system.
#include "fused_v1.h"

#include "edge_basis.h"
#include "profile.h"
#include "small_gemm.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace ptmlp {

namespace {

constexpr int64_t kBlock = 32;

struct BlockWork {
  std::vector<double> geo;                // (E, 4): r, unit vector
  std::vector<double> rq, drq;            // (E, qp): scaled R_q and dR_q/dr, zero-padded
  std::vector<double> y, dy;              // (E, mp), (E, 3, mp)
  std::vector<double> at, gat, e, dedt;   // (B, mp, qp), (B, mp, qp), (B,), (B,)
  std::vector<double> ga, gr, gy;         // per atom: dE/dA (Q, mp), (E_i, qp), (E_i, mp)
  NetV1::Work net;
};

double seconds_since(std::chrono::steady_clock::time_point &t)
{
  const auto now = std::chrono::steady_clock::now();
  const double s = std::chrono::duration<double>(now - t).count();
  t = now;
  return s;
}

}    // namespace

void FusedV1::evaluate(const EdgeInput &in, bool grad, double *atom_e, double *g, double *dedt) const
{
  const int Q = nq_, mp = mp_, qp = qp_;
  const int64_t n_local = in.n_local, n_edges = in.n_edges();
  const std::vector<int64_t> start = centre_offsets(in);
  if (grad) std::fill(g, g + 3 * n_edges, 0.0);
  const double *te = in.te_K.empty() ? nullptr : in.te_K.data();
  const bool te_per_atom = in.te_K.size() > 1;
  const int64_t n_blocks = (n_local + kBlock - 1) / kBlock;
  const bool prof = profiling();
  const RadialBasis radial{n_rad_, qp_, env_p_, r_cut_, pref_, f1_, mix_scaled_.data()};
  std::vector<double> busy(3 * static_cast<size_t>(at::get_num_threads()) + 3, 0.0);    // thread-seconds
  at::parallel_for(0, n_blocks, 1, [&](int64_t b_begin, int64_t b_end) {
    thread_local BlockWork w;
    double *my_busy = &busy[3 * static_cast<size_t>(std::min<int>(at::get_thread_num(), at::get_num_threads()))];
    auto clock = std::chrono::steady_clock::now();
    for (int64_t blk = b_begin; blk < b_end; ++blk) {
      const int64_t i0 = blk * kBlock, i1 = std::min(n_local, i0 + kBlock), e0 = start[i0];
      const int n = static_cast<int>(i1 - i0);
      const int64_t ne = start[i1] - e0;
      w.geo.resize(4 * ne);
      w.rq.resize(ne * qp);
      w.y.resize(ne * mp);
      if (grad) {
        w.drq.resize(ne * qp);
        w.dy.resize(ne * 3 * mp);
      }
      for (int64_t k = 0; k < ne; k += 4) {    // four edges per vector lane set
        const int count = static_cast<int>(std::min<int64_t>(4, ne - k));
        v4d r = {1.0, 1.0, 1.0, 1.0}, u[3] = {{0, 0, 0, 0}, {0, 0, 0, 0}, {1, 1, 1, 1}};    // idle lanes
        int s[4] = {0, 0, 0, 0};
        for (int l = 0; l < count; ++l) {
          const int64_t e = e0 + k + l;
          const double *v = &in.edge_vec[3 * e];
          double *geo = &w.geo[4 * (k + l)];
          geo[0] = r[l] = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
          for (int d = 0; d < 3; ++d) geo[1 + d] = u[d][l] = v[d] / r[l];
          s[l] = static_cast<int>(in.species[in.edge_j[e]]);
        }
        radial4(radial, r, s, count, &w.rq[k * qp], grad ? &w.drq[k * qp] : nullptr, qp);
        harmonics4(l_max_, sh_norm_.data(), u, count, &w.y[k * mp], mp, grad ? &w.dy[k * 3 * mp] : nullptr, 3 * mp,
                   mp);
      }
      w.at.assign(static_cast<size_t>(n) * mp * qp, 0.0);
      for (int i = 0; i < n; ++i) {
        const int64_t k0 = start[i0 + i] - e0, k1 = start[i0 + i + 1] - e0;
        gemm(nm_, static_cast<int>(k1 - k0), qp, &w.y[k0 * mp], 1, mp, &w.rq[k0 * qp], qp, &w.at[i * mp * qp], qp,
             false);
      }
      if (prof) my_busy[0] += seconds_since(clock);
      w.e.resize(n);
      w.gat.resize(static_cast<size_t>(n) * mp * qp);
      w.dedt.resize(n);
      const double *te_block = te ? (te_per_atom ? te + i0 : te) : nullptr;
      net_->run(n, w.at.data(), &in.species[i0], te_block, te_per_atom, grad, w.e.data(), w.gat.data(),
                dedt ? w.dedt.data() : nullptr, w.net);
      for (int i = 0; i < n; ++i) atom_e[i0 + i] = w.e[i];
      if (dedt) std::copy_n(w.dedt.data(), n, dedt + i0);
      if (prof) my_busy[1] += seconds_since(clock);
      if (!grad) continue;
      w.ga.resize(static_cast<size_t>(Q) * mp);
      for (int i = 0; i < n; ++i) {
        const int64_t k0 = start[i0 + i] - e0, ni = start[i0 + i + 1] - e0 - k0;
        const double *gat = &w.gat[static_cast<size_t>(i) * mp * qp];
        for (int q = 0; q < Q; ++q)
          for (int m = 0; m < mp; ++m) w.ga[q * mp + m] = gat[m * qp + q];
        w.gr.resize(ni * qp);
        w.gy.resize(ni * mp);
        gemm(static_cast<int>(ni), mp, qp, &w.y[k0 * mp], mp, 1, gat, qp, w.gr.data(), qp, false);
        gemm(static_cast<int>(ni), Q, mp, &w.rq[k0 * qp], qp, 1, w.ga.data(), mp, w.gy.data(), mp, false);
        for (int64_t k = 0; k < ni; ++k) {
          const double *geo = &w.geo[4 * (k0 + k)], *u = geo + 1;
          const double *gr = &w.gr[k * qp], *drq = &w.drq[(k0 + k) * qp];
          v4d acc = {0, 0, 0, 0};
          for (int q = 0; q < qp; q += 4) acc += load4(gr + q) * load4(drq + q);
          const double dedr = hsum4(acc);
          const double *gy = &w.gy[k * mp], *dy = &w.dy[(k0 + k) * 3 * mp];
          v4d gx = {0, 0, 0, 0}, gyv = gx, gz = gx;
          for (int m = 0; m < mp; m += 4) {
            const v4d c = load4(gy + m);
            gx += c * load4(dy + m);
            gyv += c * load4(dy + mp + m);
            gz += c * load4(dy + 2 * mp + m);
          }
          const double gu[3] = {hsum4(gx), hsum4(gyv), hsum4(gz)};
          const double udot = gu[0] * u[0] + gu[1] * u[1] + gu[2] * u[2];
          double *ge = &g[3 * (e0 + k0 + k)];
          for (int d = 0; d < 3; ++d) ge[d] = dedr * u[d] + (gu[d] - udot * u[d]) / geo[0];
        }
      }
      if (prof) my_busy[2] += seconds_since(clock);
    }
  });
  auto clock = std::chrono::steady_clock::now();
  zbl(in, atom_e, grad ? g : nullptr);
  if (!prof) return;
  double total[3] = {0.0, 0.0, seconds_since(clock)};
  for (size_t t = 0; t < busy.size(); ++t) total[t % 3] += busy[t];
  add_time(kPhaseEdgesForward, total[0]);
  add_time(kPhaseNetworkCpp, total[1]);
  add_time(kPhaseEdgesBackward, total[2]);
}

}    // namespace ptmlp

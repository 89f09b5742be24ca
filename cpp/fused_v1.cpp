#include "fused_v1.h"

#include "errors.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <string>

namespace ptmlp {

namespace {

std::vector<double> to_vector(const torch::Tensor &t)
{
  torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}    // namespace

std::unique_ptr<FusedV1> FusedV1::try_create(torch::jit::Module &m)
{
  try {
    if (!m.find_method("energy_from_density") || !m.hasattr("mix") || !m.hasattr("bessel") ||
        !m.hasattr("sph") || !m.hasattr("envelope") || !m.hasattr("zbl"))
      return nullptr;
    auto f = std::make_unique<FusedV1>();
    torch::Tensor mix = m.attr("mix").toTensor();
    if (mix.dim() != 3) return nullptr;
    f->n_rad_ = static_cast<int>(mix.size(0));
    f->n_species_ = static_cast<int>(mix.size(1));
    f->nq_ = static_cast<int>(mix.size(2));
    if (f->n_rad_ > 32 || f->nq_ > 64) return nullptr;    // beyond the kernel's stack buffers
    f->mix_ = to_vector(mix);
    torch::jit::Module bessel = m.attr("bessel").toModule();
    f->r_cut_ = bessel.attr("r_cut").toDouble();
    f->pref_ = bessel.attr("prefactor").toDouble();
    std::vector<double> freq = to_vector(bessel.attr("freq").toTensor());
    if (static_cast<int>(freq.size()) != f->n_rad_) return nullptr;
    f->f1_ = freq[0];
    for (int n = 0; n < f->n_rad_; ++n)    // the recurrence below needs f_n = n f_1
      if (std::abs(freq[n] - (n + 1) * f->f1_) > 1e-12 * freq[n]) return nullptr;
    f->env_p_ = static_cast<int>(m.attr("envelope").toModule().attr("p").toInt());
    torch::jit::Module sph = m.attr("sph").toModule();
    f->l_max_ = static_cast<int>(sph.attr("l_max").toInt());
    if (f->l_max_ > 6) return nullptr;
    f->nm_ = (f->l_max_ + 1) * (f->l_max_ + 1);
    f->sh_norm_ = to_vector(sph.attr("norm").toTensor());
    f->scale_ = m.attr("density_scale").toTensor().item<double>();
    f->use_zbl_ = m.attr("use_zbl").toBool();
    torch::jit::Module zbl = m.attr("zbl").toModule();
    f->k_e_ = zbl.attr("coulomb_ev_a").toDouble();
    f->z_ = to_vector(zbl.attr("z").toTensor());
    f->r_in_ = to_vector(zbl.attr("r_in").toTensor());
    f->r_out_ = to_vector(zbl.attr("r_out").toTensor());
    f->coef_ = to_vector(zbl.attr("coef").toTensor());
    f->expo_ = to_vector(zbl.attr("expo").toTensor());
    return f;
  } catch (const c10::Error &) {
    return nullptr;    // not the layout this kernel knows: the generic TorchScript path is used
  }
}

void FusedV1::radial(double r, int s, double *rq, double *drq) const
{
  // Bessel b_n = pref sin(n f1 r) / r by the Chebyshev recurrence, times the polynomial envelope
  const int nr = n_rad_;
  double b[32], db[32];
  const double th = f1_ * r, s1 = std::sin(th), c1 = std::cos(th);
  double sp = 0.0, cp = 1.0, sn = s1, cn = c1;    // sin/cos of (n-1) th and n th
  const double inv_r = 1.0 / r;
  for (int n = 0; n < nr; ++n) {
    const double fn = (n + 1) * f1_;
    b[n] = pref_ * sn * inv_r;
    db[n] = pref_ * (fn * cn * inv_r - sn * inv_r * inv_r);
    const double s2 = 2.0 * c1 * sn - sp, c2 = 2.0 * c1 * cn - cp;
    sp = sn;
    cp = cn;
    sn = s2;
    cn = c2;
  }
  const double p = env_p_, x = r / r_cut_;
  double u = 0.0, du = 0.0;
  if (x < 1.0) {
    double xp1 = 1.0;
    for (int k = 1; k < env_p_; ++k) xp1 *= x;
    const double xp = xp1 * x;
    const double a = 0.5 * (p + 1.0) * (p + 2.0), bb = p * (p + 2.0), c = 0.5 * p * (p + 1.0);
    u = 1.0 - a * xp + bb * xp * x - c * xp * x * x;
    du = (-a * p * xp1 + bb * (p + 1.0) * xp - c * (p + 2.0) * xp * x) / r_cut_;
  }
  const int Q = nq_;
  for (int q = 0; q < Q; ++q) rq[q] = 0.0;
  if (drq)
    for (int q = 0; q < Q; ++q) drq[q] = 0.0;
  for (int n = 0; n < nr; ++n) {
    const double B = b[n] * u;
    const double *w = &mix_[(static_cast<size_t>(n) * n_species_ + s) * Q];
    for (int q = 0; q < Q; ++q) rq[q] += B * w[q];
    if (drq) {
      const double dB = db[n] * u + b[n] * du;
      for (int q = 0; q < Q; ++q) drq[q] += dB * w[q];
    }
  }
}

void FusedV1::harmonics(const double *u, double *y, double *dy) const
{
  // Y_lm = N Q_l^|m|(z) {Im (x+iy)^|m|, 1, Re (x+iy)^m}: polynomials in (x, y, z); forward-mode
  // derivatives carried along (as in PtmlpV1.sph, same ordering m = -l..l)
  const int L = l_max_;
  const double x = u[0], yy = u[1], z = u[2];
  double re[16], im[16], rex[16], rey[16], imx[16], imy[16];
  re[0] = 1.0;
  im[0] = 0.0;
  rex[0] = rey[0] = imx[0] = imy[0] = 0.0;
  const bool grad = dy != nullptr;
  for (int m = 1; m <= L; ++m) {
    re[m] = x * re[m - 1] - yy * im[m - 1];
    im[m] = x * im[m - 1] + yy * re[m - 1];
    if (!grad) continue;
    rex[m] = re[m - 1] + x * rex[m - 1] - yy * imx[m - 1];
    rey[m] = -im[m - 1] + x * rey[m - 1] - yy * imy[m - 1];
    imx[m] = im[m - 1] + x * imx[m - 1] + yy * rex[m - 1];
    imy[m] = re[m - 1] + x * imy[m - 1] + yy * rey[m - 1];
  }
  double q[16][16], dq[16][16];    // q[m][l] = Q_l^m(z), dq = dQ/dz
  double dfact = 1.0;
  for (int m = 0; m <= L; ++m) {
    if (m > 0) dfact *= 2.0 * m - 1.0;
    q[m][m] = dfact;
    dq[m][m] = 0.0;
    if (m + 1 <= L) {
      q[m][m + 1] = (2.0 * m + 1.0) * z * dfact;
      dq[m][m + 1] = (2.0 * m + 1.0) * dfact;
    }
    for (int l = m + 2; l <= L; ++l) {
      const double inv = 1.0 / (l - m);
      q[m][l] = ((2.0 * l - 1.0) * z * q[m][l - 1] - (l + m - 1.0) * q[m][l - 2]) * inv;
      if (grad)
        dq[m][l] = ((2.0 * l - 1.0) * (q[m][l - 1] + z * dq[m][l - 1]) - (l + m - 1.0) * dq[m][l - 2]) * inv;
    }
  }
  int k = 0;
  for (int l = 0; l <= L; ++l) {
    for (int m = -l; m <= l; ++m, ++k) {
      const int am = m < 0 ? -m : m;
      const double n = sh_norm_[k], ql = q[am][l], dql = grad ? dq[am][l] : 0.0;
      double f, fx = 0.0, fy = 0.0;
      if (m < 0) {
        f = im[am];
        fx = imx[am];
        fy = imy[am];
      } else if (m == 0) {
        f = 1.0;
        fx = fy = 0.0;
      } else {
        f = re[am];
        fx = rex[am];
        fy = rey[am];
      }
      y[k] = n * ql * f;
      if (!grad) continue;
      dy[3 * k] = n * ql * fx;
      dy[3 * k + 1] = n * ql * fy;
      dy[3 * k + 2] = n * dql * f;
    }
  }
}

std::vector<int64_t> FusedV1::centre_offsets(const EdgeInput &in) const
{
  std::vector<int64_t> start(in.n_local + 1, 0);
  for (int64_t e = 0; e < in.n_edges(); ++e) ++start[in.edge_i[e] + 1];
  for (int64_t i = 0; i < in.n_local; ++i) start[i + 1] += start[i];
  return start;
}

void FusedV1::density(const EdgeInput &in, std::vector<double> &a) const
{
  const int Q = nq_, M = nm_;
  a.assign(static_cast<size_t>(in.n_local) * Q * M, 0.0);
  const std::vector<int64_t> start = centre_offsets(in);
  at::parallel_for(0, in.n_local, 16, [&](int64_t begin, int64_t end) {
    double rq[64], y[64];
    for (int64_t i = begin; i < end; ++i) {
      double *ai = &a[static_cast<size_t>(i) * Q * M];
      for (int64_t e = start[i]; e < start[i + 1]; ++e) {
        const double *v = &in.edge_vec[3 * e];
        const double r = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        const double u[3] = {v[0] / r, v[1] / r, v[2] / r};
        radial(r, static_cast<int>(in.species[in.edge_j[e]]), rq, nullptr);
        harmonics(u, y, nullptr);
        for (int q = 0; q < Q; ++q) {
          const double w = scale_ * rq[q];
          double *row = ai + q * M;
          for (int m = 0; m < M; ++m) row[m] += w * y[m];
        }
      }
    }
  });
}

void FusedV1::density_backward(const EdgeInput &in, const double *grad_a, double *g) const
{
  const int Q = nq_, M = nm_;
  const std::vector<int64_t> start = centre_offsets(in);
  at::parallel_for(0, in.n_local, 16, [&](int64_t begin, int64_t end) {
    double rq[64], drq[64], y[64], dy[192], gr[64], gy[64];
    for (int64_t i = begin; i < end; ++i) {
      const double *gi = grad_a + static_cast<size_t>(i) * Q * M;
      for (int64_t e = start[i]; e < start[i + 1]; ++e) {
        const double *v = &in.edge_vec[3 * e];
        const double r = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        const double u[3] = {v[0] / r, v[1] / r, v[2] / r};
        radial(r, static_cast<int>(in.species[in.edge_j[e]]), rq, drq);
        harmonics(u, y, dy);
        for (int m = 0; m < M; ++m) gy[m] = 0.0;
        for (int q = 0; q < Q; ++q) {
          const double *row = gi + q * M;
          double acc = 0.0;
          for (int m = 0; m < M; ++m) {
            acc += row[m] * y[m];
            gy[m] += row[m] * rq[q];
          }
          gr[q] = scale_ * acc;
        }
        double dEdr = 0.0;
        for (int q = 0; q < Q; ++q) dEdr += gr[q] * drq[q];
        double gu[3] = {0.0, 0.0, 0.0};    // dE/du (unit vector)
        for (int m = 0; m < M; ++m) {
          const double w = scale_ * gy[m];
          gu[0] += w * dy[3 * m];
          gu[1] += w * dy[3 * m + 1];
          gu[2] += w * dy[3 * m + 2];
        }
        const double udot = gu[0] * u[0] + gu[1] * u[1] + gu[2] * u[2];
        for (int d = 0; d < 3; ++d) g[3 * e + d] += dEdr * u[d] + (gu[d] - udot * u[d]) / r;
      }
    }
  });
}

void FusedV1::zbl(const EdgeInput &in, double *atom_e, double *g) const
{
  if (!use_zbl_) return;
  const int S = n_species_;
  for (int64_t e = 0; e < in.n_edges(); ++e) {
    const int si = static_cast<int>(in.species[in.edge_i[e]]), sj = static_cast<int>(in.species[in.edge_j[e]]);
    const double rin = r_in_[si * S + sj], rout = r_out_[si * S + sj];
    const double *v = &in.edge_vec[3 * e];
    const double r = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    if (r >= rout) continue;    // switched off: exactly zero energy and force
    const double zi = z_[si], zj = z_[sj];
    double t = (r - rin) / (rout - rin), dt = 1.0 / (rout - rin);
    if (t <= 0.0) {
      t = 0.0;
      dt = 0.0;
    }
    const double sw = 1.0 - t * t * t * (10.0 - 15.0 * t + 6.0 * t * t);
    const double dsw = -30.0 * t * t * (1.0 - t) * (1.0 - t) * dt;
    const double a = 0.46850 / (std::pow(zi, 0.23) + std::pow(zj, 0.23));
    double phi = 0.0, dphi = 0.0;
    for (int k = 0; k < 4; ++k) {
      const double ex = coef_[k] * std::exp(-expo_[k] * r / a);
      phi += ex;
      dphi -= expo_[k] / a * ex;
    }
    const double c = k_e_ * zi * zj;
    const double epair = c / r * phi * sw;
    const double de = c * (-phi / (r * r) * sw + dphi / r * sw + phi / r * dsw);
    atom_e[in.edge_i[e]] += 0.5 * epair;
    for (int d = 0; d < 3; ++d) g[3 * e + d] += 0.5 * de * v[d] / r;
  }
}

}    // namespace ptmlp

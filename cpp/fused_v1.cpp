#include "fused_v1.h"

#include "errors.h"

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
    if (!m.hasattr("mix") || !m.hasattr("bessel") ||
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
    torch::Tensor freq_t = bessel.attr("freq").toTensor();
    std::vector<double> freq = to_vector(freq_t);
    if (static_cast<int>(freq.size()) != f->n_rad_) return nullptr;
    f->f1_ = freq[0];
    const double tol = freq_t.scalar_type() == torch::kFloat64 ? 1e-12 : 1e-6;    // float32 models: rounding
    for (int n = 0; n < f->n_rad_; ++n)    // the recurrence below needs f_n = n f_1
      if (std::abs(freq[n] - (n + 1) * f->f1_) > tol * freq[n]) return nullptr;
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
    f->mp_ = (f->nm_ + 3) / 4 * 4;
    f->qp_ = (f->nq_ + 3) / 4 * 4;
    // mixing weights per neighbour species, density scale folded in: (S, n_rad, qp)
    f->mix_scaled_.assign(static_cast<size_t>(f->n_species_) * f->n_rad_ * f->qp_, 0.0);
    for (int n = 0; n < f->n_rad_; ++n)
      for (int sp = 0; sp < f->n_species_; ++sp)
        for (int q = 0; q < f->nq_; ++q)
          f->mix_scaled_[(static_cast<size_t>(sp) * f->n_rad_ + n) * f->qp_ + q] =
              f->scale_ * f->mix_[(static_cast<size_t>(n) * f->n_species_ + sp) * f->nq_ + q];
    f->net_ = NetV1::try_create(m, f->nq_, f->l_max_, f->mp_);
    return f->net_ ? std::move(f) : nullptr;
  } catch (const c10::Error &) {
    return nullptr;    // not the layout this kernel knows: the generic TorchScript path is used
  }
}

std::vector<int64_t> FusedV1::centre_offsets(const EdgeInput &in) const
{
  std::vector<int64_t> start(in.n_local + 1, 0);
  for (int64_t e = 0; e < in.n_edges(); ++e) ++start[in.edge_i[e] + 1];
  for (int64_t i = 0; i < in.n_local; ++i) start[i + 1] += start[i];
  return start;
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
    if (g)
      for (int d = 0; d < 3; ++d) g[3 * e + d] += 0.5 * de * v[d] / r;
  }
}

}    // namespace ptmlp

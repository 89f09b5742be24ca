#include "net_v1.h"

#include "small_gemm.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ptmlp {

namespace {

std::vector<double> to_vector(const torch::Tensor &t)
{
  torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

int pad4(int n) { return (n + 3) / 4 * 4; }

bool type_is(const torch::jit::Module &m, const std::string &name)
{
  const std::string q = m.type()->name()->qualifiedName();
  return q.size() >= name.size() + 1 && q.compare(q.size() - name.size() - 1, std::string::npos, "." + name) == 0;
}

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

}    // namespace

std::unique_ptr<NetV1> NetV1::try_create(torch::jit::Module &m, int nq, int l_max, int mp)
{
  try {
    if (!m.hasattr("nets") || !m.hasattr("power") || !m.hasattr("feat_mean")) return nullptr;
    auto net = std::make_unique<NetV1>();
    net->nq_ = nq;
    net->l_max_ = l_max;
    net->mp_ = mp;
    net->qp_ = pad4(nq);
    std::vector<double> triu = to_vector(m.attr("power").toModule().attr("triu_flat").toTensor());
    for (double f : triu) {
      const int flat = static_cast<int>(f);
      net->pair_q_.push_back(flat / nq);
      net->pair_p_.push_back(flat % nq);
    }
    net->n_feat_ = (l_max + 1) * static_cast<int>(triu.size());
    net->has_te_ = m.attr("has_te").toBool();
    net->te_scale_ = m.attr("te_scale_K").toDouble();
    net->n_in_ = net->n_feat_ + (net->has_te_ ? 2 : 0);
    torch::Tensor mean = m.attr("feat_mean").toTensor();
    net->n_species_ = static_cast<int>(mean.size(0));
    if (mean.dim() != 2 || mean.size(1) != net->n_feat_) return nullptr;
    net->mean_ = to_vector(mean);
    net->inv_std_ = to_vector(m.attr("feat_std").toTensor());
    for (double &v : net->inv_std_) v = 1.0 / v;
    net->e0_ = to_vector(m.attr("e0").toTensor());
    net->energy_scale_ = m.attr("energy_scale").toTensor().item<double>();
    torch::jit::Module nets = m.attr("nets").toModule();
    for (int s = 0; s < net->n_species_; ++s) {
      torch::jit::Module seq = nets.attr(std::to_string(s)).toModule();
      std::vector<Layer> layers;
      bool expect_linear = true;
      for (const torch::jit::Module &child : seq.children()) {
        if (expect_linear != type_is(child, "Linear")) return nullptr;
        if (!expect_linear && !type_is(child, "SiLU")) return nullptr;
        if (expect_linear) {
          torch::Tensor w = child.attr("weight").toTensor();
          Layer L;
          L.n_out = static_cast<int>(w.size(0));
          L.n_in = static_cast<int>(w.size(1));
          L.in_pad = pad4(L.n_in);
          L.out_pad = pad4(L.n_out);
          const int expected_in = layers.empty() ? net->n_in_ : layers.back().n_out;
          if (L.n_in != expected_in) return nullptr;
          std::vector<double> wv = to_vector(w), bv = to_vector(child.attr("bias").toTensor());
          L.wt.assign(static_cast<size_t>(L.n_in) * L.out_pad, 0.0);
          L.w.assign(static_cast<size_t>(L.n_out) * L.in_pad, 0.0);
          L.b.assign(L.out_pad, 0.0);
          for (int o = 0; o < L.n_out; ++o) {
            L.b[o] = bv[o];
            for (int i = 0; i < L.n_in; ++i) {
              L.wt[static_cast<size_t>(i) * L.out_pad + o] = wv[static_cast<size_t>(o) * L.n_in + i];
              L.w[static_cast<size_t>(o) * L.in_pad + i] = wv[static_cast<size_t>(o) * L.n_in + i];
            }
          }
          layers.push_back(std::move(L));
        }
        expect_linear = !expect_linear;
      }
      if (layers.empty() || expect_linear || layers.back().n_out != 1) return nullptr;    // ends on a Linear
      net->nets_.push_back(std::move(layers));
    }
    return net;
  } catch (const c10::Error &) {
    return nullptr;
  }
}

// P_l[q][q'] = sum_{m in l} At[m][q] At[m][q'] as rank-1 updates over rows of At (mp, qp), then
// the q <= q' pairs in triu order, standardised per species.
void NetV1::features(int n, const double *at, const int64_t *s, const double *te, bool te_per_atom, double *x,
                     int ldx, std::vector<double> &p) const
{
  const int Q = nq_, qp = qp_, np = static_cast<int>(pair_q_.size());
  p.resize(static_cast<size_t>(Q) * qp);
  for (int i = 0; i < n; ++i) {
    const double *ai = at + static_cast<size_t>(i) * mp_ * qp;
    const double *mean = &mean_[s[i] * n_feat_], *inv = &inv_std_[s[i] * n_feat_];
    double *xi = x + static_cast<size_t>(i) * ldx;
    int f = 0;
    for (int l = 0, m0 = 0; l <= l_max_; m0 += 2 * l + 1, ++l) {
      std::fill(p.begin(), p.end(), 0.0);
      for (int m = m0; m < m0 + 2 * l + 1; ++m) {
        const double *row = ai + m * qp;
        for (int q = 0; q < Q; ++q) {
          const v4d c = splat4(row[q]);
          for (int j = 0; j < qp; j += 4) store4(&p[q * qp + j], load4(&p[q * qp + j]) + c * load4(row + j));
        }
      }
      for (int k = 0; k < np; ++k, ++f) xi[f] = (p[pair_q_[k] * qp + pair_p_[k]] - mean[f]) * inv[f];
    }
    if (has_te_) {
      const double t = te[te_per_atom ? i : 0] / te_scale_;
      xi[f++] = t;
      xi[f++] = t * t;
    }
    for (; f < ldx; ++f) xi[f] = 0.0;
  }
}

// dE/dAt[m][:] = sum_q' At[m][q'] S_l[q'][:] with S_l the symmetric matrix of dE/dP_l (diagonal
// doubled, since P_qq = sum A_q^2).
void NetV1::feature_backward(int n, const double *at, const int64_t *s, const double *te, bool te_per_atom,
                             const double *dx, int ldx, double *gat, double *dedt, std::vector<double> &sym) const
{
  const int Q = nq_, qp = qp_, np = static_cast<int>(pair_q_.size());
  std::fill(gat, gat + static_cast<size_t>(n) * mp_ * qp, 0.0);
  sym.assign(static_cast<size_t>(Q) * qp, 0.0);    // the padding columns stay zero
  for (int i = 0; i < n; ++i) {
    const double *ai = at + static_cast<size_t>(i) * mp_ * qp;
    double *gi = gat + static_cast<size_t>(i) * mp_ * qp;
    const double *inv = &inv_std_[s[i] * n_feat_];
    const double *dxi = dx + static_cast<size_t>(i) * ldx;
    int f = 0;
    for (int l = 0, m0 = 0; l <= l_max_; m0 += 2 * l + 1, ++l) {
      for (int k = 0; k < np; ++k, ++f) {
        const double gp = dxi[f] * inv[f];
        const int q = pair_q_[k], r = pair_p_[k];
        if (q == r) {
          sym[q * qp + q] = 2.0 * gp;
        } else {
          sym[q * qp + r] = gp;
          sym[r * qp + q] = gp;
        }
      }
      for (int m = m0; m < m0 + 2 * l + 1; ++m) {
        const double *row = ai + m * qp;
        double *grow = gi + m * qp;
        for (int r = 0; r < Q; ++r) {
          const v4d c = splat4(row[r]);
          for (int j = 0; j < qp; j += 4) store4(grow + j, load4(grow + j) + c * load4(&sym[r * qp + j]));
        }
      }
    }
    if (has_te_ && dedt) {
      const double t = te[te_per_atom ? i : 0] / te_scale_;
      dedt[i] = (dxi[f] + 2.0 * t * dxi[f + 1]) / te_scale_;
    }
  }
}

void NetV1::run(int n, const double *at, const int64_t *s, const double *te, bool te_per_atom, bool grad, double *e,
                double *gat, double *dedt, Work &w) const
{
  const int ldx = pad4(n_in_);
  w.x.resize(static_cast<size_t>(n) * ldx);
  features(n, at, s, te, te_per_atom, w.x.data(), ldx, w.pq);
  if (grad) w.dx.assign(static_cast<size_t>(n) * ldx, 0.0);
  for (int sp = 0; sp < n_species_; ++sp) {
    w.rows.clear();
    for (int i = 0; i < n; ++i)
      if (s[i] == sp) w.rows.push_back(i);
    const int ns = static_cast<int>(w.rows.size());
    if (ns == 0) continue;
    const std::vector<Layer> &layers = nets_[sp];
    const bool all = ns == n;    // a single-species block: no gather
    const double *xs = w.x.data();
    if (!all) {
      w.xs.resize(static_cast<size_t>(ns) * ldx);
      for (int r = 0; r < ns; ++r) std::copy_n(&w.x[static_cast<size_t>(w.rows[r]) * ldx], ldx, &w.xs[r * ldx]);
      xs = w.xs.data();
    }
    // forward: z_k = h_{k-1} W_k^T + b_k, h_k = silu(z_k); offsets of each hidden layer in z/h
    const int nh = static_cast<int>(layers.size()) - 1;
    std::vector<size_t> off(nh + 1, 0);
    for (int k = 0; k < nh; ++k) off[k + 1] = off[k] + static_cast<size_t>(ns) * layers[k].out_pad;
    w.z.resize(off[nh]);
    w.h.resize(off[nh]);
    w.sg.resize(off[nh]);
    const double *in = xs;
    int ld_in = ldx;
    for (int k = 0; k < nh; ++k) {
      const Layer &L = layers[k];
      double *z = &w.z[off[k]], *h = &w.h[off[k]], *sg = &w.sg[off[k]];
      for (int r = 0; r < ns; ++r) std::copy_n(L.b.data(), L.out_pad, z + r * L.out_pad);
      gemm(ns, L.n_in, L.out_pad, in, ld_in, 1, L.wt.data(), L.out_pad, z, L.out_pad, true);    // z = b + ...
      for (size_t j = 0; j < static_cast<size_t>(ns) * L.out_pad; ++j) {
        sg[j] = sigmoid(z[j]);    // kept for the backward
        h[j] = z[j] * sg[j];
      }
      in = h;
      ld_in = L.out_pad;
    }
    const Layer &last = layers.back();
    for (int r = 0; r < ns; ++r) {
      double acc = last.b[0];
      for (int j = 0; j < last.n_in; ++j) acc += in[r * ld_in + j] * last.w[j];
      e[w.rows[r]] = e0_[sp] + energy_scale_ * acc;
    }
    if (!grad) continue;
    // backward: dE/dh_last = energy_scale w_out; dz = dh silu'(z); dh_{k-1} = dz W_k
    w.dh.resize(static_cast<size_t>(ns) * std::max(ld_in, 1));
    for (int r = 0; r < ns; ++r)
      for (int j = 0; j < ld_in; ++j) w.dh[r * ld_in + j] = j < last.n_in ? energy_scale_ * last.w[j] : 0.0;
    for (int k = nh - 1; k >= 0; --k) {
      const Layer &L = layers[k];
      const double *z = &w.z[off[k]], *sg = &w.sg[off[k]];
      w.dz.resize(static_cast<size_t>(ns) * L.out_pad);
      for (size_t j = 0; j < static_cast<size_t>(ns) * L.out_pad; ++j)
        w.dz[j] = w.dh[j] * sg[j] * (1.0 + z[j] * (1.0 - sg[j]));    // silu'(z)
      w.dh.resize(static_cast<size_t>(ns) * L.in_pad);
      gemm(ns, L.n_out, L.in_pad, w.dz.data(), L.out_pad, 1, L.w.data(), L.in_pad, w.dh.data(), L.in_pad, false);
    }
    // w.dh is now dE/dx of the gathered rows (ld = ldx)
    for (int r = 0; r < ns; ++r) std::copy_n(&w.dh[static_cast<size_t>(r) * ldx], ldx, &w.dx[w.rows[r] * ldx]);
  }
  if (grad) feature_backward(n, at, s, te, te_per_atom, w.dx.data(), ldx, gat, dedt, w.pq);
}

}    // namespace ptmlp

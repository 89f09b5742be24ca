// The per-atom part of model v1 in C++ (python/ptmlp/models/ptmlp_v1.py, energy_from_density):
// power spectrum of the density A, standardisation, T_e columns, the per-species SiLU MLP, and
// its hand-written backward dE/dA (and dE/dT_e). Runs on blocks of atoms inside the fused
// kernel, so no TorchScript call is made per MD step. Weights are read from the loaded module.
#pragma once

#include <torch/script.h>

#include <memory>
#include <vector>

namespace ptmlp {

class NetV1 {
 public:
  // nullptr when the networks are not the Linear/SiLU stacks this code knows
  static std::unique_ptr<NetV1> try_create(torch::jit::Module &m, int nq, int l_max, int mp);

  // Per-thread scratch, grown on first use and reused.
  struct Work {
    std::vector<double> x, dx, xs, dxs, z, h, sg, dh, dz, out;
    std::vector<double> pq;    // (Q, qp): one l's power-spectrum block or its gradient
    std::vector<int> rows;
  };

  // at: (n, mp, qp) transposed densities A[q][m] -> at[m][q] of n atoms of species s (zero
  // padding); te: null, one value (te_per_atom false) or n values. Writes e (n) in eV; with
  // grad, gat (n, mp, qp) = dE_i/dAt_i and, when te is given, dedt (n) = dE_i/dT_e in eV/K.
  void run(int n, const double *at, const int64_t *s, const double *te, bool te_per_atom, bool grad, double *e,
           double *gat, double *dedt, Work &w) const;

  bool has_te() const { return has_te_; }

 private:
  struct Layer {
    int n_in = 0, n_out = 0, in_pad = 0, out_pad = 0;
    std::vector<double> wt;    // (n_in, out_pad)  W^T, zero-padded columns
    std::vector<double> w;     // (n_out, in_pad)  W, zero-padded columns
    std::vector<double> b;     // (out_pad)
  };
  int nq_ = 0, qp_ = 0, l_max_ = 0, mp_ = 0, n_feat_ = 0, n_in_ = 0, n_species_ = 0;
  std::vector<int> pair_q_, pair_p_;    // power-spectrum pairs q <= q' (triu order)
  std::vector<double> mean_, inv_std_;  // (S, n_feat)
  std::vector<double> e0_;
  double energy_scale_ = 1.0, te_scale_ = 1.0;
  bool has_te_ = false;
  std::vector<std::vector<Layer>> nets_;    // per species; the last layer has n_out 1

  void features(int n, const double *at, const int64_t *s, const double *te, bool te_per_atom, double *x,
                int ldx, std::vector<double> &p) const;
  void feature_backward(int n, const double *at, const int64_t *s, const double *te, bool te_per_atom,
                        const double *dx, int ldx, double *gat, double *dedt, std::vector<double> &sym) const;
};

}    // namespace ptmlp

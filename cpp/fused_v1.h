// Fused CPU kernel for the neighbour-density step of model v1 (python/ptmlp/models/ptmlp_v1.py,
// PtmlpV1.density) and its ZBL term, with a hand-written backward:
//
//   A[i,q,lm] = s * sum_{e: i} R_q(r_e, s_j) Y_lm(r_e / r_e),  R_q = sum_n b_n(r) u(r) W[n, s_j, q]
//
// The rest of the model (power spectrum, networks, T_e input) stays in TorchScript
// (PtmlpV1.energy_from_density). Both paths compute the same function; tests compare them.
// No LAMMPS headers.
#pragma once

#include "evaluate.h"

#include <torch/script.h>

#include <memory>
#include <vector>

namespace ptmlp {

class FusedV1 {
 public:
  // nullptr when the module is not a ptmlp_v1 model exposing energy_from_density
  static std::unique_ptr<FusedV1> try_create(torch::jit::Module &module);

  int n_channels() const { return nq_; }
  int n_harmonics() const { return nm_; }

  // A (n_local, Q, M), row-major, for edges grouped by centre (edge_i non-decreasing)
  void density(const EdgeInput &in, std::vector<double> &a) const;
  // g (E, 3) += dE/dr_e given G = dE/dA (n_local, Q, M)
  void density_backward(const EdgeInput &in, const double *grad_a, double *g) const;
  // per-local-atom ZBL energy added to atom_e (n_local), its edge gradient added to g (E, 3)
  void zbl(const EdgeInput &in, double *atom_e, double *g) const;
  bool has_zbl() const { return use_zbl_; }

 private:
  int n_rad_ = 0, n_species_ = 0, nq_ = 0, l_max_ = 0, nm_ = 0, env_p_ = 6;
  double r_cut_ = 0.0, pref_ = 0.0, f1_ = 0.0, scale_ = 1.0;
  std::vector<double> mix_;      // (n_rad, S, Q)
  std::vector<double> sh_norm_;  // (M,)
  bool use_zbl_ = false;
  double k_e_ = 0.0;
  std::vector<double> z_, r_in_, r_out_, coef_, expo_;

  // per edge: radial channels R (Q) and, if drq, dR/dr (Q) for neighbour species s
  void radial(double r, int s, double *rq, double *drq) const;
  // real spherical harmonics Y (M) of unit vector u and, if dy, dY/du (M x 3)
  void harmonics(const double *u, double *y, double *dy) const;
  std::vector<int64_t> centre_offsets(const EdgeInput &in) const;
};

}    // namespace ptmlp

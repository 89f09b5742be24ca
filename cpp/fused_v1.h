// Model v1 (python/ptmlp/models/ptmlp_v1.py) wholly in C++ on CPU, with a hand-written backward:
//
//   A[i,q,lm] = s * sum_{e: i} R_q(r_e, s_j) Y_lm(r_e / r_e),  R_q = sum_n b_n(r) u(r) W[n, s_j, q]
//   E_i = e0 + energy_scale * MLP_{s_i}(standardised power spectrum of A_i [, T_e columns]) + ZBL
//
// The edge kernels and the block driver are here and in fused_v1_blocks.cpp, the networks in
// net_v1.cpp. Float32 models are evaluated in float64 from their float32 weights. Tests compare
// this path with the all-TorchScript one (PTMLP_FUSED=0). No LAMMPS headers.
#pragma once

#include "evaluate.h"
#include "net_v1.h"

#include <torch/script.h>

#include <memory>
#include <vector>

namespace ptmlp {

class FusedV1 {
 public:
  // nullptr when the module is not a ptmlp_v1 model whose layout this code knows
  static std::unique_ptr<FusedV1> try_create(torch::jit::Module &module);

  // Edges grouped by centre (edge_i non-decreasing). Per-atom energies incl. ZBL into atom_e
  // (n_local); with grad, dE/dr_e into g (E, 3, zeroed here); with T_e input and dedt non-null,
  // dE_i/dT_e into dedt (n_local). te: in.te_K (one value or n_local values).
  void evaluate(const EdgeInput &in, bool grad, double *atom_e, double *g, double *dedt) const;

 private:
  int n_rad_ = 0, n_species_ = 0, nq_ = 0, l_max_ = 0, nm_ = 0, env_p_ = 6;
  double r_cut_ = 0.0, pref_ = 0.0, f1_ = 0.0, scale_ = 1.0;
  std::vector<double> mix_;      // (n_rad, S, Q)
  std::vector<double> sh_norm_;  // (M,)
  bool use_zbl_ = false;
  double k_e_ = 0.0;
  std::vector<double> z_, r_in_, r_out_, coef_, expo_;
  int mp_ = 4, qp_ = 4;            // harmonics, channels padded to a multiple of 4
  std::vector<double> mix_scaled_; // (S, n_rad, qp): scale * mix, zero-padded
  std::unique_ptr<NetV1> net_;

  std::vector<int64_t> centre_offsets(const EdgeInput &in) const;
  // per-local-atom ZBL energy added to atom_e (n_local), its edge gradient added to g (E, 3) unless null
  void zbl(const EdgeInput &in, double *atom_e, double *g) const;
};

}    // namespace ptmlp

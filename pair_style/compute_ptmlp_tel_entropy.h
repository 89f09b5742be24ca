/* -*- c++ -*- ----------------------------------------------------------
   compute ID group ptmlp/tel/entropy
   scalar: electronic entropy S_e = -dF/dT_e of the group (eV/K)
   vector: [S_e (eV/K), T_e (K), T_e*S_e (eV)]  -> U = F + T_e S_e
   per-atom: S_e of each atom (eV/K)
   Values are those of the last force evaluation of pair_style ptmlp/tel.
------------------------------------------------------------------------- */

#ifdef COMPUTE_CLASS
// clang-format off
ComputeStyle(ptmlp/tel/entropy,ComputePtmlpTelEntropy);
// clang-format on
#else

#ifndef LMP_COMPUTE_PTMLP_TEL_ENTROPY_H
#define LMP_COMPUTE_PTMLP_TEL_ENTROPY_H

#include "compute.h"

namespace LAMMPS_NS {

class ComputePtmlpTelEntropy : public Compute {
 public:
  ComputePtmlpTelEntropy(class LAMMPS *, int, char **);
  ~ComputePtmlpTelEntropy() override;
  void init() override;
  double compute_scalar() override;
  void compute_vector() override;
  void compute_peratom() override;
  double memory_usage() override;

 private:
  class PairPTMLPTel *pair_ = nullptr;
  double *peratom_ = nullptr;
  int nmax_ = 0;
  void find_pair();
};

}    // namespace LAMMPS_NS

#endif
#endif

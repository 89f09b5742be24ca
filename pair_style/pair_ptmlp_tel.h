/* -*- c++ -*- ----------------------------------------------------------
   pair_style ptmlp/tel: ptmlp models whose energy is the electronic free energy
   F(R, T_e); T_e from a constant, an equal-style variable or a global compute.
------------------------------------------------------------------------- */

#ifdef PAIR_CLASS
// clang-format off
PairStyle(ptmlp/tel,PairPTMLPTel);
// clang-format on
#else

#ifndef LMP_PAIR_PTMLP_TEL_H
#define LMP_PAIR_PTMLP_TEL_H

#include "pair_ptmlp.h"

namespace LAMMPS_NS {

class PairPTMLPTel : public PairPTMLP {
 public:
  PairPTMLPTel(class LAMMPS *);

  void init_style() override;

  // results of the last force evaluation, for compute ptmlp/tel/entropy
  double te_K() const { return te_last_; }
  double local_entropy(const int *mask, int groupbit) const;    // eV/K over owned atoms in group
  const std::vector<double> &atom_entropy() const { return atom_entropy_; }    // (nlocal,) eV/K

 protected:
  enum class Source { NONE, CONSTANT, VARIABLE, COMPUTE };
  Source source_ = Source::NONE;
  double te_const_ = 0.0;
  std::string te_name_;    // variable or compute ID without prefix
  int ivar_ = -1;
  class Compute *te_compute_ = nullptr;
  double te_last_ = 0.0;
  bool warned_range_ = false;
  std::vector<double> atom_entropy_;

  int parse_keyword(int narg, char **arg, int iarg) override;
  void check_model_kind() override;
  void fill_te(ptmlp::EdgeInput &) override;
  bool wants_entropy() const override { return true; }
  void after_compute(const ptmlp::Output &) override;
  double current_te();
};

}    // namespace LAMMPS_NS

#endif
#endif

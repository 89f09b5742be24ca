/* -*- c++ -*- ----------------------------------------------------------
   pair_style ptmlp: TorchScript machine-learning potentials (ptmlp model files).
   The LAMMPS side only: gather edges -> ptmlp core -> scatter forces/virials.
------------------------------------------------------------------------- */

#ifdef PAIR_CLASS
// clang-format off
PairStyle(ptmlp,PairPTMLP);
// clang-format on
#else

#ifndef LMP_PAIR_PTMLP_H
#define LMP_PAIR_PTMLP_H

#include "pair.h"
#include "ptmlp_placement.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace ptmlp {
class Ensemble;
struct EdgeInput;
struct Output;
}    // namespace ptmlp

namespace LAMMPS_NS {

class PairPTMLP : public Pair {
 public:
  PairPTMLP(class LAMMPS *);
  ~PairPTMLP() override;

  void compute(int, int) override;
  void settings(int, char **) override;
  void coeff(int, char **) override;
  void init_style() override;
  double init_one(int, int) override;
  void setup() override;
  double memory_usage() override;
  int pack_reverse_comm(int, int, double *) override;
  void unpack_reverse_comm(int, int *, double *) override;

 protected:
  std::string style_;                          // "ptmlp" or a derived style's name
  std::unique_ptr<ptmlp::Ensemble> models_;    // member 0 drives the dynamics
  std::vector<std::string> model_files_;
  std::vector<int> type_species_;    // LAMMPS type (1..ntypes) -> model species, -1 for NULL
  DeviceRequest device_;             // `device cpu|cuda|auto [share]`
  double r_cut_ = 0.0;               // angstrom

  // ensemble deviation output (DeePMD-kit model_devi.out columns + energy deviation)
  int devi_every_ = 0;
  std::string devi_path_;
  FILE *devi_fp_ = nullptr;
  double devi_relative_ = -1.0;    // > 0: relative force deviation with this level (eV/angstrom)

  std::unique_ptr<ptmlp::EdgeInput> in_;
  std::unique_ptr<ptmlp::Output> out_;
  std::unique_ptr<ptmlp::Output> member_out_;
  std::vector<double> member_f_;    // (nall, n_models, 3) forces of every member on deviation steps
  std::vector<int> compact_to_lmp_;    // compact atom -> LAMMPS index (local or ghost)
  std::vector<int> lmp_to_compact_;    // LAMMPS index -> compact atom or -1

  // what build_edges() saw on this rank (for the floor and the training-range checks)
  double min_r2_ = 0.0;           // shortest pair distance squared, angstrom^2
  int min_neigh_ = 0, max_neigh_ = 0;    // neighbours within r_cut per local atom

  // training ranges (metadata "training"): each quantity is warned about once
  bool warned_pressure_ = false, warned_distance_ = false, warned_neighbours_ = false;
  int threads_ = 0;           // intra-op threads now in use
  int ranks_on_node_ = 1;     // MPI ranks sharing rank 0's node

  // hooks for derived styles (ptmlp/tel)
  virtual int parse_keyword(int narg, char **arg, int iarg);    // args consumed, 0 if not a keyword
  virtual void check_model_kind();                               // plain ptmlp refuses T_e models
  virtual void fill_te(ptmlp::EdgeInput &) {}                     // set the T_e input
  virtual bool wants_entropy() const { return false; }           // ask the core for S_e
  virtual void after_compute(const ptmlp::Output &) {}            // e.g. keep S_e for a compute

  void allocate();
  void load_models();
  void build_edges();
  void scatter(const ptmlp::Output &, int eflag_atom_now, int vflag_atom_now, int cvflag_atom_now);
  void write_deviation();
  void use_lammps_threads();
  void check_finite(const ptmlp::Output &);
  std::string closest_pair(int64_t compact_atom) const;
  [[noreturn]] void fail_below_floor();
  void check_training_ranges();
  [[noreturn]] void fail_all(const std::string &msg);
};

}    // namespace LAMMPS_NS

#endif
#endif

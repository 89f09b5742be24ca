// Evaluate a model on an edge list: per-atom energies, forces, virials (and T_e derivatives).
// No LAMMPS headers: the caller builds the edge list and scatters the results back.
#pragma once

#include "model.h"

#include <cstdint>
#include <vector>

namespace ptmlp {

// Inputs on the host. Atoms are "compact": local atoms first (0..n_local-1), then the
// ghost/periodic-image atoms that appear as neighbours.
struct EdgeInput {
  std::vector<double> edge_vec;      // (E, 3) r_ij = x_j - x_i, angstrom
  std::vector<int64_t> edge_i;       // (E,) centre atom, < n_local, non-decreasing
  std::vector<int64_t> edge_j;       // (E,) neighbour atom
  std::vector<int64_t> species;      // (N,) model species index
  int64_t n_local = 0;
  std::vector<double> te_K;          // electronic temperature: empty, 1 (global) or n_local values
  uint64_t generation = 0;           // bumped by clear(): the device path uploads each generation once

  int64_t n_edges() const { return static_cast<int64_t>(edge_i.size()); }
  int64_t n_atoms() const { return static_cast<int64_t>(species.size()); }
  void clear();
};

struct Request {
  bool forces = true;
  bool atom_energy = false;
  bool virial = false;        // global virial
  bool atom_virial = false;   // per-atom centroid virial
  bool entropy = false;       // S_e = -dF/dT_e (T_e models only)
};

// Virial components, order of LAMMPS cvatom: xx yy zz xy xz yz yx zx zy; W_ab = -sum r_a g_b.
constexpr int kVirialIndex[9][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}, {1, 0}, {2, 0}, {2, 1}};

struct Output {
  double energy = 0.0;                 // eV, sum over local atoms
  std::vector<double> atom_energy;     // (n_local,) eV
  std::vector<double> forces;          // (N, 3) eV/angstrom, includes forces on ghosts (newton on)
  double virial[9] = {0};              // eV
  std::vector<double> atom_virial;     // (N, 9) eV, per-atom centroid virial
  double entropy_eV_per_K = 0.0;       // S_e = -dF/dT_e summed over local atoms
  std::vector<double> atom_entropy;    // (n_local,) only for per-atom T_e
};

// Throws ptmlp::Error (one line) on failure. Models on the device path (Model::staged()) are
// evaluated by evaluate_on_device (evaluate_device.cpp), the others on the host.
void evaluate(Model &model, const EdgeInput &in, const Request &req, Output &out);

// Shared by both paths: refuses a T_e input the model lacks, or a missing one it needs.
void check_te_input(const Model &model, const EdgeInput &in);
void check_energies(const Model &model, const torch::Tensor &atom_e, int64_t n_local);
void evaluate_on_device(Model &model, const EdgeInput &in, const Request &req, Output &out);

}    // namespace ptmlp

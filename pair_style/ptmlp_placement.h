/* -*- c++ -*- ----------------------------------------------------------
   pair_style ptmlp ... device cpu|cuda|auto [share]: where each MPI rank
   evaluates its model, said in the log with one line per node.
------------------------------------------------------------------------- */

#ifndef LMP_PTMLP_PLACEMENT_H
#define LMP_PTMLP_PLACEMENT_H

#include <string>

namespace LAMMPS_NS {

class LAMMPS;

struct DeviceRequest {
  // DEFAULT (no keyword): as before the keyword existed: a GPU when libtorch sees one, else the
  // CPU; ranks sharing a GPU get a warning, not an error.
  enum Kind { DEFAULT, CPU, CUDA, AUTO };
  Kind kind = DEFAULT;
  bool share = false;    // several MPI ranks may use one GPU
  std::string text() const;    // as the user wrote it: "device cuda share"
};

// Parses `device <cpu|cuda|auto|share> [share]` starting at arg[iarg] == "device"; returns the
// number of words used. One-line errors for a missing or unknown value.
int parse_device_keyword(LAMMPS *lmp, const std::string &style, int narg, char **arg, int iarg,
                         DeviceRequest &request);

struct Placement {
  bool cuda = false;
  int gpu_index = 0;          // CUDA device index on this rank when cuda
  int ranks_on_node = 1;      // MPI ranks on this rank's node
  std::string description;    // this rank's device in words, e.g. "CUDA device 1 (0000:3b:00) of 2"
};

// Collective over the world communicator: chooses each rank's device (GPU = node-local rank modulo
// the GPUs it sees), logs one line per node with the ranks on each GPU, and stops with one line
// when `device cuda` finds no GPU or when ranks share a GPU without `share`.
Placement place_ranks(LAMMPS *lmp, const std::string &style, const DeviceRequest &request);

}    // namespace LAMMPS_NS

#endif

// Persistent buffers of the device path: a step's inputs go to the device in ONE copy and its
// results come back in ONE copy. Host staging buffers are pinned on CUDA; every buffer grows with
// 25 % headroom and is never shrunk, so MD steps allocate none of them. No LAMMPS headers.
#pragma once

#include "evaluate.h"

#include <torch/torch.h>

#include <cstdint>

namespace ptmlp {

class DeviceStage {
 public:
  explicit DeviceStage(const torch::Device &device);

  // Views into the device input buffer (valid until the next upload).
  struct Inputs {
    torch::Tensor vec;        // (E, 3) float64, angstrom
    torch::Tensor edge_i;     // (E,) int64
    torch::Tensor edge_j;     // (E,) int64
    torch::Tensor species;    // (N,) int64
    torch::Tensor te;         // undefined, () or (n_local,) float64, K
  };

  const torch::Device &device() const { return device_; }
  // The inputs of `in` on the device. Packs them into the staging buffer and copies it over once
  // per EdgeInput generation: ensemble members evaluated on the same step reuse the upload.
  const Inputs &upload(const EdgeInput &in);
  // A device float64 buffer of at least n values for the results of one evaluation.
  torch::Tensor results(int64_t n);
  // ONE device->host copy of the first n values of results(); the host copy stays valid until the
  // next call. `atom_virial`: the copy carries per-atom virials (counted for PTMLP_PROFILE).
  const double *download(int64_t n, bool atom_virial);
  // (3x3 row-major) -> LAMMPS virial order xx yy zz xy xz yz yx zx zy, as an index on the device
  const torch::Tensor &virial_order() const { return virial_order_; }
  // Waits for the device while PTMLP_PROFILE is on (CUDA), so phase timers see the kernels' time.
  void sync_if_profiling() const;

 private:
  torch::Device device_;
  bool pinned_;
  torch::Tensor host_in_, dev_in_;      // int64 words: vec (3E, float64 bits) | i (E) | j (E) | species (N) | T_e
  torch::Tensor host_out_, dev_out_;    // float64
  torch::Tensor virial_order_;
  Inputs inputs_;
  const EdgeInput *last_input_ = nullptr;
  uint64_t last_generation_ = 0;

  void grow(torch::Tensor &buffer, int64_t n, torch::Dtype dtype, bool on_device);
};

}    // namespace ptmlp

// Loading ptmlp model files (TorchScript + metadata.json) into libtorch. No LAMMPS headers.
#pragma once

#include "metadata.h"

#include <torch/script.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ptmlp {

class DeviceStage;
class FusedV1;

// Whole file as bytes; throws Error "model file X: no such file" / "cannot be read".
std::string read_file_bytes(const std::string &path);

// Use `threads` intra-op threads (libtorch and the fused kernels); the caller passes the count its
// host uses (in LAMMPS: comm->nthreads, i.e. OMP_NUM_THREADS or `package omp N`, 1 when unset).
void set_threads(int threads);
// CPUs this process may run on (its affinity mask, e.g. a SLURM cpuset), at least 1.
int usable_cpus();

class Model {
 public:
  // `bytes` is the content of `filename` (read once on MPI rank 0 and broadcast by the caller).
  Model(const std::string &bytes, const std::string &filename, const torch::Device &device);
  ~Model();

  const Metadata &metadata() const { return meta_; }
  const std::string &filename() const { return filename_; }
  const torch::Device &device() const { return device_; }
  torch::Dtype dtype() const { return meta_.float64 ? torch::kFloat64 : torch::kFloat32; }
  torch::jit::Module &module() { return module_; }
  // model v1 wholly in C++ (CPU), or nullptr; PTMLP_FUSED=0 disables it
  const FusedV1 *fused() const { return fused_.get(); }
  // The device path (evaluate_device.cpp): always on CUDA, on CPU under PTMLP_STAGED=1. Its graph
  // is frozen (PTMLP_FREEZE=0: not) and run by the optimising executor (PTMLP_JIT_OPTIMIZE=0: not).
  bool staged() const { return stage_ != nullptr; }
  DeviceStage &stage() { return *stage_; }
  void share_stage(const Model &other) { stage_ = other.stage_; }
  // whether TorchScript calls of this model run with the graph optimiser (see JitModeGuard)
  bool jit_optimize() const { return jit_optimize_; }

 private:
  std::string filename_;
  torch::Device device_;
  Metadata meta_;
  torch::jit::Module module_;
  std::unique_ptr<FusedV1> fused_;
  std::shared_ptr<DeviceStage> stage_;    // shared by the members of an ensemble: one upload per step
  bool jit_optimize_ = false;
};

// Models evaluated together; member 0 drives the dynamics. Checks that members agree.
class Ensemble {
 public:
  Ensemble(const std::vector<std::string> &bytes, const std::vector<std::string> &filenames,
           const torch::Device &device);
  size_t size() const { return models_.size(); }
  Model &operator[](size_t k) { return *models_[k]; }
  const Metadata &metadata() const { return models_.front()->metadata(); }

 private:
  std::vector<std::unique_ptr<Model>> models_;
};

// The TorchScript executor mode for the calls made while it lives, restored afterwards (so the
// choice of one path does not switch the JIT optimiser off for the whole process): optimize=false
// runs the simple executor without graph optimisation (right on CPU, where shapes change at every
// neighbour-list rebuild), optimize=true the profiling executor, which specialises and fuses.
class JitModeGuard {
 public:
  explicit JitModeGuard(bool optimize);
  ~JitModeGuard();
  JitModeGuard(const JitModeGuard &) = delete;
  JitModeGuard &operator=(const JitModeGuard &) = delete;

 private:
  bool profiling_, optimize_;
};

// First line of a libtorch/c10 exception text, without its C++ backtrace.
std::string first_line(const std::string &text);
// Its first sentence (torch messages often run on with advice).
std::string first_sentence(const std::string &text);

}    // namespace ptmlp

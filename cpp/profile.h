// Phase timers and event counters of the core (PTMLP_PROFILE=1 prints them to stderr at exit).
#pragma once

#include <chrono>

namespace ptmlp {

// The three fused C++ phases are summed over threads (thread-seconds). The device phases are
// wall time; on CUDA each ends with a device synchronisation while profiling (only then), so that
// the time of the asynchronous kernels lands in the phase that queued them.
enum Phase {
  kPhaseEdgesForward,
  kPhaseNetworkCpp,
  kPhaseEdgesBackward,
  kPhaseTail,
  kPhaseGeneric,
  kPhaseBuildEdges,      // LAMMPS side: neighbour list -> edge list
  kPhaseScatter,         // LAMMPS side: forces/virials back onto LAMMPS atoms
  kPhaseStagePack,       // device path: edge list -> pinned staging buffer (host)
  kPhaseHostToDevice,    // device path: the one host->device copy
  kPhaseDeviceModel,     // device path: TorchScript forward + backward on the device
  kPhaseDeviceTail,      // device path: forces, virials, entropy on the device
  kPhaseDeviceToHost,    // device path: the one device->host copy and the unpacking
  kNumPhases
};

// Events counted while profiling (printed as "ptmlp profile: count <name> <n>").
enum Counter {
  kCountHostToDevice,         // host->device copies of a step's inputs
  kCountHostToDeviceBytes,
  kCountDeviceToHost,         // device->host copies of results
  kCountDeviceToHostBytes,
  kCountAtomVirialCopies,     // device->host copies that carried per-atom virials
  kCountBufferGrowths,        // persistent staging/device buffers (re)allocated
  kCountDeviceEvaluations,    // model evaluations on the device path
  kNumCounters
};

bool profiling();
void add_time(Phase phase, double seconds);
void count(Counter counter, long long n = 1);
// the largest value seen (e.g. peak device memory in bytes), printed with the counters
void record_peak_device_bytes(long long bytes);

class ScopedTimer {
 public:
  explicit ScopedTimer(Phase p) : phase_(p), on_(profiling()), t0_(std::chrono::steady_clock::now()) {}
  ~ScopedTimer()
  {
    if (on_) add_time(phase_, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count());
  }

 private:
  Phase phase_;
  bool on_;
  std::chrono::steady_clock::time_point t0_;
};

}    // namespace ptmlp
